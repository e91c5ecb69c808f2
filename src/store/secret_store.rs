//! Where secrets live: the OS keyring (Windows Credential Manager, macOS
//! Keychain, the Secret Service on Linux desktops), or — where there is no
//! keyring service — this process's memory only, for the session.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::domain::secret::Secret;

/// The keyring "service" name every entry is stored under.
pub const KEYRING_SERVICE: &str = "hybrid-setup";

/// The secrets the program keeps, each under its own keyring entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretKey {
    /// The Connect Token of a Portal account.
    PortalToken { account_id: String },
    /// The admin password of a Director, for one login name.
    DirectorPassword { director: String, login: String },
    /// The read-only configuration database's password; `entry` is the
    /// database address's keyring key (the same one `audit --db` uses).
    DatabasePassword { entry: String },
    /// A Director's password for the exporter (`password_keyring = "entry"`).
    ExporterPassword { entry: String },
}

impl SecretKey {
    /// The keyring entry's name (stable: entries written by earlier
    /// versions are found again).
    pub fn entry_name(&self) -> String {
        match self {
            SecretKey::PortalToken { account_id } => format!("portal-token:{account_id}"),
            SecretKey::DirectorPassword { director, login } => {
                format!("director-password:{login}@{director}")
            }
            SecretKey::DatabasePassword { entry } => entry.clone(),
            SecretKey::ExporterPassword { entry } => format!("exporter:{entry}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretStoreError {
    #[error("no OS keyring is available ({0}); the secret is kept for this session only")]
    Unavailable(String),
}

/// Store, read and forget secrets. Calls may block (the Linux Secret
/// Service is a D-Bus round trip), so the app calls them off the UI thread.
pub trait SecretStore: Send + Sync {
    fn put(&self, key: &str, secret: &Secret) -> Result<(), SecretStoreError>;
    fn get(&self, key: &str) -> Option<Secret>;
    fn forget(&self, key: &str);
    /// Whether secrets survive a restart.
    fn persistent(&self) -> bool;
}

/// Reads `key` on the blocking pool: a keyring call can wait on D-Bus, and
/// must not hold up the UI thread or a runtime worker.
pub async fn get_off_thread(store: Arc<dyn SecretStore>, key: String) -> Option<Secret> {
    tokio::task::spawn_blocking(move || store.get(&key))
        .await
        .unwrap_or(None)
}

/// Stores `secret` under `key` on the blocking pool (see [`get_off_thread`]).
pub async fn put_off_thread(
    store: Arc<dyn SecretStore>,
    key: String,
    secret: Secret,
) -> Result<(), SecretStoreError> {
    tokio::task::spawn_blocking(move || store.put(&key, &secret))
        .await
        .unwrap_or_else(|e| Err(SecretStoreError::Unavailable(e.to_string())))
}

/// The OS keyring, with an in-memory fallback when the keyring refuses, so
/// the session goes on and the screen can say the secret was not kept.
#[derive(Debug, Default)]
pub struct KeyringStore {
    session: MemoryStore,
}

impl SecretStore for KeyringStore {
    fn put(&self, key: &str, secret: &Secret) -> Result<(), SecretStoreError> {
        // Keep it for the session either way.
        let _ = self.session.put(key, secret);
        let stored = keyring::Entry::new(KEYRING_SERVICE, key)
            .and_then(|entry| entry.set_password(secret.expose()));
        stored.map_err(|e| {
            tracing::warn!("OS keyring unavailable: {e}");
            SecretStoreError::Unavailable(e.to_string())
        })
    }

    fn get(&self, key: &str) -> Option<Secret> {
        self.session.get(key).or_else(|| {
            keyring::Entry::new(KEYRING_SERVICE, key)
                .and_then(|entry| entry.get_password())
                .ok()
                .map(Secret::new)
        })
    }

    fn forget(&self, key: &str) {
        self.session.forget(key);
        if let Ok(entry) = keyring::Entry::new(KEYRING_SERVICE, key) {
            let _ = entry.delete_credential();
        }
    }

    fn persistent(&self) -> bool {
        true
    }
}

/// Secrets in memory only: the fallback, and the store tests use so they
/// never touch the machine's keyring.
#[derive(Debug, Default)]
pub struct MemoryStore {
    secrets: Mutex<HashMap<String, Secret>>,
}

impl MemoryStore {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.secrets.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl SecretStore for MemoryStore {
    fn put(&self, key: &str, secret: &Secret) -> Result<(), SecretStoreError> {
        self.map().insert(key.to_string(), secret.clone());
        Ok(())
    }

    fn get(&self, key: &str) -> Option<Secret> {
        self.map().get(key).cloned()
    }

    fn forget(&self, key: &str) {
        self.map().remove(key);
    }

    fn persistent(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trip() {
        let store = MemoryStore::default();
        store.put("k", &Secret::new("v")).expect("put");
        assert_eq!(
            store.get("k").map(|s| s.expose().to_string()).as_deref(),
            Some("v")
        );
        store.forget("k");
        assert!(store.get("k").is_none());
        assert!(!store.persistent());
    }

    #[test]
    fn keys_name_what_they_hold() {
        let token = SecretKey::PortalToken {
            account_id: "1000002".into(),
        };
        assert_eq!(token.entry_name(), "portal-token:1000002");
        let password = SecretKey::DirectorPassword {
            director: "https://d:5478".into(),
            login: "admin".into(),
        };
        assert_eq!(
            password.entry_name(),
            "director-password:admin@https://d:5478"
        );
    }
}
