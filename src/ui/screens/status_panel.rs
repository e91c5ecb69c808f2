//! Step 8 and what the program stays as: the status panel. A large Hybrid
//! icon mirrors Director's alarm bar (plus amber for stale and grey for
//! unknown); clicking it, or Enter on it, opens the Alerts view.

use std::time::Duration;

use std::path::PathBuf;

use egui::{RichText, Ui};

use super::alerts::{self, AlertsAction};
use super::directors::{self, DirectorsAction};
use crate::client::http::ApiError;
use crate::domain::alarm::{self, AlarmState, Status};
use crate::domain::wizard::Step;
use crate::service::monitor::{MonitorEvent, Snapshot};
use crate::service::troubleshooting;
use crate::ui::screen::{Ctx, Screen};
use crate::ui::screens::panel_parts;
use crate::ui::screens::web_status::WebStatus;
use crate::ui::tasks::{Event, Request};
use crate::ui::widgets::{self, Tone};

#[derive(Default)]
pub struct StatusPanel {
    snapshot: Option<Snapshot>,
    show_alerts: bool,
    /// The Directors view instead of the panel.
    show_directors: bool,
    directors_view: directors::DirectorsView,
    /// Typed when Director asks for a sign-in (no password kept).
    password: String,
    /// Where the diagnostics went, or why they could not be saved.
    diagnostics_note: Option<Result<PathBuf, String>>,
    /// A real Director: what its web interface shows, instead of the alarm.
    guided: bool,
    web: WebStatus,
    settings: panel_parts::Settings,
    /// The state "What to do" was last opened or folded for.
    what_to_do_for: Option<AlarmState>,
}

impl Screen for StatusPanel {
    fn on_enter(&mut self, ctx: &mut Ctx<'_>) {
        self.guided = ctx.shared.guided();
        if self.guided {
            let every = ctx.progress.check_users_every().as_secs() / 60;
            self.web.started(every as u32);
        }
        ctx.request(Request::StartMonitor);
    }

    /// Leaving the panel stops polling.
    fn on_leave(&mut self, ctx: &mut Ctx<'_>) {
        ctx.request(Request::StopMonitor);
        self.show_alerts = false;
        self.show_directors = false;
    }

    fn can_continue(&self, _progress: &crate::domain::wizard::Progress) -> bool {
        false
    }

    fn on_event(&mut self, event: &Event, _ctx: &mut Ctx<'_>) -> Option<Step> {
        self.web.on_event(event);
        match event {
            Event::Monitor(MonitorEvent::Changed(snapshot)) => {
                self.snapshot = Some((**snapshot).clone());
            }
            Event::DiagnosticsSaved(result) => {
                self.diagnostics_note = result.clone().transpose();
            }
            _ => {}
        }
        None
    }

    /// Esc closes the Alerts or Directors view; the panel itself has no Back.
    fn on_escape(&mut self) -> bool {
        std::mem::take(&mut self.show_alerts) | std::mem::take(&mut self.show_directors)
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        self.show(ui, ctx)
    }
}

impl StatusPanel {
    /// The state as of now; Unknown until the first poll answers.
    pub fn status(&self) -> Status {
        if self.guided {
            return self.web.status();
        }
        self.snapshot.as_ref().map_or_else(
            || Status {
                state: AlarmState::Unknown,
                summary: "reading Director…".into(),
            },
            Snapshot::status_now,
        )
    }

    /// How long until a displayed duration changes (seconds under a minute,
    /// then whole minutes).
    fn next_text_change(&self) -> Duration {
        let Some(report) = self.snapshot.as_ref().and_then(Snapshot::report_now) else {
            return Duration::from_secs(60);
        };
        let mut ages = Vec::new();
        if let Some(at) = report.last_success_at {
            ages.push(report.now.saturating_sub(at));
        }
        if let Some(next) = report.next_sync_at {
            ages.push(next.saturating_sub(report.now));
        }
        let secs = ages
            .into_iter()
            .map(|age| if age < 60 { 1 } else { 60 - age % 60 })
            .min()
            .unwrap_or(60);
        Duration::from_secs(secs.max(1))
    }

    fn show(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        // "last sync 2 min ago" and "next in about 3 min" age by themselves:
        // repaint when the text would change, not every second.
        ui.ctx().request_repaint_after(self.next_text_change());
        if self.show_alerts {
            let alerts = self
                .snapshot
                .as_ref()
                .map(|s| s.alerts.as_slice())
                .unwrap_or_default();
            match alerts::show(ui, alerts) {
                Some(AlertsAction::Back) => self.show_alerts = false,
                Some(AlertsAction::OpenGuide(anchor)) => panel_parts::open_guide(ctx, anchor),
                None => {}
            }
            return None;
        }
        if self.show_directors {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            match self.directors_view.show(ui, &ctx.shared.directors, now) {
                Some(DirectorsAction::Back) | Some(DirectorsAction::Open(0)) => {
                    self.show_directors = false;
                }
                Some(action) => ctx.shared.directors_action = Some(action),
                None => {}
            }
            return None;
        }
        self.panel(ui, ctx)
    }

    /// Opens on the Directors view.
    pub fn open_directors(&mut self) {
        self.show_directors = true;
    }

    /// What the window title says.
    /// Opens on the Hybrid alerts (the notification-area icon's "Show alerts").
    pub fn open_alerts(&mut self) {
        self.show_alerts = true;
    }

    pub fn headline(&self) -> String {
        if self.guided {
            self.web.headline()
        } else {
            self.status().state.headline().to_string()
        }
    }

    /// The state first, then what to do about it, the actions, the next
    /// steps and the settings.
    fn panel(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        // Another Director's trouble first: not missed while this one is fine.
        panel_parts::others_need_attention(ui, ctx);
        let go = if self.guided {
            self.web.ui(ui, ctx)
        } else {
            self.contract_state(ui, ctx)
        };
        ui.separator();
        let go = self.actions(ui, ctx).or(go);
        ui.separator();
        panel_parts::next_steps(ui, ctx);
        ui.separator();
        self.settings.ui(ui, ctx);
        self.support(ui, ctx);
        go
    }

    /// A Director read through the status interface: its state, figures
    /// and what to do.
    fn contract_state(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        let status = self.status();
        widgets::page_title(ui, "Connect Sync status");
        ui.add_space(8.0);
        self.summary(ui, ctx, &status);
        ui.add_space(4.0);
        if self
            .snapshot
            .as_ref()
            .is_some_and(|s| matches!(s.error, Some(ApiError::Unauthorized { .. })))
        {
            panel_parts::director_sign_in(ui, ctx, &mut self.password, "read the sync status");
        }
        let go = self.what_to_do(ui, status.state);
        self.checking(ui, ctx);
        go
    }

    /// Open whenever the state is not green (folded again once it is): the
    /// fix as a button first, then the guide's words.
    fn what_to_do(&mut self, ui: &mut Ui, state: AlarmState) -> Option<Step> {
        let Some(snapshot) = &self.snapshot else {
            return None;
        };
        let active: Vec<_> = snapshot
            .alerts
            .iter()
            .filter(|a| a.active)
            .map(|a| a.kind)
            .collect();
        let (remedies, anchors) = troubleshooting::what_to_do(state, &active);
        if anchors.is_empty() {
            return None;
        }
        panel_parts::what_to_do(ui, &mut self.what_to_do_for, state, &anchors, |ui| {
            let mut go = None;
            for remedy in remedies {
                let (label, hover, step) = match remedy {
                    troubleshooting::Remedy::EnterTokenAgain => (
                        "Enter the Token again…",
                        "The Credentials step: the Account ID and Token, then save and sync again.",
                        Step::Credentials,
                    ),
                    troubleshooting::Remedy::ChangeUsernameFormat => (
                        "Change the username format…",
                        "The options of Director's Synchronization page, and every user under them.",
                        Step::UsernameFormat,
                    ),
                };
                if ui.button(label).on_hover_text(hover).clicked() {
                    go = Some(step);
                }
            }
            go
        })
        .flatten()
    }

    /// The icon, the headline and the numbers behind it.
    fn summary(&mut self, ui: &mut Ui, ctx: &Ctx<'_>, status: &Status) {
        let report = self.snapshot.as_ref().and_then(Snapshot::report_now);
        ui.horizontal(|ui| {
            let spoken = format!(
                "Connect Sync: {} — {}",
                status.state.label().to_lowercase(),
                status.summary
            );
            let icon = widgets::hybrid_icon(ui, status.state, 96.0, &spoken);
            if icon.clicked() || icon.double_clicked() {
                self.show_alerts = true;
            }
            ui.add_space(12.0);
            ui.vertical(|ui| {
                ui.label(
                    RichText::new(status.state.headline())
                        .size(24.0)
                        .strong()
                        .color(widgets::state_text_color(ui, status.state)),
                );
                let mut sentence = status.summary.clone();
                if let Some(r) = &report
                    && let Some(next) = r.next_sync_at
                    && status.state == AlarmState::Green
                {
                    let left = next.saturating_sub(r.now);
                    if left > 0 {
                        sentence
                            .push_str(&format!(", next in about {}", alarm::human_duration(left)));
                    }
                }
                ui.add(egui::Label::new(RichText::new(sentence).size(16.0)).wrap());
                if let Some(r) = &report {
                    figures(ui, r, status.state);
                }
                ui.label(ctx.progress.account_line());
            });
        });
    }

    /// The alerts button, "Check now" and how often Director is asked.
    fn checking(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        ui.horizontal_wrapped(|ui| {
            let active = self
                .snapshot
                .as_ref()
                .map_or(0, |s| s.alerts.iter().filter(|a| a.active).count());
            let label = match active {
                0 => "Show alerts".to_string(),
                1 => "Show the active alert".to_string(),
                n => format!("Show the {n} active alerts"),
            };
            if ui.button(label).clicked() {
                self.show_alerts = true;
            }
            if ui.button("Check now").clicked() {
                ctx.request(Request::CheckNow);
            }
            if let Some(s) = &self.snapshot {
                ui.label(
                    RichText::new(format!(
                        "Director is checked every {}",
                        alarm::human_duration(s.next_poll_in.as_secs())
                    ))
                    .weak(),
                );
            }
        });
    }

    /// Where to go from here.
    fn actions(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        let mut go = None;
        panel_parts::close_notice(ui, ctx);
        ui.horizontal_wrapped(|ui| {
            if ctx.shared.directors.len() > 1
                && ui
                    .button(format!("Directors ({})", ctx.shared.directors.len()))
                    .clicked()
            {
                self.show_directors = true;
            }
            if ui
                .button("Add Director…")
                .on_hover_text("Set up or watch another Director; this one stays in the list.")
                .clicked()
            {
                ctx.shared.directors_action = Some(DirectorsAction::Add);
            }
            if ui.button("Change the username format").clicked() {
                go = Some(Step::UsernameFormat);
            }
            if ui.button("Run the setup steps again").clicked() {
                go = Some(Step::Requirements);
            }
        });
        go
    }

    /// Diagnostics for support, with secrets removed.
    fn support(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Save diagnostics…")
                .on_hover_text("Version, settings, state and the recent log for support, with secrets removed.")
                .clicked()
            {
                ctx.request(Request::SaveDiagnostics {
                    settings_dir: ctx.shared.data_dir.clone(),
                    secrets: ctx.shared.token.iter().cloned().collect(),
                });
            }
        });
        match &self.diagnostics_note {
            Some(Ok(path)) => {
                ui.label(format!("Diagnostics saved to {}", path.display()));
            }
            Some(Err(e)) => {
                widgets::notice(ui, Tone::Bad, e);
            }
            None => {}
        }
    }
}

/// The figures behind the state; once stale they are the last sync's, and
/// say so ("at last sync, 17 min ago") in the muted colour, not green.
fn figures(ui: &mut Ui, report: &alarm::SyncReport, state: AlarmState) {
    let stale = matches!(state, AlarmState::Stale | AlarmState::Unknown);
    if !stale {
        widgets::invalid_count(ui, report.invalid_usernames, report.total_users);
        ui.label(format!(
            "Users synced to the Connect Portal: {}",
            report.synced_users
        ));
        return;
    }
    let as_of = match report.last_success_at {
        Some(at) => format!(
            " (at last sync, {})",
            alarm::ago(report.now.saturating_sub(at))
        ),
        None => " (no sync has finished yet)".to_string(),
    };
    widgets::notice(
        ui,
        Tone::Muted,
        &format!(
            "Invalid client usernames: {} of {}{as_of}",
            report.invalid_usernames, report.total_users
        ),
    );
    widgets::notice(
        ui,
        Tone::Muted,
        &format!(
            "Users synced to the Connect Portal: {}{as_of}",
            report.synced_users
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::screens::test_support::Fixture;

    #[test]
    fn the_monitor_runs_while_the_panel_is_shown() {
        let mut fixture = Fixture::default();
        let mut panel = StatusPanel::default();
        fixture.run(|ctx| panel.on_enter(ctx));
        panel.show_alerts = true;
        assert!(panel.on_escape(), "Esc closes the alerts");
        assert!(!panel.on_escape(), "and then has nothing to close");
        fixture.run(|ctx| panel.on_leave(ctx));
        assert!(matches!(
            fixture.requests.as_slice(),
            [Request::StartMonitor, Request::StopMonitor]
        ));
        assert_eq!(
            panel.status().state,
            AlarmState::Unknown,
            "until Director answers"
        );
    }

    /// Stale or unknown, the figures are the last sync's and say so; on a
    /// fresh reading they are not marked.
    #[test]
    fn stale_figures_say_they_are_the_last_syncs() {
        use egui_kittest::Harness;
        use egui_kittest::kittest::Queryable;
        let report = alarm::SyncReport {
            now: 10_000,
            enabled: true,
            interval_secs: 300,
            enabled_at: Some(1_000),
            last_attempt_at: Some(8_980),
            last_success_at: Some(8_980),
            last_attempt_failed: false,
            next_sync_at: None,
            active_alerts: Vec::new(),
            invalid_usernames: 3,
            total_users: 250,
            synced_users: 247,
        };
        for (state, marked) in [
            (AlarmState::Stale, true),
            (AlarmState::Unknown, true),
            (AlarmState::Green, false),
            (AlarmState::Red, false),
        ] {
            let shown = report.clone();
            let harness = Harness::new_ui(move |ui| figures(ui, &shown, state));
            let line = "Invalid client usernames: 3 of 250 (at last sync, 17 min ago)";
            assert_eq!(harness.query_by_label(line).is_some(), marked, "{state:?}");
            let synced = "Users synced to the Connect Portal: 247 (at last sync, 17 min ago)";
            assert_eq!(
                harness.query_by_label(synced).is_some(),
                marked,
                "{state:?}"
            );
        }
    }

    /// Until read, the panel says the icon stays after the window closes;
    /// the check box turns that off.
    #[cfg(target_os = "linux")]
    #[test]
    fn closing_keeps_watching_unless_turned_off() {
        use egui_kittest::Harness;
        use egui_kittest::kittest::Queryable;
        let mut panel = StatusPanel::default();
        let mut harness = Harness::new_ui_state(
            move |ui, fixture: &mut Fixture| {
                fixture.run(|ctx| panel.ui(ui, ctx));
            },
            Fixture::default(),
        );
        harness.run();
        let notice = "stays in the notification area";
        assert!(harness.query_by_label_contains(notice).is_some());
        harness.get_by_label("Got it").click();
        harness.run();
        assert!(harness.state().progress.close_notice_seen);
        assert!(harness.query_by_label_contains(notice).is_none());
        harness.get_by_label("Keep watching after closing").click();
        harness.run();
        assert!(harness.state().progress.stop_watching_on_close);
    }

    /// "Start at login" writes the autostart entry, and unticked removes it.
    #[test]
    fn start_at_login_writes_and_removes_the_entry() {
        use crate::store::autostart::{Autostart, DesktopAutostart};
        use egui_kittest::Harness;
        use egui_kittest::kittest::Queryable;
        let dir = tempfile::tempdir().expect("dir");
        let autostart = std::sync::Arc::new(DesktopAutostart::new(dir.path().join("autostart")));
        let mut fixture = Fixture::default();
        fixture.shared.autostart = Some(autostart.clone());
        let mut panel = StatusPanel::default();
        let mut harness = Harness::new_ui_state(
            move |ui, fixture: &mut Fixture| {
                fixture.run(|ctx| panel.ui(ui, ctx));
            },
            fixture,
        );
        harness.run();
        assert!(!autostart.is_on());
        harness.get_by_label("Start at login").click();
        harness.run();
        assert!(autostart.is_on(), "ticked: the entry is there");
        let entry = std::fs::read_to_string(autostart.path()).expect("entry");
        assert!(entry.contains(" --tray\n"), "{entry}");
        harness.get_by_label("Start at login").click();
        harness.run();
        assert!(!autostart.is_on(), "unticked: gone");
    }
}
