//! The diagnostics export (`hybrid-setup diagnostics` and the status
//! panel's "Save diagnostics…"): what support needs to see — version,
//! settings, where the wizard is, the recent log — with every secret
//! removed. Secrets are never written to settings or logs in the first
//! place; the redaction here is the second line of defence.

use std::path::Path;

use crate::domain::redaction::redact;
use crate::domain::secret::Secret;
use crate::store::settings::SettingsStore;

/// Log lines included.
pub const LOG_LINES: usize = 500;

/// Builds the report. `secrets` are values known to be secret (the Token,
/// passwords): any occurrence is replaced.
pub fn collect(store: &SettingsStore, log_dir: &Path, secrets: &[Secret]) -> String {
    let mut out = String::new();
    out.push_str("Connect HYBRID Setup diagnostics\n");
    out.push_str(&format!(
        "version: {} ({} {})\n",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    ));
    out.push_str(&format!(
        "created: {}\n",
        crate::domain::alarm::format_utc(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        )
    ));
    out.push_str(&format!("settings file: {}\n", store.path().display()));
    out.push_str(&format!("log folder: {}\n", log_dir.display()));

    out.push_str("\n--- state ---\n");
    let loaded = store.load();
    let (settings, notice) = loaded.settings();
    if let Some(notice) = notice {
        out.push_str(&format!("note: {notice}\n"));
    }
    let progress = &settings.progress;
    out.push_str(&format!("director: {:?}\n", settings.director));
    out.push_str(&format!("director login: {}\n", settings.director_login));
    out.push_str(&format!("wizard step: {:?}\n", progress.step()));
    out.push_str(&format!("completed steps: {:?}\n", progress.completed));
    out.push_str(&format!("provisioned: {}\n", progress.provisioned));
    out.push_str(&format!(
        "account: {} ({})\n",
        progress.account_name, progress.account_id
    ));

    out.push_str("\n--- settings.json ---\n");
    match std::fs::read_to_string(store.path()) {
        Ok(text) => out.push_str(&text),
        Err(e) => out.push_str(&format!("(not readable: {e})\n")),
    }

    out.push_str(&format!(
        "\n\n--- recent log (last {LOG_LINES} lines) ---\n"
    ));
    for line in crate::store::logs::recent_lines(log_dir, LOG_LINES) {
        out.push_str(&line);
        out.push('\n');
    }
    // The log and the settings hold what servers and files sent: every
    // line is escaped, so the report prints nothing raw.
    let mut shown = String::with_capacity(out.len());
    for line in out.split('\n') {
        shown.push_str(&crate::domain::text::printable(line.trim_end_matches('\r')));
        shown.push('\n');
    }
    shown.pop();
    redact(&shown, secrets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_from_the_log_reaches_the_terminal_raw() {
        let home = tempfile::tempdir().expect("home");
        let store = SettingsStore::new(home.path());
        let logs = home.path().join("logs");
        std::fs::create_dir_all(&logs).expect("logs");
        std::fs::write(
            logs.join("hybrid-setup.2026-12-05.log"),
            "INFO changed user_dn=a\u{1b}]0;owned\u{7} admin\u{202E}txt\n",
        )
        .expect("log");
        let report = collect(&store, &logs, &[]);
        assert!(
            !report
                .chars()
                .any(|c| c != '\n' && crate::domain::text::is_hidden(c)),
            "{report:?}"
        );
        assert!(
            report.contains("user_dn=a\\u{1b}]0;owned\\u{7} admin\\u{202e}txt"),
            "{report}"
        );
        assert!(report.lines().count() > 10, "lines are kept");
    }

    #[test]
    fn the_report_has_version_settings_state_and_log() {
        let home = tempfile::tempdir().expect("home");
        let store = SettingsStore::new(home.path());
        store
            .save(&crate::store::settings::Settings::default())
            .expect("save");
        let logs = home.path().join("logs");
        std::fs::create_dir_all(&logs).expect("logs");
        std::fs::write(
            logs.join("hybrid-setup.2026-11-27.log"),
            "INFO request POST /portal/api/session 200\nINFO shown token=SECRETVALUE\n",
        )
        .expect("log");
        let report = collect(&store, &logs, &[]);
        assert!(report.contains(env!("CARGO_PKG_VERSION")));
        assert!(report.contains("--- settings.json ---"));
        assert!(report.contains("\"director_login\": \"admin\""), "{report}");
        assert!(report.contains("wizard step: Requirements"), "{report}");
        assert!(report.contains("POST /portal/api/session 200"));
        assert!(!report.contains("SECRETVALUE"), "{report}");
    }
}
