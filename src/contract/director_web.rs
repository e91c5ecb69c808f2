//! What is known of Director's own web interface (the Rails app on port
//! 5478): its route paths and the JSON it answers. The web client and the
//! simulator's web routes both use these, so neither can drift alone.

use serde::Deserialize;

pub const LOGIN_PATH: &str = "/director/login";
pub const USERS_LIST_PATH: &str = "/director/users/list";
/// Monitoring > Services: an HTML page whose script holds the services
/// table, build numbers included.
pub const MONITORING_SERVICE_PATH: &str = "/dm/monitoring_service";
/// The session cookie of Director's web interface.
pub const SESSION_COOKIE: &str = "_director2_session";
/// Where the list puts the email address (first, last, extension, …, email).
pub const EMAIL_CELL: usize = 4;

pub fn user_json_path(id: u64) -> String {
    format!("/director/users/{id}.json")
}

/// `GET /director/users/list` answers jqGrid's JSON.
#[derive(Debug, Clone, Deserialize)]
pub struct JqGridPage {
    #[serde(default)]
    pub records: u64,
    #[serde(default)]
    pub rows: Vec<JqGridRow>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct JqGridRow {
    /// UserDNID: the key of `/director/users/<id>.json`.
    pub id: IdValue,
    #[serde(default)]
    pub cell: Vec<Option<serde_json::Value>>,
}

/// jqGrid row ids come as numbers or as strings, depending on the build.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum IdValue {
    Number(u64),
    Text(String),
}

impl IdValue {
    pub fn number(&self) -> Option<u64> {
        match self {
            IdValue::Number(n) => Some(*n),
            IdValue::Text(text) => text.trim().parse().ok(),
        }
    }
}

/// `GET /director/users/<id>.json`
#[derive(Debug, Clone, Deserialize)]
pub struct UserJson {
    pub user: UserDetail,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserDetail {
    #[serde(default, rename = "GuiLoginName")]
    pub gui_login_name: Option<String>,
    #[serde(default, rename = "UserDN")]
    pub user_dn: Option<serde_json::Value>,
    #[serde(default, rename = "tab_address_attributes")]
    pub address: Option<AddressDetail>,
    /// Whether the user's DID is on (absent on some builds).
    #[serde(default, rename = "DIDEnabled")]
    pub did_enabled: Option<serde_json::Value>,
    #[serde(default, rename = "dn_attributes")]
    pub dn_attributes: Option<DnAttributes>,
}

/// The user's extension and DID, as public scripts read them
/// (`user.dn_attributes.DID`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DnAttributes {
    #[serde(default, rename = "DID")]
    pub did: Option<serde_json::Value>,
}

impl UserDetail {
    /// The user has a DID: a number in `dn_attributes.DID`, and
    /// `DIDEnabled` not off where the document says.
    pub fn has_did(&self) -> bool {
        let present = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => !s.trim().is_empty(),
            serde_json::Value::Number(n) => n.as_u64() != Some(0),
            _ => false,
        };
        let did = (self.dn_attributes.as_ref())
            .and_then(|d| d.did.as_ref())
            .is_some_and(present);
        let enabled = match &self.did_enabled {
            None | Some(serde_json::Value::Null) => true,
            Some(serde_json::Value::Bool(on)) => *on,
            Some(serde_json::Value::Number(n)) => n.as_u64() != Some(0),
            Some(serde_json::Value::String(s)) => !matches!(s.trim(), "" | "0" | "false"),
            Some(_) => true,
        };
        did && enabled
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AddressDetail {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email_address: Option<String>,
}
