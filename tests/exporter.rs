//! The Prometheus exporter over several simulated Directors at once —
//! green, red, stale, stopped, a real Director's web interface only, one
//! behind a pinned self-signed certificate (and the same one unpinned), one
//! stalling 10 s and one answering garbage: every series has the right
//! value, a scrape never waits on a poll, and one broken Director leaves
//! the others' readings alone.

mod support;

use support::sync_with;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hybrid_setup::client::sim_admin::SimAdmin;
use hybrid_setup::contract::{Fault, SimControl, paths};
use hybrid_setup::domain::director_kind::DirectorKind;
use hybrid_setup::domain::directors_file::WatchedDirector;
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::service::exporter::{Exporter, Target, http};
use hybrid_setup::sim::{self, RunningSim, SimConfig, SimTls, data, world};

async fn demo_sim(change: impl FnOnce(&mut SimConfig)) -> RunningSim {
    let mut config = SimConfig::demo();
    change(&mut config);
    sim::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("simulator")
}

fn target(name: &str, url: &str, interval: Duration) -> Target {
    Target {
        director: WatchedDirector {
            name: name.into(),
            url: url.into(),
            login: "admin".into(),
            interval,
            kind: None,
            certificate: None,
            format: Default::default(),
        },
        password: Secret::new(world::DEMO_ADMIN_PASSWORD),
        reread: None,
    }
}

/// The page's samples: `name{labels}` → value.
fn samples(page: &str) -> HashMap<String, f64> {
    page.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').expect("a sample line");
            (series.to_string(), value.parse().expect("a number"))
        })
        .collect()
}

async fn scrape(url: &str) -> (String, Duration) {
    // reqwest here is built without a TLS provider of its own.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let started = Instant::now();
    let page = reqwest::get(format!("{url}/metrics"))
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body");
    (page, started.elapsed())
}

fn value(s: &HashMap<String, f64>, series: &str) -> Option<f64> {
    s.get(series).copied()
}

fn state_of(s: &HashMap<String, f64>, director: &str) -> Vec<&'static str> {
    ["green", "red", "stale", "unknown"]
        .into_iter()
        .filter(|state| {
            value(
                s,
                &format!("hybrid_alarm_state{{director=\"{director}\",state=\"{state}\"}}"),
            ) == Some(1.0)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_exporter_over_many_directors() {
    let green = demo_sim(|_| {}).await;
    sync_with(&green, None);
    let red = demo_sim(|_| {}).await;
    sync_with(&red, Some("revoked-token"));
    let stale = demo_sim(|c| c.sync_interval_secs = 1).await;
    sync_with(&stale, None);
    SimAdmin::new(&stale.url())
        .expect("admin")
        .control(&SimControl {
            sync_paused: Some(true),
            ..Default::default()
        })
        .await
        .expect("pause");
    let stopped = demo_sim(|_| {}).await;
    let stopped_url = stopped.url();
    stopped.stop().await;
    let web = support::web_only_sim(data::generate(40, data::Mix::Fixable, 7), false).await;
    let tls = SimTls::generate().expect("certificate");
    let fingerprint = tls.fingerprint();
    let pinned = demo_sim(|c| c.tls = Some(tls)).await;
    sync_with(&pinned, None);
    let slow = demo_sim(|_| {}).await;
    sync_with(&slow, None);
    SimAdmin::new(&slow.url())
        .expect("admin")
        .add_fault(&Fault {
            route: format!("GET {}", paths::DIRECTOR_SYNC_STATUS),
            latency_ms: 10_000,
            status: None,
            timeout: false,
            body: Default::default(),
            times: None,
        })
        .await
        .expect("fault");
    let garbage = support::serve(
        axum::Router::new().fallback(|| async { "<html>\u{1b}[31m{ not json \"quoted\"\n" }),
    )
    .await;

    let quick = Duration::from_millis(500);
    let mut pinned_target = target("pinned", &pinned.url(), quick);
    pinned_target.director.certificate = Some(fingerprint);
    let mut garbage_target = target("garbage", &garbage, quick);
    garbage_target.director.kind = Some(DirectorKind::Contract);
    let targets = vec![
        target("green", &green.url(), quick),
        target("red", &red.url(), quick),
        target("stale", &stale.url(), quick),
        target("stopped", &stopped_url, quick),
        target("web", &web.url(), quick),
        pinned_target,
        target("unpinned", &pinned.url(), quick),
        target("slow", &slow.url(), Duration::from_secs(60)),
        garbage_target,
    ];
    let exporter = Arc::new(Exporter::start(targets, 4));
    let url = support::serve(http::router(exporter)).await;

    // Until the quick ones have been read (the slow one is still stalled).
    let started = Instant::now();
    let mut slowest_scrape = Duration::ZERO;
    let s = loop {
        let (page, took) = scrape(&url).await;
        slowest_scrape = slowest_scrape.max(took);
        let s = samples(&page);
        let read = |d: &str| {
            value(
                &s,
                &format!("hybrid_last_poll_timestamp_seconds{{director=\"{d}\"}}"),
            )
            .is_some()
        };
        let stale_now = state_of(&s, "stale") == ["stale"];
        if [
            "green", "red", "stopped", "web", "pinned", "unpinned", "garbage",
        ]
        .iter()
        .all(|d| read(d))
            && stale_now
        {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "not all read within 8 s:\n{page}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "the stalled Director held the others up"
    );
    assert!(
        slowest_scrape < Duration::from_millis(300),
        "a scrape waited on a poll: {slowest_scrape:?}"
    );

    let up = |d: &str| value(&s, &format!("hybrid_up{{director=\"{d}\"}}"));
    let of = |metric: &str, d: &str| value(&s, &format!("{metric}{{director=\"{d}\"}}"));
    for d in ["green", "red", "stale", "web", "pinned"] {
        assert_eq!(up(d), Some(1.0), "{d} is up");
    }
    for d in ["stopped", "unpinned", "garbage", "slow"] {
        assert_eq!(up(d), Some(0.0), "{d} is down");
        assert_eq!(state_of(&s, d), ["unknown"], "{d}: the alarm is not known");
        assert_eq!(of("hybrid_users", d), None, "{d}: no counts while down");
    }
    assert_eq!(state_of(&s, "green"), ["green"]);
    assert_eq!(state_of(&s, "red"), ["red"]);
    assert_eq!(state_of(&s, "pinned"), ["green"]);
    assert_eq!(
        state_of(&s, "web"),
        ["unknown"],
        "a real Director's alarm bar cannot be read"
    );

    // Counts as each Director reports them.
    let status = green.world().sync_status(sim::server::now_ms());
    assert_eq!(of("hybrid_users", "green"), Some(status.total as f64));
    assert_eq!(
        of("hybrid_users_synced", "green"),
        Some(status.synced_users as f64)
    );
    assert_eq!(
        of("hybrid_invalid_client_usernames", "green"),
        Some(status.invalid as f64)
    );
    let last = of("hybrid_last_sync_timestamp_seconds", "green").expect("last sync");
    assert_eq!(last, status.last_success_at.expect("synced") as f64);
    let now = sim::server::now_ms() as f64 / 1000.0;
    assert!(
        (now - last).abs() < 120.0,
        "a Unix time in seconds, of the sync just run: {last} (now {now})"
    );
    assert_eq!(of("hybrid_users", "web"), Some(40.0));
    assert!(of("hybrid_invalid_client_usernames", "web").is_some());
    assert_eq!(
        of("hybrid_users_synced", "web"),
        None,
        "not readable on the web interface"
    );
    assert_eq!(of("hybrid_last_sync_timestamp_seconds", "web"), None);
    assert!(
        s.keys()
            .any(|k| k.starts_with("hybrid_build_info{director=\"green\",build=\"")),
        "the build"
    );
    assert!(of("hybrid_poll_duration_seconds", "green").is_some_and(|v| v > 0.0 && v < 5.0));

    // The stalled poll ends (the 10 s latency) and the slow one reads.
    let s = loop {
        let (page, took) = scrape(&url).await;
        assert!(took < Duration::from_millis(300), "scrape took {took:?}");
        let s = samples(&page);
        if up("slow").is_some() && value(&s, "hybrid_up{director=\"slow\"}") == Some(1.0) {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(25),
            "the slow one never read:\n{page}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(state_of(&s, "slow"), ["green"]);
    assert!(
        value(&s, "hybrid_poll_duration_seconds{director=\"slow\"}").is_some_and(|v| v >= 10.0),
        "the stall is in the poll's duration"
    );

    // The other pages.
    let index = reqwest::get(format!("{url}/"))
        .await
        .expect("index")
        .text()
        .await
        .expect("text");
    let red_at = index.find(">red<").expect("red listed");
    let green_at = index.find(">green<").expect("green listed");
    assert!(red_at < green_at, "worst first");
    assert!(
        index.contains("rejected"),
        "the red one's Description is on the page"
    );
    assert!(index.contains("<th>Last sync</th>"), "{index}");
    assert!(!index.contains("\u{1b}"), "nothing a server sent is echoed");
    let health = reqwest::get(format!("{url}/healthz"))
        .await
        .expect("healthz");
    assert!(health.status().is_success());
    let guide = reqwest::get(format!("{url}/troubleshooting"))
        .await
        .expect("guide")
        .text()
        .await
        .expect("text");
    // Every section the alert rules link to is there, and the Markdown is
    // rendered (no "**" left over).
    let rules = include_str!("../packaging/prometheus/hybrid-alerts.yml");
    for anchor in rules.split("troubleshooting#").skip(1) {
        let anchor: String = anchor
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        assert!(
            guide.contains(&format!("id=\"{anchor}\"")),
            "the rules' link to #{anchor} lands on no section"
        );
    }
    assert!(
        guide.contains("<strong>") && !guide.contains("**"),
        "{guide}"
    );
    let open = reqwest::Client::new()
        .get(format!("{url}/metrics"))
        .header("Accept", "application/openmetrics-text; version=1.0.0")
        .send()
        .await
        .expect("openmetrics");
    assert!(
        open.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("application/openmetrics-text")
    );
    assert!(open.text().await.expect("text").ends_with("# EOF\n"));

    for sim in [green, red, stale, web, pinned, slow] {
        sim.stop().await;
    }
}

/// The command as a person runs it: a file with a password in it is
/// refused with its line, a missing variable is named, and a good file is
/// served (its address on the first line).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_exporter_command_checks_its_file_and_serves() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let sim = demo_sim(|_| {}).await;
    sync_with(&sim, None);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("directors.toml");
    let run = |text: String, env: Option<&str>| {
        std::fs::write(&file, text).expect("write");
        let mut command = Command::new(env!("CARGO_BIN_EXE_hybrid-setup"));
        command
            .args(["exporter", "--check", "--config"])
            .arg(&file)
            .env("HYBRID_SETUP_HOME", dir.path())
            .env_remove("HYBRID_PW_HQ");
        if let Some(password) = env {
            command.env("HYBRID_PW_HQ", password);
        }
        command.output().expect("runs")
    };
    let good = format!(
        "[[director]]\nname = \"hq\"\nurl = \"{}\"\npassword_env = \"HYBRID_PW_HQ\"\n",
        sim.url()
    );

    let secret = run(
        good.replace("password_env = \"HYBRID_PW_HQ\"", "password = \"changeme\""),
        None,
    );
    assert_eq!(secret.status.code(), Some(2));
    let said = String::from_utf8_lossy(&secret.stderr);
    assert!(
        said.contains("line 4") && said.contains("refused"),
        "{said}"
    );
    assert!(
        !said.contains("changeme"),
        "the secret is not repeated: {said}"
    );

    let missing = run(good.clone(), None);
    assert_eq!(missing.status.code(), Some(2));
    let said = String::from_utf8_lossy(&missing.stderr);
    assert!(
        said.contains("HYBRID_PW_HQ") && said.contains("\"hq\""),
        "{said}"
    );

    let checked = run(good.clone(), Some(world::DEMO_ADMIN_PASSWORD));
    assert!(checked.status.success(), "{checked:?}");

    // Served: port 0, the address on the first line, then a scrape.
    /// Ends the exporter however the test ends.
    struct Running(std::process::Child);
    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_hybrid-setup"))
        .args(["exporter", "--listen", "127.0.0.1:0", "--config"])
        .arg(&file)
        .env("HYBRID_SETUP_HOME", dir.path())
        .env("HYBRID_PW_HQ", world::DEMO_ADMIN_PASSWORD)
        .stdout(Stdio::piped())
        .spawn()
        .map(Running)
        .expect("starts");
    let mut first = String::new();
    BufReader::new(child.0.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("an address")
        .trim_end_matches("/metrics")
        .to_string();
    let started = Instant::now();
    loop {
        let (page, _) = scrape(&url).await;
        if samples(&page).get("hybrid_up{director=\"hq\"}") == Some(&1.0) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{page}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(child);
    sim.stop().await;
}

/// A real Director is polled as Mitel's scripts use it: one sign-in kept
/// for the session's life (no pile of sessions on Director), and its users'
/// documents — one request each — read only when new or changed on the
/// list: a new hire is counted at the next poll, for one document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_director_keeps_one_session_and_reads_only_new_users() {
    let web = support::web_only_sim(data::generate(40, data::Mix::Fixable, 7), false).await;
    let admin = hybrid_setup::client::sim_admin::SimAdmin::new(&web.url()).expect("admin");
    let exporter = Arc::new(Exporter::start(
        vec![target("web", &web.url(), Duration::from_millis(300))],
        1,
    ));
    let polls_of = |exporter: &Exporter| exporter.readings()[0].polled_at;
    let wait_polls = |n: usize| {
        let exporter = exporter.clone();
        async move {
            let mut seen = Vec::new();
            let started = Instant::now();
            while seen.len() < n {
                if let Some(at) = polls_of(&exporter)
                    && seen.last() != Some(&at)
                {
                    seen.push(at);
                }
                assert!(started.elapsed() < Duration::from_secs(10), "polls stopped");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let documents = async || {
        let all = admin
            .requests_to("GET /director/users/")
            .await
            .expect("count");
        all - admin
            .requests_to("GET /director/users/list")
            .await
            .expect("count")
    };
    wait_polls(2).await;
    assert_eq!(exporter.readings()[0].users, Some(40));
    assert_eq!(documents().await, 40, "each document once, over two polls");
    support::add_new_hire(&web.url()).await;
    wait_polls(2).await;
    let reading = &exporter.readings()[0];
    assert!(reading.up, "{reading:?}");
    assert_eq!(reading.users, Some(41), "the new hire, at the next poll");
    assert_eq!(documents().await, 41, "one more document: the new hire's");
    assert_eq!(
        web.open_director_sessions(),
        1,
        "one sign-in for all the polls"
    );
    web.stop().await;
}

/// A password from the keyring is looked up off the async runtime: with a
/// session bus (and no keyring service on it) the command says the entry
/// is missing — it once panicked ("cannot start a runtime from within a
/// runtime") as soon as the keyring was asked.
#[test]
#[cfg(target_os = "linux")]
fn a_keyring_password_is_asked_for_without_a_panic() {
    let Some(bus) = support::dbus::Bus::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("directors.toml");
    std::fs::write(
        &file,
        "[[director]]\nname = \"hq\"\nurl = \"http://127.0.0.1:9\"\npassword_keyring = \"hq\"\n",
    )
    .expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hybrid-setup"))
        .args(["exporter", "--check", "--config"])
        .arg(&file)
        .env("HYBRID_SETUP_HOME", dir.path())
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("panicked"), "{said}");
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("no keyring entry \"hq\""), "{said}");
}

/// A wrong password never locks an account: after Director refuses the
/// sign-in, the exporter does not sign in with it again — polled every
/// second for 4 s, Director sees one sign-in of each kind — and says so
/// (`hybrid_up 0`, `hybrid_sign_in_refused 1`, the reason on `/`). A new
/// password (read again from where it is kept) is used on the next poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_password_is_not_tried_again() {
    use std::sync::Mutex;
    for kind in [DirectorKind::Web, DirectorKind::Contract] {
        let sim = demo_sim(|config| {
            if kind == DirectorKind::Web {
                config.web_mode.only = true;
            }
        })
        .await;
        let url = sim.url();
        let kept = Arc::new(Mutex::new(Secret::new("wrong-password")));
        let reread_from = kept.clone();
        let mut wrong = target("hq", &url, Duration::from_secs(1));
        wrong.director.kind = Some(kind);
        wrong.password = Secret::new("wrong-password");
        wrong.reread = Some(Arc::new(move || {
            Some(
                reread_from
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone(),
            )
        }));
        let exporter = Arc::new(Exporter::start(vec![wrong], 1));
        let url_pages = support::serve(http::router(exporter.clone())).await;
        tokio::time::sleep(Duration::from_secs(4)).await;
        let admin = SimAdmin::new(&url).expect("admin");
        let sign_ins = match kind {
            DirectorKind::Web => admin.requests_to("POST /director/login").await,
            DirectorKind::Contract => {
                admin
                    .requests_to(&format!("POST {}", paths::DIRECTOR_SESSION))
                    .await
            }
        }
        .expect("counted");
        assert_eq!(sign_ins, 1, "{kind:?}: one refused sign-in, none after it");
        let (page, _) = scrape(&url_pages).await;
        let s = samples(&page);
        assert_eq!(value(&s, "hybrid_up{director=\"hq\"}"), Some(0.0), "{page}");
        assert_eq!(
            value(&s, "hybrid_sign_in_refused{director=\"hq\"}"),
            Some(1.0),
            "{page}"
        );
        let index = reqwest::get(format!("{url_pages}/"))
            .await
            .expect("index")
            .text()
            .await
            .expect("text");
        assert!(
            index.contains("not signed in again with this password"),
            "{index}"
        );
        // The right password, stored where it is kept: used at once.
        *kept.lock().unwrap_or_else(|e| e.into_inner()) = Secret::new(world::DEMO_ADMIN_PASSWORD);
        let started = Instant::now();
        loop {
            let (page, _) = scrape(&url_pages).await;
            let s = samples(&page);
            if value(&s, "hybrid_up{director=\"hq\"}") == Some(1.0) {
                assert_eq!(
                    value(&s, "hybrid_sign_in_refused{director=\"hq\"}"),
                    Some(0.0)
                );
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{kind:?}: {page}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        sim.stop().await;
    }
}
