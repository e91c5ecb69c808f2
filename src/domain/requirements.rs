//! The Requirements checklist: what must be true before Connect Sync can
//! work, each with its status and the fix.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::username::{comparison_key, validate};
use super::version::{BuildNumber, HYBRID_MINIMUM, HybridScreens, HybridSupport};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    /// Sync can still be set up; some users or services are affected.
    Warn,
    /// Blocks the setup until fixed.
    Fail,
    /// What this needs is not readable through the interface in use; the
    /// fix says what to look at instead. Never counted as a pass.
    NotChecked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Stable name for scripts: reachable, encrypted, build, emails,
    /// usernames, scribe, fax (and the first-sync checks).
    pub id: String,
    pub title: String,
    pub status: CheckStatus,
    pub detail: String,
    /// What to do; empty when it passes.
    pub fix: String,
}

/// What the checklist is computed from, as read from Director.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// HTTPS with a certificate the system trusts.
    TrustedTls,
    /// HTTPS with a certificate the admin accepted and the program pinned.
    PinnedTls,
    /// Plain HTTP (the built-in simulator, or a lab Director).
    Plain,
}

/// One user's facts that the checks need.
#[derive(Debug, Clone)]
pub struct UserFacts<'a> {
    /// How the user is named in a list ("Ann Lee", else the client username).
    pub name: std::borrow::Cow<'a, str>,
    pub client_username: &'a str,
    pub email: &'a str,
    pub has_did: bool,
    pub email_with_wav: bool,
}

impl<'a> UserFacts<'a> {
    /// A user as a Director's web interface lists them: no DID or
    /// Escalation Profile read (their checks are "not checked").
    pub fn without_services(user: &'a crate::domain::format::DirectoryUser) -> Self {
        UserFacts {
            name: name_of(&user.first_name, &user.last_name, &user.client_username),
            client_username: &user.client_username,
            email: &user.email,
            has_did: user.has_did.unwrap_or(false),
            email_with_wav: false,
        }
    }
}

/// "Ann Lee", or the client username when the names are empty.
pub fn name_of<'a>(first: &str, last: &str, username: &'a str) -> std::borrow::Cow<'a, str> {
    let name = format!("{} {}", first.trim(), last.trim());
    match name.trim() {
        "" => std::borrow::Cow::Borrowed(username),
        name => std::borrow::Cow::Owned(name.to_string()),
    }
}

/// What the Requirements checks could read: all of it through this
/// program's contract; through Director's web interface the build may be
/// unreadable and the Escalation Profiles and DIDs are not read.
#[derive(Debug, Clone)]
pub struct Readable<'a> {
    pub transport: Transport,
    /// The build, or why it could not be read.
    pub build: Result<&'a str, String>,
    pub users: &'a [UserFacts<'a>],
    /// Escalation Profiles were read with the users.
    pub services: bool,
    /// Each user's DID was read (a real Director's user documents carry it).
    pub dids: bool,
}

pub fn checklist(transport: Transport, build: &str, users: &[UserFacts<'_>]) -> Vec<Check> {
    checklist_of(&Readable {
        transport,
        build: Ok(build),
        users,
        services: true,
        dids: true,
    })
}

/// The checklist from what could be read; what could not is "not checked".
pub fn checklist_of(readable: &Readable<'_>) -> Vec<Check> {
    let (transport, users) = (readable.transport, readable.users);
    let total = users.len();
    let mut checks = vec![Check {
        id: "reachable".into(),
        title: "Director is reachable and the admin login works".into(),
        status: CheckStatus::Pass,
        detail: format!("Signed in; {total} users read."),
        fix: String::new(),
    }];
    checks.push(match transport {
        Transport::TrustedTls => pass("encrypted", "Connection is encrypted and the certificate is trusted", "HTTPS, certificate trusted by this computer."),
        Transport::PinnedTls => pass("encrypted", "Connection is encrypted and the certificate is trusted", "HTTPS, certificate accepted by you and pinned."),
        Transport::Plain => Check {
            id: "encrypted".into(),
            title: "Connection is not encrypted (plain HTTP)".into(),
            status: CheckStatus::Warn,
            detail: "The connection uses plain HTTP: passwords and the Token travel unencrypted.".into(),
            fix: "Use the Director's https:// address, unless this is the built-in simulator or an isolated lab.".into(),
        },
    });
    checks.push(build_check(&readable.build));

    let mut email_counts: HashMap<String, usize> = HashMap::new();
    for u in users.iter().filter(|u| validate(u.email).is_ok()) {
        *email_counts.entry(comparison_key(u.email)).or_default() += 1;
    }
    let missing = users.iter().filter(|u| u.email.trim().is_empty()).count();
    let invalid = users
        .iter()
        .filter(|u| !u.email.trim().is_empty() && validate(u.email).is_err())
        .count();
    let duplicate = users
        .iter()
        .filter(|u| {
            validate(u.email).is_ok() && email_counts.get(&comparison_key(u.email)) > Some(&1)
        })
        .count();
    checks.push(if missing + invalid + duplicate == 0 {
        pass("emails", "Every user has a unique, valid email address", &format!("All {total} users."))
    } else {
        Check {
            id: "emails".into(),
            title: "Not every user has a unique, valid email address".into(),
            status: CheckStatus::Warn,
            detail: format!("{missing} without an email, {invalid} with an invalid one, {duplicate} sharing one with another user (of {total})."),
            fix: "Give these users a unique email address in Director (Administration > Users), or use \"Append a domain\" on the Username format step.".into(),
        }
    });

    let not_email = users
        .iter()
        .filter(|u| validate(u.client_username).is_err())
        .count();
    checks.push(if not_email == 0 {
        pass("usernames", "Client usernames are email addresses", &format!("All {total} users."))
    } else {
        Check {
            id: "usernames".into(),
            title: format!("Client usernames that are not email addresses: {not_email}"),
            status: CheckStatus::Warn,
            detail: format!("{not_email} of {total} client usernames are not valid email addresses."),
            fix: "The Username format step can use the email address or append a domain; the rest must be corrected in Director.".into(),
        }
    });

    checks.push(if readable.services {
        scribe_check(users)
    } else {
        not_checked(
            "scribe",
            "Scribe: Escalation Profiles not checked here",
            "Escalation Profiles are not readable through Director's web interface.",
            "In Director, open each Scribe user's Escalation Profiles and check \"Deliver message as email\" = \"Attach WAV file\".",
        )
    });
    checks.push(if readable.dids {
        fax_check(users)
    } else {
        not_checked(
            "fax",
            "Fax: DIDs not checked here",
            "DIDs are not read from this source.",
            "In Director (Administration > Users), check that each user who needs email-to-fax has a DID.",
        )
    });
    checks
}

fn scribe_check(users: &[UserFacts<'_>]) -> Check {
    let total = users.len();
    let no_wav = users.iter().filter(|u| !u.email_with_wav).count();
    if no_wav == 0 {
        return pass(
            "scribe",
            "Scribe: Escalation Profiles deliver email with the WAV attached",
            &format!("All {total} users."),
        );
    }
    Check {
        id: "scribe".into(),
        title: format!("Scribe: users whose messages are not emailed with the WAV: {no_wav}"),
        status: CheckStatus::Warn,
        detail: format!("{no_wav} of {total} users' Escalation Profiles do not deliver messages as email with the WAV file attached."),
        fix: "For Scribe, set \"Deliver message as email\" = \"Attach WAV file\" in these users' Escalation Profiles. Not needed for Fax.".into(),
    }
}

/// Users named in the Fax check, at most; "and M more" after them.
pub const NAMED_WITHOUT_DID: usize = 10;

fn fax_check(users: &[UserFacts<'_>]) -> Check {
    let total = users.len();
    let without: Vec<&UserFacts<'_>> = users.iter().filter(|u| !u.has_did).collect();
    if without.is_empty() {
        return pass(
            "fax",
            "Fax: every user has a DID",
            &format!("All {total} users."),
        );
    }
    let mut names: Vec<String> = without
        .iter()
        .take(NAMED_WITHOUT_DID)
        .map(|u| u.name.to_string())
        .collect();
    if without.len() > NAMED_WITHOUT_DID {
        names.push(format!("and {} more", without.len() - NAMED_WITHOUT_DID));
    }
    Check {
        id: "fax".into(),
        title: format!("Fax: users without a DID: {}", without.len()),
        status: CheckStatus::Warn,
        detail: format!("{} of {total} users have no DID: {}.", without.len(), names.join(", ")),
        fix: "For Fax, assign a DID to each user who needs email-to-fax (Administration > Users, the user's DID). Not needed for Scribe; ShoreTel 14.2 needs one per user for HYBRID.".into(),
    }
}

/// The first item when Director could not be read at all; its title
/// states what failed ("Not signed in: the certificate is not trusted"),
/// not what was hoped for beside a red mark.
pub fn unreachable(cause: &str, reason: &str, advice: &str) -> Vec<Check> {
    vec![Check {
        id: "reachable".into(),
        title: format!("Not signed in to Director: {cause}"),
        status: CheckStatus::Fail,
        detail: reason.into(),
        fix: advice.into(),
    }]
}

/// The usernames check under the options ticked on Director's
/// Synchronization page: `invalid` of `total` client usernames would fail
/// Connect Sync (as Director's "N of X" counts them).
pub fn usernames_under(
    options: &crate::domain::format::FormatOptions,
    invalid: usize,
    total: usize,
) -> Check {
    let under = match (options.use_email, options.append_domain.as_deref()) {
        (false, None) => "with no username option ticked".to_string(),
        (true, None) => "using the email address".to_string(),
        (false, Some(domain)) => format!("appending {domain}"),
        (true, Some(domain)) => format!("using the email address, else appending {domain}"),
    };
    let title = "Client usernames would pass Connect Sync";
    if invalid == 0 {
        return pass("usernames", title, &format!("All {total} users, {under}."));
    }
    Check {
        id: "usernames".into(),
        title: format!("{invalid} of {total} client usernames would fail Connect Sync"),
        status: CheckStatus::Warn,
        detail: format!("{invalid} of {total} client usernames would fail Connect Sync, {under}."),
        fix: "Give those users a valid email (or client username) in Director, or change the username options (the Username format step, or Fix in Director).".into(),
    }
}

fn pass(id: &str, title: &str, detail: &str) -> Check {
    Check {
        id: id.into(),
        title: title.into(),
        status: CheckStatus::Pass,
        detail: detail.into(),
        fix: String::new(),
    }
}

/// The build check: the build as read, or "not checked" with why. Titles
/// state the result ("Director build 20.1.0.0 has no HYBRID"), not what was
/// hoped for beside a red mark.
fn build_check(build: &Result<&str, String>) -> Check {
    const TITLE: &str = "Director build supports HYBRID";
    let text = match build {
        Ok(text) => text,
        Err(why) => {
            return not_checked(
                "build",
                "Director build not checked here",
                why,
                &format!(
                    "Look at the build on Director's Monitoring > Services page (or Help > About): \
                     HYBRID needs {HYBRID_MINIMUM} or later."
                ),
            );
        }
    };
    match text.parse::<BuildNumber>().map(|b| (b, b.hybrid_support())) {
        Ok((b, HybridSupport::Connect)) => pass(
            "build",
            TITLE,
            &format!("Build {b} (HYBRID needs {HYBRID_MINIMUM} or later)."),
        ),
        Ok((b, HybridSupport::ShoreTel142)) => pass(
            "build",
            TITLE,
            &format!(
                "Build {b}: ShoreTel 14.2 (GA8 or later), which has \"HYBRID for ST14.2\". \
                 Its steps differ: Director's {} screen and its \"{}\" link, and every user \
                 needs a DID as well as a unique email.",
                HybridScreens::SHORETEL_14_2.page,
                HybridScreens::SHORETEL_14_2.account_link
            ),
        ),
        Ok((b, HybridSupport::TooOld { upgrade_to })) => Check {
            id: "build".into(),
            title: format!("Director build {b} has no HYBRID"),
            status: CheckStatus::Fail,
            detail: format!("Build {b} has no HYBRID services."),
            fix: if upgrade_to == HYBRID_MINIMUM {
                format!(
                    "Upgrade Connect to build {HYBRID_MINIMUM} or later, then run the checks again."
                )
            } else {
                format!(
                    "Upgrade ShoreTel 14.2 to GA8 (build {upgrade_to}) or later for \"HYBRID for ST14.2\", \
                     or to Connect {HYBRID_MINIMUM} or later, then run the checks again."
                )
            },
        },
        Err(e) => Check {
            id: "build".into(),
            title: "Director build could not be read".into(),
            status: CheckStatus::Fail,
            detail: format!("Director reported a build this program cannot read: {e}."),
            fix: "Check that the address points to a Connect Director.".into(),
        },
    }
}

fn not_checked(id: &str, title: &str, why: &str, look_at: &str) -> Check {
    Check {
        id: id.into(),
        title: title.into(),
        status: CheckStatus::NotChecked,
        detail: format!("Not checked here: {why}"),
        fix: look_at.into(),
    }
}

/// Continue is allowed when nothing fails.
pub fn can_continue(checks: &[Check]) -> bool {
    !checks.is_empty() && checks.iter().all(|c| c.status != CheckStatus::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u<'a>(username: &'a str, email: &'a str) -> UserFacts<'a> {
        UserFacts {
            name: username.into(),
            client_username: username,
            email,
            has_did: true,
            email_with_wav: true,
        }
    }

    #[test]
    fn what_was_not_read_is_not_checked_never_passed() {
        let users = [u("a@x.com", "a@x.com")];
        let checks = checklist_of(&Readable {
            transport: Transport::TrustedTls,
            build: Err("the Monitoring > Services page has no table".into()),
            users: &users,
            services: false,
            dids: false,
        });
        let ids: Vec<&str> = checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "reachable",
                "encrypted",
                "build",
                "emails",
                "usernames",
                "scribe",
                "fax"
            ]
        );
        for id in ["build", "scribe", "fax"] {
            let check = checks.iter().find(|c| c.id == id).expect(id);
            assert_eq!(check.status, CheckStatus::NotChecked, "{id}");
            assert!(check.detail.starts_with("Not checked here: "), "{id}");
            assert!(!check.fix.is_empty(), "{id}: says what to look at");
        }
        assert!(can_continue(&checks), "not checked does not block");
    }

    #[test]
    fn all_good_passes() {
        let users = [u("a@x.com", "a@x.com"), u("b@x.com", "b@x.com")];
        let checks = checklist(Transport::TrustedTls, "21.90.9743.0", &users);
        assert!(
            checks.iter().all(|c| c.status == CheckStatus::Pass),
            "{checks:#?}"
        );
        assert!(can_continue(&checks));
    }

    #[test]
    fn old_build_fails_and_blocks() {
        let checks = checklist(Transport::TrustedTls, "20.10.0.0", &[]);
        assert_eq!(checks[2].status, CheckStatus::Fail);
        assert!(
            checks[2]
                .fix
                .contains("Upgrade Connect to build 21.75.1908.0"),
            "{:?}",
            checks[2]
        );
        assert!(!can_continue(&checks));
        let early_14_2 = checklist(Transport::TrustedTls, "19.40.1000.0", &[]);
        assert_eq!(early_14_2[2].status, CheckStatus::Fail);
        assert!(
            early_14_2[2].fix.contains("GA8 (build 19.43.7902.0)"),
            "{:?}",
            early_14_2[2]
        );
    }

    #[test]
    fn shoretel_14_2_ga8_passes_with_its_own_steps() {
        let checks = checklist(Transport::TrustedTls, "19.43.7902.0", &[]);
        assert_eq!(checks[2].status, CheckStatus::Pass);
        assert!(
            checks[2].detail.contains("HYBRID for ST14.2"),
            "{:?}",
            checks[2]
        );
        assert!(
            checks[2]
                .detail
                .contains("Administration > Connect Services")
        );
        assert!(checks[2].detail.contains("DID"));
    }

    #[test]
    fn counts_email_and_service_problems() {
        let mut users = vec![
            u("jsmith", ""),
            u("b@x.com", "bad@"),
            u("c@x.com", "same@x.com"),
            u("d@x.com", "SAME@x.com"),
        ];
        users[0].has_did = false;
        users[1].email_with_wav = false;
        let checks = checklist(Transport::Plain, "21.75.1908.0", &users);
        assert_eq!(checks[1].status, CheckStatus::Warn);
        assert_eq!(
            checks[3].detail,
            "1 without an email, 1 with an invalid one, 2 sharing one with another user (of 4)."
        );
        assert_eq!(
            checks[4].detail,
            "1 of 4 client usernames are not valid email addresses."
        );
        assert!(checks[5].detail.starts_with("1 of 4"));
        assert!(checks[6].detail.starts_with("1 of 4"));
        assert!(can_continue(&checks));
        // Beside a warning mark, each title says what was found.
        let titles: Vec<&str> = checks[1..].iter().map(|c| c.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Connection is not encrypted (plain HTTP)",
                "Director build supports HYBRID",
                "Not every user has a unique, valid email address",
                "Client usernames that are not email addresses: 1",
                "Scribe: users whose messages are not emailed with the WAV: 1",
                "Fax: users without a DID: 1",
            ]
        );
        let old = checklist(Transport::TrustedTls, "20.10.0.0", &[]);
        assert_eq!(old[2].title, "Director build 20.10.0.0 has no HYBRID");
    }
}
