//! The Hybrid alarm model: what the Hybrid icon shows, and the
//! one-line monitoring-plugin status that scripts read.

use serde::{Deserialize, Serialize};

/// How many sync intervals may pass without a successful sync before the
/// state is Stale (never shown Green).
pub const STALE_AFTER_INTERVALS: u64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmState {
    /// The last sync succeeded, it is fresh, and no Hybrid alert is active.
    Green,
    /// A Hybrid alert is active or the last sync failed.
    Red,
    /// No successful sync for more than three intervals.
    Stale,
    /// Director cannot be reached, or sync has not produced a result yet.
    Unknown,
}

impl AlarmState {
    /// Exit code of the monitoring-plugin convention (Nagios, Icinga, ...).
    pub fn exit_code(self) -> i32 {
        match self {
            AlarmState::Green => 0,
            AlarmState::Stale => 1,
            AlarmState::Red => 2,
            AlarmState::Unknown => 3,
        }
    }

    pub fn plugin_word(self) -> &'static str {
        match self {
            AlarmState::Green => "OK",
            AlarmState::Stale => "WARNING",
            AlarmState::Red => "CRITICAL",
            AlarmState::Unknown => "UNKNOWN",
        }
    }

    /// The sentence the status panel and the notification-area icon lead with.
    pub fn headline(self) -> &'static str {
        match self {
            AlarmState::Green => "Connect Sync healthy",
            AlarmState::Red => "Connect Sync has an alert",
            AlarmState::Stale => "Connect Sync is stale",
            AlarmState::Unknown => "Connect Sync status unknown",
        }
    }

    /// The Hybrid icon's colour for the state (sRGB), on a dark background:
    /// the taskbar badge, the notification-area icon and the dark theme.
    pub const fn icon_rgb(self) -> [u8; 3] {
        match self {
            AlarmState::Green => [0x2e, 0x9d, 0x4f],
            AlarmState::Red => [0xd3, 0x3c, 0x3c],
            AlarmState::Stale => [0xe0, 0x9a, 0x1a],
            AlarmState::Unknown => [0x8a, 0x8f, 0x98],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AlarmState::Green => "Healthy",
            AlarmState::Red => "Alert",
            AlarmState::Stale => "Stale",
            AlarmState::Unknown => "Unknown",
        }
    }
}

/// What Director reports about Connect Sync at one moment (times in seconds
/// since the Unix epoch), as read through the Director client.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncReport {
    pub now: u64,
    pub enabled: bool,
    pub interval_secs: u64,
    /// When sync was (last) switched on; staleness counts from here until
    /// the first success.
    pub enabled_at: Option<u64>,
    pub last_attempt_at: Option<u64>,
    pub last_success_at: Option<u64>,
    pub last_attempt_failed: bool,
    pub next_sync_at: Option<u64>,
    /// Descriptions of the active Hybrid alerts, newest first.
    pub active_alerts: Vec<String>,
    pub invalid_usernames: u64,
    pub total_users: u64,
    pub synced_users: u64,
}

/// The evaluated state with the sentence that explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub state: AlarmState,
    pub summary: String,
}

/// Decides the state. `Stale` wins over `Green` (a quiet Director is not a
/// healthy one); `Red` wins over `Stale` because an alert says more.
pub fn evaluate(report: &SyncReport) -> Status {
    let status = |state, summary: String| Status { state, summary };
    if let Some(why) = implausible(report) {
        return status(
            AlarmState::Unknown,
            format!("Director's answer cannot be right: {why}"),
        );
    }
    if !report.enabled {
        return status(
            AlarmState::Unknown,
            "Connect Sync is not configured (no Account ID and Token saved)".into(),
        );
    }
    if let Some(alert) = report.active_alerts.first() {
        return status(AlarmState::Red, alert.clone());
    }
    if report.last_attempt_failed {
        return status(AlarmState::Red, "the last Connect Sync failed".into());
    }
    let limit = report.interval_secs.max(1) * STALE_AFTER_INTERVALS;
    match report.last_success_at.or(report.enabled_at) {
        Some(since) if report.now.saturating_sub(since) > limit => {
            let what = if report.last_success_at.is_some() {
                "no successful sync"
            } else {
                "no sync has succeeded"
            };
            status(
                AlarmState::Stale,
                format!(
                    "{what} for {} (more than {STALE_AFTER_INTERVALS} intervals)",
                    human_duration(report.now.saturating_sub(since))
                ),
            )
        }
        _ => match report.last_success_at {
            Some(at) => status(
                AlarmState::Green,
                format!("last sync {}", ago(report.now.saturating_sub(at))),
            ),
            None => status(
                AlarmState::Unknown,
                "waiting for the first Connect Sync".into(),
            ),
        },
    }
}

/// How far ahead of Director's clock a time it reports may be (clocks of
/// servers in one system drift by seconds, not minutes).
const FUTURE_SLACK_SECS: u64 = 300;

/// What in a report cannot be true — a last sync in the future, more
/// invalid or synced users than users — so it is not believed: a green
/// "last sync just now" from `last_success_at` = 2^64−1 would be a lie.
pub fn implausible(report: &SyncReport) -> Option<String> {
    let latest = report.now.saturating_add(FUTURE_SLACK_SECS);
    for (name, at) in [
        ("the last successful sync", report.last_success_at),
        ("the last sync attempt", report.last_attempt_at),
        ("the time sync was switched on", report.enabled_at),
    ] {
        if let Some(at) = at
            && at > latest
        {
            return Some(format!(
                "{name} is {} after Director's own clock",
                human_duration(at - report.now)
            ));
        }
    }
    if report.invalid_usernames > report.total_users {
        return Some(format!(
            "{} invalid client usernames of {} users",
            report.invalid_usernames, report.total_users
        ));
    }
    if report.synced_users > report.total_users {
        return Some(format!(
            "{} users synced of {} users",
            report.synced_users, report.total_users
        ));
    }
    None
}

/// The monitoring-plugin line, e.g.
/// `HYBRID OK - last sync 2 min ago, 0 of 250 invalid | invalid=0;;;0 users=250;;;0 age=120s`.
pub fn plugin_line(report: &SyncReport, status: &Status) -> String {
    let age = report
        .last_success_at
        .map(|at| format!(" age={}s", report.now.saturating_sub(at)))
        .unwrap_or_default();
    format!(
        "HYBRID {} - {}, {} of {} invalid | invalid={};;;0 users={};;;0 synced={};;;0{age}",
        status.state.plugin_word(),
        one_line(&status.summary),
        report.invalid_usernames,
        report.total_users,
        report.invalid_usernames,
        report.total_users,
        report.synced_users,
    )
}

/// The line for a Director that could not be asked at all.
pub fn plugin_line_unreachable(reason: &str) -> String {
    format!("HYBRID UNKNOWN - {}", one_line(reason))
}

/// Plugin output is one line and `|` starts performance data.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('|', "/")
}

/// A desktop notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub state: AlarmState,
    pub title: String,
    pub body: String,
}

/// Decides when a change of state deserves a notification: on turning red,
/// stale or unknown, and on recovering to green — once per change, never on
/// every poll while the state holds. The first observation says nothing:
/// the window that started the monitor is showing it.
#[derive(Debug, Default, Clone)]
pub struct Notifier {
    last: Option<AlarmState>,
    /// A problem was announced, so a return to green is news.
    announced_problem: bool,
}

impl Notifier {
    pub fn observe(&mut self, status: &Status) -> Option<Notification> {
        let previous = self.last.replace(status.state);
        if previous.is_none() || previous == Some(status.state) {
            return None;
        }
        let title = match status.state {
            AlarmState::Green if !self.announced_problem => return None,
            AlarmState::Green => "Connect Sync recovered",
            AlarmState::Red => "Connect Sync alert",
            AlarmState::Stale => "Connect Sync is stale",
            AlarmState::Unknown => "Connect Sync status unknown",
        };
        self.announced_problem = status.state != AlarmState::Green;
        Some(Notification {
            state: status.state,
            title: title.into(),
            body: status.summary.clone(),
        })
    }
}

/// "45 s", "2 min", "3 h 5 min", "2 d".
pub fn human_duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        3600..86400 => match (secs % 3600) / 60 {
            0 => format!("{} h", secs / 3600),
            m => format!("{} h {m} min", secs / 3600),
        },
        _ => format!("{} d", secs / 86400),
    }
}

/// `2026-11-27 00:31:05 UTC` from seconds since the Unix epoch.
pub fn format_utc(secs: u64) -> String {
    // Howard Hinnant's civil-from-days: exact for the proleptic Gregorian calendar.
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// "just now", "2 min ago".
pub fn ago(secs: u64) -> String {
    if secs < 5 {
        "just now".into()
    } else {
        format!("{} ago", human_duration(secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_answers_are_unknown_with_the_reason() {
        let good = SyncReport {
            now: 1_000_000,
            enabled: true,
            interval_secs: 300,
            enabled_at: Some(900_000),
            last_attempt_at: Some(999_900),
            last_success_at: Some(999_900),
            invalid_usernames: 3,
            total_users: 10,
            synced_users: 7,
            ..Default::default()
        };
        assert_eq!(evaluate(&good).state, AlarmState::Green);
        let cases = [
            (
                SyncReport {
                    last_success_at: Some(u64::MAX),
                    ..good.clone()
                },
                "the last successful sync is",
            ),
            (
                SyncReport {
                    enabled_at: Some(1_000_000 + 3_600),
                    ..good.clone()
                },
                "the time sync was switched on is 1 h after",
            ),
            (
                SyncReport {
                    invalid_usernames: 11,
                    ..good.clone()
                },
                "11 invalid client usernames of 10 users",
            ),
            (
                SyncReport {
                    synced_users: 12,
                    ..good.clone()
                },
                "12 users synced of 10 users",
            ),
        ];
        for (report, words) in cases {
            let status = evaluate(&report);
            assert_eq!(status.state, AlarmState::Unknown, "{words}");
            assert!(status.summary.contains(words), "{}", status.summary);
        }
        // A little clock drift is not a lie.
        let drift = SyncReport {
            last_success_at: Some(1_000_060),
            ..good
        };
        assert_eq!(evaluate(&drift).state, AlarmState::Green);
    }

    fn healthy() -> SyncReport {
        SyncReport {
            now: 10_000,
            enabled: true,
            interval_secs: 300,
            enabled_at: Some(1_000),
            last_attempt_at: Some(9_880),
            last_success_at: Some(9_880),
            last_attempt_failed: false,
            next_sync_at: Some(10_180),
            active_alerts: vec![],
            invalid_usernames: 0,
            total_users: 250,
            synced_users: 250,
        }
    }

    #[test]
    fn fresh_success_is_green() {
        let s = evaluate(&healthy());
        assert_eq!(s.state, AlarmState::Green);
        assert_eq!(s.summary, "last sync 2 min ago");
        assert_eq!(
            plugin_line(&healthy(), &s),
            "HYBRID OK - last sync 2 min ago, 0 of 250 invalid | invalid=0;;;0 users=250;;;0 synced=250;;;0 age=120s"
        );
    }

    #[test]
    fn active_alert_is_red_with_its_description() {
        let mut r = healthy();
        r.active_alerts = vec!["Portal rejected the Token".into()];
        let s = evaluate(&r);
        assert_eq!(s.state, AlarmState::Red);
        assert_eq!(s.summary, "Portal rejected the Token");
        assert_eq!(s.state.exit_code(), 2);
    }

    #[test]
    fn stale_after_three_missed_intervals_never_green() {
        let mut r = healthy();
        r.last_success_at = Some(r.now - 900);
        assert_eq!(evaluate(&r).state, AlarmState::Green, "exactly 3 intervals");
        r.last_success_at = Some(r.now - 901);
        let s = evaluate(&r);
        assert_eq!(s.state, AlarmState::Stale);
        assert_eq!(s.state.exit_code(), 1);
        assert!(s.summary.contains("15 min"), "{}", s.summary);
    }

    #[test]
    fn first_sync_pending_then_stale() {
        let mut r = healthy();
        r.last_success_at = None;
        r.enabled_at = Some(r.now - 10);
        assert_eq!(evaluate(&r).state, AlarmState::Unknown);
        r.enabled_at = Some(r.now - 1000);
        assert_eq!(evaluate(&r).state, AlarmState::Stale);
    }

    #[test]
    fn not_configured_is_unknown() {
        let r = SyncReport {
            enabled: false,
            ..healthy()
        };
        assert_eq!(evaluate(&r).state, AlarmState::Unknown);
        assert_eq!(evaluate(&r).state.exit_code(), 3);
    }

    #[test]
    fn plugin_output_stays_on_one_line() {
        let mut r = healthy();
        r.active_alerts = vec!["bad | thing\nhere".into()];
        let line = plugin_line(&r, &evaluate(&r));
        assert!(
            line.starts_with("HYBRID CRITICAL - bad / thing here, "),
            "{line}"
        );
        assert_eq!(line.matches('|').count(), 1);
    }

    #[test]
    fn notifies_once_per_change_and_on_recovery() {
        let at = |state| Status {
            state,
            summary: format!("{state:?}"),
        };
        let mut n = Notifier::default();
        assert_eq!(n.observe(&at(AlarmState::Green)), None, "the first look");
        assert_eq!(n.observe(&at(AlarmState::Green)), None);
        let red = n.observe(&at(AlarmState::Red)).expect("turning red");
        assert_eq!(red.title, "Connect Sync alert");
        assert_eq!(n.observe(&at(AlarmState::Red)), None, "no repeat while red");
        assert_eq!(n.observe(&at(AlarmState::Red)), None);
        assert!(n.observe(&at(AlarmState::Unknown)).is_some());
        let back = n.observe(&at(AlarmState::Green)).expect("recovery");
        assert_eq!(back.title, "Connect Sync recovered");
        let mut fresh = Notifier::default();
        assert_eq!(
            fresh.observe(&at(AlarmState::Unknown)),
            None,
            "the first look"
        );
        assert_eq!(
            fresh.observe(&at(AlarmState::Green)),
            None,
            "first sync is not a recovery"
        );
        assert!(fresh.observe(&at(AlarmState::Red)).is_some());
    }

    #[test]
    fn utc_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_utc(1_795_739_465), "2026-11-27 00:31:05 UTC");
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(59), "59 s");
        assert_eq!(human_duration(60), "1 min");
        assert_eq!(human_duration(3600), "1 h");
        assert_eq!(human_duration(3900), "1 h 5 min");
        assert_eq!(human_duration(200_000), "2 d");
        assert_eq!(ago(3), "just now");
    }
}
