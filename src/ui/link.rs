//! Step 2: Director's Hybrid > Synchronization page starts with the
//! "Connect account link"; an admin who already has an account skips ahead.

use egui::{RichText, Ui};

use super::app::Ctx;
use crate::domain::wizard::Step;

/// What the admin chose; `None` while undecided.
pub fn show(ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
    ui.heading("Link Director to a Connect HYBRID account");
    ui.label(
        "In Director this is Administration > System > Hybrid > Synchronization. Syncing users needs a \
         Connect HYBRID account in the Connect Portal: register one now, or use the one you have.",
    );
    ui.add_space(12.0);
    let mut choice = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new("New to Connect HYBRID?").strong());
        ui.label("Register an account. You need a unique Company Name and a unique, valid Business Email.");
        if ui.button("Connect account link").clicked() {
            ctx.progress.has_account = false;
            choice = Some(Step::Register);
        }
    });
    ui.add_space(8.0);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new("Already registered?").strong());
        ui.label("Go straight to entering the Account ID and Token from the welcome email or the Portal.");
        if ui.button("I already have an account").clicked() {
            ctx.progress.has_account = true;
            choice = Some(Step::Credentials);
        }
    });
    choice
}
