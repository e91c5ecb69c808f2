//! The Directors view: every Director this program looks after, one row
//! each — its Hybrid state, name, build, last sync or last check, invalid
//! usernames "K of N", and what is wrong when something is — worst first.
//! A click opens that Director's status panel.

use egui::{RichText, Ui};

use crate::domain::alarm::{AlarmState, ago};
use crate::domain::metrics::{DirectorReading, worst_first};
use crate::ui::widgets::{self, Tone};

/// What the view asks of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectorsAction {
    Back,
    /// Open the Director at this index of the list (0 is the current one).
    Open(usize),
    /// Add a Director: the setup for a new one.
    Add,
    /// Take the Director at this index off the list (never the open one).
    Remove(usize),
}

/// With more Directors than this, the view offers a filter.
const FILTER_FROM: usize = 6;

/// What the view keeps between frames.
#[derive(Debug, Default)]
pub struct DirectorsView {
    /// "Remove…" was clicked on this row: it asks before removing.
    confirm_remove: Option<usize>,
    /// Only rows whose name or words contain this (any case) are shown.
    filter: String,
}

/// The row matches the filter: its name, its sentence or what is wrong
/// contain `filter`, in any case (an empty filter matches all).
pub fn matches(filter: &str, r: &DirectorReading, text: &str) -> bool {
    let filter = filter.trim().to_lowercase();
    filter.is_empty()
        || [r.name.as_str(), text, r.summary.as_str()]
            .iter()
            .any(|field| field.to_lowercase().contains(&filter))
}

/// The state a row shows: down is "unknown" with its reason beside it.
fn shown_state(r: &DirectorReading) -> AlarmState {
    if r.up { r.state } else { AlarmState::Unknown }
}

/// The row's sentence for screen readers and the eye.
pub fn row_text(r: &DirectorReading, now_secs: f64) -> String {
    let mut parts = vec![match (r.up, r.state) {
        (false, _) => "cannot be read".to_string(),
        (true, state) => state.headline().to_string(),
    }];
    if let Some(build) = &r.build {
        parts.push(format!("build {build}"));
    }
    match (r.last_sync, r.polled_at) {
        (Some(at), _) => parts.push(format!(
            "last sync {}",
            ago((now_secs - at).max(0.0) as u64)
        )),
        (None, Some(at)) => parts.push(format!("checked {}", ago((now_secs - at).max(0.0) as u64))),
        _ => {}
    }
    if let (Some(invalid), Some(total)) = (r.invalid_usernames, r.users) {
        parts.push(format!(
            "{invalid} of {total} client usernames would fail Connect Sync"
        ));
    }
    parts.join(" · ")
}

impl DirectorsView {
    /// Draws the list; `readings[0]` is the current Director.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        readings: &[DirectorReading],
        now_secs: f64,
    ) -> Option<DirectorsAction> {
        let mut action = None;
        ui.horizontal_wrapped(|ui| {
            if ui.button("Back to status").on_hover_text("Esc").clicked() {
                action = Some(DirectorsAction::Back);
            }
            widgets::page_title(ui, "Directors");
            if ui.button("Add Director…").clicked() {
                action = Some(DirectorsAction::Add);
            }
        });
        ui.label(format!(
        "{} Directors, the ones needing attention first. Each is read every poll; click one to open its status.",
        readings.len()
    ));
        if readings.len() > FILTER_FROM {
            ui.horizontal(|ui| {
                let label = ui.label("Filter");
                ui.add(
                    egui::TextEdit::singleline(&mut self.filter)
                        .hint_text("name, state or words of an alert")
                        .desired_width(widgets::FIELD_WIDTH.min(ui.available_width())),
                )
                .labelled_by(label.id);
            });
        }
        ui.separator();
        let mut shown = 0;
        for index in worst_first(readings) {
            let r = &readings[index];
            let state = shown_state(r);
            let text = row_text(r, now_secs);
            if !matches(&self.filter, r, &text) {
                continue;
            }
            shown += 1;
            let clicked = ui
                .horizontal_wrapped(|ui| {
                    let icon = widgets::state_icon(ui, state, 28.0, &format!("{}: {text}", r.name));
                    let mut name = RichText::new(&r.name).strong();
                    if index == 0 {
                        name = name.italics();
                    }
                    let open = ui.link(name).on_hover_text("Open its status");
                    if index == 0 {
                        ui.label(RichText::new("(open now)").weak());
                    }
                    ui.label(RichText::new(&text).color(widgets::state_text_color(ui, state)));
                    if index > 0 {
                        let name = r.name.clone();
                        let remove = ui
                        .small_button("Remove…")
                        .on_hover_text("Take it off this list")
                        // Said with its name: one "Remove…" per row.
                        ;
                        remove.widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::Button,
                                true,
                                format!("Remove {name}…"),
                            )
                        });
                        if remove.clicked() {
                            self.confirm_remove = Some(index);
                        }
                    }
                    icon.clicked() || open.clicked()
                })
                .inner;
            if self.confirm_remove == Some(index) {
                ui.indent(("remove", index), |ui| {
                widgets::note(
                    ui,
                    &format!(
                        "Remove {} from this list? Its saved password is forgotten from the keyring. \
                         Nothing on the Director changes, and you can add it again with Add Director….",
                        r.name
                    ),
                    Tone::Warning,
                );
                ui.horizontal(|ui| {
                    if ui.button("Remove it").clicked() {
                        self.confirm_remove = None;
                        action = Some(DirectorsAction::Remove(index));
                    }
                    if ui.button("Keep it").clicked() {
                        self.confirm_remove = None;
                    }
                });
            });
            }
            // What is wrong, or — for a real Director, whose alarm cannot be
            // read — where its alarm is to be seen.
            let tone = match (r.up, r.state) {
                (false, _) => Some(Tone::Warning),
                (true, AlarmState::Red | AlarmState::Stale) => Some(Tone::Bad),
                (true, AlarmState::Unknown) => Some(Tone::Muted),
                (true, AlarmState::Green) => None,
            };
            if let Some(tone) = tone.filter(|_| !r.summary.is_empty()) {
                ui.indent(("why", index), |ui| widgets::note(ui, &r.summary, tone));
            }
            ui.add_space(4.0);
            if clicked {
                action = Some(DirectorsAction::Open(index));
            }
        }
        if shown < readings.len() {
            ui.label(
                RichText::new(format!(
                    "{shown} of {} Directors match \"{}\".",
                    readings.len(),
                    self.filter.trim()
                ))
                .weak(),
            );
        }
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_says_its_state_sync_and_count() {
        let r = DirectorReading {
            up: true,
            state: AlarmState::Green,
            last_sync: Some(1000.0),
            invalid_usernames: Some(3),
            users: Some(250),
            build: Some("21.90.9743.0".into()),
            ..DirectorReading::not_polled("hq")
        };
        let text = row_text(&r, 1120.0);
        assert!(text.contains("build 21.90.9743.0"), "{text}");
        assert!(text.contains("last sync 2 min ago"), "{text}");
        assert!(
            text.contains("3 of 250 client usernames would fail Connect Sync"),
            "{text}"
        );
        let down = DirectorReading {
            polled_at: Some(1100.0),
            ..DirectorReading::not_polled("branch")
        };
        assert!(row_text(&down, 1120.0).starts_with("cannot be read · checked 20 s ago"));
    }

    fn reading(name: &str, state: AlarmState, summary: &str) -> DirectorReading {
        DirectorReading {
            up: true,
            state,
            summary: summary.into(),
            polled_at: Some(1000.0),
            ..DirectorReading::not_polled(name)
        }
    }

    #[test]
    fn the_filter_matches_name_state_and_alert_in_any_case() {
        let red = reading("branch-7", AlarmState::Red, "the Portal rejected the Token");
        let text = row_text(&red, 1000.0);
        for filter in ["", "  ", "BRANCH", "alert", "token", "rejected"] {
            assert!(matches(filter, &red, &text), "{filter:?}");
        }
        assert!(!matches("hq", &red, &text));
    }

    /// Many Directors: a filter, and the count of those it shows.
    #[test]
    fn many_directors_can_be_filtered() {
        use egui_kittest::Harness;
        use egui_kittest::kittest::Queryable;
        let readings: Vec<DirectorReading> = (0..12)
            .map(|i| {
                let state = if i == 5 {
                    AlarmState::Red
                } else {
                    AlarmState::Green
                };
                reading(&format!("site-{i:02}"), state, "")
            })
            .collect();
        let mut view = DirectorsView::default();
        let mut harness = Harness::new_ui(move |ui| {
            view.show(ui, &readings, 1000.0);
        });
        harness.run();
        assert!(harness.query_by_label("site-11").is_some());
        harness.get_by_label("Filter").click();
        harness.run();
        harness.get_by_label("Filter").type_text("SITE-0");
        harness.run();
        assert!(harness.query_by_label("site-03").is_some());
        assert!(harness.query_by_label("site-11").is_none(), "filtered out");
        assert!(
            harness
                .query_by_label_contains("10 of 12 Directors match")
                .is_some()
        );
    }
}
