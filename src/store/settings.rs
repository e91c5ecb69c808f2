//! The settings file: which Director, the admin login name and the wizard's
//! progress. Small, JSON, written atomically; never holds a secret.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::director_kind::DirectorKind;
use crate::domain::wizard::Progress;
use crate::store::atomic_file::{create_private_dir, write_atomic};
use crate::store::paths;

/// Overrides where settings live (tests, portable installs).
pub const FILE_NAME: &str = "settings.json";
/// The embedded simulator's world, so a demo survives a restart too.
pub const DEMO_STATE_FILE: &str = "demo-simulator.json";

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "url")]
pub enum DirectorTarget {
    /// The built-in simulator (its port changes every run).
    #[default]
    Demo,
    Url(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub version: u32,
    pub director: DirectorTarget,
    pub director_login: String,
    /// The Connect Portal; empty means "the same server as Director" (the simulator).
    pub portal_url: String,
    pub progress: Progress,
    /// Self-signed Director certificates the administrator trusted, by
    /// Director address.
    pub trusted_certificates: TrustedCertificates,
    /// Which kind of Director answered at each address (the guided steps
    /// for a real Director depend on it before Director answers again).
    pub director_kinds: std::collections::BTreeMap<String, DirectorKind>,
    /// Directors besides the current one (the fields above). A settings
    /// file from before there were several has none, and loads unchanged.
    pub other_directors: Vec<SavedDirector>,
}

/// A Director kept for later: where it is, who signs in, and its own
/// setup (its wizard step, Account, username format). Its password and
/// Token are in the keyring under its address, as the current one's are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedDirector {
    pub director: DirectorTarget,
    pub director_login: String,
    #[serde(default)]
    pub portal_url: String,
    pub progress: Progress,
}

impl SavedDirector {
    /// How the icon, the Directors view and `directors list` name it: the
    /// name it was given, else its host (and port), or the built-in
    /// simulator.
    pub fn name(&self) -> String {
        match self.progress.name.trim() {
            "" => match &self.director {
                DirectorTarget::Url(url) => crate::domain::directors_file::name_from_address(url),
                DirectorTarget::Demo => "Built-in simulator".into(),
            },
            name => name.to_string(),
        }
    }
}

/// Pinned certificates: Director address → SHA-256 fingerprint (`AB:CD:…`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrustedCertificates(std::collections::BTreeMap<String, String>);

/// What settings keyed by Director belong to: an origin — scheme, host and
/// port — and nothing else: not another port of the same host, not http for
/// https.
fn origin_key(director_url: &str) -> String {
    let text = director_url.trim();
    match url::Url::parse(text) {
        Ok(url) if url.host_str().is_some() => format!(
            "{}://{}:{}",
            url.scheme(),
            url.host_str().unwrap_or_default().to_ascii_lowercase(),
            url.port_or_known_default().unwrap_or(0)
        ),
        _ => text.trim_end_matches('/').to_ascii_lowercase(),
    }
}

impl Settings {
    /// Every Director, the current one first.
    pub fn directors(&self) -> Vec<SavedDirector> {
        std::iter::once(self.current_director())
            .chain(self.other_directors.iter().cloned())
            .collect()
    }

    /// The open Director's address and login: what tells it apart.
    pub fn current_director_key(&self) -> (DirectorTarget, String) {
        (self.director.clone(), self.director_login.clone())
    }

    /// The open Director as a saved one (its name, say).
    pub fn current_director(&self) -> SavedDirector {
        SavedDirector {
            director: self.director.clone(),
            director_login: self.director_login.clone(),
            portal_url: self.portal_url.clone(),
            progress: self.progress.clone(),
        }
    }

    /// Makes `other` (an index into `other_directors`) the current
    /// Director; the current one takes its place in the list. The window's
    /// own preferences (theme, zoom, closing) stay as they are.
    pub fn switch_to(&mut self, other: usize) {
        if other >= self.other_directors.len() {
            return;
        }
        let current = self.current_director();
        let next = std::mem::replace(&mut self.other_directors[other], current);
        self.take(next);
    }

    /// Keeps the current Director in the list and starts the setup of a
    /// new one (its address is asked on the first step).
    pub fn add_director(&mut self) {
        let current = self.current_director();
        self.other_directors.push(current);
        self.take(SavedDirector {
            director: DirectorTarget::Url(String::new()),
            director_login: Settings::default().director_login,
            portal_url: self.portal_url.clone(),
            progress: Progress::default(),
        });
    }

    /// Takes `other` (an index into `other_directors`) off the list. Its
    /// pinned certificate goes too unless another saved Director is at the
    /// same address. Returns it, so its keyring entry can be forgotten.
    pub fn remove_director(&mut self, other: usize) -> Option<SavedDirector> {
        if other >= self.other_directors.len() {
            return None;
        }
        let removed = self.other_directors.remove(other);
        if let DirectorTarget::Url(url) = &removed.director
            && !self.has_director_at(url)
        {
            self.trusted_certificates.forget(url);
        }
        Some(removed)
    }

    /// Some saved Director (the current one included) is at `url`'s origin.
    pub fn has_director_at(&self, url: &str) -> bool {
        let origin = origin_key(url);
        self.directors().iter().any(|d| match &d.director {
            DirectorTarget::Url(other) => origin_key(other) == origin,
            DirectorTarget::Demo => false,
        })
    }

    /// `next` becomes current, keeping the window's preferences.
    fn take(&mut self, next: SavedDirector) {
        let kept = self.progress.clone();
        self.director = next.director;
        self.director_login = next.director_login;
        self.portal_url = next.portal_url;
        self.progress = Progress {
            theme: kept.theme,
            zoom: kept.zoom,
            stop_watching_on_close: kept.stop_watching_on_close,
            close_notice_seen: kept.close_notice_seen,
            check_users_every_minutes: kept.check_users_every_minutes,
            ..next.progress
        };
    }

    /// The kind of Director last seen at `director_url`.
    pub fn director_kind(&self, director_url: &str) -> Option<DirectorKind> {
        self.director_kinds.get(&origin_key(director_url)).copied()
    }

    pub fn remember_director_kind(&mut self, director_url: &str, kind: DirectorKind) {
        self.director_kinds.insert(origin_key(director_url), kind);
    }
}

impl TrustedCertificates {
    fn key(director_url: &str) -> String {
        origin_key(director_url)
    }

    /// The pin for this Director; a damaged entry counts as none (and the
    /// certificate is then checked against the system's roots).
    pub fn get(&self, director_url: &str) -> Option<crate::domain::certificate::Fingerprint> {
        self.0
            .get(&Self::key(director_url))
            .and_then(|text| crate::domain::certificate::Fingerprint::parse(text))
    }

    pub fn trust(
        &mut self,
        director_url: &str,
        fingerprint: crate::domain::certificate::Fingerprint,
    ) {
        self.0
            .insert(Self::key(director_url), fingerprint.to_string());
    }

    /// Adds the pins of `other` this one lacks (a Director saved elsewhere).
    pub fn adopt(&mut self, other: &TrustedCertificates) {
        for (origin, fingerprint) in &other.0 {
            self.0
                .entry(origin.clone())
                .or_insert_with(|| fingerprint.clone());
        }
    }

    pub fn forget(&mut self, director_url: &str) {
        self.0.remove(&Self::key(director_url));
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: 1,
            director: DirectorTarget::Demo,
            director_login: "admin".into(),
            portal_url: String::new(),
            progress: Progress::default(),
            trusted_certificates: TrustedCertificates::default(),
            director_kinds: Default::default(),
            other_directors: Vec::new(),
        }
    }
}

/// What loading found.
#[derive(Debug)]
pub enum Loaded {
    Existing(Settings),
    Fresh(Settings),
    /// The file could not be read as settings; it was moved aside and the
    /// program starts fresh. The message says where the old file went.
    Recovered {
        settings: Settings,
        message: String,
    },
}

impl Loaded {
    pub fn settings(self) -> (Settings, Option<String>) {
        match self {
            Loaded::Existing(s) | Loaded::Fresh(s) => (s, None),
            Loaded::Recovered { settings, message } => (settings, Some(message)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SettingsStore {
    dir: PathBuf,
}

impl SettingsStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SettingsStore { dir: dir.into() }
    }

    /// The platform's place for settings (see [`paths::config_dir`]).
    pub fn default_location() -> Self {
        SettingsStore::new(paths::config_dir())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    pub fn load(&self) -> Loaded {
        // Left by a save that was killed; a younger one may be a save in progress.
        crate::store::atomic_file::remove_stale_temp_files(
            &self.dir,
            std::time::Duration::from_secs(600),
        );
        let path = self.path();
        let text = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Loaded::Fresh(Settings::default());
            }
            Err(e) => {
                return Loaded::Recovered {
                    settings: Settings::default(),
                    message: format!(
                        "Could not read the settings file {} ({e}); starting fresh.",
                        path.display()
                    ),
                };
            }
        };
        // Settings are a JSON object; serde would also take `[]` as one.
        let parsed = serde_json::from_slice::<serde_json::Value>(&text).and_then(|value| {
            if value.is_object() {
                serde_json::from_value::<Settings>(value)
            } else {
                Err(serde::de::Error::custom("not a JSON object"))
            }
        });
        match parsed {
            Ok(settings) => Loaded::Existing(settings),
            Err(e) => {
                let aside = self.dir.join(format!(
                    "settings.corrupt-{}.json",
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs())
                ));
                let moved = std::fs::rename(&path, &aside);
                let message = match moved {
                    Ok(()) => format!(
                        "The settings file was damaged ({e}). It was moved to {} and setup starts fresh.",
                        aside.display()
                    ),
                    Err(move_error) => format!(
                        "The settings file {} is damaged ({e}) and could not be moved aside ({move_error}); setup starts fresh.",
                        path.display()
                    ),
                };
                tracing::warn!("{message}");
                Loaded::Recovered {
                    settings: Settings::default(),
                    message,
                }
            }
        }
    }

    pub fn save(&self, settings: &Settings) -> std::io::Result<()> {
        let safe = Settings {
            progress: settings.progress.without_secrets(),
            ..settings.clone()
        };
        let json = serde_json::to_vec_pretty(&safe).map_err(std::io::Error::other)?;
        create_private_dir(&self.dir)?;
        write_atomic(&self.path(), &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::wizard::{Step, ThemeChoice};

    /// Today's settings file (one Director, saved by the version before
    /// there were several) is taken over as it is: one Director, nothing asked.
    #[test]
    fn a_settings_file_with_one_director_loads_unchanged() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::copy(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/settings-one-director.json"
            ),
            dir.path().join(FILE_NAME),
        )
        .expect("copy");
        let Loaded::Existing(settings) = SettingsStore::new(dir.path()).load() else {
            panic!("the saved file is read, not recovered");
        };
        let directors = settings.directors();
        assert_eq!(directors.len(), 1);
        assert_eq!(
            directors[0].director,
            DirectorTarget::Url("https://director.acme.example:5478".into())
        );
        assert!(directors[0].progress.provisioned);
        assert_eq!(directors[0].progress.account_id, "ACME-1234");
        assert_eq!(
            settings.director_kind("https://director.acme.example:5478"),
            Some(DirectorKind::Web)
        );
        assert!(
            settings
                .trusted_certificates
                .get("https://director.acme.example:5478")
                .is_some()
        );
    }

    #[test]
    fn a_removed_director_takes_its_pin_unless_another_shares_the_address() {
        let mut settings = Settings {
            director: DirectorTarget::Url("https://hq.example:5478".into()),
            ..Settings::default()
        };
        let pin = crate::domain::certificate::Fingerprint::parse(&["AB"; 32].join(":"))
            .expect("a fingerprint");
        for url in ["https://branch.example:5478", "https://hq.example:5478"] {
            settings.trusted_certificates.trust(url, pin);
            settings.other_directors.push(SavedDirector {
                director: DirectorTarget::Url(url.into()),
                director_login: "admin".into(),
                portal_url: String::new(),
                progress: Progress::default(),
            });
        }
        let removed = settings.remove_director(0).expect("removed");
        assert_eq!(
            removed.director,
            DirectorTarget::Url("https://branch.example:5478".into())
        );
        assert_eq!(
            settings
                .trusted_certificates
                .get("https://branch.example:5478"),
            None
        );
        settings
            .remove_director(0)
            .expect("the second entry for hq");
        assert!(
            settings
                .trusted_certificates
                .get("https://hq.example:5478")
                .is_some(),
            "the open Director is still at that address"
        );
        assert!(settings.other_directors.is_empty());
        assert!(
            settings.remove_director(0).is_none(),
            "nothing left to remove"
        );
    }

    #[test]
    fn switching_directors_keeps_each_ones_setup_and_the_window_preferences() {
        let mut settings = Settings {
            director: DirectorTarget::Url("https://hq.example".into()),
            ..Settings::default()
        };
        settings.progress.provisioned = true;
        settings.progress.account_id = "HQ".into();
        settings.progress.zoom = 150;
        settings.add_director();
        assert_eq!(settings.director, DirectorTarget::Url(String::new()));
        assert!(
            !settings.progress.provisioned,
            "the new one starts its setup"
        );
        assert_eq!(settings.progress.zoom, 150, "the window's zoom stays");
        settings.director = DirectorTarget::Url("https://branch.example".into());
        settings.progress.account_id = "BRANCH".into();
        settings.progress.theme = ThemeChoice::Light;

        settings.switch_to(0);
        assert_eq!(
            settings.director,
            DirectorTarget::Url("https://hq.example".into())
        );
        assert_eq!(settings.progress.account_id, "HQ");
        assert!(settings.progress.provisioned);
        assert_eq!(
            settings.progress.theme,
            ThemeChoice::Light,
            "the theme stays"
        );
        assert_eq!(settings.other_directors.len(), 1);
        assert_eq!(settings.other_directors[0].progress.account_id, "BRANCH");
        let all: Vec<_> = settings
            .directors()
            .into_iter()
            .map(|d| d.director)
            .collect();
        assert_eq!(all.len(), 2);
        settings.switch_to(5);
        assert_eq!(
            settings.progress.account_id, "HQ",
            "a wrong index changes nothing"
        );
    }

    #[test]
    fn pins_belong_to_one_origin() {
        let fp = crate::domain::certificate::Fingerprint::of(b"cert");
        let mut trusted = TrustedCertificates::default();
        trusted.trust("https://Director.example:5478/", fp);
        assert_eq!(trusted.get("https://director.example:5478"), Some(fp));
        assert_eq!(
            trusted.get("https://director.example:5478/director"),
            Some(fp)
        );
        for other in [
            "https://director.example:443",
            "https://director.example",
            "http://director.example:5478",
            "https://portal.example:5478",
        ] {
            assert_eq!(trusted.get(other), None, "{other}");
        }
        trusted.trust("https://portal.shoretelsky.com", fp);
        assert_eq!(trusted.get("https://portal.shoretelsky.com:443"), Some(fp));
    }

    #[test]
    fn round_trip_without_passwords() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let store = SettingsStore::new(dir.path());
        assert!(matches!(store.load(), Loaded::Fresh(_)));
        let mut s = Settings {
            director: DirectorTarget::Url("https://d.example:5478".into()),
            ..Default::default()
        };
        s.progress.go(Step::UsernameFormat);
        s.progress.registration.password = "Secret123".into();
        s.remember_director_kind("https://D.example:5478/", DirectorKind::Web);
        store.save(&s)?;
        let text = std::fs::read_to_string(store.path())?;
        assert!(!text.contains("Secret123"));
        match store.load() {
            Loaded::Existing(loaded) => {
                assert_eq!(loaded.progress.step(), Step::UsernameFormat);
                assert_eq!(loaded.director, s.director);
                // The kind belongs to the origin, however it is spelled.
                assert_eq!(
                    loaded.director_kind("https://d.example:5478"),
                    Some(DirectorKind::Web)
                );
                assert_eq!(loaded.director_kind("https://d.example:5479"), None);
            }
            other => panic!("{other:?}"),
        }
        Ok(())
    }

    #[test]
    fn corrupt_file_is_moved_aside() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let store = SettingsStore::new(dir.path());
        std::fs::write(store.path(), b"{not json")?;
        match store.load() {
            Loaded::Recovered { settings, message } => {
                assert_eq!(settings, Settings::default());
                assert!(message.contains("moved to"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(!store.path().exists());
        let aside = std::fs::read_dir(dir.path())?.count();
        assert_eq!(aside, 1);
        Ok(())
    }
}
