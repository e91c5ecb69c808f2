//! Generated Director users: a realistic mix for demos and load, the same
//! every time for a given count (seeded).

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::contract::{EscalationDelivery, UserRecord};

/// The demo company's mail domain.
pub const DEMO_DOMAIN: &str = "acme-corp.example";

const FIRST: [&str; 24] = [
    "Ann", "Bob", "Carla", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal", "Kim",
    "Luis", "Maya", "Nils", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera",
    "Wei", "Zoe",
];
const LAST: [&str; 20] = [
    "Adams", "Brown", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Jones",
    "Khan", "Lopez", "Martin", "Nakamura", "Okafor", "Patel", "Rossi", "Smith", "Tanaka", "Weber",
];

/// Which kinds of problems the generated users may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    /// Every problem seen in real installs, including some that no
    /// formatting option can fix (spaces, characters an address cannot hold).
    Realistic,
    /// Only problems the two formatting options fix, so the demo can reach
    /// "0 of X" and a green alarm.
    Fixable,
}

/// Generates `count` users. About 88% are clean; the rest have non-email
/// client usernames, missing or duplicate emails, no DID, or an Escalation
/// Profile that does not deliver email.
pub fn generate(count: usize, mix: Mix, seed: u64) -> Vec<UserRecord> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut users = Vec::with_capacity(count);
    for i in 0..count {
        let first = FIRST[rng.random_range(0..FIRST.len())];
        let last = LAST[rng.random_range(0..LAST.len())];
        // The index keeps names unique, as Director's usernames are.
        let local = format!("{}.{}{}", first.to_lowercase(), last.to_lowercase(), i + 1);
        let email = format!("{local}@{DEMO_DOMAIN}");
        let short = format!(
            "{}{}{}",
            &first[..1].to_lowercase(),
            last.to_lowercase(),
            i + 1
        );
        let roll = rng.random_range(0..1000);
        let (client_username, email) = match (roll, mix) {
            // A non-email client username; the email fixes it.
            (0..50, _) => (short, email),
            // No email at all; only "append domain" fixes it.
            (50..70, _) => (short, String::new()),
            // Shares an email with the previous user; "append domain" fixes it.
            (70..85, _) if i > 0 => {
                let shared = users
                    .last()
                    .map(|u: &UserRecord| u.email.clone())
                    .unwrap_or_default();
                (short, shared)
            }
            // An email with a typo in it, and a non-email username.
            (85..95, _) => (short, format!("{local}@{DEMO_DOMAIN}.")),
            // Upper-case variants: still valid, still unique.
            (95..110, _) => (email.to_uppercase(), email),
            // Unfixable: spaces or parentheses in the username.
            (110..115, Mix::Realistic) => (format!("{first} {last}"), String::new()),
            (115..118, Mix::Realistic) => (
                format!("{}({})", first.to_lowercase(), i + 1),
                String::new(),
            ),
            _ => (email.clone(), email),
        };
        let did = if rng.random_range(0..100) < 3 {
            String::new()
        } else {
            format!("+1617555{:04}", i % 10_000)
        };
        let escalation_delivery = match rng.random_range(0..100) {
            0..3 => EscalationDelivery::None,
            3..6 => EscalationDelivery::Email,
            _ => EscalationDelivery::EmailWithWav,
        };
        users.push(UserRecord {
            user_dn: (10_000 + i).to_string(),
            first_name: first.into(),
            last_name: last.into(),
            client_username,
            email,
            did,
            escalation_delivery,
        });
    }
    users
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::format::{self, DirectoryUser, FormatOptions, InvalidCount};

    fn directory(users: &[UserRecord]) -> Vec<DirectoryUser> {
        crate::contract::directory_users(users)
    }

    #[test]
    fn same_seed_same_users() {
        assert_eq!(
            generate(50, Mix::Realistic, 7),
            generate(50, Mix::Realistic, 7)
        );
    }

    #[test]
    fn fixable_mix_reaches_zero_invalid_with_both_options() {
        let users = directory(&generate(2_000, Mix::Fixable, 1));
        let none = InvalidCount::of(&format::format(&users, &FormatOptions::default()));
        assert!(none.invalid > 50, "{none}");
        let both = FormatOptions {
            use_email: true,
            append_domain: Some(DEMO_DOMAIN.into()),
        };
        let fixed = InvalidCount::of(&format::format(&users, &both));
        assert_eq!(fixed.invalid, 0, "{fixed}");
    }

    #[test]
    fn realistic_mix_keeps_some_unfixable_users() {
        let users = directory(&generate(2_000, Mix::Realistic, 1));
        let both = FormatOptions {
            use_email: true,
            append_domain: Some(DEMO_DOMAIN.into()),
        };
        let count = InvalidCount::of(&format::format(&users, &both));
        assert!(count.invalid > 0 && count.invalid < 60, "{count}");
    }
}
