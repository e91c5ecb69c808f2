//! Many Directors at a glance: the window's Directors view and the
//! notification-area icon poll every saved Director with the exporter's
//! engine and are handed the readings in the saved order (the current
//! Director first) whenever one changes.

use std::sync::Arc;
use std::time::Duration;

use crate::domain::directors_file::WatchedDirector;
use crate::domain::metrics::DirectorReading;
use crate::domain::secret::Secret;
use crate::service::exporter::{Exporter, Target};
use crate::store::secret_store::{SecretKey, SecretStore};
use crate::store::settings::{DirectorTarget, SavedDirector, Settings};

/// At most this many Directors are read at the same moment.
const CONCURRENCY: usize = 4;
/// How often the latest readings are looked at for a change.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// One Director to watch.
#[derive(Debug, Clone)]
pub struct Member {
    pub director: WatchedDirector,
    /// Known up front (the built-in simulator's, or the one typed in the
    /// window); else the keyring's for this address and login.
    pub password: Option<Secret>,
}

/// The saved Directors, the current one first, polled every `every` — one
/// member each, in the settings' order, so an index means the same
/// Director in both. The built-in simulator is at `demo` (its address and
/// password) when one runs; a saved demo Director without one is listed
/// but not polled.
pub fn members_of(
    settings: &Settings,
    demo: Option<(&str, &Secret)>,
    every: Duration,
) -> Vec<Member> {
    settings
        .directors()
        .into_iter()
        .map(|saved| member_of(settings, saved, demo, every))
        .collect()
}

/// One saved Director as a [`Member`] (see [`members_of`]).
pub fn member_of(
    settings: &Settings,
    saved: SavedDirector,
    demo: Option<(&str, &Secret)>,
    every: Duration,
) -> Member {
    let (url, password, kind_key) = match (&saved.director, demo) {
        (DirectorTarget::Demo, Some((url, password))) => {
            (url.to_string(), Some(password.clone()), "demo".to_string())
        }
        (DirectorTarget::Demo, None) => (String::new(), None, "demo".to_string()),
        (DirectorTarget::Url(url), _) => (url.clone(), None, url.clone()),
    };
    Member {
        director: WatchedDirector {
            name: match saved.progress.name.trim() {
                "" => name_of(&saved.director, &url),
                given => given.to_string(),
            },
            certificate: settings.trusted_certificates.get(&url),
            kind: settings.director_kind(&kind_key),
            login: saved.director_login,
            interval: every,
            format: saved.progress.format_options(),
            url,
        },
        password,
    }
}

/// How the Directors view and the icon name a Director: its host (and port),
/// or the built-in simulator.
pub fn name_of(target: &DirectorTarget, url: &str) -> String {
    if *target == DirectorTarget::Demo {
        return "Built-in simulator".into();
    }
    crate::domain::directors_file::name_from_address(url)
}

/// The Directors being watched; dropping it stops the polls.
pub struct FleetWatch {
    watching: tokio::task::AbortHandle,
}

impl Drop for FleetWatch {
    fn drop(&mut self) {
        self.watching.abort();
    }
}

/// Starts polling `members` on `runtime`; `listener` gets every Director's
/// reading, in the members' order, whenever one changed. A Director whose
/// password is neither given nor in `secrets` is not polled: its reading
/// says to open it and sign in.
pub fn watch(
    runtime: &tokio::runtime::Handle,
    members: Vec<Member>,
    secrets: Arc<dyn SecretStore>,
    listener: impl Fn(Vec<DirectorReading>) + Send + 'static,
) -> FleetWatch {
    let secrets_again = secrets.clone();
    let watching = runtime.spawn(async move {
        // The keyring may block: off the async threads.
        let with_passwords = tokio::task::spawn_blocking(move || {
            members
                .into_iter()
                .map(|m| {
                    if m.director.url.is_empty() {
                        return (m.director, None);
                    }
                    let password = m.password.clone().or_else(|| {
                        let key = SecretKey::DirectorPassword {
                            director: m.director.url.clone(),
                            login: m.director.login.clone(),
                        };
                        secrets.get(&key.entry_name())
                    });
                    (m.director, password)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let targets = with_passwords
            .iter()
            .filter_map(|(director, password)| {
                // After a refused sign-in, the keyring is read again: a
                // password typed in the window is used at once.
                let secrets = secrets_again.clone();
                let key = SecretKey::DirectorPassword {
                    director: director.url.clone(),
                    login: director.login.clone(),
                }
                .entry_name();
                Some(Target {
                    director: director.clone(),
                    password: password.clone()?,
                    reread: Some(Arc::new(move || secrets.get(&key))),
                })
            })
            .collect();
        let exporter = Exporter::start(targets, CONCURRENCY);
        let every = with_passwords
            .iter()
            .map(|(d, _)| d.interval)
            .min()
            .unwrap_or(LOOK_EVERY);
        let mut shown: Vec<DirectorReading> = Vec::new();
        let mut tick = tokio::time::interval(LOOK_EVERY.min(every));
        loop {
            tick.tick().await;
            let mut read = exporter.readings().into_iter();
            let all: Vec<DirectorReading> = with_passwords
                .iter()
                .map(|(director, password)| match password {
                    Some(_) => read
                        .next()
                        .unwrap_or_else(|| DirectorReading::not_polled(&director.name)),
                    None => DirectorReading {
                        summary: "no password saved for it: open it to sign in".into(),
                        ..DirectorReading::not_polled(&director.name)
                    },
                })
                .collect();
            if all != shown {
                shown.clone_from(&all);
                listener(all);
            }
        }
    });
    FleetWatch {
        watching: watching.abort_handle(),
    }
}
