//! The two kinds of Director the program talks to. Remembered per address
//! in the settings, so a resumed session knows which steps are guided
//! before Director has answered again.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectorKind {
    /// `docs/server-contract.md` (the simulator): sync status and alerts readable.
    Contract,
    /// Director's own web interface: users and build readable; the Hybrid
    /// page, alarm bar and alerts are not.
    Web,
}

impl DirectorKind {
    /// How the screens and `check` name the way it is read (the JSON's
    /// `director_kind` keeps the wire names `contract` and `web`).
    pub fn label(self) -> &'static str {
        match self {
            DirectorKind::Contract => "status interface",
            DirectorKind::Web => "web interface",
        }
    }
}
