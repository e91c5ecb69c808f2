//! The simulated world: one Director and one Connect Portal, their data and
//! the rules they enforce. Plain data + methods, no HTTP, so the rules are
//! tested directly and the axum layer stays thin.

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

/// Sessions and login failures: live only while the simulator runs.
#[derive(Debug, Default)]
pub struct Sessions {
    director: HashMap<String, DirectorSessionEntry>,
    portal: HashMap<String, PortalSessionEntry>,
    failures: HashMap<String, Failures>,
}

#[derive(Debug)]
struct DirectorSessionEntry {
    login_name: String,
    last_used_ms: u64,
}

#[derive(Debug)]
struct PortalSessionEntry {
    account_id: String,
    email: String,
    last_used_ms: u64,
}

#[derive(Debug, Default)]
struct Failures {
    count: u32,
    locked_until_ms: u64,
}

impl Failures {
    fn check_unlocked(&self, now_ms: u64) -> Result<(), Refusal> {
        if self.locked_until_ms > now_ms {
            return Err(Refusal::Locked {
                retry_after_secs: (self.locked_until_ms - now_ms).div_ceil(1000),
            });
        }
        Ok(())
    }

    /// Counts a wrong password; enough in a row lock the login.
    fn failed(&mut self, now_ms: u64, message: &str) -> Refusal {
        self.count += 1;
        if self.count >= MAX_LOGIN_FAILURES {
            self.count = 0;
            self.locked_until_ms = now_ms + LOCKOUT_MS;
        }
        Refusal::Unauthorized(message.into())
    }
}

pub fn random_token(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

pub fn secs(ms: u64) -> u64 {
    ms / 1000
}

impl Sessions {
    pub fn director_login(
        &mut self,
        world: &World,
        login_name: &str,
        password: &Secret,
        now_ms: u64,
    ) -> Result<String, Refusal> {
        let key = login_name.trim().to_lowercase();
        let failures = self.failures.entry(key).or_default();
        failures.check_unlocked(now_ms)?;
        let director = &world.director;
        if !login_name
            .trim()
            .eq_ignore_ascii_case(&director.admin_login)
            || password.expose() != director.admin_password.expose()
        {
            return Err(failures.failed(now_ms, "Wrong login name or password."));
        }
        *failures = Failures::default();
        let session = random_token(32);
        self.director.insert(
            session.clone(),
            DirectorSessionEntry {
                login_name: director.admin_login.clone(),
                last_used_ms: now_ms,
            },
        );
        Ok(session)
    }

    /// The admin behind a Director session cookie, refreshing its idle timer.
    pub fn director_user(&mut self, session: Option<&str>, now_ms: u64) -> Result<String, Refusal> {
        let refused = || {
            Refusal::Unauthorized(
                "Sign in to Director first (the session is missing or has expired).".into(),
            )
        };
        let entry = session
            .and_then(|s| self.director.get_mut(s))
            .ok_or_else(refused)?;
        if now_ms.saturating_sub(entry.last_used_ms) > SESSION_IDLE_MS {
            return Err(refused());
        }
        entry.last_used_ms = now_ms;
        Ok(entry.login_name.clone())
    }

    pub fn director_logout(&mut self, session: Option<&str>) {
        if let Some(s) = session {
            self.director.remove(s);
        }
    }

    pub fn portal_login(
        &mut self,
        world: &World,
        email: &str,
        password: &Secret,
        now_ms: u64,
    ) -> Result<(String, PortalSession), Refusal> {
        let key = format!("portal:{}", email.trim().to_lowercase());
        let failures = self.failures.entry(key).or_default();
        failures.check_unlocked(now_ms)?;
        let found = world.portal.accounts.iter().find_map(|account| {
            account
                .contacts
                .iter()
                .find(|c| {
                    c.email.eq_ignore_ascii_case(email.trim())
                        && c.password.expose() == password.expose()
                })
                .map(|c| (account, c))
        });
        let Some((account, contact)) = found else {
            return Err(failures.failed(now_ms, "Wrong Business Email or password."));
        };
        *failures = Failures::default();
        let session = random_token(32);
        self.portal.insert(
            session.clone(),
            PortalSessionEntry {
                account_id: account.account_id.clone(),
                email: contact.email.clone(),
                last_used_ms: now_ms,
            },
        );
        Ok((session, portal_session(account, contact)))
    }

    /// (account_id, contact email) behind a Portal session cookie.
    pub fn portal_user(
        &mut self,
        session: Option<&str>,
        now_ms: u64,
    ) -> Result<(String, String), Refusal> {
        let refused = || Refusal::Unauthorized("Sign in to the Connect Portal first.".into());
        let entry = session
            .and_then(|s| self.portal.get_mut(s))
            .ok_or_else(refused)?;
        if now_ms.saturating_sub(entry.last_used_ms) > SESSION_IDLE_MS {
            return Err(refused());
        }
        entry.last_used_ms = now_ms;
        Ok((entry.account_id.clone(), entry.email.clone()))
    }

    pub fn portal_logout(&mut self, session: Option<&str>) {
        if let Some(s) = session {
            self.portal.remove(s);
        }
    }
}

fn portal_session(account: &Account, contact: &Contact) -> PortalSession {
    PortalSession {
        email: contact.email.clone(),
        name: contact.name(),
        role: contact.role,
        account_id: account.account_id.clone(),
        account_name: account.account_name.clone(),
    }
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

    /// Adds the demo's existing account, "Acme Corporation", with a
    /// Decision Maker and a Phone Manager, so the "I already have an
    /// account" path, a Company Name conflict and a refused Token reveal can
    /// all be tried at once.
    pub fn seed_demo_account(&mut self) {
        let account_id = self.next_account_id();
        self.portal.accounts.push(Account {
            account_id,
            account_name: "Acme Corporation".into(),
            city: "Springfield".into(),
            token: Secret::new(random_token(32)),
            contacts: vec![
                Contact {
                    first_name: "Dana".into(),
                    last_name: "Decider".into(),
                    email: DEMO_DECISION_MAKER.into(),
                    password: Secret::new(DEMO_PORTAL_PASSWORD),
                    role: ContactRole::DecisionMaker,
                },
                Contact {
                    first_name: "Pete".into(),
                    last_name: "Phones".into(),
                    email: DEMO_PHONE_MANAGER.into(),
                    password: Secret::new(DEMO_PORTAL_PASSWORD),
                    role: ContactRole::PhoneManager,
                },
            ],
            synced_users: Vec::new(),
        });
    }

    fn next_account_id(&mut self) -> String {
        let id = self.portal.next_account_id;
        self.portal.next_account_id += 1;
        id.to_string()
    }

    // ------------------------------------------------------------ Director

    pub fn sync_settings(&self) -> SyncSettings {
        let s = &self.director.settings;
        SyncSettings {
            account_id: s.account_id.clone(),
            token_set: s.token.is_some(),
            use_email: s.use_email,
            append_domain: s.append_domain.clone(),
            enabled: s.enabled_at_ms.is_some(),
        }
    }

    fn format_options(&self) -> FormatOptions {
        FormatOptions {
            use_email: self.director.settings.use_email,
            append_domain: self.director.settings.append_domain.clone(),
        }
    }

    fn directory_users(&self) -> Vec<DirectoryUser> {
        crate::contract::directory_users(&self.director.users)
    }

    pub fn save_sync_settings(
        &mut self,
        update: SyncSettingsUpdate,
        now_ms: u64,
    ) -> Result<SyncSaved, Refusal> {
        let account_id = update.account_id.trim().to_string();
        if account_id.is_empty() {
            return Err(invalid(
                "account_id",
                "Enter the Account ID from the welcome email or the Portal.",
            ));
        }
        if !account_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(invalid(
                "account_id",
                "The Account ID has only letters, digits and hyphens.",
            ));
        }
        let token = match update.token {
            Some(t) if t.expose().trim().is_empty() => {
                return Err(invalid("token", "The Token is empty."));
            }
            Some(t) => Some(Secret::new(t.expose().trim())),
            None => None,
        };
        if token.is_none() && self.director.settings.token.is_none() {
            return Err(invalid(
                "token",
                "Enter the Token shown under Connect Credentials in the Portal.",
            ));
        }
        let options = FormatOptions {
            use_email: update.use_email,
            append_domain: update
                .append_domain
                .filter(|d| !d.trim().is_empty())
                .map(|d| format::normalize_domain(&d)),
        };
        if let Err(reason) = options.validate() {
            return Err(invalid(
                "append_domain",
                format!("The domain to append is not valid: {}", reason.describe()),
            ));
        }
        let settings = &mut self.director.settings;
        let credentials_changed = settings.account_id != account_id || token.is_some();
        settings.account_id = account_id;
        if let Some(token) = token {
            settings.token = Some(token);
        }
        settings.use_email = options.use_email;
        settings.append_domain = options.append_domain;
        if settings.enabled_at_ms.is_none() {
            settings.enabled_at_ms = Some(now_ms);
        }
        if credentials_changed || self.director.sync.next_sync_ms.is_none() {
            let delay = FIRST_SYNC_DELAY_MS.min(self.director.sync.interval_secs * 1000);
            self.director.sync.next_sync_ms = Some(now_ms + delay);
        }
        let count = self.invalid_count();
        self.director.sync.invalid = count.invalid as u64;
        Ok(SyncSaved {
            settings: self.sync_settings(),
            invalid: count.invalid as u64,
            total: count.total as u64,
        })
    }

    pub fn invalid_count(&self) -> InvalidCount {
        let users = self.directory_users();
        InvalidCount::of(&format::format(&users, &self.format_options()))
    }

    pub fn run_sync_now(&mut self, now_ms: u64) -> Result<(), Refusal> {
        if self.director.settings.enabled_at_ms.is_none() {
            return Err(Refusal::Conflict {
                field: "account_id",
                message: "Connect Sync is not configured yet: save the Account ID and Token first."
                    .into(),
                suggestion: None,
            });
        }
        self.director.sync.next_sync_ms = Some(now_ms);
        Ok(())
    }

    /// Runs a cycle if one is due. Returns whether one ran.
    pub fn tick(&mut self, now_ms: u64) -> bool {
        let due = self.director.settings.enabled_at_ms.is_some()
            && !self.sync_paused
            && self
                .director
                .sync
                .next_sync_ms
                .is_some_and(|at| at <= now_ms);
        if due {
            self.sync_cycle(now_ms);
        }
        due
    }

    /// One Connect Sync cycle: check the credentials against the Portal,
    /// push the valid users, raise or clear the Hybrid alerts.
    pub fn sync_cycle(&mut self, now_ms: u64) {
        let sync = &mut self.director.sync;
        sync.cycles += 1;
        sync.last_attempt_ms = Some(now_ms);
        sync.next_sync_ms = Some(now_ms + sync.interval_secs * 1000);

        if !self.portal_reachable {
            self.director.sync.last_attempt_failed = true;
            self.raise(
                AlertKind::PortalUnreachable,
                Severity::Critical,
                "Connect Sync failed: the Connect Portal could not be reached (connection timed out). \
                 Check that Director's server can open HTTPS connections to the Internet (proxy, firewall, DNS)."
                    .into(),
                now_ms,
            );
            return;
        }
        self.clear(AlertKind::PortalUnreachable, now_ms);

        let settings = &self.director.settings;
        let account_index = self.portal.accounts.iter().position(|a| {
            a.account_id == settings.account_id
                && settings
                    .token
                    .as_ref()
                    .is_some_and(|t| t.expose() == a.token.expose())
        });
        let Some(account_index) = account_index else {
            let account_id = settings.account_id.clone();
            self.director.sync.last_attempt_failed = true;
            self.raise(
                AlertKind::BadCredentials,
                Severity::Critical,
                format!(
                    "Connect Sync failed: the Connect Portal rejected the Account ID ({account_id}) and Token (401 Unauthorized). \
                     Reveal the Token again in the Portal (Organization > Account > Account Details > Connect Credentials > Show), \
                     enter it on Administration > System > Hybrid > Synchronization and click Save."
                ),
                now_ms,
            );
            return;
        };
        self.clear(AlertKind::BadCredentials, now_ms);

        let users = self.directory_users();
        let outcomes = format::format(&users, &self.format_options());
        let count = InvalidCount::of(&outcomes);
        let synced: Vec<PortalUser> = users
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| o.valid())
            .map(|(u, o)| PortalUser {
                user_dn: u.user_dn.to_string(),
                username: o.result.to_string(),
                first_name: u.first_name.to_string(),
                last_name: u.last_name.to_string(),
                email: u.email.to_string(),
            })
            .collect();
        let example = users
            .iter()
            .zip(&outcomes)
            .find_map(|(u, o)| o.reason.map(|r| (u.client_username.to_string(), r)));
        self.portal.accounts[account_index].synced_users = synced;

        let sync = &mut self.director.sync;
        sync.last_attempt_failed = false;
        sync.last_success_ms = Some(now_ms);
        sync.invalid = count.invalid as u64;
        sync.synced = (count.total - count.invalid) as u64;

        match example {
            Some((username, reason)) => self.raise(
                AlertKind::InvalidUsernames,
                Severity::Warning,
                format!(
                    "{count} client usernames are invalid, so those users were not synced to the Connect Portal \
                     (for example \"{username}\": {}). Choose a username format on Administration > System > Hybrid > \
                     Synchronization, or correct the users in Director.",
                    reason.describe().trim_end_matches('.')
                ),
                now_ms,
            ),
            None => self.clear(AlertKind::InvalidUsernames, now_ms),
        }
    }

    fn raise(&mut self, kind: AlertKind, severity: Severity, description: String, now_ms: u64) {
        let alerts = &mut self.director.alerts;
        if let Some(alert) = alerts.iter_mut().find(|a| a.active && a.kind == kind) {
            alert.description = description;
            return;
        }
        let id = self.director.next_alert_id;
        self.director.next_alert_id += 1;
        alerts.push(Alert {
            id,
            time: secs(now_ms),
            severity,
            source: "Hybrid".into(),
            kind,
            description,
            active: true,
            cleared_at: None,
        });
        // Keep the history bounded; old cleared alerts go first.
        if alerts.len() > 500
            && let Some(pos) = alerts.iter().position(|a| !a.active)
        {
            alerts.remove(pos);
        }
    }

    fn clear(&mut self, kind: AlertKind, now_ms: u64) {
        for alert in self
            .director
            .alerts
            .iter_mut()
            .filter(|a| a.active && a.kind == kind)
        {
            alert.active = false;
            alert.cleared_at = Some(secs(now_ms));
        }
    }

    pub fn sync_status(&self, now_ms: u64) -> SyncStatus {
        let d = &self.director;
        let active = d.alerts.iter().filter(|a| a.active).count() as u64;
        let enabled = d.settings.enabled_at_ms.is_some();
        let alarm = if !enabled {
            AlarmBar::None
        } else if active > 0 || d.sync.last_attempt_failed {
            AlarmBar::Red
        } else {
            AlarmBar::Green
        };
        let account_id = &d.settings.account_id;
        let synced_users = self
            .portal
            .accounts
            .iter()
            .find(|a| &a.account_id == account_id)
            .map_or(0, |a| a.synced_users.len() as u64);
        SyncStatus {
            server_time: secs(now_ms),
            enabled,
            interval_secs: d.sync.interval_secs,
            enabled_at: d.settings.enabled_at_ms.map(secs),
            last_attempt_at: d.sync.last_attempt_ms.map(secs),
            last_success_at: d.sync.last_success_ms.map(secs),
            last_attempt_failed: d.sync.last_attempt_failed,
            next_sync_at: d.sync.next_sync_ms.map(secs),
            cycles: d.sync.cycles,
            alarm,
            active_alerts: active,
            invalid: self.invalid_count().invalid as u64,
            total: d.users.len() as u64,
            synced_users,
            account_id: account_id.clone(),
        }
    }

    /// Newest first, as on Director's Alerts page.
    pub fn alerts(&self) -> Vec<Alert> {
        let mut alerts = self.director.alerts.clone();
        alerts.sort_by(|a, b| b.time.cmp(&a.time).then(b.id.cmp(&a.id)));
        alerts
    }

    // ------------------------------------------------------------ Portal

    pub fn register(
        &mut self,
        request: RegistrationRequest,
        now_ms: u64,
    ) -> Result<Registered, Refusal> {
        let form = request.form;
        let errors = form.validate();
        if !errors.is_empty() {
            return Err(Refusal::Invalid(
                errors
                    .into_iter()
                    .map(|e| FieldErrorBody {
                        field: e.field.name().into(),
                        message: e.message,
                    })
                    .collect(),
            ));
        }
        if request.terms_version != self.portal.terms.version {
            return Err(invalid(
                Field::AcceptedTerms.name(),
                format!(
                    "The Terms of Service changed (now version {}). Open them again and accept them.",
                    self.portal.terms.version
                ),
            ));
        }
        let company = form.company_name.trim().to_string();
        let taken = |name: &str| {
            self.portal
                .accounts
                .iter()
                .any(|a| a.account_name.trim().eq_ignore_ascii_case(name.trim()))
        };
        if taken(&company) {
            let suggestion = registration::suggest_company_name(&company, &form.city, taken);
            return Err(Refusal::Conflict {
                field: "company_name",
                message: format!(
                    "A Connect HYBRID account named \"{company}\" already exists. Make the Company Name unique, for example by appending a location."
                ),
                suggestion: Some(suggestion),
            });
        }
        let email = form.business_email.trim().to_string();
        let email_taken = self
            .portal
            .accounts
            .iter()
            .flat_map(|a| &a.contacts)
            .any(|c| c.email.eq_ignore_ascii_case(&email));
        if email_taken {
            return Err(Refusal::Conflict {
                field: "business_email",
                message: "This Business Email already belongs to a Connect account. Sign in with it instead, or use another address.".into(),
                suggestion: None,
            });
        }
        let account_id = self.next_account_id();
        self.portal.accounts.push(Account {
            account_id: account_id.clone(),
            account_name: company.clone(),
            city: form.city.trim().into(),
            token: Secret::new(random_token(32)),
            contacts: vec![Contact {
                first_name: form.first_name.trim().into(),
                last_name: form.last_name.trim().into(),
                email: email.clone(),
                password: Secret::new(form.password),
                role: ContactRole::DecisionMaker,
            }],
            synced_users: Vec::new(),
        });
        self.portal.outbox.push(welcome_email(
            &email,
            &form.first_name,
            &company,
            &account_id,
            now_ms,
        ));
        Ok(Registered {
            account_name: company,
            account_id,
        })
    }

    pub fn outbox(&self, to: Option<&str>) -> Vec<Email> {
        self.portal
            .outbox
            .iter()
            .filter(|e| to.is_none_or(|to| e.to.eq_ignore_ascii_case(to.trim())))
            .cloned()
            .collect()
    }

    fn account_and_contact(
        &self,
        account_id: &str,
        email: &str,
    ) -> Result<(&Account, &Contact), Refusal> {
        let account = self
            .portal
            .accounts
            .iter()
            .find(|a| a.account_id == account_id)
            .ok_or_else(|| Refusal::NotFound("The account no longer exists.".into()))?;
        let contact = account
            .contacts
            .iter()
            .find(|c| c.email.eq_ignore_ascii_case(email))
            .ok_or_else(|| Refusal::Unauthorized("Sign in to the Connect Portal first.".into()))?;
        Ok((account, contact))
    }

    pub fn portal_whoami(&self, account_id: &str, email: &str) -> Result<PortalSession, Refusal> {
        let (account, contact) = self.account_and_contact(account_id, email)?;
        Ok(portal_session(account, contact))
    }

    pub fn account_details(
        &self,
        account_id: &str,
        email: &str,
    ) -> Result<AccountDetails, Refusal> {
        let (account, contact) = self.account_and_contact(account_id, email)?;
        Ok(AccountDetails {
            account_name: account.account_name.clone(),
            account_id: account.account_id.clone(),
            company_name: account.account_name.clone(),
            your_role: contact.role,
            contacts: account
                .contacts
                .iter()
                .map(|c| ContactInfo {
                    name: c.name(),
                    email: c.email.clone(),
                    role: c.role,
                })
                .collect(),
            synced_users: account.synced_users.len() as u64,
        })
    }

    /// Connect Credentials > Show: the Decision Maker only.
    pub fn reveal_credentials(
        &self,
        account_id: &str,
        email: &str,
    ) -> Result<Credentials, Refusal> {
        let (account, contact) = self.account_and_contact(account_id, email)?;
        if contact.role != ContactRole::DecisionMaker {
            let makers: Vec<String> = account
                .contacts
                .iter()
                .filter(|c| c.role == ContactRole::DecisionMaker)
                .map(|c| format!("{} <{}>", c.name(), c.email))
                .collect();
            return Err(Refusal::Forbidden(format!(
                "Only the Decision Maker can reveal the Token. You are signed in as {} ({}). Ask the Decision Maker ({}) to reveal it, or to send you the Account ID and Token.",
                contact.name(),
                contact.role.label(),
                makers.join(", ")
            )));
        }
        Ok(Credentials {
            account_id: account.account_id.clone(),
            token: account.token.clone(),
        })
    }

    /// Adds an Authorized Contact. The Decision Maker only; the contact must
    /// be a user synced from Director.
    pub fn add_contact(
        &mut self,
        account_id: &str,
        email: &str,
        new: NewContact,
    ) -> Result<ContactInfo, Refusal> {
        let (account, contact) = self.account_and_contact(account_id, email)?;
        if contact.role != ContactRole::DecisionMaker {
            return Err(Refusal::Forbidden(
                "Only the Decision Maker can add Authorized Contacts.".into(),
            ));
        }
        let new_email = new.email.trim().to_string();
        if !account
            .synced_users
            .iter()
            .any(|u| u.email.eq_ignore_ascii_case(&new_email))
        {
            return Err(invalid(
                "email",
                "An Authorized Contact must be a user that exists in Director and has been synced to the Portal.",
            ));
        }
        if account
            .contacts
            .iter()
            .any(|c| c.email.eq_ignore_ascii_case(&new_email))
        {
            return Err(Refusal::Conflict {
                field: "email",
                message: "This user is already an Authorized Contact.".into(),
                suggestion: None,
            });
        }
        if let Some(problem) = registration::password_problem(new.password.expose()) {
            return Err(invalid("password", problem));
        }
        let contact = Contact {
            first_name: new.first_name.trim().into(),
            last_name: new.last_name.trim().into(),
            email: new_email,
            password: new.password,
            role: new.role,
        };
        let info = ContactInfo {
            name: contact.name(),
            email: contact.email.clone(),
            role: contact.role,
        };
        if let Some(account) = self
            .portal
            .accounts
            .iter_mut()
            .find(|a| a.account_id == account_id)
        {
            account.contacts.push(contact);
        }
        Ok(info)
    }

    pub fn portal_users(&self, account_id: &str, email: &str) -> Result<Vec<PortalUser>, Refusal> {
        let (account, _) = self.account_and_contact(account_id, email)?;
        Ok(account.synced_users.clone())
    }

    /// Simulates the Portal issuing a new Token (the old one stops working).
    pub fn revoke_token(&mut self, account_id: &str) -> Result<(), Refusal> {
        let account = self
            .portal
            .accounts
            .iter_mut()
            .find(|a| a.account_id == account_id)
            .ok_or_else(|| Refusal::NotFound(format!("No account {account_id}.")))?;
        account.token = Secret::new(random_token(32));
        Ok(())
    }
}

fn welcome_email(
    to: &str,
    first_name: &str,
    account_name: &str,
    account_id: &str,
    now_ms: u64,
) -> Email {
    Email {
        to: to.into(),
        subject: "Welcome to Connect HYBRID".into(),
        body: format!(
            "Hello {first},\n\n\
             Your Connect HYBRID account is ready.\n\n\
             Account Name: {account_name}\n\
             Account ID: {account_id}\n\n\
             Next steps:\n\
             1. Sign in to the Connect Portal with your Business Email and the password you chose.\n\
             2. Go to Organization > Account > Account Details and click Show next to Connect Credentials \
             to see the Account ID and the Token. Only the Decision Maker can see the Token.\n\
             3. In Connect Director, go to Administration > System > Hybrid > Synchronization, enter the \
             Account ID and Token, choose how client usernames are formatted, and click Save.\n\
             4. Check that the number of invalid client usernames is 0, then wait a few minutes for Connect Sync.\n",
            first = first_name.trim()
        ),
        sent_at: secs(now_ms),
    }
}

pub const DEMO_ADMIN_PASSWORD: &str = "changeme";
pub const DEMO_DECISION_MAKER: &str = "dana.decider@acme-corp.example";
pub const DEMO_PHONE_MANAGER: &str = "pete.phones@acme-corp.example";
pub const DEMO_PORTAL_PASSWORD: &str = "Demo-Pass1";

pub const TERMS_VERSION: &str = "2017-08";
pub const TERMS_TEXT: &str = "END USER TERMS OF SERVICE (simulated)\n\n\
This text stands in for the End User Terms of Service that the real Connect Portal shows during \
Connect HYBRID registration. It is served by the built-in simulator so that the registration step, \
including the rule that the Terms check box stays disabled until this document has been opened, can \
be tried end to end.\n\n\
1. Services. Connect HYBRID services (such as Scribe and Fax) are provided to the account named at \
registration. The Decision Maker named at registration manages the account and its Authorized Contacts.\n\n\
2. User data. To provide the services, Connect Sync copies user profile data (names, client usernames, \
email addresses and numbers) from Connect Director to the Connect Portal about every five minutes.\n\n\
3. Credentials. The Account ID and Token authorize Connect Sync. Keep the Token secret; only the \
Decision Maker can reveal it.\n\n\
4. Changes. These terms carry a version. When the version changes, they must be accepted again.\n";

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
