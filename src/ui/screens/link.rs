//! Step 2: Director's Hybrid > Synchronization page starts with the
//! "Connect account link" (on ShoreTel 14.2: Connect Services and its
//! "HYBRID account"); an admin who already has an account skips ahead.
//! Two cards, one chosen (registering, unless the admin said otherwise),
//! and the wizard's primary button says where the choice leads.

use egui::{RichText, Ui};

use crate::domain::wizard::{Progress, Step};
use crate::ui::screen::{Ctx, Screen};
use crate::ui::widgets;

pub struct LinkScreen;

/// The two ways on; the radio's words are what a screen reader says.
pub const NEW_ACCOUNT: &str = "Register a new account";
pub const EXISTING_ACCOUNT: &str = "I already have an account";

impl Screen for LinkScreen {
    /// The choice made on the cards: register, or enter what one has.
    fn continue_label(&self, progress: &Progress) -> &'static str {
        if progress.has_account {
            "Enter the Account ID and Token"
        } else {
            "Register…"
        }
    }

    fn on_continue(&mut self, ctx: &mut Ctx<'_>) -> Option<Step> {
        Some(if ctx.progress.has_account {
            Step::Credentials
        } else {
            Step::Register
        })
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        let screens = ctx.progress.hybrid_screens();
        widgets::page_title(ui, "Link Director");
        ui.label(format!(
            "In Director this is {}. Syncing users needs a Connect HYBRID account in the Connect \
             Portal: register one now, or use the one you have.",
            screens.page
        ));
        ui.add_space(12.0);
        choice_card(
            ui,
            &mut ctx.progress.has_account,
            false,
            NEW_ACCOUNT,
            &format!(
                "New to Connect HYBRID? You need a unique Company Name and a unique, valid \
                 Business Email. In Director this is the \u{201c}{}\u{201d}.",
                screens.account_link
            ),
        );
        ui.add_space(8.0);
        choice_card(
            ui,
            &mut ctx.progress.has_account,
            true,
            EXISTING_ACCOUNT,
            "Go straight to entering the Account ID (in the welcome email) and the Token (shown \
             in the Connect Portal).",
        );
        None
    }
}

/// A card chosen by its radio button (which names it, and takes Tab and
/// Space); the chosen card is outlined in the accent.
fn choice_card(ui: &mut Ui, chosen: &mut bool, value: bool, title: &str, detail: &str) {
    let selected = *chosen == value;
    let stroke = if selected {
        ui.visuals().selection.stroke
    } else {
        ui.visuals().widgets.noninteractive.bg_stroke
    };
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(
            if selected { 2.0 } else { 1.0 },
            stroke.color,
        ))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            if ui.radio(selected, RichText::new(title).strong()).clicked() {
                *chosen = value;
            }
            ui.indent(title, |ui| ui.label(detail));
        });
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::ui::screens::test_support::Fixture;

    #[test]
    fn each_card_sets_the_account_flag_and_where_continue_leads() {
        for (card, has_account, next, label) in [
            (NEW_ACCOUNT, false, Step::Register, "Register…"),
            (
                EXISTING_ACCOUNT,
                true,
                Step::Credentials,
                "Enter the Account ID and Token",
            ),
        ] {
            let mut fixture = Fixture::default();
            fixture.progress.has_account = !has_account;
            let mut harness = Harness::new_ui_state(
                |ui, fixture: &mut Fixture| {
                    fixture.run(|ctx| LinkScreen.ui(ui, ctx));
                },
                fixture,
            );
            harness.get_by_label(card).click();
            harness.run();
            let fixture = harness.state_mut();
            assert_eq!(fixture.progress.has_account, has_account, "{card}");
            assert_eq!(LinkScreen.continue_label(&fixture.progress), label);
            let went = fixture.run(|ctx| LinkScreen.on_continue(ctx));
            assert_eq!(went, Some(next), "{card}");
            assert!(
                fixture.requests.is_empty(),
                "nothing asked of the background"
            );
        }
    }
}
