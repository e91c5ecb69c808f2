//! The two client-username formatting options of Director's Hybrid
//! Synchronization page, as one pure function from users + options to
//! per-user outcomes. The "N of X invalid" count is derived from it.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use compact_str::CompactString;
use rayon::prelude::*;

use super::caseless::{self, Key};
use super::username::{Reason, validate, validate_domain};

/// A user as Director knows it, reduced to what username formatting needs.
///
/// The fields are compact strings: most names and usernames fit in the
/// string itself, so a directory of a million users takes a third of the
/// memory it would with one allocation per field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DirectoryUser {
    pub user_dn: CompactString,
    pub first_name: CompactString,
    pub last_name: CompactString,
    pub client_username: CompactString,
    /// Empty when the user has no email address.
    pub email: CompactString,
    /// The user has a DID (Fax needs one); `None` where the source does not
    /// say (a CSV file, the configuration database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_did: Option<bool>,
}

/// The formatting options chosen on the Synchronization page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FormatOptions {
    /// Use the email address as the client username.
    pub use_email: bool,
    /// Append this domain to client usernames that are not email addresses.
    pub append_domain: Option<String>,
}

impl FormatOptions {
    /// Checks the options themselves; the error names the bad domain.
    pub fn validate(&self) -> Result<(), Reason> {
        match &self.append_domain {
            Some(domain) => validate_domain(&normalize_domain(domain)),
            None => Ok(()),
        }
    }
}

/// `@Example.COM ` → `example.com`: what an admin types is forgiven, what
/// cannot be a domain is reported by [`FormatOptions::validate`].
pub fn normalize_domain(domain: &str) -> String {
    let domain = domain.trim().trim_start_matches('@');
    // "acme.com." is the fully qualified spelling of "acme.com".
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    domain.to_ascii_lowercase()
}

/// Where a user's resulting username came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The current client username, unchanged.
    Kept,
    /// Replaced by the user's email address ("use email address").
    Email,
    /// The domain was appended ("append domain").
    AppendedDomain,
}

/// What formatting does to one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// The username that would be synced.
    pub result: Cow<'a, str>,
    pub source: Source,
    /// `None` when the result is valid.
    pub reason: Option<Reason>,
}

impl Outcome<'_> {
    pub fn valid(&self) -> bool {
        self.reason.is_none()
    }
}

/// Applies the options to every user.
///
/// Rules: a client username that is already a valid email and
/// unique keeps it; otherwise "use email" takes the user's email when that is
/// valid and unique; otherwise "append domain" turns `jsmith` into
/// `jsmith@domain` (lower-cased); with both, email first and domain as the
/// fallback. Results that collide (ignoring case and surrounding space) are
/// invalid for every user involved.
///
/// The per-user work runs on all cores; each count is a pass over
/// cache-sized partitions (see [`caseless::occurrences_each`]).
pub fn format<'a>(users: &'a [DirectoryUser], options: &FormatOptions) -> Vec<Outcome<'a>> {
    let domain = options.append_domain.as_deref().map(normalize_domain);
    let username_counts = count_each(users, |u| &u.client_username);
    let email_counts = if options.use_email {
        count_each(users, |u| &u.email)
    } else {
        Vec::new()
    };
    let mut outcomes: Vec<Outcome<'a>> = users
        .par_iter()
        .zip(username_counts.par_iter())
        .enumerate()
        .map(|(i, (user, &username_count))| {
            decide(
                user,
                username_count,
                email_counts.get(i).copied(),
                domain.as_deref(),
            )
        })
        .collect();
    drop((username_counts, email_counts));

    // Valid results that collide are invalid for everyone involved.
    let result_counts = count_each(&outcomes, |o| if o.valid() { &o.result } else { "" });
    for (outcome, count) in outcomes.iter_mut().zip(result_counts) {
        if count > 1 {
            outcome.reason = Some(Reason::Duplicate);
        }
    }
    outcomes
}

/// For each item, how many items have the same text (ignoring case and
/// surrounding space); 0 for empty text. The keys live only while counted:
/// a million of them take 24 MB.
fn count_each<T: Sync>(items: &[T], text: impl Fn(&T) -> &str + Sync) -> Vec<u32> {
    let keys: Vec<Key<'_>> = items.par_iter().map(|item| Key::new(text(item))).collect();
    caseless::occurrences_each(&keys)
}

/// One user's outcome, before duplicates among results are marked.
/// `email_count` is `None` when "use email" is off, `domain` when "append
/// a domain" is.
fn decide<'a>(
    user: &'a DirectoryUser,
    username_count: u32,
    email_count: Option<u32>,
    domain: Option<&str>,
) -> Outcome<'a> {
    let current = user.client_username.as_str();
    let current_validity = validate(current);
    if current_validity.is_ok() && username_count == 1 {
        return kept(current, None);
    }
    let mut email_problem = None;
    if let Some(email_count) = email_count {
        match usable_email(&user.email, email_count) {
            Ok(email) => {
                return Outcome {
                    result: Cow::Borrowed(email),
                    source: Source::Email,
                    reason: None,
                };
            }
            Err(problem) => email_problem = Some(problem),
        }
    }
    if let Some(domain) = domain {
        let name = caseless::trim(current);
        if !name.is_empty() && !name.contains('@') {
            let result = format!("{}@{domain}", name.to_lowercase());
            let reason = validate(&result).err();
            return Outcome {
                result: Cow::Owned(result),
                source: Source::AppendedDomain,
                reason,
            };
        }
    }
    // When the email option was tried and failed, the email is what the
    // admin can fix; otherwise the username's own problem is. A valid
    // username shared with others is marked by the duplicate pass.
    kept(
        current,
        current_validity
            .err()
            .map(|reason| email_problem.unwrap_or(reason)),
    )
}

fn kept(current: &str, reason: Option<Reason>) -> Outcome<'_> {
    Outcome {
        result: Cow::Borrowed(current),
        source: Source::Kept,
        reason,
    }
}

fn usable_email(email: &str, count: u32) -> Result<&str, Reason> {
    let email = caseless::trim(email);
    if email.is_empty() {
        return Err(Reason::EmailMissing);
    }
    if validate(email).is_err() {
        return Err(Reason::EmailInvalid);
    }
    if count > 1 {
        return Err(Reason::EmailDuplicate);
    }
    Ok(email)
}

/// An [`Outcome`] that owns its result, to keep or send between threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    pub result: String,
    pub source: Source,
    pub reason: Option<Reason>,
}

/// [`format`] with owned results.
pub fn format_owned(users: &[DirectoryUser], options: &FormatOptions) -> Vec<Formatted> {
    format(users, options)
        .into_iter()
        .map(|o| Formatted {
            result: o.result.into_owned(),
            source: o.source,
            reason: o.reason,
        })
        .collect()
}

/// The "N of X" of the Synchronization page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidCount {
    pub invalid: usize,
    pub total: usize,
}

impl InvalidCount {
    pub fn of(outcomes: &[Outcome<'_>]) -> Self {
        InvalidCount {
            invalid: outcomes.iter().filter(|o| !o.valid()).count(),
            total: outcomes.len(),
        }
    }
}

impl std::fmt::Display for InvalidCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} of {}", self.invalid, self.total)
    }
}

/// How many invalid users per reason code, most frequent first (ties by
/// code). Reasons that differ only in the character they name count as one.
pub fn summarize_reasons(reasons: impl IntoIterator<Item = Reason>) -> Vec<(Reason, usize)> {
    let mut counts: HashMap<&'static str, (Reason, usize)> = HashMap::new();
    for reason in reasons {
        counts.entry(reason.code()).or_insert((reason, 0)).1 += 1;
    }
    let mut summary: Vec<_> = counts.into_values().collect();
    summary.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.code().cmp(b.0.code())));
    summary
}

/// The domain most valid email addresses use (lower-cased): the natural
/// default for "append a domain".
pub fn most_common_email_domain<'a>(emails: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let domains: Vec<Key<'a>> = emails
        .into_iter()
        .filter_map(|email| {
            let email = email.trim();
            let (_, domain) = email.rsplit_once('@')?;
            validate(email).is_ok().then(|| Key::new(domain))
        })
        .collect();
    let counts = caseless::occurrences_each(&domains);
    domains
        .iter()
        .zip(counts)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.text().cmp(a.0.text())))
        .map(|(d, _)| d.text().to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(dn: &str, username: &str, email: &str) -> DirectoryUser {
        DirectoryUser {
            user_dn: dn.into(),
            first_name: "F".into(),
            last_name: "L".into(),
            client_username: username.into(),
            email: email.into(),
            has_did: None,
        }
    }

    fn opts(use_email: bool, domain: Option<&str>) -> FormatOptions {
        FormatOptions {
            use_email,
            append_domain: domain.map(str::to_string),
        }
    }

    fn results(users: &[DirectoryUser], o: &FormatOptions) -> Vec<(String, Option<&'static str>)> {
        format(users, o)
            .into_iter()
            .map(|o| (o.result.into_owned(), o.reason.map(Reason::code)))
            .collect()
    }

    #[test]
    fn no_options_only_validates() {
        let users = [
            user("1", "jsmith", "jsmith@acme.com"),
            user("2", "ann@acme.com", ""),
        ];
        assert_eq!(
            results(&users, &opts(false, None)),
            vec![
                ("jsmith".into(), Some("missing_at")),
                ("ann@acme.com".into(), None)
            ]
        );
    }

    #[test]
    fn use_email_replaces_non_email_usernames() {
        let users = [
            user("1", "jsmith", "John.Smith@acme.com"),
            user("2", "ann@acme.com", "ann.other@acme.com"),
            user("3", "bob", ""),
            user("4", "carl", "not-an-email"),
        ];
        assert_eq!(
            results(&users, &opts(true, None)),
            vec![
                ("John.Smith@acme.com".into(), None),
                ("ann@acme.com".into(), None),
                ("bob".into(), Some("email_missing")),
                ("carl".into(), Some("email_invalid")),
            ]
        );
    }

    #[test]
    fn append_domain_lowercases_and_reports_bad_characters() {
        let users = [
            user("1", "JSmith", ""),
            user("2", "john smith", ""),
            user("3", "o(brien)", ""),
            user("4", "x@", ""),
        ];
        assert_eq!(
            results(&users, &opts(false, Some("@Acme.COM"))),
            vec![
                ("jsmith@acme.com".into(), None),
                ("john smith@acme.com".into(), Some("whitespace")),
                ("o(brien)@acme.com".into(), Some("local_bad_char")),
                ("x@".into(), Some("domain_empty")),
            ]
        );
    }

    #[test]
    fn both_options_prefer_email_then_domain() {
        let users = [
            user("1", "jsmith", "jsmith@acme.com"),
            user("2", "ann", ""),
            user("3", "dup1", "shared@acme.com"),
            user("4", "dup2", "SHARED@acme.com"),
        ];
        assert_eq!(
            results(&users, &opts(true, Some("acme.com"))),
            vec![
                ("jsmith@acme.com".into(), None),
                ("ann@acme.com".into(), None),
                ("dup1@acme.com".into(), None),
                ("dup2@acme.com".into(), None),
            ]
        );
    }

    #[test]
    fn duplicates_are_invalid_for_everyone_involved() {
        let users = [
            user("1", "Ann@Acme.com", ""),
            user("2", " ann@acme.COM", ""),
            user("3", "bob@acme.com", ""),
        ];
        let out = results(&users, &opts(false, None));
        assert_eq!(out[0].1, Some("duplicate"));
        assert_eq!(out[1].1, Some("duplicate"));
        assert_eq!(out[2].1, None);
    }

    #[test]
    fn duplicate_valid_usernames_are_replaced_by_email_when_possible() {
        let users = [
            user("1", "team@acme.com", "ann@acme.com"),
            user("2", "team@acme.com", "bob@acme.com"),
        ];
        assert_eq!(
            results(&users, &opts(true, None)),
            vec![("ann@acme.com".into(), None), ("bob@acme.com".into(), None)]
        );
    }

    #[test]
    fn appended_result_colliding_with_existing_username_is_duplicate() {
        let users = [user("1", "ann@acme.com", ""), user("2", "ANN", "")];
        let out = results(&users, &opts(false, Some("acme.com")));
        assert_eq!(out[0].1, Some("duplicate"));
        assert_eq!(out[1].1, Some("duplicate"));
    }

    #[test]
    fn invalid_count_and_summary() {
        let users = [
            user("1", "a", ""),
            user("2", "b", ""),
            user("3", "c@x.com", ""),
            user("4", "", ""),
        ];
        let out = format(&users, &opts(false, None));
        let count = InvalidCount::of(&out);
        assert_eq!(count.to_string(), "3 of 4");
        assert_eq!(
            summarize_reasons(out.iter().filter_map(|o| o.reason)),
            vec![(Reason::MissingAt, 2), (Reason::Empty, 1)]
        );
    }

    #[test]
    fn options_validation_names_the_domain_problem() {
        assert_eq!(opts(false, Some("acme.com")).validate(), Ok(()));
        assert_eq!(opts(false, Some(" @ACME.com ")).validate(), Ok(()));
        assert_eq!(
            opts(false, Some("acme")).validate(),
            Err(Reason::DomainNoDot)
        );
        assert_eq!(
            opts(false, Some("ac me.com")).validate(),
            Err(Reason::LabelBadChar(' '))
        );
    }
}
