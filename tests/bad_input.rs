//! Bad input, generated: at least 100,000 cases for each class — the users
//! CSV reader, server answers, registration fields, username rules. No
//! panic; every refusal is a message a person can act on. The counts are
//! listed in docs/RELIABILITY.md.

use hybrid_setup::client::http::{ApiError, decode};
use hybrid_setup::contract::{
    AccountDetails, AlertList, Credentials, DirectorSession, Registered, SyncSaved, SyncSettings,
    SyncStatus, SystemInfo, Terms, UsersPage,
};
use hybrid_setup::domain::registration::RegistrationForm;
use hybrid_setup::domain::username::validate;
use hybrid_setup::service::audit::users_csv::{CsvError, read_users};
use proptest::prelude::*;
use reqwest::StatusCode;

/// Cases per class (the issue asks for at least 100,000).
const CASES: u32 = 100_000;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        // Failures are reported with the input; no regressions file written
        // from a read-only checkout.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that is mostly CSV-shaped: headers, quotes, separators, BOMs,
/// control characters, invalid UTF-8, very long fields.
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let header = prop_oneof![
        Just(b"user_dn,first_name,last_name,client_username,email\n".to_vec()),
        Just(b"\xef\xbb\xbfuser_dn,first_name,last_name,client_username,email,did,escalation_delivery\n".to_vec()),
        Just(b"email,client_username,user_dn,last_name,first_name\n".to_vec()),
        prop::collection::vec(any::<u8>(), 0..40),
    ];
    let field = prop_oneof![
        "[a-zA-Z0-9@. _-]{0,12}".prop_map(String::into_bytes),
        Just(b"\"quoted, with comma\"".to_vec()),
        Just(b"\"unterminated".to_vec()),
        Just(b"\"\"\"".to_vec()),
        Just(vec![0xff, 0xfe]),
        Just(b"email_with_wav".to_vec()),
        prop::collection::vec(any::<u8>(), 0..8),
    ];
    let row = prop::collection::vec(field, 0..8).prop_map(|fields| {
        let mut row = fields.join(&b","[..]);
        row.push(b'\n');
        row
    });
    (header, prop::collection::vec(row, 0..6)).prop_map(|(mut h, rows)| {
        for r in rows {
            h.extend(r);
        }
        h
    })
}

fn status() -> impl Strategy<Value = StatusCode> {
    prop_oneof![
        Just(200u16),
        Just(202),
        Just(204),
        Just(400),
        Just(401),
        Just(403),
        Just(404),
        Just(409),
        Just(413),
        Just(422),
        Just(429),
        Just(500),
        Just(503),
        100u16..600,
    ]
    .prop_map(|s| StatusCode::from_u16(s).unwrap_or(StatusCode::OK))
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        "\\{\"[a-z_]{1,12}\": ?(null|true|-?[0-9]{1,20}|\"[^\"]{0,12}\"|\\[\\]|\\{\\})\\}"
            .prop_map(String::into_bytes),
        Just(b"{\"error\":\"conflict\",\"message\":\"\",\"field\":\"company_name\"}".to_vec()),
        Just(
            b"{\"error\":\"locked\",\"message\":\"x\",\"retry_after_secs\":18446744073709551615}"
                .to_vec()
        ),
        Just(b"{\"users\":[{}],\"offset\":0,\"total\":1}".to_vec()),
        Just(b"null".to_vec()),
        Just(b"[]".to_vec()),
    ]
}

fn content_type() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("application/json".to_string()),
        Just("application/json; charset=utf-8".to_string()),
        Just("text/html".to_string()),
        Just(String::new()),
        "[ -~]{0,20}",
    ]
}

fn check<T: serde::de::DeserializeOwned>(
    status: StatusCode,
    ct: &str,
    body: &[u8],
) -> Result<(), TestCaseError> {
    match decode::<T>(status, ct, body, "http://127.0.0.1:1/x") {
        Ok(_) => prop_assert!(status.is_success()),
        Err(e) if status.is_success() => {
            prop_assert!(matches!(e, ApiError::Protocol { .. }), "{status}: {e:?}")
        }
        Err(e) => {
            prop_assert!(!e.to_string().trim().is_empty(), "{e:?}");
            prop_assert!(!e.advice().is_empty());
            {
                // A refusal keeps its meaning whatever the body says.
                let class_ok = match status.as_u16() {
                    400 | 422 => matches!(e, ApiError::Invalid { .. }),
                    401 => matches!(e, ApiError::Unauthorized { .. }),
                    403 => matches!(e, ApiError::Forbidden { .. }),
                    404 => matches!(e, ApiError::NotFound { .. }),
                    409 => matches!(e, ApiError::Conflict { .. }),
                    429 => matches!(e, ApiError::Locked { .. }),
                    // 1xx, 3xx, the other 4xx and 5xx: the server failed,
                    // and the status is kept for the message.
                    s => matches!(e, ApiError::Server { status, .. } if status == s),
                };
                prop_assert!(class_ok, "{status}: {e:?}");
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn csv_reader_never_panics_and_names_the_line(input in csv_like()) {
        match read_users(&input[..]) {
            Ok(users) => {
                for u in users {
                    prop_assert!(!u.user_dn.trim().is_empty());
                }
            }
            Err(e) => {
                let message = e.to_string();
                prop_assert!(!message.is_empty());
                match e {
                    CsvError::BadRow { line, .. } => {
                        prop_assert!(line >= 1, "{message}");
                        prop_assert!(message.starts_with(&format!("line {line}:")), "{message}");
                    }
                    CsvError::BadHeader { .. } => prop_assert!(message.starts_with("line 1:")),
                    CsvError::Empty(_) => {}
                }
            }
        }
    }

    #[test]
    fn server_answers_decode_or_fail_with_a_message(
        status in status(),
        ct in content_type(),
        body in body(),
        which in 0u8..11,
    ) {
        match which {
            0 => check::<DirectorSession>(status, &ct, &body)?,
            1 => check::<SystemInfo>(status, &ct, &body)?,
            2 => check::<UsersPage>(status, &ct, &body)?,
            3 => check::<SyncSettings>(status, &ct, &body)?,
            4 => check::<SyncSaved>(status, &ct, &body)?,
            5 => check::<SyncStatus>(status, &ct, &body)?,
            6 => check::<AlertList>(status, &ct, &body)?,
            7 => check::<Terms>(status, &ct, &body)?,
            8 => check::<Registered>(status, &ct, &body)?,
            9 => check::<AccountDetails>(status, &ct, &body)?,
            _ => check::<Credentials>(status, &ct, &body)?,
        }
    }

    #[test]
    fn registration_fields_are_judged_with_messages(
        company in any::<String>(),
        email in prop_oneof![any::<String>(), "[a-z]{1,8}@[a-z]{1,8}\\.[a-z]{2,3}"],
        password in any::<String>(),
        confirm in any::<String>(),
        phone in any::<String>(),
        names in (any::<String>(), any::<String>()),
        accepted in any::<bool>(),
    ) {
        let form = RegistrationForm {
            company_name: company,
            business_email: email,
            password: password.clone(),
            confirm_password: if accepted { password } else { confirm },
            phone,
            first_name: names.0,
            last_name: names.1,
            accepted_terms: accepted,
            ..Default::default()
        };
        for error in form.validate() {
            prop_assert!(!error.message.trim().is_empty(), "{:?}", error.field);
        }
    }

    #[test]
    fn username_rules_never_panic_and_explain(s in prop_oneof![
        any::<String>(),
        "[ a-zA-Z0-9@._()+-]{0,80}",
        "[a-z]{1,70}@[a-z-]{0,70}(\\.[a-z-]{0,70}){0,4}",
    ]) {
        match validate(&s) {
            Ok(()) => prop_assert!(s.trim().contains('@')),
            Err(reason) => {
                prop_assert!(reason.describe().ends_with('.'));
                prop_assert!(!reason.hint().is_empty());
            }
        }
    }
}
