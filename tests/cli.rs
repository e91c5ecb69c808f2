//! The two script contracts, run as a user would: the real binary.
//! `audit`: JSON shape and exit 0/1/2. `status`: the plugin line and exit
//! 0 (OK) / 1 (WARNING, stale) / 2 (CRITICAL, red) / 3 (UNKNOWN).

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use hybrid_setup::client::director::{Director, HttpDirector};
use hybrid_setup::client::http::ClientOptions;
use hybrid_setup::client::sim_admin::SimAdmin;
use hybrid_setup::contract::{SimControl, SyncSettingsUpdate};
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::sim::{self, SimConfig, data, world};

const BIN: &str = env!("CARGO_BIN_EXE_hybrid-setup");

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn audit_json(extra: &[&str]) -> (i32, serde_json::Value) {
    let csv = fixture("tricky_users.csv");
    let mut args = vec![
        "audit",
        "--users-csv",
        csv.to_str().expect("path"),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
    (out.status.code().unwrap_or(-1), json)
}

fn reasons(json: &serde_json::Value) -> Vec<(String, String)> {
    json["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| {
            (
                u["user_dn"].as_str().unwrap_or_default().to_string(),
                u["reason"].as_str().unwrap_or("ok").to_string(),
            )
        })
        .collect()
}

#[test]
fn audit_names_every_tricky_username() {
    let (code, json) = audit_json(&["--all"]);
    assert_eq!(code, 1, "invalid users mean exit 1");
    assert_eq!(json["total"], 19);
    assert_eq!(json["invalid"], 15);
    let expected = [
        ("1001", "ok"),
        ("1002", "empty"),
        ("1003", "whitespace"),
        ("1004", "ok"),
        ("1005", "multiple_at"),
        ("1006", "local_dots"),
        ("1007", "local_dots"),
        ("1008", "local_dots"),
        ("1009", "local_too_long"),
        ("1010", "label_too_long"),
        ("1011", "label_hyphen"),
        ("1012", "label_hyphen"),
        ("1013", "ok"),
        ("1014", "duplicate"),
        ("1015", "duplicate"),
        ("1016", "missing_at"),
        ("1017", "missing_at"),
        ("1018", "domain_no_dot"),
        ("1019", "ok"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(reasons(&json), expected);
    let first_invalid = &json["users"][1];
    assert!(
        first_invalid["hint"]
            .as_str()
            .is_some_and(|h| !h.is_empty())
    );
    assert_eq!(first_invalid["valid"], false);
    // Without --all only the invalid users are listed, with the summary.
    let (_, invalid_only) = audit_json(&[]);
    assert_eq!(invalid_only["users"].as_array().map(Vec::len), Some(15));
    let by_reason = invalid_only["by_reason"].as_array().expect("by_reason");
    let summed: u64 = by_reason.iter().filter_map(|r| r["count"].as_u64()).sum();
    assert_eq!(summed, 15);
    assert_eq!(by_reason[0]["reason"], "local_dots");
    assert_eq!(by_reason[0]["count"], 3);
}

#[test]
fn audit_options_change_the_count() {
    let (code, json) = audit_json(&["--use-email"]);
    assert_eq!((code, json["invalid"].as_u64()), (1, Some(9)));
    let (code, json) = audit_json(&[
        "--use-email",
        "--append-domain",
        "acme-corp.example",
        "--all",
    ]);
    assert_eq!((code, json["invalid"].as_u64()), (1, Some(8)));
    let row = json["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["user_dn"] == "1017")
        .expect("1017");
    assert_eq!(row["result"], "noemail@acme-corp.example");
    // The report says what each option would make of an invalid user.
    let (_, none) = audit_json(&["--append-domain", "acme-corp.example"]);
    let row = none["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["user_dn"] == "1003")
        .expect("1003");
    let each = &row["under_each_option"];
    assert_eq!(each["as_is"]["reason"], "whitespace");
    assert!(
        each["append_domain"]["username"]
            .as_str()
            .is_some_and(|u| u.ends_with("@acme-corp.example"))
    );
    assert!(
        row["description"]
            .as_str()
            .is_some_and(|d| d.contains("spaces"))
    );
}

#[test]
fn audit_exit_zero_when_all_valid_and_text_and_csv_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ok.csv");
    std::fs::write(
        &path,
        "user_dn,first_name,last_name,client_username,email\n1,A,B,a@x.example,a@x.example\n2,C,D,cd,c@x.example\n",
    )
    .expect("write");
    let p = path.to_str().expect("path");
    let out = run(&["audit", "--users-csv", p, "--use-email"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "0 of 2 client usernames are invalid.\n");
    let out = run(&["audit", "--users-csv", p, "--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout)
            .starts_with("\u{feff}user_dn,first_name,last_name,client_username,email,result,valid,reason,description,hint,as_is,")
    );
}

#[test]
fn audit_bad_input_is_exit_2_naming_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad_header = dir.path().join("h.csv");
    std::fs::write(&bad_header, "dn,first,last,username,email\n1,a,b,c,d\n").expect("write");
    let out = run(&["audit", "--users-csv", bad_header.to_str().expect("p")]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("line 1: the header is missing column(s) user_dn, first_name"),
        "{err}"
    );

    let bad_row = dir.path().join("r.csv");
    std::fs::write(
        &bad_row,
        "user_dn,first_name,last_name,client_username,email\n1,a,b,c,d\n2,a,b,\"unclosed\n",
    )
    .expect("write");
    let out = run(&["audit", "--users-csv", bad_row.to_str().expect("p")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("line 3"),
        "{}",
        text(&out.stderr)
    );

    let out = run(&["audit", "--users-csv", "/nonexistent/users.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot open /nonexistent/users.csv"));

    let csv = fixture("tricky_users.csv");
    let out = run(&[
        "audit",
        "--users-csv",
        csv.to_str().expect("p"),
        "--append-domain",
        "not a domain",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--append-domain"),
        "{}",
        text(&out.stderr)
    );
}

async fn provisioned_sim(interval: u64) -> (sim::RunningSim, HttpDirector, String) {
    let mut config = SimConfig::new(data::generate(40, data::Mix::Fixable, 9));
    config.sync_interval_secs = interval;
    let sim = sim::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sim");
    let (account_id, token) = {
        let world = sim.world();
        let account = &world.portal.accounts[0];
        (account.account_id.clone(), account.token.clone())
    };
    let director = HttpDirector::new(&sim.url(), ClientOptions::default()).expect("client");
    director
        .login("admin", &Secret::new(world::DEMO_ADMIN_PASSWORD))
        .await
        .expect("login");
    director
        .save_sync_settings(&SyncSettingsUpdate {
            account_id: account_id.clone(),
            token: Some(token),
            use_email: true,
            append_domain: Some(data::DEMO_DOMAIN.into()),
        })
        .await
        .expect("save");
    director.run_sync().await.expect("run");
    (sim, director, account_id)
}

/// Runs `status` (off the async runtime) until its exit code is `want`.
async fn status_until(url: &str, want: i32, limit: Duration) -> (i32, String) {
    let start = Instant::now();
    loop {
        let url = url.to_string();
        let out = tokio::task::spawn_blocking(move || run(&["status", "--director", &url]))
            .await
            .expect("join");
        let code = out.status.code().unwrap_or(-1);
        if code == want || start.elapsed() > limit {
            return (code, text(&out.stdout));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_follows_the_plugin_convention() {
    let (sim, _director, account_id) = provisioned_sim(1).await;
    let url = sim.url();
    let (code, line) = status_until(&url, 0, Duration::from_secs(10)).await;
    assert_eq!(code, 0, "{line}");
    assert!(line.starts_with("HYBRID OK - last sync "), "{line}");
    assert!(
        line.contains(", 0 of 40 invalid | invalid=0;;;0 users=40;;;0 synced=40;;;0 age="),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1);

    // The Portal issues a new Token: the next cycle fails, CRITICAL.
    let admin = SimAdmin::new(&url).expect("admin");
    admin
        .control(&SimControl {
            revoke_token_of: Some(account_id),
            ..Default::default()
        })
        .await
        .expect("revoke");
    let (code, line) = status_until(&url, 2, Duration::from_secs(10)).await;
    assert_eq!(code, 2, "{line}");
    assert!(
        line.starts_with("HYBRID CRITICAL - Connect Sync failed: the Connect Portal rejected"),
        "{line}"
    );

    // Sync stalls: after 3 intervals with no success, WARNING (never OK).
    admin
        .control(&SimControl {
            sync_paused: Some(true),
            ..Default::default()
        })
        .await
        .expect("pause");
    sim.world()
        .director
        .alerts
        .iter_mut()
        .for_each(|a| a.active = false);
    sim.world().director.sync.last_attempt_failed = false;
    let (code, line) = status_until(&url, 1, Duration::from_secs(10)).await;
    assert_eq!(code, 1, "{line}");
    assert!(
        line.starts_with("HYBRID WARNING - no successful sync for "),
        "{line}"
    );

    let out = tokio::task::spawn_blocking({
        let url = url.clone();
        move || run(&["status", "--director", &url, "--json"])
    })
    .await
    .expect("join");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["state"], "stale");
    assert_eq!(json["exit_code"], 1);
    assert_eq!(json["director_kind"], "contract");
    assert_eq!(json["build"], sim::DEFAULT_BUILD);

    // A real Director's web interface: the same keys, null where it shows
    // nothing (README, `status`); and UNKNOWN has them too.
    let real = support::web_only_sim(data::generate(20, data::Mix::Fixable, 7), false).await;
    let keys = |url: String| async move {
        let out =
            tokio::task::spawn_blocking(move || run(&["status", "--director", &url, "--json"]))
                .await
                .expect("join");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let keys: std::collections::BTreeSet<String> = json
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect();
        (keys, json)
    };
    let (contract_keys, _) = keys(url.clone()).await;
    let (web_keys, web) = keys(real.url()).await;
    let (unknown_keys, _) = keys("http://127.0.0.1:9".into()).await;
    assert_eq!(web_keys, contract_keys);
    assert_eq!(unknown_keys, contract_keys);
    for key in [
        "last_success_age_secs",
        "synced_users",
        "active_alerts",
        "alarm",
    ] {
        assert!(
            web[key].is_null(),
            "{key} is not shown by a real Director: {web}"
        );
    }
    assert_eq!(web["director_kind"], "web");
    real.stop().await;
    sim.stop().await;

    // Nobody answers: UNKNOWN.
    let (code, line) = status_until(&url, 3, Duration::from_secs(10)).await;
    assert_eq!(code, 3, "{line}");
    assert!(
        line.starts_with("HYBRID UNKNOWN - cannot read Director at "),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_audit_against_a_director() {
    let (sim, _director, _) = provisioned_sim(300).await;
    let url = sim.url();
    let out = tokio::task::spawn_blocking({
        let url = url.clone();
        move || {
            Command::new(BIN)
                .args(["status", "--director", &url])
                .env("HYBRID_DIRECTOR_PASSWORD", "wrong")
                .output()
                .expect("runs")
        }
    })
    .await
    .expect("join");
    assert_eq!(
        out.status.code(),
        Some(2),
        "refused: CRITICAL, as for a real Director"
    );
    assert!(
        text(&out.stdout).starts_with("HYBRID CRITICAL - Director refused the sign-in: ")
            && text(&out.stdout).contains("Wrong login name or password"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(text(&out.stdout).matches("refused").count(), 1, "said once");

    let out = tokio::task::spawn_blocking({
        let url = url.clone();
        move || run(&["audit", "--director", &url, "--format", "json"])
    })
    .await
    .expect("join");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["total"], 40);
    assert!(
        json["invalid"].as_u64().unwrap_or(0) > 0,
        "no options: some invalid"
    );
    assert_eq!(out.status.code(), Some(1));
    sim.stop().await;
}

#[test]
fn sim_prints_its_url_and_serves() {
    let mut child = Command::new(BIN)
        .args(["sim", "--generate", "30", "--sync-interval", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("sim starts");
    let mut line = String::new();
    {
        use std::io::BufRead;
        let stdout = child.stdout.take().expect("stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reads url");
    }
    let url = line.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let out = run(&["audit", "--director", &url, "--format", "json"]);
    let _ = child.kill();
    let _ = child.wait();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["total"], 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_watch_prints_a_line_per_change() {
    use std::io::BufRead;
    let (sim, _director, account_id) = provisioned_sim(1).await;
    let url = sim.url();
    // Wait for green first, so the watch starts from a settled state.
    let (code, _) = status_until(&url, 0, Duration::from_secs(10)).await;
    assert_eq!(code, 0);
    let mut child = Command::new(BIN)
        .args(["status", "--director", &url, "--watch", "--interval", "1"])
        .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("watch starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("first line");
    assert!(first.starts_with("HYBRID OK - "), "{first}");
    SimAdmin::new(&url)
        .expect("admin")
        .control(&SimControl {
            revoke_token_of: Some(account_id),
            ..Default::default()
        })
        .await
        .expect("revoke");
    let second = tokio::task::spawn_blocking(move || {
        let line = rx.recv_timeout(Duration::from_secs(10));
        // Nothing more while the state holds.
        let extra = rx.recv_timeout(Duration::from_millis(2500)).ok();
        (line, extra)
    })
    .await
    .expect("join");
    let _ = child.kill();
    let _ = child.wait();
    let line = second.0.expect("a line for the change");
    assert!(line.starts_with("HYBRID CRITICAL - "), "{line}");
    assert_eq!(second.1, None, "no line while the state holds");
    sim.stop().await;
}

/// `status --watch` on a real Director (its web interface only): a line
/// now, a new one when a new hire is in the way, none while nothing
/// changes; a wrong password is one line and one sign-in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_watch_follows_a_real_director() {
    use std::io::BufRead;
    let director = support::web_only_sim(data::generate(30, data::Mix::Fixable, 7), false).await;
    let url = director.url();
    let watch = |password: &str| {
        let mut child = Command::new(BIN)
            .args(["status", "--director", &url, "--watch", "--interval", "1"])
            .env("HYBRID_DIRECTOR_PASSWORD", password)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("watch starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let _ = tx.send(line);
            }
        });
        (child, rx)
    };
    let (mut child, rx) = watch(world::DEMO_ADMIN_PASSWORD);
    let first = tokio::task::spawn_blocking(move || {
        let first = rx.recv_timeout(Duration::from_secs(20));
        (first, rx)
    })
    .await
    .expect("join");
    let (first, rx) = (first.0.expect("first line"), first.1);
    assert!(first.starts_with("HYBRID WARNING - "), "{first}");
    let (invalid, total) = perf(&first);
    assert_eq!(total, 30, "{first}");
    support::add_new_hire(&url).await;
    let (second, extra) = tokio::task::spawn_blocking(move || {
        let line = rx.recv_timeout(Duration::from_secs(20));
        let extra = rx.recv_timeout(Duration::from_millis(2500)).ok();
        (line, extra)
    })
    .await
    .expect("join");
    let _ = child.kill();
    let _ = child.wait();
    let second = second.expect("a line for the new hire");
    assert_eq!(perf(&second), (invalid + 1, 31), "{second}");
    assert!(
        second.contains(&format!(
            "{} of 31 client usernames would fail Connect Sync",
            invalid + 1
        )),
        "the same words as status: {second}"
    );
    assert_eq!(extra, None, "no line while nothing changes");

    let admin = SimAdmin::new(&url).expect("admin");
    let before = admin
        .requests_to("POST /director/login")
        .await
        .expect("count");
    let (mut child, rx) = watch("not-the-password");
    let (line, extra) = tokio::task::spawn_blocking(move || {
        let line = rx.recv_timeout(Duration::from_secs(20));
        let extra = rx.recv_timeout(Duration::from_secs(4)).ok();
        (line, extra)
    })
    .await
    .expect("join");
    let _ = child.kill();
    let _ = child.wait();
    let line = line.expect("a line");
    assert!(
        line.starts_with("HYBRID CRITICAL - Director refused the sign-in: Invalid login name or password — not signed in again with this password for 15 min"),
        "{line}"
    );
    assert_eq!(extra, None, "held back: no new line");
    assert_eq!(
        admin
            .requests_to("POST /director/login")
            .await
            .expect("count")
            - before,
        1,
        "four looks, one sign-in"
    );
    director.stop().await;
}

/// The perfdata of a plugin line: (invalid, users).
fn perf(line: &str) -> (usize, usize) {
    let number = |key: &str| -> usize {
        let at = line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len();
        line[at..]
            .split(';')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a number after {key} in {line}"))
    };
    (number("invalid="), number("users="))
}

/// Director's own web interface (login form + jqGrid list + a JSON per user)
/// gives the same users, and so the same report, as the contract API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_reads_directors_web_interface() {
    let users = data::generate(1_200, data::Mix::Realistic, 3);
    let sim = sim::start(
        SimConfig::new(users.clone()),
        "127.0.0.1:0".parse().expect("addr"),
    )
    .await
    .expect("sim");
    // The same users behind a real Director's web interface only.
    let web_only = support::web_only_sim(users, false).await;
    let url = sim.url();
    let web_url = web_only.url();
    let (web, api, wrong) = tokio::task::spawn_blocking(move || {
        // `--director-web`, as scripts wrote it before the kind was found
        // out, still works.
        let web = run(&[
            "audit",
            "--director-web",
            &web_url,
            "--format",
            "json",
            "--all",
        ]);
        let api = run(&["audit", "--director", &url, "--format", "json", "--all"]);
        let wrong = Command::new(BIN)
            .args(["audit", "--director", &web_url])
            .env("HYBRID_DIRECTOR_PASSWORD", "wrong")
            .output()
            .expect("runs");
        (web, api, wrong)
    })
    .await
    .expect("join");
    assert_eq!(web.status.code(), Some(1), "{}", text(&web.stderr));
    let web: serde_json::Value = serde_json::from_slice(&web.stdout).expect("json");
    let api: serde_json::Value = serde_json::from_slice(&api.stdout).expect("json");
    assert_eq!(web["total"], 1_200);
    assert_eq!(web, api, "both sources give the same report");
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        text(&wrong.stderr)
            // In Director's own words, from its login page.
            .contains("error: Director refused the sign-in: Invalid login name or password."),
        "{}",
        text(&wrong.stderr)
    );
    sim.stop().await;
    web_only.stop().await;
}

/// `diagnostics` writes version, settings and the log, and no secret —
/// with secrets in play: a password in a hand-edited settings file, a Token
/// field, session cookies and an Authorization header in an old log, and
/// the passwords of the environment written out in a log line.
#[test]
fn diagnostics_collects_without_secrets() {
    let home = tempfile::tempdir().expect("home");
    std::fs::write(
        home.path().join("settings.json"),
        r#"{"director_login": "admin", "progress": {"registration": {"company_name": "Acme", "password": "Reg1sterPass", "confirm_password": "Reg1sterPass"}}}"#,
    )
    .expect("settings");
    let logs = home.path().join("logs");
    std::fs::create_dir_all(&logs).expect("logs");
    std::fs::write(
        logs.join("hybrid-setup.2026-01-01.log"),
        "INFO shown token=TOKVALUE123\n\
         DEBUG cookie _director2_session=SESSIONVAL42; path=/\n\
         DEBUG header Authorization: Bearer BEARERVAL77\n\
         WARN someone typed Hunter2Pass and DbPass9876 into the wrong field\n",
    )
    .expect("log");
    let csv = fixture("tricky_users.csv");
    // A run that logs something first.
    let out = Command::new(BIN)
        .args(["audit", "--users-csv", csv.to_str().expect("path")])
        .env("HYBRID_SETUP_HOME", home.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let report = home.path().join("diag.txt");
    let out = Command::new(BIN)
        .args(["diagnostics", "--output", report.to_str().expect("path")])
        .env("HYBRID_SETUP_HOME", home.path())
        .env("HYBRID_DIRECTOR_PASSWORD", "Hunter2Pass")
        .env("HYBRID_DB_PASSWORD", "DbPass9876")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = std::fs::read_to_string(report).expect("report");
    for secret in [
        "Reg1sterPass",
        "TOKVALUE123",
        "SESSIONVAL42",
        "BEARERVAL77",
        "Hunter2Pass",
        "DbPass9876",
    ] {
        assert!(!report.contains(secret), "{secret} leaked: {report}");
    }
    assert!(report.contains("someone typed [redacted]"), "{report}");
    assert!(
        report.contains("\"company_name\": \"Acme\""),
        "the settings are there: {report}"
    );
    assert!(report.contains(env!("CARGO_PKG_VERSION")), "{report}");
    assert!(report.contains("--- recent log"), "{report}");
    assert!(report.contains("command=Some(\"audit\")"), "{report}");
    assert!(report.contains("log folder:"), "{report}");
}

/// The Windows uninstaller's clean-up, as the program does it on any
/// system: "Start at login" off, nothing else touched.
#[test]
#[cfg(target_os = "linux")]
fn forget_start_at_login_removes_the_entry() {
    let config = tempfile::tempdir().expect("config");
    let entry = config
        .path()
        .join("autostart/org.hybridsetup.HybridSetup.desktop");
    std::fs::create_dir_all(entry.parent().expect("folder")).expect("folder");
    std::fs::write(&entry, "[Desktop Entry]\n").expect("entry");
    let other = config.path().join("autostart/other.desktop");
    std::fs::write(&other, "[Desktop Entry]\n").expect("other");
    let forget = || {
        Command::new(BIN)
            .arg("--forget-start-at-login")
            .env("XDG_CONFIG_HOME", config.path())
            .output()
            .expect("the binary runs")
    };
    let out = forget();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!entry.exists(), "the entry is gone");
    assert!(other.exists(), "another program's entry stays");
    // Nothing to remove (most users never turned it on): still fine.
    assert!(forget().status.success());
}

/// The words of `args --help` from `from` up to `until`, whitespace folded
/// (so a flag's text can be compared across commands).
fn help_between(args: &[&str], from: &str, until: &str) -> String {
    let out = Command::new(BIN)
        .args(args)
        .arg("--help")
        .output()
        .expect("runs");
    let text = text(&out.stdout);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let start = flat
        .find(from)
        .unwrap_or_else(|| panic!("{args:?}: {text}"));
    let end = flat[start..]
        .find(until)
        .unwrap_or_else(|| panic!("{args:?}: {text}"));
    flat[start..start + end].to_string()
}

/// The username options mean one thing everywhere: every command that
/// counts client usernames shows the same two flags with the same words.
#[test]
fn the_username_options_are_one_definition() {
    let help = |args: &[&str]| help_between(args, "--use-email", "and this domain");
    let status = help(&["status"]);
    assert!(
        status.contains("--use-email") && status.contains("--append-domain <DOMAIN>"),
        "{status}"
    );
    for args in [&["check"][..], &["audit"], &["directors", "add"]] {
        assert_eq!(help(args), status, "{args:?} says it differently");
    }
}

/// The Director's own flags too: every command that talks to a Director
/// takes `--director`, `--login`, `--timeout` and `--trust-certificate`
/// with the same words.
#[test]
fn the_director_options_are_one_definition() {
    let help = |args: &[&str]| help_between(args, "--director <URL>", "and no other");
    let check = help(&["check"]);
    for args in [&["audit"][..], &["status"], &["fix"], &["directors", "add"]] {
        assert_eq!(help(args), check, "{args:?} says it differently");
    }
}

/// `--db` too: `audit`, `check` and `status` read a configuration database
/// alike, with the same words.
#[test]
fn the_database_option_is_one_definition() {
    let help = |command: &str| help_between(&[command], "--db <URL>", "or a prompt");
    let check = help("check");
    for command in ["audit", "status"] {
        assert_eq!(help(command), check, "{command} says it differently");
    }
}
