//! Fixing client usernames and emails in a real Director through its web
//! interface, safely: a backup of every user about to change is written
//! (atomically, this user's alone) before the first write; each user is
//! read fresh, changed in the chosen fields only, sent back whole, and read
//! back to see Director kept the change; a user whose values moved since
//! the preview is skipped; five failures in a row stop the run; and a run
//! repeated after a crash or Cancel skips users already done.
//!
//! An undo is a fix like any other: the backup is checked against the
//! Director it is pointed at (`plan_undo`), and what it puts back is then
//! applied as a fix with a backup of its own, so an undo can be undone.
//! What is judged (suggestions, the preview, the undo's plan) is
//! `domain::fix` and `domain::undo`.

pub mod backup;
pub mod changes_file;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;
use serde::Serialize;

use crate::client::director::web::WebDirector;
use crate::domain::fix::{Change, FixField};
use crate::domain::text::printable;
use crate::domain::undo::{BackupRefused, UndoPlan, UserValues};

pub use backup::{
    Backup, BackupSummary, BackupUser, backup_path, list_backups, origin_of, read_backup, value_in,
};
pub use changes_file::{read_changes, read_changes_file};

/// Failures in a row that stop a run (Director is in trouble, or the
/// session is gone): the rest is left for a rerun.
pub const STOP_AFTER_FAILURES: usize = 5;
/// Users changed at once, like the read's requests in flight.
pub const IN_FLIGHT: usize = crate::client::director::web::CONCURRENT_USER_REQUESTS;

/// What became of one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "reason")]
pub enum Outcome {
    Applied,
    /// Director already has the new value (a rerun after a crash or Cancel).
    AlreadyDone,
    /// Not sent, with why (changed in Director since the preview, …).
    Refused(String),
    /// Sent and not made, in Director's words or the network's.
    Failed(String),
    /// Not reached: the run was cancelled or stopped first.
    NotRun,
}

impl Outcome {
    /// `applied`, `refused`, `failed`, `not_run` for the JSON and the text.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Applied | Outcome::AlreadyDone => "applied",
            Outcome::Refused(_) => "refused",
            Outcome::Failed(_) => "failed",
            Outcome::NotRun => "not_run",
        }
    }

    pub fn reason(&self) -> Option<String> {
        match self {
            Outcome::Applied => None,
            Outcome::AlreadyDone => Some("Director already had this value".into()),
            Outcome::Refused(why) | Outcome::Failed(why) => Some(why.clone()),
            Outcome::NotRun => Some("not reached: the run stopped first".into()),
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub results: Vec<(Change, Outcome)>,
    pub backup: Option<PathBuf>,
    /// Why the run stopped early, if it did.
    pub stopped: Option<String>,
}

impl Report {
    pub fn all_applied(&self) -> bool {
        self.stopped.is_none()
            && self
                .results
                .iter()
                .all(|(_, o)| matches!(o, Outcome::Applied | Outcome::AlreadyDone))
    }
}

fn set_value(document: &mut serde_json::Value, field: FixField, value: &str) -> bool {
    let slot = match field {
        FixField::ClientUsername => document
            .get_mut("user")
            .and_then(|u| u.get_mut("GuiLoginName")),
        FixField::Email => document
            .get_mut("user")
            .and_then(|u| u.get_mut("tab_address_attributes"))
            .and_then(|a| a.get_mut("EmailAddress")),
    };
    match slot {
        Some(slot) => {
            *slot = serde_json::Value::String(value.to_string());
            true
        }
        None => false,
    }
}

/// The changes grouped by user, in their first order.
fn by_user(changes: &[Change]) -> Vec<(String, Vec<Change>)> {
    let mut order: Vec<(String, Vec<Change>)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for change in changes {
        let i = *at.entry(change.user_dn.clone()).or_insert_with(|| {
            order.push((change.user_dn.clone(), Vec::new()));
            order.len() - 1
        });
        order[i].1.push(change.clone());
    }
    order
}

/// What kind of run writes a backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunKind {
    Fix,
    /// An undo of the backup with this file name.
    Undo(String),
}

/// Applies `changes` (from an accepted preview, or an undo's plan) to
/// Director; `ids` maps user DN → web id. `progress(done, total, user_dn)`
/// after each user; `cancel` stops before the next user. Nothing to change:
/// no backup, an empty report.
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    web: &WebDirector,
    director_url: &str,
    changes: &[Change],
    ids: &HashMap<String, u64>,
    backup_dir: &Path,
    kind: RunKind,
    progress: &(dyn Fn(usize, usize, &str) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<Report, String> {
    if changes.is_empty() {
        return Ok(Report::default());
    }
    let users = by_user(changes);
    // The backup first: every document as Director has it now.
    let wanted: Vec<u64> = users
        .iter()
        .filter_map(|(user_dn, _)| ids.get(user_dn).copied())
        .collect();
    let documents = read_documents(web, &wanted)
        .await
        .map_err(|e| format!("reading users for the backup failed: {e}"))?;
    let mut backup = Backup {
        director: director_url.to_string(),
        origin: origin_of(director_url),
        written_at: now(),
        undoes: match &kind {
            RunKind::Fix => None,
            RunKind::Undo(name) => Some(name.clone()),
        },
        users: Vec::new(),
    };
    for (user_dn, user_changes) in &users {
        let Some(&id) = ids.get(user_dn) else {
            continue;
        };
        let Some(original) = documents.get(&id) else {
            continue;
        };
        backup.users.push(BackupUser {
            id,
            user_dn: user_dn.clone(),
            original: original.clone(),
            changes: user_changes.clone(),
        });
    }
    let path = backup_path(backup_dir, director_url, chrono::Local::now());
    backup::write_backup(&path, &backup)?;
    let mut report = Report {
        backup: Some(path),
        ..Default::default()
    };
    run(web, &backup.users, progress, cancel, &mut report).await;
    // Users without an id were not in Director's list; without a document,
    // Director no longer has them.
    for (user_dn, user_changes) in &users {
        let why = match ids.get(user_dn) {
            None => "no user with this user_dn in Director's list",
            Some(id) if !documents.contains_key(id) => "this user is not in Director any more",
            Some(_) => continue,
        };
        for change in user_changes {
            report
                .results
                .push((change.clone(), Outcome::Refused(why.into())));
        }
    }
    Ok(report)
}

/// Every document of `ids`, a few at a time; a user Director no longer
/// has is left out (the caller names it), any other failure ends the read.
async fn read_documents(
    web: &WebDirector,
    ids: &[u64],
) -> Result<HashMap<u64, serde_json::Value>, crate::client::http::ApiError> {
    let mut reads = futures_util::stream::iter(ids.iter().copied())
        .map(|id| async move { (id, web.user_document(id).await) })
        .buffer_unordered(IN_FLIGHT);
    let mut documents = HashMap::with_capacity(ids.len());
    while let Some((id, read)) = reads.next().await {
        match read {
            Ok(document) => {
                documents.insert(id, document);
            }
            Err(crate::client::http::ApiError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(documents)
}

/// Why an undo cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UndoError {
    /// The backup does not belong here: nothing is written (exit 2).
    #[error("{0}")]
    Refused(#[from] BackupRefused),
    /// Director could not be read.
    #[error("{0}")]
    Unreadable(String),
}

/// An undo judged and ready: what it would put back, and the ids to write.
#[derive(Debug, Clone, Default)]
pub struct UndoReview {
    pub plan: UndoPlan,
    pub ids: HashMap<String, u64>,
    /// The backup's file name (the undo's own backup names it).
    pub backup_name: String,
    /// Users in Director now (for the 20% guard).
    pub total_users: u64,
}

impl UndoReview {
    /// More than a fifth of all users would change.
    pub fn needs_confirmation(&self) -> bool {
        crate::domain::fix::too_many(self.plan.users_to_change(), self.total_users as usize)
    }
}

/// Reads every user `backup` names from Director and judges the undo: a
/// backup of another Director, of other users, or with values that are
/// not plain text is refused before anything is written.
pub async fn plan_undo(
    web: &WebDirector,
    director_url: &str,
    backup_path: &Path,
    backup: &Backup,
) -> Result<UndoReview, UndoError> {
    let (theirs, ours) = (backup.origin.clone(), origin_of(director_url));
    if theirs != ours {
        return Err(BackupRefused::OtherDirector {
            backup: printable(&theirs).into_owned(),
            director: ours,
        }
        .into());
    }
    let backed_up: Vec<_> = backup.users.iter().map(BackupUser::backed_up).collect();
    crate::domain::undo::check_backup(&backed_up)?;
    let ids: Vec<u64> = backup.users.iter().map(|u| u.id).collect();
    let documents = read_documents(web, &ids)
        .await
        .map_err(|e| UndoError::Unreadable(e.to_string()))?;
    let now: HashMap<u64, UserValues> = documents
        .iter()
        .map(|(id, d)| (*id, backup::values_of(d, *id)))
        .collect();
    let plan = crate::domain::undo::plan_undo(&backed_up, &now)?;
    let total_users = web
        .user_count()
        .await
        .map_err(|e| UndoError::Unreadable(e.to_string()))?;
    Ok(UndoReview {
        plan,
        ids: backup
            .users
            .iter()
            .map(|u| (u.user_dn.clone(), u.id))
            .collect(),
        backup_name: backup_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        total_users,
    })
}

/// Puts back what `review` found to put back: a fix with its own backup.
pub async fn undo(
    web: &WebDirector,
    director_url: &str,
    review: &UndoReview,
    backup_dir: &Path,
    progress: &(dyn Fn(usize, usize, &str) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<Report, String> {
    let changes: Vec<Change> = review.plan.to_put_back().cloned().collect();
    apply(
        web,
        director_url,
        &changes,
        &review.ids,
        backup_dir,
        RunKind::Undo(review.backup_name.clone()),
        progress,
        cancel,
    )
    .await
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

async fn run(
    web: &WebDirector,
    users: &[BackupUser],
    progress: &(dyn Fn(usize, usize, &str) + Send + Sync),
    cancel: &AtomicBool,
    report: &mut Report,
) {
    let mut outcomes: Vec<Option<Vec<Outcome>>> = vec![None; users.len()];
    let mut failures_in_a_row = 0;
    let mut done = 0;
    for wave in waves(users) {
        let mut pending = wave.into_iter();
        let mut running = tokio::task::JoinSet::new();
        loop {
            // A few users at a time, as the read does; none started once
            // cancelled or after too many failures in a row.
            while running.len() < IN_FLIGHT && report.stopped.is_none() {
                if cancel.load(Ordering::Relaxed) {
                    report.stopped = Some("cancelled".into());
                } else if failures_in_a_row >= STOP_AFTER_FAILURES {
                    report.stopped = Some(format!(
                        "stopped after {STOP_AFTER_FAILURES} failures in a row"
                    ));
                }
                if report.stopped.is_some() {
                    break;
                }
                let Some(index) = pending.next() else {
                    break;
                };
                let (web, user) = (web.clone(), users[index].clone());
                running.spawn(async move { (index, one_user(&web, &user).await) });
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            let Ok((index, user_outcomes)) = joined else {
                continue;
            };
            let failed = user_outcomes
                .iter()
                .any(|o| matches!(o, Outcome::Failed(_)));
            failures_in_a_row = if failed { failures_in_a_row + 1 } else { 0 };
            outcomes[index] = Some(user_outcomes);
            done += 1;
            progress(done, users.len(), &users[index].user_dn);
        }
    }
    for (user, user_outcomes) in users.iter().zip(outcomes) {
        let user_outcomes =
            user_outcomes.unwrap_or_else(|| vec![Outcome::NotRun; user.changes.len()]);
        for (change, outcome) in user.changes.iter().zip(user_outcomes) {
            report.results.push((change.clone(), outcome));
        }
    }
}

/// The users in the order Director can take them: a user taking a value
/// another user gives up (`bray` → `bob@…` while Bob's old `bob@…` moves
/// on) waits for that user, so no write meets a value that is only free
/// once the whole fix is done. Each wave runs a few at a time; a cycle
/// (two users swapping values) goes last and meets Director's refusal.
fn waves(users: &[BackupUser]) -> Vec<Vec<usize>> {
    let values = |user: &BackupUser, giving_up: bool| -> Vec<(FixField, String)> {
        user.changes
            .iter()
            .map(|c| {
                let value = if giving_up { &c.old } else { &c.new };
                (c.field, crate::domain::username::comparison_key(value))
            })
            .collect()
    };
    let given_up: HashMap<(FixField, String), Vec<usize>> =
        users
            .iter()
            .enumerate()
            .fold(HashMap::new(), |mut map, (i, user)| {
                for key in values(user, true) {
                    map.entry(key).or_default().push(i);
                }
                map
            });
    let waits_for: Vec<Vec<usize>> = users
        .iter()
        .enumerate()
        .map(|(i, user)| {
            values(user, false)
                .into_iter()
                .filter_map(|key| given_up.get(&key))
                .flatten()
                .copied()
                .filter(|&j| j != i)
                .collect()
        })
        .collect();
    let mut placed = vec![false; users.len()];
    let mut waves = Vec::new();
    while placed.iter().any(|p| !p) {
        let wave: Vec<usize> = (0..users.len())
            .filter(|&i| !placed[i] && waits_for[i].iter().all(|&j| placed[j]))
            .collect();
        let wave = if wave.is_empty() {
            (0..users.len()).filter(|&i| !placed[i]).collect()
        } else {
            wave
        };
        for &i in &wave {
            placed[i] = true;
        }
        waves.push(wave);
    }
    waves
}

/// One user: read fresh, check each field still holds what was expected,
/// change the fields that do, send the whole document back, and read it
/// back: an answer of 200 is not taken for the change.
async fn one_user(web: &WebDirector, user: &BackupUser) -> Vec<Outcome> {
    let mut document = match web.user_document(user.id).await {
        Ok(d) => d,
        Err(e) => return vec![Outcome::Failed(e.to_string()); user.changes.len()],
    };
    let mut outcomes = Vec::new();
    let mut to_send = false;
    for change in &user.changes {
        let now = value_in(&document, change.field)
            .unwrap_or_default()
            .to_string();
        let outcome = if now == change.new {
            Outcome::AlreadyDone
        } else if now != change.old {
            Outcome::Refused(format!(
                "changed in Director since the preview: the {} is now \"{}\", not \"{}\"",
                change.field.label(),
                printable(&now),
                printable(&change.old)
            ))
        } else if set_value(&mut document, change.field, &change.new) {
            to_send = true;
            Outcome::Applied
        } else {
            Outcome::Failed(format!(
                "Director's document has no {} field",
                change.field.label()
            ))
        };
        outcomes.push(outcome);
    }
    if !to_send {
        return outcomes;
    }
    let failed_all = |outcomes: Vec<Outcome>, why: &dyn Fn(&Change) -> String| {
        outcomes
            .into_iter()
            .zip(&user.changes)
            .map(|(o, change)| match o {
                Outcome::Applied => Outcome::Failed(why(change)),
                other => other,
            })
            .collect::<Vec<_>>()
    };
    if let Err(e) = web.update_user(user.id, &document).await {
        let why = e.to_string();
        return failed_all(outcomes, &|_| why.clone());
    }
    // Read back: only what Director now holds counts as done.
    let read_back = match web.user_document(user.id).await {
        Ok(d) => d,
        Err(e) => {
            let why = format!(
                "Director answered OK, but reading the user back failed ({e}); run the fix again to see where it stands"
            );
            return failed_all(outcomes, &|_| why.clone());
        }
    };
    outcomes
        .into_iter()
        .zip(&user.changes)
        .map(|(outcome, change)| {
            if outcome != Outcome::Applied {
                return outcome;
            }
            let kept = value_in(&read_back, change.field).unwrap_or_default();
            if kept == change.new {
                // Values from Director go into the log escaped: a name with
                // a newline cannot forge a line of its own.
                tracing::info!(
                    user_dn = %printable(&change.user_dn),
                    field = change.field.label(),
                    old = %printable(&change.old),
                    new = %printable(&change.new),
                    "changed in Director"
                );
                Outcome::Applied
            } else {
                Outcome::Failed(format!(
                    "Director answered OK but kept \"{}\"",
                    printable(kept)
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_taking_a_value_another_gives_up_waits_for_it() {
        let user = |dn: &str, old: &str, new: &str| BackupUser {
            id: 0,
            user_dn: dn.into(),
            original: serde_json::Value::Null,
            changes: vec![Change {
                user_dn: dn.into(),
                field: FixField::ClientUsername,
                old: old.into(),
                new: new.into(),
            }],
        };
        let users = [
            user("1", "bray", "Bob@acme.example"),
            user("2", "bob@acme.example", "bob.ray@acme.example"),
            user("3", "cy", "cy@acme.example"),
        ];
        assert_eq!(waves(&users), vec![vec![1, 2], vec![0]]);
        // An undo is the same changes the other way round.
        let back = [
            user("1", "Bob@acme.example", "bray"),
            user("2", "bob.ray@acme.example", "bob@acme.example"),
            user("3", "cy@acme.example", "cy"),
        ];
        assert_eq!(waves(&back), vec![vec![0, 2], vec![1]]);
        // Two users swapping values: nothing can go first; both go, last.
        let swap = [
            user("1", "a@x.example", "b@x.example"),
            user("2", "b@x.example", "a@x.example"),
        ];
        assert_eq!(waves(&swap), vec![vec![0, 1]]);
    }

    #[test]
    fn values_are_set_in_director_s_document() {
        let mut doc = serde_json::json!({"user": {"GuiLoginName": "bray", "tab_address_attributes": {"EmailAddress": ""}, "Other": 1}});
        assert!(set_value(&mut doc, FixField::Email, "b@acme.example"));
        assert_eq!(value_in(&doc, FixField::Email), Some("b@acme.example"));
        assert_eq!(doc["user"]["Other"], 1, "the rest stays");
        assert!(!set_value(&mut serde_json::json!({}), FixField::Email, "x"));
    }
}
