//! Where the program keeps its files on this machine. `HYBRID_SETUP_HOME`
//! moves all of them into one folder (tests, portable use).

use std::path::PathBuf;

/// Overrides every folder below with one of its own.
pub const HOME_ENV: &str = "HYBRID_SETUP_HOME";

/// The folder `HYBRID_SETUP_HOME` names, if set; set but empty is an error
/// (it would mean the current folder, wherever the program was started).
pub fn home_override() -> Result<Option<PathBuf>, String> {
    match std::env::var_os(HOME_ENV) {
        None => Ok(None),
        Some(value) if value.to_string_lossy().trim().is_empty() => Err(format!(
            "{HOME_ENV} is set but empty; unset it, or name the folder for settings and logs"
        )),
        Some(value) => Ok(Some(PathBuf::from(value))),
    }
}

/// Settings and the demo's saved world: `$HYBRID_SETUP_HOME`, else the
/// platform's config folder (`~/.config/hybrid-setup`, `%APPDATA%\hybrid-setup`).
pub fn config_dir() -> PathBuf {
    home_override()
        .ok()
        .flatten()
        .or_else(|| dirs::config_dir().map(|d| d.join("hybrid-setup")))
        .unwrap_or_else(|| PathBuf::from(".hybrid-setup"))
}

/// Logs: `$HYBRID_SETUP_HOME/logs`, else the platform's place for them
/// (`~/.local/state/hybrid-setup/logs` on Linux,
/// `%LOCALAPPDATA%\hybrid-setup\logs` on Windows).
pub fn log_dir() -> PathBuf {
    if let Ok(Some(home)) = home_override() {
        return home.join("logs");
    }
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .map(|d| d.join("hybrid-setup").join("logs"))
        .unwrap_or_else(|| PathBuf::from(".hybrid-setup-logs"))
}

/// Backups of what a fix changed in Director: `<settings folder>/backups`.
pub fn backup_dir() -> PathBuf {
    backups_in(&config_dir())
}

/// The backups folder of the settings folder `settings_dir` (a window run
/// on a settings folder of its own — a test's — keeps its backups there).
pub fn backups_in(settings_dir: &std::path::Path) -> PathBuf {
    settings_dir.join("backups")
}
