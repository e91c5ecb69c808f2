//! Passwords for commands: from the environment, the keyring, or a prompt
//! when a person is at the terminal — never from the command line, where
//! every user of the machine could read them.

use std::io::IsTerminal;
use std::sync::Arc;

use crate::client::director::database::DatabaseAddress;
use crate::domain::secret::Secret;
use crate::store::secret_store::{KeyringStore, get_off_thread, put_off_thread};

/// Environment variable read for the Director admin password.
pub const PASSWORD_ENV: &str = "HYBRID_DIRECTOR_PASSWORD";
/// Environment variable read for the configuration database password.
pub const DB_PASSWORD_ENV: &str = "HYBRID_DB_PASSWORD";

/// The password for Director: the environment, else a prompt when a person
/// is at the terminal. Never a command-line argument (visible to every user
/// of the machine in the process list).
pub fn director_password() -> Result<Secret, String> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        return Ok(Secret::new(password));
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Director password: ")
            .map(Secret::new)
            .map_err(|e| format!("cannot read the password: {e}"));
    }
    Err(format!(
        "no Director password: set {PASSWORD_ENV} or run from a terminal to be asked"
    ))
}

/// The database password: HYBRID_DB_PASSWORD, else the keyring, else a
/// prompt. The flag says whether it was typed (and so may be remembered).
pub async fn database_password(address: &DatabaseAddress) -> Result<(Secret, bool), String> {
    if let Ok(password) = std::env::var(DB_PASSWORD_ENV) {
        return Ok((Secret::new(password), false));
    }
    let keyring = Arc::new(KeyringStore::default());
    if let Some(password) = get_off_thread(keyring, address.keyring_key()).await {
        return Ok((password, false));
    }
    if std::io::stdin().is_terminal() {
        let prompt = format!("Password for {} at {}: ", address.user, address.endpoint());
        return rpassword::prompt_password(prompt)
            .map(|p| (Secret::new(p), true))
            .map_err(|e| format!("cannot read the password: {e}"));
    }
    Err(format!(
        "no database password: set {DB_PASSWORD_ENV}, keep it in the keyring with --remember-password, or run from a terminal to be asked"
    ))
}

pub async fn remember_database_password(address: &DatabaseAddress, password: &Secret) {
    let keyring = Arc::new(KeyringStore::default());
    match put_off_thread(keyring, address.keyring_key(), password.clone()).await {
        Ok(()) => eprintln!("The password is now kept in the system keyring."),
        Err(e) => eprintln!("warning: could not keep the password in the keyring: {e}"),
    }
}
