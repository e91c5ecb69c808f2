//! Undoing a fix, judged before anything is written: an undo is a fix like
//! any other. The backup must be of this Director and of these users, and
//! hold values that are plain text; then only users whose value in Director
//! is still the one the fix wrote are put back, each row read as
//! **old = Director's value now, new = the value put back**. A user changed
//! in Director since the fix is listed and left alone.

use std::collections::HashMap;

use super::fix::{Change, FixField};
use super::text::{is_plain, printable};

/// A user as the backup names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackedUpUser {
    /// The `<id>` of `/director/users/<id>.json`.
    pub id: u64,
    pub user_dn: String,
    /// What the fix changed (old = before the fix, new = what it wrote).
    pub changes: Vec<Change>,
    /// The user as the backup's copy of its document shows it.
    pub original: UserValues,
}

/// The DN and the two fields a fix changes, as a user's document shows them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserValues {
    pub user_dn: String,
    pub client_username: Option<String>,
    pub email: Option<String>,
}

impl UserValues {
    pub fn get(&self, field: FixField) -> Option<&str> {
        match field {
            FixField::ClientUsername => self.client_username.as_deref(),
            FixField::Email => self.email.as_deref(),
        }
    }
}

/// One change of an undo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoRow {
    /// old = Director's value now, new = the value put back.
    pub change: Change,
    /// `None`: put back. `Some(why)`: left alone, with why.
    pub left_alone: Option<String>,
}

/// What an undo would do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UndoPlan {
    pub rows: Vec<UndoRow>,
    /// Changes Director already has back (undone before, or by hand).
    pub already_back: usize,
}

impl UndoPlan {
    /// The changes to make, in order.
    pub fn to_put_back(&self) -> impl Iterator<Item = &Change> {
        self.rows
            .iter()
            .filter(|r| r.left_alone.is_none())
            .map(|r| &r.change)
    }

    /// Users with at least one change to put back.
    pub fn users_to_change(&self) -> usize {
        let mut users: Vec<&str> = self.to_put_back().map(|c| c.user_dn.as_str()).collect();
        users.sort_unstable();
        users.dedup();
        users.len()
    }

    pub fn nothing_to_put_back(&self) -> bool {
        self.to_put_back().next().is_none()
    }
}

/// Why a backup is refused before any write: the first problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupRefused {
    #[error(
        "this backup is of {backup}, not of {director}: an undo only goes to the Director it came from"
    )]
    OtherDirector { backup: String, director: String },
    #[error(
        "user id {id}: the backup says it is {backup_dn}, but in Director user {id} is {director_dn}; this backup does not match this Director's users"
    )]
    OtherUser {
        id: u64,
        backup_dn: String,
        director_dn: String,
    },
    #[error("user id {id} ({user_dn}) is not in Director any more")]
    Gone { id: u64, user_dn: String },
    #[error(
        "user id {id}: the backup lists a change for {change_dn} under user {user_dn}; the file was edited or damaged"
    )]
    Mismatched {
        id: u64,
        user_dn: String,
        change_dn: String,
    },
    #[error(
        "user {user_dn}: the {field} to put back, \"{value}\", holds hidden characters (control or bidi); an undo only writes plain text"
    )]
    NotPlain {
        user_dn: String,
        field: &'static str,
        value: String,
    },
    #[error(
        "user {user_dn}: the backup's copy of the user has the {field} \"{original}\", but its change says \"{old}\"; the file was edited or damaged"
    )]
    Inconsistent {
        user_dn: String,
        field: &'static str,
        original: String,
        old: String,
    },
}

/// Checks what the backup says of itself: each change belongs to its user,
/// each value to put back is plain text and is what the backup's copy of
/// the document held. Nothing of Director's is needed.
pub fn check_backup(users: &[BackedUpUser]) -> Result<(), BackupRefused> {
    for user in users {
        if user.original.user_dn != user.user_dn {
            return Err(BackupRefused::Mismatched {
                id: user.id,
                user_dn: printable(&user.user_dn).into_owned(),
                change_dn: printable(&user.original.user_dn).into_owned(),
            });
        }
        for change in &user.changes {
            if change.user_dn != user.user_dn {
                return Err(BackupRefused::Mismatched {
                    id: user.id,
                    user_dn: printable(&user.user_dn).into_owned(),
                    change_dn: printable(&change.user_dn).into_owned(),
                });
            }
            if !is_plain(&change.old) || !is_plain(&change.new) {
                return Err(BackupRefused::NotPlain {
                    user_dn: printable(&user.user_dn).into_owned(),
                    field: change.field.label(),
                    value: printable(&change.old).into_owned(),
                });
            }
            let original = user.original.get(change.field).unwrap_or_default();
            if original != change.old {
                return Err(BackupRefused::Inconsistent {
                    user_dn: printable(&user.user_dn).into_owned(),
                    field: change.field.label(),
                    original: printable(original).into_owned(),
                    old: printable(&change.old).into_owned(),
                });
            }
        }
    }
    Ok(())
}

/// The undo of `users` given Director's values `now` (by id). Refused
/// whole when a user is not the one the backup names.
pub fn plan_undo(
    users: &[BackedUpUser],
    now: &HashMap<u64, UserValues>,
) -> Result<UndoPlan, BackupRefused> {
    check_backup(users)?;
    let mut plan = UndoPlan::default();
    for user in users {
        let Some(current) = now.get(&user.id) else {
            return Err(BackupRefused::Gone {
                id: user.id,
                user_dn: printable(&user.user_dn).into_owned(),
            });
        };
        if current.user_dn != user.user_dn {
            return Err(BackupRefused::OtherUser {
                id: user.id,
                backup_dn: printable(&user.user_dn).into_owned(),
                director_dn: printable(&current.user_dn).into_owned(),
            });
        }
        for change in &user.changes {
            let value = current.get(change.field).unwrap_or_default();
            if value == change.old {
                plan.already_back += 1;
                continue;
            }
            let left_alone = (value != change.new).then(|| {
                format!(
                    "changed in Director since the fix (now \"{}\"; the fix wrote \"{}\")",
                    printable(value),
                    printable(&change.new)
                )
            });
            plan.rows.push(UndoRow {
                change: Change {
                    user_dn: change.user_dn.clone(),
                    field: change.field,
                    old: value.to_string(),
                    new: change.old.clone(),
                },
                left_alone,
            });
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn backed_up(id: u64, dn: &str, before: &str, after: &str) -> BackedUpUser {
        BackedUpUser {
            id,
            user_dn: dn.into(),
            changes: vec![Change {
                user_dn: dn.into(),
                field: FixField::ClientUsername,
                old: before.into(),
                new: after.into(),
            }],
            original: UserValues {
                user_dn: dn.into(),
                client_username: Some(before.into()),
                email: Some(String::new()),
            },
        }
    }

    fn now(dn: &str, username: &str) -> UserValues {
        UserValues {
            user_dn: dn.into(),
            client_username: Some(username.into()),
            email: Some(String::new()),
        }
    }

    #[test]
    fn rows_read_from_director_now_to_the_value_put_back() {
        let users = [
            backed_up(1, "101", "a b@example.com", "ab@example.com"),
            backed_up(2, "102", "cy", "cy@example.com"),
            backed_up(3, "103", "di", "di@example.com"),
        ];
        let director = HashMap::from([
            (1, now("101", "ab@example.com")),
            (2, now("102", "cyrus@example.com")),
            (3, now("103", "di")),
        ]);
        let plan = plan_undo(&users, &director).expect("plan");
        assert_eq!(plan.rows.len(), 2);
        assert_eq!(plan.rows[0].change.old, "ab@example.com", "Director now");
        assert_eq!(plan.rows[0].change.new, "a b@example.com", "put back");
        assert_eq!(plan.rows[0].left_alone, None);
        assert!(
            plan.rows[1]
                .left_alone
                .as_deref()
                .is_some_and(|w| w.contains("changed in Director since the fix (now \"cyrus")),
            "{plan:?}"
        );
        assert_eq!(plan.already_back, 1);
        assert_eq!(plan.users_to_change(), 1);
    }

    #[test]
    fn a_backup_that_is_not_of_these_users_is_refused() {
        let users = [backed_up(1, "101", "a", "a@example.com")];
        let other = HashMap::from([(1, now("999", "a@example.com"))]);
        assert!(matches!(
            plan_undo(&users, &other),
            Err(BackupRefused::OtherUser { id: 1, .. })
        ));
        assert!(matches!(
            plan_undo(&users, &HashMap::new()),
            Err(BackupRefused::Gone { .. })
        ));
        let mut edited = backed_up(1, "101", "a", "a@example.com");
        edited.changes[0].user_dn = "999-not-this-user".into();
        assert!(matches!(
            check_backup(&[edited]),
            Err(BackupRefused::Mismatched { .. })
        ));
        let mut forged = backed_up(1, "101", "a", "a@example.com");
        forged.changes[0].old = "x".into();
        assert!(matches!(
            check_backup(&[forged]),
            Err(BackupRefused::Inconsistent { .. })
        ));
    }

    #[test]
    fn hidden_characters_are_never_put_back() {
        for value in ["a\u{1b}[2Jb", "adm\u{202E}in", "a\nb"] {
            let users = [backed_up(1, "101", value, "a@example.com")];
            let refused = check_backup(&users).expect_err(value);
            assert!(matches!(refused, BackupRefused::NotPlain { .. }));
            assert!(
                !refused
                    .to_string()
                    .chars()
                    .any(crate::domain::text::is_hidden),
                "the message itself is plain: {refused}"
            );
        }
    }

    proptest! {
        /// Whatever Director holds now, an undo never writes over a value
        /// the fix did not write, and the rows it puts back go from the
        /// fix's value to the backup's.
        #[test]
        fn only_the_fix_s_own_values_are_put_back(
            rows in prop::collection::vec(("[a-c]{1,2}", "[a-c]{1,2}@x\\.example", 0..3u8), 1..12)
        ) {
            let users: Vec<BackedUpUser> = rows
                .iter()
                .enumerate()
                .map(|(i, (before, after, _))| backed_up(i as u64, &i.to_string(), before, after))
                .collect();
            let director: HashMap<u64, UserValues> = rows
                .iter()
                .enumerate()
                .map(|(i, (before, after, which))| {
                    let value = match which { 0 => before.clone(), 1 => after.clone(), _ => "moved@x.example".into() };
                    (i as u64, now(&i.to_string(), &value))
                })
                .collect();
            let plan = plan_undo(&users, &director).expect("plan");
            for row in &plan.rows {
                let i: usize = row.change.user_dn.parse().expect("dn");
                let (before, after, which) = &rows[i];
                prop_assert_eq!(&row.change.new, before);
                prop_assert_eq!(row.left_alone.is_none(), *which == 1 && after != before);
            }
            let expected_back = rows.iter().filter(|(b, a, w)| *w == 0 || (*w == 1 && a == b)).count();
            prop_assert_eq!(plan.already_back, expected_back);
        }
    }
}
