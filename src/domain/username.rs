//! Client-username validation: what Connect Sync accepts as a client username.
//!
//! A valid client username is an email address in the common "dot-atom" form.
//! There is deliberately no list of top-level domains: such lists go stale and
//! flag real domains by the million.

use std::fmt;

/// Longest local part (before the `@`), per RFC 5321.
pub const MAX_LOCAL_LEN: usize = 64;
/// Longest domain part (after the `@`).
pub const MAX_DOMAIN_LEN: usize = 253;
/// Longest DNS label.
pub const MAX_LABEL_LEN: usize = 63;
/// Longest whole address, per RFC 5321's path limit.
pub const MAX_TOTAL_LEN: usize = 254;

/// Why a client username (or the username a formatting option produced) is
/// not acceptable to Connect Sync. `code()` is stable and machine-readable;
/// `hint()` is the fix, written for the administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    Empty,
    Whitespace,
    MissingAt,
    MultipleAt,
    TooLong,
    LocalEmpty,
    LocalTooLong,
    LocalBadChar(char),
    LocalDots,
    DomainEmpty,
    DomainTooLong,
    DomainNoDot,
    LabelEmpty,
    LabelTooLong,
    LabelBadChar(char),
    LabelHyphen,
    /// Two or more users end up with the same username (case-insensitive).
    Duplicate,
    /// "Use email address" was needed but the user has no email.
    EmailMissing,
    /// "Use email address" was needed but the user's email is not valid.
    EmailInvalid,
    /// "Use email address" was needed but another user has the same email.
    EmailDuplicate,
}

impl Reason {
    /// Every reason, for documentation and summaries.
    pub const ALL_CODES: [&'static str; 20] = [
        "empty",
        "whitespace",
        "missing_at",
        "multiple_at",
        "too_long",
        "local_empty",
        "local_too_long",
        "local_bad_char",
        "local_dots",
        "domain_empty",
        "domain_too_long",
        "domain_no_dot",
        "label_empty",
        "label_too_long",
        "label_bad_char",
        "label_hyphen",
        "duplicate",
        "email_missing",
        "email_invalid",
        "email_duplicate",
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reason::Empty => "empty",
            Reason::Whitespace => "whitespace",
            Reason::MissingAt => "missing_at",
            Reason::MultipleAt => "multiple_at",
            Reason::TooLong => "too_long",
            Reason::LocalEmpty => "local_empty",
            Reason::LocalTooLong => "local_too_long",
            Reason::LocalBadChar(_) => "local_bad_char",
            Reason::LocalDots => "local_dots",
            Reason::DomainEmpty => "domain_empty",
            Reason::DomainTooLong => "domain_too_long",
            Reason::DomainNoDot => "domain_no_dot",
            Reason::LabelEmpty => "label_empty",
            Reason::LabelTooLong => "label_too_long",
            Reason::LabelBadChar(_) => "label_bad_char",
            Reason::LabelHyphen => "label_hyphen",
            Reason::Duplicate => "duplicate",
            Reason::EmailMissing => "email_missing",
            Reason::EmailInvalid => "email_invalid",
            Reason::EmailDuplicate => "email_duplicate",
        }
    }

    /// A one-line description of the problem.
    /// [`Reason::describe`] for a value that is not a client username
    /// (an email): the sentences that name the field name that one.
    pub fn describe_as(self, field: &str) -> String {
        match self {
            Reason::Empty => format!("The {field} is empty."),
            Reason::Whitespace => format!("The {field} contains spaces."),
            Reason::MissingAt => format!("The {field} is not an email address (no @)."),
            Reason::MultipleAt => format!("The {field} has more than one @."),
            other => other.describe(),
        }
    }

    pub fn describe(self) -> String {
        match self {
            Reason::Empty => "The client username is empty.".into(),
            Reason::Whitespace => "The client username contains spaces.".into(),
            Reason::MissingAt => "The client username is not an email address (no @).".into(),
            Reason::MultipleAt => "The client username has more than one @.".into(),
            Reason::TooLong => format!("The address is longer than {MAX_TOTAL_LEN} characters."),
            Reason::LocalEmpty => "Nothing comes before the @.".into(),
            Reason::LocalTooLong => {
                format!("The part before the @ is longer than {MAX_LOCAL_LEN} characters.")
            }
            Reason::LocalBadChar(c) => {
                format!("The part before the @ contains {}, which is not allowed.", show_char(c))
            }
            Reason::LocalDots => {
                "The part before the @ starts or ends with a dot, or has two dots in a row.".into()
            }
            Reason::DomainEmpty => "Nothing comes after the @.".into(),
            Reason::DomainTooLong => {
                format!("The domain is longer than {MAX_DOMAIN_LEN} characters.")
            }
            Reason::DomainNoDot => "The domain has no dot (such as example.com).".into(),
            Reason::LabelEmpty => {
                "The domain starts or ends with a dot, or has two dots in a row.".into()
            }
            Reason::LabelTooLong => {
                format!("A part of the domain is longer than {MAX_LABEL_LEN} characters.")
            }
            Reason::LabelBadChar(c) => {
                format!("The domain contains {}, which is not allowed.", show_char(c))
            }
            Reason::LabelHyphen => "A part of the domain starts or ends with a hyphen.".into(),
            Reason::Duplicate => "Another user has the same client username.".into(),
            Reason::EmailMissing => {
                "The client username is not an email address and the user has no email address."
                    .into()
            }
            Reason::EmailInvalid => {
                "The client username is not an email address and the user's email address is not valid."
                    .into()
            }
            Reason::EmailDuplicate => {
                "The client username is not an email address and another user has the same email address."
                    .into()
            }
        }
    }

    /// A few words for a table cell; `describe` has the sentence.
    pub fn short(self) -> String {
        match self {
            Reason::Empty => "empty".into(),
            Reason::Whitespace => "contains spaces".into(),
            Reason::MissingAt => "not an email (no @)".into(),
            Reason::MultipleAt => "more than one @".into(),
            Reason::TooLong => "address too long".into(),
            Reason::LocalEmpty => "nothing before @".into(),
            Reason::LocalTooLong => "name before @ too long".into(),
            Reason::LocalBadChar(c) => format!("{} not allowed", show_char(c)),
            Reason::LocalDots => "misplaced dot".into(),
            Reason::DomainEmpty => "nothing after @".into(),
            Reason::DomainTooLong => "domain too long".into(),
            Reason::DomainNoDot => "domain has no dot".into(),
            Reason::LabelEmpty => "misplaced dot in domain".into(),
            Reason::LabelTooLong => "domain part too long".into(),
            Reason::LabelBadChar(c) => format!("{} in domain", show_char(c)),
            Reason::LabelHyphen => "hyphen at domain part edge".into(),
            Reason::Duplicate => "duplicate".into(),
            Reason::EmailMissing => "no email to use".into(),
            Reason::EmailInvalid => "email not valid".into(),
            Reason::EmailDuplicate => "email shared with another user".into(),
        }
    }

    /// What the administrator should do about it.
    pub fn hint(self) -> &'static str {
        match self {
            Reason::Empty | Reason::MissingAt => {
                "Tick \"Use the email address\" or \"Append a domain\", or set the client username in Director to the user's email address."
            }
            Reason::Whitespace => {
                "Remove the spaces from the client username in Director (Administration > Users)."
            }
            Reason::Duplicate => {
                "Give each user a unique client username (compared ignoring case) in Director."
            }
            Reason::EmailMissing => {
                "Enter a unique email address for this user in Director, or tick \"Append a domain\"."
            }
            Reason::EmailInvalid => {
                "Correct the user's email address in Director, or tick \"Append a domain\"."
            }
            Reason::EmailDuplicate => {
                "Give this user an email address no other user has, or tick \"Append a domain\"."
            }
            _ => {
                "Change the client username in Director to a valid email address such as jsmith@example.com."
            }
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

fn show_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("\"{c}\""),
    }
}

/// Characters allowed in a dot-atom local part besides letters, digits and dots
/// (RFC 5322 `atext`).
fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

/// Validates one client username as an email address. Surrounding spaces
/// are ignored, as they are when usernames are compared.
pub fn validate(username: &str) -> Result<(), Reason> {
    let username = super::caseless::trim(username);
    if username.is_empty() {
        return Err(Reason::Empty);
    }
    let has_space = if username.is_ascii() {
        username.bytes().any(super::caseless::is_ascii_space)
    } else {
        username.chars().any(char::is_whitespace)
    };
    if has_space {
        return Err(Reason::Whitespace);
    }
    let Some(at) = username.find('@') else {
        return Err(Reason::MissingAt);
    };
    let (local, domain) = (&username[..at], &username[at + 1..]);
    if domain.contains('@') {
        return Err(Reason::MultipleAt);
    }
    validate_local(local)?;
    validate_domain(domain)?;
    if username.len() > MAX_TOTAL_LEN {
        return Err(Reason::TooLong);
    }
    Ok(())
}

/// Validates the part before the `@`.
pub fn validate_local(local: &str) -> Result<(), Reason> {
    if local.is_empty() {
        return Err(Reason::LocalEmpty);
    }
    if let Some(c) = local
        .chars()
        .find(|&c| !(c.is_ascii() && (is_atext(c as u8) || c == '.')))
    {
        return Err(Reason::LocalBadChar(c));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(Reason::LocalDots);
    }
    if local.len() > MAX_LOCAL_LEN {
        return Err(Reason::LocalTooLong);
    }
    Ok(())
}

/// Validates the part after the `@` (also used for the "append domain" option).
pub fn validate_domain(domain: &str) -> Result<(), Reason> {
    if domain.is_empty() {
        return Err(Reason::DomainEmpty);
    }
    if let Some(c) = domain
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
    {
        return Err(Reason::LabelBadChar(c));
    }
    if !domain.contains('.') {
        return Err(Reason::DomainNoDot);
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Err(Reason::LabelEmpty);
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(Reason::LabelTooLong);
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(Reason::LabelHyphen);
        }
    }
    if domain.len() > MAX_DOMAIN_LEN {
        return Err(Reason::DomainTooLong);
    }
    Ok(())
}

/// The key two usernames are compared by: trimmed, ASCII letters lower-cased.
/// Non-ASCII letters are lower-cased too so that "É" and "é" collide.
pub fn comparison_key(username: &str) -> String {
    let trimmed = username.trim();
    if trimmed.is_ascii() {
        trimmed.to_ascii_lowercase()
    } else {
        trimmed.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "jsmith@example.com",
            "John.Smith@Example.COM",
            "a@b.co",
            "first.last+tag@sub.example-corp.org",
            "o'brien@example.ie",
            "x_y-z@a1.b2",
            "{weird}!#$%&*=?^`|~@example.com",
        ] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
        assert_eq!(validate("  jsmith@example.com\t"), Ok(()));
    }

    #[test]
    fn names_the_reason() {
        let cases = [
            ("", Reason::Empty),
            ("   ", Reason::Empty),
            ("j smith@example.com", Reason::Whitespace),
            ("jsmith@exa mple.com", Reason::Whitespace),
            ("jsmith", Reason::MissingAt),
            ("a@b@example.com", Reason::MultipleAt),
            ("@example.com", Reason::LocalEmpty),
            (".js@example.com", Reason::LocalDots),
            ("js.@example.com", Reason::LocalDots),
            ("j..s@example.com", Reason::LocalDots),
            ("j(s)@example.com", Reason::LocalBadChar('(')),
            ("jösé@example.com", Reason::LocalBadChar('ö')),
            ("jsmith@", Reason::DomainEmpty),
            ("jsmith@localhost", Reason::DomainNoDot),
            ("jsmith@example..com", Reason::LabelEmpty),
            ("jsmith@.example.com", Reason::LabelEmpty),
            ("jsmith@example.com.", Reason::LabelEmpty),
            ("jsmith@-example.com", Reason::LabelHyphen),
            ("jsmith@example-.com", Reason::LabelHyphen),
            ("jsmith@exa_mple.com", Reason::LabelBadChar('_')),
        ];
        for (input, reason) in cases {
            assert_eq!(validate(input), Err(reason), "{input:?}");
        }
    }

    #[test]
    fn length_limits_are_inclusive() {
        let local64 = "a".repeat(64);
        assert_eq!(validate(&format!("{local64}@example.com")), Ok(()));
        assert_eq!(
            validate(&format!("a{local64}@example.com")),
            Err(Reason::LocalTooLong)
        );
        let label63 = "b".repeat(63);
        assert_eq!(validate(&format!("a@{label63}.com")), Ok(()));
        assert_eq!(
            validate(&format!("a@b{label63}.com")),
            Err(Reason::LabelTooLong)
        );
        // 4 labels of 61 + ".com" = 4*62 + 3 = 251 domain chars, 2 + 251 = 253 total.
        let domain = format!("{}com", format!("{}.", "c".repeat(61)).repeat(4));
        assert_eq!(validate(&format!("a@{domain}")), Ok(()));
        let long_domain = format!("{}com", format!("{}.", "c".repeat(62)).repeat(4));
        assert_eq!(long_domain.len(), 255);
        assert_eq!(
            validate(&format!("a@{long_domain}")),
            Err(Reason::DomainTooLong)
        );
        // local 64 + @ + domain 190 = 255 > 254
        let domain190 = format!(
            "{}.{}.{}.com",
            "d".repeat(63),
            "e".repeat(63),
            "f".repeat(58)
        );
        let total = format!("{local64}@{domain190}");
        assert_eq!(total.len(), 64 + 1 + domain190.len());
        assert!(total.len() > MAX_TOTAL_LEN, "{}", total.len());
        assert_eq!(validate(&total), Err(Reason::TooLong));
    }

    #[test]
    fn comparison_ignores_case_and_surrounding_space() {
        assert_eq!(
            comparison_key("  JSmith@Example.com "),
            comparison_key("jsmith@example.COM")
        );
        assert_eq!(comparison_key("ÉLISE@x.fr"), comparison_key("élise@x.fr"));
    }

    #[test]
    fn every_reason_has_code_hint_and_description() {
        let all = [
            Reason::Empty,
            Reason::Whitespace,
            Reason::MissingAt,
            Reason::MultipleAt,
            Reason::TooLong,
            Reason::LocalEmpty,
            Reason::LocalTooLong,
            Reason::LocalBadChar('('),
            Reason::LocalDots,
            Reason::DomainEmpty,
            Reason::DomainTooLong,
            Reason::DomainNoDot,
            Reason::LabelEmpty,
            Reason::LabelTooLong,
            Reason::LabelBadChar('_'),
            Reason::LabelHyphen,
            Reason::Duplicate,
            Reason::EmailMissing,
            Reason::EmailInvalid,
            Reason::EmailDuplicate,
        ];
        let codes: Vec<_> = all.iter().map(|r| r.code()).collect();
        assert_eq!(codes, Reason::ALL_CODES);
        for r in all {
            assert!(!r.hint().is_empty());
            assert!(
                !r.short().is_empty() && r.short().len() < 32,
                "{}",
                r.short()
            );
            assert!(r.describe().ends_with('.'));
        }
    }
}
