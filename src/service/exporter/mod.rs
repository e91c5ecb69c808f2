//! The Prometheus exporter's engine: every Director of `directors.toml` is
//! polled on its own schedule, at most `concurrency` at once; each poll's
//! result replaces that Director's reading. A scrape only reads the
//! readings, so a slow or broken Director never holds it up.

pub mod http;
pub mod serve;
pub mod web_config;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::Semaphore;

use crate::client::director::kind::detect;
use crate::client::director::{Director, HttpDirector};
use crate::client::http::{ApiError, ClientOptions, RetryPolicy};
use crate::contract::sync_report;
use crate::domain::alarm::{self, AlarmState};
use crate::domain::director_kind::DirectorKind;
use crate::domain::directors_file::WatchedDirector;
use crate::domain::drift::Reading;
use crate::domain::metrics::DirectorReading;
use crate::domain::secret::Secret;
use crate::domain::sign_in::SignInGuard;
use crate::service::web_users::WebReader;

/// The longest one poll may take; a Director slower than that is down for
/// this round (its next poll comes on schedule).
const POLL_DEADLINE: Duration = Duration::from_secs(30);
/// A read of a real Director's users that failed is not tried again
/// sooner than this; the polls in between check the sign-in and the build.
const WEB_USERS_EVERY: Duration = Duration::from_secs(15 * 60);
/// The most users the exporter keeps of one Director (the one-shot audit
/// reads up to a million): a hostile or broken Director cannot balloon it.
pub const MAX_USERS: usize = 200_000;
/// The most bytes of user list it reads from one Director.
pub const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;
/// The longest summary kept (an alert Description is a sentence or two).
pub const MAX_SUMMARY_CHARS: usize = 1_000;

/// A build as Director should report it (`21.90.9743.0`); anything else is
/// not passed on as a label.
fn checked_build(build: String) -> Result<String, String> {
    let plausible = build.len() <= 32 && build.chars().all(|c| c.is_ascii_digit() || c == '.');
    match build.parse::<crate::domain::version::BuildNumber>() {
        Ok(number) if plausible => Ok(number.to_string()),
        _ => Err(format!(
            "the build Director reported is malformed ({} characters, not digits and dots)",
            build.chars().count()
        )),
    }
}

/// Reads a Director's password again (its keyring entry, its variable), to
/// notice a new one after a refused sign-in; blocking (a keyring call).
pub type Reread = Arc<dyn Fn() -> Option<Secret> + Send + Sync>;

/// A Director to watch, with its password at hand.
pub struct Target {
    pub director: WatchedDirector,
    pub password: Secret,
    /// Where the password can be read again; `None`: only this one.
    pub reread: Option<Reread>,
}

/// The running exporter: readings in the order of the file.
pub struct Exporter {
    readings: Arc<RwLock<Vec<DirectorReading>>>,
    started: Instant,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Exporter {
    /// Starts polling `targets` on the current runtime.
    pub fn start(targets: Vec<Target>, concurrency: usize) -> Self {
        let readings = Arc::new(RwLock::new(
            targets
                .iter()
                .map(|t| DirectorReading::not_polled(&t.director.name))
                .collect(),
        ));
        let limit = Arc::new(Semaphore::new(concurrency.max(1)));
        let tasks = targets
            .into_iter()
            .enumerate()
            .map(|(index, target)| {
                let readings = readings.clone();
                let limit = limit.clone();
                tokio::spawn(async move { watch(index, target, limit, readings).await })
            })
            .collect();
        Exporter {
            readings,
            started: Instant::now(),
            tasks,
        }
    }

    /// What was last read from each Director (a copy; nothing waits on a poll).
    pub fn readings(&self) -> Vec<DirectorReading> {
        self.readings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Polls one Director for ever, every `interval`.
async fn watch(
    index: usize,
    target: Target,
    limit: Arc<Semaphore>,
    readings: Arc<RwLock<Vec<DirectorReading>>>,
) {
    let mut session = Session::new(&target);
    let mut next = tokio::time::Instant::now();
    loop {
        tokio::time::sleep_until(next).await;
        next += target.director.interval;
        let reading = {
            let Ok(_permit) = limit.acquire().await else {
                return;
            };
            let started = Instant::now();
            let read = tokio::time::timeout(
                POLL_DEADLINE.min(target.director.interval),
                session.poll(Instant::now()),
            )
            .await
            .unwrap_or_else(|_| Err(Poll::Failed("no answer within the poll's deadline".into())));
            let seconds = started.elapsed().as_secs_f64();
            let mut reading = match read {
                Ok(reading) => reading,
                Err(Poll::Failed(reason)) => {
                    tracing::warn!(director = %target.director.name, "poll failed: {reason}");
                    DirectorReading {
                        summary: format!("cannot read Director: {reason}"),
                        ..DirectorReading::not_polled(&target.director.name)
                    }
                }
                Err(Poll::Refused(refusal)) => DirectorReading {
                    sign_in_refused: true,
                    summary: format!("sign-in refused: {refusal}"),
                    ..DirectorReading::not_polled(&target.director.name)
                },
            };
            reading.name.clone_from(&target.director.name);
            reading.summary =
                crate::domain::text::cut(&reading.summary, MAX_SUMMARY_CHARS).into_owned();
            reading.poll_seconds = Some(seconds);
            reading.polled_at = Some(unix_now());
            reading
        };
        if let Some(slot) = readings
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(index)
        {
            *slot = reading;
        }
        // Far behind (the machine slept): start again from now.
        let now = tokio::time::Instant::now();
        if next < now {
            next = now;
        }
    }
}

/// Why a poll gave no reading (logged, never shown in metrics).
#[derive(Debug)]
enum Poll {
    Failed(String),
    /// Director refused the sign-in (or it was refused before and the
    /// password has not changed): the words for people.
    Refused(String),
}

impl From<ApiError> for Poll {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unauthorized { message } => Poll::Refused(message),
            other => Poll::Failed(other.to_string()),
        }
    }
}

/// One Director's connection across polls: its kind once known, and the
/// contract's signed-in client.
struct Session {
    director: WatchedDirector,
    password: Secret,
    options: ClientOptions,
    kind: Option<DirectorKind>,
    contract: Option<HttpDirector>,
    /// A real Director's web interface: the watches' reader.
    web: WebReader,
    /// The last read of the users that failed: why, when.
    web_users_failed: Option<(String, Instant)>,
    /// Where the password can be read again, and the last refusal.
    reread: Option<Reread>,
    guard: SignInGuard,
}

impl Session {
    fn new(target: &Target) -> Self {
        let options = ClientOptions {
            pinned_certificate: target.director.certificate,
            // The next poll is the retry; one quick one for a blip.
            retry: RetryPolicy {
                attempts: 2,
                first_delay: Duration::from_millis(250),
                max_delay: Duration::from_secs(1),
            },
            ..ClientOptions::default()
        };
        Session {
            director: target.director.clone(),
            password: target.password.clone(),
            options,
            kind: target.director.kind,
            contract: None,
            web: WebReader::new(&target.director.url, options)
                .with_list_limits(MAX_USERS, MAX_LIST_BYTES),
            web_users_failed: None,
            reread: target.reread.clone(),
            guard: SignInGuard::default(),
        }
    }

    /// One poll, never signing in again with a password Director refused:
    /// until the password changes or the back-off has passed, the refusal
    /// is repeated without asking Director.
    async fn poll(&mut self, now: Instant) -> Result<DirectorReading, Poll> {
        if self.guard.is_refused()
            && let Some(reread) = self.reread.clone()
            && let Ok(Some(new)) = tokio::task::spawn_blocking(move || reread()).await
            && new != self.password
        {
            tracing::info!(director = %self.director.name, "the password changed: signing in again");
            self.password = new;
            self.contract = None;
            self.web.end_session();
        }
        self.guard
            .may_try(&self.password, now)
            .map_err(Poll::Refused)?;
        let polled = self.poll_signed_in(now).await;
        match &polled {
            Err(Poll::Refused(why)) => {
                let words = self.guard.refused(&self.password, why, now);
                tracing::warn!(director = %self.director.name, "{words}");
                self.contract = None;
                self.web.end_session();
                Err(Poll::Refused(words))
            }
            Ok(_) => {
                self.guard.accepted();
                polled
            }
            Err(_) => polled,
        }
    }

    async fn poll_signed_in(&mut self, now: Instant) -> Result<DirectorReading, Poll> {
        let kind = match self.kind {
            Some(kind) => kind,
            None => {
                let kind = detect(&self.director.url, self.options).await?;
                self.kind = Some(kind);
                kind
            }
        };
        match kind {
            DirectorKind::Contract => self.poll_contract().await,
            DirectorKind::Web => self.poll_web(now).await,
        }
    }

    /// The contract: the alarm, sync times and counts.
    async fn poll_contract(&mut self) -> Result<DirectorReading, Poll> {
        if self.contract.is_none() {
            let director = HttpDirector::new(&self.director.url, self.options)?;
            director.set_credentials(&self.director.login, &self.password);
            self.contract = Some(director);
        }
        let Some(director) = &self.contract else {
            return Err(Poll::Failed("no client".into()));
        };
        let (status, alerts) = director.sync_state().await?;
        let build = director
            .system_info()
            .await
            .ok()
            .map(|info| checked_build(info.build));
        let evaluated = alarm::evaluate(&sync_report(&status, &alerts));
        let mut summary =
            crate::domain::text::cut(&evaluated.summary, MAX_SUMMARY_CHARS).into_owned();
        if let Some(Err(why)) = &build {
            summary = format!("{why}; {summary}");
        }
        let build = build.and_then(Result::ok);
        Ok(DirectorReading {
            up: true,
            state: evaluated.state,
            summary,
            // The contract counts in Unix seconds.
            last_sync: status.last_success_at.map(|secs| secs as f64),
            invalid_usernames: Some(status.invalid),
            users: Some(status.total),
            users_synced: Some(status.synced_users),
            build,
            ..DirectorReading::not_polled(&self.director.name)
        })
    }

    /// A real Director's web interface: its build and users; the alarm is
    /// not readable there, so it stays unknown. Any failure ends the session
    /// (the next poll signs in again).
    async fn poll_web(&mut self, now: Instant) -> Result<DirectorReading, Poll> {
        let read = self.read_web(now).await;
        if read.is_err() {
            self.web.end_session();
        }
        read
    }

    async fn read_web(&mut self, now: Instant) -> Result<DirectorReading, Poll> {
        self.web
            .sign_in(&self.director.login, &self.password)
            .await?;
        // The build page also proves the session still works.
        let build = self.web.build().await?;
        if let Some((why, at)) = &self.web_users_failed
            && now.saturating_duration_since(*at) < WEB_USERS_EVERY
        {
            return Ok(DirectorReading {
                up: true,
                state: AlarmState::Unknown,
                summary: format!(
                    "signed in; the users were not read: {why} (tried again {} after that)",
                    crate::domain::alarm::ago(WEB_USERS_EVERY.as_secs()).trim_end_matches(" ago")
                ),
                build: Some(build),
                ..DirectorReading::not_polled(&self.director.name)
            });
        }
        // The list's pages every poll, a document only for a user new or
        // changed on the list (`service::web_users`).
        let users = match self.web.users(false, &|_, _| {}).await {
            Ok(users) => users,
            Err(e) => {
                let why = e.to_string();
                self.web_users_failed = Some((why.clone(), now));
                return Err(Poll::Failed(why));
            }
        };
        self.web_users_failed = None;
        let read = Reading::of(Ok(build.clone()), &users, &self.director.format);
        let counts = (read.invalid as u64, read.total as u64);
        Ok(DirectorReading {
            up: true,
            state: AlarmState::Unknown,
            summary: format!(
                "signed in; {} of {} client usernames would fail Connect Sync; {}",
                counts.0,
                counts.1,
                crate::domain::drift::ALARM_ELSEWHERE
            ),
            invalid_usernames: Some(counts.0),
            users: Some(counts.1),
            build: Some(build),
            ..DirectorReading::not_polled(&self.director.name)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::client::director::stand_in::StandIn;

    fn target(url: &str) -> Target {
        Target {
            director: WatchedDirector {
                name: "hq".into(),
                url: url.into(),
                login: "admin".into(),
                interval: Duration::from_secs(60),
                kind: Some(DirectorKind::Web),
                certificate: None,
                format: Default::default(),
            },
            password: Secret::new("pw"),
            reread: None,
        }
    }

    /// A failed read of a real Director's users is tried again after 15
    /// minutes on the exporter's clock, not before: the polls between sign
    /// in and read the build only.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_user_read_is_tried_again_after_15_minutes() {
        let director = StandIn::start(30).await;
        director.list_fails.store(true, Ordering::Relaxed);
        let lists = || director.list_reads.load(Ordering::Relaxed);
        let mut session = Session::new(&target(&director.url));
        let start = Instant::now();
        assert!(session.poll(start).await.is_err(), "the list fails");
        let failed = lists();
        assert!(failed > 0);
        director.list_fails.store(false, Ordering::Relaxed);

        let minutes = |n: u64| start + Duration::from_secs(n * 60);
        let between = session.poll(minutes(14)).await.expect("signed in");
        assert!(
            between.summary.contains("the users were not read"),
            "{}",
            between.summary
        );
        assert_eq!(between.users, None);
        assert_eq!(lists(), failed, "not asked again");

        let again = session.poll(minutes(15)).await.expect("read");
        assert_eq!(again.users, Some(30), "{}", again.summary);
        assert!(lists() > failed);
    }
}
