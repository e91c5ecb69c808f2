//! The domain core: pure rules, no IO, no GUI. Everything here is
//! deterministic and tested directly (unit and property tests).

/// The program's name, as windows, icons and menus show it.
pub const APP_NAME: &str = "Connect HYBRID Setup";

pub mod account;
pub mod alarm;
pub mod caseless;
pub mod certificate;
pub mod director_kind;
pub mod directors_file;
pub mod drift;
pub mod fix;
pub mod format;
pub mod metrics;
pub mod redaction;
pub mod registration;
pub mod requirements;
pub mod secret;
pub mod sign_in;
pub mod text;
pub mod tray;
pub mod undo;
pub mod username;
pub mod verification;
pub mod version;
pub mod wizard;

pub use alarm::{AlarmState, Status, SyncReport};
pub use format::{DirectoryUser, FormatOptions, InvalidCount, Outcome, Source};
pub use registration::{Field, FieldError, RegistrationForm};
pub use username::Reason;
pub use version::{BuildNumber, HYBRID_MINIMUM};
