//! What the program keeps on this machine: settings, secrets in the OS
//! keyring, files written atomically, logs, and where all of them live.

pub mod atomic_file;
pub mod autostart;
pub mod instance;
pub mod logs;
pub mod paths;
pub mod secret_store;
pub mod settings;
