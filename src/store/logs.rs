//! The log file: tracing events written to the platform's log folder,
//! one file per day, the last week kept. Nothing secret is ever logged
//! (`Secret` has no way to print its value); `tests/gui.rs` searches the
//! logs and settings after a full provisioning run for the Token.

use std::io::Write;
use std::path::{Path, PathBuf};

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;

use crate::domain::redaction::redact;
use crate::store::atomic_file::{create_private_dir, make_private};

/// Log files are named `hybrid-setup.YYYY-MM-DD.log`.
pub const FILE_PREFIX: &str = "hybrid-setup";
pub const FILE_SUFFIX: &str = "log";
/// Days of logs kept.
pub const KEEP_FILES: usize = 7;
/// Environment variable with a tracing filter (`debug`, `hybrid_setup=trace`…).
pub const LEVEL_ENV: &str = "HYBRID_LOG";

/// Log lines waiting for the writer thread at most (more are dropped
/// rather than block the program).
const LINES_IN_FLIGHT: usize = 4_096;

/// Keeps the background log writer alive; logs are flushed when dropped.
#[must_use = "logging stops when the guard is dropped"]
pub struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

/// Sends tracing events to a daily file in `dir`. Fails when the folder
/// cannot be made or another subscriber is already installed.
pub fn init(dir: &Path) -> Result<LogGuard, String> {
    // Logs name the Director, the users' counts and the steps taken: this
    // user's alone (files made from now on are 0600 through the umask).
    create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for file in log_files(dir) {
        let _ = make_private(&file);
    }
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .filename_suffix(FILE_SUFFIX)
        .max_log_files(KEEP_FILES)
        .build(dir)
        .map_err(|e| format!("cannot log to {}: {e}", dir.display()))?;
    // A few thousand lines in flight are plenty for this program; the
    // default (128,000) costs every process 4 MB before its first line.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LINES_IN_FLIGHT)
        .finish(Redacting(appender));
    let filter = EnvFilter::try_from_env(LEVEL_ENV).unwrap_or_else(|_| {
        EnvFilter::new("info,hyper=warn,hyper_util=warn,reqwest=warn,rustls=warn,mysql_async=warn")
    });
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(LogGuard(guard))
}

/// Writes log lines with secrets taken out (see [`redact`]): a session
/// cookie or header that reaches the log at any level — our own lines or a
/// library's, `HYBRID_LOG=debug` included — arrives as `[redacted]`.
struct Redacting<W>(W);

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The non-blocking worker hands over whole formatted events.
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text, &[]).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The log files in `dir`, oldest first.
pub fn log_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(FILE_PREFIX) && n.ends_with(FILE_SUFFIX))
        })
        .collect();
    files.sort();
    files
}

/// The last `max_lines` lines of the logs, across files.
pub fn recent_lines(dir: &Path, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for file in log_files(dir).iter().rev() {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let mut these: Vec<String> = text.lines().map(str::to_string).collect();
        these.append(&mut lines);
        lines = these;
        if lines.len() >= max_lines {
            break;
        }
    }
    let skip = lines.len().saturating_sub(max_lines);
    lines.split_off(skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_lines_span_files_newest_last() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("hybrid-setup.2026-11-25.log"), "a\nb\n").expect("w");
        std::fs::write(dir.path().join("hybrid-setup.2026-11-26.log"), "c\nd\n").expect("w");
        std::fs::write(dir.path().join("other.txt"), "x\n").expect("w");
        assert_eq!(recent_lines(dir.path(), 3), vec!["b", "c", "d"]);
        assert_eq!(recent_lines(dir.path(), 10), vec!["a", "b", "c", "d"]);
        assert_eq!(log_files(dir.path()).len(), 2);
    }

    #[test]
    fn log_lines_reach_the_file_without_session_cookies() {
        let mut file = Redacting(Vec::new());
        let line = b"DEBUG reqwest: cookie: _director2_session=LIVE123; path=/ status=200\n";
        let n = file.write(line).expect("write");
        assert_eq!(n, line.len(), "the whole line is taken");
        let written = String::from_utf8(file.0).expect("utf-8");
        assert!(!written.contains("LIVE123"), "{written}");
        assert!(written.contains("[redacted]"), "{written}");
    }
}
