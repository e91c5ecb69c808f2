//! Hostile servers and careless input (issue "fourteen holes"): each test
//! stands up a server on 127.0.0.1 that behaves badly on purpose — endless
//! user lists, redirects to another host, a Portal presenting Director's
//! certificate — and checks that the program stops, says what happened, and
//! leaks nothing. Loops are bounded; every server is local.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hybrid_setup::client::director::web::WebDirector;
use hybrid_setup::client::director::{Director, HttpDirector};
use hybrid_setup::client::http::{ApiError, ClientOptions};
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::sim::{self, SimConfig, SimTls, data, world};
use hybrid_setup::store::secret_store::MemoryStore;
use hybrid_setup::ui::tasks::{Event, Request, Tasks};

const BIN: &str = env!("CARGO_BIN_EXE_hybrid-setup");

/// Serves `app` on a free loopback port; returns its base URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn signed_in() -> Response {
    json(r#"{"login_name":"admin","idle_timeout_secs":1200}"#.into())
}

/// 1. A pin given for Director is not applied to the Portal: a Portal that
/// presents Director's (pinned) self-signed certificate is refused, while
/// Director itself is trusted through the pin.
#[test]
fn a_director_pin_does_not_reach_the_portal() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let tls = SimTls::generate().expect("cert");
    let pin = tls.fingerprint();
    let mut config = SimConfig::new(data::generate(10, data::Mix::Fixable, 1));
    config.tls = Some(tls);
    let running = runtime
        .block_on(sim::start(config, "127.0.0.1:0".parse().expect("addr")))
        .expect("sim");
    let url = running.url();
    // The same server stands in for both, with the one certificate.
    let tasks = Tasks::new(
        runtime.handle().clone(),
        &url,
        &url,
        Arc::new(MemoryStore::default()),
        ClientOptions {
            pinned_certificate: Some(pin),
            ..ClientOptions::default()
        },
    )
    .expect("tasks");
    tasks.run(Request::FetchTerms);
    tasks.run(Request::CheckRequirements {
        url: url.clone(),
        pin: Some(pin),
        login: "admin".into(),
        password: Secret::new(world::DEMO_ADMIN_PASSWORD),
    });
    let (mut terms, mut director) = (None, None);
    let start = Instant::now();
    while terms.is_none() || director.is_none() {
        assert!(start.elapsed() < Duration::from_secs(20), "no answers");
        for event in tasks.drain() {
            match event {
                Event::Terms(result) => terms = Some(result),
                Event::Requirements(result) => director = Some(result),
                _ => {}
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    match terms.expect("terms") {
        Err(ApiError::UntrustedCertificate { certificate, .. }) => {
            assert_eq!(certificate.fingerprint, pin, "refused, showing what it saw")
        }
        other => panic!("the Portal must not accept Director's pin: {other:?}"),
    }
    assert!(
        director.expect("director").is_ok(),
        "Director is trusted through its pin"
    );
    runtime.block_on(running.stop());
}

/// 2a. The contract's user list claims 2^63 users and sends the same page
/// forever: the read stops at the second page, saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_contract_user_list_is_stopped() {
    let pages = Arc::new(AtomicU64::new(0));
    let app = Router::new()
        .route("/director/api/session", post(|| async { signed_in() }))
        .route(
            "/director/api/users",
            get(|State(pages): State<Arc<AtomicU64>>| async move {
                pages.fetch_add(1, Ordering::Relaxed);
                let users: Vec<String> = (0..500)
                    .map(|i| {
                        format!(
                            r#"{{"user_dn":"{i}","first_name":"A","last_name":"B","client_username":"a{i}","email":"a{i}@x.com"}}"#
                        )
                    })
                    .collect();
                json(format!(
                    r#"{{"users":[{}],"offset":0,"total":{}}}"#,
                    users.join(","),
                    1u64 << 63
                ))
            }),
        )
        .with_state(pages.clone());
    let url = serve(app).await;
    let director = HttpDirector::new(&url, ClientOptions::default()).expect("client");
    director
        .login("admin", &Secret::new("pw"))
        .await
        .expect("login");
    let started = Instant::now();
    let err = director.users(|_, _| {}).await.expect_err("stopped");
    let text = err.to_string();
    assert!(
        text.contains(&format!("Director reported {} users", 1u64 << 63)),
        "{text}"
    );
    assert!(text.contains("repeated users already read"), "{text}");
    assert_eq!(pages.load(Ordering::Relaxed), 2, "two pages, then stop");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[derive(serde::Deserialize)]
struct PageQuery {
    page: Option<u64>,
}

/// 2b. The web interface's list claims 2^62 records and keeps sending new
/// rows: the read stops at the 1,000,000-user cap with the message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_web_user_list_is_capped() {
    let login_page = r#"<html><head><meta name="csrf-token" content="tok" /></head><body><form action="/director/login"></form></body></html>"#;
    let app = Router::new()
        .route(
            "/director/login",
            get(move || async move { axum::response::Html(login_page) })
                .post(|| async { axum::response::Html("<html><body>Welcome</body></html>") }),
        )
        .route(
            "/director/users/list",
            get(|Query(q): Query<PageQuery>| async move {
                let page = q.page.unwrap_or(1);
                let first = (page - 1) * 5_000;
                let rows: Vec<String> = (first..first + 5_000)
                    .map(|i| format!(r#"{{"id":{i},"cell":["A","B","1","","a{i}@x.com"]}}"#))
                    .collect();
                json(format!(
                    r#"{{"rows":[{}],"records":{}}}"#,
                    rows.join(","),
                    1u64 << 62
                ))
            }),
        );
    let url = serve(app).await;
    let director =
        WebDirector::sign_in(&url, ClientOptions::default(), "admin", &Secret::new("pw"))
            .await
            .expect("sign in");
    let started = Instant::now();
    let err = director.users(&|_, _| {}).await.expect_err("capped");
    let took = started.elapsed();
    let text = err.to_string();
    assert!(
        text.contains(&format!("Director reported {} users", 1u64 << 62)),
        "{text}"
    );
    assert!(text.contains("reads at most 1000000 users"), "{text}");
    eprintln!("web list capped after {took:?}");
}

/// 3. A redirect to another host is not followed (the sign-in body, with
/// the password, would go along on a 307); `status` says it was redirected
/// and is UNKNOWN, not OK.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_to_another_host_are_reported_not_followed() {
    let seen = Arc::new(AtomicU64::new(0));
    let elsewhere = serve(
        Router::new()
            .fallback(|State(seen): State<Arc<AtomicU64>>| async move {
                seen.fetch_add(1, Ordering::Relaxed);
                signed_in()
            })
            .with_state(seen.clone()),
    )
    .await;
    // "localhost" and "127.0.0.1" are different hosts to a browser too.
    let target = elsewhere.replace("127.0.0.1", "localhost");
    let redirecting = serve(Router::new().fallback(move |headers: HeaderMap| {
        let target = target.clone();
        async move {
            let _ = headers;
            (
                StatusCode::TEMPORARY_REDIRECT,
                [(header::LOCATION, format!("{target}/director/api/session"))],
            )
                .into_response()
        }
    }))
    .await;
    let director = HttpDirector::new(&redirecting, ClientOptions::default()).expect("client");
    let err = director
        .login("admin", &Secret::new("s3cret-pw"))
        .await
        .expect_err("not followed");
    let text = err.to_string();
    assert!(text.contains("redirects (HTTP 307)"), "{text}");
    assert!(text.contains("localhost"), "names where: {text}");
    assert_eq!(
        seen.load(Ordering::Relaxed),
        0,
        "nothing reached the other host"
    );

    let url = redirecting.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(BIN)
            .args(["status", "--director", &url])
            .env("HYBRID_DIRECTOR_PASSWORD", "s3cret-pw")
            .env(
                "HYBRID_SETUP_HOME",
                tempfile::tempdir().expect("home").path(),
            )
            .output()
            .expect("runs")
    })
    .await
    .expect("join");
    let line = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{line}");
    assert!(line.starts_with("HYBRID UNKNOWN"), "{line}");
    assert!(line.contains("redirects"), "{line}");
    assert_eq!(seen.load(Ordering::Relaxed), 0);

    // A redirect to file:// reads as a redirect, not "HTTP 302".
    let file = serve(Router::new().fallback(|| async {
        (
            StatusCode::FOUND,
            [(header::LOCATION, "file:///etc/passwd")],
        )
            .into_response()
    }))
    .await;
    let director = HttpDirector::new(&file, ClientOptions::default()).expect("client");
    let text = director
        .system_info()
        .await
        .expect_err("not followed")
        .to_string();
    assert!(
        text.contains("redirects (HTTP 302) to file:///etc/passwd"),
        "{text}"
    );
}

/// 4. A password inside the address is refused by every command and never
/// printed.
#[test]
fn a_password_in_the_address_is_refused_everywhere() {
    let home = tempfile::tempdir().expect("home");
    for args in [
        vec!["status", "--director", "http://admin:hunter2@127.0.0.1:9"],
        vec!["audit", "--director", "http://admin:hunter2@127.0.0.1:9"],
        vec![
            "audit",
            "--director-web",
            "http://admin:hunter2@127.0.0.1:9",
        ],
    ] {
        let out = std::process::Command::new(BIN)
            .args(&args)
            .env("HYBRID_DIRECTOR_PASSWORD", "x")
            .env("HYBRID_SETUP_HOME", home.path())
            .output()
            .expect("runs");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains("hunter2"), "{args:?} echoed it: {all}");
        assert!(all.contains("user name or password"), "{args:?}: {all}");
        assert_ne!(out.status.code(), Some(0), "{args:?}");
    }
    let logs = std::fs::read_dir(home.path().join("logs"))
        .map(|dir| {
            dir.flatten()
                .map(|f| std::fs::read_to_string(f.path()).unwrap_or_default())
                .collect::<String>()
        })
        .unwrap_or_default();
    assert!(!logs.contains("hunter2"), "{logs}");
}
