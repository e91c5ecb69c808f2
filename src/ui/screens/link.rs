//! Step 2: Director's Hybrid > Synchronization page starts with the
//! "Connect account link" (on ShoreTel 14.2: Connect Services and its
//! "HYBRID account"); an admin who already has an account skips ahead.

use egui::{RichText, Ui};

use crate::domain::wizard::Step;
use crate::ui::screen::{Ctx, Screen};

pub struct LinkScreen;

impl Screen for LinkScreen {
    /// Continue = the account link: register a new account.
    fn on_continue(&mut self, ctx: &mut Ctx<'_>) -> Option<Step> {
        ctx.progress.has_account = false;
        Some(ctx.progress.next())
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        let screens = ctx.progress.hybrid_screens();
        ui.heading("Link Director to a Connect HYBRID account");
        ui.label(format!(
            "In Director this is {}. Syncing users needs a Connect HYBRID account in the Connect \
             Portal: register one now, or use the one you have.",
            screens.page
        ));
        ui.add_space(12.0);
        let mut choice = None;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new("New to Connect HYBRID?").strong());
            ui.label("Register an account. You need a unique Company Name and a unique, valid Business Email.");
            if ui.button(screens.account_link).clicked() {
                ctx.progress.has_account = false;
                choice = Some(Step::Register);
            }
        });
        ui.add_space(8.0);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new("Already registered?").strong());
            ui.label(
                "Go straight to entering the Account ID (in the welcome email) and the Token (shown in the \
                 Connect Portal).",
            );
            if ui.button("I already have an account").clicked() {
                ctx.progress.has_account = true;
                choice = Some(Step::Credentials);
            }
        });
        choice
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::ui::screens::test_support::Fixture;

    #[test]
    fn each_choice_sets_the_account_flag_and_the_next_step() {
        for (button, has_account, next) in [
            ("Connect account link", false, Step::Register),
            ("I already have an account", true, Step::Credentials),
        ] {
            let mut fixture = Fixture::default();
            fixture.progress.has_account = !has_account;
            let mut harness = Harness::new_ui_state(
                |ui, fixture: &mut Fixture| {
                    let went = fixture.run(|ctx| LinkScreen.ui(ui, ctx));
                    if went.is_some() {
                        fixture.went = went;
                    }
                },
                fixture,
            );
            harness.get_by_label(button).click();
            harness.run();
            assert_eq!(harness.state().went, Some(next), "{button}");
            assert_eq!(
                harness.state().progress.has_account,
                has_account,
                "{button}"
            );
            assert!(
                harness.state().requests.is_empty(),
                "nothing asked of the background"
            );
        }
    }
}
