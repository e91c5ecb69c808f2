//! A real Director's known shape, end to end on the command line: the
//! simulator plays only Director's own web interface (`WebMode::only`: login
//! form, user list and JSON, Monitoring > Services; no contract routes, no
//! Portal), with the CSRF token in the page or — as on older builds — only
//! in the session cookie. `status` must recognise it, read what can be
//! read, and say plainly what it cannot see.

mod support;

use std::process::Command;

use hybrid_setup::client::sim_admin::SimAdmin;
use hybrid_setup::domain::wizard::Step;
use hybrid_setup::ui::screens::usernames::{APPEND_DOMAIN_LABEL, USE_EMAIL_LABEL};
use std::sync::Arc;
use std::time::Duration;
use support::{click, enabled, fill, has_label, has_text, wait_for};

use egui_kittest::kittest::Queryable;
use hybrid_setup::client::director::web::WebDirector;
use hybrid_setup::client::http::ClientOptions;
use hybrid_setup::domain::secret::Secret;

use hybrid_setup::sim::{self, RunningSim, SimConfig, data, world};

const BIN: &str = env!("CARGO_BIN_EXE_hybrid-setup");

async fn real_director(csrf_in_cookie: bool) -> RunningSim {
    support::web_only_sim(data::generate(120, data::Mix::Fixable, 7), csrf_in_cookie).await
}

async fn status(url: &str, password: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["status", "--director", url];
    args.extend_from_slice(extra);
    let out = support::run_command(&args, password).await;
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
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
                "HYBRID OK - 0 of 120 client usernames would fail Connect Sync; Director reachable, \
                 build {} (Hybrid alarm: see Director's alarm bar) | invalid=0;;;0 users=120;;;0",
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
    let out = support::run_command(
        &["audit", "--director-web", &url, "--format", "json"],
        world::DEMO_ADMIN_PASSWORD,
    )
    .await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(json["total"], 120);
    // `--director` finds out the kind itself, as `check` and `status` do.
    let out = support::run_command(
        &["audit", "--director", &url, "--format", "json"],
        world::DEMO_ADMIN_PASSWORD,
    )
    .await;
    let same: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(same, json, "the same report through --director");
    // A refused sign-in is said once, with what to do.
    let out = support::run_command(&["audit", "--director", &url], "not-the-password").await;
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert_eq!(said.matches("refused").count(), 1, "said once: {said}");
    assert!(said.contains("Check the login name and password"), "{said}");
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
    // Fax readiness is read from each user's document: exactly the users
    // the simulator gave no DID are named.
    let without: Vec<String> = data::generate(120, data::Mix::Fixable, 7)
        .into_iter()
        .filter(|u| u.did.trim().is_empty())
        .map(|u| {
            format!("{} {}", u.first_name, u.last_name)
                .trim()
                .to_string()
        })
        .collect();
    assert!(
        !without.is_empty(),
        "the simulator leaves some without a DID"
    );
    assert_eq!(result("fax"), "warn");
    assert_eq!(json["without_did"]["count"], without.len());
    assert_eq!(json["without_did"]["users"], serde_json::json!(without));
    let fax_detail = json["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == "fax"))
        .map(|c| c["detail"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    assert!(
        fax_detail.starts_with(&format!(
            "{} of 120 users have no DID: {}",
            without.len(),
            without[0]
        )),
        "{fax_detail}"
    );
    assert_eq!(code, Some(1), "warnings (plain http, usernames): {json}");
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

/// `check`'s exit codes on a real Director over HTTPS (its certificate
/// pinned): 0 when everything it could read passes — "not checked" items
/// are listed but do not raise it, unless `--strict` — 1 with one warning,
/// 3 when Director cannot be read (a refused sign-in too); the usernames
/// are counted under the options given, as `status` counts them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_exit_codes_on_a_real_director_over_https() {
    use hybrid_setup::sim::SimTls;
    let tls = SimTls::generate().expect("certificate");
    let fingerprint = tls.fingerprint().to_string();
    // 120 users, each with an email of their own.
    let mut users = data::generate(120, data::Mix::Fixable, 7);
    for (i, user) in users.iter_mut().enumerate() {
        user.email = format!("user{i}@{}", data::DEMO_DOMAIN);
        user.client_username = format!("user{i}");
        user.did = format!("+1555{i:07}");
    }
    let mut config = SimConfig::new(users);
    config.web_mode = hybrid_setup::sim::server::WebMode {
        only: true,
        csrf_in_cookie: false,
    };
    config.tls = Some(tls);
    let director = sim::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sim");
    let url = director.url();
    assert!(url.starts_with("https://"), "{url}");
    let check = |password: &'static str, extra: Vec<&'static str>| {
        let (url, fingerprint) = (url.clone(), fingerprint.clone());
        tokio::task::spawn_blocking(move || {
            let out = Command::new(BIN)
                .args([
                    "check",
                    "--director",
                    &url,
                    "--trust-certificate",
                    &fingerprint,
                ])
                .args(extra)
                .env("HYBRID_DIRECTOR_PASSWORD", password)
                .output()
                .expect("runs");
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        })
    };
    let options = vec!["--use-email", "--append-domain", data::DEMO_DOMAIN];
    let (code, text) = check(world::DEMO_ADMIN_PASSWORD, options.clone())
        .await
        .expect("join");
    assert_eq!(code, Some(0), "a clean Director: {text}");
    assert!(
        text.contains("[PASS] Client usernames would pass Connect Sync: All 120 users, using the email address, else appending"),
        "{text}"
    );
    assert!(
        text.contains("[NOT CHECKED] Scribe"),
        "listed, with why: {text}"
    );
    let mut strict = options.clone();
    strict.push("--strict");
    let (code, _) = check(world::DEMO_ADMIN_PASSWORD, strict)
        .await
        .expect("join");
    assert_eq!(code, Some(1), "--strict counts not checked as warnings");
    // Without the options: the same count `status` gives, as a warning.
    let (code, text) = check(world::DEMO_ADMIN_PASSWORD, vec![])
        .await
        .expect("join");
    assert_eq!(code, Some(1), "{text}");
    let status = tokio::task::spawn_blocking({
        let (url, fingerprint) = (url.clone(), fingerprint.clone());
        move || {
            Command::new(BIN)
                .args([
                    "status",
                    "--director",
                    &url,
                    "--trust-certificate",
                    &fingerprint,
                ])
                .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
                .output()
                .expect("runs")
        }
    })
    .await
    .expect("join");
    let status = String::from_utf8_lossy(&status.stdout).into_owned();
    let invalid = status
        .split("invalid=")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("{status}"));
    assert!(
        text.contains(&format!(
            "{invalid} of 120 client usernames would fail Connect Sync"
        )),
        "check agrees with status ({invalid}): {text}"
    );
    let (code, text) = check("not-the-password", vec![]).await.expect("join");
    assert_eq!(
        code,
        Some(3),
        "a refused sign-in: Director could not be read: {text}"
    );
    director.stop().await;
}

/// The wrong scheme either way is named with the right one to try, and a
/// closed port as such — not a TLS library's words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_scheme_suggests_the_other_one() {
    use hybrid_setup::sim::SimTls;
    let plain = real_director(false).await;
    let https_to_plain = plain.url().replacen("http://", "https://", 1);
    let out = support::run_command(
        &["status", "--director", &https_to_plain],
        world::DEMO_ADMIN_PASSWORD,
    )
    .await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!(
            "this address answers plain HTTP, not HTTPS: try {}",
            plain.url()
        )),
        "{said}"
    );
    let mut config = SimConfig::demo();
    config.tls = Some(SimTls::generate().expect("certificate"));
    let tls = sim::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sim");
    let http_to_tls = tls.url().replacen("https://", "http://", 1);
    let out = support::run_command(
        &["check", "--director", &http_to_tls],
        world::DEMO_ADMIN_PASSWORD,
    )
    .await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!(
            "this address answers HTTPS, not plain HTTP: try {}",
            tls.url()
        )),
        "{said}"
    );
    assert_eq!(out.status.code(), Some(3));
    let out = support::run_command(&["status", "--director", "http://127.0.0.1:9"], "x").await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("nothing answers on port 9 there (connection refused)"),
        "{said}"
    );
    plain.stop().await;
    tls.stop().await;
}

/// Two product lines: a ShoreTel 14.2 GA8 build passes with its own steps
/// named; an early Connect build is told to upgrade to 21.75.1908.0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_build_check_knows_shoretel_14_2() {
    for (build, code, words) in [
        (
            "19.43.7902.0",
            "[PASS] Director build supports HYBRID",
            "HYBRID for ST14.2",
        ),
        (
            "20.10.0.0",
            "[FAIL] Director build 20.10.0.0 has no HYBRID",
            "Upgrade Connect to build 21.75.1908.0 or later",
        ),
    ] {
        let mut config = SimConfig::new(data::generate(20, data::Mix::Fixable, 7));
        config.build = build.into();
        config.web_mode = hybrid_setup::sim::server::WebMode {
            only: true,
            csrf_in_cookie: false,
        };
        let director = sim::start(config, "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("sim");
        let out = support::run_command(
            &["check", "--director", &director.url()],
            world::DEMO_ADMIN_PASSWORD,
        )
        .await;
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(code) && text.contains(words),
            "{build}: {text}"
        );
        director.stop().await;
    }
}

/// On a ShoreTel 14.2 GA8 Director the guided steps name that line's own
/// screens — Administration > Connect Services and its "HYBRID account"
/// link — and its DID requirement; the Connect line's page is not named.
#[test]
fn the_guided_steps_name_shoretel_14_2_screens() {
    let real = support::RealDirector::start_with_build("19.43.7902.0");
    let mut h = real.window();
    wait_for(&mut h, "the Director recognised", |h| {
        has_text(h, "ShoreTel Director 19.43.7902.0, web interface")
    });
    assert!(
        !has_text(&h, "Hybrid > Synchronization"),
        "not this line's page"
    );
    wait_for(&mut h, "Continue", |h| enabled(h, "Continue"));
    click(&mut h, "Continue");
    assert_eq!(h.state().step(), Step::LinkDirector);
    assert!(has_text(
        &h,
        "In Director this is Administration > Connect Services."
    ));
    assert!(!has_text(&h, "Hybrid > Synchronization"));
    assert!(has_text(&h, "\u{201c}HYBRID account\u{201d}"));
    click(&mut h, "Register a new account");
    click(&mut h, "Register…");
    assert_eq!(h.state().step(), Step::Register);
    assert!(has_text(
        &h,
        "In Director, go to Administration > Connect Services."
    ));
    assert!(has_text(&h, "Click \"HYBRID account\""));
    assert!(has_text(&h, "ShoreTel 14.2: every user needs a DID"));
    assert!(!has_text(&h, "Connect account link"));
    drop(h);
    real.stop();
}

/// README's exit-code table for `command`: code → what the row says.
fn readme_exit_table(command: &str) -> std::collections::BTreeMap<i32, String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let heading = format!("| exit | `{command}` means |");
    let start = readme
        .find(&heading)
        .unwrap_or_else(|| panic!("no table {heading}"));
    readme[start..]
        .lines()
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            Some((cells.first()?.parse().ok()?, cells.get(1)?.to_string()))
        })
        .collect()
}

/// The README's exit-code tables are what `check` and `status` do: each
/// documented code comes from its case, run here, and none is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_exit_code_tables_are_true() {
    use hybrid_setup::sim::SimTls;
    let start = |build: &str, tls: bool| {
        let mut users = data::generate(40, data::Mix::Fixable, 7);
        for (i, user) in users.iter_mut().enumerate() {
            user.email = format!("user{i}@{}", data::DEMO_DOMAIN);
            user.client_username = format!("user{i}");
            user.did = format!("+1555{i:07}");
        }
        let mut config = SimConfig::new(users);
        config.build = build.into();
        config.web_mode = hybrid_setup::sim::server::WebMode {
            only: true,
            csrf_in_cookie: false,
        };
        if tls {
            config.tls = Some(SimTls::generate().expect("certificate"));
        }
        sim::start(config, "127.0.0.1:0".parse().expect("addr"))
    };
    let clean = start(sim::DEFAULT_BUILD, true).await.expect("sim");
    let pin = clean.certificate.expect("a certificate").to_string();
    let old = start("20.10.0.0", false).await.expect("sim");
    let code = |args: Vec<String>, password: &'static str| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        support::run_command(&args, password)
            .await
            .status
            .code()
            .expect("an exit code")
    };
    let on = |cmd: &str, url: &str, extra: &[&str]| {
        let mut args = vec![cmd.to_string(), "--director".into(), url.to_string()];
        if url.starts_with("https") {
            args.extend(["--trust-certificate".to_string(), pin.clone()]);
        }
        args.extend(extra.iter().map(|a| a.to_string()));
        args
    };
    let options = ["--use-email", "--append-domain", data::DEMO_DOMAIN];
    let pw = world::DEMO_ADMIN_PASSWORD;
    let nobody = "http://127.0.0.1:9";
    // (the code the case gives, a word its README row must have)
    let check_cases = [
        (
            code(on("check", &clean.url(), &options), pw).await,
            "passed",
        ),
        (
            code(on("check", &clean.url(), &["--strict"]), pw).await,
            "warning",
        ),
        (code(on("check", &old.url(), &options), pw).await, "failure"),
        (
            code(on("check", nobody, &[]), pw).await,
            "could not be read",
        ),
    ];
    let status_cases = [
        (code(on("status", &clean.url(), &options), pw).await, "OK"),
        (code(on("status", &clean.url(), &[]), pw).await, "WARNING"),
        (
            code(on("status", &clean.url(), &[]), "not-the-password").await,
            "refused the sign-in",
        ),
        (code(on("status", nobody, &[]), pw).await, "UNKNOWN"),
    ];
    for (command, cases) in [("check", check_cases), ("status", status_cases)] {
        let table = readme_exit_table(command);
        let seen: std::collections::BTreeSet<i32> = cases.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            seen,
            table.keys().copied().collect(),
            "{command}: the README documents {table:?}, the cases gave {cases:?}"
        );
        for (code, word) in cases {
            assert!(
                table[&code].contains(word),
                "{command} exit {code}: README says {:?}, the case is \"{word}\"",
                table[&code]
            );
        }
    }
    clean.stop().await;
    old.stop().await;
}

/// The whole wizard against a real Director's shape, as a new user would
/// go through it: the Requirements step recognises it and shows what it read
/// and what it could not; Register, Confirmation and Credentials are guided
/// (nothing is sent to a Portal); Save is the admin's, then verified by
/// reading the users again; the status panel watches username drift and
/// never says "healthy".
#[test]
fn the_whole_wizard_against_a_real_director() {
    let real = support::RealDirector::start();
    let mut h = real.window();

    // 1. Requirements: recognised, with what could not be read.
    let found = format!("Connect Director {}, web interface", sim::DEFAULT_BUILD);
    wait_for(&mut h, "the Director recognised", |h| has_text(h, &found));
    wait_for(&mut h, "Continue", |h| enabled(h, "Continue"));
    assert!(has_text(&h, "Director build supports HYBRID"));
    assert!(has_text(&h, "Not checked here: Escalation Profiles"));
    assert!(!has_text(&h, "expected JSON"));
    // Each result is read out in words, not only shown by colour.
    for word in ["Passed", "Warning", "Not checked"] {
        assert!(
            h.query_all_by_label(word).next().is_some(),
            "no check marked \"{word}\" for a screen reader"
        );
    }
    click(&mut h, "Continue");

    // 2–3. Link, then Register: guided, nothing submitted.
    click(&mut h, "Register a new account");
    click(&mut h, "Register…");
    assert_eq!(h.state().step(), Step::Register);
    assert!(has_text(&h, "Open Director"));
    assert!(has_text(&h, "terms and conditions"));
    assert!(!has_label(&h, "Company Name *"), "no form to fill here");
    click(&mut h, "I have registered");

    // 4. Confirmation: typed, checked for shape, the field named.
    assert_eq!(h.state().step(), Step::Confirmation);
    assert!(!enabled(&h, "Continue"), "nothing typed yet");
    fill(&mut h, "Account Name", "Acme Boston");
    fill(&mut h, "Account ID", "1000 002");
    h.key_press(egui::Key::Tab);
    h.step();
    h.step();
    assert!(has_text(&h, "is not part of an Account ID"));
    assert!(!enabled(&h, "Continue"));
    // Copied with its label, as the Confirmation screen shows it: taken.
    support::replace(&mut h, "Account ID", "Account ID: 1000002");
    wait_for(&mut h, "Continue", |h| enabled(h, "Continue"));
    click(&mut h, "Continue");
    assert_eq!(h.state().progress().account_id, "1000002");
    assert_eq!(h.state().progress().account_name, "Acme Boston");

    // 5. Credentials: pasted from the real Portal, no sign-in offered.
    assert_eq!(h.state().step(), Step::Credentials);
    // The rail claims only what was checked: Register and Confirmation
    // were the admin's, in the Portal; Requirements passed with warnings.
    assert_eq!(
        h.query_all_by_label("Done — not checked").count(),
        3,
        "Link Director, Register and Confirmation: done, not checked"
    );
    assert!(
        h.query_all_by_label_contains("Passed with ")
            .next()
            .is_some(),
        "Requirements: passed with its warnings counted"
    );
    assert_eq!(
        h.query_all_by_label("Passed").count(),
        0,
        "nothing else passed yet"
    );
    assert!(has_text(&h, "Open the Connect Portal"));
    assert!(!has_label(&h, "Sign in to the Portal"));
    assert!(has_text(&h, "Only the Decision Maker"));
    fill(&mut h, "Token", "tok-from-the-portal");
    click(&mut h, "Continue");

    // 6. Username format: both options reach 0 of X with this Director.
    assert_eq!(h.state().step(), Step::UsernameFormat);
    click(&mut h, USE_EMAIL_LABEL);
    click(&mut h, APPEND_DOMAIN_LABEL);
    // The domain most users' emails share is offered.
    wait_for(&mut h, "0 invalid", |h| {
        has_label(h, "0 of 120") && enabled(h, "Continue")
    });
    click(&mut h, "Continue");

    // 7. Save & first sync: what to enter, then verified by reading again.
    assert_eq!(h.state().step(), Step::FirstSync);
    assert!(has_text(
        &h,
        "Administration > System > Hybrid > Synchronization"
    ));
    assert!(has_text(
        &h,
        "Tick \"Use the email address as the client username\""
    ));
    assert!(has_text(&h, data::DEMO_DOMAIN));
    assert!(
        !has_text(&h, "tok-from-the-portal"),
        "the Token stays masked"
    );
    assert!(has_label(&h, "Copy Token"));
    // Each Copy button names what it copies.
    assert!(has_label(&h, "Copy Account ID"));
    assert!(!has_label(&h, "Copy"));
    assert!(!enabled(&h, "Finish"), "not before the verification");
    click(&mut h, hybrid_setup::ui::screens::first_sync::VERIFY_LABEL);
    wait_for(&mut h, "the verification", |h| {
        has_text(h, "Invalid client usernames: 0 of 120")
    });
    assert!(has_text(&h, "cannot see Director's alarm bar"));
    assert!(enabled(&h, "Finish"));
    click(&mut h, "Finish");

    // 8. The status panel: what can be read, said honestly.
    assert_eq!(h.state().step(), Step::Done);
    wait_for(&mut h, "the first look", |h| {
        has_text(h, "0 of 120 client usernames would fail Connect Sync")
    });
    assert!(
        has_text(&h, "Build 21.90.9743.0 · ")
            && has_text(&h, "without a DID (Fax needs one) · ")
            && has_text(&h, " · as of "),
        "the figures, once, Fax readiness among them"
    );
    assert!(has_text(&h, "Hybrid alarm: only on Director's alarm bar"));
    assert!(!has_text(&h, "healthy"), "never claims the alarm is green");
    assert!(
        h.query_all_by_label_contains(
            "0 of 120 client usernames would fail Connect Sync — Build 21.90.9743.0 · "
        )
        .next()
        .is_some(),
        "the icon is read out in words"
    );
    assert!(
        !has_label(&h, "Fix in Director…"),
        "nothing to fix, and What to do folded while all is fine"
    );

    // A new hire without an email, whose client username is a display
    // name (no option can make that an address): the next check shows it.
    real.runtime
        .block_on(support::add_new_hire(&real.director.url()));
    click(&mut h, "Check now");
    wait_for(&mut h, "the drift", |h| {
        has_text(h, "1 of 121 client usernames would fail Connect Sync")
    });
    assert!(has_text(&h, "In the way: New Hire"));
    // What to do opens by itself, the fix first.
    assert!(has_label(&h, "Fix in Director…"));
    assert!(has_label(&h, "Username format…"));

    // Theme: the panel's setting turns the window light, and is saved.
    assert_eq!(h.ctx.theme(), egui::Theme::Dark);
    click(&mut h, "Theme");
    click(&mut h, "Light");
    h.run_ok();
    assert_eq!(h.ctx.theme(), egui::Theme::Light);
    support::assert_readable(&h);

    // The kind is remembered for this address.
    h.state_mut().flush();
    let saved = std::fs::read_to_string(real.home.path().join("settings.json")).expect("settings");
    assert!(saved.contains("\"web\""), "{saved}");
    assert!(saved.contains("\"theme\": \"light\""), "{saved}");
    drop(h);
    real.stop();
}

/// A real Director whose Connect Sync is already set up is added by
/// signing in: after the checks, "It is already set up…" asks for what its
/// Hybrid page shows (Account ID, username options), counts the "N of X"
/// the page should show under them, and opens its status panel — no
/// registration, no Token. A wrong value is named and nothing is saved.
#[test]
fn a_real_director_already_set_up_is_watched_as_it_is() {
    use hybrid_setup::ui::screens::already_set_up::APPENDED_DOMAIN_LABEL;
    let real = support::RealDirector::start();
    let mut h = real.window();
    wait_for(&mut h, "the checks", |h| enabled(h, "Continue"));
    assert!(!has_label(&h, "Account ID"), "not before it is asked for");
    click(&mut h, "It is already set up…");
    assert!(has_text(
        &h,
        "Administration > System > Hybrid > Synchronization"
    ));
    assert!(has_label(&h, "Open Director"));

    // Not an Account ID: named, nothing saved.
    fill(&mut h, "Account ID", "1000 002");
    click(&mut h, "Watch this Director");
    assert!(has_text(&h, "is not part of an Account ID"));
    assert_eq!(h.state().step(), Step::Requirements);
    assert!(!h.state().progress().provisioned);
    support::replace(&mut h, "Account ID", "1000002");

    // Under no options most usernames fail; with the page's options none.
    wait_for(&mut h, "the count under no options", |h| {
        has_text(h, "Invalid client usernames: ") && !has_text(h, "Invalid client usernames: 0 of")
    });
    click(&mut h, USE_EMAIL_LABEL);
    fill(&mut h, APPENDED_DOMAIN_LABEL, "not a domain");
    click(&mut h, "Watch this Director");
    assert!(has_text(&h, "Domain: "), "the domain's field is named");
    assert_eq!(h.state().step(), Step::Requirements);
    support::replace(&mut h, APPENDED_DOMAIN_LABEL, data::DEMO_DOMAIN);
    wait_for(&mut h, "0 of 120", |h| {
        has_text(h, "Invalid client usernames: 0 of 120")
    });
    assert!(has_text(&h, "should show the same \"0 of 120\""));
    click(&mut h, "Watch this Director");

    // Its status panel, straight away: what can be read, said honestly.
    assert_eq!(h.state().step(), Step::Done);
    let progress = h.state().progress().clone();
    assert!(progress.provisioned && progress.has_account);
    assert_eq!(progress.account_id, "1000002");
    assert!(progress.use_email);
    assert_eq!(progress.append_domain, data::DEMO_DOMAIN);
    wait_for(&mut h, "the first look", |h| {
        has_text(h, "0 of 120 client usernames would fail Connect Sync")
    });
    assert!(!has_text(&h, "healthy"), "never claims the alarm is green");
    assert!(
        has_text(&h, "Account ID 1000002") && !has_text(&h, "Account: "),
        "no empty account name shown"
    );
    drop(h);
    real.stop();
}

/// The watch behind the panel notifies within one check when a user in the
/// way appears, and once only; a refused password is a state of its own.
#[test]
fn the_drift_watch_notifies_a_new_user_in_the_way() {
    use hybrid_setup::domain::format::FormatOptions;

    use hybrid_setup::service::drift_watch::{self, DriftConfig, DriftEvent};
    use std::sync::Mutex;

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let director = runtime.block_on(real_director(true));
    let credentials = Arc::new(Mutex::new(Some((
        "admin".to_string(),
        Secret::new(world::DEMO_ADMIN_PASSWORD),
    ))));
    let (tx, rx) = std::sync::mpsc::channel();
    let watch = drift_watch::spawn(
        runtime.handle(),
        DriftConfig {
            url: director.url(),
            client: ClientOptions::default(),
            options: FormatOptions {
                use_email: true,
                append_domain: Some(data::DEMO_DOMAIN.into()),
            },
            every: Duration::from_secs(3600),
            first_retry: Duration::from_secs(3600),
            max_backoff: Duration::from_secs(3600),
        },
        credentials.clone(),
        None,
        move |event| {
            let _ = tx.send(event);
        },
    );
    let next = |want: &str| loop {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(DriftEvent::Progress { .. }) => continue,
            Ok(event) => return event,
            Err(e) => panic!("no event while waiting for {want}: {e}"),
        }
    };
    let first = next("the first look");
    assert!(
        matches!(&first, DriftEvent::Changed(s) if s.status.summary.contains("0 of 120")),
        "{first:?}"
    );
    runtime.block_on(support::add_new_hire(&director.url()));
    watch.check_now();
    match next("the notification") {
        DriftEvent::Notify(n) => {
            assert_eq!(n.title, "1 more client username would fail Connect Sync");
            assert!(n.body.contains("1 of 121 now (New Hire)"), "{}", n.body);
        }
        other => panic!("expected a notification, got {other:?}"),
    }
    assert!(matches!(next("the change"), DriftEvent::Changed(_)));
    // The same again: the look is reported (its time), nothing notified.
    watch.check_now();
    assert!(matches!(next("the second look"), DriftEvent::Changed(_)));
    std::thread::sleep(Duration::from_millis(300));
    let notified: Vec<DriftEvent> = rx
        .try_iter()
        .filter(|e| matches!(e, DriftEvent::Notify(_)))
        .collect();
    assert!(notified.is_empty(), "{notified:?}");
    drop(watch);
    runtime.block_on(director.stop());
}

/// Gentle on a production Director: after the first full read, a check
/// with nothing changed sends only the list's pages; a new hire costs one
/// document; a user whose row changed, one; a full read, all of them.
#[test]
fn a_check_reads_only_what_changed() {
    use hybrid_setup::client::director::web::WebDirector;
    use hybrid_setup::client::sim_admin::SimAdmin;
    use hybrid_setup::service::web_users::UserCache;

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let director = runtime.block_on(support::web_only_sim(
        data::generate(2_500, data::Mix::Fixable, 7),
        false,
    ));
    let admin = SimAdmin::new(&director.url()).expect("admin");
    let web = runtime
        .block_on(WebDirector::sign_in(
            &director.url(),
            ClientOptions::default(),
            "admin",
            &Secret::new(world::DEMO_ADMIN_PASSWORD),
        ))
        .expect("signed in");
    // (list pages, documents) asked since the last call.
    let mut seen = (0, 0);
    let mut asked = || {
        let requests = runtime.block_on(admin.requests()).expect("requests");
        let count = |f: &dyn Fn(&str) -> bool| -> u64 {
            requests.iter().filter(|(k, _)| f(k)).map(|(_, n)| n).sum()
        };
        let pages = count(&|k| k.starts_with("GET /director/users/list"));
        let documents = count(&|k| k.starts_with("GET /director/users/") && k.ends_with(".json"));
        let now = (pages, documents);
        let since = (now.0 - seen.0, now.1 - seen.1);
        seen = now;
        since
    };
    asked();
    let mut cache = UserCache::default();
    let mut read = |full: bool| {
        let (users, cost) = runtime
            .block_on(cache.read(&web, full, &|_, _| {}))
            .expect("read");
        (users, cost)
    };
    let (users, cost) = read(false);
    assert_eq!(
        (users.len(), cost.documents, cost.full),
        (2_500, 2_500, true),
        "the first read is full"
    );
    assert_eq!(asked(), (3, 2_500), "three pages of 1,000, every document");

    let (again, cost) = read(false);
    assert_eq!(again, users, "the same users, from the cache");
    assert_eq!(cost.documents, 0);
    assert_eq!(asked(), (3, 0), "nothing changed: the list's pages only");

    runtime.block_on(support::add_new_hire(&director.url()));
    let (with_hire, cost) = read(false);
    assert_eq!(with_hire.len(), 2_501);
    assert!(
        with_hire
            .iter()
            .any(|u| u.client_username.as_str() == "New Hire")
    );
    assert_eq!(
        (cost.documents, asked()),
        (1, (3, 1)),
        "a new hire: one document"
    );

    let (all, cost) = read(true);
    assert_eq!(all, with_hire);
    assert_eq!(
        (cost.documents, asked()),
        (2_501, (3, 2_501)),
        "Check now reads all"
    );
    runtime.block_on(director.stop());
}

/// The window's watch never signs in again with a password Director
/// refused: looks every second for five seconds send it once; a new
/// password (typed in the window, or stored in the keyring) is tried at
/// once.
#[test]
fn the_drift_watch_never_resends_a_refused_password() {
    use hybrid_setup::client::sim_admin::SimAdmin;
    use hybrid_setup::domain::drift::Watched;
    use hybrid_setup::domain::format::FormatOptions;
    use hybrid_setup::service::drift_watch::{self, DriftConfig, DriftEvent};
    use std::sync::Mutex;

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let director = runtime.block_on(real_director(true));
    let admin = SimAdmin::new(&director.url()).expect("admin");
    let sign_ins = || {
        runtime
            .block_on(admin.requests_to("POST /director/login"))
            .expect("counted")
    };
    let credentials = Arc::new(Mutex::new(Some((
        "admin".to_string(),
        Secret::new("not-the-password"),
    ))));
    // The keyring stand-in: what `reread` finds there.
    let keyring: Arc<Mutex<Option<Secret>>> = Arc::new(Mutex::new(None));
    let stored = keyring.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let watch = drift_watch::spawn(
        runtime.handle(),
        DriftConfig {
            url: director.url(),
            client: ClientOptions::default(),
            options: FormatOptions::default(),
            every: Duration::from_secs(1),
            first_retry: Duration::from_secs(1),
            max_backoff: Duration::from_secs(1),
        },
        credentials.clone(),
        Some(Arc::new(move || stored.lock().expect("keyring").clone())),
        move |event| {
            let _ = tx.send(event);
        },
    );
    let mut looks = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        if let Ok(DriftEvent::Changed(snapshot)) = rx.recv_timeout(left) {
            looks.push(*snapshot);
        }
        watch.check_now();
    }
    assert!(looks.len() >= 4, "looked again and again: {}", looks.len());
    assert_eq!(sign_ins(), 1, "the refused password is sent once");
    assert!(
        looks
            .iter()
            .all(|l| matches!(&l.watched, Watched::Refused(_)))
    );
    assert!(
        looks.iter().skip(1).all(|l| l.held_back),
        "later looks ask nobody"
    );
    let said = looks.last().expect("a look").status.summary.clone();
    assert!(
        said.contains("not signed in again with this password for 15 min"),
        "{said}"
    );

    // The right password stored in the keyring: taken on the next look.
    *keyring.lock().expect("keyring") = Some(Secret::new(world::DEMO_ADMIN_PASSWORD));
    watch.check_now();
    let read = loop {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(DriftEvent::Changed(s)) if matches!(s.watched, Watched::Read(_)) => break s,
            Ok(_) => continue,
            Err(e) => panic!("no reading with the stored password: {e}"),
        }
    };
    assert!(
        read.status.summary.contains("of 120"),
        "{}",
        read.status.summary
    );
    assert_eq!(sign_ins(), 2);
    drop(watch);
    runtime.block_on(director.stop());
}

/// Things that are not a Director at all, each named in the message the
/// command prints (exit 3: cannot check), and nothing written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_that_are_not_directors_are_named() {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let empty = support::serve(axum::Router::new().fallback(|| async { StatusCode::OK })).await;
    let looping = support::serve(axum::Router::new().fallback(|| async {
        (StatusCode::FOUND, [(header::LOCATION, "/director/login")]).into_response()
    }))
    .await;
    let huge = support::serve(axum::Router::new().fallback(|| async {
        let mut page = String::from("<html><head><title>Big</title></head><body>");
        page.push_str(&"x".repeat(10 * 1024 * 1024));
        axum::response::Html(page)
    }))
    .await;
    for (url, expected) in [
        (&empty, "answered HTTP 200, with nothing in it"),
        (&looping, "redirect loop"),
        (&huge, "a page titled \"Big\""),
    ] {
        let (code, json, text) = check(url).await;
        assert_eq!(code, Some(3), "{url}: {json}");
        assert!(text.contains(expected), "{url}: {text}");
        assert!(!text.contains("expected JSON"), "{text}");
        // Every command that talks to a Director says it in the same words.
        for command in [
            &["status", "--director", url][..],
            &["audit", "--director", url],
            &["fix", "--director", url, "--suggest"],
        ] {
            let out = support::run_command(command, "pw").await;
            let said = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                said.contains(&format!("cannot read Director at {url}")) && said.contains(expected),
                "{command:?}: {said}"
            );
        }
    }
}

/// A Director that answers its login page in the middle of a read (its
/// session ended) is signed in to again, once; if it still answers the
/// login page, the error says what is going on instead of looping.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_that_drops_its_session_is_signed_in_to_once_more() {
    use axum::response::Html;
    use axum::routing::get;
    use std::sync::atomic::{AtomicUsize, Ordering};
    const LOGIN: &str = r#"<html><head><meta name="csrf-token" content="tok" /></head><body><form action="/director/login"><input name="user_session[login_name]"></form></body></html>"#;
    let sign_ins = Arc::new(AtomicUsize::new(0));
    let counted = sign_ins.clone();
    let app = axum::Router::new()
        .route(
            "/director/login",
            get(|| async { Html(LOGIN) }).post(move || {
                counted.fetch_add(1, Ordering::Relaxed);
                async { Html("<html><body>Welcome</body></html>") }
            }),
        )
        // Every data request gets the login page: the session never holds.
        .route("/director/users/list", get(|| async { Html(LOGIN) }));
    let url = support::serve(app).await;
    let director =
        WebDirector::sign_in(&url, ClientOptions::default(), "admin", &Secret::new("pw"))
            .await
            .expect("sign in");
    let error = director.users(&|_, _| {}).await.expect_err("not readable");
    assert_eq!(
        sign_ins.load(Ordering::Relaxed),
        2,
        "one more sign-in, not a loop"
    );
    let text = error.to_string();
    assert!(
        text.contains("does not keep this program's session"),
        "{text}"
    );
}

/// Monitoring > Services answered, but not with the services table (a page
/// without its script, or a damaged one): the build is "not checked", with
/// the reason, in `check` and in `status` — never a pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_monitoring_page_leaves_the_build_not_checked() {
    use hybrid_setup::contract::{Fault, FaultBody};
    for body in [FaultBody::Malformed, FaultBody::WrongContentType] {
        let director = real_director(false).await;
        SimAdmin::new(&director.url())
            .expect("admin")
            .add_fault(&Fault {
                route: "GET /dm/monitoring_service".into(),
                body,
                ..Default::default()
            })
            .await
            .expect("fault");
        let (code, json, text) = check(&director.url()).await;
        let build = json["checks"]
            .as_array()
            .and_then(|checks| checks.iter().find(|c| c["id"] == "build"))
            .cloned()
            .expect("build check");
        assert_eq!(build["result"], "not_checked", "{body:?}: {json}");
        assert!(json["build"].is_null(), "{json}");
        assert_eq!(code, Some(1), "not checked is not a pass: {text}");
        let (code, line) = status(&director.url(), world::DEMO_ADMIN_PASSWORD, &[]).await;
        assert!(line.contains("build not checked ("), "{line}");
        assert_ne!(code, Some(3), "{line}");
        director.stop().await;
    }
    // Every client username clean: the build that cannot be read still
    // makes `status` a WARNING, never "HYBRID OK".
    let clean: Vec<hybrid_setup::contract::UserRecord> = (1..=5)
        .map(|i| hybrid_setup::contract::UserRecord {
            user_dn: i.to_string(),
            first_name: format!("F{i}"),
            last_name: format!("L{i}"),
            client_username: format!("u{i}@acme.example"),
            email: format!("u{i}@acme.example"),
            ..Default::default()
        })
        .collect();
    let director = support::web_only_sim(clean, false).await;
    SimAdmin::new(&director.url())
        .expect("admin")
        .add_fault(&Fault {
            route: "GET /dm/monitoring_service".into(),
            body: FaultBody::WrongContentType,
            ..Default::default()
        })
        .await
        .expect("fault");
    let (code, line) = status(&director.url(), world::DEMO_ADMIN_PASSWORD, &[]).await;
    assert_eq!(code, Some(1), "{line}");
    assert!(line.starts_with("HYBRID WARNING"), "{line}");
    assert!(
        line.contains("0 of 5") && line.contains("build not checked ("),
        "{line}"
    );
    director.stop().await;
}
