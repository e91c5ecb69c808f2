//! Fixing client usernames and emails in a real Director through its web
//! interface, safely: a backup of every user about to change is written
//! (atomically) before the first write; each user is read fresh, changed in
//! the chosen fields only, and sent back whole; a user whose values moved
//! since the preview is skipped; five failures in a row stop the run; and
//! a run repeated after a crash or Cancel skips users already done. Undo
//! puts back what the backup holds, only where the fix's value is still
//! there. What is judged (suggestions, the preview) is `domain::fix`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::client::director::web::WebDirector;
use crate::domain::fix::{Change, FixField, Wanted};
use crate::store::atomic_file::{create_private_dir, write_atomic};

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
    /// `applied`, `refused`, `failed` for the JSON and the text.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Applied | Outcome::AlreadyDone => "applied",
            Outcome::Refused(_) => "refused",
            Outcome::Failed(_) | Outcome::NotRun => "failed",
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

/// The backup written before the first change: every user about to change,
/// whole, as Director gave it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Backup {
    pub director: String,
    /// Seconds since the Unix epoch.
    pub written_at: u64,
    pub users: Vec<BackupUser>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupUser {
    pub id: u64,
    pub user_dn: String,
    /// The whole document of `GET /director/users/<id>.json`.
    pub original: serde_json::Value,
    /// What the fix changes in it.
    pub changes: Vec<Change>,
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

/// A user's value of `field` in Director's document.
pub fn value_in(document: &serde_json::Value, field: FixField) -> Option<&str> {
    let user = document.get("user")?;
    match field {
        FixField::ClientUsername => user.get("GuiLoginName")?.as_str(),
        FixField::Email => user
            .get("tab_address_attributes")?
            .get("EmailAddress")?
            .as_str(),
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

/// Where backups go: `<data folder>/backups/<host>-<time>.json`, with
/// `-2`, `-3`… when a backup of the same second is there (a rerun must
/// never overwrite the backup of the run before).
pub fn backup_path(dir: &Path, director_url: &str, now: u64) -> PathBuf {
    (1..)
        .map(|n| backup_name(dir, director_url, now, n))
        .find(|path| !path.exists())
        .unwrap_or_else(|| dir.join("backup.json"))
}

fn backup_name(dir: &Path, director_url: &str, now: u64, n: u32) -> PathBuf {
    let host: String = url::Url::parse(director_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "director".into())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if n == 1 {
        dir.join(format!("{host}-{now}.json"))
    } else {
        dir.join(format!("{host}-{now}-{n}.json"))
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Applies `changes` (from an accepted preview) to Director; `ids` maps
/// user DN → web id. `progress(done, total, user_dn)` after each user;
/// `cancel` stops before the next user.
pub async fn apply(
    web: &WebDirector,
    director_url: &str,
    changes: &[Change],
    ids: &HashMap<String, u64>,
    backup_dir: &Path,
    progress: &(dyn Fn(usize, usize, &str) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<Report, String> {
    let users = by_user(changes);
    // The backup first: every document as Director has it now.
    let mut backup = Backup {
        director: director_url.to_string(),
        written_at: now(),
        users: Vec::new(),
    };
    for (user_dn, user_changes) in &users {
        let Some(&id) = ids.get(user_dn) else {
            continue;
        };
        let original = web
            .user_document(id)
            .await
            .map_err(|e| format!("reading {user_dn} for the backup failed: {e}"))?;
        backup.users.push(BackupUser {
            id,
            user_dn: user_dn.clone(),
            original,
            changes: user_changes.clone(),
        });
    }
    let path = backup_path(backup_dir, director_url, backup.written_at);
    write_backup(&path, &backup)?;
    let mut report = Report {
        backup: Some(path),
        ..Default::default()
    };
    run(
        web,
        &backup.users,
        Direction::Forward,
        progress,
        cancel,
        &mut report,
    )
    .await;
    // Users without an id were not in Director's list.
    for (user_dn, user_changes) in &users {
        if !ids.contains_key(user_dn) {
            for change in user_changes {
                report.results.push((
                    change.clone(),
                    Outcome::Refused("no user with this user_dn in Director's list".into()),
                ));
            }
        }
    }
    Ok(report)
}

/// Puts back what `backup` holds, where the fix's value is still there.
pub async fn undo(
    web: &WebDirector,
    backup: &Backup,
    progress: &(dyn Fn(usize, usize, &str) + Send + Sync),
    cancel: &AtomicBool,
) -> Report {
    let mut report = Report::default();
    run(
        web,
        &backup.users,
        Direction::Back,
        progress,
        cancel,
        &mut report,
    )
    .await;
    report
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// old → new
    Forward,
    /// new → old
    Back,
}

async fn run(
    web: &WebDirector,
    users: &[BackupUser],
    direction: Direction,
    progress: &(dyn Fn(usize, usize, &str) + Send + Sync),
    cancel: &AtomicBool,
    report: &mut Report,
) {
    let mut outcomes: Vec<Option<Vec<Outcome>>> = vec![None; users.len()];
    let mut failures_in_a_row = 0;
    let mut done = 0;
    for wave in waves(users, direction) {
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
                running.spawn(async move { (index, one_user(&web, &user, direction).await) });
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
fn waves(users: &[BackupUser], direction: Direction) -> Vec<Vec<usize>> {
    let values = |user: &BackupUser, giving_up: bool| -> Vec<(FixField, String)> {
        user.changes
            .iter()
            .map(|c| {
                let (old, new) = match direction {
                    Direction::Forward => (&c.old, &c.new),
                    Direction::Back => (&c.new, &c.old),
                };
                let value = if giving_up { old } else { new };
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
/// change the fields that do, send the whole document back.
async fn one_user(web: &WebDirector, user: &BackupUser, direction: Direction) -> Vec<Outcome> {
    let mut document = match web.user_document(user.id).await {
        Ok(d) => d,
        Err(e) => return vec![Outcome::Failed(e.to_string()); user.changes.len()],
    };
    let mut outcomes = Vec::new();
    let mut to_send = false;
    for change in &user.changes {
        let (expected, wanted) = match direction {
            Direction::Forward => (&change.old, &change.new),
            Direction::Back => (&change.new, &change.old),
        };
        let now = value_in(&document, change.field)
            .unwrap_or_default()
            .to_string();
        let outcome = if now == *wanted {
            Outcome::AlreadyDone
        } else if now != *expected {
            Outcome::Refused(match direction {
                Direction::Forward => format!(
                    "changed in Director since the preview: the {} is now \"{now}\", not \"{expected}\"",
                    change.field.label()
                ),
                Direction::Back => format!(
                    "changed in Director since the fix: the {} is now \"{now}\"; the fix wrote \"{expected}\"",
                    change.field.label()
                ),
            })
        } else if set_value(&mut document, change.field, wanted) {
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
    match web.update_user(user.id, &document).await {
        Ok(_) => {
            for (change, outcome) in user.changes.iter().zip(&outcomes) {
                if *outcome == Outcome::Applied {
                    let (old, new) = match direction {
                        Direction::Forward => (&change.old, &change.new),
                        Direction::Back => (&change.new, &change.old),
                    };
                    tracing::info!(
                        user_dn = %change.user_dn,
                        field = change.field.label(),
                        %old,
                        %new,
                        "changed in Director"
                    );
                }
            }
            outcomes
        }
        Err(e) => {
            let why = e.to_string();
            outcomes
                .into_iter()
                .map(|o| match o {
                    Outcome::Applied => Outcome::Failed(why.clone()),
                    other => other,
                })
                .collect()
        }
    }
}

fn write_backup(path: &Path, backup: &Backup) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let json = serde_json::to_vec_pretty(backup).map_err(|e| e.to_string())?;
    write_atomic(path, &json)
        .map_err(|e| format!("cannot write the backup {}: {e}", path.display()))
}

/// Reads a backup written by [`apply`].
pub fn read_backup(path: &Path) -> Result<Backup, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_slice(&text)
        .map_err(|e| format!("{} is not a backup written by a fix: {e}", path.display()))
}

/// The changes file: CSV with `user_dn` and `client_username` and/or
/// `email` (an empty cell leaves the value as it is). The audit's CSV export
/// is accepted as it is: its other columns are ignored, its byte-order mark
/// and the `'` it puts before formula-like cells are taken off.
pub fn read_changes(text: &str) -> Result<Vec<Wanted>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("line 1: {e}"))?
        .clone();
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let dn = find("user_dn").ok_or("line 1: the header has no user_dn column")?;
    let (username, email) = (find("client_username"), find("email"));
    if username.is_none() && email.is_none() {
        return Err(
            "line 1: the header needs a client_username or an email column (or both)".into(),
        );
    }
    let mut wanted = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position().map(|p| p.line()))
            .unwrap_or(i as u64 + 2);
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let cell = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .map(unspreadsheet)
                .filter(|v| !v.trim().is_empty())
        };
        let Some(user_dn) = cell(Some(dn)) else {
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            return Err(format!("line {line}: user_dn is empty"));
        };
        wanted.push(Wanted {
            user_dn: user_dn.trim().to_string(),
            client_username: cell(username),
            email: cell(email),
            source: format!("line {line}"),
        });
    }
    Ok(wanted)
}

/// Takes off the `'` the export puts before a cell Excel would run.
fn unspreadsheet(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest)
            if rest
                .trim_start()
                .starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠'])
                || rest.starts_with(['\t', '\r', '\n']) =>
        {
            rest.to_string()
        }
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_export_is_a_changes_file_as_it_is() {
        let export = "\u{feff}user_dn,first_name,last_name,client_username,email,result,valid\n\
                      \"7\",\"Ann\",\"Lee\",\"ann@acme.example\",\"\",\"x\",\"false\"\n\
                      \"8\",\"Bo\",\"'=cmd()\",\"'-bo@acme.example\",\"bo@acme.example\",\"x\",\"true\"\n\n";
        let wanted = read_changes(export).expect("read");
        assert_eq!(wanted.len(), 2);
        assert_eq!(
            wanted[0].client_username.as_deref(),
            Some("ann@acme.example")
        );
        assert_eq!(wanted[0].email, None, "an empty cell leaves it as it is");
        assert_eq!(
            wanted[1].client_username.as_deref(),
            Some("-bo@acme.example")
        );
        assert_eq!(wanted[1].source, "line 3");
    }

    #[test]
    fn bad_files_name_the_line() {
        assert_eq!(
            read_changes("name,email\nx,y\n"),
            Err("line 1: the header has no user_dn column".into())
        );
        assert!(
            read_changes("user_dn,first_name\n1,a\n").is_err_and(|e| e.contains("client_username"))
        );
        assert_eq!(
            read_changes("user_dn,email\n1,a@b.example\n,c@d.example\n"),
            Err("line 3: user_dn is empty".into())
        );
    }

    #[test]
    fn backups_are_named_by_director_and_time_and_never_overwritten() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
        let url = "https://director.acme.example:5478";
        let first = backup_path(dir.path(), url, 1_700_000_000);
        assert_eq!(
            name(&first).as_deref(),
            Some("director.acme.example-1700000000.json")
        );
        std::fs::write(&first, "{}")?;
        let second = backup_path(dir.path(), url, 1_700_000_000);
        assert_eq!(
            name(&second).as_deref(),
            Some("director.acme.example-1700000000-2.json")
        );
        Ok(())
    }

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
        assert_eq!(waves(&users, Direction::Forward), vec![vec![1, 2], vec![0]]);
        // Undo: the other way round.
        assert_eq!(waves(&users, Direction::Back), vec![vec![0, 2], vec![1]]);
        // Two users swapping values: nothing can go first; both go, last.
        let swap = [
            user("1", "a@x.example", "b@x.example"),
            user("2", "b@x.example", "a@x.example"),
        ];
        assert_eq!(waves(&swap, Direction::Forward), vec![vec![0, 1]]);
    }

    #[test]
    fn values_are_read_and_set_in_director_s_document() {
        let mut doc = serde_json::json!({"user": {"GuiLoginName": "bray", "tab_address_attributes": {"EmailAddress": ""}, "Other": 1}});
        assert_eq!(value_in(&doc, FixField::ClientUsername), Some("bray"));
        assert!(set_value(&mut doc, FixField::Email, "b@acme.example"));
        assert_eq!(value_in(&doc, FixField::Email), Some("b@acme.example"));
        assert_eq!(doc["user"]["Other"], 1, "the rest stays");
        assert!(!set_value(&mut serde_json::json!({}), FixField::Email, "x"));
    }
}
