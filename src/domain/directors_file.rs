//! `directors.toml`, the exporter's list of Directors: each one's name (the
//! `director` label), address, login and where its password comes from —
//! an environment variable or a keyring entry, never the file itself.
//! Every mistake is reported with its line.

use std::collections::HashSet;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::certificate::Fingerprint;
use super::director_kind::DirectorKind;
use super::format::FormatOptions;

/// How often a Director is read when its entry does not say.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);
/// Polls allowed at once across all Directors when the file does not say.
pub const DEFAULT_CONCURRENCY: usize = 32;
/// The shortest interval allowed: Connect Sync itself runs every ~5 min.
const MIN_INTERVAL_SECS: u64 = 10;

/// How a Director is named where no name was given: its host, with the
/// port when the address has one ("hq.example.com:5478").
pub fn name_from_address(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => match (parsed.host_str(), parsed.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => url.to_string(),
        },
        Err(_) => url.to_string(),
    }
}

/// The whole file.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectorsFile {
    pub directors: Vec<Listed>,
    /// At most this many Directors are polled at the same moment.
    pub concurrency: usize,
}

/// One `[[director]]`: what to poll, and where its password is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub director: WatchedDirector,
    pub password: PasswordFrom,
}

/// A Director to poll (the file's entries, and the window's Directors).
#[derive(Debug, Clone, PartialEq)]
pub struct WatchedDirector {
    /// The `director` label: letters, digits, `-`, `_`, `.`.
    pub name: String,
    pub url: String,
    pub login: String,
    pub interval: Duration,
    /// Contract or web interface; `None`: found out on the first poll.
    pub kind: Option<DirectorKind>,
    /// A self-signed certificate's SHA-256 fingerprint, trusted for this one.
    pub certificate: Option<Fingerprint>,
    /// How client usernames are counted on a web-interface Director.
    pub format: FormatOptions,
}

/// Where a Director's password is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordFrom {
    /// An environment variable of the exporter's process.
    Env(String),
    /// An entry in the OS keyring (the service "hybrid-setup").
    Keyring(String),
}

/// What is wrong with the file, and on which line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct FileError {
    pub line: usize,
    pub message: String,
}

/// Keys that would put a secret into the file.
const SECRET_KEYS: [&str; 4] = ["password", "token", "secret", "pass"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    director: Vec<Spanned<RawDirector>>,
    max_concurrent_polls: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDirector {
    name: Spanned<String>,
    url: Spanned<String>,
    login: Option<Spanned<String>>,
    password_env: Option<Spanned<String>>,
    password_keyring: Option<Spanned<String>>,
    interval_seconds: Option<Spanned<i64>>,
    kind: Option<Spanned<String>>,
    certificate_sha256: Option<Spanned<String>>,
    use_email: Option<bool>,
    append_domain: Option<Spanned<String>>,
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Reads `text` (the file's contents).
pub fn parse(text: &str) -> Result<DirectorsFile, FileError> {
    refuse_secrets(text)?;
    let raw: Raw = toml::from_str(text).map_err(|e| FileError {
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().trim().to_string(),
    })?;
    let at = |span: std::ops::Range<usize>, message: String| FileError {
        line: line_of(text, span.start),
        message,
    };
    let concurrency = match raw.max_concurrent_polls {
        None => DEFAULT_CONCURRENCY,
        Some(n) if (1..=1024).contains(n.get_ref()) => *n.get_ref() as usize,
        Some(n) => {
            return Err(at(
                n.span(),
                "max_concurrent_polls: a number from 1 to 1024".into(),
            ));
        }
    };
    if raw.director.is_empty() {
        return Err(FileError {
            line: 1,
            message: "no [[director]] entries: name at least one Director".into(),
        });
    }
    let mut names = HashSet::new();
    let mut directors = Vec::with_capacity(raw.director.len());
    for entry in raw.director {
        let span = entry.span();
        let d = entry.into_inner();
        let name = d.name.get_ref().trim().to_string();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(at(
                d.name.span(),
                format!(
                    "name {name:?}: use letters, digits, '-', '_' or '.' (it becomes the director label)"
                ),
            ));
        }
        if !names.insert(name.clone()) {
            return Err(at(
                d.name.span(),
                format!("name {name:?} is used twice; each Director needs its own"),
            ));
        }
        let url = d.url.get_ref().trim().to_string();
        match url::Url::parse(&url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                // Nothing after the address: a query or user info is where a
                // password gets pasted, and it would be printed and logged.
                if !u.username().is_empty() || u.password().is_some() {
                    return Err(at(
                        d.url.span(),
                        "url: no user name or password in the address; use login and password_env"
                            .into(),
                    ));
                }
                if u.query().is_some() || u.fragment().is_some() {
                    return Err(at(
                        d.url.span(),
                        "url: only Director's address (scheme, host, port), nothing after ? or #"
                            .into(),
                    ));
                }
            }
            _ => {
                return Err(at(
                    d.url.span(),
                    "url: an http:// or https:// address of Director".into(),
                ));
            }
        }
        let password = match (d.password_env, d.password_keyring) {
            (Some(env), None) if !env.get_ref().trim().is_empty() => {
                let variable = env.get_ref().trim();
                if !is_variable_name(variable) {
                    return Err(at(
                        env.span(),
                        "password_env: the name of an environment variable in capitals, digits and _ (such as HQ_DIRECTOR_PASSWORD), not the password itself (the value is not shown)".into(),
                    ));
                }
                PasswordFrom::Env(variable.to_string())
            }
            (None, Some(entry)) if !entry.get_ref().trim().is_empty() => {
                let name = entry.get_ref().trim();
                if !is_entry_name(name) {
                    return Err(at(
                        entry.span(),
                        "password_keyring: the name of a keyring entry in letters, digits, '_', '-' and '.', not the password itself (the value is not shown)".into(),
                    ));
                }
                PasswordFrom::Keyring(name.to_string())
            }
            (Some(_), Some(entry)) => {
                return Err(at(
                    entry.span(),
                    "give password_env or password_keyring, not both".into(),
                ));
            }
            _ => {
                return Err(at(
                    span,
                    format!(
                        "director {name:?}: say where its password is: password_env = \"VARIABLE\" or password_keyring = \"ENTRY\""
                    ),
                ));
            }
        };
        let interval = match d.interval_seconds {
            None => DEFAULT_INTERVAL,
            Some(s) if *s.get_ref() >= MIN_INTERVAL_SECS as i64 && *s.get_ref() <= 86_400 => {
                Duration::from_secs(*s.get_ref() as u64)
            }
            Some(s) => {
                return Err(at(
                    s.span(),
                    format!("interval_seconds: from {MIN_INTERVAL_SECS} to 86400"),
                ));
            }
        };
        let kind = match d.kind.as_ref().map(|k| k.get_ref().trim()) {
            None => None,
            Some("contract") => Some(DirectorKind::Contract),
            Some("web") => Some(DirectorKind::Web),
            Some(other) => {
                return Err(at(
                    d.kind.as_ref().map_or(span.clone(), |k| k.span()),
                    format!(
                        "kind {other:?}: \"contract\" or \"web\" (or leave it out to find out)"
                    ),
                ));
            }
        };
        let certificate = match &d.certificate_sha256 {
            None => None,
            Some(text) => Some(Fingerprint::parse(text.get_ref()).ok_or_else(|| {
                at(
                    text.span(),
                    "certificate_sha256: 32 bytes in hex, as the program shows them (AB:CD:…)"
                        .into(),
                )
            })?),
        };
        let format = FormatOptions {
            use_email: d.use_email.unwrap_or(false),
            append_domain: d
                .append_domain
                .as_ref()
                .map(|a| a.get_ref().trim().to_string()),
        };
        if let Err(reason) = format.validate() {
            let span = d.append_domain.as_ref().map_or(span.clone(), |a| a.span());
            return Err(at(span, format!("append_domain: {}", reason.describe())));
        }
        let login = match &d.login {
            Some(l) if l.get_ref().contains(':') || l.get_ref().chars().any(char::is_control) => {
                return Err(at(
                    l.span(),
                    "login: Director's login name only (no ':' and no control characters; the value is not shown)".into(),
                ));
            }
            Some(l) if !l.get_ref().trim().is_empty() => l.get_ref().trim().to_string(),
            _ => "admin".into(),
        };
        directors.push(Listed {
            director: WatchedDirector {
                name,
                url,
                login,
                interval,
                kind,
                certificate,
                format,
            },
            password,
        });
    }
    Ok(DirectorsFile {
        directors,
        concurrency,
    })
}

/// An environment variable's name as people write them: capitals, digits
/// and `_`, not starting with a digit (a pasted password rarely is one).
fn is_variable_name(text: &str) -> bool {
    text.len() <= 128
        && text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A keyring entry's name: letters, digits, `_`, `-`, `.`.
fn is_entry_name(text: &str) -> bool {
    text.len() <= 128
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A secret written into the file is refused before anything else, naming
/// its line (and never repeating the value).
fn refuse_secrets(text: &str) -> Result<(), FileError> {
    for (index, line) in text.lines().enumerate() {
        let key = line
            .split('=')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"')
            .to_ascii_lowercase();
        if line.contains('=') && SECRET_KEYS.contains(&key.as_str()) {
            return Err(FileError {
                line: index + 1,
                message: format!(
                    "{key}: a secret in this file is refused; keep it in an environment variable (password_env) or the keyring (password_keyring)"
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &str = r#"
# Two sites.
max_concurrent_polls = 8

[[director]]
name = "hq"
url = "https://director.example.com:5478"
login = "admin"
password_env = "HYBRID_PW_HQ"
interval_seconds = 60

[[director]]
name = "branch-2"
url = "http://10.0.0.2"
password_keyring = "branch-2"
kind = "web"
use_email = true
"#;

    #[test]
    fn a_good_file_reads_whole() {
        let file = parse(GOOD).expect("good");
        assert_eq!(file.concurrency, 8);
        assert_eq!(file.directors.len(), 2);
        let hq = &file.directors[0].director;
        assert_eq!(hq.name, "hq");
        assert_eq!(
            file.directors[0].password,
            PasswordFrom::Env("HYBRID_PW_HQ".into())
        );
        assert_eq!(hq.interval, Duration::from_secs(60));
        assert_eq!(hq.kind, None);
        let branch = &file.directors[1].director;
        assert_eq!(branch.login, "admin", "the default login");
        assert_eq!(
            file.directors[1].password,
            PasswordFrom::Keyring("branch-2".into())
        );
        assert_eq!(branch.kind, Some(DirectorKind::Web));
        assert!(branch.format.use_email);
        assert_eq!(branch.interval, DEFAULT_INTERVAL);
    }

    fn error_of(text: &str) -> FileError {
        parse(text).expect_err("refused")
    }

    #[test]
    fn a_password_in_the_file_is_refused_with_its_line() {
        let text = GOOD.replace("password_env = \"HYBRID_PW_HQ\"", "password = \"hunter2\"");
        let e = error_of(&text);
        assert_eq!(e.line, 9);
        assert!(e.message.contains("refused"), "{e}");
        assert!(!e.to_string().contains("hunter2"), "never repeated: {e}");
        let e = error_of("[[director]]\nname = \"a\"\nurl = \"http://x\"\n  Token= \"abc\"\n");
        assert_eq!(e.line, 4);
    }

    #[test]
    fn what_looks_like_a_secret_is_refused_without_being_repeated() {
        for (broken, line, words, secret) in [
            (
                GOOD.replace("\"HYBRID_PW_HQ\"", "\"hunter2\""),
                9,
                "password_env: the name of an environment variable",
                "hunter2",
            ),
            (
                GOOD.replace("\"branch-2\"\nkind", "\"Pa$$ word!\"\nkind"),
                15,
                "password_keyring: the name of a keyring entry",
                "Pa$$ word!",
            ),
            (
                GOOD.replace(
                    "https://director.example.com:5478",
                    "https://director.example.com:5478/?password=s3cret",
                ),
                7,
                "nothing after ? or #",
                "s3cret",
            ),
            (
                GOOD.replace(
                    "https://director.example.com:5478",
                    "https://d.example.com/#s3cret",
                ),
                7,
                "nothing after ? or #",
                "s3cret",
            ),
            (
                GOOD.replace("login = \"admin\"", "login = \"admin:s3cret\""),
                8,
                "login: Director's login name only",
                "s3cret",
            ),
            (
                GOOD.replace("login = \"admin\"", "login = \"adm\\u001b]0;x\\u0007in\""),
                8,
                "no control characters",
                "\u{1b}",
            ),
        ] {
            let e = error_of(&broken);
            assert_eq!(e.line, line, "{e}");
            assert!(e.message.contains(words), "{e} should say {words}");
            assert!(!e.to_string().contains(secret), "never repeated: {e}");
        }
    }

    #[test]
    fn mistakes_name_their_line() {
        for (broken, line, words) in [
            (GOOD.replace("name = \"hq\"", "name = \"h q\""), 6, "name"),
            (
                GOOD.replace("\"branch-2\"\nurl", "\"hq\"\nurl"),
                13,
                "twice",
            ),
            (GOOD.replace("https://director", "ftp://director"), 7, "url"),
            (
                GOOD.replace("interval_seconds = 60", "interval_seconds = 1"),
                10,
                "interval_seconds",
            ),
            (
                GOOD.replace("kind = \"web\"", "kind = \"other\""),
                16,
                "kind",
            ),
            (
                GOOD.replace("use_email = true", "colour = \"red\""),
                17,
                "colour",
            ),
            (
                GOOD.replace("password_keyring = \"branch-2\"\n", ""),
                12,
                "password_env",
            ),
            (
                GOOD.replace("https://director", "https://admin:pw@director"),
                7,
                "no user name",
            ),
        ] {
            let e = error_of(&broken);
            assert_eq!(e.line, line, "{e}");
            assert!(e.message.contains(words), "{e} should say {words}");
        }
        assert!(error_of("").message.contains("no [[director]]"));
    }

    proptest! {
        /// Whatever the text, reading it answers (no panic) and an error
        /// names a line inside the text.
        #[test]
        fn any_text_is_read_or_refused_with_a_line(text in "[a-z_=\"\\[\\]\n 0-9.:/]{0,200}") {
            if let Err(e) = parse(&text) {
                prop_assert!(e.line >= 1 && e.line <= text.lines().count().max(1) + 1, "{e}");
            }
        }
    }
}
