//! The HTTP face of the simulator: axum routes for Director, Portal and the
//! loopback-only admin routes (fault injection, world switches).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequest, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::contract::{
    AlertList, DirectorLogin, DirectorSession, ErrorBody, Fault, FaultBody, FaultList, NewContact,
    Outbox, PortalLogin, PortalUsers, RegistrationRequest, SimControl, SimControlState,
    SyncSettingsUpdate, SystemInfo, UsersPage, paths,
};
use crate::domain::version::HYBRID_MINIMUM;

mod web;

use super::world::{Refusal, SESSION_IDLE_MS, Sessions, World};

pub const DIRECTOR_COOKIE: &str = "_director2_session";
pub const PORTAL_COOKIE: &str = "portal_session";
/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Most users one page of `GET /director/api/users` returns.
pub const MAX_PAGE: u64 = 10_000;

/// State shared by every request and the sync engine.
pub struct Shared {
    world: Mutex<World>,
    sessions: Mutex<Sessions>,
    faults: Mutex<Vec<Fault>>,
    /// Requests served, by `METHOD /path`.
    requests: Mutex<std::collections::BTreeMap<String, u64>>,
    pending_forms: Mutex<web::PendingForms>,
    /// Set when the world changed and `--state` should be written.
    pub dirty: AtomicBool,
    /// How the Director's own web interface is played.
    pub web_mode: WebMode,
}

/// How the simulator plays Director's web interface.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebMode {
    /// Serve only what a real Director is known to serve (its web pages),
    /// not this program's contract and not the Portal.
    pub only: bool,
    /// Carry the CSRF token only inside the session cookie, as older
    /// Director builds do (no `<meta name="csrf-token">`).
    pub csrf_in_cookie: bool,
}

impl Shared {
    pub fn new(world: World) -> Self {
        Shared {
            world: Mutex::new(world),
            sessions: Mutex::new(Sessions::default()),
            faults: Mutex::new(Vec::new()),
            requests: Mutex::default(),
            pending_forms: Mutex::new(Default::default()),
            web_mode: WebMode::default(),
            dirty: AtomicBool::new(false),
        }
    }

    /// A poisoned lock only means another request panicked mid-update; the
    /// world is still usable for a simulator, so carry on with it.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn pending_forms(&self) -> MutexGuard<'_, web::PendingForms> {
        self.pending_forms.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn faults(&self) -> MutexGuard<'_, Vec<Fault>> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn requests(&self) -> MutexGuard<'_, std::collections::BTreeMap<String, u64>> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn changed(&self) {
        self.dirty.store(true, Ordering::Relaxed);
    }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// An error answered with the contract's error body.
pub struct ApiFailure(StatusCode, Box<ErrorBody>);

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let mut response = (self.0, Json(&*self.1)).into_response();
        if let Some(secs) = self.1.retry_after_secs
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

fn failure(status: StatusCode, code: &str, message: impl Into<String>) -> ApiFailure {
    ApiFailure(
        status,
        Box::new(ErrorBody {
            error: code.into(),
            message: message.into(),
            ..Default::default()
        }),
    )
}

impl From<Refusal> for ApiFailure {
    fn from(refusal: Refusal) -> Self {
        let with = |status, body| ApiFailure(status, Box::new(body));
        match refusal {
            Refusal::Unauthorized(m) => failure(StatusCode::UNAUTHORIZED, "unauthorized", m),
            Refusal::Locked { retry_after_secs } => with(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorBody {
                    error: "locked".into(),
                    message: format!(
                        "Too many failed sign-ins: this login is locked for {retry_after_secs} s."
                    ),
                    retry_after_secs: Some(retry_after_secs),
                    ..Default::default()
                },
            ),
            Refusal::Forbidden(m) => failure(StatusCode::FORBIDDEN, "forbidden", m),
            Refusal::NotFound(m) => failure(StatusCode::NOT_FOUND, "not_found", m),
            Refusal::Conflict {
                field,
                message,
                suggestion,
            } => with(
                StatusCode::CONFLICT,
                ErrorBody {
                    error: "conflict".into(),
                    message,
                    field: Some(field.into()),
                    suggestion,
                    ..Default::default()
                },
            ),
            Refusal::Invalid(fields) => with(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorBody {
                    error: "invalid".into(),
                    message: fields
                        .first()
                        .map(|f| f.message.clone())
                        .unwrap_or_else(|| "The request is not valid.".into()),
                    fields,
                    ..Default::default()
                },
            ),
        }
    }
}

type ApiResult<T> = Result<T, ApiFailure>;

/// A JSON body whose rejection uses the contract's error body.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiFailure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => {
                let status = rejection.status();
                let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    "too_large"
                } else {
                    "invalid"
                };
                Err(failure(status, code, rejection.body_text()))
            }
        }
    }
}

pub(super) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub(super) fn set_cookie(
    name: &str,
    value: &str,
    max_age_secs: u64,
) -> [(header::HeaderName, String); 1] {
    [(
        header::SET_COOKIE,
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}"),
    )]
}

fn director_auth(shared: &Shared, headers: &HeaderMap) -> ApiResult<String> {
    Ok(shared
        .sessions()
        .director_user(cookie(headers, DIRECTOR_COOKIE), now_ms())?)
}

fn portal_auth(shared: &Shared, headers: &HeaderMap) -> ApiResult<(String, String)> {
    Ok(shared
        .sessions()
        .portal_user(cookie(headers, PORTAL_COOKIE), now_ms())?)
}

type S = State<Arc<Shared>>;

pub fn router(shared: Arc<Shared>) -> Router {
    let director = Router::new()
        .route(
            paths::DIRECTOR_SESSION,
            post(director_login).delete(director_logout),
        )
        .route(paths::DIRECTOR_SYSTEM, get(system_info))
        .route(paths::DIRECTOR_USERS, get(users))
        .route(
            paths::DIRECTOR_SYNC_SETTINGS,
            get(sync_settings).put(save_sync_settings),
        )
        .route(paths::DIRECTOR_SYNC_RUN, post(run_sync))
        .route(paths::DIRECTOR_SYNC_STATUS, get(sync_status))
        .route(paths::DIRECTOR_ALERTS, get(alerts));
    let portal = Router::new()
        .route(paths::PORTAL_TERMS, get(terms))
        .route(paths::PORTAL_TERMS_PAGE, get(terms_page))
        .route(paths::PORTAL_REGISTRATIONS, post(register))
        .route(paths::PORTAL_OUTBOX, get(outbox))
        .route(
            paths::PORTAL_SESSION,
            post(portal_login).get(portal_whoami).delete(portal_logout),
        )
        .route(paths::PORTAL_ACCOUNT, get(account))
        .route(paths::PORTAL_CREDENTIALS, post(credentials))
        .route(paths::PORTAL_CONTACTS, post(add_contact))
        .route(paths::PORTAL_USERS, get(portal_users));
    let admin = Router::new()
        .route(
            paths::SIM_FAULTS,
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route(paths::SIM_CONTROL, get(control_state).post(control))
        .route(paths::SIM_STATE, get(state_dump))
        .route(paths::SIM_REQUESTS, get(requests_served))
        .layer(middleware::from_fn(loopback_only));
    let served = if shared.web_mode.only {
        web::router()
    } else {
        director.merge(portal).merge(web::router())
    };
    served
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            inject_faults,
        ))
        .merge(admin)
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(shared)
}

async fn not_found() -> ApiFailure {
    failure(StatusCode::NOT_FOUND, "not_found", "No such route.")
}

// ------------------------------------------------------------------ Director

async fn director_login(State(shared): S, Body(login): Body<DirectorLogin>) -> ApiResult<Response> {
    let session = {
        let world = shared.world();
        shared
            .sessions()
            .director_login(&world, &login.login_name, &login.password, now_ms())?
    };
    let body = DirectorSession {
        login_name: login.login_name.trim().to_string(),
        idle_timeout_secs: SESSION_IDLE_MS / 1000,
    };
    Ok((
        set_cookie(DIRECTOR_COOKIE, &session, SESSION_IDLE_MS / 1000),
        Json(body),
    )
        .into_response())
}

async fn director_logout(State(shared): S, headers: HeaderMap) -> StatusCode {
    shared
        .sessions()
        .director_logout(cookie(&headers, DIRECTOR_COOKIE));
    StatusCode::NO_CONTENT
}

async fn system_info(State(shared): S, headers: HeaderMap) -> ApiResult<Json<SystemInfo>> {
    director_auth(&shared, &headers)?;
    let world = shared.world();
    Ok(Json(SystemInfo {
        product: world.director.product.clone(),
        build: world.director.build.clone(),
        hybrid_minimum: HYBRID_MINIMUM.to_string(),
    }))
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    offset: u64,
    #[serde(default)]
    limit: Option<u64>,
}

async fn users(
    State(shared): S,
    headers: HeaderMap,
    Query(page): Query<PageQuery>,
) -> ApiResult<Json<UsersPage>> {
    director_auth(&shared, &headers)?;
    let limit = page.limit.unwrap_or(1_000).clamp(1, MAX_PAGE);
    let world = shared.world();
    let all = &world.director.users;
    let start = (page.offset as usize).min(all.len());
    let end = start.saturating_add(limit as usize).min(all.len());
    Ok(Json(UsersPage {
        users: all[start..end].to_vec(),
        offset: start as u64,
        total: all.len() as u64,
    }))
}

async fn sync_settings(State(shared): S, headers: HeaderMap) -> ApiResult<Response> {
    director_auth(&shared, &headers)?;
    Ok(Json(shared.world().sync_settings()).into_response())
}

async fn save_sync_settings(
    State(shared): S,
    headers: HeaderMap,
    Body(update): Body<SyncSettingsUpdate>,
) -> ApiResult<Response> {
    director_auth(&shared, &headers)?;
    let saved = shared.world().save_sync_settings(update, now_ms())?;
    shared.changed();
    Ok(Json(saved).into_response())
}

async fn run_sync(State(shared): S, headers: HeaderMap) -> ApiResult<StatusCode> {
    director_auth(&shared, &headers)?;
    shared.world().run_sync_now(now_ms())?;
    Ok(StatusCode::ACCEPTED)
}

async fn sync_status(State(shared): S, headers: HeaderMap) -> ApiResult<Response> {
    director_auth(&shared, &headers)?;
    Ok(Json(shared.world().sync_status(now_ms())).into_response())
}

async fn alerts(State(shared): S, headers: HeaderMap) -> ApiResult<Json<AlertList>> {
    director_auth(&shared, &headers)?;
    Ok(Json(AlertList {
        alerts: shared.world().alerts(),
    }))
}

// ------------------------------------------------------------------ Portal

async fn terms(State(shared): S) -> Response {
    Json(shared.world().portal.terms.clone()).into_response()
}

async fn terms_page(State(shared): S) -> Html<String> {
    let terms = shared.world().portal.terms.clone();
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;max-width:46em;margin:2em auto\"><h1>{title}</h1>\
         <p><small>Version {version}</small></p><pre style=\"white-space:pre-wrap;font-family:inherit\">{text}</pre></body></html>",
        title = escape(&terms.title),
        version = escape(&terms.version),
        text = escape(&terms.text),
    ))
}

async fn register(
    State(shared): S,
    Body(request): Body<RegistrationRequest>,
) -> ApiResult<Response> {
    let registered = shared.world().register(request, now_ms())?;
    shared.changed();
    Ok((StatusCode::CREATED, Json(registered)).into_response())
}

#[derive(Deserialize)]
struct OutboxQuery {
    to: Option<String>,
}

async fn outbox(State(shared): S, Query(query): Query<OutboxQuery>) -> Json<Outbox> {
    Json(Outbox {
        emails: shared.world().outbox(query.to.as_deref()),
    })
}

async fn portal_login(State(shared): S, Body(login): Body<PortalLogin>) -> ApiResult<Response> {
    let (session, who) = {
        let world = shared.world();
        shared
            .sessions()
            .portal_login(&world, &login.email, &login.password, now_ms())?
    };
    Ok((
        set_cookie(PORTAL_COOKIE, &session, SESSION_IDLE_MS / 1000),
        Json(who),
    )
        .into_response())
}

async fn portal_whoami(State(shared): S, headers: HeaderMap) -> ApiResult<Response> {
    let (account_id, email) = portal_auth(&shared, &headers)?;
    Ok(Json(shared.world().portal_whoami(&account_id, &email)?).into_response())
}

async fn portal_logout(State(shared): S, headers: HeaderMap) -> StatusCode {
    shared
        .sessions()
        .portal_logout(cookie(&headers, PORTAL_COOKIE));
    StatusCode::NO_CONTENT
}

async fn account(State(shared): S, headers: HeaderMap) -> ApiResult<Response> {
    let (account_id, email) = portal_auth(&shared, &headers)?;
    Ok(Json(shared.world().account_details(&account_id, &email)?).into_response())
}

async fn credentials(State(shared): S, headers: HeaderMap) -> ApiResult<Response> {
    let (account_id, email) = portal_auth(&shared, &headers)?;
    Ok(Json(shared.world().reveal_credentials(&account_id, &email)?).into_response())
}

async fn add_contact(
    State(shared): S,
    headers: HeaderMap,
    Body(new): Body<NewContact>,
) -> ApiResult<Response> {
    let (account_id, email) = portal_auth(&shared, &headers)?;
    let added = shared.world().add_contact(&account_id, &email, new)?;
    shared.changed();
    Ok((StatusCode::CREATED, Json(added)).into_response())
}

async fn portal_users(State(shared): S, headers: HeaderMap) -> ApiResult<Json<PortalUsers>> {
    let (account_id, email) = portal_auth(&shared, &headers)?;
    let users = shared.world().portal_users(&account_id, &email)?;
    Ok(Json(PortalUsers {
        total: users.len() as u64,
        users,
    }))
}

// ------------------------------------------------------------------ admin

/// The admin routes hand out the whole world (passwords and the Token
/// included): only to this machine — the peer on loopback (an IPv4 peer
/// on an IPv6 socket arrives as `::ffff:127.0.0.1`) — and only when the
/// request names this machine in `Host`, so a web page using DNS rebinding
/// (its own name, resolving to 127.0.0.1) is refused.
async fn loopback_only(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if !peer.ip().to_canonical().is_loopback() {
        return failure(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Simulator admin routes answer only on the loopback interface.",
        )
        .into_response();
    }
    if host.is_some_and(|h| !is_local_host(h)) {
        return failure(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Simulator admin routes answer only to localhost, 127.0.0.1 or [::1] in Host.",
        )
        .into_response();
    }
    next.run(request).await
}

/// `localhost`, `127.0.0.1`, `[::1]` (any loopback address), with or without a port.
fn is_local_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                name
            } else {
                host
            }
        }),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

async fn list_faults(State(shared): S) -> Json<FaultList> {
    Json(FaultList {
        faults: shared.faults().clone(),
    })
}

async fn add_fault(State(shared): S, Body(fault): Body<Fault>) -> ApiResult<Json<FaultList>> {
    if fault.route != "*" && !fault.route.contains(' ') {
        return Err(failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "route must be \"METHOD /path\" (a trailing * matches a prefix) or \"*\".",
        ));
    }
    let mut faults = shared.faults();
    faults.push(fault);
    Ok(Json(FaultList {
        faults: faults.clone(),
    }))
}

async fn clear_faults(State(shared): S) -> StatusCode {
    shared.faults().clear();
    StatusCode::NO_CONTENT
}

async fn control_state(State(shared): S) -> Json<SimControlState> {
    let world = shared.world();
    Json(SimControlState {
        portal_reachable: world.portal_reachable,
        sync_paused: world.sync_paused,
        sync_interval_secs: world.director.sync.interval_secs,
    })
}

async fn control(
    State(shared): S,
    Body(control): Body<SimControl>,
) -> ApiResult<Json<SimControlState>> {
    {
        let mut world = shared.world();
        if let Some(reachable) = control.portal_reachable {
            world.portal_reachable = reachable;
        }
        if let Some(paused) = control.sync_paused {
            world.sync_paused = paused;
        }
        if let Some(interval) = control.sync_interval_secs {
            world.director.sync.interval_secs = interval.max(1);
        }
        if let Some(account_id) = &control.revoke_token_of {
            world.revoke_token(account_id)?;
        }
        if let Some(user) = control.add_user {
            world.director.users.push(user);
        }
    }
    shared.changed();
    Ok(control_state(State(shared)).await)
}

async fn state_dump(State(shared): S) -> Response {
    let world = shared.world().clone();
    Json(world).into_response()
}

/// Larger than any answer the program reads (its cap is 32 MB).
const OVER_CAP_BYTES: usize = 33 * 1024 * 1024;

async fn requests_served(State(shared): S) -> Response {
    Json(shared.requests().clone()).into_response()
}

/// Counts the request, then applies the first matching injected fault.
async fn inject_faults(State(shared): S, request: Request, next: Next) -> Response {
    let key = format!("{} {}", request.method(), request.uri().path());
    *shared.requests().entry(key.clone()).or_default() += 1;
    let fault = {
        let mut faults = shared.faults();
        let found = faults.iter().position(|f| route_matches(&f.route, &key));
        found.map(|i| {
            let fault = faults[i].clone();
            if let Some(times) = &mut faults[i].times {
                *times = times.saturating_sub(1);
                if *times == 0 {
                    faults.remove(i);
                }
            }
            fault
        })
    };
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    if fault.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.latency_ms)).await;
    }
    if fault.timeout {
        // Hold the request open far longer than any client waits.
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    if let Some(status) = fault.status {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return failure(
            status,
            "injected",
            format!("Injected fault: {} for {key}", status.as_u16()),
        )
        .into_response();
    }
    match fault.body {
        FaultBody::Normal => next.run(request).await,
        FaultBody::Malformed => (
            [(header::CONTENT_TYPE, "application/json")],
            "{\"this is\": not json",
        )
            .into_response(),
        FaultBody::WrongContentType => {
            Html("<html><body>Maintenance</body></html>").into_response()
        }
        FaultBody::Huge => {
            let mut body = String::from("{\"padding\":\"");
            body.push_str(&"x".repeat(8 * 1024 * 1024));
            body.push_str("\"}");
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        FaultBody::OverCap => {
            let body = format!("{{\"padding\":\"{}\"}}", "x".repeat(OVER_CAP_BYTES));
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        FaultBody::OverCapChunked => {
            let chunk = axum::body::Bytes::from(vec![b'x'; 1024 * 1024]);
            let chunks = OVER_CAP_BYTES / chunk.len() + 1;
            let stream = futures_util::stream::iter(
                std::iter::once(axum::body::Bytes::from_static(b"{\"padding\":\""))
                    .chain(std::iter::repeat_n(chunk, chunks))
                    .map(Ok::<_, std::convert::Infallible>),
            );
            (
                [(header::CONTENT_TYPE, "application/json")],
                axum::body::Body::from_stream(stream),
            )
                .into_response()
        }
        FaultBody::IgnoredWrite => {
            let sent = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
                .await
                .unwrap_or_default();
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                sent,
            )
                .into_response()
        }
        FaultBody::LostAfterWrite => {
            let _written = next.run(request).await;
            failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                "injected",
                format!("Injected fault: the answer to {key} was lost after the change was made"),
            )
            .into_response()
        }
    }
}

fn route_matches(pattern: &str, key: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix('*') {
        Some(prefix) => key.starts_with(prefix),
        None => pattern.eq_ignore_ascii_case(key) || pattern == key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_routes_match_exactly_or_by_prefix() {
        assert!(route_matches("*", "GET /x"));
        assert!(route_matches(
            "GET /director/api/hybrid/status",
            "GET /director/api/hybrid/status"
        ));
        assert!(!route_matches(
            "GET /director/api/hybrid/status",
            "PUT /director/api/hybrid/status"
        ));
        assert!(route_matches("GET /director/*", "GET /director/api/users"));
        assert!(!route_matches("GET /portal/*", "GET /director/api/users"));
    }

    #[test]
    fn local_host_names_are_recognised() {
        for ok in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1:1",
            "127.0.0.1",
            "[::1]:9",
            "[::1]",
        ] {
            assert!(is_local_host(ok), "{ok}");
        }
        for bad in [
            "attacker.example",
            "attacker.example:80",
            "10.0.0.1:80",
            "localhost.attacker.example",
        ] {
            assert!(!is_local_host(bad), "{bad}");
        }
    }

    #[test]
    fn reads_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; _director2_session=abc"),
        );
        assert_eq!(cookie(&headers, DIRECTOR_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, PORTAL_COOKIE), None);
    }
}
