//! The article's last step as a checklist: after the first Connect Sync
//! cycle, no invalid client usernames, the users in the Connect Portal, and
//! the Hybrid alarm green.

use crate::domain::alarm::{self, AlarmState, SyncReport};
use crate::domain::requirements::{Check, CheckStatus};

/// The verification of the first sync, from what Director reports.
pub fn first_sync_checks(report: &SyncReport) -> Vec<Check> {
    let check = |id: &str, title: &str, ok: bool, detail: String, fix: &str| Check {
        id: id.into(),
        title: title.into(),
        status: if ok {
            CheckStatus::Pass
        } else {
            CheckStatus::Fail
        },
        detail,
        fix: if ok { String::new() } else { fix.into() },
    };
    let evaluated = alarm::evaluate(report);
    let (invalid, total, synced) = (
        report.invalid_usernames,
        report.total_users,
        report.synced_users,
    );
    vec![
        check(
            "invalid_usernames",
            "Invalid client usernames",
            invalid == 0,
            format!("{invalid} of {total}"),
            "Go back to Username format, choose an option, or correct the users in Director.",
        ),
        check(
            "users_in_portal",
            "Users arrived in the Connect Portal",
            synced > 0 && synced.saturating_add(invalid) >= total,
            format!("{synced} of {total} users synced"),
            "Wait for the next cycle; if none arrive, check the alert below.",
        ),
        check(
            "alarm_green",
            "Hybrid alarm is green",
            evaluated.state == AlarmState::Green,
            evaluated.summary,
            "Read the alert's Description below, fix its cause, then check again.",
        ),
    ]
}

/// All three checks pass.
pub fn verified(checks: &[Check]) -> bool {
    !checks.is_empty() && checks.iter().all(|c| c.status == CheckStatus::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(invalid: u64, total: u64, synced: u64, alerts: &[&str]) -> SyncReport {
        SyncReport {
            now: 1_000,
            enabled: true,
            interval_secs: 300,
            enabled_at: Some(900),
            last_attempt_at: Some(990),
            last_success_at: Some(990),
            last_attempt_failed: false,
            next_sync_at: Some(1_290),
            active_alerts: alerts.iter().map(|a| a.to_string()).collect(),
            invalid_usernames: invalid,
            total_users: total,
            synced_users: synced,
        }
    }

    #[test]
    fn a_clean_first_sync_passes_all_three() {
        let checks = first_sync_checks(&report(0, 250, 250, &[]));
        assert!(verified(&checks), "{checks:?}");
        assert_eq!(checks[0].detail, "0 of 250");
        assert_eq!(checks[1].detail, "250 of 250 users synced");
    }

    #[test]
    fn each_failure_names_its_check_and_fix() {
        let checks = first_sync_checks(&report(3, 250, 247, &["Sync failed: 3 users"]));
        let failed: Vec<&str> = checks
            .iter()
            .filter(|c| c.status == CheckStatus::Fail)
            .map(|c| c.title.as_str())
            .collect();
        assert_eq!(
            failed,
            ["Invalid client usernames", "Hybrid alarm is green"]
        );
        assert!(
            checks
                .iter()
                .all(|c| (c.status == CheckStatus::Fail) != c.fix.is_empty())
        );
        assert!(!verified(&checks));

        let none_synced = first_sync_checks(&report(0, 250, 0, &[]));
        assert_eq!(none_synced[1].status, CheckStatus::Fail);
        assert!(!verified(&[]), "nothing read is not verified");
    }
}
