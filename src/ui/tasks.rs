//! Background work for the window: every network call, keyring access and
//! file dialog runs on the tokio runtime; results come back as [`Event`]s
//! over a channel, and each one asks egui for a repaint. The UI thread only
//! drains the channel, so it never waits on the network.

use std::future::Future;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

use crate::client::director::database::{self, DatabaseAddress};
use crate::client::director::kind::{DirectorKind, detect};
use crate::client::director::web::{WebDirector, WebDirectory};
use crate::client::director::{Director, HttpDirector};
use crate::client::http::{ApiError, ClientOptions};
use crate::client::portal::{HttpPortal, Portal};
use crate::contract::{
    AccountDetails, Alert, Credentials, Email, PortalSession, Registered, RegistrationRequest,
    SyncSaved, SyncSettings, SyncSettingsUpdate, SyncStatus, SystemInfo, Terms, UserRecord,
};
use crate::domain::certificate::Fingerprint;
use crate::domain::drift::Reading;
use crate::domain::fix::{Change, Preview, Suggestions, Wanted};
use crate::domain::format::DirectoryUser;
use crate::domain::format::{FormatOptions, Formatted};
use crate::domain::metrics::DirectorReading;
use crate::domain::requirements::{self, Check, Transport, UserFacts};
use crate::domain::secret::Secret;
use crate::service::audit::report::{Rows, write_report_file};
use crate::service::drift_watch::{self, DriftConfig, DriftEvent, SharedCredentials};
use crate::service::fix::{Report as FixReport, RunKind, UndoReview};
use crate::service::fleet;
use crate::service::monitor::{self, MonitorConfig, MonitorEvent, MonitorHandle};
use crate::store::secret_store::{
    SecretKey, SecretStore, SecretStoreError, get_off_thread, put_off_thread,
};
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;

/// How long connecting to, and querying, the configuration database may take.
const DB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What the Requirements checks read from Director, and what follows from
/// it — worked out in the background (a million users take a moment).
#[derive(Debug, Clone)]
pub struct DirectorSnapshot {
    /// The contract (the simulator) or a real Director's web interface.
    pub kind: DirectorKind,
    pub system: SystemInfo,
    pub users: Arc<Vec<UserRecord>>,
    pub checks: Vec<Check>,
    /// The default for "append a domain".
    pub common_email_domain: Option<String>,
    /// Connect Sync is already set up on this Director (an Account ID, a
    /// Token, sync on): it can be watched without setting it up again.
    /// Only the contract shows this; a real Director's Hybrid page cannot
    /// be read.
    pub set_up: Option<SyncSettings>,
}

impl DirectorSnapshot {
    fn new(system: SystemInfo, users: Vec<UserRecord>, transport: Transport) -> Self {
        let facts: Vec<UserFacts<'_>> = users.iter().map(UserRecord::facts).collect();
        let checks = requirements::checklist(transport, &system.build, &facts);
        Self::with_checks(DirectorKind::Contract, system, users, checks)
    }

    /// What a real Director's web interface shows: users and (perhaps) the
    /// build; DIDs and Escalation Profiles are not read, so Scribe and Fax
    /// are "not checked here".
    fn from_web(
        build: Result<String, String>,
        users: Vec<DirectoryUser>,
        transport: Transport,
    ) -> Self {
        let facts: Vec<UserFacts<'_>> = users.iter().map(UserFacts::without_services).collect();
        let checks = requirements::checklist_of(&requirements::Readable {
            transport,
            build: build.as_deref().map_err(Clone::clone),
            users: &facts,
            services: false,
            // A real Director's user documents carry the DID.
            dids: users.iter().all(|u| u.has_did.is_some()),
        });
        let records = users
            .into_iter()
            .map(|u| UserRecord {
                user_dn: u.user_dn.to_string(),
                first_name: u.first_name.to_string(),
                last_name: u.last_name.to_string(),
                client_username: u.client_username.to_string(),
                email: u.email.to_string(),
                did: if u.has_did == Some(true) {
                    "yes".into()
                } else {
                    String::new()
                },
                ..Default::default()
            })
            .collect();
        let system = SystemInfo {
            product: "Connect Director (web interface)".into(),
            build: build.unwrap_or_default(),
            hybrid_minimum: crate::domain::HYBRID_MINIMUM.to_string(),
        };
        Self::with_checks(DirectorKind::Web, system, records, checks)
    }

    fn with_checks(
        kind: DirectorKind,
        system: SystemInfo,
        users: Vec<UserRecord>,
        checks: Vec<Check>,
    ) -> Self {
        let common_email_domain =
            crate::domain::format::most_common_email_domain(users.iter().map(|u| u.email.as_str()));
        DirectorSnapshot {
            kind,
            system,
            users: Arc::new(users),
            checks,
            common_email_domain,
            set_up: None,
        }
    }

    /// "Connect Director 21.90.9743.0, web interface".
    pub fn describe(&self) -> String {
        let build = if self.system.build.is_empty() {
            String::new()
        } else {
            format!(" {}", self.system.build)
        };
        // A ShoreTel 14.2 system's Director is not a Connect one.
        let director = crate::domain::version::HybridScreens::of_build(&self.system.build).director;
        format!("{director}{build}, {}", self.kind.label())
    }
}

/// A fix's or undo's progress, as [`Event::FixProgress`].
fn fix_progress(
    notify: &(impl Fn(Event) + Send + Sync),
) -> impl Fn(usize, usize, &str) + Send + Sync + '_ {
    move |done, total, user| {
        notify(Event::FixProgress {
            done,
            total,
            user: user.to_string(),
        })
    }
}

/// Where a fix or an undo says how far it got: done, total, the user.
type Progress = Box<dyn Fn(usize, usize, &str) + Send + Sync>;

/// What a write to Director (a fix, or its undo) runs with.
struct Write {
    web: WebDirector,
    url: String,
    backups: PathBuf,
    progress: Progress,
    cancel: Arc<AtomicBool>,
}

/// Director's users with their ids in its web interface, shared.
pub type WebUsers = Arc<WebDirectory>;

/// A real Director's configuration database and its password.
#[derive(Debug, Clone)]
pub struct DatabaseSource {
    pub address: DatabaseAddress,
    pub password: Secret,
}

/// What a screen asks for; the app hands each to [`Tasks::run`]. Screens
/// only queue these, so each can be tested on its own without a runtime.
#[derive(Debug)]
pub enum Request {
    /// Point the Director client at `url` (trusting `pin`, a certificate
    /// the administrator accepted, or else the system's roots), sign in and
    /// read what the Requirements checks need.
    CheckRequirements {
        url: String,
        pin: Option<Fingerprint>,
        login: String,
        password: Secret,
        /// A real Director's configuration database, for users and the build.
        database: Option<DatabaseSource>,
    },
    /// Let Director calls sign in by themselves when they find no session.
    SetDirectorCredentials {
        login: String,
        password: Secret,
    },
    FetchTerms,
    Register(Box<RegistrationRequest>),
    FetchOutbox {
        to: String,
    },
    PortalSignIn {
        email: String,
        password: Secret,
    },
    RevealCredentials,
    StoreSecret {
        key: SecretKey,
        secret: Secret,
    },
    LoadSecret(SecretKey),
    /// Forget a keyring entry (a Director taken off the list).
    ForgetSecret(SecretKey),
    /// Save the Synchronization settings, then ask for a cycle now.
    SaveSettings(SyncSettingsUpdate),
    PollStatus,
    FormatUsernames {
        users: Arc<Vec<UserRecord>>,
        options: FormatOptions,
    },
    ExportReport {
        users: Arc<Vec<UserRecord>>,
        options: FormatOptions,
        rows: Rows,
    },
    SaveDiagnostics {
        settings_dir: PathBuf,
        secrets: Vec<Secret>,
    },
    /// The status panel is shown: keep Director's state coming.
    StartMonitor,
    StopMonitor,
    /// Poll Director now instead of at the next tick.
    CheckNow,
    /// Read Director again with the credentials already given and count
    /// the usernames in the way under `options` (the guided Save's
    /// verification); the result comes as [`Event::Verified`].
    VerifyUsernames {
        options: FormatOptions,
    },
    /// Stop reading Director (the users of a large directory take a while).
    CancelRead,
    /// Fix in Director: read the users with their web ids, and suggestions.
    FixRead {
        email_domain: Option<String>,
    },
    /// Ask for a changes file (CSV) and read it.
    FixImport,
    /// List the backups earlier fixes and undos wrote.
    FixListBackups,
    /// Judge these changes over the whole directory.
    FixPreview {
        users: WebUsers,
        wanted: Vec<Wanted>,
    },
    /// Make the accepted changes (a backup first).
    FixApply {
        changes: Vec<Change>,
        ids: Arc<HashMap<String, u64>>,
    },
    /// Read the users the fix with this backup changed and judge its undo.
    FixUndoPlan(PathBuf),
    /// Put back what a judged undo found to put back (a backup first).
    FixUndo(Box<UndoReview>),
    /// Stop a fix or undo before the next user.
    FixCancel,
}

#[derive(Debug)]
/// A file being watched (see [`Tasks::watch_file`]); dropping it stops.
pub struct FileWatch(tokio::task::AbortHandle);

impl Drop for FileWatch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

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
        key: SecretKey,
        result: Result<(), SecretStoreError>,
    },
    SecretLoaded {
        key: SecretKey,
        secret: Option<Secret>,
    },
    /// Saved; the number of sync cycles Director had run before saving.
    Saved(Result<(SyncSaved, u64), ApiError>),
    Status(Result<(SyncStatus, Vec<Alert>), ApiError>),
    Exported(Result<Option<PathBuf>, String>),
    DiagnosticsSaved(Result<Option<PathBuf>, String>),
    Monitor(MonitorEvent),
    /// From the watch on a real Director (see `service::drift_watch`).
    Drift(DriftEvent),
    /// The settings file changed on disk (this window's own save, or
    /// `directors add` / `remove`, or another window).
    SettingsFileChanged,
    /// Reading Director was cancelled; nothing read was kept.
    ReadCancelled,
    /// Director read again after the guided Save, with the count.
    Verified(Result<(DirectorSnapshot, Reading), ApiError>),
    /// The users with their web ids, and what the program suggests.
    FixRead(Result<(WebUsers, Suggestions), ApiError>),
    /// A changes file read (`Ok(None)`: the dialog was cancelled).
    FixImported(Result<Option<Vec<Wanted>>, String>),
    /// The backups of earlier fixes and undos, newest first.
    FixBackups(Vec<crate::service::fix::BackupSummary>),
    FixPreviewed(Box<Preview>),
    /// A fix or undo: `done` of `total` users, the last one named.
    FixProgress {
        done: usize,
        total: usize,
        user: String,
    },
    /// An undo judged: what it would put back, or why it is refused.
    FixUndoPlanned(Result<Box<UndoReview>, String>),
    FixDone(Result<Box<FixReport>, String>),
    /// Outcomes for every user under `options`, in the users' order.
    Formatted {
        options: FormatOptions,
        rows: Arc<Vec<Formatted>>,
    },
    /// What the last polls of every Director found (the Directors view),
    /// in the order they were asked for.
    Directors(Vec<DirectorReading>),
}

/// The window's handle on background work. Screens do not call it: they
/// queue [`Request`]s, and the app hands them over with [`Tasks::run`].
pub struct Tasks {
    runtime: tokio::runtime::Handle,
    director: Mutex<Arc<HttpDirector>>,
    portal: Arc<HttpPortal>,
    secrets: Arc<dyn SecretStore>,
    options: Mutex<ClientOptions>,
    /// The Director sign-in last given, for work that signs in by itself.
    credentials: SharedCredentials,
    /// The configuration database given on the Requirements step.
    database: Mutex<Option<DatabaseSource>>,
    /// A fix in progress stops before the next user when this is set.
    fix_cancel: Arc<AtomicBool>,
    /// Where fixes keep their backups: beside the window's settings.
    backup_dir: Mutex<PathBuf>,
    /// The Director read in progress, so Cancel can stop it.
    reading: Mutex<Option<tokio::task::AbortHandle>>,
    tx: Sender<Event>,
    rx: Receiver<Event>,
    repaint: Arc<OnceLock<egui::Context>>,
}

impl Tasks {
    /// Keeps fixes' backups in `dir` (the window's settings folder's
    /// `backups`, so a window run on another settings folder — a test's —
    /// never reads or writes the real one).
    pub fn use_backup_dir(&self, dir: PathBuf) {
        *self.backup_dir.lock().unwrap_or_else(|e| e.into_inner()) = dir;
    }

    fn backups(&self) -> PathBuf {
        self.backup_dir
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn new(
        runtime: tokio::runtime::Handle,
        director_url: &str,
        portal_url: &str,
        secrets: Arc<dyn SecretStore>,
        options: ClientOptions,
    ) -> Result<Self, ApiError> {
        let (tx, rx) = channel();
        Ok(Tasks {
            runtime,
            director: Mutex::new(Arc::new(HttpDirector::new(director_url, options)?)),
            // A certificate pinned for Director is Director's alone: the
            // Portal is checked against the system's roots only.
            portal: Arc::new(HttpPortal::new(
                portal_url,
                ClientOptions {
                    pinned_certificate: None,
                    ..options
                },
            )?),
            secrets,
            options: Mutex::new(options),
            credentials: SharedCredentials::default(),
            database: Mutex::new(None),
            fix_cancel: Arc::default(),
            backup_dir: Mutex::new(crate::store::paths::backup_dir()),
            reading: Mutex::new(None),
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
    fn set_director(&self, url: &str, pin: Option<Fingerprint>) -> Result<(), ApiError> {
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

    fn spawn(
        &self,
        work: impl Future<Output = Event> + Send + 'static,
    ) -> tokio::task::AbortHandle {
        let tx = self.tx.clone();
        let repaint = self.repaint.clone();
        self.runtime
            .spawn(async move {
                let event = work.await;
                let _ = tx.send(event);
                if let Some(ctx) = repaint.get() {
                    ctx.request_repaint();
                }
            })
            .abort_handle()
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

    /// Starts the work `request` asks for; its result comes back as an [`Event`].
    /// The monitor's handle is the caller's to keep (see [`Tasks::start_monitor`]).
    pub fn run(&self, request: Request) {
        match request {
            Request::CheckRequirements {
                url,
                pin,
                login,
                password,
                database,
            } => match self.set_director(&url, pin) {
                Ok(()) => {
                    self.set_director_credentials(&login, &password);
                    *self.database.lock().unwrap_or_else(|e| e.into_inner()) = database;
                    self.check_requirements(login, password);
                }
                Err(e) => {
                    let _ = self.tx.send(Event::Requirements(Err(e)));
                }
            },
            Request::VerifyUsernames { options } => self.verify_usernames(options),
            Request::CancelRead => self.cancel_read(),
            Request::FixRead { email_domain } => self.fix_read(email_domain),
            Request::FixImport => self.fix_import(),
            Request::FixListBackups => {
                let dir = self.backups();
                self.spawn(async move {
                    let listed = tokio::task::spawn_blocking(move || {
                        crate::service::fix::list_backups(&dir)
                    })
                    .await
                    .unwrap_or_default();
                    Event::FixBackups(listed)
                });
            }
            Request::FixPreview { users, wanted } => {
                self.spawn(async move {
                    let preview = tokio::task::spawn_blocking(move || {
                        crate::domain::fix::preview(&users.users, &wanted)
                    })
                    .await
                    .unwrap_or_default();
                    Event::FixPreviewed(Box::new(preview))
                });
            }
            Request::FixApply { changes, ids } => self.fix_apply(changes, ids),
            Request::FixUndoPlan(backup) => self.fix_undo_plan(backup),
            Request::FixUndo(review) => self.fix_undo(*review),
            Request::FixCancel => self
                .fix_cancel
                .store(true, std::sync::atomic::Ordering::Relaxed),
            Request::SetDirectorCredentials { login, password } => {
                self.set_director_credentials(&login, &password)
            }
            Request::FetchTerms => self.fetch_terms(),
            Request::Register(request) => self.register(*request),
            Request::FetchOutbox { to } => self.fetch_outbox(to),
            Request::PortalSignIn { email, password } => self.portal_sign_in(email, password),
            Request::RevealCredentials => self.reveal_credentials(),
            Request::StoreSecret { key, secret } => self.store_secret(key, secret),
            Request::LoadSecret(key) => self.load_secret(key),
            Request::ForgetSecret(key) => {
                let secrets = self.secrets.clone();
                // The keyring may block: off the UI thread.
                self.runtime
                    .spawn_blocking(move || secrets.forget(&key.entry_name()));
            }
            Request::SaveSettings(update) => self.save_settings(update),
            Request::PollStatus => self.poll_status(),
            Request::FormatUsernames { users, options } => self.format_usernames(users, options),
            Request::ExportReport {
                users,
                options,
                rows,
            } => self.export_report(users, options, rows),
            Request::SaveDiagnostics {
                settings_dir,
                secrets,
            } => self.save_diagnostics(settings_dir, secrets),
            // The app owns the monitor; these never reach here.
            Request::StartMonitor | Request::StopMonitor | Request::CheckNow => {}
        }
    }

    /// Lets Director calls sign in by themselves when they find no session.
    /// Another Director from now on (the Directors view opened one): its
    /// own client, no sign-in of the previous one kept, and a read of the
    /// previous one still under way dropped without a word (its result
    /// must not land on this one).
    pub fn use_director(&self, url: &str, pin: Option<Fingerprint>) -> Result<(), ApiError> {
        *self.credentials.lock().unwrap_or_else(|e| e.into_inner()) = None;
        if let Some(reading) = self
            .reading
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            reading.abort();
        }
        self.set_director(url, pin)
    }

    fn set_director_credentials(&self, login: &str, password: &Secret) {
        self.director().set_credentials(login, password);
        *self.credentials.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((login.to_string(), password.clone()));
    }

    fn saved_credentials(&self) -> Option<(String, Secret)> {
        self.credentials
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn cancel_read(&self) {
        if let Some(reading) = self
            .reading
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            && !reading.is_finished()
        {
            reading.abort();
            let _ = self.tx.send(Event::ReadCancelled);
        }
    }

    /// Signs in to Director's web interface with the credentials given on
    /// the Requirements step.
    fn web_sign_in(&self) -> impl Future<Output = Result<WebDirector, ApiError>> + Send + 'static {
        let url = self.director_url();
        let options = self.options();
        let credentials = self.saved_credentials();
        async move {
            let Some((login, password)) = credentials else {
                return Err(ApiError::Unauthorized {
                    message: "Sign in to Director again on the Requirements step.".into(),
                });
            };
            WebDirector::sign_in(&url, options, &login, &password).await
        }
    }

    fn fix_read(&self, email_domain: Option<String>) {
        let sign_in = self.web_sign_in();
        let notify = self.notifier();
        self.spawn(async move {
            let result = async {
                let web = sign_in.await?;
                let users = web
                    .users_with_ids(&|done, total| notify(Event::UsersProgress { done, total }))
                    .await?;
                let users = Arc::new(users);
                let suggestions = tokio::task::spawn_blocking({
                    let users = users.clone();
                    move || crate::domain::fix::suggest(&users.users, email_domain.as_deref())
                })
                .await
                .unwrap_or_default();
                Ok((users, suggestions))
            }
            .await;
            Event::FixRead(result)
        });
    }

    fn fix_import(&self) {
        let dialog = rfd::AsyncFileDialog::new()
            .set_title("Import changes")
            .add_filter("CSV (Excel)", &["csv"]);
        self.spawn(async move {
            let Some(file) = dialog.pick_file().await else {
                return Event::FixImported(Ok(None));
            };
            let path = file.path().to_path_buf();
            let read = tokio::task::spawn_blocking(move || {
                crate::service::fix::read_changes_file(&path).map(Some)
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            Event::FixImported(read)
        });
    }

    fn fix_apply(&self, changes: Vec<Change>, ids: Arc<HashMap<String, u64>>) {
        self.spawn_write(move |w| async move {
            crate::service::fix::apply(
                &w.web,
                &w.url,
                &changes,
                &ids,
                &w.backups,
                RunKind::Fix,
                &*w.progress,
                &w.cancel,
            )
            .await
        });
    }

    fn fix_undo_plan(&self, backup: PathBuf) {
        let sign_in = self.web_sign_in();
        let url = self.director_url();
        self.spawn(async move {
            let result = async {
                let read = backup.clone();
                let saved =
                    tokio::task::spawn_blocking(move || crate::service::fix::read_backup(&read))
                        .await
                        .map_err(|e| e.to_string())??;
                let web = sign_in.await.map_err(|e| e.to_string())?;
                crate::service::fix::plan_undo(&web, &url, &backup, &saved)
                    .await
                    .map(Box::new)
                    .map_err(|e| e.to_string())
            }
            .await;
            Event::FixUndoPlanned(result)
        });
    }

    fn fix_undo(&self, review: UndoReview) {
        self.spawn_write(move |w| async move {
            crate::service::fix::undo(&w.web, &w.url, &review, &w.backups, &*w.progress, &w.cancel)
                .await
        });
    }

    /// Signs in, then runs `write` (a fix or its undo) with the backup
    /// folder, progress events and a fresh cancel flag; its report, or why
    /// there is none, comes back as [`Event::FixDone`].
    fn spawn_write<F, Fut>(&self, write: F)
    where
        F: FnOnce(Write) -> Fut + Send + 'static,
        Fut: Future<Output = Result<FixReport, String>> + Send,
    {
        let backups = self.backups();
        let sign_in = self.web_sign_in();
        let url = self.director_url();
        let notify = self.notifier();
        let cancel = self.fix_cancel.clone();
        cancel.store(false, std::sync::atomic::Ordering::Relaxed);
        self.spawn(async move {
            let result = async {
                let web = sign_in.await.map_err(|e| e.to_string())?;
                let progress = Box::new(move |done, total, user: &str| {
                    fix_progress(&notify)(done, total, user)
                });
                write(Write {
                    web,
                    url,
                    backups,
                    progress,
                    cancel,
                })
                .await
                .map(Box::new)
            }
            .await;
            Event::FixDone(result)
        });
    }

    /// Starts watching a real Director's users for drift; its events arrive
    /// as [`Event::Drift`].
    pub fn start_drift_watch(
        &self,
        options: crate::domain::format::FormatOptions,
        every: std::time::Duration,
    ) -> MonitorHandle {
        let notify = self.notifier();
        let config = DriftConfig {
            url: self.director_url(),
            client: self.options(),
            options,
            every,
            first_retry: std::time::Duration::from_secs(5),
            max_backoff: monitor::MAX_BACKOFF,
        };
        // After a refused sign-in, a password stored in the keyring since
        // (by `directors add`, say) is noticed without asking Director.
        let (secrets, url, credentials) = (
            self.secrets.clone(),
            self.director_url(),
            self.credentials.clone(),
        );
        let reread: crate::service::exporter::Reread = Arc::new(move || {
            let login = credentials
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
                .map(|(login, _)| login.clone())?;
            let key = SecretKey::DirectorPassword {
                director: url.clone(),
                login,
            };
            secrets.get(&key.entry_name())
        });
        drift_watch::spawn(
            &self.runtime,
            config,
            self.credentials.clone(),
            Some(reread),
            move |event| notify(Event::Drift(event)),
        )
    }

    /// Tells when the file at `path` changes (a look at its time every 2 s,
    /// off the UI thread); dropping the handle stops it.
    pub fn watch_file(&self, path: PathBuf) -> FileWatch {
        let notify = self.notifier();
        let task = self.runtime.spawn(async move {
            let modified = || std::fs::metadata(&path).and_then(|m| m.modified()).ok();
            let mut seen = modified();
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
            loop {
                tick.tick().await;
                let now = modified();
                if now != seen {
                    seen = now;
                    notify(Event::SettingsFileChanged);
                }
            }
        });
        FileWatch(task.abort_handle())
    }

    /// Polls every Director in `members` for the Directors view (see
    /// `service::fleet`); dropping the watch stops it.
    pub fn watch_directors(&self, members: Vec<fleet::Member>) -> fleet::FleetWatch {
        let notify = self.notifier();
        fleet::watch(&self.runtime, members, self.secrets.clone(), move |all| {
            notify(Event::Directors(all))
        })
    }

    pub fn start_monitor(&self, config: MonitorConfig) -> MonitorHandle {
        let notify = self.notifier();
        monitor::spawn(&self.runtime, self.director(), config, move |event| {
            notify(Event::Monitor(event))
        })
    }

    /// Signs in to Director and reads what the Requirements checks need.
    fn check_requirements(&self, login: String, password: Secret) {
        let read = self.read_director(login, password);
        let reading = self.spawn(async move { Event::Requirements(read.await) });
        *self.reading.lock().unwrap_or_else(|e| e.into_inner()) = Some(reading);
    }

    /// Reads Director again and counts the client usernames in the way
    /// under `options`: the guided Save's verification.
    fn verify_usernames(&self, options: FormatOptions) {
        let Some((login, password)) = self.saved_credentials() else {
            let _ = self.tx.send(Event::Verified(Err(ApiError::Unauthorized {
                message: "Sign in to Director again on the Requirements step.".into(),
            })));
            return;
        };
        let read = self.read_director(login, password);
        let reading = self.spawn(async move {
            let result = async {
                let snapshot = read.await?;
                let users = snapshot.users.clone();
                let build = Ok(snapshot.system.build.clone());
                let reading = tokio::task::spawn_blocking(move || {
                    Reading::of(build, &crate::contract::directory_users(&users), &options)
                })
                .await
                .map_err(|e| ApiError::Protocol {
                    url: String::new(),
                    detail: format!("counting the usernames failed: {e}"),
                })?;
                Ok((snapshot, reading))
            }
            .await;
            Event::Verified(result)
        });
        *self.reading.lock().unwrap_or_else(|e| e.into_inner()) = Some(reading);
    }

    /// Signs in to Director and reads what the Requirements checks need.
    fn read_director(
        &self,
        login: String,
        password: Secret,
    ) -> impl Future<Output = Result<DirectorSnapshot, ApiError>> + Send + 'static {
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
        let options = self.options();
        let database = self
            .database
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        async move {
            let url = director.base_url().to_string();
            let failed = |e: tokio::task::JoinError| ApiError::Protocol {
                url: url.clone(),
                detail: format!("checking the users failed: {e}"),
            };
            // A real Director answers with its own web interface, not
            // the contract: read what that shows.
            if detect(&url, options).await? == DirectorKind::Web {
                let web = WebDirector::sign_in(&url, options, &login, &password).await?;
                let build = web.build().await.map(|b| b.to_string()).map_err(|e| {
                    format!("{}. {}", e.to_string().trim_end_matches('.'), e.advice())
                });
                let users = match &database {
                    // One query instead of a request per user.
                    Some(db) => database::read_users(&db.address, &db.password, DB_TIMEOUT)
                        .await
                        .map_err(|e| ApiError::Protocol {
                            url: db.address.endpoint(),
                            detail: e.to_string(),
                        })?,
                    None => {
                        web.users(&|done, total| notify(Event::UsersProgress { done, total }))
                            .await?
                    }
                };
                // The configuration database keeps the build too.
                let build = match (build, &database) {
                    (Err(why), Some(db)) => {
                        database::read_build(&db.address, &db.password, DB_TIMEOUT)
                            .await
                            .map_err(|e| format!("{why} The configuration database: {e}"))
                    }
                    (build, _) => build,
                };
                return tokio::task::spawn_blocking(move || {
                    DirectorSnapshot::from_web(build, users, transport)
                })
                .await
                .map_err(failed);
            }
            director.login(&login, &password).await?;
            let system = director.system_info().await?;
            let users = director
                .users(|done, total| notify(Event::UsersProgress { done, total }))
                .await?;
            let set_up = director
                .sync_settings()
                .await
                .ok()
                .filter(|s| s.enabled && s.token_set && !s.account_id.is_empty());
            let mut snapshot = tokio::task::spawn_blocking(move || {
                DirectorSnapshot::new(system, users, transport)
            })
            .await
            .map_err(failed)?;
            snapshot.set_up = set_up;
            Ok(snapshot)
        }
    }

    fn options(&self) -> ClientOptions {
        *self.options.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn fetch_terms(&self) {
        let portal = self.portal.clone();
        self.spawn(async move { Event::Terms(portal.terms().await) });
    }

    fn register(&self, request: RegistrationRequest) {
        let portal = self.portal.clone();
        self.spawn(async move { Event::Registered(portal.register(&request).await) });
    }

    fn fetch_outbox(&self, to: String) {
        let portal = self.portal.clone();
        self.spawn(async move { Event::Outbox(portal.outbox(&to).await) });
    }

    fn portal_sign_in(&self, email: String, password: Secret) {
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

    fn reveal_credentials(&self) {
        let portal = self.portal.clone();
        self.spawn(async move { Event::Credentials(portal.reveal_credentials().await) });
    }

    /// Keyring calls can block on D-Bus: run them on the blocking pool.
    fn store_secret(&self, key: SecretKey, secret: Secret) {
        let secrets = self.secrets.clone();
        self.spawn(async move {
            let result = put_off_thread(secrets, key.entry_name(), secret).await;
            Event::SecretStored { key, result }
        });
    }

    fn load_secret(&self, key: SecretKey) {
        let secrets = self.secrets.clone();
        self.spawn(async move {
            let secret = get_off_thread(secrets, key.entry_name()).await;
            Event::SecretLoaded { key, secret }
        });
    }

    /// Saves the Synchronization settings, then asks for a cycle now.
    fn save_settings(&self, update: SyncSettingsUpdate) {
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

    fn poll_status(&self) {
        let director = self.director();
        self.spawn(async move { Event::Status(director.sync_state().await) });
    }

    /// Formats every user under `options` off the UI thread (a second for a
    /// million users would freeze the window).
    fn format_usernames(&self, users: Arc<Vec<UserRecord>>, options: FormatOptions) {
        self.spawn(async move {
            let for_task = options.clone();
            let rows = tokio::task::spawn_blocking(move || {
                let directory = crate::contract::directory_users(&users);
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
    fn save_diagnostics(&self, settings_dir: PathBuf, secrets: Vec<Secret>) {
        let dialog = rfd::AsyncFileDialog::new()
            .set_title("Save diagnostics for support")
            .set_file_name("hybrid-setup-diagnostics.txt")
            .add_filter("Text", &["txt"]);
        self.save_as(dialog, Event::DiagnosticsSaved, move |path| {
            let store = crate::store::settings::SettingsStore::new(settings_dir);
            let report = crate::service::diagnostics::collect(
                &store,
                &crate::store::paths::log_dir(),
                &secrets,
            );
            crate::store::atomic_file::write_atomic(path, report.as_bytes())
                .map_err(|e| format!("Could not write {}: {e}", path.display()))
        });
    }

    /// Asks where to save the audit report (the file name's extension picks
    /// CSV, JSON or text), then builds and writes it.
    fn export_report(&self, users: Arc<Vec<UserRecord>>, options: FormatOptions, rows: Rows) {
        let dialog = rfd::AsyncFileDialog::new()
            .set_title("Export the username audit")
            .set_file_name("client-usernames.csv")
            .add_filter("CSV (Excel)", &["csv"])
            .add_filter("JSON", &["json"])
            .add_filter("Text", &["txt"]);
        self.save_as(dialog, Event::Exported, move |path| {
            write_report_file(&users, &options, rows, path)
        });
    }

    /// The system's save dialog, then `write` to the chosen path on the
    /// blocking pool; `done` wraps the outcome (`Ok(None)`: cancelled).
    fn save_as(
        &self,
        dialog: rfd::AsyncFileDialog,
        done: fn(Result<Option<PathBuf>, String>) -> Event,
        write: impl FnOnce(&std::path::Path) -> Result<(), String> + Send + 'static,
    ) {
        self.spawn(async move {
            let Some(handle) = dialog.save_file().await else {
                return done(Ok(None));
            };
            let path = handle.path().to_path_buf();
            let written = tokio::task::spawn_blocking(move || write(&path).map(|()| Some(path)))
                .await
                .unwrap_or_else(|_| Err("Could not write the file.".into()));
            done(written)
        });
    }
}
