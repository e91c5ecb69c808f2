//! The diagnostics export (`hybrid-setup diagnostics` and the status
//! panel's "Save diagnostics…"): what support needs to see — version,
//! settings, where the wizard is, the recent log — with every secret
//! removed. Secrets are never written to settings or logs in the first
//! place; the redaction here is the second line of defence.

use std::path::Path;

use regex::Regex;

use crate::domain::secret::Secret;
use crate::store::settings::SettingsStore;

/// Log lines included.
pub const LOG_LINES: usize = 500;
pub const REDACTED: &str = "[redacted]";

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
    redact(&out, secrets)
}

/// Replaces known secret values, and the value of anything that looks like
/// a token or password field (`"token": "…"`, `password=…`), a session
/// cookie (`_director2_session=…`, `portal_session=…`) or an
/// `Authorization`/`Cookie` header.
pub fn redact(text: &str, secrets: &[Secret]) -> String {
    let mut text = text.to_string();
    for secret in secrets {
        let value = secret.expose();
        // Very short values would blank out ordinary words.
        if value.len() >= 4 {
            text = text.replace(value, REDACTED);
        }
    }
    let patterns = [
        r#"(?i)("?(?:token|password|passwd|secret|authenticity_token)"?\s*[:=]\s*"?)([^"\s,&}]+)"#,
        r#"(?i)([a-z0-9]*_session=)([^;\s"&,}]+)"#,
        r#"(?i)((?:authorization|proxy-authorization|cookie|set-cookie)"?\s*[:=]\s*"?)([^"\n}]+)"#,
    ];
    for pattern in patterns {
        if let Ok(fields) = Regex::new(pattern) {
            text = fields
                .replace_all(&text, format!("${{1}}{REDACTED}"))
                .into_owned();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_secrets_and_secret_fields_are_removed() {
        let token = Secret::new("tok-123456789");
        let text = "saved tok-123456789 then {\"token\": \"abc\", \"password\":\"p w\"} login password=hunter2&x=1";
        let clean = redact(text, &[token]);
        assert!(!clean.contains("tok-123456789"), "{clean}");
        assert!(!clean.contains("abc"), "{clean}");
        assert!(!clean.contains("hunter2"), "{clean}");
        assert!(clean.contains("x=1"), "{clean}");
        assert!(clean.contains(REDACTED));
    }

    #[test]
    fn session_cookies_and_authorization_headers_are_removed() {
        let text = "set _director2_session=abcDEF123; path=/\nportal_session=zz9 ok\n\
                    Authorization: Basic YWRtaW46c2VjcmV0\ncookie: a=b; c=d\nstatus=200";
        let clean = redact(text, &[]);
        for secret in ["abcDEF123", "zz9", "YWRtaW46c2VjcmV0", "a=b; c=d"] {
            assert!(!clean.contains(secret), "{secret}: {clean}");
        }
        assert!(clean.contains("status=200"), "{clean}");
        assert!(clean.contains("path=/"), "{clean}");
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
