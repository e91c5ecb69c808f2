//! Files that must never be left half-written.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: a temporary file beside it is written
/// and flushed to disk, then renamed over the old one, so a crash leaves
/// either the old or the new content, never a mix.
/// The folder must exist: a path typed by a person is never turned into
/// new folders (see [`create_private_dir`] for the program's own).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the folder {} does not exist", dir.display()),
        ));
    }
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    // The rename is durable only once the directory entry is on disk.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Creates one of the program's own folders (settings, logs), readable by
/// this user only on Unix, and makes an existing one so.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Makes an existing file readable by this user only (on Unix).
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Removes temporary files that [`write_atomic`] left in `dir` when the
/// process was killed mid-save, once they are older than `age` (a younger
/// one may belong to a save in progress).
pub fn remove_stale_temp_files(dir: &Path, age: std::time::Duration) -> usize {
    let now = std::time::SystemTime::now();
    let stale = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(".tmp"))
        .filter(|entry| {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| now.duration_since(modified).unwrap_or_default() > age)
        });
    stale
        .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp_files() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("sub").join("settings.json");
        // A typed path never gets folders made for it; the program's own
        // folder is made first.
        let missing = write_atomic(&path, b"old").expect_err("no folder");
        assert!(missing.to_string().contains("does not exist"), "{missing}");
        create_private_dir(&dir.path().join("sub"))?;
        write_atomic(&path, b"old")?;
        write_atomic(&path, b"new")?;
        assert_eq!(std::fs::read(&path)?, b"new");
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap_or(dir.path()))?.count(),
            1
        );
        Ok(())
    }

    #[test]
    fn stale_temp_files_are_removed_young_ones_kept() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join(".tmpABC"), "half")?;
        std::fs::write(dir.path().join("settings.json"), "{}")?;
        assert_eq!(
            remove_stale_temp_files(dir.path(), std::time::Duration::from_secs(600)),
            0
        );
        assert_eq!(
            remove_stale_temp_files(dir.path(), std::time::Duration::ZERO),
            1
        );
        assert!(dir.path().join("settings.json").exists());
        Ok(())
    }
}
