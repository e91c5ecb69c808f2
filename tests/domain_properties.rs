//! Property tests of the pure rules: usernames, formatting, registration,
//! build numbers and the alarm model.

mod support;

use hybrid_setup::domain::alarm::{
    AlarmState, STALE_AFTER_INTERVALS, SyncReport, evaluate, plugin_line,
};
use hybrid_setup::domain::format::{DirectoryUser, FormatOptions, InvalidCount, Source, format};
use hybrid_setup::domain::registration::RegistrationForm;
use hybrid_setup::domain::username::{self, comparison_key, validate};
use hybrid_setup::domain::version::BuildNumber;
use proptest::prelude::*;
use support::addresses::{label, valid_address};

fn username_like() -> impl Strategy<Value = String> {
    prop_oneof![
        valid_address(),
        "[a-z]{1,8}",
        "[ a-zA-Z0-9@.()_-]{0,20}",
        any::<String>(),
        valid_address().prop_map(|a| a.to_uppercase()),
        valid_address().prop_map(|a| format!("  {a} ")),
    ]
}

prop_compose! {
    fn user()(dn in 0u32..1000, username in username_like(),
               email in prop_oneof![Just(String::new()), valid_address(), "[a-z@.]{0,10}"]) -> DirectoryUser {
        DirectoryUser { user_dn: dn.to_string().into(), client_username: username.into(), email: email.into(), ..Default::default() }
    }
}

/// Users drawn from a small pool, so that duplicates are common.
fn crowded_user() -> impl Strategy<Value = DirectoryUser> {
    let names = [
        "a@x.com",
        "A@X.COM",
        " a@x.com ",
        "b",
        "B",
        "",
        "c@y.org",
        "Élise@x.fr",
        "élise@X.fr",
        "d d",
    ];
    let emails = [
        "", "a@x.com", "b@x.com", "B@x.com", "bad@", "c@y.org", "e@x.com",
    ];
    (
        prop::sample::select(names.to_vec()),
        prop::sample::select(emails.to_vec()),
    )
        .prop_map(|(username, email)| DirectoryUser {
            client_username: username.into(),
            email: email.into(),
            ..Default::default()
        })
}

/// The rules of `format`, written the plain way: owned lower-cased keys in
/// a map. The fast implementation must agree with it exactly.
fn reference_format(
    users: &[DirectoryUser],
    opts: &FormatOptions,
) -> Vec<(String, Option<&'static str>)> {
    use std::collections::HashMap;
    fn counts<'s>(values: impl Iterator<Item = &'s str>) -> HashMap<String, usize> {
        let mut map = HashMap::new();
        for v in values.map(comparison_key).filter(|k| !k.is_empty()) {
            *map.entry(v).or_insert(0) += 1;
        }
        map
    }
    let names = counts(users.iter().map(|u| u.client_username.as_str()));
    let emails = counts(users.iter().map(|u| u.email.as_str()));
    let domain = opts
        .append_domain
        .as_deref()
        .map(hybrid_setup::domain::format::normalize_domain);
    let mut out: Vec<(String, Option<username::Reason>)> = users
        .iter()
        .map(|u| {
            let current = u.client_username.as_str();
            if validate(current).is_ok() && names.get(&comparison_key(current)) == Some(&1) {
                return (current.to_string(), None);
            }
            let mut email_problem = None;
            if opts.use_email {
                let email = u.email.trim();
                let problem = if email.is_empty() {
                    Some(username::Reason::EmailMissing)
                } else if validate(email).is_err() {
                    Some(username::Reason::EmailInvalid)
                } else if emails.get(&comparison_key(email)) > Some(&1) {
                    Some(username::Reason::EmailDuplicate)
                } else {
                    None
                };
                match problem {
                    None => return (email.to_string(), None),
                    some => email_problem = some,
                }
            }
            if let Some(domain) = &domain {
                let name = current.trim();
                if !name.is_empty() && !name.contains('@') {
                    let result = format!("{}@{domain}", name.to_lowercase());
                    let reason = validate(&result).err();
                    return (result, reason);
                }
            }
            match validate(current) {
                Err(reason) => (current.to_string(), Some(email_problem.unwrap_or(reason))),
                Ok(()) => (current.to_string(), None),
            }
        })
        .collect();
    let valid = counts(out.iter().filter(|o| o.1.is_none()).map(|o| o.0.as_str()));
    for o in &mut out {
        if o.1.is_none() && valid.get(&comparison_key(&o.0)) > Some(&1) {
            o.1 = Some(username::Reason::Duplicate);
        }
    }
    out.into_iter()
        .map(|(r, reason)| (r, reason.map(username::Reason::code)))
        .collect()
}

fn options() -> impl Strategy<Value = FormatOptions> {
    (
        any::<bool>(),
        prop::option::of(prop_oneof![
            Just("acme.example".to_string()),
            label().prop_map(|l| format!("{l}.com"))
        ]),
    )
        .prop_map(|(use_email, append_domain)| FormatOptions {
            use_email,
            append_domain,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_addresses_are_valid(address in valid_address()) {
        prop_assume!(address.len() <= username::MAX_TOTAL_LEN);
        prop_assert_eq!(validate(&address), Ok(()));
    }

    #[test]
    fn validation_never_panics_and_valid_means_email_shaped(s in prop_oneof![
        any::<String>(),
        // Most of these are valid, so the assertions below are reached.
        username_like(),
        valid_address(),
    ]) {
        if validate(&s).is_ok() {
            let t = s.trim();
            prop_assert_eq!(t.matches('@').count(), 1);
            prop_assert!(t.len() <= username::MAX_TOTAL_LEN);
            prop_assert!(!t.chars().any(char::is_whitespace));
            prop_assert!(t.is_ascii());
        }
    }

    #[test]
    fn validity_ignores_case_and_surrounding_space(address in username_like()) {
        let ascii_upper = address.to_ascii_uppercase();
        prop_assert_eq!(validate(&address).is_ok(), validate(&ascii_upper).is_ok());
        prop_assert_eq!(validate(&address).is_ok(), validate(&format!(" {address}\t")).is_ok());
        prop_assert_eq!(comparison_key(&address), comparison_key(&format!(" {ascii_upper} ")));
    }

    #[test]
    fn format_outcomes_are_consistent(users in prop::collection::vec(user(), 0..40), opts in options()) {
        let outcomes = format(&users, &opts);
        prop_assert_eq!(outcomes.len(), users.len());
        let count = InvalidCount::of(&outcomes);
        prop_assert_eq!(count.total, users.len());
        prop_assert_eq!(count.invalid, outcomes.iter().filter(|o| o.reason.is_some()).count());
        // Every valid result is a valid address, and no two valid results collide.
        let mut seen = std::collections::HashSet::new();
        for o in outcomes.iter().filter(|o| o.valid()) {
            prop_assert_eq!(validate(&o.result), Ok(()));
            prop_assert!(seen.insert(comparison_key(&o.result)), "duplicate valid result {}", o.result);
        }
        // Without options, nothing changes.
        if !opts.use_email && opts.append_domain.is_none() {
            for (u, o) in users.iter().zip(&outcomes) {
                prop_assert_eq!(o.source, Source::Kept);
                prop_assert_eq!(o.result.as_ref(), u.client_username.as_str());
            }
        }
    }

    #[test]
    fn format_agrees_with_the_plain_reference(
        users in prop_oneof![prop::collection::vec(user(), 0..40), prop::collection::vec(crowded_user(), 0..40)],
        opts in options(),
    ) {
        let fast: Vec<_> = format(&users, &opts)
            .into_iter()
            .map(|o| (o.result.into_owned(), o.reason.map(username::Reason::code)))
            .collect();
        prop_assert_eq!(fast, reference_format(&users, &opts));
    }

    #[test]
    fn a_valid_unique_username_is_kept_under_any_options(users in prop::collection::vec(user(), 1..30), opts in options()) {
        let outcomes = format(&users, &opts);
        let keys: Vec<String> = users.iter().map(|u| comparison_key(&u.client_username)).collect();
        for (i, u) in users.iter().enumerate() {
            let unique = keys.iter().filter(|k| **k == keys[i]).count() == 1;
            if unique && validate(&u.client_username).is_ok() {
                prop_assert_eq!(outcomes[i].source, Source::Kept);
            }
        }
    }

    #[test]
    fn options_never_make_things_worse_for_kept_users(users in prop::collection::vec(user(), 1..30), opts in options()) {
        // A user valid without options stays valid with them, unless a
        // formatted neighbour now collides with it.
        let plain = format(&users, &FormatOptions::default());
        let formatted = format(&users, &opts);
        for (p, f) in plain.iter().zip(&formatted) {
            if p.valid() && !f.valid() {
                prop_assert_eq!(f.reason, Some(username::Reason::Duplicate));
            }
        }
    }

    #[test]
    fn formatting_is_idempotent(users in prop::collection::vec(user(), 0..30), opts in options()) {
        // Feeding valid results back in as usernames keeps them all valid.
        let outcomes = format(&users, &opts);
        let again: Vec<DirectoryUser> = users.iter().zip(&outcomes)
            .filter(|(_, o)| o.valid())
            .map(|(u, o)| DirectoryUser { client_username: o.result.as_ref().into(), ..u.clone() })
            .collect();
        let second = format(&again, &opts);
        prop_assert!(second.iter().all(|o| o.valid() && o.source == Source::Kept));
    }

    #[test]
    fn registration_validation_never_panics(company in any::<String>(), email in any::<String>(),
                                            password in any::<String>(), phone in any::<String>(),
                                            accepted in any::<bool>()) {
        let form = RegistrationForm {
            company_name: company, business_email: email, password: password.clone(),
            confirm_password: password, phone, accepted_terms: accepted, ..Default::default()
        };
        for e in form.validate() {
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn build_order_is_numeric(a in prop::array::uniform4(0u32..100_000), b in prop::array::uniform4(0u32..100_000)) {
        let text = |p: [u32; 4]| format!("{}.{}.{}.{}", p[0], p[1], p[2], p[3]);
        let (x, y): (BuildNumber, BuildNumber) = (text(a).parse().expect("a"), text(b).parse().expect("b"));
        prop_assert_eq!(x.cmp(&y), a.cmp(&b));
        prop_assert_eq!(x.to_string(), text(a));
    }

    #[test]
    fn build_parse_never_panics(s in any::<String>()) {
        let _ = s.parse::<BuildNumber>();
    }

    #[test]
    fn stale_is_never_green(interval in 1u64..1000, age in 0u64..10_000, alerts in 0usize..2, failed in any::<bool>()) {
        let now = 1_000_000;
        let report = SyncReport {
            now, enabled: true, interval_secs: interval, enabled_at: Some(0),
            last_attempt_at: Some(now - age), last_success_at: Some(now - age),
            last_attempt_failed: failed,
            active_alerts: vec!["x".into(); alerts],
            ..Default::default()
        };
        let s = evaluate(&report);
        if age > interval * STALE_AFTER_INTERVALS {
            prop_assert_ne!(s.state, AlarmState::Green);
        }
        if alerts > 0 || failed {
            prop_assert_eq!(s.state, AlarmState::Red);
        } else if age <= interval * STALE_AFTER_INTERVALS {
            prop_assert_eq!(s.state, AlarmState::Green);
        } else {
            prop_assert_eq!(s.state, AlarmState::Stale);
        }
        let line = plugin_line(&report, &s);
        prop_assert_eq!(line.lines().count(), 1);
        prop_assert_eq!(line.matches('|').count(), 1);
    }
}
