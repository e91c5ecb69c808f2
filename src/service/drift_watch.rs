//! Watching a real Director (its web interface) — the status panel, the
//! icon and `status --watch` all use this one watch: on a schedule — every
//! 15 minutes unless the admin chose otherwise — sign in, read the build
//! and the users (gently: `service::web_users`), and count the client
//! usernames that would fail Connect Sync under the saved options. Each look is reported;
//! a notification only when something changed; failures back off. The Hybrid alarm is not read: no known
//! interface shows it (see `domain::drift`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::client::http::{ApiError, ClientOptions};
use crate::domain::alarm::{Notification, Status};
use crate::domain::drift::{DriftNotifier, Reading, Watched};
use crate::domain::format::FormatOptions;
use crate::domain::secret::Secret;
use crate::domain::sign_in::SignInGuard;
use crate::service::exporter::Reread;
use crate::service::monitor::{Backoff, MonitorHandle};
use crate::service::web_users::WebReader;

/// Users are read again this often by default.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(15 * 60);

/// The login name and password to sign in with, shared with whoever learns
/// them (the Requirements step, a password typed on the panel).
pub type SharedCredentials = Arc<Mutex<Option<(String, Secret)>>>;

#[derive(Debug, Clone)]
pub struct DriftConfig {
    pub url: String,
    pub client: ClientOptions,
    pub options: FormatOptions,
    pub every: Duration,
    pub first_retry: Duration,
    pub max_backoff: Duration,
}

/// What one look found.
#[derive(Debug, Clone)]
pub struct DriftSnapshot {
    pub watched: Watched,
    pub status: Status,
    /// The error behind an unreadable look (a refused sign-in asks for the
    /// password again).
    pub error: Option<ApiError>,
    pub checked_at: Instant,
    pub next_check_in: Duration,
    /// Looks in a row that could not reach Director (0 after a reading).
    pub unreachable_in_a_row: u32,
    /// Director was not asked: the password it refused has not changed
    /// and its back-off has not passed (see `domain::sign_in`).
    pub held_back: bool,
}

#[derive(Debug, Clone)]
pub enum DriftEvent {
    /// Reading users: `done` of `total`.
    Progress {
        done: u64,
        total: u64,
    },
    Changed(Box<DriftSnapshot>),
    Notify(Notification),
    /// No password to sign in with yet.
    NeedsPassword,
}

/// Starts watching on `runtime`; dropping the handle stops it, and its
/// `check_now` looks at once. Notifications come only when what a person
/// would be told changed (`DriftNotifier`). After a refused sign-in the
/// same password is not sent again before its back-off, not even on
/// `check_now`; `reread` (the keyring, blocking) is asked for a new one.
pub fn spawn(
    runtime: &tokio::runtime::Handle,
    config: DriftConfig,
    credentials: SharedCredentials,
    reread: Option<Reread>,
    listener: impl Fn(DriftEvent) + Send + Sync + 'static,
) -> MonitorHandle {
    let (handle, poke, mut stopped) = MonitorHandle::new();
    let listener = Arc::new(listener);
    runtime.spawn(async move {
        let mut reader = WebReader::new(&config.url, config.client);
        let mut notifier = DriftNotifier::default();
        let mut backoff = Backoff::new(config.every, config.first_retry, config.max_backoff);
        let mut guard = SignInGuard::default();
        let mut unreachable_in_a_row = 0;
        // "Check now" reads every user's document, not only the changed.
        let mut full = false;
        loop {
            // The password in use is held back: a new one stored since (the
            // keyring) is taken; one typed in the window already is kept.
            let held = |shared: &SharedCredentials| {
                let shared = shared.lock().unwrap_or_else(|e| e.into_inner());
                shared
                    .as_ref()
                    .is_some_and(|(_, p)| guard.may_try(p, Instant::now()).is_err())
            };
            if held(&credentials)
                && let Some(reread) = reread.clone()
                && let Ok(Some(new)) = tokio::task::spawn_blocking(move || reread()).await
            {
                let mut shared = credentials.lock().unwrap_or_else(|e| e.into_inner());
                if let Some((_, password)) = shared.as_mut() {
                    *password = new;
                }
            }
            let signed_in = credentials
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let wait = match signed_in {
                None => {
                    listener(DriftEvent::NeedsPassword);
                    reader.end_session();
                    config.every
                }
                Some((login, password)) => {
                    let now = Instant::now();
                    let (watched, error, held_back) = match guard.may_try(&password, now) {
                        Err(words) => (Watched::Refused(words), None, true),
                        Ok(()) => {
                            let progress = listener.clone();
                            let (watched, error) = look(
                                &config,
                                &mut reader,
                                std::mem::take(&mut full),
                                &login,
                                &password,
                                &move |done, total| progress(DriftEvent::Progress { done, total }),
                            )
                            .await;
                            let watched = match watched {
                                Watched::Refused(why) => {
                                    let words = guard.refused(&password, &why, Instant::now());
                                    tracing::warn!("{words}");
                                    Watched::Refused(words)
                                }
                                Watched::Read(r) => {
                                    guard.accepted();
                                    Watched::Read(r)
                                }
                                unreachable => unreachable,
                            };
                            (watched, error, false)
                        }
                    };
                    unreachable_in_a_row = match &watched {
                        Watched::Unreachable(_) => unreachable_in_a_row + 1,
                        _ => 0,
                    };
                    let wait = match guard.retry_at() {
                        // Held back: look again when the back-off ends (a
                        // new password is noticed on the next look, or at
                        // once through `check_now`).
                        Some(at) => at
                            .saturating_duration_since(Instant::now())
                            .min(config.every)
                            .max(config.first_retry),
                        None => backoff.after(error.is_none()),
                    };
                    if let Some(notification) = notifier.observe(&watched, unreachable_in_a_row) {
                        listener(DriftEvent::Notify(notification));
                    }
                    // Every look is reported (one every 15 minutes): the
                    // panel's "checked 2 min ago" is the last look's.
                    listener(DriftEvent::Changed(Box::new(DriftSnapshot {
                        status: watched.status(),
                        watched,
                        error,
                        checked_at: Instant::now(),
                        next_check_in: wait,
                        unreachable_in_a_row,
                        held_back,
                    })));
                    // A check of 10,000 users freed a few MB: give them back.
                    crate::service::memory::give_back_freed();
                    wait
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = poke.notified() => full = true,
                _ = stopped.wait_for(|s| *s) => return,
            }
        }
    });
    handle
}

/// Signs in (once; the client keeps its session fresh) and reads the
/// build and the users (see `service::web_users`): the list's pages, and
/// the documents of users new or changed there — all of them when `full`.
async fn look(
    config: &DriftConfig,
    reader: &mut WebReader,
    full: bool,
    login: &str,
    password: &Secret,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> (Watched, Option<ApiError>) {
    if let Err(e) = reader.sign_in(login, password).await {
        return (unreadable(&e), Some(e));
    }
    let build = reader.build().await.map_err(|e| e.to_string());
    match reader.users(full, progress).await {
        Ok(users) => {
            let options = config.options.clone();
            let reading = tokio::task::spawn_blocking(move || Reading::of(build, &users, &options))
                .await
                .map_err(|e| e.to_string());
            match reading {
                Ok(reading) => (Watched::Read(reading), None),
                Err(why) => (Watched::Unreachable(why), None),
            }
        }
        Err(e) => (unreadable(&e), Some(e)),
    }
}

fn unreadable(error: &ApiError) -> Watched {
    match error {
        ApiError::Unauthorized { message } => {
            Watched::Refused(crate::domain::sign_in::reason(message).to_string())
        }
        ApiError::Locked { .. } => Watched::Refused(error.to_string()),
        other => Watched::Unreachable(other.to_string()),
    }
}
