//! Step 1: Director address and admin login, then the checklist of what
//! Connect Sync needs, each item with its fix.

use egui::{RichText, Ui};

use crate::client::director::database::DatabaseAddress;
use crate::client::director::kind::DirectorKind;
use crate::client::http::{ApiError, normalize_base_url};
use crate::domain::requirements::{self, Check};
use crate::domain::secret::Secret;
use crate::domain::wizard::{Progress, Step};
use crate::store::secret_store::SecretKey;
use crate::ui::screen::{Ctx, Screen};
use crate::ui::screens::already_set_up::AlreadySetUp;
use crate::ui::tasks::{DatabaseSource, Event, Request};
use crate::ui::widgets::{self, Tone};

#[derive(Default)]
pub struct RequirementsScreen {
    pub url: String,
    pub password: String,
    url_error: Option<String>,
    running: bool,
    progress: Option<(u64, u64)>,
    checks: Vec<Check>,
    error: Option<ApiError>,
    started: bool,
    /// "Connect Director 21.90.9743.0, web interface", once read.
    found: Option<String>,
    /// A real Director's web interface answered: the steps it has no
    /// interface for are guided.
    real_director: bool,
    /// The last read was cancelled.
    cancelled: bool,
    /// The configuration database's password (its address is in the progress).
    pub db_password: String,
    db_error: Option<String>,
    /// Watching a Director whose Connect Sync is already set up.
    already_set_up: AlreadySetUp,
}

impl RequirementsScreen {
    pub fn new(url: String, password: Option<Secret>) -> Self {
        RequirementsScreen {
            url,
            password: password.map(|p| p.expose().to_string()).unwrap_or_default(),
            ..Default::default()
        }
    }

    fn run(&mut self, ctx: &mut Ctx<'_>) {
        self.started = true;
        self.url_error = None;
        let url = match normalize_base_url(&self.url) {
            Ok(url) => url,
            Err(e) => {
                self.url_error = Some(e.to_string());
                return;
            }
        };
        let database = match self.database(ctx) {
            Ok(database) => database,
            Err(e) => {
                self.db_error = Some(e);
                return;
            }
        };
        if url != ctx.shared.director_url {
            ctx.shared.forget_director_data();
        }
        self.running = true;
        self.already_set_up.reread();
        self.cancelled = false;
        self.error = None;
        self.progress = None;
        let password = Secret::new(self.password.clone());
        if !ctx.shared.demo {
            ctx.request(Request::StoreSecret {
                key: SecretKey::DirectorPassword {
                    director: url.clone(),
                    login: ctx.shared.director_login.clone(),
                },
                secret: password.clone(),
            });
        }
        if let (Some(db), false) = (&database, ctx.shared.demo) {
            ctx.request(Request::StoreSecret {
                key: SecretKey::DatabasePassword {
                    entry: db.address.keyring_key(),
                },
                secret: db.password.clone(),
            });
        }
        let pin = ctx.trusted.get(&url);
        ctx.request(Request::CheckRequirements {
            url,
            pin,
            login: ctx.shared.director_login.clone(),
            password,
            database,
        });
    }

    /// The configuration database, when an address was given; its problem,
    /// naming the field, when one is off.
    fn database(&mut self, ctx: &mut Ctx<'_>) -> Result<Option<DatabaseSource>, String> {
        self.db_error = None;
        let text = ctx.progress.config_database.trim().to_string();
        if text.is_empty() {
            return Ok(None);
        }
        let address =
            DatabaseAddress::parse(&text).map_err(|e| format!("Configuration database: {e}"))?;
        if self.db_password.is_empty() {
            return Err(
                "Configuration database: enter the password of its read-only account.".into(),
            );
        }
        Ok(Some(DatabaseSource {
            address,
            password: Secret::new(self.db_password.clone()),
        }))
    }

    /// Whether everything to sign in with is at hand (a database named
    /// needs its password too).
    fn ready(&self, ctx: &Ctx<'_>) -> bool {
        !self.password.is_empty()
            && (ctx.progress.config_database.trim().is_empty() || !self.db_password.is_empty())
    }
}

impl Screen for RequirementsScreen {
    fn on_enter(&mut self, ctx: &mut Ctx<'_>) {
        // With the passwords at hand (the demo, or the keyring), check at once.
        if !self.started && self.ready(ctx) {
            self.run(ctx);
        }
    }

    fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) -> Option<Step> {
        match event {
            // The password kept in the keyring for this Director.
            // Only this Director's: a load for the one before a switch of
            // Directors must never sign in to this one.
            Event::SecretLoaded {
                key: SecretKey::DirectorPassword { director, login },
                secret: Some(secret),
            } if self.password.is_empty()
                && *director == ctx.shared.director_url
                && *login == ctx.shared.director_login =>
            {
                self.password = secret.expose().to_string();
                self.on_enter(ctx);
            }
            Event::SecretLoaded {
                key: SecretKey::DatabasePassword { .. },
                secret: Some(secret),
            } if self.db_password.is_empty() => {
                self.db_password = secret.expose().to_string();
                self.on_enter(ctx);
            }
            Event::Formatted { options, rows } => self.already_set_up.counted(options, rows),
            Event::UsersProgress { done, total } if self.running => {
                self.progress = Some((*done, *total))
            }
            Event::ReadCancelled if self.running => {
                self.running = false;
                self.cancelled = true;
            }
            Event::Requirements(result) if self.running => {
                self.running = false;
                match result {
                    Ok(snapshot) => {
                        self.checks = snapshot.checks.clone();
                        self.found = Some(snapshot.describe());
                        self.real_director = snapshot.kind == DirectorKind::Web;
                        self.error = None;
                        ctx.progress.director_build = snapshot.system.build.clone();
                        ctx.shared.snapshot = Some(snapshot.clone());
                    }
                    Err(e) => {
                        // A certificate is shown once, in full, in its prompt.
                        let detail = match e {
                            ApiError::UntrustedCertificate { .. }
                            | ApiError::CertificateChanged { .. } => {
                                "Its certificate is shown above.".to_string()
                            }
                            _ => e.to_string(),
                        };
                        self.checks = requirements::unreachable(e.cause(), &detail, e.advice());
                        self.found = None;
                        self.real_director = false;
                        self.error = Some(e.clone());
                    }
                }
            }
            _ => {}
        }
        None
    }

    fn can_continue(&self, _progress: &Progress) -> bool {
        !self.running && requirements::can_continue(&self.checks)
    }

    fn continue_is_primary(&self) -> bool {
        !self.already_set_up.offering()
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        widgets::page_title(ui, "Requirements");
        ui.label(
            "Connect HYBRID needs Connect build 21.75.1908.0 or later (on ShoreTel 14.2: GA8, build 19.43.7902.0), \
             a unique valid email address for every user, and client usernames that are email addresses. \
             Sign in to Director to check.",
        );
        ui.add_space(8.0);
        self.sign_in_form(ui, ctx);
        ui.separator();
        if self.certificate_or_error(ui, ctx) {
            self.run(ctx);
        }
        if let Some(found) = &self.found {
            ui.label(RichText::new(found).strong());
        }
        let checks_passed = !self.running && requirements::can_continue(&self.checks);
        if let Some(step) = self
            .already_set_up
            .ui(ui, ctx, self.real_director, checks_passed)
        {
            return Some(step);
        }
        if self.real_director {
            widgets::note(
                ui,
                &format!(
                    "This is a real Director's web interface. The checks below are what it shows. \
                     The steps it has no interface for — registering in the Connect Portal, and \
                     entering the Account ID and Token on {} — are guided: this program says what \
                     to enter, opens the page, and verifies what it can read.",
                    ctx.progress.hybrid_screens().page
                ),
                Tone::Muted,
            );
        }
        if self.cancelled {
            widgets::note(
                ui,
                "Reading Director was cancelled; nothing was checked. Run the checks again when ready.",
                Tone::Warning,
            );
        }
        for check in &self.checks {
            widgets::check_row(ui, check);
        }
        None
    }
}

impl RequirementsScreen {
    /// Director's address, the admin login and "Run checks".
    fn sign_in_form(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        egui::Grid::new("director-login")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .min_col_width(140.0)
            .show(ui, |ui| {
                let label = ui.label("Director address");
                ui.vertical(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut self.url)
                            .hint_text("https://director.example.com:5478")
                            .desired_width(ui.available_width().min(360.0)),
                    )
                    .labelled_by(label.id);
                    if let Some(error) = &self.url_error {
                        ui.label(
                            RichText::new(error)
                                .color(widgets::tone_color(ui, Tone::Bad))
                                .small(),
                        );
                    }
                });
                ui.end_row();
                let label = ui.label("Admin login name");
                ui.add(
                    egui::TextEdit::singleline(&mut ctx.shared.director_login)
                        .desired_width(ui.available_width().min(360.0)),
                )
                .labelled_by(label.id);
                ui.end_row();
                let label = ui.label("Password");
                ui.add(
                    egui::TextEdit::singleline(&mut self.password)
                        .password(true)
                        .desired_width(ui.available_width().min(360.0)),
                )
                .labelled_by(label.id);
                ui.end_row();
            });
        self.database_form(ui, ctx);
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            let label = if self.checks.is_empty() {
                "Run checks"
            } else {
                "Run checks again"
            };
            let enabled = !self.running && !self.password.is_empty() && !self.url.trim().is_empty();
            if ui.add_enabled(enabled, egui::Button::new(label)).clicked() {
                self.run(ctx);
            }
            if self.running {
                ui.spinner();
                match self.progress {
                    Some((done, total)) => ui.label(format!("Reading users: {done} of {total}")),
                    None if !ctx.progress.config_database.trim().is_empty() => {
                        ui.label("Signing in and reading the configuration database…")
                    }
                    None => ui.label("Signing in to Director…"),
                };
                if ui
                    .button("Cancel")
                    .on_hover_text("Stop reading Director")
                    .clicked()
                {
                    ctx.request(Request::CancelRead);
                }
            }
        });
    }

    /// A real Director's configuration database: one query for every user
    /// instead of a request each (read-only account; the password goes to
    /// the keyring like Director's).
    fn database_form(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        let open = !ctx.progress.config_database.is_empty() || self.db_error.is_some();
        egui::CollapsingHeader::new("Configuration database (optional)")
            .default_open(open)
            .show(ui, |ui| {
                ui.label(
                    "A real Director's read-only configuration database reads every user in one query. \
                     Leave empty to read them through Director's web interface.",
                );
                let label = ui.label("Database address");
                ui.add(
                    egui::TextEdit::singleline(&mut ctx.progress.config_database)
                        .hint_text("mysql://st_configread@director.example.com:4308/shoreware")
                        .desired_width(ui.available_width().min(420.0)),
                )
                .labelled_by(label.id);
                let label = ui.label("Database password");
                ui.add(
                    egui::TextEdit::singleline(&mut self.db_password)
                        .password(true)
                        .desired_width(ui.available_width().min(420.0)),
                )
                .labelled_by(label.id);
                if let Some(error) = &self.db_error {
                    ui.label(
                        RichText::new(error)
                            .color(widgets::tone_color(ui, Tone::Bad))
                            .small(),
                    );
                }
            });
    }

    /// A certificate to trust, a changed one, or the last error; true when
    /// the answer asks to check again.
    fn certificate_or_error(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> bool {
        match self.error.clone() {
            Some(ApiError::UntrustedCertificate { certificate, .. }) => {
                let answer = widgets::certificate_prompt(ui, &certificate);
                match answer {
                    Some(true) => ctx.trusted.trust(self.url.trim(), certificate.fingerprint),
                    Some(false) => self.error = None,
                    None => {}
                }
                answer == Some(true)
            }
            Some(ApiError::CertificateChanged {
                pinned, presented, ..
            }) => {
                let forget = widgets::certificate_changed(ui, pinned, &presented);
                // Not a silent accept: the next check asks again, showing
                // the new certificate's fingerprint.
                if forget {
                    ctx.trusted.forget(self.url.trim());
                }
                forget
            }
            Some(error) => widgets::error_banner(ui, &error),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::screens::test_support::Fixture;

    #[test]
    fn with_a_password_at_hand_it_checks_on_entering() {
        let mut fixture = Fixture::default();
        let mut screen = RequirementsScreen::new(
            " http://127.0.0.1:5478/ ".into(),
            Some(Secret::new("changeme")),
        );
        fixture.run(|ctx| screen.on_enter(ctx));
        match fixture.requests.as_slice() {
            [
                Request::CheckRequirements {
                    url,
                    login,
                    password,
                    pin,
                    database: None,
                },
            ] => {
                assert_eq!(url, "http://127.0.0.1:5478");
                assert_eq!(login, "admin");
                assert_eq!(password.expose(), "changeme");
                assert_eq!(*pin, None);
            }
            other => panic!("expected one check, got {other:?}"),
        }
        assert!(!screen.can_continue(&fixture.progress), "not while it runs");
        // Entering again does not check twice.
        fixture.run(|ctx| screen.on_enter(ctx));
        assert_eq!(fixture.requests.len(), 1);
    }

    #[test]
    fn a_real_director_password_goes_to_the_keyring_first() {
        let mut fixture = Fixture::default();
        fixture.shared.demo = false;
        let mut screen =
            RequirementsScreen::new("https://director:5478".into(), Some(Secret::new("pw")));
        fixture.run(|ctx| screen.on_enter(ctx));
        assert!(matches!(
            fixture.requests.first(),
            Some(Request::StoreSecret {
                key: SecretKey::DirectorPassword { director, login },
                ..
            }) if director == "https://director:5478" && login == "admin"
        ));
    }

    #[test]
    fn a_bad_address_is_refused_next_to_the_field() {
        let mut fixture = Fixture::default();
        let mut screen = RequirementsScreen::new("ftp://director".into(), Some(Secret::new("pw")));
        fixture.run(|ctx| screen.on_enter(ctx));
        assert!(fixture.requests.is_empty(), "nothing sent");
        assert!(screen.url_error.is_some());
    }
}
