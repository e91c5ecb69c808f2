//! Step 4: the Connect Confirmation — Account Name and Account ID, "Check
//! your email", and the welcome email itself where the server keeps one.

use egui::{RichText, Ui};

use crate::client::http::ApiError;
use crate::contract::Email;
use crate::domain::wizard::{Progress, Step};
use crate::ui::screen::{Ctx, Screen};
use crate::ui::screens::guided;
use crate::ui::tasks::{Event, Request};
use crate::ui::widgets;

#[derive(Default)]
pub struct ConfirmationScreen {
    email: Option<Email>,
    /// The server has no outbox (a real Portal sends real email).
    no_outbox: bool,
    error: Option<ApiError>,
    asked: bool,
    /// A real Portal: the admin types what the confirmation shows.
    guided: bool,
    entry: guided::AccountEntry,
}

impl ConfirmationScreen {
    fn fetch_outbox(ctx: &mut Ctx<'_>) {
        let to = ctx.progress.portal_email.clone();
        ctx.request(Request::FetchOutbox { to });
    }
}

impl Screen for ConfirmationScreen {
    fn on_enter(&mut self, ctx: &mut Ctx<'_>) {
        self.guided = ctx.shared.guided();
        if self.guided {
            self.entry.load(ctx);
            return;
        }
        if !self.asked && !ctx.progress.portal_email.is_empty() {
            self.asked = true;
            Self::fetch_outbox(ctx);
        }
    }

    fn on_event(&mut self, event: &Event, _ctx: &mut Ctx<'_>) -> Option<Step> {
        if let Event::Outbox(result) = event {
            match result {
                Ok(emails) => {
                    self.email = emails.last().cloned();
                    self.error = None;
                }
                Err(ApiError::NotFound { .. }) => self.no_outbox = true,
                Err(e) => self.error = Some(e.clone()),
            }
        }
        None
    }

    fn can_continue(&self, _progress: &Progress) -> bool {
        !self.guided || self.entry.valid()
    }

    /// Guided: what was typed is checked and saved first.
    fn on_continue(&mut self, ctx: &mut Ctx<'_>) -> Option<Step> {
        if self.guided && !self.entry.save(ctx) {
            return None;
        }
        Some(ctx.progress.next())
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        if self.guided {
            self.entry.ui(ui);
            return None;
        }
        widgets::page_title(ui, "Confirmation");
        ui.add_space(6.0);
        widgets::copyable(ui, "Account Name", &ctx.progress.account_name);
        widgets::copyable(ui, "Account ID", &ctx.progress.account_id);
        ui.add_space(6.0);
        ui.label(RichText::new("Check your email for further instructions.").strong());
        ui.label(format!(
            "A welcome email with the Account Name, Account ID and next steps was sent to {}.",
            ctx.progress.portal_email
        ));
        ui.add_space(8.0);
        if let Some(error) = &self.error
            && widgets::error_banner(ui, error)
        {
            self.error = None;
            Self::fetch_outbox(ctx);
        }
        match &self.email {
            Some(email) => {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(RichText::new(format!("Welcome email — {}", email.subject)).strong());
                    ui.label(RichText::new(format!("To: {}", email.to)).small());
                    ui.separator();
                    egui::ScrollArea::vertical()
                        .max_height(260.0)
                        .show(ui, |ui| ui.label(&email.body));
                });
            }
            None if self.no_outbox => {
                ui.label("The email goes to your mailbox; this Portal does not show it here.");
            }
            None => {
                ui.horizontal_wrapped(|ui| {
                    ui.spinner();
                    ui.label("Looking for the welcome email…");
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::ui::screens::test_support::Fixture;

    #[test]
    fn asks_once_for_the_welcome_email_and_shows_it() {
        let mut fixture = Fixture::default();
        fixture.progress.portal_email = "pat@acme.example".into();
        fixture.progress.account_id = "ACC-42".into();
        let mut screen = ConfirmationScreen::default();
        fixture.run(|ctx| screen.on_enter(ctx));
        fixture.run(|ctx| screen.on_enter(ctx));
        assert!(matches!(
            fixture.requests.as_slice(),
            [Request::FetchOutbox { to }] if to == "pat@acme.example"
        ));
        let email = Email {
            to: "pat@acme.example".into(),
            subject: "Welcome to Connect HYBRID".into(),
            body: "Your Account ID is ACC-42".into(),
            sent_at: 0,
        };
        fixture.run(|ctx| screen.on_event(&Event::Outbox(Ok(vec![email])), ctx));
        let mut harness = Harness::new_ui_state(
            move |ui, fixture: &mut Fixture| {
                fixture.run(|ctx| screen.ui(ui, ctx));
            },
            fixture,
        );
        harness.run();
        harness.get_by_label_contains("Welcome to Connect HYBRID");
        harness.get_by_label("ACC-42");
    }

    #[test]
    fn guided_it_asks_nothing_and_saves_only_what_has_the_right_shape() {
        let mut fixture = Fixture::default();
        fixture.shared.kind = Some(crate::domain::director_kind::DirectorKind::Web);
        fixture.progress.portal_email = "pat@acme.example".into();
        let mut screen = ConfirmationScreen::default();
        fixture.run(|ctx| screen.on_enter(ctx));
        assert!(fixture.requests.is_empty(), "no Portal to ask");
        assert!(!screen.can_continue(&fixture.progress));
        screen.entry = guided::AccountEntry::default();
        let mut harness = Harness::new_ui_state(
            move |ui, fixture: &mut Fixture| {
                fixture.run(|ctx| screen.ui(ui, ctx));
            },
            fixture,
        );
        harness.get_by_label("Account Name").focus();
        harness
            .get_by_label("Account Name")
            .type_text(" Acme Boston ");
        harness.get_by_label("Account ID").focus();
        harness
            .get_by_label("Account ID")
            .type_text("Account ID 1000 002");
        harness.run();
        // Leaving the field shows what is wrong with it, by name.
        harness.key_press(egui::Key::Tab);
        harness.run();
        harness.get_by_label_contains("is not part of an Account ID");
        assert_eq!(harness.state().progress.account_id, "", "nothing saved");
    }
}
