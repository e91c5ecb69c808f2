//! The troubleshooting guide (`docs/troubleshooting.md`), built into the
//! program so an installed copy can show it without the source tree.

use std::path::{Path, PathBuf};

use crate::contract::AlertKind;
use crate::domain::alarm::AlarmState;

pub const GUIDE: &str = include_str!("../../docs/troubleshooting.md");

/// The guide's section for an alert.
pub fn anchor_for_alert(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::BadCredentials => "bad_credentials",
        AlertKind::InvalidUsernames => "invalid_usernames",
        AlertKind::PortalUnreachable => "portal_unreachable",
    }
}

/// The guide's section for a state without an alert (stale, unknown).
pub fn anchor_for_state(state: AlarmState) -> Option<&'static str> {
    match state {
        AlarmState::Stale => Some("stale"),
        AlarmState::Unknown => Some("unknown"),
        _ => None,
    }
}

/// A fix the status panel offers as a button, beside the guide's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// The Portal refused the Token: enter it again (Credentials).
    EnterTokenAgain,
    /// Client usernames are in the way: the username format step.
    ChangeUsernameFormat,
}

/// What to do about `state`: the fixes for the active alerts (red only;
/// stale and unknown have no fix here but checking again), and the guide's
/// sections to read, one per alert kind, or the state's own.
pub fn what_to_do(state: AlarmState, active: &[AlertKind]) -> (Vec<Remedy>, Vec<&'static str>) {
    if state != AlarmState::Red {
        return (Vec::new(), anchor_for_state(state).into_iter().collect());
    }
    let (mut remedies, mut anchors) = (Vec::new(), Vec::new());
    for &kind in active {
        let remedy = match kind {
            AlertKind::BadCredentials => Some(Remedy::EnterTokenAgain),
            AlertKind::InvalidUsernames => Some(Remedy::ChangeUsernameFormat),
            AlertKind::PortalUnreachable => None,
        };
        if let Some(remedy) = remedy.filter(|r| !remedies.contains(r)) {
            remedies.push(remedy);
        }
        let anchor = anchor_for_alert(kind);
        if !anchors.contains(&anchor) {
            anchors.push(anchor);
        }
    }
    (remedies, anchors)
}

/// The text of the section headed `## anchor`, without the heading.
pub fn section(anchor: &str) -> Option<&'static str> {
    let heading = format!("\n## {anchor}\n");
    let start = GUIDE.find(&heading)? + heading.len();
    let end = GUIDE[start..]
        .find("\n## ")
        .map_or(GUIDE.len(), |i| start + i);
    Some(GUIDE[start..end].trim())
}

/// A section as plain paragraphs for a window: a paragraph's lines joined
/// (each "- " item its own line), markdown's `**` and backticks dropped.
pub fn plain_paragraphs(section: &str) -> Vec<String> {
    section
        .split("\n\n")
        .map(|paragraph| {
            let mut text = String::new();
            for line in paragraph.lines().map(str::trim) {
                if line.starts_with("- ") && !text.is_empty() {
                    text.push('\n');
                } else if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(line);
            }
            text.replace("**", "").replace('`', "")
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// Writes the guide into `dir` (if missing or outdated) for the system's
/// viewer, and returns its path.
pub fn write_guide(dir: &Path) -> std::io::Result<PathBuf> {
    let path = dir.join("troubleshooting.md");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(GUIDE) {
        crate::store::atomic_file::create_private_dir(dir)?;
        crate::store::atomic_file::write_atomic(&path, GUIDE.as_bytes())?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_to_do_offers_the_fix_of_each_active_alert_once() {
        use AlertKind::*;
        let (remedies, anchors) = what_to_do(
            AlarmState::Red,
            &[
                BadCredentials,
                PortalUnreachable,
                BadCredentials,
                InvalidUsernames,
            ],
        );
        assert_eq!(
            remedies,
            [Remedy::EnterTokenAgain, Remedy::ChangeUsernameFormat]
        );
        assert_eq!(
            anchors,
            ["bad_credentials", "portal_unreachable", "invalid_usernames"]
        );
        assert_eq!(what_to_do(AlarmState::Stale, &[]), (vec![], vec!["stale"]));
        assert_eq!(
            what_to_do(AlarmState::Green, &[BadCredentials]),
            (vec![], vec![])
        );
        for anchor in [
            "bad_credentials",
            "portal_unreachable",
            "invalid_usernames",
            "stale",
            "unknown",
        ] {
            assert!(section(anchor).is_some(), "{anchor} is in the guide");
        }
    }

    #[test]
    fn a_section_reads_as_plain_paragraphs() {
        let section = "**Bold** start\nof one.\n\nList:\n\n- \"a\" — one\n  more\n- `b`";
        assert_eq!(
            plain_paragraphs(section),
            ["Bold start of one.", "List:", "- \"a\" — one more\n- b"]
        );
    }

    #[test]
    fn every_alert_and_state_has_a_section() {
        for kind in [
            AlertKind::BadCredentials,
            AlertKind::InvalidUsernames,
            AlertKind::PortalUnreachable,
        ] {
            let text = section(anchor_for_alert(kind)).expect("section");
            assert!(text.contains("What to do"), "{kind:?}");
        }
        for state in [AlarmState::Stale, AlarmState::Unknown] {
            assert!(section(anchor_for_state(state).expect("anchor")).is_some());
        }
        // The real Director's status panel shows this one.
        assert!(section("real_director").is_some_and(|s| s.contains("alarm bar")));
        assert!(section("nope").is_none());
    }

    #[test]
    fn the_guide_is_written_once() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = write_guide(dir.path())?;
        assert_eq!(std::fs::read_to_string(&path)?, GUIDE);
        assert_eq!(write_guide(dir.path())?, path);
        Ok(())
    }
}
