//! The Alerts view, like Director's Alerts page: Time, Severity, Source and
//! the Description — wrapped, never off to the right — with a copy button
//! and the troubleshooting guidance for each alert.

use egui::{RichText, Ui};

use crate::contract::{Alert, Severity};
use crate::domain::alarm::format_utc;
use crate::service::troubleshooting;
use crate::ui::widgets::{self, Tone, tone_color};

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
    ui.horizontal_wrapped(|ui| {
        if ui.button("Back to status").on_hover_text("Esc").clicked() {
            action = Some(AlertsAction::Back);
        }
        widgets::page_title(ui, "Hybrid alerts");
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
    let columns = TIME_WIDTH + SEVERITY_WIDTH + SOURCE_WIDTH + ACTIONS_WIDTH;
    let description_width = ui.available_width() - columns - 5.0 * ui.spacing().item_spacing.x;
    // Zoomed in or narrow: each alert as a block, nothing off to the right.
    let stacked = description_width < MIN_DESCRIPTION_WIDTH;
    if !stacked {
        // Top-aligned like the rows: a centred first cell of unknown
        // height sat 4 px above the others.
        ui.horizontal_top(|ui| {
            cell(ui, TIME_WIDTH, |ui| ui.strong("Time"));
            cell(ui, SEVERITY_WIDTH, |ui| ui.strong("Severity"));
            cell(ui, SOURCE_WIDTH, |ui| ui.strong("Source"));
            cell(ui, description_width, |ui| ui.strong("Description"));
        });
    }
    // The rows scroll with the window's page.
    for alert in alerts {
        let chosen = if stacked {
            block(ui, alert)
        } else {
            row(ui, alert, description_width)
        };
        if let Some(a) = chosen {
            action = Some(a);
        }
        ui.separator();
    }
    action
}

/// The Description column is at least this wide, else the view stacks.
const MIN_DESCRIPTION_WIDTH: f32 = 200.0;

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

/// How an alert is shown: its severity's word and colour, and its text
/// dimmed once cleared.
struct Look {
    severity: &'static str,
    color: egui::Color32,
    weak: bool,
}

impl Look {
    fn of(ui: &Ui, alert: &Alert) -> Self {
        let (severity, tone) = match alert.severity {
            Severity::Critical => ("Critical", Tone::Bad),
            Severity::Warning => ("Warning", Tone::Warning),
            Severity::Info => ("Info", Tone::Muted),
        };
        Look {
            severity,
            color: tone_color(ui, tone),
            weak: !alert.active,
        }
    }

    fn text(&self, s: impl Into<String>) -> RichText {
        let text = RichText::new(s.into());
        if self.weak { text.weak() } else { text }
    }

    fn severity(&self) -> RichText {
        if self.weak {
            RichText::new(self.severity).weak()
        } else {
            RichText::new(self.severity).color(self.color).strong()
        }
    }
}

fn row(ui: &mut Ui, alert: &Alert, description_width: f32) -> Option<AlertsAction> {
    let look = Look::of(ui, alert);
    let mut action = None;
    ui.horizontal_top(|ui| {
        cell(ui, TIME_WIDTH, |ui| {
            ui.label(look.text(format_utc(alert.time)));
            cleared(ui, alert);
        });
        cell(ui, SEVERITY_WIDTH, |ui| ui.label(look.severity()));
        cell(ui, SOURCE_WIDTH, |ui| {
            ui.label(look.text(alert.source.clone()))
        });
        cell(ui, description_width, |ui| {
            action = description(ui, alert, &look);
        });
        cell(ui, ACTIONS_WIDTH, |ui| copy_button(ui, alert, &look));
    });
    action
}

/// One alert as a block: time, severity and source on a line, then the
/// Description and what to do.
fn block(ui: &mut Ui, alert: &Alert) -> Option<AlertsAction> {
    let look = Look::of(ui, alert);
    ui.horizontal_wrapped(|ui| {
        ui.label(look.text(format_utc(alert.time)));
        ui.label(look.severity());
        ui.label(look.text(alert.source.clone()));
    });
    cleared(ui, alert);
    let action = description(ui, alert, &look);
    copy_button(ui, alert, &look);
    action
}

fn cleared(ui: &mut Ui, alert: &Alert) {
    if let Some(cleared) = alert.cleared_at {
        ui.label(
            RichText::new(format!("cleared {}", format_utc(cleared)))
                .small()
                .weak(),
        );
    }
}

/// The Description, wrapped, and the troubleshooting guidance under it.
fn description(ui: &mut Ui, alert: &Alert, look: &Look) -> Option<AlertsAction> {
    let mut action = None;
    ui.add(egui::Label::new(look.text(alert.description.clone())).wrap());
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
    action
}

fn copy_button(ui: &mut Ui, alert: &Alert, look: &Look) {
    if ui
        .button("Copy")
        .on_hover_text("Copy this alert's text")
        .clicked()
    {
        ui.ctx().copy_text(format!(
            "{}\t{}\t{}\t{}",
            format_utc(alert.time),
            look.severity,
            alert.source,
            alert.description
        ));
    }
}
