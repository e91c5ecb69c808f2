//! `hybrid-setup fix` against the simulator playing a real Director's web
//! interface: preview changes nothing; apply writes a backup first, changes
//! only the chosen fields, and a rerun finishes what a fault interrupted;
//! undo gives back the exact original; the 20% guard; a user changed since
//! the preview is skipped.

mod support;

use std::process::{Command, Output};
use std::sync::atomic::AtomicBool;

use hybrid_setup::client::director::web::WebDirector;
use hybrid_setup::client::http::ClientOptions;
use hybrid_setup::client::sim_admin::SimAdmin;
use hybrid_setup::contract::{Fault, UserRecord};
use hybrid_setup::domain::fix::{Change, FixField};
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::sim::{RunningSim, world};

const BIN: &str = env!("CARGO_BIN_EXE_hybrid-setup");

fn user(dn: &str, username: &str, email: &str) -> UserRecord {
    UserRecord {
        user_dn: dn.into(),
        first_name: format!("First{dn}"),
        last_name: format!("Last{dn}"),
        client_username: username.into(),
        email: email.into(),
        did: format!("+1617555{dn:0>4}"),
        ..Default::default()
    }
}

/// 20 users: 3 the suggestions fix, 1 for a person (a case duplicate).
fn directory() -> Vec<UserRecord> {
    let mut users: Vec<UserRecord> = (1..=16)
        .map(|i| {
            let address = format!("user{i}@acme.example");
            user(&i.to_string(), &address, &address)
        })
        .collect();
    users.push(user("17", "jdoe", "jane.doe@acme.example"));
    users.push(user("18", "bob @acme.example", "bob@acme.example"));
    users.push(user("19", "asmith", "al.smith@acme.example"));
    users.push(user("20", "USER1@acme.example", "user20@acme.example"));
    users
}

async fn director() -> RunningSim {
    support::web_only_sim(directory(), false).await
}

async fn users_now(url: &str) -> Vec<UserRecord> {
    let state = SimAdmin::new(url)
        .expect("admin")
        .state()
        .await
        .expect("state");
    serde_json::from_value(state["director"]["users"].clone()).expect("users")
}

async fn fix(
    home: &std::path::Path,
    url: &str,
    args: &[&str],
) -> (Option<i32>, serde_json::Value, String) {
    let (home, url) = (home.to_path_buf(), url.to_string());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out: Output = tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(["fix", "--director-web", &url, "--format", "json"])
            .args(&args)
            .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
            .env("HYBRID_SETUP_HOME", &home)
            .output()
            .expect("runs")
    })
    .await
    .expect("join");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code(), json, stderr)
}

/// The same fix once more finishes the job: every client username an address.
async fn rerun_fixes_every_user(home: &std::path::Path, url: &str) {
    let (code, json, err) = fix(home, url, &["--suggest", "--apply", "--allow-many"]).await;
    assert_eq!(code, Some(0), "{err}{json}");
    assert!(
        users_now(url)
            .await
            .iter()
            .all(|u| u.client_username.contains('@'))
    );
}

/// "N" of the audit's "N of X" against Director's web interface.
async fn audit_invalid(url: &str) -> u64 {
    let out = support::run_command(
        &["audit", "--director-web", url, "--format", "json"],
        world::DEMO_ADMIN_PASSWORD,
    )
    .await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    json["invalid"].as_u64().expect("invalid")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_apply_rerun_and_undo() {
    let director = director().await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    let before = users_now(&url).await;
    assert_eq!(audit_invalid(&url).await, 5);

    // Preview: the three it can stand behind, the case duplicate for a person.
    let (code, json, err) = fix(home.path(), &url, &["--suggest"]).await;
    assert_eq!(code, Some(0), "{err}{json}");
    let changes = json["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 3, "{json}");
    assert!(changes.iter().all(|c| c["result"] == "preview"));
    assert!(json["for_a_human"].to_string().contains("\"20\""), "{json}");
    assert_eq!(users_now(&url).await, before, "a preview changes nothing");

    // 3 of 20 users is 15%: no confirmation needed. A fault on one user's
    // PUT: the others are applied, the backup is there.
    let admin = SimAdmin::new(&url).expect("admin");
    admin
        .add_fault(&Fault {
            route: "PUT /director/users/18.json".into(),
            status: Some(500),
            times: Some(1),
            ..Default::default()
        })
        .await
        .expect("fault");
    let (code, json, err) = fix(home.path(), &url, &["--suggest", "--apply"]).await;
    assert_eq!(code, Some(1), "one failed: {err}{json}");
    let backup = json["backup"].as_str().expect("backup path").to_string();
    assert!(
        std::path::Path::new(&backup).starts_with(home.path()),
        "{backup}"
    );
    let result = |dn: &str| {
        json["changes"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["user_dn"] == dn))
            .map(|c| c["result"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(result("17").as_deref(), Some("applied"));
    assert_eq!(result("18").as_deref(), Some("failed"));

    // The rerun finishes the one left.
    let (code, json, err) = fix(home.path(), &url, &["--suggest", "--apply"]).await;
    assert_eq!(code, Some(0), "{err}{json}");
    let after = users_now(&url).await;
    // Only the chosen field of the chosen users differs; every other field
    // of every user is as it was.
    for (old, new) in before.iter().zip(&after) {
        let expected = match old.user_dn.as_str() {
            "17" => "jane.doe@acme.example",
            "18" => "bob@acme.example",
            "19" => "al.smith@acme.example",
            _ => old.client_username.as_str(),
        };
        assert_eq!(new.client_username, expected, "{}", old.user_dn);
        assert_eq!(
            (
                &new.user_dn,
                &new.first_name,
                &new.last_name,
                &new.email,
                &new.did
            ),
            (
                &old.user_dn,
                &old.first_name,
                &old.last_name,
                &old.email,
                &old.did
            )
        );
    }

    // Audited again: the three fixed, the case duplicate left for a person.
    assert_eq!(
        audit_invalid(&url).await,
        2,
        "users 1 and 20 share a username ignoring case"
    );

    // Undo: previewed, then the exact original back.
    let (code, json, _) = fix(home.path(), &url, &["--undo", &backup]).await;
    assert_eq!(code, Some(0));
    assert_eq!(json["changes"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        users_now(&url).await,
        after,
        "an undo preview changes nothing"
    );
    let (code, json, err) = fix(home.path(), &url, &["--undo", &backup, "--apply"]).await;
    assert_eq!(code, Some(0), "{err}{json}");
    assert_eq!(
        users_now(&url).await,
        before,
        "undo gives back the original"
    );
    director.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_changes_need_allow_many_and_bad_files_change_nothing() {
    let director = director().await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    let before = users_now(&url).await;
    // Five users of twenty (25%) from an Excel-edited export.
    let file = home.path().join("changes.csv");
    let mut csv =
        String::from("\u{feff}user_dn,first_name,last_name,client_username,email,result\n");
    for dn in ["1", "2", "3", "4", "5"] {
        csv.push_str(&format!(
            "\"{dn}\",\"F\",\"L\",\"u{dn}@acme.example\",\"\",\"x\"\n"
        ));
    }
    std::fs::write(&file, &csv).expect("write");
    let path = file.to_string_lossy().to_string();
    let (code, _, err) = fix(home.path(), &url, &["--changes", &path, "--apply"]).await;
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("5 of 20 users would change"), "{err}");
    assert_eq!(users_now(&url).await, before);
    assert!(
        !home.path().join("backups").exists(),
        "no backup without a write"
    );
    let (code, json, err) = fix(
        home.path(),
        &url,
        &["--changes", &path, "--apply", "--allow-many"],
    )
    .await;
    assert_eq!(code, Some(0), "{err}{json}");
    assert_eq!(users_now(&url).await[0].client_username, "u1@acme.example");

    std::fs::write(
        &file,
        "user_dn,client_username\n1,ok@acme.example\n,x@acme.example\n",
    )
    .expect("write");
    let (code, _, err) = fix(home.path(), &url, &["--changes", &path, "--apply"]).await;
    assert_eq!(code, Some(2));
    assert!(err.contains("line 3: user_dn is empty"), "{err}");
    director.stop().await;
}

/// A user whose value moved between the preview and the apply is skipped,
/// named, and the others go ahead; Director's own refusal is in its words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_changed_since_the_preview_are_skipped() {
    let director = director().await;
    let url = director.url();
    let web = WebDirector::sign_in(
        &url,
        ClientOptions::default(),
        "admin",
        &Secret::new(world::DEMO_ADMIN_PASSWORD),
    )
    .await
    .expect("sign in");
    let ids = web
        .users_with_ids(&|_, _| {})
        .await
        .expect("users")
        .ids_by_dn();
    let change = |dn: &str, old: &str, new: &str| Change {
        user_dn: dn.into(),
        field: FixField::ClientUsername,
        old: old.into(),
        new: new.into(),
    };
    let changes = vec![
        change("17", "not what it was", "jane.doe@acme.example"),
        change("19", "asmith", "al.smith@acme.example"),
        // Director refuses a client username another user has.
        change("1", "user1@acme.example", "user2@acme.example"),
    ];
    let dir = tempfile::tempdir().expect("dir");
    let report = hybrid_setup::service::fix::apply(
        &web,
        &url,
        &changes,
        &ids,
        dir.path(),
        &|_, _, _| {},
        &AtomicBool::new(false),
    )
    .await
    .expect("ran");
    let outcome = |dn: &str| {
        report
            .results
            .iter()
            .find(|(c, _)| c.user_dn == dn)
            .map(|(_, o)| o.clone())
            .expect("outcome")
    };
    assert!(
        matches!(outcome("17"), hybrid_setup::service::fix::Outcome::Refused(why) if why.contains("changed in Director since the preview")),
    );
    assert_eq!(outcome("19"), hybrid_setup::service::fix::Outcome::Applied);
    assert!(
        matches!(outcome("1"), hybrid_setup::service::fix::Outcome::Failed(why) if why.contains("GuiLoginName has already been taken")),
        "{:?}",
        outcome("1")
    );
    let backup = hybrid_setup::service::fix::read_backup(report.backup.as_deref().expect("backup"))
        .expect("backup");
    assert_eq!(
        backup.users.len(),
        3,
        "every user about to change, before the first write"
    );
    assert_eq!(backup.users[1].original["user"]["GuiLoginName"], "asmith");
    director.stop().await;
}

/// The fix view in the window: suggestions in the table, the preview, Apply
/// with a backup, the result, and Undo — against the simulator playing a
/// real Director.
#[test]
fn the_fix_view_previews_applies_and_undoes() {
    use hybrid_setup::domain::wizard::{Step, StepOrStart};
    use hybrid_setup::store::settings::{Settings, SettingsStore};
    use support::{click, has_text, wait_for};

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let director = runtime.block_on(director());
    let url = director.url();
    let before = runtime.block_on(users_now(&url));
    let home = tempfile::tempdir().expect("home");
    let mut settings = Settings::default();
    settings.progress.step = StepOrStart(Step::UsernameFormat);
    settings.progress.completed = vec![Step::Requirements, Step::LinkDirector, Step::Credentials];
    let mut config = support::app_config(&url, SettingsStore::new(home.path()), settings, false);
    config.portal_url = "http://127.0.0.1:9".into();
    let mut h = support::window(
        runtime.handle(),
        ClientOptions::default(),
        config,
        [1100.0, 900.0],
    );
    wait_for(&mut h, "the users", |h| {
        has_text(h, "client usernames invalid")
    });
    click(&mut h, "Fix in Director…");
    wait_for(&mut h, "the suggestions", |h| {
        has_text(h, "Preview 3 users")
    });
    click(&mut h, "Preview 3 users");
    wait_for(&mut h, "the preview", |h| has_text(h, "Apply 3 changes"));
    assert!(has_text(
        &h,
        "Preview: 3 users to change, 0 changes refused"
    ));
    assert_eq!(
        runtime.block_on(users_now(&url)),
        before,
        "nothing before Apply"
    );
    click(&mut h, "Apply 3 changes");
    wait_for(&mut h, "the result", |h| {
        has_text(h, "3 of 3 changes made in Director.")
    });
    assert!(has_text(&h, "Backup: "));
    let fixed = runtime.block_on(users_now(&url));
    assert_eq!(fixed[16].client_username, "jane.doe@acme.example");
    assert!(!h.state().progress().last_fix_backup.is_empty());
    click(&mut h, "Undo this fix");
    wait_for(&mut h, "the undo", |h| {
        has_text(h, "3 of 3 changes made in Director.") && !has_text(h, "Backup: ")
    });
    assert_eq!(runtime.block_on(users_now(&url)), before, "undone");
    click(&mut h, "Close");
    wait_for(&mut h, "the table again", |h| {
        has_text(h, "client usernames invalid")
    });
    drop(h);
    runtime.block_on(director.stop());
}

/// Director failing every change (its login page, or an error, for every
/// PUT): the run stops after five failures in a row instead of trying every
/// user, says so, and the backup is there; once Director is well again, the
/// same command finishes the job.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_in_a_row_stop_the_run_and_a_rerun_finishes() {
    use hybrid_setup::contract::FaultBody;
    let mut users: Vec<UserRecord> = (1..=40)
        .map(|i| {
            user(
                &i.to_string(),
                &format!("u{i}"),
                &format!("u{i}@acme.example"),
            )
        })
        .collect();
    users.push(user("41", "ok@acme.example", "ok@acme.example"));
    let director = support::web_only_sim(users, false).await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    let admin = SimAdmin::new(&url).expect("admin");
    for body in [FaultBody::WrongContentType, FaultBody::Normal] {
        admin
            .add_fault(&Fault {
                route: "PUT /director/users/*".into(),
                status: (body == FaultBody::Normal).then_some(503),
                body,
                ..Default::default()
            })
            .await
            .expect("fault");
        let (code, json, err) =
            fix(home.path(), &url, &["--suggest", "--apply", "--allow-many"]).await;
        assert_eq!(code, Some(1), "{err}{json}");
        assert!(
            json["stopped"]
                .as_str()
                .is_some_and(|s| s.contains("5 failures in a row")),
            "{json}"
        );
        let results = json["changes"].as_array().expect("changes");
        let failed = results.iter().filter(|c| c["result"] == "failed").count();
        assert_eq!(failed, 40, "the rest not reached: {json}");
        assert!(json["backup"].is_string());
        admin.clear_faults().await.expect("cleared");
    }
    assert!(
        users_now(&url)
            .await
            .iter()
            .take(40)
            .all(|u| !u.client_username.contains('@'))
    );
    rerun_fixes_every_user(home.path(), &url).await;
    director.stop().await;
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]

    /// Whatever the directory, applying the suggested fix and then undoing
    /// it gives back exactly the directory there was (every field of every
    /// user), and the fix itself never touches a field it did not list.
    #[test]
    fn apply_then_undo_gives_back_the_original(
        rows in proptest::collection::vec(
            (
                proptest::prop_oneof!["[a-c]{1,3}", "[a-c]{1,2}@acme\\.example", "[a-c ]{2,4}@acme\\.example"],
                proptest::prop_oneof![proptest::strategy::Just(String::new()), "[a-d]{1,3}@acme\\.example", "[a-c]{1,2}@acme"],
            ),
            1..12,
        )
    ) {
        let users: Vec<UserRecord> = rows
            .iter()
            .enumerate()
            .map(|(i, (username, email))| user(&(i + 1).to_string(), username, email))
            .collect();
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async {
            let director = support::web_only_sim(users, false).await;
            let url = director.url();
            let before = users_now(&url).await;
            let web = WebDirector::sign_in(&url, ClientOptions::default(), "admin", &Secret::new(world::DEMO_ADMIN_PASSWORD))
                .await
                .expect("sign in");
            let listed = web.users_with_ids(&|_, _| {}).await.expect("users");
            let ids = listed.ids_by_dn();
            let directory = listed.users;
            let suggestions = hybrid_setup::domain::fix::suggest(&directory, Some("acme.example"));
            let preview = hybrid_setup::domain::fix::preview(&directory, &suggestions.wanted);
            let changes: Vec<Change> = preview.accepted().cloned().collect();
            let dir = tempfile::tempdir().expect("dir");
            let no_progress = |_: usize, _: usize, _: &str| {};
            let report = hybrid_setup::service::fix::apply(&web, &url, &changes, &ids, dir.path(), &no_progress, &AtomicBool::new(false))
                .await
                .expect("applied");
            assert!(report.all_applied(), "{report:?}");
            let fixed = users_now(&url).await;
            for (old, new) in before.iter().zip(&fixed) {
                let listed = |field: FixField| changes.iter().any(|c| c.user_dn == old.user_dn && c.field == field);
                if !listed(FixField::ClientUsername) {
                    assert_eq!(old.client_username, new.client_username);
                }
                if !listed(FixField::Email) {
                    assert_eq!(old.email, new.email);
                }
                assert_eq!((&old.first_name, &old.last_name, &old.did), (&new.first_name, &new.last_name, &new.did));
            }
            // Director does not let two users share a client username: an
            // original duplicate is the one value undo cannot recreate, and
            // it says so in Director's words. Everything else comes back.
            let mut not_recreated = std::collections::HashSet::new();
            if let Some(path) = &report.backup {
                let backup = hybrid_setup::service::fix::read_backup(path).expect("backup");
                let undone = hybrid_setup::service::fix::undo(&web, &backup, &no_progress, &AtomicBool::new(false)).await;
                for (change, outcome) in &undone.results {
                    match outcome {
                        hybrid_setup::service::fix::Outcome::Applied => {}
                        hybrid_setup::service::fix::Outcome::Failed(why) => {
                            // One PUT per user: its other field goes with it.
                            let original = before.iter().find(|u| u.user_dn == change.user_dn).expect("user");
                            let shared = before.iter().filter(|u| {
                                u.client_username.trim().eq_ignore_ascii_case(original.client_username.trim())
                            }).count() > 1;
                            assert!(shared && why.contains("already been taken"), "{change:?}: {why}");
                            not_recreated.insert(change.user_dn.clone());
                        }
                        other => panic!("{change:?}: {other:?}"),
                    }
                }
            }
            let after = users_now(&url).await;
            for (old, new) in before.iter().zip(&after) {
                if !not_recreated.contains(&old.user_dn) {
                    assert_eq!(old, new);
                }
            }
            director.stop().await;
        });
    }
}

/// Ctrl+C during an apply: the users in flight finish, the rest are not
/// started, the report and the backup are printed; a rerun does the rest.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_before_the_next_user() {
    let users: Vec<UserRecord> = (1..=60)
        .map(|i| {
            user(
                &i.to_string(),
                &format!("u{i}"),
                &format!("u{i}@acme.example"),
            )
        })
        .collect();
    let director = support::web_only_sim(users, false).await;
    let url = director.url();
    SimAdmin::new(&url)
        .expect("admin")
        .add_fault(&Fault {
            route: "PUT /director/users/*".into(),
            latency_ms: 500,
            ..Default::default()
        })
        .await
        .expect("slow writes");
    let home = tempfile::tempdir().expect("home");
    let child = Command::new(BIN)
        .args([
            "fix",
            "--director-web",
            &url,
            "--format",
            "json",
            "--suggest",
            "--apply",
            "--allow-many",
        ])
        .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
        .env("HYBRID_SETUP_HOME", home.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    // Ctrl+C once the first users are changed.
    let started = std::time::Instant::now();
    while !users_now(&url)
        .await
        .iter()
        .any(|u| u.client_username.contains('@'))
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "nothing applied"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().expect("ends"))
        .await
        .expect("join");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(1), "{json}");
    assert_eq!(json["stopped"], "cancelled", "{json}");
    assert!(json["backup"].is_string());
    let applied = json["changes"]
        .as_array()
        .map_or(0, |c| c.iter().filter(|c| c["result"] == "applied").count());
    assert!(
        applied > 0 && applied < 60,
        "{applied} applied before the stop"
    );
    rerun_fixes_every_user(home.path(), &url).await;
    director.stop().await;
}

/// A PUT that never answers (the client's timeout fires): that user is
/// "failed" with the reason, the others are applied; whether Director made
/// the change or not, the rerun ends with every user fixed and none twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_never_answers_fails_alone_and_the_rerun_settles_it() {
    let director = director().await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    SimAdmin::new(&url)
        .expect("admin")
        .add_fault(&Fault {
            route: "PUT /director/users/17.json".into(),
            timeout: true,
            times: Some(1),
            ..Default::default()
        })
        .await
        .expect("fault");
    let (code, json, err) = fix(
        home.path(),
        &url,
        &["--suggest", "--apply", "--timeout", "2"],
    )
    .await;
    assert_eq!(code, Some(1), "{err}{json}");
    let result = |dn: &str| {
        json["changes"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["user_dn"] == dn))
            .cloned()
            .expect("listed")
    };
    assert_eq!(result("17")["result"], "failed", "{json}");
    assert!(
        result("17")["reason"]
            .as_str()
            .is_some_and(|r| r.contains("2 s")),
        "{json}"
    );
    assert_eq!(result("19")["result"], "applied");
    let (code, json, err) = fix(home.path(), &url, &["--suggest", "--apply"]).await;
    assert_eq!(code, Some(0), "{err}{json}");
    let after = users_now(&url).await;
    assert_eq!(after[16].client_username, "jane.doe@acme.example");
    director.stop().await;
}
