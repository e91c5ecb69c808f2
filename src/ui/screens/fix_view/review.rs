//! The review table of the fix view, the one a person reads before anything
//! is written and after: User | Field | Before → After | Status, as GCDS's
//! simulated-sync report and Entra Connect's "Ready to configure" page show
//! a change per object. The same table shows a fix's preview, an undo's
//! plan and either's result; the rows are built here from what the domain
//! and the service said (pure, tested), and drawn by [`table`].

use std::collections::HashMap;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::domain::fix::{Change, Preview};
use crate::domain::undo::UndoPlan;
use crate::service::fix::{Outcome, Report};
use crate::ui::widgets::{self, Tone};

/// What becomes (or became) of one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Will be written.
    Change,
    /// Will not be written, with why.
    Refused(String),
    /// Written and read back.
    Applied,
    AlreadyDone,
    Failed(String),
    NotRun,
}

impl Status {
    pub fn word(&self) -> &'static str {
        match self {
            Status::Change => "will change",
            Status::Refused(_) => "refused",
            Status::Applied => "changed",
            Status::AlreadyDone => "already so",
            Status::Failed(_) => "failed",
            Status::NotRun => "not reached",
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Status::Refused(why) | Status::Failed(why) => Some(why),
            Status::NotRun => Some("the run stopped first; run it again to finish"),
            _ => None,
        }
    }

    pub fn tone(&self) -> Tone {
        match self {
            Status::Change => Tone::Warning,
            Status::Applied | Status::AlreadyDone => Tone::Good,
            Status::Refused(_) | Status::Failed(_) => Tone::Bad,
            Status::NotRun => Tone::Muted,
        }
    }

    /// Rows a person has to look at: what will not be (or was not) made.
    pub fn is_trouble(&self) -> bool {
        matches!(
            self,
            Status::Refused(_) | Status::Failed(_) | Status::NotRun
        )
    }
}

/// One change as the table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The user's name where it is known, else the user DN.
    pub user: String,
    pub user_dn: String,
    pub field: &'static str,
    pub before: String,
    pub after: String,
    pub status: Status,
}

/// User DN → "First Last", for the User column.
pub type Names = HashMap<String, String>;

fn row(names: &Names, change: &Change, status: Status) -> Row {
    Row {
        user: names
            .get(&change.user_dn)
            .filter(|n| !n.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| change.user_dn.clone()),
        user_dn: change.user_dn.clone(),
        field: change.field.label(),
        before: change.old.clone(),
        after: change.new.clone(),
        status,
    }
}

/// Changes judged before a write (`None`: will be made; `Some(why)`: not),
/// what will change first.
fn of_judged<'a>(
    judged: impl Iterator<Item = (&'a Change, Option<&'a String>)>,
    names: &Names,
) -> Vec<Row> {
    let mut rows: Vec<Row> = judged
        .map(|(change, why)| {
            let status = match why {
                None => Status::Change,
                Some(why) => Status::Refused(why.clone()),
            };
            row(names, change, status)
        })
        .collect();
    rows.sort_by_key(|r| r.status.is_trouble());
    rows
}

/// A fix's preview: what will change first, then what is refused.
pub fn of_preview(preview: &Preview, names: &Names) -> Vec<Row> {
    of_judged(
        preview.rows.iter().map(|r| (&r.change, r.refused.as_ref())),
        names,
    )
}

/// An undo's plan: Director's value now → the value put back; users changed
/// since the fix are left alone, with why.
pub fn of_undo(plan: &UndoPlan, names: &Names) -> Vec<Row> {
    of_judged(
        plan.rows.iter().map(|r| (&r.change, r.left_alone.as_ref())),
        names,
    )
}

/// A run's result: trouble first, so it is not missed under the rest.
pub fn of_report(report: &Report, names: &Names) -> Vec<Row> {
    let mut rows: Vec<Row> = report
        .results
        .iter()
        .map(|(change, outcome)| {
            let status = match outcome {
                Outcome::Applied => Status::Applied,
                Outcome::AlreadyDone => Status::AlreadyDone,
                Outcome::Refused(why) => Status::Refused(why.clone()),
                Outcome::Failed(why) => Status::Failed(why.clone()),
                Outcome::NotRun => Status::NotRun,
            };
            row(names, change, status)
        })
        .collect();
    rows.sort_by_key(|r| !r.status.is_trouble());
    rows
}

/// The table's height for one row without a reason, and with one.
const ROW: f32 = 24.0;
const ROW_WITH_REASON: f32 = 42.0;

/// Draws `rows` (only the trouble ones with `only_trouble`) as the review
/// table; long values are cut with "…" and shown whole on hover, and each
/// cell's accessible name is its whole text. The rows scroll within
/// `height`.
pub fn table(ui: &mut Ui, id: &str, rows: &[Row], only_trouble: bool, height: f32) {
    let shown: Vec<&Row> = rows
        .iter()
        .filter(|r| !only_trouble || r.status.is_trouble())
        .collect();
    if shown.is_empty() {
        widgets::notice(ui, Tone::Muted, "No rows to show.");
        return;
    }
    let width = ui.available_width();
    // Zoomed in or narrow: each change as a block, every word wrapped.
    if width < TABLE_WIDTH {
        for r in shown {
            block(ui, r);
            ui.separator();
        }
        return;
    }
    let user_width = (width * 0.18).clamp(90.0, 200.0);
    let field_width = 110.0;
    // Room for reasons where there are some; the values get the rest.
    let status_width = if shown.iter().any(|r| r.status.reason().is_some()) {
        (width * 0.28).clamp(140.0, 320.0)
    } else {
        110.0
    };
    ui.push_id(id, |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .max_scroll_height(height)
            .min_scrolled_height(height.min(200.0))
            .column(Column::exact(user_width).clip(true))
            .column(Column::exact(field_width).clip(true))
            .column(Column::remainder().at_least(220.0).clip(true))
            .column(Column::exact(status_width).clip(true))
            .header(ROW, |mut header| {
                for title in ["User", "Field", "Before and after", "Status"] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                let heights = shown.iter().map(|r| {
                    if r.status.reason().is_some() {
                        ROW_WITH_REASON
                    } else {
                        ROW
                    }
                });
                body.heterogeneous_rows(heights, |mut table_row| {
                    let r = shown[table_row.index()];
                    table_row.col(|ui| {
                        ui.add(egui::Label::new(&r.user).truncate())
                            .on_hover_text(format!("user_dn {}", r.user_dn));
                    });
                    table_row.col(|ui| {
                        ui.add(egui::Label::new(r.field).truncate());
                    });
                    table_row.col(|ui| before_after(ui, r));
                    table_row.col(|ui| status_cell(ui, &r.status));
                });
            });
    });
}

/// Below this width the table's columns cannot show their words.
const TABLE_WIDTH: f32 = 700.0;

/// One change as a block: who and which field, before and after, status.
fn block(ui: &mut Ui, r: &Row) {
    ui.label(RichText::new(format!("{} — {}", r.user, r.field)).strong());
    let shown = |text: &str| {
        if text.is_empty() {
            "(empty)".to_string()
        } else {
            crate::domain::text::printable(text).into_owned()
        }
    };
    ui.label(format!("Before: {}", shown(&r.before)));
    ui.label(format!("After: {}", shown(&r.after)));
    let color = widgets::tone_color(ui, r.status.tone());
    ui.label(RichText::new(r.status.word()).strong().color(color));
    if let Some(why) = r.status.reason() {
        ui.label(why);
    }
}

/// `before → after`, the new value marked: strong when it will be (or
/// was) written, plain otherwise.
fn before_after(ui: &mut Ui, r: &Row) {
    let shown = |text: &str| {
        if text.is_empty() {
            "(empty)".to_string()
        } else {
            crate::domain::text::printable(text).into_owned()
        }
    };
    let (before, after) = (shown(&r.before), shown(&r.after));
    let written = matches!(
        r.status,
        Status::Change | Status::Applied | Status::AlreadyDone
    );
    let after_text = if written {
        RichText::new(&after)
            .strong()
            .color(widgets::tone_color(ui, r.status.tone()))
    } else {
        RichText::new(&after)
    };
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        // Each value gets room in proportion to its length.
        let (b, a) = (before.chars().count() as f32, after.chars().count() as f32);
        let share = (b / (a + b).max(1.0)).clamp(0.3, 0.7);
        let room = ((ui.available_width() - 24.0) * share).max(60.0);
        ui.scope(|ui| {
            ui.set_max_width(room);
            ui.add(egui::Label::new(RichText::new(&before).weak()).truncate())
                .on_hover_text(format!("Before: {before}"));
        });
        arrow(ui);
        ui.add(egui::Label::new(after_text).truncate())
            .on_hover_text(format!("After: {after}"));
    });
}

/// A right arrow between the two values, drawn (not every font has "→").
fn arrow(ui: &mut Ui) {
    let size = egui::vec2(18.0, ui.text_style_height(&egui::TextStyle::Body));
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let color = ui.visuals().text_color();
    let (y, left, right) = (rect.center().y, rect.left() + 2.0, rect.right() - 2.0);
    let stroke = egui::Stroke::new(1.5, color);
    ui.painter()
        .line_segment([egui::pos2(left, y), egui::pos2(right, y)], stroke);
    ui.painter().line_segment(
        [egui::pos2(right - 5.0, y - 4.0), egui::pos2(right, y)],
        stroke,
    );
    ui.painter().line_segment(
        [egui::pos2(right - 5.0, y + 4.0), egui::pos2(right, y)],
        stroke,
    );
}

fn status_cell(ui: &mut Ui, status: &Status) {
    ui.vertical(|ui| {
        ui.spacing_mut().item_spacing.y = 0.0;
        let color = widgets::tone_color(ui, status.tone());
        ui.label(RichText::new(status.word()).strong().color(color));
        if let Some(why) = status.reason() {
            ui.add(egui::Label::new(why).truncate()).on_hover_text(why);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fix::{FixField, PreviewRow};

    fn change(dn: &str, old: &str, new: &str) -> Change {
        Change {
            user_dn: dn.into(),
            field: FixField::ClientUsername,
            old: old.into(),
            new: new.into(),
        }
    }

    #[test]
    fn a_preview_lists_what_changes_first_and_names_users() {
        let preview = Preview {
            rows: vec![
                PreviewRow {
                    change: change("1", "a", "a@x.example"),
                    refused: Some("duplicate".into()),
                },
                PreviewRow {
                    change: change("2", "b", "b@x.example"),
                    refused: None,
                },
            ],
            ..Default::default()
        };
        let names = Names::from([("2".to_string(), "Bo Ray".to_string())]);
        let rows = of_preview(&preview, &names);
        assert_eq!(rows[0].user, "Bo Ray");
        assert_eq!(rows[0].status, Status::Change);
        assert_eq!(rows[1].user, "1", "no name known: the DN");
        assert_eq!(rows[1].status.reason(), Some("duplicate"));
    }

    #[test]
    fn a_result_lists_trouble_first() {
        let report = Report {
            results: vec![
                (change("1", "a", "a@x.example"), Outcome::Applied),
                (change("2", "b", "b@x.example"), Outcome::NotRun),
                (
                    change("3", "c", "c@x.example"),
                    Outcome::Failed("kept".into()),
                ),
            ],
            ..Default::default()
        };
        let rows = of_report(&report, &Names::new());
        let words: Vec<&str> = rows.iter().map(|r| r.status.word()).collect();
        assert_eq!(words, ["not reached", "failed", "changed"]);
        assert!(rows[..2].iter().all(|r| r.status.is_trouble()));
    }
}
