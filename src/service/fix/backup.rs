//! The backup a fix (or an undo) writes before its first change: every user
//! about to change, whole, as Director gave it, with the Director's origin,
//! so an undo can be checked against the Director it is pointed at. Files
//! are `<host>_<port>-<YYYYMMDD-HHMMSS>.json` (local time; `-2`, `-3`… within
//! the same second), readable by this user only.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::fix::{Change, FixField};
use crate::domain::undo::{BackedUpUser, UserValues};
use crate::store::atomic_file::{create_private_dir, write_atomic};

/// The largest backup read: a fix of every user of a large Director is a
/// few MB.
pub const MAX_BACKUP_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Backup {
    /// The Director's address as the fix was given it.
    pub director: String,
    /// Scheme, host and port of that address (older backups: derived from
    /// `director` as they are read).
    #[serde(default)]
    pub origin: String,
    /// Seconds since the Unix epoch.
    pub written_at: u64,
    /// The file name of the backup this run undid, when it was an undo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<String>,
    pub users: Vec<BackupUser>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupUser {
    pub id: u64,
    pub user_dn: String,
    /// The whole document of `GET /director/users/<id>.json`.
    pub original: serde_json::Value,
    /// What the run changes in it.
    pub changes: Vec<Change>,
}

impl BackupUser {
    /// The user as the domain's undo judges it.
    pub fn backed_up(&self) -> BackedUpUser {
        BackedUpUser {
            id: self.id,
            user_dn: self.user_dn.clone(),
            changes: self.changes.clone(),
            original: values_of(&self.original, self.id),
        }
    }
}

/// `scheme://host:port` of `url` (the port left out when it is the
/// scheme's own); `url` itself when it is no URL.
pub fn origin_of(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| url.to_string(), |u| u.origin().ascii_serialization())
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

/// The user DN a document names (its `UserDN`, text or number), else the
/// id, as the user list reads it.
pub fn dn_in(document: &serde_json::Value, id: u64) -> String {
    match document.get("user").and_then(|u| u.get("UserDN")) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => id.to_string(),
    }
}

/// The DN and the two fields of a document.
pub fn values_of(document: &serde_json::Value, id: u64) -> UserValues {
    UserValues {
        user_dn: dn_in(document, id),
        client_username: value_in(document, FixField::ClientUsername).map(str::to_string),
        email: value_in(document, FixField::Email).map(str::to_string),
    }
}

/// Where the next backup goes: `<dir>/<host>_<port>-<YYYYMMDD-HHMMSS>.json`
/// in local time, with `-2`, `-3`… when one of the same second is there (a
/// rerun must never overwrite the backup of the run before).
pub fn backup_path(dir: &Path, director_url: &str, at: chrono::DateTime<chrono::Local>) -> PathBuf {
    let stem = format!("{}-{}", host_port(director_url), at.format("%Y%m%d-%H%M%S"));
    (1..)
        .map(|n: u32| {
            if n == 1 {
                dir.join(format!("{stem}.json"))
            } else {
                dir.join(format!("{stem}-{n}.json"))
            }
        })
        .find(|path| !path.exists())
        .unwrap_or_else(|| dir.join("backup.json"))
}

/// `host_port` of an address, safe as a file name.
fn host_port(director_url: &str) -> String {
    let (host, port) = url::Url::parse(director_url).ok().map_or_else(
        || ("director".to_string(), 0),
        |u| {
            (
                u.host_str().unwrap_or("director").to_string(),
                u.port_or_known_default().unwrap_or(0),
            )
        },
    );
    let host: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{host}_{port}")
}

pub fn write_backup(path: &Path, backup: &Backup) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let json = serde_json::to_vec_pretty(backup).map_err(|e| e.to_string())?;
    // The temporary file write_atomic renames into place is this user's
    // alone (0600), and so the backup is.
    write_atomic(path, &json)
        .map_err(|e| format!("cannot write the backup {}: {e}", path.display()))
}

/// Reads a backup written by a fix or an undo (at most
/// [`MAX_BACKUP_BYTES`]).
pub fn read_backup(path: &Path) -> Result<Backup, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if size > MAX_BACKUP_BYTES {
        return Err(format!(
            "{} is {} MB; a backup is at most {} MB, so this is not one",
            path.display(),
            size / (1024 * 1024),
            MAX_BACKUP_BYTES / (1024 * 1024)
        ));
    }
    let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut backup: Backup = serde_json::from_slice(&text)
        .map_err(|e| format!("{} is not a backup written by a fix: {e}", path.display()))?;
    if backup.origin.is_empty() {
        backup.origin = origin_of(&backup.director);
    }
    Ok(backup)
}

/// A backup as `fix --list-backups` and the window list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub director: String,
    pub written_at: u64,
    pub users: usize,
    pub changes: usize,
    /// This run was itself an undo (of the backup named).
    pub undoes: Option<String>,
    /// A later undo put this run's changes back.
    pub undone: bool,
}

/// Every backup in `dir`, newest first; files that are not backups are
/// passed over.
pub fn list_backups(dir: &Path) -> Vec<BackupSummary> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<BackupSummary> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|path| {
            let backup = read_backup(&path).ok()?;
            Some(BackupSummary {
                director: backup.origin.clone(),
                written_at: backup.written_at,
                users: backup.users.len(),
                changes: backup.users.iter().map(|u| u.changes.len()).sum(),
                undoes: backup.undoes.clone(),
                undone: false,
                path,
            })
        })
        .collect();
    let undone: Vec<String> = found.iter().filter_map(|b| b.undoes.clone()).collect();
    for summary in &mut found {
        let name = summary
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        summary.undone = name.is_some_and(|n| undone.contains(&n));
    }
    // Newest first; within one second, the later file (`-2` after the
    // first) by the time it was written.
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    found.sort_by(|a, b| {
        b.written_at
            .cmp(&a.written_at)
            .then_with(|| modified(&b.path).cmp(&modified(&a.path)))
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn backups_are_named_by_director_port_and_local_time_and_never_overwritten()
    -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
        let at = chrono::Local
            .with_ymd_and_hms(2026, 12, 6, 9, 5, 7)
            .single()
            .expect("a local time");
        let url = "https://director.acme.example:5478";
        let first = backup_path(dir.path(), url, at);
        assert_eq!(
            name(&first).as_deref(),
            Some("director.acme.example_5478-20261206-090507.json")
        );
        std::fs::write(&first, "{}")?;
        let second = backup_path(dir.path(), url, at);
        assert_eq!(
            name(&second).as_deref(),
            Some("director.acme.example_5478-20261206-090507-2.json")
        );
        assert_eq!(
            name(&backup_path(dir.path(), "http://[::1]/", at)).as_deref(),
            Some("___1__80-20261206-090507.json")
        );
        Ok(())
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://Director.Acme.example:443/director/"),
            "https://director.acme.example"
        );
        assert_ne!(
            origin_of("http://director:5478"),
            origin_of("http://director:5479")
        );
        assert_ne!(
            origin_of("http://director:5478"),
            origin_of("https://director:5478")
        );
    }

    #[test]
    fn values_are_read_from_director_s_document() {
        let doc = serde_json::json!({"user": {"GuiLoginName": "bray", "UserDN": 4242, "tab_address_attributes": {"EmailAddress": ""}}});
        assert_eq!(value_in(&doc, FixField::ClientUsername), Some("bray"));
        assert_eq!(dn_in(&doc, 7), "4242");
        assert_eq!(dn_in(&serde_json::json!({"user": {}}), 7), "7");
        assert_eq!(values_of(&doc, 7).email.as_deref(), Some(""));
    }

    #[cfg(unix)]
    #[test]
    fn a_backup_is_this_user_s_alone_and_a_huge_file_is_no_backup() -> std::io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("backups").join("b.json");
        let backup = Backup {
            director: "http://127.0.0.1:1".into(),
            origin: String::new(),
            written_at: 1,
            undoes: None,
            users: Vec::new(),
        };
        write_backup(&path, &backup).map_err(std::io::Error::other)?;
        assert_eq!(
            std::fs::metadata(&path)?.permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            read_backup(&path).map(|b| b.origin),
            Ok("http://127.0.0.1:1".to_string()),
            "an origin is derived where a backup has none"
        );
        let huge = dir.path().join("huge.json");
        std::fs::File::create(&huge)?.set_len(MAX_BACKUP_BYTES + 1)?;
        assert!(read_backup(&huge).is_err_and(|e| e.contains("at most 64 MB")));
        Ok(())
    }
}
