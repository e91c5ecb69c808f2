//! Taking secrets out of text that leaves the program's memory: the log
//! file (every line, at every level) and the diagnostics report.

use std::sync::LazyLock;

use regex::Regex;

use crate::domain::secret::Secret;

pub const REDACTED: &str = "[redacted]";

/// Values of token and password fields, session cookies, and
/// `Authorization`/`Cookie` headers.
static PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r#"(?i)("?(?:token|password|passwd|secret|authenticity_token)"?\s*[:=]\s*"?)([^"\s,&}]+)"#,
        r#"(?i)([a-z0-9]*_session=)([^;\s"&,}]+)"#,
        r#"(?i)((?:authorization|proxy-authorization|cookie|set-cookie)"?\s*[:=]\s*"?)([^"\n}]+)"#,
    ]
    .iter()
    .filter_map(|p| Regex::new(p).ok())
    .collect()
});

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
    for pattern in PATTERNS.iter() {
        if pattern.is_match(&text) {
            text = pattern
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
}
