//! The simulator's copy of Director's own web interface, in the shape the
//! public automation scripts see (docs/server-contract.md): a login form with a
//! CSRF token, the jqGrid user list, and one JSON document per user. It
//! serves the same users and the same admin sign-in as the contract routes,
//! so `audit --director-web` can be tried against `hybrid-setup sim`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::contract::director_web::{LOGIN_PATH, MONITORING_SERVICE_PATH, USERS_LIST_PATH};
use crate::domain::secret::Secret;

use super::{DIRECTOR_COOKIE, Shared, cookie, now_ms, set_cookie};
use crate::sim::world::{Refusal, SESSION_IDLE_MS, random_token};

/// Sign-in forms handed out and not yet used, by their pre-session cookie;
/// and the CSRF token each signed-in session writes with (Rails keeps the
/// login page's token for the session).
#[derive(Debug, Default)]
pub struct PendingForms(HashMap<String, String>, HashMap<String, String>);

/// Enough for many people signing in at once; older forms are forgotten.
const MAX_PENDING_FORMS: usize = 10_000;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(LOGIN_PATH, get(login_page).post(login))
        .route("/director", get(home))
        .route(USERS_LIST_PATH, get(users_list))
        .route("/director/users/{file}", get(user_json).put(update_user))
        .route(MONITORING_SERVICE_PATH, get(monitoring_service))
        .route(
            "/dm/status_servers/server_status_list",
            get(server_status_list),
        )
        .route(
            "/dm/status_switches/switch_status_list",
            get(switch_status_list),
        )
        .route("/dm/dashboard/chart_data", get(chart_data))
}

/// The login page; `meta` false is an older build, whose token lives only
/// in the session cookie.
fn login_form(token: &str, flash: Option<&str>, meta: bool) -> Html<String> {
    let flash = flash
        .map(|m| format!("<p class=\"flash error\">{m}</p>"))
        .unwrap_or_default();
    let head = if meta {
        format!(
            "<meta name=\"csrf-param\" content=\"authenticity_token\" />\
             <meta name=\"csrf-token\" content=\"{token}\" />"
        )
    } else {
        String::new()
    };
    Html(format!(
        "<!DOCTYPE html><html><head><title>Director</title>{head}</head><body>{flash}\
         <form action=\"{LOGIN_PATH}\" method=\"post\">\
         <input type=\"text\" name=\"user_session[login_name]\" />\
         <input type=\"password\" name=\"user_session[login_password]\" />\
         </form></body></html>"
    ))
}

/// An older Rails session cookie: `base64(Marshal.dump(session))--digest`,
/// URL-escaped, holding `session_id` and `_csrf_token`.
fn rails_session_cookie(session_id: &str, token: &str) -> String {
    use base64::Engine;
    let string = |out: &mut Vec<u8>, s: &str| {
        // An instance-variable'd String: I" len bytes, 1 ivar :E => true.
        out.extend_from_slice(b"I\"");
        out.push(s.len() as u8 + 5);
        out.extend_from_slice(s.as_bytes());
        out.extend_from_slice(b"\x06:\x06ET");
    };
    let mut marshal = vec![4u8, 8, b'{', 2 + 5];
    string(&mut marshal, "session_id");
    string(&mut marshal, session_id);
    string(&mut marshal, "_csrf_token");
    string(&mut marshal, token);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&marshal);
    format!("{}--{}", encoded.replace('=', "%3D"), random_token(40))
}

async fn login_page(State(shared): State<Arc<Shared>>) -> Response {
    new_login_form(&shared, None)
}

/// A login form with a fresh CSRF token, bound to a pre-session cookie.
fn new_login_form(shared: &Shared, flash: Option<&str>) -> Response {
    let token = random_token(32);
    let in_cookie = shared.web_mode.csrf_in_cookie;
    let pre_session = if in_cookie {
        rails_session_cookie(&random_token(24), &token)
    } else {
        random_token(24)
    };
    {
        let mut forms = shared.pending_forms();
        if forms.0.len() >= MAX_PENDING_FORMS {
            forms.0.clear();
        }
        forms.0.insert(pre_session.clone(), token.clone());
    }
    (
        set_cookie(DIRECTOR_COOKIE, &pre_session, SESSION_IDLE_MS / 1000),
        login_form(&token, flash, !in_cookie),
    )
        .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(rename = "user_session[login_name]", default)]
    login_name: String,
    #[serde(rename = "user_session[login_password]", default)]
    login_password: String,
    #[serde(default)]
    authenticity_token: String,
}

async fn login(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let pre_session = cookie(&headers, DIRECTOR_COOKIE).unwrap_or_default();
    let expected = shared.pending_forms().0.remove(pre_session);
    if expected.as_deref() != Some(form.authenticity_token.as_str()) {
        // Rails: ActionController::InvalidAuthenticityToken
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid authenticity token",
        )
            .into_response();
    }
    let signed_in = {
        let world = shared.world();
        shared.sessions().director_login(
            &world,
            &form.login_name,
            &Secret::new(form.login_password),
            now_ms(),
        )
    };
    match signed_in {
        Ok(session) => {
            let mut forms = shared.pending_forms();
            if forms.1.len() >= MAX_PENDING_FORMS {
                forms.1.clear();
            }
            forms.1.insert(session.clone(), form.authenticity_token);
            drop(forms);
            (
                set_cookie(DIRECTOR_COOKIE, &session, SESSION_IDLE_MS / 1000),
                Redirect::to("/director"),
            )
                .into_response()
        }
        Err(refusal) => {
            let message = match refusal {
                Refusal::Locked { retry_after_secs } => {
                    format!("Too many failed sign-ins; try again in {retry_after_secs} s.")
                }
                _ => "Invalid login name or password.".to_string(),
            };
            new_login_form(&shared, Some(&message))
        }
    }
}

/// Rails sends a signed-out browser to the login page.
fn signed_in(shared: &Shared, headers: &HeaderMap) -> Result<(), Redirect> {
    shared
        .sessions()
        .director_user(cookie(headers, DIRECTOR_COOKIE), now_ms())
        .map(|_| ())
        .map_err(|_| Redirect::to(LOGIN_PATH))
}

async fn home(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(to_login) = signed_in(&shared, &headers) {
        return to_login.into_response();
    }
    Html("<!DOCTYPE html><html><body><h1>Director</h1></body></html>").into_response()
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default = "default_rows")]
    rows: u64,
    #[serde(default = "default_page")]
    page: u64,
}

fn default_rows() -> u64 {
    20
}

fn default_page() -> u64 {
    1
}

async fn users_list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Err(to_login) = signed_in(&shared, &headers) {
        return to_login.into_response();
    }
    let rows_per_page = query.rows.clamp(1, 1_000);
    let page = query.page.max(1);
    let world = shared.world();
    let users = &world.director.users;
    let records = users.len() as u64;
    let start = ((page - 1) * rows_per_page).min(records) as usize;
    let end = (start + rows_per_page as usize).min(users.len());
    let rows: Vec<_> = users[start..end]
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let extension = 1000 + start + i;
            json!({
                "id": start + i + 1,
                "cell": [u.first_name, u.last_name, extension.to_string(), u.did, u.email, "Headquarters"]
            })
        })
        .collect();
    Json(json!({
        "page": page,
        "total": records.div_ceil(rows_per_page),
        "records": records,
        "rows": rows,
    }))
    .into_response()
}

async fn user_json(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    if let Err(to_login) = signed_in(&shared, &headers) {
        return to_login.into_response();
    }
    let world = shared.world();
    let Some(id) = user_id(&file).filter(|id| *id <= world.director.users.len()) else {
        return not_found();
    };
    Json(user_document(id, &world.director.users[id - 1])).into_response()
}

/// `<id>.json` → the user's 1-based id.
fn user_id(file: &str) -> Option<usize> {
    file.strip_suffix(".json")
        .and_then(|id| id.parse::<usize>().ok())
        .filter(|id| *id >= 1)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/json")],
        "{\"error\":\"not found\"}",
    )
        .into_response()
}

/// One user as `GET /director/users/<id>.json` shows it: the user and the
/// collections its edit form offers.
fn user_document(id: usize, user: &crate::contract::UserRecord) -> serde_json::Value {
    json!({
        "user": {
            "GuiLoginName": user.client_username,
            "UserDN": user.user_dn,
            "UserDNID": id,
            "LicenseTypeID": 1,
            "ClientType": 0,
            "tab_address_attributes": {
                "FirstName": user.first_name,
                "LastName": user.last_name,
                "EmailAddress": user.email,
            },
            "dn_attributes": { "DN": (1000 + id - 1).to_string(), "DID": user.did },
        },
        "collections": {
            "LicenseTypes": [[1, "Extension and Mailbox"], [2, "Mailbox only"]],
            "Sites": [[1, "Headquarters"]],
        }
    })
}

/// `PUT /director/users/<id>.json`: the whole object read by GET, with
/// `X-CSRF-Token`. Director refuses a client username or email another
/// user has with `{"errors":{field:[messages]}}` and 422.
async fn update_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(file): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(to_login) = signed_in(&shared, &headers) {
        return to_login.into_response();
    }
    let session = cookie(&headers, DIRECTOR_COOKIE).unwrap_or_default();
    let expected = shared.pending_forms().1.get(session).cloned();
    let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    if expected.is_none() || expected.as_deref() != sent {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid authenticity token",
        )
            .into_response();
    }
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return refused("base", "the body is not a user object");
    };
    let user = &document["user"];
    let (Some(username), Some(email)) = (
        user["GuiLoginName"].as_str(),
        user["tab_address_attributes"]["EmailAddress"].as_str(),
    ) else {
        return refused("base", "the body is not a whole user object");
    };
    let mut world = shared.world();
    let Some(id) = user_id(&file).filter(|id| *id <= world.director.users.len()) else {
        return not_found();
    };
    let taken = |field: fn(&crate::contract::UserRecord) -> &str, value: &str| {
        !value.trim().is_empty()
            && world
                .director
                .users
                .iter()
                .enumerate()
                .any(|(i, u)| i + 1 != id && field(u).trim().eq_ignore_ascii_case(value.trim()))
    };
    // Values the change leaves as they were are not judged again: a user
    // sharing a client username can still get a new email.
    let current = &world.director.users[id - 1];
    let (username_changes, email_changes) =
        (username != current.client_username, email != current.email);
    if username.trim().is_empty() {
        return refused("GuiLoginName", "can't be blank");
    }
    if username_changes && taken(|u| &u.client_username, username) {
        return refused("GuiLoginName", "has already been taken");
    }
    if email_changes && taken(|u| &u.email, email) {
        return refused("EmailAddress", "has already been taken");
    }
    let record = &mut world.director.users[id - 1];
    record.client_username = username.to_string();
    record.email = email.to_string();
    let answer = user_document(id, record);
    drop(world);
    shared.changed();
    Json(answer).into_response()
}

/// Director's words for a refused change.
fn refused(field: &str, message: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "errors": { field: [message] } })),
    )
        .into_response()
}

/// A `/dm/…` status list: rows as arrays, read by column.
fn dm_list(rows: Vec<serde_json::Value>) -> Response {
    let total = rows.len();
    Json(json!({ "data": { "aaData": rows, "iTotalRecords": total } })).into_response()
}

async fn server_status_list(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(to_login) = signed_in(&shared, &headers) {
        return to_login.into_response();
    }
    let build = shared.world().director.build.clone();
    dm_list(vec![json!([
        "HQ-SERVER",
        "Headquarters",
        "In Service",
        build
    ])])
}

async fn switch_status_list(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(to_login) = signed_in(&shared, &headers) {
        return to_login.into_response();
    }
    dm_list(vec![
        json!(["SG-1", "Headquarters", "In Service", "SG90"]),
        json!(["SG-2", "Headquarters", "In Service", "SG50"]),
    ])
}

/// What scripts call to keep a session alive.
async fn chart_data(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(to_login) = signed_in(&shared, &headers) {
        return to_login.into_response();
    }
    Json(json!({ "call_volume_chart": [] })).into_response()
}

/// Director's Monitoring > Services page: HTML whose script carries the
/// table as JSON text inside a JavaScript string; row [0] "true" when in
/// service, [4] the build.
async fn monitoring_service(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(to_login) = signed_in(&shared, &headers) {
        return to_login.into_response();
    }
    let build = shared.world().director.build.clone();
    let table = json!({
        "aaData": [
            ["true", "Headquarters", "Director", "HQ-SERVER", build, "Running"],
            ["true", "Headquarters", "Voice Mail", "HQ-SERVER", build, "Running"],
        ],
        "iTotalRecords": 2,
    })
    .to_string();
    // As a JavaScript string literal: quotes and backslashes escaped.
    let literal = table.replace('\\', "\\\\").replace('"', "\\\"");
    Html(format!(
        "<!DOCTYPE html><html><head><title>Monitoring</title></head><body>\
         <table id=\"services\"></table>\
         <script type=\"text/javascript\">\n\
         var servicesData = \"{literal}\";\n\
         $(function() {{ drawServices(JSON.parse(servicesData)); }});\n\
         </script></body></html>"
    ))
    .into_response()
}
