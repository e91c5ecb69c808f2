//! A real Director's known shape, end to end on the command line: the
//! simulator plays only Director's own web interface (`WebMode::only`: login
//! form, user list and JSON, Monitoring > Services; no contract routes, no
//! Portal), with the CSRF token in the page or — as on older builds — only
//! in the session cookie. `status` must recognise it, read what can be
//! read, and say plainly what it cannot see.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use egui_kittest::kittest::{NodeT, Queryable};
use hybrid_setup::client::http::ClientOptions;
use hybrid_setup::store::settings::{Settings, SettingsStore};

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

async fn check(url: &str) -> (Option<i32>, serde_json::Value, String) {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let run = |json: bool| {
            let mut command = Command::new(BIN);
            command
                .args(["check", "--director", &url])
                .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
                .env(
                    "HYBRID_SETUP_HOME",
                    tempfile::tempdir().expect("home").path(),
                );
            if json {
                command.arg("--json");
            }
            command.output().expect("runs")
        };
        let json = run(true);
        let text = run(false);
        (
            json.status.code(),
            serde_json::from_slice(&json.stdout).expect("json"),
            String::from_utf8_lossy(&text.stdout).into_owned(),
        )
    })
    .await
    .expect("join")
}

/// `check`: the Requirements screen as a command, for both kinds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_lists_every_requirement_and_what_it_could_not_read() {
    let director = real_director(false).await;
    let (code, json, text) = check(&director.url()).await;
    assert_eq!(json["director_kind"], "web");
    assert_eq!(json["build"], sim::DEFAULT_BUILD);
    assert_eq!(json["users"], 120);
    let result = |id: &str| {
        json["checks"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["id"] == id))
            .map(|c| c["result"].as_str().unwrap_or_default().to_string())
            .unwrap_or_else(|| panic!("no check {id}: {json}"))
    };
    assert_eq!(result("reachable"), "pass");
    assert_eq!(result("encrypted"), "warn", "plain http");
    assert_eq!(result("build"), "pass");
    assert_eq!(result("usernames"), "warn");
    assert_eq!(result("scribe"), "not_checked");
    assert_eq!(result("fax"), "not_checked");
    assert_eq!(code, Some(1), "warnings and not-checked items: {json}");
    assert!(
        text.starts_with(&format!(
            "Connect Director {}, web interface",
            sim::DEFAULT_BUILD
        )),
        "{text}"
    );
    assert!(text.contains("[NOT CHECKED] Scribe"), "{text}");
    director.stop().await;

    // The simulator's contract shows everything the checks need.
    let running = sim::start(
        SimConfig::new(data::generate(50, data::Mix::Fixable, 3)),
        "127.0.0.1:0".parse().expect("addr"),
    )
    .await
    .expect("sim");
    let (_, json, _) = check(&running.url()).await;
    assert_eq!(json["director_kind"], "contract");
    assert!(
        json["checks"]
            .as_array()
            .is_some_and(|c| c.len() == 7 && c.iter().all(|c| c["result"] != "not_checked")),
        "{json}"
    );
    running.stop().await;

    // Nothing there: exit 3.
    let (code, json, _) = check("http://127.0.0.1:9").await;
    assert_eq!(code, Some(3), "{json}");
    assert!(json["director_kind"].is_null());
}

/// The window against a real Director's shape: the Requirements step
/// recognises it, shows what it read and what it could not, and never says
/// "expected JSON"; Continue stays off until the guided steps exist.
#[test]
fn the_window_recognises_a_real_director() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let director = runtime.block_on(real_director(false));
    let home = tempfile::tempdir().expect("home");
    let mut config = support::app_config(
        &director.url(),
        SettingsStore::new(home.path()),
        Settings::default(),
        false,
    );
    config.portal_url = "http://127.0.0.1:9".into();
    let mut h = support::window(
        runtime.handle(),
        ClientOptions::default(),
        config,
        [1040.0, 800.0],
    );
    let found = format!("Connect Director {}, web interface", sim::DEFAULT_BUILD);
    let start = Instant::now();
    while h.query_all_by_label_contains(&found).next().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the Director was not recognised"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.step();
    let has = |text: &str| h.query_all_by_label_contains(text).next().is_some();
    assert!(has("Director build supports HYBRID"));
    assert!(has("Not checked here: Escalation Profiles"));
    assert!(has("real Director's web interface"));
    assert!(!has("expected JSON"));
    let continue_enabled = h
        .query_by_label("Continue")
        .is_some_and(|n| !n.accesskit_node().is_disabled());
    assert!(!continue_enabled, "Continue stays off");
    drop(h);
    runtime.block_on(director.stop());
}
