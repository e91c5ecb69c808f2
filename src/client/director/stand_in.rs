//! For unit tests: a stand-in of a real Director's web interface on
//! loopback — the login form, Monitoring > Services, the user list and each
//! user's document — counting sign-ins and list reads, its list made to
//! fail on demand. (The simulator is a layer above; integration tests use
//! it.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::get;

use crate::contract::director_web::{LOGIN_PATH, MONITORING_SERVICE_PATH, USERS_LIST_PATH};

const LOGIN_PAGE: &str = r#"<html><head><meta name="csrf-token" content="tok" /></head><body><form action="/director/login"><input name="user_session[login_name]"></form></body></html>"#;
const MONITORING_PAGE: &str = r#"<html><script>var servicesData = "{\"aaData\":[[\"true\",\"HQ\",\"Director\",\"HQ\",\"21.90.9743.0\"]],\"iTotalRecords\":1}";</script></html>"#;

pub struct StandIn {
    pub url: String,
    pub sign_ins: Arc<AtomicUsize>,
    pub list_reads: Arc<AtomicUsize>,
    /// While set, the user list answers HTTP 500.
    pub list_fails: Arc<AtomicBool>,
}

impl StandIn {
    /// `users` users, user N named "User N" with a valid email.
    pub async fn start(users: u64) -> StandIn {
        let sign_ins = Arc::new(AtomicUsize::new(0));
        let list_reads = Arc::new(AtomicUsize::new(0));
        let list_fails = Arc::new(AtomicBool::new(false));
        let (signed, listed, failing) = (sign_ins.clone(), list_reads.clone(), list_fails.clone());
        let app = axum::Router::new()
            .route(
                LOGIN_PATH,
                get(|| async { Html(LOGIN_PAGE) }).post(move || {
                    signed.fetch_add(1, Ordering::Relaxed);
                    async { Html("<html><body>Welcome</body></html>") }
                }),
            )
            .route(MONITORING_SERVICE_PATH, get(|| async { Html(MONITORING_PAGE) }))
            .route(
                USERS_LIST_PATH,
                get(move || {
                    listed.fetch_add(1, Ordering::Relaxed);
                    let fail = failing.load(Ordering::Relaxed);
                    async move {
                        if fail {
                            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                        }
                        let rows: Vec<_> = (1..=users)
                            .map(|n| {
                                serde_json::json!({"id": n, "cell": ["User", n.to_string(), "", "", format!("user{n}@example.com")]})
                            })
                            .collect();
                        axum::Json(serde_json::json!({"records": users, "rows": rows})).into_response()
                    }
                }),
            )
            .route(
                "/director/users/{document}",
                get(|Path(document): Path<String>| async move {
                    let id = document.trim_end_matches(".json").to_string();
                    axum::Json(serde_json::json!({"user": {
                        "GuiLoginName": format!("user{id}@example.com"), "UserDN": id,
                    }}))
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        StandIn {
            url,
            sign_ins,
            list_reads,
            list_fails,
        }
    }
}
