//! The sync monitor: a tokio task that polls Director's sync status and
//! alerts, evaluates the alarm state, and reports only what changed. The
//! window and `status --watch` both listen to it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};

use crate::client::director::Director;
use crate::client::http::ApiError;
use crate::contract::sync_report;
use crate::contract::{Alert, SyncStatus};
use crate::domain::alarm::{self, AlarmState, Notification, Notifier, Status, SyncReport};

/// Director is asked this often while all is well; sync itself runs about
/// every 5 minutes.
pub const DEFAULT_POLL: Duration = Duration::from_secs(30);
/// Failed polls back off up to this long.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy)]
pub struct MonitorConfig {
    pub poll_every: Duration,
    pub first_retry: Duration,
    pub max_backoff: Duration,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            poll_every: DEFAULT_POLL,
            first_retry: Duration::from_secs(5),
            max_backoff: MAX_BACKOFF,
        }
    }
}

/// How long to wait before the next look: the regular interval after a
/// success, doubling retries (up to a cap) after failures.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    every: Duration,
    first_retry: Duration,
    max: Duration,
    next_retry: Duration,
}

impl Backoff {
    pub fn new(every: Duration, first_retry: Duration, max: Duration) -> Self {
        Backoff {
            every,
            first_retry,
            max,
            next_retry: first_retry,
        }
    }

    /// The wait after a look that worked (`ok`) or failed.
    pub fn after(&mut self, ok: bool) -> Duration {
        if ok {
            self.next_retry = self.first_retry;
            self.every
        } else {
            let wait = self.next_retry;
            self.next_retry = (self.next_retry * 2).min(self.max);
            wait
        }
    }
}

/// What the monitor knows after one poll.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub status: Status,
    /// Director's report, when it answered.
    pub report: Option<SyncReport>,
    pub sync: Option<SyncStatus>,
    /// Newest first.
    pub alerts: Vec<Alert>,
    pub error: Option<ApiError>,
    /// When this poll finished, to advance Director's clock locally.
    pub fetched_at: Instant,
    /// When the next poll is due (later while backing off).
    pub next_poll_in: Duration,
}

impl Snapshot {
    fn from_poll(
        result: Result<(SyncStatus, Vec<Alert>), ApiError>,
        next_poll_in: Duration,
    ) -> Self {
        match result {
            Ok((sync, alerts)) => {
                let report = sync_report(&sync, &alerts);
                Snapshot {
                    status: alarm::evaluate(&report),
                    report: Some(report),
                    sync: Some(sync),
                    alerts,
                    error: None,
                    fetched_at: Instant::now(),
                    next_poll_in,
                }
            }
            Err(error) => Snapshot {
                status: Status {
                    state: AlarmState::Unknown,
                    summary: format!("cannot reach Director: {error}"),
                },
                report: None,
                sync: None,
                alerts: Vec::new(),
                error: Some(error),
                fetched_at: Instant::now(),
                next_poll_in,
            },
        }
    }

    /// The report as of now: Director's clock advanced by the time since
    /// the poll, so "last sync 2 min ago" ticks and staleness shows up
    /// between polls.
    pub fn report_now(&self) -> Option<SyncReport> {
        self.report.clone().map(|mut r| {
            r.now += self.fetched_at.elapsed().as_secs();
            r
        })
    }

    /// The state and sentence as of now (see [`Snapshot::report_now`]).
    pub fn status_now(&self) -> Status {
        match self.report_now() {
            Some(report) => alarm::evaluate(&report),
            None => self.status.clone(),
        }
    }

    /// Whether anything a person would see differs from `other`. The
    /// summary's "2 min ago" is not compared: it ages on its own.
    fn differs_from(&self, other: &Snapshot) -> bool {
        self.status.state != other.status.state
            || self.error != other.error
            || self.alerts != other.alerts
            || self.sync.as_ref().map(|s| {
                (
                    s.invalid,
                    s.total,
                    s.synced_users,
                    s.last_success_at,
                    s.next_sync_at,
                )
            }) != other.sync.as_ref().map(|s| {
                (
                    s.invalid,
                    s.total,
                    s.synced_users,
                    s.last_success_at,
                    s.next_sync_at,
                )
            })
    }
}

/// What the monitor tells its listener.
#[derive(Debug, Clone)]
pub enum MonitorEvent {
    /// Something changed (always sent for the first poll).
    Changed(Box<Snapshot>),
    /// The state changed in a way worth a desktop notification.
    Notify(Notification),
}

/// A running monitor. Dropping it stops the task.
pub struct MonitorHandle {
    poke: Arc<Notify>,
    stop: watch::Sender<bool>,
}

impl MonitorHandle {
    /// A handle, and what its task listens to: pokes ("Check now") and the
    /// stop signal sent when the handle is dropped.
    pub(crate) fn new() -> (Self, Arc<Notify>, watch::Receiver<bool>) {
        let poke = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        (
            MonitorHandle {
                poke: poke.clone(),
                stop,
            },
            poke,
            stopped,
        )
    }

    /// Polls now instead of at the next interval ("Check now").
    pub fn check_now(&self) {
        self.poke.notify_one();
    }
}

impl Drop for MonitorHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Starts polling on the current tokio runtime; `listener` gets every event.
pub fn spawn<D>(
    runtime: &tokio::runtime::Handle,
    director: Arc<D>,
    config: MonitorConfig,
    listener: impl Fn(MonitorEvent) + Send + 'static,
) -> MonitorHandle
where
    D: Director + 'static,
{
    let (handle, task_poke, mut stopped) = MonitorHandle::new();
    runtime.spawn(async move {
        let mut last: Option<Snapshot> = None;
        let mut notifier = Notifier::default();
        let mut backoff = Backoff::new(config.poll_every, config.first_retry, config.max_backoff);
        loop {
            let result = director.sync_state().await;
            let wait = backoff.after(result.is_ok());
            let snapshot = Snapshot::from_poll(result, wait);
            if last.as_ref().is_none_or(|l| snapshot.differs_from(l)) {
                if let Some(notification) = notifier.observe(&snapshot.status) {
                    listener(MonitorEvent::Notify(notification));
                }
                listener(MonitorEvent::Changed(Box::new(snapshot.clone())));
                last = Some(snapshot);
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = task_poke.notified() => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
        }
    });
    handle
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_director_is_unknown_with_the_reason() {
        let snapshot = Snapshot::from_poll(
            Err(ApiError::Unreachable {
                url: "https://d".into(),
                reason: "Connection refused".into(),
            }),
            Duration::from_secs(5),
        );
        assert_eq!(snapshot.status.state, AlarmState::Unknown);
        assert!(snapshot.status.summary.contains("Connection refused"));
        assert_eq!(snapshot.status_now(), snapshot.status);
    }
}
