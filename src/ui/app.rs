//! The application: wizard state, the step rail, Back/Continue, keyboard,
//! and the hand-over between the screens and the background.
//!
//! Each frame has two halves, as eframe calls them: [`HybridApp::logic`]
//! draws nothing — it drains background events, runs the monitor's
//! notifications, keeps the title and taskbar icon and saves progress — and
//! also runs while the window is minimized; [`HybridApp::ui`] draws.

use std::time::{Duration, Instant};

use egui::{Key, Modifiers, RichText, Ui};

use super::screen::{Ctx, Screen, Shared, TokenKept};
use super::screens::Screens;
use super::screens::directors::DirectorsAction;
use super::tasks::{Event, Request, Tasks};
use super::widgets::{self, Tone};
use crate::domain::alarm::AlarmState;
use crate::domain::metrics::{DirectorReading, FleetNotifier, worse_elsewhere};
use crate::domain::secret::Secret;
use crate::domain::wizard::{Progress, Step, StepMark, ThemeChoice};
use crate::service::drift_watch::DriftEvent;
use crate::service::fleet;
use crate::service::monitor::{MonitorConfig, MonitorEvent, MonitorHandle};
use crate::store::secret_store::SecretKey;
use crate::store::settings::{DirectorTarget, Settings, SettingsStore};

/// Settings are written this long after the last change (typing), or at
/// once on a step change.
const SAVE_AFTER: Duration = Duration::from_millis(800);
/// Below this width (in points: 150% zoom of the smallest window) the step
/// rail shows numbers only, so the page keeps room to read.
const COMPACT_RAIL_BELOW: f32 = 700.0;

/// Where the window's desktop notifications go (the desktop's server in
/// the program, a recorder in tests).
pub type Notifier = std::sync::Arc<dyn Fn(crate::domain::alarm::Notification) + Send + Sync>;

pub struct AppConfig {
    pub store: SettingsStore,
    pub settings: Settings,
    /// A message to show once (settings recovered, ...).
    pub notice: Option<String>,
    pub demo: bool,
    pub director_url: String,
    pub portal_url: String,
    /// The Director password when known up front (the demo's).
    pub director_password: Option<Secret>,
    pub open_links: bool,
    /// Shows a desktop notification on a change worth one (none: off).
    pub notify: Option<Notifier>,
    pub monitor: MonitorConfig,
    /// `--theme`: the colours for this run, over the saved setting.
    pub theme: Option<ThemeChoice>,
    /// `--zoom`: percent for this run, over the saved setting.
    pub zoom: Option<u16>,
    /// `--alerts`: open on the Hybrid alerts (the notification-area icon's
    /// "Show alerts").
    pub open_alerts: bool,
    /// `--directors`: open on the Directors view (a click on the icon
    /// while it shows another Director's state).
    pub open_directors: bool,
    /// "Start at login" (none in tests unless given, and where the system
    /// has no way to).
    pub autostart: Option<std::sync::Arc<dyn crate::store::autostart::Autostart>>,
    /// Later launches ask this window to come forward through it.
    pub raise: Option<std::sync::Arc<Raise>>,
}

/// A later launch of the program asked this window to come forward (see
/// `store::instance`); it may be minimized, so the ask also wakes egui.
#[derive(Default)]
pub struct Raise {
    asked: std::sync::atomic::AtomicBool,
    ctx: std::sync::OnceLock<egui::Context>,
}

impl Raise {
    pub fn ask(&self) {
        self.asked.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint();
        }
    }

    /// Whether a launch asked since the last call (then the window comes
    /// forward).
    fn take(&self, ctx: &egui::Context) -> bool {
        let _ = self.ctx.get_or_init(|| ctx.clone());
        self.asked.swap(false, std::sync::atomic::Ordering::SeqCst)
    }
}

pub struct HybridApp {
    tasks: Tasks,
    /// The embedded simulator's address, when this is the demo.
    demo_url: Option<String>,
    store: SettingsStore,
    settings: Settings,
    saved: Settings,
    changed_at: Option<Instant>,
    shared: Shared,
    notice: Option<String>,
    entered: Option<Step>,
    started: bool,
    notify: Option<Notifier>,
    monitor_config: MonitorConfig,
    /// Polls Director while the status panel is the current step.
    monitor: Option<MonitorHandle>,
    /// The state and headline the window title and icon show.
    titled: Option<(AlarmState, String)>,
    screens: Screens,
    /// Queued by the screens this frame; handed to the tasks after it.
    requests: Vec<Request>,
    theme_override: Option<ThemeChoice>,
    /// The theme last handed to egui.
    theme_applied: Option<ThemeChoice>,
    zoom_override: Option<u16>,
    /// The zoom (percent) last handed to egui or read from it.
    zoom_applied: Option<u16>,
    raise: Option<std::sync::Arc<Raise>>,
    /// The demo's admin password (known up front), for opening the demo's
    /// Director again from the Directors view.
    demo_password: Option<Secret>,
    /// Polls every Director while there is more than one and the status
    /// panel is shown.
    directors_watch: Option<fleet::FleetWatch>,
    /// Tells of changes on the other Directors.
    others_told: FleetNotifier,
    /// The settings file, watched for Directors saved by `directors add`.
    settings_file: Option<crate::ui::tasks::FileWatch>,
}

impl HybridApp {
    pub fn new(tasks: Tasks, config: AppConfig) -> Self {
        tasks.use_backup_dir(crate::store::paths::backups_in(config.store.dir()));
        let shared = Shared {
            demo: config.demo,
            open_links: config.open_links,
            director_login: config.settings.director_login.clone(),
            portal_url: config.portal_url,
            snapshot: None,
            token: None,
            token_kept: None,
            portal_password: None,
            data_dir: config.store.dir().to_path_buf(),
            director_url: tasks.director_url(),
            terms_page_url: tasks.terms_page_url(),
            secrets_persist: tasks.secrets_persist(),
            kind: config
                .settings
                .director_kind(&kind_key(config.demo, &config.director_url)),
            clear_clipboard_at: None,
            directors: Vec::new(),
            directors_action: None,
            start_fix: false,
            autostart: config.autostart,
        };
        let demo_url = config.demo.then(|| config.director_url.clone());
        let demo_password = config.director_password.clone().filter(|_| config.demo);
        let mut screens = Screens::new(config.director_url, config.director_password);
        if config.open_alerts {
            screens.status_panel.open_alerts();
        }
        if config.open_directors {
            screens.status_panel.open_directors();
        }
        HybridApp {
            tasks,
            store: config.store,
            saved: config.settings.clone(),
            demo_url,
            screens,
            settings: config.settings,
            changed_at: None,
            shared,
            notice: config.notice,
            entered: None,
            started: false,
            notify: config.notify,
            monitor_config: config.monitor,
            monitor: None,
            titled: None,
            requests: Vec::new(),
            theme_override: config.theme,
            theme_applied: None,
            zoom_override: config.zoom,
            zoom_applied: None,
            raise: config.raise,
            demo_password,
            directors_watch: None,
            others_told: FleetNotifier::default(),
            settings_file: None,
        }
    }

    pub fn step(&self) -> Step {
        self.settings.progress.step()
    }

    /// The window's title: the state (the worst Director's, named, when
    /// another is worse than this one) and the program's name.
    pub fn title(&self) -> String {
        match &self.titled {
            Some((_, headline)) => format!("{headline} — {}", super::APP_NAME),
            None => super::APP_NAME.to_string(),
        }
    }

    /// The Director this window works with.
    pub fn director_url(&self) -> &str {
        &self.shared.director_url
    }

    /// The last readings of every Director (when there is more than one).
    pub fn directors(&self) -> &[DirectorReading] {
        &self.shared.directors
    }

    pub fn progress(&self) -> &Progress {
        &self.settings.progress
    }

    /// Runs `f` with the current step's screen and a context for it.
    fn with_screen<R>(
        &mut self,
        step: Step,
        f: impl FnOnce(&mut dyn Screen, &mut Ctx<'_>) -> R,
    ) -> R {
        let mut ctx = Ctx {
            progress: &mut self.settings.progress,
            trusted: &mut self.settings.trusted_certificates,
            shared: &mut self.shared,
            requests: &mut self.requests,
        };
        f(self.screens.get_mut(step), &mut ctx)
    }

    /// Work that draws nothing: background results, notifications, the
    /// window title and icon, saving. eframe runs it before every frame and
    /// also while the window is minimized.
    pub fn logic(&mut self, ctx: &egui::Context) {
        self.tasks.attach(ctx);
        if !self.started {
            widgets::readable_theme(ctx);
            self.start();
        }
        for event in self.tasks.drain() {
            self.handle(event);
        }
        if let Some(action) = self.shared.directors_action.take() {
            self.switch_director(action);
        }
        self.enter_step();
        self.watch_directors();
        self.run_requests();
        self.title_and_icon(ctx);
        self.clear_clipboard_when_due(ctx);
        self.apply_theme(ctx);
        self.apply_zoom(ctx);
        if self.raise.as_ref().is_some_and(|r| r.take(ctx)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
            ctx.send_viewport_cmd(egui::ViewportCommand::Visible(true));
            ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
        }
        if self.settings != self.saved {
            let since = *self.changed_at.get_or_insert_with(Instant::now);
            if since.elapsed() >= SAVE_AFTER {
                self.save_now();
            } else {
                ctx.request_repaint_after(SAVE_AFTER);
            }
        }
    }

    /// Watches every Director while there is more than one and the status
    /// panel is shown; nothing is polled for a single Director beyond its
    /// own panel.
    fn watch_directors(&mut self) {
        let wanted = self.step() == Step::Done && !self.settings.other_directors.is_empty();
        if wanted == self.directors_watch.is_some() {
            return;
        }
        if !wanted {
            self.directors_watch = None;
            self.shared.directors.clear();
            return;
        }
        // The open one's password, as typed or loaded on its first step.
        let typed = &self.screens.requirements.password;
        let current = (!typed.is_empty()).then(|| Secret::new(typed.clone()));
        let demo = self.demo_url.as_deref().zip(self.demo_password.as_ref());
        let mut members = fleet::members_of(&self.settings, demo, self.monitor_config.poll_every);
        if let Some(first) = members.first_mut() {
            first.password = first.password.take().or(current);
        }
        self.directors_watch = Some(self.tasks.watch_directors(members));
    }

    /// Where a saved Director is now, and its password when known up front
    /// (the demo's, whose port changes every run).
    fn address_of(&self, target: &DirectorTarget) -> (String, Option<Secret>) {
        match target {
            DirectorTarget::Demo => (
                self.demo_url.clone().unwrap_or_default(),
                self.demo_password.clone(),
            ),
            DirectorTarget::Url(url) => (url.clone(), None),
        }
    }

    /// `directors add` or `remove` (or another window) changed the saved
    /// Directors: this window takes their list as the file has it (and the
    /// kinds and pins that came with them), so its next save keeps them.
    /// The Director open here stays open.
    fn adopt_directors_saved_elsewhere(&mut self) {
        let (on_disk, _) = self.store.load().settings();
        if on_disk == self.saved {
            return;
        }
        let mine = self.settings.current_director_key();
        let others: Vec<_> = on_disk
            .directors()
            .into_iter()
            .filter(|d| (d.director.clone(), d.director_login.clone()) != mine)
            .collect();
        if others == self.settings.other_directors {
            self.saved = on_disk;
            return;
        }
        tracing::info!(
            "the saved Directors changed on disk: {} others now",
            others.len()
        );
        self.settings.other_directors = others;
        self.settings
            .director_kinds
            .extend(on_disk.director_kinds.clone());
        self.settings
            .trusted_certificates
            .adopt(&on_disk.trusted_certificates);
        self.saved = on_disk;
        // Watched again as the list now is.
        self.directors_watch = None;
        self.shared.directors.clear();
    }

    /// Takes another Director off the list, and its saved password out of
    /// the keyring unless another saved Director signs in the same way.
    fn remove_director(&mut self, other: usize) {
        let Some(removed) = self.settings.remove_director(other) else {
            return;
        };
        self.save_now();
        let signs_in_alike = |d: &crate::store::settings::SavedDirector| {
            d.director == removed.director && d.director_login == removed.director_login
        };
        if let DirectorTarget::Url(url) = &removed.director
            && !self.settings.directors().iter().any(signs_in_alike)
        {
            self.requests
                .push(Request::ForgetSecret(SecretKey::DirectorPassword {
                    director: url.clone(),
                    login: removed.director_login.clone(),
                }));
        }
        // Watched again as the list now is (or not at all, with one left).
        self.directors_watch = None;
        self.shared.directors.clear();
    }

    /// Opens another Director (its own setup, where it was left) or starts
    /// the setup of a new one; what was read from the current one is
    /// dropped, as on a fresh start.
    fn switch_director(&mut self, action: DirectorsAction) {
        match action {
            DirectorsAction::Remove(index) if index > 0 => return self.remove_director(index - 1),
            DirectorsAction::Open(index) if index > 0 => self.settings.switch_to(index - 1),
            DirectorsAction::Add => self.settings.add_director(),
            _ => return,
        }
        self.save_now();
        let (url, password) = self.address_of(&self.settings.director);
        let demo = self.settings.director == DirectorTarget::Demo && self.demo_url.is_some();
        if let Err(e) = self
            .tasks
            .use_director(&url, self.settings.trusted_certificates.get(&url))
        {
            // A new Director has no address yet: the first step asks for it.
            tracing::info!("no Director client yet: {e}");
        }
        self.monitor = None;
        self.directors_watch = None;
        self.shared.demo = demo;
        self.shared.director_url.clone_from(&url);
        self.shared
            .director_login
            .clone_from(&self.settings.director_login);
        self.shared.kind = self.settings.director_kind(&kind_key(demo, &url));
        self.shared.snapshot = None;
        self.shared.token = None;
        self.shared.token_kept = None;
        self.shared.portal_password = None;
        self.shared.directors.clear();
        self.screens = Screens::new(url, password);
        self.entered = None;
        self.started = false;
        self.titled = None;
    }

    /// Light, dark or the system's: `--theme`, else the saved setting.
    fn apply_theme(&mut self, ctx: &egui::Context) {
        // A choice made on the panel wins over the flag from then on.
        if self.theme_override.is_some()
            && self.saved.progress.theme != self.settings.progress.theme
        {
            self.theme_override = None;
        }
        let wanted = self.theme_override.unwrap_or(self.settings.progress.theme);
        if self.theme_applied == Some(wanted) {
            return;
        }
        self.theme_applied = Some(wanted);
        ctx.set_theme(match wanted {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        });
    }

    /// The zoom: `--zoom`, else the saved setting; a change made with
    /// Ctrl + / Ctrl − / Ctrl 0 (egui's own keys) is kept as the setting.
    fn apply_zoom(&mut self, ctx: &egui::Context) {
        let current = (ctx.zoom_factor() * 100.0).round() as u16;
        if let Some(applied) = self.zoom_applied
            && current != applied
        {
            self.zoom_override = None;
            self.settings.progress.zoom = current;
            self.zoom_applied = Some(current);
            return;
        }
        // A choice made on the panel wins over the flag from then on.
        if self.zoom_override.is_some() && self.saved.progress.zoom != self.settings.progress.zoom {
            self.zoom_override = None;
        }
        let wanted = self
            .zoom_override
            .unwrap_or_else(|| self.settings.progress.zoom_percent());
        if self.zoom_applied != Some(wanted) {
            self.zoom_applied = Some(wanted);
            ctx.set_zoom_factor(f32::from(wanted) / 100.0);
        }
    }

    /// A Token copied on a guided step leaves the clipboard after a minute.
    fn clear_clipboard_when_due(&mut self, ctx: &egui::Context) {
        let Some(at) = self.shared.clear_clipboard_at else {
            return;
        };
        let now = Instant::now();
        if now >= at {
            ctx.copy_text(String::new());
            self.shared.clear_clipboard_at = None;
        } else {
            ctx.request_repaint_after(at - now);
        }
    }

    /// On the first frame: fetch what a resumed session needs.
    fn start(&mut self) {
        self.started = true;
        self.settings_file = Some(self.tasks.watch_file(self.store.path()));
        let password = self.screens.requirements.password.clone();
        if !password.is_empty() {
            self.requests.push(Request::SetDirectorCredentials {
                login: self.shared.director_login.clone(),
                password: Secret::new(password.clone()),
            });
        }
        let progress = &self.settings.progress;
        if !progress.account_id.is_empty() {
            self.requests
                .push(Request::LoadSecret(SecretKey::PortalToken {
                    account_id: progress.account_id.clone(),
                }));
        }
        if !self.shared.demo && password.is_empty() {
            self.requests
                .push(Request::LoadSecret(SecretKey::DirectorPassword {
                    director: self.shared.director_url.clone(),
                    login: self.shared.director_login.clone(),
                }));
        }
        let database = progress.config_database.trim();
        if !self.shared.demo
            && let Ok(address) = crate::client::director::database::DatabaseAddress::parse(database)
        {
            self.requests
                .push(Request::LoadSecret(SecretKey::DatabasePassword {
                    entry: address.keyring_key(),
                }));
        }
        // Resuming past Requirements: read Director again in the background.
        self.with_screen(Step::Requirements, |screen, ctx| screen.on_enter(ctx));
    }

    fn handle(&mut self, event: Event) {
        match &event {
            Event::SettingsFileChanged => self.adopt_directors_saved_elsewhere(),
            Event::Requirements(Ok(snapshot)) => {
                // A Director other than the built-in simulator that answered
                // is the one to come back to next time.
                self.shared.director_url = self.tasks.director_url();
                let url = self.shared.director_url.clone();
                let demo = Some(&url) == self.demo_url.as_ref();
                if !demo {
                    self.settings.director = DirectorTarget::Url(url.clone());
                }
                self.shared.kind = Some(snapshot.kind);
                self.settings
                    .remember_director_kind(&kind_key(demo, &url), snapshot.kind);
            }
            Event::Directors(readings) => {
                self.shared.directors.clone_from(readings);
                // The open one is told by its own monitor.
                let others = readings.get(1..).unwrap_or_default();
                for told in self.others_told.observe(others) {
                    if let Some(notify) = &self.notify {
                        notify(told);
                    }
                }
            }
            Event::Monitor(MonitorEvent::Notify(notification))
            | Event::Drift(DriftEvent::Notify(notification)) => {
                if let Some(notify) = &self.notify {
                    notify(notification.clone());
                }
            }
            _ => {}
        }
        let mut go = None;
        for step in Step::ALL {
            if let Some(next) = self.with_screen(step, |screen, ctx| screen.on_event(&event, ctx)) {
                go = Some(next);
            }
        }
        if let Some(step) = go {
            self.go(step, true);
        }
    }

    /// Hands the queued requests to the background; the monitor is kept here.
    fn run_requests(&mut self) {
        let mut pointed = false;
        for request in std::mem::take(&mut self.requests) {
            pointed |= matches!(request, Request::CheckRequirements { .. });
            match request {
                Request::StartMonitor => {
                    if self.monitor.is_none() {
                        self.monitor = Some(if self.shared.guided() {
                            let progress = &self.settings.progress;
                            self.tasks.start_drift_watch(
                                progress.format_options(),
                                progress.check_users_every(),
                            )
                        } else {
                            self.tasks.start_monitor(self.monitor_config)
                        });
                    }
                }
                Request::StopMonitor => self.monitor = None,
                Request::CheckNow => {
                    if let Some(monitor) = &self.monitor {
                        monitor.check_now();
                    }
                }
                other => self.tasks.run(other),
            }
        }
        // A Requirements check may have pointed the client elsewhere.
        if pointed {
            self.shared.director_url = self.tasks.director_url();
        }
    }

    /// Moves to `step`; `complete` marks the current step done.
    pub fn go(&mut self, step: Step, complete: bool) {
        tracing::info!(from = ?self.step(), to = ?step, complete, "wizard step");
        let from = self.step();
        if from != step {
            self.with_screen(from, |screen, ctx| screen.on_leave(ctx));
        }
        if step == Step::Done {
            self.settings.progress.provisioned = true;
        }
        if complete {
            self.settings.progress.complete_and_go(step);
        } else {
            self.settings.progress.go(step);
        }
        self.entered = None;
        self.save_now();
    }

    fn save_now(&mut self) {
        self.changed_at = None;
        if self.settings == self.saved {
            return;
        }
        // Directors saved by `directors add` since this window last looked
        // are kept, not overwritten.
        self.adopt_directors_saved_elsewhere();
        match self.store.save(&self.settings) {
            Ok(()) => self.saved = self.settings.clone(),
            Err(e) => {
                self.notice = Some(format!(
                    "Could not save progress to {}: {e}",
                    self.store.path().display()
                ));
            }
        }
    }

    fn enter_step(&mut self) {
        let step = self.step();
        if self.entered == Some(step) {
            return;
        }
        self.entered = Some(step);
        self.with_screen(step, |screen, ctx| screen.on_enter(ctx));
    }

    fn on_continue(&mut self) {
        let step = self.step();
        if !self.screens.get(step).can_continue(&self.settings.progress) {
            return;
        }
        if let Some(next) = self.with_screen(step, |screen, ctx| screen.on_continue(ctx)) {
            self.go(next, true);
        }
    }

    fn on_back(&mut self) {
        if let Some(step) = self.settings.progress.back() {
            self.go(step, false);
        }
    }

    /// Draws one frame (after [`Self::logic`]).
    pub fn ui(&mut self, ui: &mut Ui) {
        self.keyboard(ui);
        egui::Panel::top("title").show(ui, |ui| self.title_bar(ui));
        if self.step() != Step::Done && !self.screens.get(self.step()).hides_navigation() {
            egui::Panel::bottom("navigation").show(ui, |ui| self.navigation(ui));
        }
        // Once provisioned, the program is a status panel, not a wizard.
        let monitoring = self.step() == Step::Done && self.settings.progress.provisioned;
        if !monitoring {
            // Zoomed in or narrow: numbers only, the titles on hover.
            let compact = ui.available_width() < COMPACT_RAIL_BELOW;
            egui::Panel::left("steps")
                .exact_size(if compact { 64.0 } else { 210.0 })
                .resizable(false)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("steps")
                        .show(ui, |ui| self.step_rail(ui, compact));
                });
        }
        let step = self.step();
        // A page longer than the window (zoomed in, a small window)
        // scrolls rather than being cut off; its width is the window's, so
        // everything on it wraps or shrinks to fit (tests/zoom.rs).
        let go = egui::CentralPanel::default()
            .show(ui, |ui| {
                // Solid bars beside the page, not floating over its last line.
                ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
                egui::ScrollArea::vertical()
                    .id_salt("page")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        self.with_screen(step, |screen, ctx| screen.ui(ui, ctx))
                    })
                    .inner
            })
            .inner;
        let go = go.or_else(|| self.with_screen(step, |screen, ctx| screen.modal(ui, ctx)));
        if let Some(next) = go {
            self.go(next, next > step);
        }
        self.run_requests();
    }

    /// The window title and taskbar icon carry the sync state on the status panel.
    fn title_and_icon(&mut self, ctx: &egui::Context) {
        let panel = &self.screens.status_panel;
        let mut shown =
            (self.step() == Step::Done).then(|| (panel.status().state, panel.headline()));
        // Several Directors: the worst of them, named, when worse than this one.
        if let Some((state, headline)) = &mut shown
            && let Some(worse) =
                worse_elsewhere(*state, self.shared.directors.get(1..).unwrap_or_default())
        {
            *state = worse.state;
            *headline = worse.headline;
        }
        if shown == self.titled {
            return;
        }
        let state = shown.as_ref().map(|(state, _)| *state);
        self.titled = shown;
        ctx.send_viewport_cmd(egui::ViewportCommand::Title(self.title()));
        if let Some(icon) = super::taskbar_icon::icon_for(state) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Icon(Some(std::sync::Arc::new(icon))));
        }
    }

    /// Writes unsaved progress (on exit).
    pub fn flush(&mut self) {
        self.save_now();
    }

    fn title_bar(&mut self, ui: &mut Ui) {
        // Wraps onto more lines when zoomed in rather than running off.
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(super::APP_NAME).size(18.0).strong());
            if self.shared.demo {
                widgets::badge(ui, "Demo Director (built-in simulator)", Tone::Warning);
            }
            // Which Director this window is about: at body size, readable.
            ui.label(format!("Director: {}", self.shared.director_url));
        });
        if self.shared.token_kept == Some(TokenKept::SessionOnly) {
            widgets::notice(
                ui,
                Tone::Warning,
                "No keyring service is available on this computer: the Token is kept for this session only.",
            );
        }
        if let Some(notice) = self.notice.clone() {
            ui.horizontal(|ui| {
                widgets::notice(ui, Tone::Warning, &notice);
                if ui.small_button("Dismiss").clicked() {
                    self.notice = None;
                }
            });
        }
    }

    /// The steps, each marked done, current or to do; `compact` shows their
    /// numbers only (a screen reader still hears the titles).
    fn step_rail(&mut self, ui: &mut Ui, compact: bool) {
        ui.add_space(8.0);
        let current = self.step();
        let mut jump = None;
        let guided = self.shared.guided();
        let warnings = (self.shared.snapshot.as_ref()).map_or(0, |s| {
            (s.checks.iter())
                .filter(|c| c.status == crate::domain::requirements::CheckStatus::Warn)
                .count()
        });
        for step in Step::ALL {
            let progress = &self.settings.progress;
            let step_mark = progress.step_mark(step, current, guided, warnings);
            let (marker, mark_name) = match step_mark {
                StepMark::Current => (widgets::Mark::Current, None),
                StepMark::Skipped => (widgets::Mark::Skipped, None),
                StepMark::ToDo => (widgets::Mark::ToDo, None),
                StepMark::Passed => (widgets::Mark::Ok, None),
                StepMark::DoneNotChecked => (widgets::Mark::DoneNotChecked, None),
                StepMark::PassedWithWarnings(n) => (
                    widgets::Mark::Warning,
                    Some(format!(
                        "Passed with {n} warning{}",
                        if n == 1 { "" } else { "s" }
                    )),
                ),
            };
            let reachable = step != current && progress.is_done(step) && !progress.is_skipped(step);
            let title = format!("{}. {}", step.number(), step.title());
            let mut text = RichText::new(if compact {
                format!("{}.", step.number())
            } else {
                title.clone()
            });
            text = match marker {
                widgets::Mark::Current => text.strong(),
                widgets::Mark::Ok | widgets::Mark::DoneNotChecked | widgets::Mark::Warning => text,
                _ => text.color(widgets::tone_color(ui, Tone::Muted)),
            };
            ui.horizontal(|ui| {
                let name = mark_name.unwrap_or_else(|| marker.label().to_string());
                widgets::mark_named(ui, marker, 16.0, &name).on_hover_text(&name);
                let enabled = reachable || step == current;
                let mut response = ui.add_enabled(
                    enabled,
                    egui::Button::selectable(step == current, text).frame_when_inactive(false),
                );
                if compact {
                    response.widget_info(|| {
                        egui::WidgetInfo::selected(
                            egui::Role::Button,
                            enabled,
                            step == current,
                            &title,
                        )
                    });
                    response = response.on_hover_text(&title);
                }
                if reachable && response.on_hover_text("Go back to this step").clicked() {
                    jump = Some(step);
                }
            });
            ui.add_space(2.0);
        }
        if let Some(step) = jump {
            self.go(step, false);
        }
    }

    fn navigation(&mut self, ui: &mut Ui) {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let back = self.settings.progress.back().is_some();
            if ui
                .add_enabled(back, egui::Button::new("Back"))
                .on_hover_text("Esc")
                .clicked()
            {
                self.on_back();
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let screen = self.screens.get(self.step());
                let enabled = screen.can_continue(&self.settings.progress);
                let label = screen.continue_label(&self.settings.progress);
                let button = if screen.continue_is_primary() && enabled {
                    widgets::primary_button(ui, label)
                } else {
                    egui::Button::new(label)
                };
                if ui
                    .add_enabled(enabled, button)
                    .on_hover_text("Enter")
                    .clicked()
                {
                    self.on_continue();
                }
            });
        });
        ui.add_space(4.0);
    }

    /// Enter = Continue and Esc = Back, taken before the widgets see them.
    /// Enter belongs to the focused widget when there is one (a button it
    /// presses, a field it submits); a modal takes both keys.
    fn keyboard(&mut self, ui: &mut Ui) {
        let step = self.step();
        if self.screens.get(step).modal_open() {
            return;
        }
        let focused = ui.memory(|m| m.focused().is_some());
        let enter = !focused && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter));
        let escape = ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape));
        if escape && !self.screens.get_mut(step).on_escape() && step != Step::Done {
            self.on_back();
        }
        if enter && step != Step::Done {
            self.on_continue();
        }
    }
}

/// Where the kind of Director is remembered: the built-in simulator's port
/// changes every run, so it has a name of its own.
fn kind_key(demo: bool, director_url: &str) -> String {
    if demo {
        "demo".into()
    } else {
        director_url.to_string()
    }
}

impl eframe::App for HybridApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        HybridApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        HybridApp::ui(self, ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.flush();
    }
}
