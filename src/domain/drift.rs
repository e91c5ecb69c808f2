//! Watching a real Director through its web interface: what can be read
//! (reachable, sign-in accepted, the build, the users) and what follows
//! from it. The Hybrid alarm itself is on Director's alarm bar, which no
//! known interface shows, so nothing here ever says "healthy": the best a
//! reading gets is "nothing in the way that can be seen from here".
//!
//! Username drift — a user added without a valid email after the first
//! sync — is what the reading catches before Connect Sync raises its alert.

use super::alarm::{AlarmState, Notification, Status};
use super::format::{DirectoryUser, FormatOptions, format};

/// Where Director's Hybrid alarm is, said wherever its state would be.
pub const ALARM_ELSEWHERE: &str = "Hybrid alarm: see Director's alarm bar";

/// One look at a real Director.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watched {
    /// Signed in and read.
    Read(Reading),
    /// Director answered but refused the sign-in (in its words).
    Refused(String),
    /// Director did not answer, or not as a Director.
    Unreachable(String),
}

/// What a signed-in look read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The build, or why it was not read.
    pub build: Result<String, String>,
    /// Client usernames that would fail Connect Sync under the saved options.
    pub invalid: usize,
    pub total: usize,
    /// A few of the users in the way (for the notification), by name.
    pub examples: Vec<String>,
}

/// Users named in a drift notification, at most.
const EXAMPLES: usize = 3;

impl Reading {
    /// Counts the users whose client username would fail Connect Sync under
    /// `options`, as Director's "N of X" would.
    pub fn of(
        build: Result<String, String>,
        users: &[DirectoryUser],
        options: &FormatOptions,
    ) -> Self {
        let outcomes = format(users, options);
        let mut invalid = 0;
        let mut examples = Vec::new();
        for (user, outcome) in users.iter().zip(&outcomes) {
            if outcome.valid() {
                continue;
            }
            invalid += 1;
            if examples.len() < EXAMPLES {
                let name = format!("{} {}", user.first_name, user.last_name);
                let name = name.trim();
                examples.push(if name.is_empty() {
                    user.user_dn.to_string()
                } else {
                    name.to_string()
                });
            }
        }
        Reading {
            build,
            invalid,
            total: users.len(),
            examples,
        }
    }

    fn build_text(&self) -> String {
        match &self.build {
            Ok(build) => format!("build {build}"),
            Err(why) => format!("build not checked ({why})"),
        }
    }
}

impl Watched {
    /// The state the icon and `status` show, and its sentence. Never Green:
    /// green is the alarm bar's to say. Nothing in the way is Unknown (the
    /// alarm is not known), usernames in the way are Stale (a warning), a
    /// refused sign-in is Red.
    pub fn status(&self) -> Status {
        match self {
            Watched::Read(r) if r.invalid == 0 => Status {
                state: AlarmState::Unknown,
                summary: format!(
                    "Director reachable, {}, 0 of {} client usernames invalid ({ALARM_ELSEWHERE})",
                    r.build_text(),
                    r.total
                ),
            },
            Watched::Read(r) => Status {
                state: AlarmState::Stale,
                summary: format!(
                    "{} of {} client usernames would fail Connect Sync; Director reachable, {} ({ALARM_ELSEWHERE})",
                    r.invalid,
                    r.total,
                    r.build_text()
                ),
            },
            Watched::Refused(why) => Status {
                state: AlarmState::Red,
                summary: format!("Director refused the sign-in: {why}"),
            },
            Watched::Unreachable(why) => Status {
                state: AlarmState::Unknown,
                summary: format!("cannot read Director: {why}"),
            },
        }
    }

    /// The monitoring-plugin word: a reading with nothing in the way is OK
    /// (what can be checked passed), not the Unknown the icon shows — but a
    /// build that could not be read is a WARNING: an OK must not hide that
    /// Director may be too old for HYBRID.
    pub fn plugin_state(&self) -> AlarmState {
        match self {
            Watched::Read(r) if r.invalid == 0 && r.build.is_ok() => AlarmState::Green,
            Watched::Read(r) if r.invalid == 0 => AlarmState::Stale,
            other => other.status().state,
        }
    }

    pub fn invalid(&self) -> Option<usize> {
        match self {
            Watched::Read(r) => Some(r.invalid),
            _ => None,
        }
    }
}

/// Decides which looks deserve a desktop notification: more usernames in
/// the way than last time (a new user without an email), all of them fixed
/// again, the sign-in refused, Director gone or back. The first look says
/// nothing (the window that started the watch shows it).
#[derive(Debug, Default, Clone)]
pub struct DriftNotifier {
    last: Option<Watched>,
}

impl DriftNotifier {
    pub fn observe(&mut self, now: &Watched) -> Option<Notification> {
        let previous = self.last.replace(now.clone())?;
        let status = now.status();
        let title = match (&previous, now) {
            (Watched::Read(before), Watched::Read(after)) if after.invalid > before.invalid => {
                let added = after.invalid - before.invalid;
                let names = if after.examples.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", after.examples.join(", "))
                };
                return Some(Notification {
                    state: status.state,
                    title: format!(
                        "{added} more client username{} would fail Connect Sync",
                        if added == 1 { "" } else { "s" }
                    ),
                    body: format!(
                        "{} of {} now{names}. Fix them in Director before Connect Sync raises its alert.",
                        after.invalid, after.total
                    ),
                });
            }
            (Watched::Read(before), Watched::Read(after))
                if before.invalid > 0 && after.invalid == 0 =>
            {
                "Client usernames all valid again"
            }
            (Watched::Read(_), Watched::Read(_)) => return None,
            (Watched::Refused(_), Watched::Refused(_))
            | (Watched::Unreachable(_), Watched::Unreachable(_)) => return None,
            (_, Watched::Refused(_)) => "Director refused the sign-in",
            (_, Watched::Unreachable(_)) => "Director cannot be read",
            (_, Watched::Read(_)) => "Director can be read again",
        };
        Some(Notification {
            state: status.state,
            title: title.into(),
            body: status.summary,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(invalid: usize, total: usize) -> Watched {
        Watched::Read(Reading {
            build: Ok("21.90.9743.0".into()),
            invalid,
            total,
            examples: (0..invalid.min(3)).map(|i| format!("User {i}")).collect(),
        })
    }

    #[test]
    fn a_reading_counts_under_the_options_and_names_a_few() {
        let user = |first: &str, username: &str, email: &str| DirectoryUser {
            user_dn: format!("dn-{first}").into(),
            first_name: first.into(),
            last_name: "Doe".into(),
            client_username: username.into(),
            email: email.into(),
        };
        let users = vec![
            user("Ann", "ann@acme.example", "ann@acme.example"),
            user("Bob", "bob", "bob@acme.example"),
            user("Cy", "cy", ""),
        ];
        let plain = Reading::of(Ok("b".into()), &users, &FormatOptions::default());
        assert_eq!((plain.invalid, plain.total), (2, 3));
        assert_eq!(plain.examples, ["Bob Doe", "Cy Doe"]);
        let with_email = FormatOptions {
            use_email: true,
            append_domain: None,
        };
        let reading = Reading::of(Ok("b".into()), &users, &with_email);
        assert_eq!(reading.invalid, 1, "Bob's email is used; Cy has none");
    }

    #[test]
    fn never_says_healthy() {
        let clean = read(0, 120).status();
        assert_eq!(clean.state, AlarmState::Unknown);
        assert!(clean.summary.contains("0 of 120"), "{}", clean.summary);
        assert!(clean.summary.contains(ALARM_ELSEWHERE));
        assert!(!clean.summary.to_lowercase().contains("healthy"));
        assert_eq!(read(0, 120).plugin_state(), AlarmState::Green);
        assert_eq!(read(2, 120).status().state, AlarmState::Stale);
        let unread_build = Watched::Read(Reading {
            build: Err("the services table is not in the page".into()),
            invalid: 0,
            total: 120,
            examples: Vec::new(),
        });
        assert_eq!(
            unread_build.plugin_state(),
            AlarmState::Stale,
            "a build that cannot be read is at least a WARNING"
        );
        assert_eq!(
            Watched::Refused("locked".into()).status().state,
            AlarmState::Red
        );
    }

    #[test]
    fn a_build_not_read_says_why() {
        let watched = Watched::Read(Reading {
            build: Err("the page has no services table".into()),
            invalid: 0,
            total: 3,
            examples: vec![],
        });
        assert!(
            watched
                .status()
                .summary
                .contains("build not checked (the page has no services table)")
        );
    }

    #[test]
    fn notifies_on_drift_and_on_recovery_once_each() {
        let mut notifier = DriftNotifier::default();
        assert_eq!(
            notifier.observe(&read(0, 120)),
            None,
            "first look is silent"
        );
        assert_eq!(notifier.observe(&read(0, 120)), None);
        let drift = notifier
            .observe(&read(1, 121))
            .expect("a new user in the way");
        assert_eq!(
            drift.title,
            "1 more client username would fail Connect Sync"
        );
        assert!(
            drift.body.contains("1 of 121 now (User 0)"),
            "{}",
            drift.body
        );
        assert_eq!(notifier.observe(&read(1, 121)), None, "once per change");
        assert_eq!(
            notifier.observe(&read(0, 121)).map(|n| n.title),
            Some("Client usernames all valid again".into())
        );
        let gone = notifier.observe(&Watched::Unreachable("refused".into()));
        assert_eq!(
            gone.map(|n| n.title),
            Some("Director cannot be read".into())
        );
        assert_eq!(
            notifier.observe(&Watched::Unreachable("again".into())),
            None
        );
        assert_eq!(
            notifier.observe(&read(0, 121)).map(|n| n.title),
            Some("Director can be read again".into())
        );
    }
}
