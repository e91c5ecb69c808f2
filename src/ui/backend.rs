//! Background work for the window: every network call, keyring access and
//! file dialog runs on the tokio runtime; results come back as [`Event`]s
//! over a channel, and each one asks egui for a repaint. The UI thread only
//! drains the channel, so it never waits on the network.

use std::future::Future;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

use crate::contract::{
    AccountDetails, Alert, Credentials, Email, EscalationDelivery, PortalSession, Registered,
    RegistrationRequest, SyncSaved, SyncSettingsUpdate, SyncStatus, SystemInfo, Terms, UserRecord,
};
use crate::director::{Director, HttpDirector};
use crate::domain::alarm::Notification;
use crate::domain::format::{FormatOptions, Formatted};
use crate::domain::requirements::{self, Check, Transport, UserFacts};
use crate::monitor::{self, MonitorConfig, MonitorEvent, MonitorHandle};
use crate::net::{ApiError, ClientOptions};
use crate::portal::{HttpPortal, Portal};
use crate::secret::Secret;
use crate::secrets::{SecretStore, SecretStoreError};

/// What the Requirements checks read from Director, and what follows from
/// it — worked out in the background (a million users take a moment).
#[derive(Debug, Clone)]
pub struct DirectorSnapshot {
    pub system: SystemInfo,
    pub users: Arc<Vec<UserRecord>>,
    pub checks: Vec<Check>,
    /// The default for "append a domain".
    pub common_email_domain: Option<String>,
}

impl DirectorSnapshot {
    fn new(system: SystemInfo, users: Vec<UserRecord>, transport: Transport) -> Self {
        let facts: Vec<UserFacts<'_>> = users
            .iter()
            .map(|u| UserFacts {
                client_username: &u.client_username,
                email: &u.email,
                has_did: !u.did.trim().is_empty(),
                email_with_wav: u.escalation_delivery == EscalationDelivery::EmailWithWav,
            })
            .collect();
        let checks = requirements::checklist(transport, &system.build, &facts);
        let common_email_domain =
            crate::domain::format::most_common_email_domain(users.iter().map(|u| u.email.as_str()));
        DirectorSnapshot {
            system,
            users: Arc::new(users),
            checks,
            common_email_domain,
        }
    }
}

#[derive(Debug)]
pub enum Event {
    /// Reading users: `done` of `total`.
    UsersProgress {
        done: u64,
        total: u64,
    },
    Requirements(Result<DirectorSnapshot, ApiError>),
    Terms(Result<Terms, ApiError>),
    Registered(Result<Registered, ApiError>),
    Outbox(Result<Vec<Email>, ApiError>),
    PortalSignedIn(Result<(PortalSession, AccountDetails), ApiError>),
    Credentials(Result<Credentials, ApiError>),
    SecretStored {
        key: String,
        result: Result<(), SecretStoreError>,
    },
    SecretLoaded {
        key: String,
        secret: Option<Secret>,
    },
    /// Saved; the number of sync cycles Director had run before saving.
    Saved(Result<(SyncSaved, u64), ApiError>),
    Status(Result<(SyncStatus, Vec<Alert>), ApiError>),
    Exported(Result<Option<PathBuf>, String>),
    DiagnosticsSaved(Result<Option<PathBuf>, String>),
    Monitor(MonitorEvent),
    /// Outcomes for every user under `options`, in the users' order.
    Formatted {
        options: FormatOptions,
        rows: Arc<Vec<Formatted>>,
    },
}

/// The window's handle on background work.
pub struct Backend {
    runtime: tokio::runtime::Handle,
    director: Mutex<Arc<HttpDirector>>,
    portal: Arc<HttpPortal>,
    secrets: Arc<dyn SecretStore>,
    options: Mutex<ClientOptions>,
    tx: Sender<Event>,
    rx: Receiver<Event>,
    repaint: Arc<OnceLock<egui::Context>>,
}

impl Backend {
    pub fn new(
        runtime: tokio::runtime::Handle,
        director_url: &str,
        portal_url: &str,
        secrets: Arc<dyn SecretStore>,
        options: ClientOptions,
    ) -> Result<Self, ApiError> {
        let (tx, rx) = channel();
        Ok(Backend {
            runtime,
            director: Mutex::new(Arc::new(HttpDirector::new(director_url, options)?)),
            portal: Arc::new(HttpPortal::new(portal_url, options)?),
            secrets,
            options: Mutex::new(options),
            tx,
            rx,
            repaint: Arc::new(OnceLock::new()),
        })
    }

    /// Remembers the egui context so background results wake the UI.
    pub fn attach(&self, ctx: &egui::Context) {
        let _ = self.repaint.set(ctx.clone());
    }

    /// Events that arrived since the last frame.
    pub fn drain(&self) -> Vec<Event> {
        self.rx.try_iter().collect()
    }

    pub fn director_url(&self) -> String {
        self.director().base_url().to_string()
    }

    pub fn terms_page_url(&self) -> String {
        self.portal.terms_page_url()
    }

    pub fn secrets_persist(&self) -> bool {
        self.secrets.persistent()
    }

    fn director(&self) -> Arc<HttpDirector> {
        self.director
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Points the Director client at an address, trusting `pin` (a
    /// certificate the administrator accepted) or else the system's roots.
    /// A new client means a new session; nothing changes when neither does.
    pub fn set_director(
        &self,
        url: &str,
        pin: Option<crate::tls::Fingerprint>,
    ) -> Result<(), ApiError> {
        let mut options = self.options.lock().unwrap_or_else(|e| e.into_inner());
        if url.trim() == self.director_url() && options.pinned_certificate == pin {
            return Ok(());
        }
        let wanted = ClientOptions {
            pinned_certificate: pin,
            ..*options
        };
        let client = HttpDirector::new(url, wanted)?;
        *self.director.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(client);
        *options = wanted;
        Ok(())
    }

    fn spawn(&self, work: impl Future<Output = Event> + Send + 'static) {
        let tx = self.tx.clone();
        let repaint = self.repaint.clone();
        self.runtime.spawn(async move {
            let event = work.await;
            let _ = tx.send(event);
            if let Some(ctx) = repaint.get() {
                ctx.request_repaint();
            }
        });
    }

    /// Sends an event now (progress reports from inside a task).
    fn notifier(&self) -> impl Fn(Event) + Send + Sync + 'static {
        let tx = self.tx.clone();
        let repaint = self.repaint.clone();
        move |event| {
            let _ = tx.send(event);
            if let Some(ctx) = repaint.get() {
                ctx.request_repaint();
            }
        }
    }

    /// Lets Director calls sign in by themselves when they find no session.
    pub fn set_director_credentials(&self, login: &str, password: &Secret) {
        self.director().set_credentials(login, password);
    }

    /// Starts the sync monitor; its events arrive as [`Event::Monitor`].
    pub fn start_monitor(&self, config: MonitorConfig) -> MonitorHandle {
        let notify = self.notifier();
        monitor::spawn(&self.runtime, self.director(), config, move |event| {
            notify(Event::Monitor(event))
        })
    }

    /// A desktop notification (D-Bus on Linux, a toast on Windows).
    pub fn show_notification(&self, notification: Notification) {
        self.runtime.spawn_blocking(move || {
            let shown = notify_rust::Notification::new()
                .appname(super::APP_NAME)
                .summary(&notification.title)
                .body(&notification.body)
                .show();
            if let Err(e) = shown {
                tracing::warn!("cannot show a desktop notification: {e}");
            }
        });
    }

    /// Signs in to Director and reads what the Requirements checks need.
    pub fn check_requirements(&self, login: String, password: Secret) {
        let director = self.director();
        let transport = match (
            director.base_url().starts_with("https://"),
            self.options().pinned_certificate.is_some(),
        ) {
            (true, true) => Transport::PinnedTls,
            (true, false) => Transport::TrustedTls,
            (false, _) => Transport::Plain,
        };
        let notify = self.notifier();
        self.spawn(async move {
            let result = async {
                director.login(&login, &password).await?;
                let system = director.system_info().await?;
                let users = director
                    .users(|done, total| notify(Event::UsersProgress { done, total }))
                    .await?;
                tokio::task::spawn_blocking(move || DirectorSnapshot::new(system, users, transport))
                    .await
                    .map_err(|e| ApiError::Protocol {
                        url: director.base_url().to_string(),
                        detail: format!("checking the users failed: {e}"),
                    })
            }
            .await;
            Event::Requirements(result)
        });
    }

    fn options(&self) -> ClientOptions {
        *self.options.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn fetch_terms(&self) {
        let portal = self.portal.clone();
        self.spawn(async move { Event::Terms(portal.terms().await) });
    }

    pub fn register(&self, request: RegistrationRequest) {
        let portal = self.portal.clone();
        self.spawn(async move { Event::Registered(portal.register(&request).await) });
    }

    pub fn fetch_outbox(&self, to: String) {
        let portal = self.portal.clone();
        self.spawn(async move { Event::Outbox(portal.outbox(&to).await) });
    }

    pub fn portal_sign_in(&self, email: String, password: Secret) {
        let portal = self.portal.clone();
        self.spawn(async move {
            let result = async {
                let session = portal.login(&email, &password).await?;
                let details = portal.account_details().await?;
                Ok((session, details))
            }
            .await;
            Event::PortalSignedIn(result)
        });
    }

    pub fn reveal_credentials(&self) {
        let portal = self.portal.clone();
        self.spawn(async move { Event::Credentials(portal.reveal_credentials().await) });
    }

    /// Keyring calls can block on D-Bus: run them on the blocking pool.
    pub fn store_secret(&self, key: String, secret: Secret) {
        let secrets = self.secrets.clone();
        self.spawn(async move {
            let k = key.clone();
            let result = tokio::task::spawn_blocking(move || secrets.put(&k, &secret))
                .await
                .unwrap_or_else(|e| Err(SecretStoreError::Unavailable(e.to_string())));
            Event::SecretStored { key, result }
        });
    }

    pub fn load_secret(&self, key: String) {
        let secrets = self.secrets.clone();
        self.spawn(async move {
            let k = key.clone();
            let secret = tokio::task::spawn_blocking(move || secrets.get(&k))
                .await
                .unwrap_or(None);
            Event::SecretLoaded { key, secret }
        });
    }

    /// Saves the Synchronization settings, then asks for a cycle now.
    pub fn save_settings(&self, update: SyncSettingsUpdate) {
        let director = self.director();
        self.spawn(async move {
            let result = async {
                let before = director.sync_status().await?.cycles;
                let saved = director.save_sync_settings(&update).await?;
                director.run_sync().await?;
                Ok((saved, before))
            }
            .await;
            Event::Saved(result)
        });
    }

    pub fn poll_status(&self) {
        let director = self.director();
        self.spawn(async move {
            let result = async {
                let status = director.sync_status().await?;
                let alerts = director.alerts().await?;
                Ok((status, alerts))
            }
            .await;
            Event::Status(result)
        });
    }

    /// Formats every user under `options` off the UI thread (a second for a
    /// million users would freeze the window).
    pub fn format_usernames(&self, users: Arc<Vec<UserRecord>>, options: FormatOptions) {
        self.spawn(async move {
            let for_task = options.clone();
            let rows = tokio::task::spawn_blocking(move || {
                let directory = crate::audit::directory_users(&users);
                crate::domain::format::format_owned(&directory, &for_task)
            })
            .await
            .unwrap_or_default();
            Event::Formatted {
                options,
                rows: Arc::new(rows),
            }
        });
    }

    /// Asks where to save a diagnostics report, then writes it (secrets
    /// removed, `secrets` included).
    pub fn save_diagnostics(&self, settings_dir: PathBuf, secrets: Vec<Secret>) {
        self.spawn(async move {
            let picked = rfd::AsyncFileDialog::new()
                .set_title("Save diagnostics for support")
                .set_file_name("hybrid-setup-diagnostics.txt")
                .add_filter("Text", &["txt"])
                .save_file()
                .await;
            let Some(handle) = picked else {
                return Event::DiagnosticsSaved(Ok(None));
            };
            let path = handle.path().to_path_buf();
            let written = tokio::task::spawn_blocking(move || {
                let store = crate::settings::SettingsStore::new(settings_dir);
                let report =
                    crate::diagnostics::collect(&store, &crate::logging::log_dir(), &secrets);
                crate::fsutil::write_atomic(&path, report.as_bytes())
                    .map(|()| Some(path.clone()))
                    .map_err(|e| format!("Could not write {}: {e}", path.display()))
            })
            .await
            .unwrap_or_else(|_| Err("Could not build the diagnostics.".into()));
            Event::DiagnosticsSaved(written)
        });
    }

    /// Asks where to save the audit report (the system's save dialog; the
    /// file name's extension picks CSV, JSON or text), then builds and
    /// writes it in the background.
    pub fn export_report(
        &self,
        users: Arc<Vec<UserRecord>>,
        options: FormatOptions,
        rows: crate::audit::Rows,
    ) {
        self.spawn(async move {
            let picked = rfd::AsyncFileDialog::new()
                .set_title("Export the username audit")
                .set_file_name("client-usernames.csv")
                .add_filter("CSV (Excel)", &["csv"])
                .add_filter("JSON", &["json"])
                .add_filter("Text", &["txt"])
                .save_file()
                .await;
            let Some(handle) = picked else {
                return Event::Exported(Ok(None));
            };
            let path = handle.path().to_path_buf();
            let written = tokio::task::spawn_blocking(move || {
                write_report(&users, &options, rows, &path).map(|()| Some(path))
            })
            .await
            .unwrap_or_else(|_| Err("Could not build the report.".into()));
            Event::Exported(written)
        });
    }
}

/// Builds the audit report and writes it atomically in the format the file
/// name asks for.
pub fn write_report(
    users: &[UserRecord],
    options: &FormatOptions,
    rows: crate::audit::Rows,
    path: &std::path::Path,
) -> Result<(), String> {
    let directory = crate::audit::directory_users(users);
    let report = crate::audit::AuditReport::build(&directory, options, rows);
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let contents = report.render(crate::audit::ReportFormat::for_file_name(name));
    crate::fsutil::write_atomic(path, contents.as_bytes())
        .map_err(|e| format!("Could not write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Rows;

    fn users() -> Vec<UserRecord> {
        crate::sim::data::generate(50, crate::sim::data::Mix::Realistic, 5)
    }

    #[test]
    fn export_format_follows_the_file_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let options = FormatOptions::default();
        for (name, starts) in [
            ("a.csv", "\u{feff}user_dn,"),
            ("a.json", "{"),
            ("a.txt", ""),
        ] {
            let path = dir.path().join(name);
            write_report(&users(), &options, Rows::InvalidOnly, &path).expect("written");
            let text = std::fs::read_to_string(&path).expect("read");
            assert!(text.starts_with(starts), "{name}: {text}");
            assert!(text.contains("missing_at"), "{name}");
        }
        let text = std::fs::read_to_string(dir.path().join("a.txt")).expect("read");
        assert!(text.contains("client usernames are invalid"), "{text}");
    }

    #[test]
    fn export_lists_all_users_when_the_table_does() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("all.json");
        write_report(&users(), &FormatOptions::default(), Rows::All, &path).expect("written");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        assert_eq!(json["users"].as_array().map(Vec::len), Some(50));
    }

    #[test]
    fn export_to_an_unwritable_place_says_where() {
        // A folder that cannot exist: its parent is a file.
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("file");
        std::fs::write(&file, "x").expect("write");
        let path = file.join("x.csv");
        let err = write_report(&users(), &FormatOptions::default(), Rows::All, &path)
            .expect_err("cannot write");
        assert!(err.contains(&path.display().to_string()), "{err}");
    }
}
