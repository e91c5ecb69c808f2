//! The application: wizard state, the step rail, Back/Continue, keyboard,
//! and routing of background results to the screens.

use std::time::{Duration, Instant};

use egui::{Key, RichText, Ui};

use super::backend::{Backend, DirectorSnapshot, Event};
use super::confirmation::ConfirmationScreen;
use super::credentials::CredentialsScreen;
use super::done::DoneScreen;
use super::first_sync::FirstSyncScreen;
use super::register::RegisterScreen;
use super::requirements::RequirementsScreen;
use super::usernames::UsernamesScreen;
use super::{link, widgets};
use crate::domain::alarm::AlarmState;
use crate::domain::wizard::{Progress, Step};
use crate::monitor::{MonitorConfig, MonitorEvent};
use crate::secret::Secret;
use crate::secrets::{director_password_key, token_key};
use crate::settings::{Settings, SettingsStore};

/// Settings are written this long after the last change (typing), or at
/// once on a step change.
const SAVE_AFTER: Duration = Duration::from_millis(800);

/// What the screens share besides the saved progress.
pub struct Shared {
    pub demo: bool,
    /// Open links in the system browser (off in tests).
    pub open_links: bool,
    pub director_login: String,
    pub portal_url: String,
    pub snapshot: Option<DirectorSnapshot>,
    pub token: Option<Secret>,
    pub token_note: Option<String>,
    /// The password typed at registration, offered once for the Portal sign-in.
    pub portal_password: Option<Secret>,
    pub append_domain_ticked: bool,
    /// Where the settings live (the troubleshooting guide is written there).
    pub data_dir: std::path::PathBuf,
}

impl Shared {
    /// What was read from the previous Director no longer applies.
    pub fn forget_director_data(&mut self) {
        self.snapshot = None;
    }
}

/// What a screen gets to work with.
pub struct Ctx<'a> {
    pub progress: &'a mut Progress,
    pub trusted: &'a mut crate::settings::TrustedCertificates,
    pub backend: &'a Backend,
    pub shared: &'a mut Shared,
}

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
    /// Show desktop notifications on state changes (off in tests).
    pub notifications: bool,
    pub monitor: MonitorConfig,
}

pub struct HybridApp {
    backend: Backend,
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
    notifications: bool,
    monitor: MonitorConfig,
    /// The state the window title and icon show.
    titled: Option<AlarmState>,
    requirements: RequirementsScreen,
    register: RegisterScreen,
    confirmation: ConfirmationScreen,
    credentials: CredentialsScreen,
    usernames: UsernamesScreen,
    first_sync: FirstSyncScreen,
    done: DoneScreen,
}

impl HybridApp {
    pub fn new(backend: Backend, config: AppConfig) -> Self {
        let shared = Shared {
            demo: config.demo,
            open_links: config.open_links,
            director_login: config.settings.director_login.clone(),
            portal_url: config.portal_url,
            snapshot: None,
            token: None,
            token_note: None,
            portal_password: None,
            append_domain_ticked: false,
            data_dir: config.store.dir().to_path_buf(),
        };
        HybridApp {
            backend,
            store: config.store,
            saved: config.settings.clone(),
            demo_url: config.demo.then(|| config.director_url.clone()),
            requirements: RequirementsScreen::new(config.director_url, config.director_password),
            settings: config.settings,
            changed_at: None,
            shared,
            notice: config.notice,
            entered: None,
            started: false,
            notifications: config.notifications,
            monitor: config.monitor,
            titled: None,
            register: RegisterScreen::default(),
            confirmation: ConfirmationScreen::default(),
            credentials: CredentialsScreen::default(),
            usernames: UsernamesScreen::default(),
            first_sync: FirstSyncScreen::default(),
            done: DoneScreen::default(),
        }
    }

    pub fn step(&self) -> Step {
        self.settings.progress.step()
    }

    pub fn progress(&self) -> &Progress {
        &self.settings.progress
    }

    /// On the first frame: fetch what a resumed session needs.
    fn start(&mut self) {
        self.started = true;
        if !self.requirements.password.is_empty() {
            let password = Secret::new(self.requirements.password.clone());
            self.backend
                .set_director_credentials(&self.shared.director_login, &password);
        }
        let progress = &self.settings.progress;
        if !progress.account_id.is_empty() {
            self.backend.load_secret(token_key(&progress.account_id));
        }
        if !self.shared.demo && self.requirements.password.is_empty() {
            let key =
                director_password_key(&self.backend.director_url(), &self.shared.director_login);
            self.backend.load_secret(key);
        }
        // Resuming past Requirements: read Director again in the background.
        let mut ctx = Ctx {
            progress: &mut self.settings.progress,
            trusted: &mut self.settings.trusted_certificates,
            backend: &self.backend,
            shared: &mut self.shared,
        };
        self.requirements.on_enter(&mut ctx);
    }

    fn handle(&mut self, event: Event) {
        let mut ctx = Ctx {
            progress: &mut self.settings.progress,
            trusted: &mut self.settings.trusted_certificates,
            backend: &self.backend,
            shared: &mut self.shared,
        };
        let mut go = None;
        match &event {
            Event::UsersProgress { .. } => self.requirements.on_event(&event, &mut ctx),
            Event::Requirements(result) => {
                self.requirements.on_event(&event, &mut ctx);
                // A Director other than the built-in simulator that answered
                // is the one to come back to next time.
                let url = self.backend.director_url();
                if result.is_ok() && Some(&url) != self.demo_url.as_ref() {
                    self.settings.director = crate::settings::DirectorTarget::Url(url);
                }
            }
            Event::Terms(_) | Event::Registered(_) => go = self.register.on_event(&event, &mut ctx),
            Event::Outbox(_) => self.confirmation.on_event(&event),
            Event::PortalSignedIn(_) | Event::Credentials(_) => {
                self.credentials.on_event(&event, &mut ctx)
            }
            Event::SecretStored { .. } => self.credentials.on_event(&event, &mut ctx),
            Event::SecretLoaded { key, secret } => {
                if let Some(secret) = secret {
                    if key.starts_with("portal-token:") {
                        ctx.shared.token = Some(secret.clone());
                    } else if key.starts_with("director-password:")
                        && self.requirements.password.is_empty()
                    {
                        self.requirements.password = secret.expose().to_string();
                        self.requirements.on_enter(&mut ctx);
                    }
                }
            }
            Event::Saved(_) => self.first_sync.on_event(&event, &mut ctx),
            Event::Status(_) => self.first_sync.on_event(&event, &mut ctx),
            Event::Monitor(MonitorEvent::Notify(notification)) => {
                if self.notifications {
                    self.backend.show_notification(notification.clone());
                }
            }
            Event::Monitor(MonitorEvent::Changed(_)) | Event::DiagnosticsSaved(_) => {
                self.done.on_event(&event)
            }
            Event::Exported(_) | Event::Formatted { .. } => self.usernames.on_event(&event),
        }
        if let Some(step) = go {
            self.go(step, true);
        }
    }

    /// Moves to `step`; `complete` marks the current step done.
    pub fn go(&mut self, step: Step, complete: bool) {
        tracing::info!(from = ?self.step(), to = ?step, complete, "wizard step");
        if step == Step::FirstSync {
            self.first_sync.reset();
        }
        if step == Step::Done {
            self.settings.progress.provisioned = true;
        } else {
            self.done.on_leave();
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
        let mut ctx = Ctx {
            progress: &mut self.settings.progress,
            trusted: &mut self.settings.trusted_certificates,
            backend: &self.backend,
            shared: &mut self.shared,
        };
        match step {
            Step::Requirements => self.requirements.on_enter(&mut ctx),
            Step::Register => self.register.on_enter(&mut ctx),
            Step::Confirmation => self.confirmation.on_enter(&mut ctx),
            Step::Credentials => self.credentials.on_enter(&mut ctx),
            Step::FirstSync => self.first_sync.on_enter(&mut ctx),
            Step::Done => self.done.on_enter(&mut ctx, self.monitor),
            Step::LinkDirector | Step::UsernameFormat => {}
        }
    }

    fn can_continue(&self) -> bool {
        let progress = &self.settings.progress;
        match self.step() {
            Step::Requirements => self.requirements.can_continue(),
            Step::LinkDirector | Step::Confirmation => true,
            Step::Register => self.register.can_continue(progress),
            Step::Credentials => self.credentials.can_continue(progress),
            Step::UsernameFormat => self.usernames.can_continue(progress),
            Step::FirstSync => self.first_sync.all_green(),
            Step::Done => false,
        }
    }

    fn continue_label(&self) -> &'static str {
        match self.step() {
            Step::Register if self.register.submitting() => "Registering…",
            Step::Register => "Register",
            Step::UsernameFormat => "Save to Director",
            Step::FirstSync => "Finish",
            _ => "Continue",
        }
    }

    fn on_continue(&mut self) {
        if !self.can_continue() {
            return;
        }
        let step = self.step();
        let mut ctx = Ctx {
            progress: &mut self.settings.progress,
            trusted: &mut self.settings.trusted_certificates,
            backend: &self.backend,
            shared: &mut self.shared,
        };
        let next = match step {
            Step::Requirements | Step::Confirmation | Step::FirstSync => Some(ctx.progress.next()),
            Step::LinkDirector => {
                ctx.progress.has_account = false;
                Some(ctx.progress.next())
            }
            Step::Register => {
                self.register.on_continue(&mut ctx);
                None
            }
            Step::Credentials => {
                self.credentials.on_continue(&mut ctx);
                Some(ctx.progress.next())
            }
            Step::UsernameFormat => self.usernames.on_continue(),
            Step::Done => None,
        };
        if let Some(step) = next {
            self.go(step, true);
        }
    }

    fn on_back(&mut self) {
        if let Some(step) = self.settings.progress.back() {
            self.go(step, false);
        }
    }

    /// Draws one frame. Separate from `eframe::App` so tests drive it directly.
    pub fn ui(&mut self, ui: &mut Ui) {
        self.backend.attach(ui.ctx());
        if !self.started {
            self.start();
        }
        for event in self.backend.drain() {
            self.handle(event);
        }
        self.enter_step();

        egui::Panel::top("title").show(ui, |ui| self.title_bar(ui));
        if self.step() != Step::Done {
            egui::Panel::bottom("navigation").show(ui, |ui| self.navigation(ui));
        }
        // Once provisioned, the program is a status panel, not a wizard.
        let monitoring = self.step() == Step::Done && self.settings.progress.provisioned;
        if !monitoring {
            egui::Panel::left("steps")
                .exact_size(210.0)
                .resizable(false)
                .show(ui, |ui| self.step_rail(ui));
        }
        egui::CentralPanel::default().show(ui, |ui| self.screen(ui));
        self.confirm_modal(ui);
        self.keyboard(ui);
        self.title_and_icon(ui);

        if self.settings != self.saved {
            let since = *self.changed_at.get_or_insert_with(Instant::now);
            if since.elapsed() >= SAVE_AFTER {
                self.save_now();
            } else {
                ui.ctx().request_repaint_after(SAVE_AFTER);
            }
        }
    }

    /// The window title and taskbar icon carry the sync state on the status panel.
    fn title_and_icon(&mut self, ui: &Ui) {
        let state = (self.step() == Step::Done).then(|| self.done.status().state);
        if state == self.titled {
            return;
        }
        self.titled = state;
        let title = match state {
            Some(state) => format!("{} — {}", super::done::headline(state), super::APP_NAME),
            None => super::APP_NAME.to_string(),
        };
        ui.ctx()
            .send_viewport_cmd(egui::ViewportCommand::Title(title));
        if let Some(icon) = super::icon_for(state) {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Icon(Some(std::sync::Arc::new(icon))));
        }
    }

    /// Writes unsaved progress (on exit).
    pub fn flush(&mut self) {
        self.save_now();
    }

    fn title_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.label(RichText::new("Connect HYBRID Setup").size(18.0).strong());
            if self.shared.demo {
                egui::Frame::new()
                    .fill(widgets::AMBER)
                    .corner_radius(4.0)
                    .inner_margin(egui::Margin::symmetric(6, 2))
                    .show(ui, |ui| {
                        ui.label(
                            RichText::new("Demo Director (built-in simulator)")
                                .color(egui::Color32::BLACK),
                        );
                    });
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(RichText::new(self.backend.director_url()).small().weak());
            });
        });
        if let Some(note) = &self.shared.token_note
            && !note.starts_with("The Token is stored")
        {
            ui.label(RichText::new(note).color(widgets::AMBER));
        }
        if let Some(notice) = self.notice.clone() {
            ui.horizontal(|ui| {
                ui.label(RichText::new(notice).color(widgets::AMBER));
                if ui.small_button("Dismiss").clicked() {
                    self.notice = None;
                }
            });
        }
    }

    fn step_rail(&mut self, ui: &mut Ui) {
        ui.add_space(8.0);
        let current = self.step();
        let mut jump = None;
        for step in Step::ALL {
            let progress = &self.settings.progress;
            let marker = if step == current {
                widgets::Mark::Current
            } else if progress.is_skipped(step) {
                widgets::Mark::Skipped
            } else if progress.is_done(step) {
                widgets::Mark::Ok
            } else {
                widgets::Mark::ToDo
            };
            let reachable = step != current && progress.is_done(step) && !progress.is_skipped(step);
            let mut text = RichText::new(format!("{}. {}", step.number(), step.title()));
            text = match marker {
                widgets::Mark::Current => text.strong(),
                widgets::Mark::Ok => text,
                _ => text.color(widgets::GREY),
            };
            ui.horizontal(|ui| {
                widgets::mark(ui, marker, 16.0);
                let response = ui.add_enabled(
                    reachable || step == current,
                    egui::Button::selectable(step == current, text).frame_when_inactive(false),
                );
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
                let enabled = self.can_continue();
                let button = egui::Button::new(RichText::new(self.continue_label()).strong()).fill(
                    if enabled {
                        ui.visuals().selection.bg_fill
                    } else {
                        ui.visuals().widgets.inactive.bg_fill
                    },
                );
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

    fn screen(&mut self, ui: &mut Ui) {
        let mut ctx = Ctx {
            progress: &mut self.settings.progress,
            trusted: &mut self.settings.trusted_certificates,
            backend: &self.backend,
            shared: &mut self.shared,
        };
        let go = match ctx.progress.step() {
            Step::Requirements => {
                self.requirements.show(ui, &mut ctx);
                None
            }
            Step::LinkDirector => link::show(ui, &mut ctx),
            Step::Register => {
                self.register.show(ui, &mut ctx);
                None
            }
            Step::Confirmation => {
                self.confirmation.show(ui, &mut ctx);
                None
            }
            Step::Credentials => {
                self.credentials.show(ui, &mut ctx);
                None
            }
            Step::UsernameFormat => self.usernames.show(ui, &mut ctx),
            Step::FirstSync => self.first_sync.show(ui, &mut ctx),
            Step::Done => self.done.show(ui, &mut ctx),
        };
        if let Some(step) = go {
            let complete = step > self.step();
            self.go(step, complete);
        }
    }

    fn confirm_modal(&mut self, ui: &mut Ui) {
        if !self.usernames.confirm_save {
            return;
        }
        let invalid = self.usernames.invalid_count();
        let mut decision = None;
        egui::Modal::new(egui::Id::unique("confirm-save")).show(ui.ctx(), |ui| {
            ui.set_max_width(420.0);
            ui.heading("Save with invalid client usernames?");
            if let Some(count) = invalid {
                ui.label(format!(
                    "{count} client usernames are invalid. Those {} users will not be synced to the Connect Portal \
                     and cannot use HYBRID services until their usernames are fixed.",
                    count.invalid
                ));
            }
            ui.horizontal(|ui| {
                if ui.button("Save anyway").clicked() {
                    decision = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    decision = Some(false);
                }
            });
        });
        match decision {
            Some(true) => {
                self.usernames.confirm_save = false;
                self.go(Step::FirstSync, true);
            }
            Some(false) => self.usernames.confirm_save = false,
            None => {}
        }
    }

    fn keyboard(&mut self, ui: &mut Ui) {
        if self.usernames.confirm_save {
            return;
        }
        let (enter, escape) = ui.input(|i| (i.key_pressed(Key::Enter), i.key_pressed(Key::Escape)));
        if self.step() == Step::Done {
            // The status panel is not a wizard page: Esc only closes the alerts.
            if escape {
                self.done.show_alerts = false;
            }
            return;
        }
        if enter && self.step() != Step::Done {
            self.on_continue();
        }
        if escape {
            self.on_back();
        }
    }
}
