//! A string that must never be shown: the Portal Token and passwords.
//!
//! `Debug` and `Display` print a fixed mask, so a secret that reaches a log
//! line, a panic message or `{:?}` output shows nothing. Read the value only
//! with [`Secret::expose`], at the point where it is sent or stored in the
//! OS keyring.

use serde::{Deserialize, Serialize};

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub const MASK: &'static str = "••••••••";

    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({})", Self::MASK)
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(Self::MASK)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("tok-123-very-secret");
        assert!(!format!("{s:?}").contains("tok-123"));
        assert!(!format!("{s}").contains("tok-123"));
        assert!(!format!("{:?}", Some(&s)).contains("tok-123"));
        assert_eq!(s.expose(), "tok-123-very-secret");
    }

    #[test]
    fn serializes_as_a_plain_string_for_the_wire() {
        let s = Secret::new("abc");
        assert_eq!(serde_json::to_string(&s).ok().as_deref(), Some("\"abc\""));
    }
}
