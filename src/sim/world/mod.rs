//! The simulated world: one Director and one Connect Portal, their data and
//! the rules they enforce. Plain data + methods, no HTTP, so the rules are
//! tested directly and the axum layer stays thin. The rules are split by
//! who enforces them: [`sessions`] (sign-in, lockout, idle expiry),
//! [`director`] (sync settings, sync cycles, alerts), [`portal`]
//! (registration, contacts, credentials) and [`demo`] (the demo account).

mod demo;
mod director;
mod portal;
mod sessions;

pub use demo::{
    DEMO_ADMIN_PASSWORD, DEMO_DECISION_MAKER, DEMO_PHONE_MANAGER, DEMO_PORTAL_PASSWORD, TERMS_TEXT,
    TERMS_VERSION,
};
pub use sessions::{Sessions, random_token, secs};

use std::collections::HashMap;

use rand::RngExt;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};

use crate::contract::{
    AccountDetails, AlarmBar, Alert, AlertKind, ContactInfo, ContactRole, Credentials, Email,
    FieldErrorBody, NewContact, PortalSession, PortalUser, Registered, RegistrationRequest,
    Severity, SyncSaved, SyncSettings, SyncSettingsUpdate, SyncStatus, Terms, UserRecord,
};
use crate::domain::format::{self, DirectoryUser, FormatOptions, InvalidCount};
use crate::domain::registration::{self, Field};
use crate::domain::secret::Secret;

/// Failed admin logins in a row before the login name is locked.
pub const MAX_LOGIN_FAILURES: u32 = 5;
/// How long a locked login name stays locked.
pub const LOCKOUT_MS: u64 = 60_000;
/// A session ends after this long without a request (Director scripts log
/// in again every 20 minutes).
pub const SESSION_IDLE_MS: u64 = 20 * 60_000;
/// The first cycle after saving settings runs this soon (or after one
/// interval, if that is shorter), so the wizard's wait is short.
pub const FIRST_SYNC_DELAY_MS: u64 = 3_000;

/// Everything that is kept in `--state FILE`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct World {
    pub director: DirectorData,
    pub portal: PortalData,
    pub portal_reachable: bool,
    pub sync_paused: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DirectorData {
    pub product: String,
    pub build: String,
    pub admin_login: String,
    pub admin_password: Secret,
    pub users: Vec<UserRecord>,
    pub settings: StoredSettings,
    pub sync: SyncRecord,
    pub alerts: Vec<Alert>,
    pub next_alert_id: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoredSettings {
    pub account_id: String,
    pub token: Option<Secret>,
    pub use_email: bool,
    pub append_domain: Option<String>,
    pub enabled_at_ms: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SyncRecord {
    pub interval_secs: u64,
    pub last_attempt_ms: Option<u64>,
    pub last_success_ms: Option<u64>,
    pub last_attempt_failed: bool,
    pub next_sync_ms: Option<u64>,
    pub cycles: u64,
    pub invalid: u64,
    pub synced: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PortalData {
    pub terms: Terms,
    pub accounts: Vec<Account>,
    pub outbox: Vec<Email>,
    pub next_account_id: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub account_id: String,
    pub account_name: String,
    pub city: String,
    pub token: Secret,
    pub contacts: Vec<Contact>,
    pub synced_users: Vec<PortalUser>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password: Secret,
    pub role: ContactRole,
}

impl Contact {
    fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// A refusal from one of the simulated servers, mapped to HTTP by the axum
/// layer. Carries the contract's error codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Unauthorized(String),
    Locked {
        retry_after_secs: u64,
    },
    Forbidden(String),
    NotFound(String),
    Conflict {
        field: &'static str,
        message: String,
        suggestion: Option<String>,
    },
    Invalid(Vec<FieldErrorBody>),
}

fn invalid(field: &str, message: impl Into<String>) -> Refusal {
    Refusal::Invalid(vec![FieldErrorBody {
        field: field.into(),
        message: message.into(),
    }])
}

impl World {
    pub fn new(users: Vec<UserRecord>, interval_secs: u64, build: &str) -> Self {
        World {
            director: DirectorData {
                product: "Mitel Connect ONSITE (simulated)".into(),
                build: build.into(),
                admin_login: "admin".into(),
                admin_password: Secret::new(DEMO_ADMIN_PASSWORD),
                users,
                settings: StoredSettings::default(),
                sync: SyncRecord {
                    interval_secs: interval_secs.max(1),
                    ..Default::default()
                },
                alerts: Vec::new(),
                next_alert_id: 1,
            },
            portal: PortalData {
                terms: Terms {
                    version: TERMS_VERSION.into(),
                    title: "End User Terms of Service".into(),
                    text: TERMS_TEXT.into(),
                },
                accounts: Vec::new(),
                outbox: Vec::new(),
                next_account_id: 1_000_001,
            },
            portal_reachable: true,
            sync_paused: false,
        }
    }

    fn next_account_id(&mut self) -> String {
        let id = self.portal.next_account_id;
        self.portal.next_account_id += 1;
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::registration::RegistrationForm;

    fn world() -> World {
        let users = vec![
            UserRecord {
                user_dn: "1".into(),
                first_name: "Ann".into(),
                last_name: "Lee".into(),
                client_username: "alee".into(),
                email: "ann.lee@acme.example".into(),
                ..Default::default()
            },
            UserRecord {
                user_dn: "2".into(),
                first_name: "Bob".into(),
                last_name: "Ray".into(),
                client_username: "bob.ray@acme.example".into(),
                email: "bob.ray@acme.example".into(),
                ..Default::default()
            },
        ];
        let mut w = World::new(users, 300, "21.90.9743.0");
        w.seed_demo_account();
        w
    }

    fn form(company: &str, email: &str) -> RegistrationRequest {
        RegistrationRequest {
            form: RegistrationForm {
                company_name: company.into(),
                city: "Boston".into(),
                country: "US".into(),
                first_name: "Pat".into(),
                last_name: "Admin".into(),
                business_email: email.into(),
                phone: "555 010 0199".into(),
                password: "Secret123".into(),
                confirm_password: "Secret123".into(),
                accepted_terms: true,
                ..Default::default()
            },
            terms_version: TERMS_VERSION.into(),
        }
    }

    #[test]
    fn company_name_conflict_is_case_insensitive_and_suggests_a_location() {
        let mut w = world();
        let err = w.register(form(" ACME corporation ", "pat@other.example"), 0);
        match err {
            Err(Refusal::Conflict {
                field, suggestion, ..
            }) => {
                assert_eq!(field, "company_name");
                assert_eq!(suggestion.as_deref(), Some("ACME corporation (Boston)"));
            }
            other => panic!("expected conflict, got {other:?}"),
        }
    }

    #[test]
    fn registration_sends_welcome_email_and_makes_decision_maker() {
        let mut w = world();
        let reg = w
            .register(form("Globex", "pat@globex.example"), 5_000)
            .expect("registers");
        let mail = w.outbox(Some("PAT@globex.example"));
        assert_eq!(mail.len(), 1);
        assert!(
            mail[0]
                .body
                .contains(&format!("Account ID: {}", reg.account_id))
        );
        assert!(mail[0].body.contains("Account Name: Globex"));
        let details = w
            .account_details(&reg.account_id, "pat@globex.example")
            .expect("details");
        assert_eq!(details.your_role, ContactRole::DecisionMaker);
        // The same Business Email cannot register twice.
        assert!(matches!(
            w.register(form("Globex Two", "pat@globex.example"), 0),
            Err(Refusal::Conflict {
                field: "business_email",
                ..
            })
        ));
    }

    #[test]
    fn terms_must_be_current_and_accepted() {
        let mut w = world();
        let mut req = form("Initech", "a@initech.example");
        req.terms_version = "1999".into();
        assert!(
            matches!(w.register(req, 0), Err(Refusal::Invalid(f)) if f[0].field == "accepted_terms")
        );
        let mut req = form("Initech", "a@initech.example");
        req.form.accepted_terms = false;
        assert!(
            matches!(w.register(req, 0), Err(Refusal::Invalid(f)) if f[0].field == "accepted_terms")
        );
    }

    #[test]
    fn only_the_decision_maker_sees_the_token() {
        let w = world();
        let id = w.portal.accounts[0].account_id.clone();
        assert!(w.reveal_credentials(&id, DEMO_DECISION_MAKER).is_ok());
        match w.reveal_credentials(&id, DEMO_PHONE_MANAGER) {
            Err(Refusal::Forbidden(message)) => {
                assert!(message.contains("Only the Decision Maker"), "{message}");
                assert!(message.contains("Phone Manager"), "{message}");
            }
            other => panic!("expected refusal, got {other:?}"),
        }
    }

    #[test]
    fn login_lockout_after_repeated_failures() {
        let w = world();
        let mut s = Sessions::default();
        let wrong = Secret::new("nope");
        for _ in 0..MAX_LOGIN_FAILURES {
            assert!(matches!(
                s.director_login(&w, "admin", &wrong, 0),
                Err(Refusal::Unauthorized(_))
            ));
        }
        let right = Secret::new(DEMO_ADMIN_PASSWORD);
        assert!(matches!(
            s.director_login(&w, "admin", &right, 1_000),
            Err(Refusal::Locked {
                retry_after_secs: 59
            })
        ));
        assert!(
            s.director_login(&w, "ADMIN", &right, LOCKOUT_MS + 1)
                .is_ok()
        );
    }

    #[test]
    fn sessions_expire_when_idle() {
        let w = world();
        let mut s = Sessions::default();
        let session = s
            .director_login(&w, "admin", &Secret::new(DEMO_ADMIN_PASSWORD), 0)
            .expect("login");
        assert!(s.director_user(Some(&session), SESSION_IDLE_MS).is_ok());
        assert!(
            s.director_user(Some(&session), 2 * SESSION_IDLE_MS + 1)
                .is_err()
        );
        assert!(s.director_user(None, 0).is_err());
    }

    #[test]
    fn sync_cycle_red_on_bad_token_then_green() {
        let mut w = world();
        let id = w.portal.accounts[0].account_id.clone();
        let token = w.portal.accounts[0].token.clone();
        let saved = w
            .save_sync_settings(
                SyncSettingsUpdate {
                    account_id: id.clone(),
                    token: Some(Secret::new("wrong")),
                    use_email: true,
                    append_domain: None,
                },
                0,
            )
            .expect("saves");
        assert_eq!((saved.invalid, saved.total), (0, 2));
        assert!(w.tick(FIRST_SYNC_DELAY_MS));
        let status = w.sync_status(FIRST_SYNC_DELAY_MS);
        assert_eq!(status.alarm, AlarmBar::Red);
        assert!(
            w.alerts()[0]
                .description
                .contains("rejected the Account ID")
        );

        w.save_sync_settings(
            SyncSettingsUpdate {
                account_id: id.clone(),
                token: Some(token),
                use_email: true,
                append_domain: None,
            },
            10_000,
        )
        .expect("saves");
        assert!(!w.tick(10_000), "not due yet");
        assert!(w.tick(10_000 + FIRST_SYNC_DELAY_MS));
        let status = w.sync_status(20_000);
        assert_eq!(status.alarm, AlarmBar::Green);
        assert_eq!(status.synced_users, 2);
        assert!(w.alerts().iter().all(|a| !a.active));
        let users = w.portal_users(&id, DEMO_DECISION_MAKER).expect("users");
        assert_eq!(users[0].username, "ann.lee@acme.example");
    }

    #[test]
    fn invalid_usernames_raise_a_warning_and_portal_outage_is_critical() {
        let mut w = world();
        let id = w.portal.accounts[0].account_id.clone();
        let token = w.portal.accounts[0].token.clone();
        w.save_sync_settings(
            SyncSettingsUpdate {
                account_id: id,
                token: Some(token),
                use_email: false,
                append_domain: None,
            },
            0,
        )
        .expect("saves");
        w.sync_cycle(1_000);
        let alerts = w.alerts();
        assert_eq!(alerts[0].kind, AlertKind::InvalidUsernames);
        assert!(
            alerts[0]
                .description
                .starts_with("1 of 2 client usernames are invalid"),
            "{}",
            alerts[0].description
        );
        assert_eq!(w.sync_status(1_000).synced_users, 1);

        w.portal_reachable = false;
        w.sync_cycle(2_000);
        assert!(
            w.alerts()
                .iter()
                .any(|a| a.active && a.kind == AlertKind::PortalUnreachable)
        );
        w.portal_reachable = true;
        w.sync_cycle(3_000);
        assert!(
            !w.alerts()
                .iter()
                .any(|a| a.active && a.kind == AlertKind::PortalUnreachable)
        );
    }

    #[test]
    fn settings_refuse_bad_input_and_never_return_the_token() {
        let mut w = world();
        let bad_domain = SyncSettingsUpdate {
            account_id: "1000001".into(),
            token: Some(Secret::new("t")),
            use_email: false,
            append_domain: Some("not a domain".into()),
        };
        assert!(
            matches!(w.save_sync_settings(bad_domain, 0), Err(Refusal::Invalid(f)) if f[0].field == "append_domain")
        );
        let no_token = SyncSettingsUpdate {
            account_id: "1000001".into(),
            ..Default::default()
        };
        assert!(
            matches!(w.save_sync_settings(no_token, 0), Err(Refusal::Invalid(f)) if f[0].field == "token")
        );
        assert!(!w.sync_settings().token_set);
        let json = serde_json::to_string(&w.sync_settings()).unwrap_or_default();
        assert!(!json.contains("token\":\""), "{json}");
    }

    #[test]
    fn authorized_contacts_must_be_synced_users() {
        let mut w = world();
        let id = w.portal.accounts[0].account_id.clone();
        let new = |email: &str| NewContact {
            first_name: "Bob".into(),
            last_name: "Ray".into(),
            email: email.into(),
            password: Secret::new("Secret123"),
            role: ContactRole::TechnicalContact,
        };
        assert!(matches!(
            w.add_contact(&id, DEMO_DECISION_MAKER, new("bob.ray@acme.example")),
            Err(Refusal::Invalid(_))
        ));
        w.portal.accounts[0].synced_users.push(PortalUser {
            user_dn: "2".into(),
            username: "bob.ray@acme.example".into(),
            first_name: "Bob".into(),
            last_name: "Ray".into(),
            email: "bob.ray@acme.example".into(),
        });
        assert!(matches!(
            w.add_contact(&id, DEMO_PHONE_MANAGER, new("bob.ray@acme.example")),
            Err(Refusal::Forbidden(_))
        ));
        assert!(
            w.add_contact(&id, DEMO_DECISION_MAKER, new("bob.ray@acme.example"))
                .is_ok()
        );
        assert!(matches!(
            w.reveal_credentials(&id, "bob.ray@acme.example"),
            Err(Refusal::Forbidden(_))
        ));
    }
}
