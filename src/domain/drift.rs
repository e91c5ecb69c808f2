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
    /// Users without a DID (Fax needs one), where DIDs were read.
    pub without_did: Option<usize>,
    /// Users with no email address, and users whose email another user
    /// has too (Connect Sync needs a unique one each).
    pub emails: EmailCounts,
}

/// See [`Reading::emails`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmailCounts {
    pub missing: usize,
    pub shared: usize,
}

impl EmailCounts {
    pub fn of(users: &[DirectoryUser]) -> Self {
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut missing = 0;
        for user in users {
            let email = user.email.trim().to_lowercase();
            if email.is_empty() {
                missing += 1;
            } else {
                *seen.entry(email).or_default() += 1;
            }
        }
        let shared = seen.values().filter(|&&n| n > 1).sum();
        EmailCounts { missing, shared }
    }
}

/// See [`Watched::gist`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gist {
    Read {
        invalid: usize,
        total: usize,
        build_read: bool,
    },
    Refused,
    Unreachable,
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
        let without_did = users
            .iter()
            .map(|u| u.has_did)
            .try_fold(0, |count, has| has.map(|has| count + usize::from(!has)));
        Reading {
            build,
            invalid,
            total: users.len(),
            examples,
            without_did,
            emails: EmailCounts::of(users),
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
                    "0 of {} client usernames would fail Connect Sync; Director reachable, {} ({ALARM_ELSEWHERE})",
                    r.total,
                    r.build_text()
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

    /// What this look says, without the words that change on their own (a
    /// back-off's minutes left, a connection error's details): two looks
    /// with the same gist need not be told twice.
    pub fn gist(&self) -> Gist {
        match self {
            Watched::Read(r) => Gist::Read {
                invalid: r.invalid,
                total: r.total,
                build_read: r.build.is_ok(),
            },
            Watched::Refused(_) => Gist::Refused,
            Watched::Unreachable(_) => Gist::Unreachable,
        }
    }

    pub fn invalid(&self) -> Option<usize> {
        match self {
            Watched::Read(r) => Some(r.invalid),
            _ => None,
        }
    }
}

/// Looks in a row that cannot reach Director before the icon turns red and
/// a notification says so: one lost look is a blip, not an outage.
pub const UNREACHABLE_FOR_RED: u32 = 3;

/// Decides which looks deserve a desktop notification: more usernames in
/// the way than last time (a new user without an email), all of them fixed
/// again, the sign-in refused, Director unreachable [`UNREACHABLE_FOR_RED`]
/// looks in a row, and back to normal after either. The first look says
/// nothing (the window that started the watch shows it).
#[derive(Debug, Default, Clone)]
pub struct DriftNotifier {
    looked: bool,
    last_read: Option<Reading>,
    /// A refusal or an outage was told, and not yet its end.
    told_trouble: bool,
    refused: bool,
}

impl DriftNotifier {
    /// `unreachable_in_a_row` counts this look too when it is unreachable.
    pub fn observe(&mut self, now: &Watched, unreachable_in_a_row: u32) -> Option<Notification> {
        let first = !std::mem::replace(&mut self.looked, true);
        let status = now.status();
        let notification = |title: String, body: String| Notification {
            state: status.state,
            title,
            body,
        };
        match now {
            Watched::Unreachable(_) => {
                self.refused = false;
                if unreachable_in_a_row != UNREACHABLE_FOR_RED || self.told_trouble {
                    return None;
                }
                self.told_trouble = true;
                Some(notification(
                    format!("Director unreachable {UNREACHABLE_FOR_RED} checks in a row"),
                    status.summary,
                ))
            }
            Watched::Refused(_) => {
                if std::mem::replace(&mut self.refused, true) {
                    return None;
                }
                self.told_trouble = true;
                (!first)
                    .then(|| notification("Director refused the sign-in".into(), status.summary))
            }
            Watched::Read(after) => {
                self.refused = false;
                let before = self.last_read.replace(after.clone());
                if std::mem::replace(&mut self.told_trouble, false) {
                    return Some(notification(
                        "Director can be read again".into(),
                        status.summary,
                    ));
                }
                let before = before?;
                if after.invalid > before.invalid {
                    let added = after.invalid - before.invalid;
                    let names = if after.examples.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", after.examples.join(", "))
                    };
                    return Some(notification(
                        format!(
                            "{added} more client username{} would fail Connect Sync",
                            if added == 1 { "" } else { "s" }
                        ),
                        format!(
                            "{} of {} now{names}. Fix them in Director before Connect Sync raises its alert.",
                            after.invalid, after.total
                        ),
                    ));
                }
                (before.invalid > 0 && after.invalid == 0).then(|| {
                    notification("Client usernames all valid again".into(), status.summary)
                })
            }
        }
    }
}

/// A real Director at a glance, from its looks so far: the icon's colour
/// and the one line the icon, the panel and `status --watch` say. One lost
/// look keeps the last reading's colour (said as such); three in a row, or
/// a refused sign-in, are red; grey only before the first reading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Glance {
    latest: Option<Watched>,
    last_read: Option<Reading>,
    unreachable_in_a_row: u32,
}

impl Glance {
    pub fn observe(&mut self, watched: &Watched, unreachable_in_a_row: u32) {
        if let Watched::Read(reading) = watched {
            self.last_read = Some(reading.clone());
        }
        self.latest = Some(watched.clone());
        self.unreachable_in_a_row = unreachable_in_a_row;
    }

    /// Green only when everything that can be read is fine (the alarm
    /// itself is not among it: see [`ALARM_ELSEWHERE`]).
    pub fn state(&self) -> AlarmState {
        match &self.latest {
            None => AlarmState::Unknown,
            Some(Watched::Refused(_)) => AlarmState::Red,
            Some(Watched::Unreachable(_)) if self.unreachable_in_a_row >= UNREACHABLE_FOR_RED => {
                AlarmState::Red
            }
            Some(Watched::Unreachable(_)) => self
                .last_read
                .as_ref()
                .map_or(AlarmState::Unknown, reading_state),
            Some(Watched::Read(r)) => reading_state(r),
        }
    }

    /// "16 of 22 client usernames would fail Connect Sync".
    pub fn headline(&self) -> String {
        match &self.latest {
            None => "reading Director…".into(),
            Some(Watched::Refused(_)) => "sign-in refused — open to enter the password".into(),
            Some(Watched::Unreachable(_)) if self.unreachable_in_a_row >= UNREACHABLE_FOR_RED => {
                format!(
                    "Director unreachable {} checks in a row",
                    self.unreachable_in_a_row
                )
            }
            Some(Watched::Unreachable(why)) => match &self.last_read {
                Some(r) => format!(
                    "{}; the last check did not reach Director",
                    reading_headline(r)
                ),
                None => format!("Director not reached yet: {why}"),
            },
            Some(Watched::Read(r)) => reading_headline(r),
        }
    }

    /// The last look, if any.
    pub fn latest(&self) -> Option<&Watched> {
        self.latest.as_ref()
    }

    /// The last reading that got through (kept through a lost look).
    pub fn last_read(&self) -> Option<&Reading> {
        self.last_read.as_ref()
    }
}

fn reading_state(r: &Reading) -> AlarmState {
    if r.invalid == 0 && r.build.is_ok() {
        AlarmState::Green
    } else {
        AlarmState::Stale
    }
}

fn reading_headline(r: &Reading) -> String {
    let counts = format!(
        "{} of {} client usernames would fail Connect Sync",
        r.invalid, r.total
    );
    match &r.build {
        Ok(_) => counts,
        Err(_) => format!("{counts}; Director's build could not be read"),
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
            without_did: None,
            emails: EmailCounts::default(),
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
            has_did: None,
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
        assert_eq!(
            reading.emails,
            EmailCounts {
                missing: 1,
                shared: 0
            }
        );
        let mut twins = users.clone();
        twins[1].email = " ANN@acme.example".into();
        assert_eq!(
            EmailCounts::of(&twins),
            EmailCounts {
                missing: 1,
                shared: 2
            },
            "the same address in another case is shared"
        );
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
            without_did: None,
            emails: EmailCounts::default(),
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
            without_did: None,
            emails: EmailCounts::default(),
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
            notifier.observe(&read(0, 120), 0),
            None,
            "first look is silent"
        );
        assert_eq!(notifier.observe(&read(0, 120), 0), None);
        let drift = notifier
            .observe(&read(1, 121), 0)
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
        assert_eq!(notifier.observe(&read(1, 121), 0), None, "once per change");
        assert_eq!(
            notifier.observe(&read(0, 121), 0).map(|n| n.title),
            Some("Client usernames all valid again".into())
        );
        let gone = Watched::Unreachable("refused".into());
        assert_eq!(notifier.observe(&gone, 1), None, "one lost look is a blip");
        assert_eq!(notifier.observe(&gone, 2), None);
        assert_eq!(
            notifier.observe(&gone, 3).map(|n| n.title),
            Some("Director unreachable 3 checks in a row".into())
        );
        assert_eq!(notifier.observe(&gone, 4), None, "said once");
        assert_eq!(
            notifier.observe(&read(0, 121), 0).map(|n| n.title),
            Some("Director can be read again".into())
        );
        assert_eq!(notifier.observe(&gone, 1), None);
        assert_eq!(
            notifier.observe(&read(0, 121), 0),
            None,
            "a blip that was not told has no end to tell"
        );
        let refused = Watched::Refused("Invalid login".into());
        assert_eq!(
            notifier.observe(&refused, 0).map(|n| n.title),
            Some("Director refused the sign-in".into())
        );
        assert_eq!(notifier.observe(&refused, 0), None, "held back: said once");
        assert_eq!(
            notifier.observe(&read(0, 121), 0).map(|n| n.title),
            Some("Director can be read again".into())
        );
    }

    #[test]
    fn a_glance_is_green_only_when_all_is_read_and_fine() {
        let mut glance = Glance::default();
        assert_eq!(
            glance.state(),
            AlarmState::Unknown,
            "before the first reading"
        );
        assert_eq!(glance.headline(), "reading Director…");
        glance.observe(&read(0, 22), 0);
        assert_eq!(glance.state(), AlarmState::Green);
        assert_eq!(
            glance.headline(),
            "0 of 22 client usernames would fail Connect Sync"
        );
        glance.observe(&read(16, 22), 0);
        assert_eq!(glance.state(), AlarmState::Stale);
        assert_eq!(
            glance.headline(),
            "16 of 22 client usernames would fail Connect Sync"
        );
        let gone = Watched::Unreachable("connection refused".into());
        glance.observe(&gone, 1);
        assert_eq!(
            glance.state(),
            AlarmState::Stale,
            "one lost look keeps the colour"
        );
        assert!(
            glance
                .headline()
                .ends_with("the last check did not reach Director")
        );
        glance.observe(&gone, 2);
        assert_eq!(glance.state(), AlarmState::Stale);
        glance.observe(&gone, 3);
        assert_eq!(glance.state(), AlarmState::Red);
        assert_eq!(glance.headline(), "Director unreachable 3 checks in a row");
        glance.observe(&Watched::Refused("no".into()), 0);
        assert_eq!(glance.state(), AlarmState::Red);
        assert_eq!(
            glance.headline(),
            "sign-in refused — open to enter the password"
        );
        let unread_build = Watched::Read(Reading {
            build: Err("no services table".into()),
            invalid: 0,
            total: 3,
            examples: vec![],
            without_did: None,
            emails: EmailCounts::default(),
        });
        glance.observe(&unread_build, 0);
        assert_eq!(
            glance.state(),
            AlarmState::Stale,
            "a build not read is not all fine"
        );
        let mut never = Glance::default();
        never.observe(&gone, 1);
        assert_eq!(never.state(), AlarmState::Unknown);
        assert!(
            never
                .headline()
                .starts_with("Director not reached yet: connection refused")
        );
    }
}
