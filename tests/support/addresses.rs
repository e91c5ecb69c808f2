//! Generators of valid email-shaped client usernames for property tests.

use proptest::prelude::*;

/// A dot-atom word: the characters a local part may hold.
pub fn atom() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,12}"
}

/// A domain label: letters and digits, hyphens inside only.
pub fn label() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?"
}

prop_compose! {
    /// `atom(.atom)*@label.label(.label)?`: valid unless too long.
    pub fn valid_address()(atoms in prop::collection::vec(atom(), 1..4),
                           labels in prop::collection::vec(label(), 2..4)) -> String {
        format!("{}@{}", atoms.join("."), labels.join("."))
    }
}
