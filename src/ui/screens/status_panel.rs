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
use crate::domain::secret::Secret;
use crate::domain::wizard::{Step, ThemeChoice};
use crate::service::monitor::{MonitorEvent, Snapshot};
use crate::service::troubleshooting;
use crate::store::secret_store::SecretKey;
use crate::ui::screen::{Ctx, Screen};
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
    /// "Start at login" as last read (once, not every frame).
    start_at_login: Option<bool>,
    /// Why "Start at login" could not be changed.
    autostart_error: Option<String>,
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
                Some(AlertsAction::OpenGuide(anchor)) => open_guide(ctx, anchor),
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

    fn panel(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        // Another Director's trouble first: not missed while this one is fine.
        others_need_attention(ui, ctx);
        if self.guided {
            let go = self.web.ui(ui, ctx);
            ui.separator();
            next_steps(ui, ctx);
            ui.separator();
            return self.actions(ui, ctx).or(go);
        }
        let status = self.status();
        ui.heading("Connect Sync status");
        ui.add_space(8.0);
        self.summary(ui, ctx, &status);
        ui.add_space(4.0);
        if self
            .snapshot
            .as_ref()
            .is_some_and(|s| matches!(s.error, Some(ApiError::Unauthorized { .. })))
        {
            self.sign_in(ui, ctx);
        }
        self.checking(ui, ctx);
        if let Some(anchor) = troubleshooting::anchor_for_state(status.state)
            && self.snapshot.is_some()
            && let Some(guide) = troubleshooting::section(anchor)
        {
            egui::CollapsingHeader::new("What to do").show(ui, |ui| {
                for paragraph in troubleshooting::plain_paragraphs(guide) {
                    ui.add(egui::Label::new(paragraph).wrap());
                }
            });
        }
        ui.separator();
        next_steps(ui, ctx);
        ui.separator();
        self.actions(ui, ctx)
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
                    widgets::invalid_count(ui, r.invalid_usernames, r.total_users);
                    ui.label(format!(
                        "Users synced to the Connect Portal: {}",
                        r.synced_users
                    ));
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

    /// Where to go from here, and diagnostics for support.
    fn actions(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        let mut go = None;
        close_notice(ui, ctx);
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
            theme_choice(ui, ctx);
            zoom_choice(ui, ctx);
            self.start_at_login(ui, ctx);
            keep_watching_choice(ui, ctx);
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
        if let Some(error) = &self.autostart_error {
            widgets::notice(ui, Tone::Bad, &format!("Start at login: {error}"));
        }
        match &self.diagnostics_note {
            Some(Ok(path)) => {
                ui.label(format!("Diagnostics saved to {}", path.display()));
            }
            Some(Err(e)) => {
                widgets::notice(ui, Tone::Bad, e);
            }
            None => {}
        }
        go
    }
}

/// Another Director is red, stale or cannot be read: said here, by name,
/// so it is not missed while this one is fine.
fn others_need_attention(ui: &mut Ui, ctx: &Ctx<'_>) {
    use crate::domain::metrics::{severity, worst_first};
    let readings = &ctx.shared.directors;
    let troubled: Vec<String> = worst_first(readings)
        .into_iter()
        .filter(|&i| i > 0 && severity(&readings[i]) <= 2)
        .map(|i| {
            let r = &readings[i];
            let what = if r.up {
                r.state.headline().to_string()
            } else {
                "cannot be read".to_string()
            };
            format!("{}: {what}", r.name)
        })
        .collect();
    if !troubled.is_empty() {
        widgets::notice(
            ui,
            Tone::Bad,
            &format!(
                "Other Directors need attention — {}. Open Directors to see them.",
                troubled.join("; ")
            ),
        );
    }
}

/// The HYBRID services to activate in the Portal next.
fn next_steps(ui: &mut Ui, ctx: &Ctx<'_>) {
    ui.label(RichText::new("Next steps").strong().size(16.0));
    ui.label(
            "Sign in to the Connect Portal as the Decision Maker and open Phone System > Add-on Features to activate HYBRID services:",
        );
    ui.label("• Scribe (voicemail transcription, delivered by email): needs Escalation Profiles set to deliver messages as email with the WAV file attached.");
    ui.label("• Fax (email-to-fax): each user who faxes needs a DID.");
    if ui.link("Open the Connect Portal").clicked() && ctx.shared.open_links {
        let url = ctx.shared.portal_url.clone();
        if let Err(e) = open::that_detached(&url) {
            tracing::warn!("cannot open {url}: {e}");
        }
    }
}

impl StatusPanel {
    /// Director wants a sign-in (no password in the keyring, or it changed).
    fn sign_in(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        director_sign_in(ui, ctx, &mut self.password, "read the sync status");
    }
}

/// The Director password asked for on the panel; true when it was given
/// (kept for the session, in the keyring, and a check asked for).
pub fn director_sign_in(
    ui: &mut Ui,
    ctx: &mut Ctx<'_>,
    password: &mut String,
    purpose: &str,
) -> bool {
    egui::Frame::group(ui.style())
        .show(ui, |ui| {
            ui.label(format!(
                "Sign in to Director as {} to {purpose}.",
                ctx.shared.director_login
            ));
            let response = widgets::field(ui, "Director password", password, true, None);
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if !((ui.button("Sign in").clicked() || enter) && !password.is_empty()) {
                return false;
            }
            let password = Secret::new(std::mem::take(password));
            let login = ctx.shared.director_login.clone();
            ctx.request(Request::SetDirectorCredentials {
                login: login.clone(),
                password: password.clone(),
            });
            if !ctx.shared.demo {
                let director = ctx.shared.director_url.clone();
                ctx.request(Request::StoreSecret {
                    key: SecretKey::DirectorPassword { director, login },
                    secret: password,
                });
            }
            ctx.request(Request::CheckNow);
            true
        })
        .inner
}

/// "Theme: As the system / Light / Dark", kept in the settings.
fn theme_choice(ui: &mut Ui, ctx: &mut Ctx<'_>) {
    let label = ui.label("Theme");
    egui::ComboBox::from_id_salt("theme")
        .selected_text(ctx.progress.theme.label())
        .show_ui(ui, |ui| {
            for choice in ThemeChoice::ALL {
                ui.selectable_value(&mut ctx.progress.theme, choice, choice.label());
            }
        })
        .response
        .labelled_by(label.id);
}

impl StatusPanel {
    /// "Start at login": the notification-area icon at every sign-in.
    fn start_at_login(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        let Some(autostart) = ctx.shared.autostart.clone() else {
            return;
        };
        let mut on = *self.start_at_login.get_or_insert_with(|| autostart.is_on());
        let changed = ui
            .checkbox(&mut on, "Start at login")
            .on_hover_text("The Connect Sync icon in the notification area from sign-in on (hybrid-setup --tray).")
            .changed();
        if !changed {
            return;
        }
        let done = if on {
            std::env::current_exe()
                .map_err(|e| e.to_string())
                .and_then(|exe| autostart.turn_on(&exe).map_err(|e| e.to_string()))
        } else {
            autostart.turn_off().map_err(|e| e.to_string())
        };
        self.autostart_error = done.err();
        self.start_at_login = Some(autostart.is_on());
    }
}

/// "Keep watching after closing": the notification-area icon stays when
/// the window closes (Linux, where the icon is).
fn keep_watching_choice(ui: &mut Ui, ctx: &mut Ctx<'_>) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let mut keep = !ctx.progress.stop_watching_on_close;
    if ui
        .checkbox(&mut keep, "Keep watching after closing")
        .on_hover_text(
            "The Connect Sync icon stays in the notification area when this window closes.",
        )
        .changed()
    {
        ctx.progress.stop_watching_on_close = !keep;
    }
}

/// Until read: closing the window does not end the monitoring, and how to
/// end it.
fn close_notice(ui: &mut Ui, ctx: &mut Ctx<'_>) {
    if !cfg!(target_os = "linux")
        || ctx.progress.close_notice_seen
        || ctx.progress.stop_watching_on_close
    {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        widgets::notice(
            ui,
            Tone::Muted,
            "When you close this window, the Connect Sync icon stays in the notification area and keeps watching. \
             Quit it from its menu, or untick \"Keep watching after closing\" below.",
        );
        if ui.button("Got it").clicked() {
            ctx.progress.close_notice_seen = true;
        }
    });
}

/// "Zoom: 100 %": the keys do the same (Ctrl + / Ctrl − / Ctrl 0).
fn zoom_choice(ui: &mut Ui, ctx: &mut Ctx<'_>) {
    let label = ui.label("Zoom");
    let current = ctx.progress.zoom_percent();
    egui::ComboBox::from_id_salt("zoom")
        .selected_text(format!("{current} %"))
        .show_ui(ui, |ui| {
            for percent in ZOOM_CHOICES {
                if ui
                    .selectable_label(current == percent, format!("{percent} %"))
                    .clicked()
                {
                    ctx.progress.zoom = percent;
                }
            }
        })
        .response
        .labelled_by(label.id)
        .on_hover_text("Ctrl + and Ctrl − zoom in and out, Ctrl 0 goes back to 100 %.");
}

/// The zooms offered on the panel (the keys reach those between).
const ZOOM_CHOICES: [u16; 5] = [100, 125, 150, 175, 200];

fn open_guide(ctx: &Ctx<'_>, anchor: &str) {
    if !ctx.shared.open_links {
        return;
    }
    match troubleshooting::write_guide(&ctx.shared.data_dir) {
        Ok(path) => {
            if let Err(e) = open::that_detached(&path) {
                tracing::warn!("cannot open {} ({anchor}): {e}", path.display());
            }
        }
        Err(e) => tracing::warn!("cannot write the troubleshooting guide: {e}"),
    }
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
