//! Step 4: the Connect Confirmation — Account Name and Account ID, "Check
//! your email", and the welcome email itself where the server keeps one.

use egui::{RichText, Ui};

use super::app::Ctx;
use super::backend::Event;
use super::widgets;
use crate::contract::Email;
use crate::net::ApiError;

#[derive(Default)]
pub struct ConfirmationScreen {
    email: Option<Email>,
    /// The server has no outbox (a real Portal sends real email).
    no_outbox: bool,
    error: Option<ApiError>,
    asked: bool,
}

impl ConfirmationScreen {
    pub fn on_enter(&mut self, ctx: &mut Ctx<'_>) {
        if !self.asked && !ctx.progress.portal_email.is_empty() {
            self.asked = true;
            ctx.backend.fetch_outbox(ctx.progress.portal_email.clone());
        }
    }

    pub fn on_event(&mut self, event: &Event) {
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
    }

    pub fn show(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        ui.heading("Connect Confirmation");
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
            ctx.backend.fetch_outbox(ctx.progress.portal_email.clone());
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
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Looking for the welcome email…");
                });
            }
        }
    }
}
