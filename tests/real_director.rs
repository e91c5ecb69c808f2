//! A real Director's known shape, end to end on the command line: the
//! simulator plays only Director's own web interface (`WebMode::only`: login
//! form, user list and JSON, Monitoring > Services; no contract routes, no
//! Portal), with the CSRF token in the page or — as on older builds — only
//! in the session cookie. `status` must recognise it, read what can be
//! read, and say plainly what it cannot see.

use std::process::Command;

use hybrid_setup::sim::server::WebMode;
use hybrid_setup::sim::{self, RunningSim, SimConfig, data, world};

const BIN: &str = env!("CARGO_BIN_EXE_hybrid-setup");

async fn real_director(csrf_in_cookie: bool) -> RunningSim {
    let mut config = SimConfig::new(data::generate(120, data::Mix::Fixable, 7));
    config.web_mode = WebMode {
        only: true,
        csrf_in_cookie,
    };
    sim::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sim")
}

async fn status(url: &str, password: &str, extra: &[&str]) -> (Option<i32>, String) {
    let url = url.to_string();
    let password = password.to_string();
    let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let out = Command::new(BIN)
            .args(["status", "--director", &url])
            .args(&extra)
            .env("HYBRID_DIRECTOR_PASSWORD", &password)
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
        )
    })
    .await
    .expect("join")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reads_what_a_real_director_shows_and_says_what_it_cannot() {
    for csrf_in_cookie in [false, true] {
        let director = real_director(csrf_in_cookie).await;
        let url = director.url();

        // Users in the way: WARNING, with the count.
        let (code, out) = status(&url, world::DEMO_ADMIN_PASSWORD, &[]).await;
        assert_eq!(code, Some(1), "cookie={csrf_in_cookie}: {out}");
        assert!(out.starts_with("HYBRID WARNING - "), "{out}");
        assert!(
            out.contains("of 120 client usernames would fail Connect Sync"),
            "{out}"
        );
        assert!(
            out.contains(&format!("build {}", sim::DEFAULT_BUILD)),
            "{out}"
        );
        assert!(out.contains("users=120;;;0"), "{out}");
        assert!(!out.contains("expected JSON"), "{out}");

        // Under the options that fix them: OK, and never "healthy".
        let (code, out) = status(
            &url,
            world::DEMO_ADMIN_PASSWORD,
            &["--use-email", "--append-domain", data::DEMO_DOMAIN],
        )
        .await;
        assert_eq!(code, Some(0), "{out}");
        assert_eq!(
            out.trim(),
            format!(
                "HYBRID OK - Director reachable, build {}, 0 of 120 client usernames invalid \
                 (Hybrid alarm: see Director's alarm bar) | invalid=0;;;0 users=120;;;0",
                sim::DEFAULT_BUILD
            )
        );
        assert!(!out.contains("healthy"), "{out}");

        // JSON: the kind, and no alarm, with the reason.
        let (code, out) = status(&url, world::DEMO_ADMIN_PASSWORD, &["--json"]).await;
        assert_eq!(code, Some(1), "{out}");
        let json: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
        assert_eq!(json["director_kind"], "web");
        assert!(json["alarm"].is_null());
        assert!(
            json["alarm_reason"]
                .as_str()
                .is_some_and(|r| r.contains("alarm bar"))
        );
        assert_eq!(json["total"], 120);

        // A refused sign-in: CRITICAL.
        let (code, out) = status(&url, "wrong", &[]).await;
        assert_eq!(code, Some(2), "{out}");
        assert!(
            out.starts_with("HYBRID CRITICAL - Director refused the sign-in"),
            "{out}"
        );
        director.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn something_else_at_the_address_is_described() {
    use axum::Router;
    use axum::response::Html;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let app = Router::new()
            .fallback(|| async { Html("<html><head><title>Printer status</title></head></html>") });
        let _ = axum::serve(listener, app).await;
    });
    let (code, out) = status(&url, "pw", &[]).await;
    assert_eq!(code, Some(3), "{out}");
    assert!(out.starts_with("HYBRID UNKNOWN"), "{out}");
    assert!(out.contains("this is not a Director"), "{out}");
    assert!(out.contains("\"Printer status\""), "{out}");
}

/// `audit --director-web` against an older build whose token is only in
/// the session cookie.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_signs_in_with_the_cookie_held_token() {
    let director = real_director(true).await;
    let url = director.url();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(["audit", "--director-web", &url, "--format", "json"])
            .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
            .env(
                "HYBRID_SETUP_HOME",
                tempfile::tempdir().expect("home").path(),
            )
            .output()
            .expect("runs")
    })
    .await
    .expect("join");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(json["total"], 120);
    director.stop().await;
}
