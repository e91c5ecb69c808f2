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

use support::serve;

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn signed_in() -> Response {
    json(r#"{"login_name":"admin","idle_timeout_secs":1200}"#.into())
}

/// Hole 1: A pin given for Director is not applied to the Portal: a Portal that
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
        database: None,
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

/// Hole 2a: The contract's user list claims 2^63 users and sends the same page
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

/// Hole 2b: The web interface's list claims 2^62 records and keeps sending new
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

/// Hole 3: A redirect to another host is not followed (the sign-in body, with
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

    let out = support::run_command(&["status", "--director", &redirecting], "s3cret-pw").await;
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

    // A 302 without Location says so, not "a redirect loop … last to :".
    let nowhere =
        serve(Router::new().fallback(|| async { StatusCode::FOUND.into_response() })).await;
    let director = HttpDirector::new(&nowhere, ClientOptions::default()).expect("client");
    let text = director
        .system_info()
        .await
        .expect_err("nowhere to go")
        .to_string();
    assert!(
        text.contains("answers HTTP 302 (a redirect) without saying where to (no Location)"),
        "{text}"
    );
    assert!(!text.contains("loop"), "{text}");
}

/// Hole 4: A password inside the address is refused by every command and never
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
        vec!["check", "--director", "http://admin:hunter2@127.0.0.1:9"],
        vec![
            "directors",
            "add",
            "--director",
            "http://admin:hunter2@127.0.0.1:9",
        ],
        vec![
            "fix",
            "--director",
            "http://admin:hunter2@127.0.0.1:9",
            "--suggest",
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

/// A Director speaking the contract with `status` and `alerts` bodies of
/// our choosing.
async fn contract_director(status: String, alerts: String) -> String {
    let app = Router::new()
        .route(
            "/director/api/session",
            post(|| async { signed_in() }).delete(|| async { StatusCode::NO_CONTENT }),
        )
        // As the contract answers anyone not signed in: how it is recognised.
        .route(
            "/director/api/system",
            get(|| async {
                (
                    StatusCode::UNAUTHORIZED,
                    json(r#"{"error":"unauthorized","message":"Sign in first."}"#.into()),
                )
            }),
        )
        .route(
            "/director/api/hybrid/status",
            get(move || {
                let status = status.clone();
                async move { json(status) }
            }),
        )
        .route(
            "/director/api/alerts",
            get(move || {
                let alerts = alerts.clone();
                async move { json(alerts) }
            }),
        );
    serve(app).await
}

fn status_body(last_success_at: u64, invalid: u64, total: u64) -> String {
    format!(
        r#"{{"server_time":1000000,"enabled":true,"interval_secs":300,"enabled_at":900000,
            "last_attempt_at":999900,"last_success_at":{last_success_at},"last_attempt_failed":false,
            "next_sync_at":1000200,"cycles":5,"alarm":"green","active_alerts":0,"invalid":{invalid},
            "total":{total},"synced_users":{},"account_id":"1000001"}}"#,
        total.saturating_sub(invalid).min(total)
    )
}

fn run_status(url: &str, extra: &[&str]) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let out = std::process::Command::new(BIN)
        .args(["status", "--director", url])
        .args(extra)
        .env("HYBRID_DIRECTOR_PASSWORD", "pw")
        .env(
            "HYBRID_SETUP_HOME",
            tempfile::tempdir().expect("home").path(),
        )
        .output()
        .expect("runs");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        started.elapsed(),
    )
}

/// Hole 10: An alert Description with a terminal escape (`ESC]0;…` retitles a
/// terminal) is printed escaped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_from_a_server_are_escaped() {
    let alerts = r#"{"alerts":[{"id":1,"time":999990,"severity":"critical","source":"Hybrid","kind":"bad_credentials","description":"evil \u001b]0;owned\u0007 title","active":true,"cleared_at":null}]}"#;
    let url = contract_director(status_body(999_900, 0, 10), alerts.into()).await;
    let (code, out, _) = tokio::task::spawn_blocking(move || run_status(&url, &[]))
        .await
        .expect("join");
    assert_eq!(code, Some(2), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("evil \\u{1b}]0;owned\\u{7} title"), "{out}");
}

/// A right-to-left override (U+202E) and the other bidi controls in a
/// server's words are shown escaped like control characters: "evil", U+202E,
/// "txt.exe" cannot show as another name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bidi_characters_from_a_server_are_escaped() {
    let alerts = r#"{"alerts":[{"id":1,"time":999990,"severity":"critical","source":"Hybrid","kind":"bad_credentials","description":"evil \u202etxt.exe \u2066x\u2069","active":true,"cleared_at":null}]}"#;
    let url = contract_director(status_body(999_900, 0, 10), alerts.into()).await;
    let (code, out, _) = tokio::task::spawn_blocking(move || run_status(&url, &[]))
        .await
        .expect("join");
    assert_eq!(code, Some(2), "{out}");
    assert!(
        !out.contains(['\u{202e}', '\u{2066}', '\u{2069}']),
        "{out:?}"
    );
    assert!(
        out.contains("evil \\u{202e}txt.exe \\u{2066}x\\u{2069}"),
        "{out}"
    );
}

/// Hole 12: Impossible numbers are not believed: a last sync at 2^64−1 is not
/// "just now", and 11 invalid of 10 is not printed as fact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn impossible_numbers_are_unknown() {
    for (body, words) in [
        (status_body(u64::MAX, 0, 10), "after Director's own clock"),
        (
            status_body(999_900, 11, 10),
            "11 invalid client usernames of 10 users",
        ),
    ] {
        let url = contract_director(body, r#"{"alerts":[]}"#.into()).await;
        let (code, out, _) = tokio::task::spawn_blocking(move || run_status(&url, &[]))
            .await
            .expect("join");
        assert_eq!(code, Some(3), "{out}");
        assert!(out.starts_with("HYBRID UNKNOWN"), "{out}");
        assert!(out.contains(words), "{out}");
    }
}

/// Hole 11: A Director that drips one byte every half second: `status` gives up
/// at its one overall deadline (here 4 s; default 20 s, under Nagios's 60 s)
/// with UNKNOWN; a usage error is UNKNOWN (3) too, not CRITICAL (2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dripping_director_meets_one_deadline() {
    let drip = || async {
        let stream = futures_util::stream::unfold(0u32, |n| async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            (n < 1_000).then(|| {
                (
                    Ok::<_, std::convert::Infallible>(axum::body::Bytes::from_static(b" ")),
                    n + 1,
                )
            })
        });
        (
            [(header::CONTENT_TYPE, "application/json")],
            axum::body::Body::from_stream(stream),
        )
            .into_response()
    };
    let url = serve(Router::new().fallback(drip)).await;
    let (code, out, took) =
        tokio::task::spawn_blocking(move || run_status(&url, &["--timeout", "4"]))
            .await
            .expect("join");
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("did not finish answering within 4 s"), "{out}");
    assert!(took < Duration::from_secs(8), "took {took:?}");
    eprintln!("dripping Director: status gave up after {took:?}");

    let (code, out, _) = tokio::task::spawn_blocking(|| run_status("x", &["--no-such-flag"]))
        .await
        .expect("join");
    assert_eq!(code, Some(3), "{out}");
}

/// Hole 5: At `HYBRID_LOG=debug` no live session cookie reaches the log, and the
/// command signs out when it is done.
#[test]
fn debug_logs_hold_no_cookies_and_status_signs_out() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let running = runtime
        .block_on(sim::start(
            SimConfig::demo(),
            "127.0.0.1:0".parse().expect("addr"),
        ))
        .expect("sim");
    let home = tempfile::tempdir().expect("home");
    let out = std::process::Command::new(BIN)
        .args(["status", "--director", &running.url()])
        .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
        .env("HYBRID_SETUP_HOME", home.path())
        .env("HYBRID_LOG", "debug")
        .output()
        .expect("runs");
    assert!(out.status.code().is_some(), "ran");
    assert_eq!(running.open_director_sessions(), 0, "signed out at the end");
    let logs: String = std::fs::read_dir(home.path().join("logs"))
        .expect("logs")
        .flatten()
        .map(|f| std::fs::read_to_string(f.path()).unwrap_or_default())
        .collect();
    assert!(logs.contains("DEBUG"), "debug lines were written");
    for line in logs.lines().filter(|l| l.contains("_session=")) {
        assert!(
            line.contains("_session=[redacted]"),
            "a session cookie in the log: {line}"
        );
    }
    assert!(!logs.contains(world::DEMO_ADMIN_PASSWORD), "no password");
    runtime.block_on(running.stop());
}

/// Hole 6: The program's folders are 0700 and its files 0600, even when an
/// older version left them readable.
#[cfg(unix)]
#[test]
fn folders_and_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().expect("home");
    let logs = home.path().join("logs");
    std::fs::create_dir_all(&logs).expect("logs");
    std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let old = logs.join("hybrid-setup.2026-01-01.log");
    std::fs::write(&old, "old\n").expect("old log");
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let csv =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tricky_users.csv");
    let report = home.path().join("diag.txt");
    for args in [
        vec!["audit", "--users-csv", csv.to_str().expect("path")],
        vec!["diagnostics", "--output", report.to_str().expect("path")],
    ] {
        std::process::Command::new(BIN)
            .args(&args)
            .env("HYBRID_SETUP_HOME", home.path())
            .output()
            .expect("runs");
    }
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&logs), 0o700, "log folder");
    for file in std::fs::read_dir(&logs).expect("logs").flatten() {
        assert_eq!(mode(&file.path()), 0o600, "{}", file.path().display());
    }
    assert_eq!(mode(&report), 0o600, "diagnostics report");
}

/// Holes 7 and 14: Careless input: `/dev/zero` as the users CSV stops at the line
/// limit in bounded memory; diagnostics to a folder that does not exist
/// makes no folders; an empty HYBRID_SETUP_HOME is refused.
#[cfg(unix)]
#[test]
fn careless_paths_and_files_are_refused() {
    let home = tempfile::tempdir().expect("home");
    let run = |args: &[&str], home_value: &std::ffi::OsStr| {
        std::process::Command::new(BIN)
            .args(args)
            .env("HYBRID_SETUP_HOME", home_value)
            .current_dir(home.path())
            .output()
            .expect("runs")
    };
    let started = Instant::now();
    let out = run(
        &["audit", "--users-csv", "/dev/zero"],
        home.path().as_os_str(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("line 1: the line is longer than 64 KB"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));

    let missing = home.path().join("no/such/dir/x.txt");
    let out = run(
        &["diagnostics", "-o", missing.to_str().expect("path")],
        home.path().as_os_str(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(!home.path().join("no").exists(), "no folders were made");

    let elsewhere = tempfile::tempdir().expect("current folder");
    let out = std::process::Command::new(BIN)
        .args(["diagnostics", "-o", "-"])
        .env("HYBRID_SETUP_HOME", "")
        .current_dir(elsewhere.path())
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("HYBRID_SETUP_HOME is set but empty"), "{err}");
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).expect("dir").count(),
        0,
        "nothing written in the current folder"
    );
}

/// Hole 8: `sim` on a non-loopback address says, before anything else, who
/// can now reach it.
#[test]
fn the_simulator_warns_when_it_listens_beyond_this_machine() {
    use std::io::{BufRead, BufReader};
    let mut sim = std::process::Command::new(BIN)
        .args(["sim", "--addr", "0.0.0.0:0"])
        .env(
            "HYBRID_SETUP_HOME",
            tempfile::tempdir().expect("home").path(),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(sim.stderr.take().expect("stderr"))
        .read_line(&mut line)
        .expect("a line");
    let _ = sim.kill();
    let _ = sim.wait();
    assert!(
        line.starts_with("warning: listening on 0.0.0.0:0"),
        "{line}"
    );
    assert!(
        line.contains("other computers can reach this simulator"),
        "{line}"
    );
}

/// `--tray` with neither a session bus nor a display: it says so and falls
/// back to the window, which cannot open either; the error names no source
/// file of the build machine, and no `window.sock` is left behind.
#[cfg(target_os = "linux")]
#[test]
fn a_tray_without_a_desktop_leaves_nothing_behind() {
    let home = tempfile::tempdir().expect("home");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hybrid-setup"))
        .arg("--tray")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env("HYBRID_SETUP_HOME", home.path())
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot open the window"), "{err}");
    assert!(!err.contains(".rs:"), "no source path: {err}");
    assert!(!err.contains(".cargo"), "no source path: {err}");
    assert!(
        !home.path().join("window.sock").exists(),
        "the claim is gone"
    );
    assert!(!home.path().join("tray.sock").exists(), "the claim is gone");
}
