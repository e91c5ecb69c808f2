//! The status panel for a real Director, said honestly: its Hybrid alarm is
//! on Director's alarm bar, which no known interface shows, so this panel
//! watches what can be read — Director reachable and the sign-in accepted,
//! its build, and username drift (users read again on a schedule and counted
//! under the saved options) — and never says "Connect Sync healthy".

use std::time::Duration;

use egui::{RichText, Ui};

use crate::client::http::ApiError;
use crate::domain::alarm::{self, AlarmState, Status};
use crate::domain::drift::{ALARM_ELSEWHERE, Watched};
use crate::domain::wizard::CHECK_USERS_EVERY_RANGE;
use crate::service::drift_watch::{DriftEvent, DriftSnapshot};
use crate::ui::screen::Ctx;
use crate::ui::screens::guided;
use crate::ui::tasks::{Event, Request};
use crate::ui::widgets::{self, Tone};

#[derive(Default)]
pub struct WebStatus {
    snapshot: Option<DriftSnapshot>,
    /// Users being read: `done` of `total`.
    reading: Option<(u64, u64)>,
    needs_password: bool,
    password: String,
    /// The interval the running watch uses, in minutes.
    running_every: Option<u32>,
}

impl WebStatus {
    pub fn on_event(&mut self, event: &Event) {
        let Event::Drift(event) = event else { return };
        match event {
            DriftEvent::Progress { done, total } => self.reading = Some((*done, *total)),
            DriftEvent::Changed(snapshot) => {
                self.reading = None;
                self.needs_password = false;
                self.snapshot = Some((**snapshot).clone());
            }
            DriftEvent::NeedsPassword => self.needs_password = true,
            DriftEvent::Notify(_) => {}
        }
    }

    pub fn started(&mut self, every_minutes: u32) {
        self.running_every = Some(every_minutes);
    }

    pub fn status(&self) -> Status {
        match &self.snapshot {
            Some(snapshot) => snapshot.status.clone(),
            None => Status {
                state: AlarmState::Unknown,
                summary: "reading Director…".into(),
            },
        }
    }

    /// The headline, for the panel and the window title.
    pub fn headline(&self) -> String {
        match self.snapshot.as_ref().map(|s| &s.watched) {
            None => "Reading Director…".into(),
            Some(Watched::Read(r)) if r.invalid == 0 => "No username problems in Director".into(),
            Some(Watched::Read(r)) => format!(
                "{} client username{} would fail Connect Sync",
                r.invalid,
                if r.invalid == 1 { "" } else { "s" }
            ),
            Some(Watched::Refused(_)) => "Director refused the sign-in".into(),
            Some(Watched::Unreachable(_)) => "Director cannot be read".into(),
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        ui.heading("Connect Sync status");
        ui.add_space(8.0);
        let status = self.status();
        ui.horizontal(|ui| {
            let spoken = format!("{} — {}", self.headline(), status.summary);
            widgets::hybrid_icon(ui, status.state, 96.0, &spoken);
            ui.add_space(12.0);
            ui.vertical(|ui| {
                ui.label(
                    RichText::new(self.headline())
                        .size(24.0)
                        .strong()
                        .color(widgets::state_text_color(ui, status.state)),
                );
                ui.add(egui::Label::new(RichText::new(&status.summary).size(16.0)).wrap());
                if let Some(Watched::Read(r)) = self.snapshot.as_ref().map(|s| &s.watched) {
                    widgets::invalid_count(ui, r.invalid as u64, r.total as u64);
                    for name in &r.examples {
                        ui.label(format!("• {name}"));
                    }
                }
                ui.label(ctx.progress.account_line());
            });
        });
        ui.add_space(4.0);
        widgets::note(
            ui,
            &format!(
                "{ALARM_ELSEWHERE}. This program cannot read Director's Hybrid icon or its alerts: \
                 look there for green. If it is red, double-click it to open the Alerts page."
            ),
            Tone::Muted,
        );
        let home = guided::director_home(ctx.shared);
        guided::open_button(ui, ctx.shared, "Open Director", &home);
        let refused = self
            .snapshot
            .as_ref()
            .is_some_and(|s| matches!(s.error, Some(ApiError::Unauthorized { .. })));
        if (self.needs_password || refused)
            && super::status_panel::director_sign_in(ui, ctx, &mut self.password, "read its users")
        {
            self.needs_password = false;
        }
        self.checking(ui, ctx);
        if let Some(guide) = crate::service::troubleshooting::section("real_director") {
            egui::CollapsingHeader::new("What to do").show(ui, |ui| {
                ui.add(egui::Label::new(guide).wrap());
            });
        }
    }

    /// "Check now", the reading in progress, and how often users are read.
    fn checking(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        ui.horizontal_wrapped(|ui| {
            if ui.button("Check now").clicked() {
                ctx.request(Request::CheckNow);
            }
            if let Some((done, total)) = self.reading {
                ui.spinner();
                ui.label(format!("Reading users: {done} of {total}"));
            } else if let Some(s) = &self.snapshot {
                ui.label(
                    RichText::new(format!(
                        "checked {} ago",
                        alarm::human_duration(s.checked_at.elapsed().as_secs())
                    ))
                    .weak(),
                );
            }
        });
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Read the users again every");
            let shown = (ctx.progress.check_users_every().as_secs() / 60).max(1) as u32;
            let mut minutes = shown;
            let response = ui
                .add(egui::DragValue::new(&mut minutes).range(CHECK_USERS_EVERY_RANGE))
                .labelled_by(label.id);
            ui.label("minutes");
            if minutes != shown {
                // Chosen here: minutes rule, not `--check-every`'s seconds.
                ctx.progress.check_users_every_minutes = minutes;
                ctx.progress.check_every_seconds = 0;
            }
            // Restarted once the value settles, not on every drag step.
            let settled = !response.dragged() && !response.has_focus();
            if settled && self.running_every.is_some_and(|m| m != minutes) {
                self.running_every = Some(minutes);
                ctx.request(Request::StopMonitor);
                ctx.request(Request::StartMonitor);
            }
        });
        // "checked 3 min ago" ages by itself.
        ui.ctx().request_repaint_after(Duration::from_secs(60));
    }
}
