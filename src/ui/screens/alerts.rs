//! The Alerts view, like Director's Alerts page: Time, Severity, Source and
//! the Description — wrapped, never off to the right — with a copy button
//! and the troubleshooting guidance for each alert.

use egui::{RichText, Ui};

use crate::contract::{Alert, Severity};
use crate::domain::alarm::format_utc;
use crate::service::troubleshooting;
use crate::ui::widgets::{Tone, tone_color};

const TIME_WIDTH: f32 = 160.0;
const SEVERITY_WIDTH: f32 = 70.0;
const SOURCE_WIDTH: f32 = 60.0;
const ACTIONS_WIDTH: f32 = 70.0;

/// What the view asks of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertsAction {
    Back,
    OpenGuide(&'static str),
}

pub fn show(ui: &mut Ui, alerts: &[Alert]) -> Option<AlertsAction> {
    let mut action = None;
    ui.horizontal(|ui| {
        if ui.button("Back to status").on_hover_text("Esc").clicked() {
            action = Some(AlertsAction::Back);
        }
        ui.heading("Hybrid alerts");
    });
    let active = alerts.iter().filter(|a| a.active).count();
    ui.label(format!(
        "{active} active, {} in all, newest first.",
        alerts.len()
    ));
    ui.separator();
    if alerts.is_empty() {
        ui.label("No Hybrid alerts: Connect Sync has not reported a problem.");
        return action;
    }
    let description_width = (ui.available_width()
        - TIME_WIDTH
        - SEVERITY_WIDTH
        - SOURCE_WIDTH
        - ACTIONS_WIDTH
        - 5.0 * ui.spacing().item_spacing.x)
        .max(200.0);
    ui.horizontal(|ui| {
        cell(ui, TIME_WIDTH, |ui| ui.strong("Time"));
        cell(ui, SEVERITY_WIDTH, |ui| ui.strong("Severity"));
        cell(ui, SOURCE_WIDTH, |ui| ui.strong("Source"));
        cell(ui, description_width, |ui| ui.strong("Description"));
    });
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for alert in alerts {
                if let Some(a) = row(ui, alert, description_width) {
                    action = Some(a);
                }
                ui.separator();
            }
        });
    action
}

/// A fixed-width column whose contents stack top to bottom.
fn cell<R>(ui: &mut Ui, width: f32, add: impl FnOnce(&mut Ui) -> R) -> R {
    ui.allocate_ui_with_layout(
        egui::vec2(width, 0.0),
        egui::Layout::top_down(egui::Align::Min),
        |ui| {
            ui.set_width(width);
            add(ui)
        },
    )
    .inner
}

fn row(ui: &mut Ui, alert: &Alert, description_width: f32) -> Option<AlertsAction> {
    let mut action = None;
    let (severity, tone) = match alert.severity {
        Severity::Critical => ("Critical", Tone::Bad),
        Severity::Warning => ("Warning", Tone::Warning),
        Severity::Info => ("Info", Tone::Muted),
    };
    let color = tone_color(ui, tone);
    let weak = !alert.active;
    let text = |s: String| {
        if weak {
            RichText::new(s).weak()
        } else {
            RichText::new(s)
        }
    };
    ui.horizontal_top(|ui| {
        cell(ui, TIME_WIDTH, |ui| {
            ui.label(text(format_utc(alert.time)));
            if let Some(cleared) = alert.cleared_at {
                ui.label(
                    RichText::new(format!("cleared {}", format_utc(cleared)))
                        .small()
                        .weak(),
                );
            }
        });
        cell(ui, SEVERITY_WIDTH, |ui| {
            let label = if weak {
                RichText::new(severity).weak()
            } else {
                RichText::new(severity).color(color).strong()
            };
            ui.label(label);
        });
        cell(ui, SOURCE_WIDTH, |ui| ui.label(text(alert.source.clone())));
        cell(ui, description_width, |ui| {
            ui.add(egui::Label::new(text(alert.description.clone())).wrap());
            let anchor = troubleshooting::anchor_for_alert(alert.kind);
            if let Some(guide) = troubleshooting::section(anchor) {
                egui::CollapsingHeader::new("How to fix this")
                    .id_salt(("fix", alert.id))
                    .show(ui, |ui| {
                        ui.add(egui::Label::new(guide).wrap());
                        if ui.link("Open the troubleshooting guide").clicked() {
                            action = Some(AlertsAction::OpenGuide(anchor));
                        }
                    });
            }
        });
        cell(ui, ACTIONS_WIDTH, |ui| {
            if ui
                .button("Copy")
                .on_hover_text("Copy this alert's text")
                .clicked()
            {
                ui.ctx().copy_text(format!(
                    "{}\t{severity}\t{}\t{}",
                    format_utc(alert.time),
                    alert.source,
                    alert.description
                ));
            }
        });
    });
    action
}
