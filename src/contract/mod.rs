//! The wire contract between the program and a Director + Portal: every
//! request and response body, shared by the simulator and the HTTP clients
//! so the two cannot drift apart. `docs/server-contract.md` documents it.

pub mod director_web;

use serde::{Deserialize, Serialize};

use crate::domain::registration::RegistrationForm;
use crate::domain::secret::Secret;

/// Paths of every route, so the simulator, the clients and the fault
/// injector name them the same way.
pub mod paths {
    pub const DIRECTOR_SESSION: &str = "/director/api/session";
    pub const DIRECTOR_SYSTEM: &str = "/director/api/system";
    pub const DIRECTOR_USERS: &str = "/director/api/users";
    pub const DIRECTOR_SYNC_SETTINGS: &str = "/director/api/hybrid/sync";
    pub const DIRECTOR_SYNC_RUN: &str = "/director/api/hybrid/sync/run";
    pub const DIRECTOR_SYNC_STATUS: &str = "/director/api/hybrid/status";
    pub const DIRECTOR_ALERTS: &str = "/director/api/alerts";

    pub const PORTAL_TERMS: &str = "/portal/api/terms";
    pub const PORTAL_TERMS_PAGE: &str = "/portal/terms";
    pub const PORTAL_REGISTRATIONS: &str = "/portal/api/registrations";
    pub const PORTAL_OUTBOX: &str = "/portal/api/outbox";
    pub const PORTAL_SESSION: &str = "/portal/api/session";
    pub const PORTAL_ACCOUNT: &str = "/portal/api/account";
    pub const PORTAL_CREDENTIALS: &str = "/portal/api/account/credentials";
    pub const PORTAL_CONTACTS: &str = "/portal/api/account/contacts";
    pub const PORTAL_USERS: &str = "/portal/api/account/users";

    pub const SIM_FAULTS: &str = "/__sim/faults";
    pub const SIM_CONTROL: &str = "/__sim/control";
    pub const SIM_STATE: &str = "/__sim/state";
    /// How many requests each `METHOD /path` got (tests count writes and
    /// sign-ins with it).
    pub const SIM_REQUESTS: &str = "/__sim/requests";
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Machine-readable code: `unauthorized`, `locked`, `forbidden`,
    /// `conflict`, `invalid`, `not_found`, `too_large`, `server`, `injected`.
    pub error: String,
    /// A sentence for the administrator.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrorBody {
    pub field: String,
    pub message: String,
}

// ---------------------------------------------------------------- Director

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DirectorLogin {
    pub login_name: String,
    pub password: Secret,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectorSession {
    pub login_name: String,
    /// Seconds of inactivity after which the session ends.
    pub idle_timeout_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemInfo {
    pub product: String,
    pub build: String,
    pub hybrid_minimum: String,
}

/// How a user's Escalation Profile delivers voicemail; Scribe needs
/// "Deliver message as email" with "Attach WAV file".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationDelivery {
    #[default]
    None,
    Email,
    EmailWithWav,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserRecord {
    pub user_dn: String,
    pub first_name: String,
    pub last_name: String,
    pub client_username: String,
    pub email: String,
    /// Direct inward dial number; empty when the user has none (Fax needs one).
    #[serde(default)]
    pub did: String,
    #[serde(default)]
    pub escalation_delivery: EscalationDelivery,
}

impl UserRecord {
    /// What the Requirements checks need of this user.
    pub fn facts(&self) -> crate::domain::requirements::UserFacts<'_> {
        crate::domain::requirements::UserFacts {
            name: crate::domain::requirements::name_of(
                &self.first_name,
                &self.last_name,
                &self.client_username,
            ),
            client_username: &self.client_username,
            email: &self.email,
            has_did: !self.did.trim().is_empty(),
            email_with_wav: self.escalation_delivery == EscalationDelivery::EmailWithWav,
        }
    }

    /// What username formatting needs of this user.
    pub fn directory_user(&self) -> crate::domain::format::DirectoryUser {
        crate::domain::format::DirectoryUser {
            user_dn: self.user_dn.as_str().into(),
            first_name: self.first_name.as_str().into(),
            last_name: self.last_name.as_str().into(),
            client_username: self.client_username.as_str().into(),
            email: self.email.as_str().into(),
            has_did: Some(!self.did.trim().is_empty()),
        }
    }
}

/// What username formatting needs of every user, in order.
pub fn directory_users(users: &[UserRecord]) -> Vec<crate::domain::format::DirectoryUser> {
    users.iter().map(UserRecord::directory_user).collect()
}

impl From<UserRecord> for crate::domain::format::DirectoryUser {
    /// Moves the strings: a million users are not copied to be audited.
    fn from(record: UserRecord) -> Self {
        crate::domain::format::DirectoryUser {
            user_dn: record.user_dn.into(),
            first_name: record.first_name.into(),
            last_name: record.last_name.into(),
            client_username: record.client_username.into(),
            has_did: Some(!record.did.trim().is_empty()),
            email: record.email.into(),
        }
    }
}

/// `GET /director/api/users?offset=O&limit=L`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersPage {
    pub users: Vec<UserRecord>,
    pub offset: u64,
    pub total: u64,
}

/// The Hybrid > Synchronization page as Director returns it. The Token is
/// write-only: only whether one is set comes back.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncSettings {
    pub account_id: String,
    pub token_set: bool,
    pub use_email: bool,
    pub append_domain: Option<String>,
    pub enabled: bool,
}

/// `PUT /director/api/hybrid/sync`. `token: None` keeps the saved Token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SyncSettingsUpdate {
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    pub use_email: bool,
    pub append_domain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSaved {
    pub settings: SyncSettings,
    /// The page's "N of X" after saving.
    pub invalid: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmBar {
    /// Sync is not configured: Director shows no Hybrid icon.
    None,
    Green,
    Red,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub server_time: u64,
    pub enabled: bool,
    pub interval_secs: u64,
    pub enabled_at: Option<u64>,
    pub last_attempt_at: Option<u64>,
    pub last_success_at: Option<u64>,
    pub last_attempt_failed: bool,
    pub next_sync_at: Option<u64>,
    pub cycles: u64,
    pub alarm: AlarmBar,
    pub active_alerts: u64,
    pub invalid: u64,
    pub total: u64,
    pub synced_users: u64,
    pub account_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    Warning,
    Info,
}

/// What an alert is about; selects the troubleshooting guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    BadCredentials,
    InvalidUsernames,
    PortalUnreachable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: u64,
    pub time: u64,
    pub severity: Severity,
    /// Always "Hybrid" for these alerts, as on Director's Alerts page.
    pub source: String,
    pub kind: AlertKind,
    pub description: String,
    pub active: bool,
    pub cleared_at: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertList {
    pub alerts: Vec<Alert>,
}

// ---------------------------------------------------------------- Portal

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub version: String,
    pub title: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegistrationRequest {
    #[serde(flatten)]
    pub form: RegistrationForm,
    /// The Terms of Service version the admin opened and accepted.
    pub terms_version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    pub account_name: String,
    pub account_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub sent_at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    pub emails: Vec<Email>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PortalLogin {
    pub email: String,
    pub password: Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    DecisionMaker,
    PhoneManager,
    BillingContact,
    TechnicalContact,
    EmergencyContact,
}

impl ContactRole {
    pub fn label(self) -> &'static str {
        match self {
            ContactRole::DecisionMaker => "Decision Maker",
            ContactRole::PhoneManager => "Phone Manager",
            ContactRole::BillingContact => "Billing Contact",
            ContactRole::TechnicalContact => "Technical Contact",
            ContactRole::EmergencyContact => "Emergency Contact",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalSession {
    pub email: String,
    pub name: String,
    pub role: ContactRole,
    pub account_id: String,
    pub account_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInfo {
    pub name: String,
    pub email: String,
    pub role: ContactRole,
}

/// Organization > Account > Account Details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetails {
    pub account_name: String,
    pub account_id: String,
    pub company_name: String,
    /// The role of whoever is signed in.
    pub your_role: ContactRole,
    pub contacts: Vec<ContactInfo>,
    pub synced_users: u64,
}

/// Connect Credentials > Show (Decision Maker only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub account_id: String,
    pub token: Secret,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewContact {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password: Secret,
    pub role: ContactRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalUser {
    pub user_dn: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalUsers {
    pub users: Vec<PortalUser>,
    pub total: u64,
}

// ---------------------------------------------------------------- simulator admin

/// What a fault does to a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultBody {
    /// Answer normally (after any latency), unless `status` is set.
    #[default]
    Normal,
    /// 200 with a body that is not valid JSON.
    Malformed,
    /// 200 with `text/html` instead of JSON.
    WrongContentType,
    /// 200 with a body of several megabytes.
    Huge,
    /// 200 with a JSON body larger than the client reads (over 32 MB), its
    /// length announced.
    OverCap,
    /// The same, sent in chunks without a length, so the client can only
    /// find out by counting.
    OverCapChunked,
    /// The request is carried out (and saved), then the answer is lost: a
    /// 500 goes back instead, as when a proxy fails after the server wrote.
    LostAfterWrite,
    /// 200 with the sent document echoed as if saved, while nothing is
    /// saved: only reading the user back shows the change was not made.
    IgnoredWrite,
}

/// One injected fault. `route` is `"METHOD /path"` (exact path or a prefix
/// ending in `*`), or `"*"` for every route.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Fault {
    pub route: String,
    #[serde(default)]
    pub latency_ms: u64,
    /// Answer with this HTTP status and an `injected` error body.
    #[serde(default)]
    pub status: Option<u16>,
    /// Never answer (the client's timeout fires).
    #[serde(default)]
    pub timeout: bool,
    #[serde(default)]
    pub body: FaultBody,
    /// Apply this many times, then remove; `None` = until cleared.
    #[serde(default)]
    pub times: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultList {
    pub faults: Vec<Fault>,
}

/// `POST /__sim/control`: switches of the simulated world.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SimControl {
    /// When false, Director's sync cannot reach the Portal.
    #[serde(default)]
    pub portal_reachable: Option<bool>,
    /// When true, the sync engine stops running cycles (a stalled sync).
    #[serde(default)]
    pub sync_paused: Option<bool>,
    /// Issue a new Token for this Account ID, so the saved one stops working.
    #[serde(default)]
    pub revoke_token_of: Option<String>,
    #[serde(default)]
    pub sync_interval_secs: Option<u64>,
    /// Add this user to Director (a new hire, for username drift).
    #[serde(default)]
    pub add_user: Option<UserRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimControlState {
    pub portal_reachable: bool,
    pub sync_paused: bool,
    pub sync_interval_secs: u64,
}

/// Turns what Director reports into the domain's input for the alarm model.
pub fn sync_report(status: &SyncStatus, alerts: &[Alert]) -> crate::domain::alarm::SyncReport {
    let mut active: Vec<&Alert> = alerts.iter().filter(|a| a.active).collect();
    active.sort_by(|a, b| b.time.cmp(&a.time).then(b.id.cmp(&a.id)));
    crate::domain::alarm::SyncReport {
        now: status.server_time,
        enabled: status.enabled,
        interval_secs: status.interval_secs,
        enabled_at: status.enabled_at,
        last_attempt_at: status.last_attempt_at,
        last_success_at: status.last_success_at,
        last_attempt_failed: status.last_attempt_failed,
        next_sync_at: status.next_sync_at,
        active_alerts: active.iter().map(|a| a.description.clone()).collect(),
        invalid_usernames: status.invalid,
        total_users: status.total,
        synced_users: status.synced_users,
    }
}
