//! Fixing client usernames and emails in Director: which changes the
//! program can stand behind, and the preview of any set of changes — every
//! change judged against the whole directory *with all changes applied*, so
//! nothing sent can create a duplicate or leave a user invalid.
//!
//! Suggestions are deliberately few: a client username that is not valid
//! becomes the user's email when that is valid and unique; spaces are
//! removed where the result is valid and unique; and, only when the admin
//! asks and names the domain, users without an email get
//! `first.last@DOMAIN`. Case duplicates and invalid emails are listed for a
//! human, never guessed at.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::caseless::{Key, occurrences_each};
use super::format::DirectoryUser;
use super::username::{comparison_key, validate};

/// The two fields a fix changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixField {
    ClientUsername,
    Email,
}

impl FixField {
    pub fn label(self) -> &'static str {
        match self {
            FixField::ClientUsername => "client username",
            FixField::Email => "email",
        }
    }
}

/// What the admin (or a suggestion) wants for one user; `None` = leave as is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Wanted {
    pub user_dn: String,
    pub client_username: Option<String>,
    pub email: Option<String>,
    /// Where it came from, for messages ("line 7", "suggested: …").
    pub source: String,
}

/// One field of one user, old → new.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub user_dn: String,
    pub field: FixField,
    pub old: String,
    pub new: String,
}

/// A change as the preview judges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewRow {
    pub change: Change,
    /// Why it is not sent; `None`: it will be.
    pub refused: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Preview {
    pub rows: Vec<PreviewRow>,
    /// Users with at least one change that will be sent.
    pub users_to_change: usize,
    /// Changes refused (with a reason each).
    pub refused: usize,
    /// Wanted values that are already what Director has.
    pub unchanged: usize,
    pub total_users: usize,
}

impl Preview {
    /// The changes that will be sent, in order.
    pub fn accepted(&self) -> impl Iterator<Item = &Change> {
        self.rows
            .iter()
            .filter(|r| r.refused.is_none())
            .map(|r| &r.change)
    }

    /// More than a fifth of all users would change: ask again first.
    pub fn needs_confirmation(&self) -> bool {
        too_many(self.users_to_change, self.total_users)
    }

    /// Users no change will touch.
    pub fn left_as_they_are(&self) -> usize {
        self.total_users.saturating_sub(self.users_to_change)
    }

    /// `3 users to change, 1 refused, 19 left as they are (of 22 users)`.
    pub fn summary(&self) -> String {
        format!(
            "{} to change, {} refused, {} left as {} (of {})",
            count(self.users_to_change, "user", "users"),
            self.refused,
            self.left_as_they_are(),
            if self.left_as_they_are() == 1 {
                "it is"
            } else {
                "they are"
            },
            count(self.total_users, "user", "users"),
        )
    }
}

/// More than a fifth of `total` users changing in one run: the guard that
/// asks for `--allow-many` (a fix and an undo alike).
pub fn too_many(changing: usize, total: usize) -> bool {
    changing * 5 > total
}

/// `1 user`, `2 users`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Suggestions, and what is left for a person to decide.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Suggestions {
    pub wanted: Vec<Wanted>,
    /// (user_dn, why) — case duplicates, invalid emails.
    pub for_a_human: Vec<(String, String)>,
}

fn without_spaces(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `first.last@domain` in lower-case ASCII letters; `None` when a name has
/// no letter left.
fn first_last(user: &DirectoryUser, domain: &str) -> Option<String> {
    let letters = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let (first, last) = (letters(&user.first_name), letters(&user.last_name));
    (!first.is_empty() && !last.is_empty())
        .then(|| format!("{first}.{last}@{}", domain.trim().to_ascii_lowercase()))
}

/// What the program suggests for `users`; with `email_domain`, users
/// without an email get `first.last@email_domain`.
pub fn suggest(users: &[DirectoryUser], email_domain: Option<&str>) -> Suggestions {
    let mut usernames: HashMap<String, usize> = HashMap::new();
    let mut emails: HashMap<String, usize> = HashMap::new();
    for user in users {
        *usernames
            .entry(comparison_key(&user.client_username))
            .or_default() += 1;
        if !user.email.trim().is_empty() {
            *emails.entry(comparison_key(&user.email)).or_default() += 1;
        }
    }
    // Values taken by a suggestion already made.
    let mut claimed_usernames: HashSet<String> = HashSet::new();
    let mut claimed_emails: HashSet<String> = HashSet::new();
    let mut out = Suggestions::default();
    for user in users {
        let mut wanted = Wanted {
            user_dn: user.user_dn.to_string(),
            ..Default::default()
        };
        let mut reasons = Vec::new();
        let free_username = |candidate: &str, claimed: &HashSet<String>| {
            let key = comparison_key(candidate);
            validate(candidate).is_ok()
                && usernames.get(&key).copied().unwrap_or(0) == 0
                && !claimed.contains(&key)
        };
        let free_email = |candidate: &str, claimed: &HashSet<String>| {
            let key = comparison_key(candidate);
            validate(candidate).is_ok()
                && emails.get(&key).copied().unwrap_or(0) == 0
                && !claimed.contains(&key)
        };
        // The email: spaces removed, or first.last@domain when asked for.
        let mut email_now = user.email.to_string();
        let email_key = comparison_key(&user.email);
        if user.email.trim().is_empty() {
            if let Some(candidate) = email_domain.and_then(|d| first_last(user, d))
                && free_email(&candidate, &claimed_emails)
            {
                claimed_emails.insert(comparison_key(&candidate));
                wanted.email = Some(candidate.clone());
                wanted.source = "suggested: first.last@domain".into();
                email_now = candidate;
            }
        } else if validate(&user.email).is_err() {
            let cleaned = without_spaces(&user.email);
            if cleaned != user.email.as_str() && free_email(&cleaned, &claimed_emails) {
                claimed_emails.insert(comparison_key(&cleaned));
                wanted.email = Some(cleaned.clone());
                email_now = cleaned;
            } else {
                reasons.push("the email is not a valid address".to_string());
            }
        } else if emails.get(&email_key).copied().unwrap_or(0) > 1 {
            reasons.push("another user has the same email".to_string());
        }
        // The client username: spaces removed, else the email.
        let username_key = comparison_key(&user.client_username);
        let username_taken = usernames.get(&username_key).copied().unwrap_or(0) > 1;
        if validate(&user.client_username).is_err() {
            let cleaned = without_spaces(&user.client_username);
            let email_is_free = |candidate: &str| {
                validate(candidate).is_ok()
                    && (comparison_key(candidate) == username_key
                        || free_username(candidate, &claimed_usernames))
            };
            if cleaned != user.client_username.as_str()
                && free_username(&cleaned, &claimed_usernames)
            {
                claimed_usernames.insert(comparison_key(&cleaned));
                wanted.client_username = Some(cleaned);
            } else if !email_now.trim().is_empty()
                && emails
                    .get(&comparison_key(&email_now))
                    .copied()
                    .unwrap_or(0)
                    <= 1
                && email_is_free(email_now.trim())
            {
                claimed_usernames.insert(comparison_key(&email_now));
                wanted.client_username = Some(email_now.trim().to_string());
            } else {
                reasons.push("the client username is not an email address, and the email cannot stand in for it".into());
            }
        } else if username_taken {
            reasons.push("another user has the same client username (ignoring case)".into());
        }
        if wanted.source.is_empty() {
            wanted.source = "suggested".into();
        }
        if wanted.client_username.is_some() || wanted.email.is_some() {
            out.wanted.push(wanted);
        }
        if !reasons.is_empty() {
            out.for_a_human
                .push((user.user_dn.to_string(), reasons.join("; ")));
        }
    }
    out
}

/// Judges `wanted` against the whole directory with every change applied.
pub fn preview(users: &[DirectoryUser], wanted: &[Wanted]) -> Preview {
    let index: HashMap<&str, usize> = users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.user_dn.as_str(), i))
        .collect();
    let mut preview = Preview {
        total_users: users.len(),
        ..Default::default()
    };
    // (user index, field, new value, source) of every change asked for.
    let mut proposed: Vec<(usize, FixField, String)> = Vec::new();
    let mut refused_early: Vec<PreviewRow> = Vec::new();
    let mut seen: HashSet<usize> = HashSet::new();
    for w in wanted {
        let Some(&i) = index.get(w.user_dn.trim()) else {
            for (field, new) in [
                (FixField::ClientUsername, &w.client_username),
                (FixField::Email, &w.email),
            ] {
                if let Some(new) = new {
                    refused_early.push(PreviewRow {
                        change: Change {
                            user_dn: w.user_dn.clone(),
                            field,
                            old: String::new(),
                            new: new.clone(),
                        },
                        refused: Some(format!(
                            "{}: no user with this user_dn in Director",
                            w.source
                        )),
                    });
                }
            }
            continue;
        };
        let twice = !seen.insert(i);
        let user = &users[i];
        for (field, new, old) in [
            (
                FixField::ClientUsername,
                &w.client_username,
                user.client_username.as_str(),
            ),
            (FixField::Email, &w.email, user.email.as_str()),
        ] {
            let Some(new) = new.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
                continue;
            };
            if twice {
                refused_early.push(PreviewRow {
                    change: Change {
                        user_dn: user.user_dn.to_string(),
                        field,
                        old: old.to_string(),
                        new: new.to_string(),
                    },
                    refused: Some(format!("{}: this user is named more than once", w.source)),
                });
            } else if new == old {
                preview.unchanged += 1;
            } else {
                proposed.push((i, field, new.to_string()));
            }
        }
    }
    // A refused change keeps Director's current value, which may make
    // another change a duplicate: judge again until nothing new is refused.
    // Refusals only ever grow, so this ends (at most once per change).
    // Invalid values first: they never depend on the others, and a user
    // whose other change is refused keeps that field as it is, which the
    // whole-user rule in `judge` must see.
    let mut refused: Vec<Option<String>> = proposed
        .iter()
        .map(|(_, field, new)| invalid(*field, new))
        .collect();
    loop {
        let next = judge(users, &proposed, &refused);
        let mut grew = false;
        for (now, then) in refused.iter_mut().zip(next) {
            if now.is_none() && then.is_some() {
                *now = then;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    let mut users_changing = HashSet::new();
    for ((i, field, new), why) in proposed.into_iter().zip(refused) {
        let user = &users[i];
        if why.is_none() {
            users_changing.insert(i);
        }
        preview.rows.push(PreviewRow {
            change: Change {
                user_dn: user.user_dn.to_string(),
                field,
                old: match field {
                    FixField::ClientUsername => user.client_username.to_string(),
                    FixField::Email => user.email.to_string(),
                },
                new,
            },
            refused: why,
        });
    }
    preview.rows.extend(refused_early);
    preview.refused = preview.rows.iter().filter(|r| r.refused.is_some()).count();
    preview.users_to_change = users_changing.len();
    preview
}

/// Why `new` cannot be the `field` of anyone, if it cannot.
fn invalid(field: FixField, new: &str) -> Option<String> {
    validate(new).err().map(|reason| {
        format!(
            "{} \"{new}\" would still be invalid: {}",
            field.label(),
            reason.describe_as(field.label())
        )
    })
}

/// One pass: the reason each proposed change is refused, given the ones
/// already refused (those keep Director's current value). Duplicates are
/// counted over the whole directory with `caseless` keys — no lower-cased
/// copies — in parallel partitions, as formatting counts them.
fn judge(
    users: &[DirectoryUser],
    proposed: &[(usize, FixField, String)],
    refused: &[Option<String>],
) -> Vec<Option<String>> {
    let mut username: Vec<Key<'_>> = users.iter().map(|u| Key::new(&u.client_username)).collect();
    let mut email: Vec<Key<'_>> = users.iter().map(|u| Key::new(&u.email)).collect();
    for ((i, field, new), why) in proposed.iter().zip(refused) {
        if why.is_none() {
            match field {
                FixField::ClientUsername => username[*i] = Key::new(new),
                FixField::Email => email[*i] = Key::new(new),
            }
        }
    }
    let (usernames, emails) = (occurrences_each(&username), occurrences_each(&email));
    proposed
        .iter()
        .zip(refused)
        .map(|((i, field, new), why)| {
            if let Some(why) = invalid(*field, new) {
                return Some(why);
            }
            // A change already refused is not counted where it would go.
            let (count, other_count, other) = match (why, field) {
                (Some(_), _) => return why.clone(),
                (None, FixField::ClientUsername) => {
                    (usernames[*i], emails[*i], (FixField::Email, email[*i]))
                }
                (None, FixField::Email) => (
                    emails[*i],
                    usernames[*i],
                    (FixField::ClientUsername, username[*i]),
                ),
            };
            if count > 1 {
                return Some(format!(
                    "{} \"{new}\" would be a duplicate: another user has it (ignoring case)",
                    field.label()
                ));
            }
            // Director saves a user whole: a user whose other field is
            // shared with someone (after every change) cannot be saved.
            (other_count > 1).then(|| {
                format!(
                    "Director would not save this user: its {} \"{}\" is another user's too (ignoring case); settle that first",
                    other.0.label(),
                    other.1.text()
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn user(dn: &str, first: &str, last: &str, username: &str, email: &str) -> DirectoryUser {
        DirectoryUser {
            user_dn: dn.into(),
            first_name: first.into(),
            last_name: last.into(),
            client_username: username.into(),
            email: email.into(),
            has_did: None,
        }
    }

    fn tricky() -> Vec<DirectoryUser> {
        vec![
            user("1", "Ann", "Lee", "ann@acme.example", "ann@acme.example"),
            user("2", "Bob", "Ray", "bray", "bob.ray@acme.example"),
            user("3", "Cy", "Oh", "cy @acme.example", "cy@acme.example"),
            user("4", "Di", "Fu", "Di@acme.example", "di@acme.example"),
            user("5", "Di", "Fu", "di@ACME.example", "di.fu@acme.example"),
            user("6", "Ed", "Nú", "ed", ""),
            user("7", "Flo", "Ma", "flo", "flo@acme"),
            user("8", "Gus", "Ba", "gus", "shared@acme.example"),
            user("9", "Hal", "Ba", "hal", "shared@acme.example"),
        ]
    }

    #[test]
    fn suggests_only_what_it_can_stand_behind() {
        let s = suggest(&tricky(), None);
        let by_dn: HashMap<&str, &Wanted> =
            s.wanted.iter().map(|w| (w.user_dn.as_str(), w)).collect();
        assert_eq!(
            by_dn["2"].client_username.as_deref(),
            Some("bob.ray@acme.example"),
            "invalid username, valid unique email"
        );
        assert_eq!(
            by_dn["3"].client_username.as_deref(),
            Some("cy@acme.example")
        );
        assert!(
            !by_dn.contains_key("4") && !by_dn.contains_key("5"),
            "case duplicates are a person's call"
        );
        assert!(!by_dn.contains_key("6"), "no email, no domain given");
        assert!(
            !by_dn.contains_key("8") && !by_dn.contains_key("9"),
            "a shared email is not a username"
        );
        let human: HashSet<&str> = s.for_a_human.iter().map(|(dn, _)| dn.as_str()).collect();
        for dn in ["4", "5", "6", "7", "8", "9"] {
            assert!(
                human.contains(dn),
                "{dn} is listed for a person: {:?}",
                s.for_a_human
            );
        }
    }

    #[test]
    fn first_last_at_domain_only_when_asked_and_never_over_an_email() {
        let s = suggest(&tricky(), Some("Acme.Example"));
        let ed = s.wanted.iter().find(|w| w.user_dn == "6").expect("Ed");
        assert_eq!(
            ed.email.as_deref(),
            Some("ed.n@acme.example"),
            "ASCII letters only"
        );
        assert_eq!(ed.client_username.as_deref(), Some("ed.n@acme.example"));
        assert!(
            s.wanted
                .iter()
                .all(|w| w.user_dn == "6" || w.email.is_none() || w.user_dn == "3")
        );
    }

    #[test]
    fn the_preview_judges_against_the_whole_directory_after_the_changes() {
        let users = tricky();
        let wanted = vec![
            Wanted {
                user_dn: "2".into(),
                client_username: Some("bob.ray@acme.example".into()),
                ..Default::default()
            },
            // Two users asked to take the same value: both refused.
            Wanted {
                user_dn: "8".into(),
                client_username: Some("gb@acme.example".into()),
                ..Default::default()
            },
            Wanted {
                user_dn: "9".into(),
                client_username: Some("GB@acme.example".into()),
                ..Default::default()
            },
            Wanted {
                user_dn: "7".into(),
                email: Some("flo@acme".into()),
                ..Default::default()
            },
            Wanted {
                user_dn: "1".into(),
                client_username: Some("ann@acme.example".into()),
                ..Default::default()
            },
            Wanted {
                user_dn: "42".into(),
                email: Some("x@acme.example".into()),
                source: "line 9".into(),
                ..Default::default()
            },
            Wanted {
                user_dn: "6".into(),
                client_username: Some("ed nu".into()),
                ..Default::default()
            },
        ];
        let p = preview(&users, &wanted);
        let refused = |dn: &str| {
            p.rows
                .iter()
                .find(|r| r.change.user_dn == dn)
                .and_then(|r| r.refused.clone())
        };
        assert_eq!(refused("2"), None);
        assert!(refused("8").is_some_and(|r| r.contains("duplicate")));
        assert!(refused("9").is_some_and(|r| r.contains("duplicate")));
        assert!(refused("42").is_some_and(|r| r.starts_with("line 9: no user")));
        assert!(refused("6").is_some_and(|r| r.contains("would still be invalid")));
        assert_eq!(
            p.unchanged, 2,
            "flo's email and ann's username are already so"
        );
        assert_eq!((p.users_to_change, p.refused), (1, 4));
        assert_eq!(p.accepted().count(), 1);
    }

    #[test]
    fn refusing_one_change_clears_the_duplicate_it_would_have_made() {
        let users = vec![user("1", "A", "A", "a", ""), user("2", "B", "B", "b", "")];
        let wanted = vec![
            Wanted {
                user_dn: "1".into(),
                client_username: Some("x@acme.example".into()),
                email: Some("not valid".into()),
                ..Default::default()
            },
            Wanted {
                user_dn: "2".into(),
                email: Some("not valid".into()),
                ..Default::default()
            },
        ];
        let p = preview(&users, &wanted);
        assert_eq!(p.accepted().count(), 1, "{p:?}");
        assert_eq!(p.refused, 2);
    }

    #[test]
    fn a_user_whose_other_field_is_shared_cannot_be_saved() {
        // Di and di share a client username ignoring case: Director saves a
        // user whole, so neither can get an email until that is settled.
        let users = vec![
            user("1", "Di", "Fu", "di@acme.example", ""),
            user("2", "Dina", "Fu", "DI@acme.example", ""),
            user("3", "Ed", "Nu", "ed@acme.example", ""),
        ];
        let s = suggest(&users, Some("acme.example"));
        let p = preview(&users, &s.wanted);
        let refused = |dn: &str| {
            p.rows
                .iter()
                .find(|r| r.change.user_dn == dn)
                .and_then(|r| r.refused.clone())
        };
        for dn in ["1", "2"] {
            assert!(
                refused(dn)
                    .is_some_and(|r| r
                        .starts_with("Director would not save this user: its client username \"")),
                "{p:?}"
            );
        }
        assert_eq!(refused("3"), None);
        assert_eq!(
            p.summary(),
            "1 user to change, 2 refused, 2 left as they are (of 3 users)"
        );
    }

    #[test]
    fn messages_name_the_field_they_are_about() {
        let users = vec![user("1", "A", "B", "a@acme.example", "")];
        let p = preview(
            &users,
            &[Wanted {
                user_dn: "1".into(),
                email: Some("not-an-email".into()),
                ..Default::default()
            }],
        );
        assert_eq!(
            p.rows[0].refused.as_deref(),
            Some(
                "email \"not-an-email\" would still be invalid: The email is not an email address (no @)."
            )
        );
        assert_eq!(
            p.summary(),
            "0 users to change, 1 refused, 1 left as it is (of 1 user)"
        );
    }

    #[test]
    fn more_than_a_fifth_asks_again() {
        let p = Preview {
            users_to_change: 21,
            total_users: 100,
            ..Default::default()
        };
        assert!(p.needs_confirmation());
        let p = Preview {
            users_to_change: 20,
            total_users: 100,
            ..Default::default()
        };
        assert!(!p.needs_confirmation());
    }

    fn directory() -> impl Strategy<Value = Vec<DirectoryUser>> {
        let value = prop_oneof![
            Just(String::new()),
            "[a-c]{1,2}",
            "[a-c]{1,2}@acme\\.example",
            "[a-c ]{1,3}@acme\\.example",
        ];
        prop::collection::vec(
            (value.clone(), value, "[A-Z][a-z]{0,3}", "[A-Z][a-z]{0,3}"),
            1..25,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (username, email, first, last))| {
                    user(&i.to_string(), &first, &last, &username, &email)
                })
                .collect()
        })
    }

    proptest! {
        /// Whatever is suggested, the accepted changes never leave a
        /// changed user invalid or sharing a value with another user.
        #[test]
        fn accepted_changes_leave_no_invalid_or_duplicate_behind(users in directory(), domain in prop::option::of(Just("acme.example"))) {
            let s = suggest(&users, domain);
            let p = preview(&users, &s.wanted);
            let mut after = users.clone();
            for c in p.accepted() {
                let u = after.iter_mut().find(|u| u.user_dn == c.user_dn).expect("known");
                match c.field {
                    FixField::ClientUsername => u.client_username = c.new.as_str().into(),
                    FixField::Email => u.email = c.new.as_str().into(),
                }
            }
            for c in p.accepted() {
                prop_assert!(validate(&c.new).is_ok(), "{c:?}");
                let key = comparison_key(&c.new);
                let same = after.iter().filter(|u| match c.field {
                    FixField::ClientUsername => comparison_key(&u.client_username) == key,
                    FixField::Email => comparison_key(&u.email) == key,
                }).count();
                prop_assert_eq!(same, 1, "{:?}", c);
            }
        }
    }
}
