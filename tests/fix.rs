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
    // Each row: old = Director's value now, new = the value put back.
    for row in json["changes"].as_array().into_iter().flatten() {
        let dn = row["user_dn"].as_str().unwrap_or_default();
        let was = before.iter().find(|u| u.user_dn == dn).expect("listed");
        let now = after.iter().find(|u| u.user_dn == dn).expect("listed");
        assert_eq!(
            (row["old"].as_str(), row["new"].as_str()),
            (
                Some(now.client_username.as_str()),
                Some(was.client_username.as_str())
            ),
            "{row}"
        );
    }
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
        hybrid_setup::service::fix::RunKind::Fix,
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
    use support::{click, has_label, has_text, wait_for};

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
        has_text(h, "Review 3 users…")
    });
    assert!(
        !has_label(&h, "Save to Director") && !has_label(&h, "Back"),
        "the wizard's buttons are hidden"
    );
    click(&mut h, "Review 3 users…");
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let apply = format!("Apply 3 changes to {host}…");
    wait_for(&mut h, "the review", |h| has_text(h, &apply));
    assert!(has_text(
        &h,
        "3 users to change, 0 refused, 17 left as they are (of 20 users). Nothing was changed yet."
    ));
    assert!(has_text(&h, "jane.doe@acme.example"), "After, in the table");
    assert!(has_text(&h, "will change"));
    assert_eq!(
        runtime.block_on(users_now(&url)),
        before,
        "nothing before Apply"
    );
    // Apply asks once, naming the backup, before it writes.
    click(&mut h, &apply);
    wait_for(&mut h, "the question", |h| {
        has_text(h, "Yes, apply 3 changes")
    });
    assert!(has_text(&h, "A backup of those users is written first to"));
    assert_eq!(
        runtime.block_on(users_now(&url)),
        before,
        "asked, not written"
    );
    click(&mut h, "Yes, apply 3 changes");
    wait_for(&mut h, "the result", |h| {
        has_text(h, "3 of 3 changes made in Director.")
    });
    assert!(has_text(&h, "Backup: "));
    assert!(has_label(&h, "Open backup folder"));
    let fixed = runtime.block_on(users_now(&url));
    assert_eq!(fixed[16].client_username, "jane.doe@acme.example");
    assert!(!h.state().progress().last_fix_backup.is_empty());
    // The backup is beside the window's settings (here: the test's home),
    // not in the real settings folder.
    let backup = std::path::PathBuf::from(&h.state().progress().last_fix_backup);
    assert!(
        backup.starts_with(home.path().join("backups")) && backup.exists(),
        "{}",
        backup.display()
    );
    assert_eq!(backups_in(home.path()).len(), 1);
    // Undo shows its table first: Director now → the value put back.
    click(&mut h, "Undo this fix…");
    let put_back = format!("Put back 3 changes in {host}…");
    wait_for(&mut h, "the undo's table", |h| has_text(h, &put_back));
    assert!(has_text(&h, "jdoe"), "the value put back");
    assert_eq!(
        runtime.block_on(users_now(&url)),
        fixed,
        "nothing before Put back"
    );
    click(&mut h, &put_back);
    click(&mut h, "Yes, put back 3 changes");
    wait_for(&mut h, "the undo", |h| {
        has_text(h, "3 of 3 changes made in Director (put back).")
    });
    assert_eq!(runtime.block_on(users_now(&url)), before, "undone");
    // The undo can be undone too: its own table first.
    click(&mut h, "Undo this undo…");
    wait_for(&mut h, "the undo of the undo", |h| {
        has_text(h, "Put back 3 changes in ")
    });
    click(&mut h, "Close");
    wait_for(&mut h, "the table again", |h| {
        has_text(h, "client usernames invalid")
    });
    // The view lists the fix and the undo, each with an Undo… of its own.
    click(&mut h, "Fix in Director…");
    wait_for(&mut h, "the earlier fixes", |h| {
        has_text(h, "Earlier fixes of this Director (2)")
    });
    click(&mut h, "Earlier fixes of this Director (2)");
    wait_for(&mut h, "the list", |h| {
        has_text(h, "a fix, undone, 3 changes of 3 users")
    });
    assert!(has_text(&h, "an undo, 3 changes of 3 users"));
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
        let writes_before = admin
            .requests_to("PUT /director/users/")
            .await
            .expect("counted");
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
        let not_run: Vec<_> = results
            .iter()
            .filter(|c| c["result"] == "not_run")
            .collect();
        // Five in a row stop it; at most the ones already in flight also fail.
        let most =
            hybrid_setup::service::fix::STOP_AFTER_FAILURES + hybrid_setup::service::fix::IN_FLIGHT;
        assert!((5..=most).contains(&failed), "{failed} tried: {json}");
        assert_eq!(failed + not_run.len(), 40, "{json}");
        assert!(
            not_run
                .iter()
                .all(|c| c["reason"] == "not reached: the run stopped first"),
            "{json}"
        );
        assert!(json["backup"].is_string());
        let writes = admin
            .requests_to("PUT /director/users/")
            .await
            .expect("counted")
            - writes_before;
        assert_eq!(
            writes as usize, failed,
            "one PUT per user tried, none for the rest"
        );
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
            let report = hybrid_setup::service::fix::apply(&web, &url, &changes, &ids, dir.path(), hybrid_setup::service::fix::RunKind::Fix, &no_progress, &AtomicBool::new(false))
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
                let review = hybrid_setup::service::fix::plan_undo(&web, &url, path, &backup).await.expect("an undo of this Director");
                assert!(review.plan.rows.iter().all(|r| r.left_alone.is_none()), "nothing changed since: {review:?}");
                let undone = hybrid_setup::service::fix::undo(&web, &url, &review, dir.path(), &no_progress, &AtomicBool::new(false)).await.expect("undone");
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
    let applied: std::collections::BTreeSet<String> = json["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["result"] == "applied")
        .filter_map(|c| c["user_dn"].as_str().map(str::to_string))
        .collect();
    assert!(
        !applied.is_empty() && applied.len() < 60,
        "{} applied before the stop",
        applied.len()
    );
    // Exactly the users reported applied were changed in Director: none
    // in flight was lost or left out of the report.
    let changed: std::collections::BTreeSet<String> = users_now(&url)
        .await
        .iter()
        .filter(|u| u.client_username.contains('@'))
        .map(|u| u.user_dn.clone())
        .collect();
    assert_eq!(changed, applied);
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

/// The PUTs the simulator was sent so far.
async fn writes(url: &str) -> u64 {
    SimAdmin::new(url)
        .expect("admin")
        .requests_to("PUT /director/users/")
        .await
        .expect("counted")
}

fn backups_in(home: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(home.join("backups"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.sort();
    found
}

/// A backup edited into something else: written to a copy, then given to
/// `fix --undo --apply`, which must refuse it before any write.
async fn undo_of_edited_backup_is_refused(
    home: &std::path::Path,
    url: &str,
    backup: &serde_json::Value,
    edit: impl Fn(&mut serde_json::Value),
    expected: &str,
) {
    let mut edited = backup.clone();
    edit(&mut edited);
    let path = home.join("edited.json");
    std::fs::write(&path, serde_json::to_vec(&edited).expect("json")).expect("write");
    let (put_before, users_before) = (writes(url).await, users_now(url).await);
    let (code, json, err) = fix(
        home,
        url,
        &["--undo", &path.to_string_lossy(), "--apply", "--allow-many"],
    )
    .await;
    assert_eq!(code, Some(2), "{expected}: {err}{json}");
    assert!(err.contains(expected), "{expected}: {err}");
    assert!(!err.contains('\u{1b}'), "no raw escape: {err:?}");
    assert_eq!(writes(url).await, put_before, "{expected}: no PUT");
    assert_eq!(users_now(url).await, users_before);
}

/// An undo is a fix like any other: it reads Director first, refuses a
/// backup that is not of this Director or these users or holds hidden
/// characters (0 PUT), previews old = Director now → new = put back, writes
/// a backup of its own, and once done there is nothing left to put back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undo_is_checked_like_any_other_write() {
    let director = director().await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    let before = users_now(&url).await;
    let (code, json, err) = fix(home.path(), &url, &["--suggest", "--apply"]).await;
    assert_eq!(code, Some(0), "{err}{json}");
    let backup_path = json["backup"].as_str().expect("backup").to_string();
    let name = std::path::Path::new(&backup_path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let port = url
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    assert!(
        name.starts_with(&format!("127.0.0.1_{port}-"))
            && name.len() == format!("127.0.0.1_{port}-YYYYMMDD-HHMMSS.json").len(),
        "{name}"
    );
    let backup: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&backup_path).expect("read")).expect("json");
    let fixed = users_now(&url).await;

    // Another Director's backup (another port: another origin).
    undo_of_edited_backup_is_refused(
        home.path(),
        &url,
        &backup,
        |b| b["origin"] = serde_json::json!("http://127.0.0.1:1"),
        "this backup is of http://127.0.0.1:1",
    )
    .await;
    // An id that is another user in Director, consistently edited.
    undo_of_edited_backup_is_refused(
        home.path(),
        &url,
        &backup,
        |b| {
            let user = &mut b["users"][0];
            user["user_dn"] = serde_json::json!("999-not-this-user");
            user["original"]["user"]["UserDN"] = serde_json::json!("999-not-this-user");
            for change in user["changes"].as_array_mut().into_iter().flatten() {
                change["user_dn"] = serde_json::json!("999-not-this-user");
            }
        },
        "the backup says it is 999-not-this-user",
    )
    .await;
    // A change listed under another user than its own.
    undo_of_edited_backup_is_refused(
        home.path(),
        &url,
        &backup,
        |b| b["users"][0]["changes"][0]["user_dn"] = serde_json::json!("20"),
        "the file was edited or damaged",
    )
    .await;
    // A value to put back with a terminal escape in it.
    undo_of_edited_backup_is_refused(
        home.path(),
        &url,
        &backup,
        |b| {
            let user = &mut b["users"][0];
            user["original"]["user"]["GuiLoginName"] = serde_json::json!("j\u{1b}[2Jdoe");
            user["changes"][0]["old"] = serde_json::json!("j\u{1b}[2Jdoe");
        },
        "holds hidden characters",
    )
    .await;

    // The preview: Director's value now → the value put back.
    let (code, json, err) = fix(home.path(), &url, &["--undo", &backup_path]).await;
    assert_eq!(code, Some(0), "{err}{json}");
    assert_eq!(json["to_put_back"], 3, "{json}");
    let row = json["changes"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["user_dn"] == "17"))
        .cloned()
        .expect("17");
    assert_eq!(
        (row["old"].as_str(), row["new"].as_str()),
        (Some("jane.doe@acme.example"), Some("jdoe"))
    );

    // A user changed in Director since the fix is left alone.
    let web = WebDirector::sign_in(
        &url,
        ClientOptions::default(),
        "admin",
        &Secret::new(world::DEMO_ADMIN_PASSWORD),
    )
    .await
    .expect("sign in");
    let id19 = web
        .users_with_ids(&|_, _| {})
        .await
        .expect("users")
        .ids_by_dn()["19"];
    let mut document = web.user_document(id19).await.expect("19");
    document["user"]["GuiLoginName"] = serde_json::json!("al@acme.example");
    web.update_user(id19, &document)
        .await
        .expect("changed by hand");
    let (code, json, err) = fix(home.path(), &url, &["--undo", &backup_path, "--apply"]).await;
    assert_eq!(code, Some(1), "one left alone: {err}{json}");
    let undo_backup = json["backup"]
        .as_str()
        .expect("the undo's own backup")
        .to_string();
    assert_ne!(undo_backup, backup_path);
    let own: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&undo_backup).expect("read")).expect("json");
    assert_eq!(own["undoes"], name.as_str(), "{own}");
    let now = users_now(&url).await;
    for (was, is) in before.iter().zip(&now) {
        match was.user_dn.as_str() {
            "19" => assert_eq!(is.client_username, "al@acme.example", "left alone"),
            _ => assert_eq!(was, is),
        }
    }
    assert_ne!(now, fixed);

    // Done: a second undo has nothing to put back, writes nothing, no backup.
    let (put_before, files_before) = (writes(&url).await, backups_in(home.path()));
    let (code, json, err) = fix(home.path(), &url, &["--undo", &backup_path, "--apply"]).await;
    assert_eq!(code, Some(0), "{err}{json}");
    assert_eq!(json["to_put_back"], 0, "{json}");
    assert_eq!(writes(&url).await, put_before);
    assert_eq!(
        backups_in(home.path()),
        files_before,
        "no backup without a write"
    );
    let text = std::process::Command::new(BIN)
        .args(["fix", "--director", &url, "--undo", &backup_path])
        .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
        .env("HYBRID_SETUP_HOME", home.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Nothing to put back"), "{text}");

    // The undo can itself be undone: it puts the fix's values back.
    let (code, json, err) = fix(home.path(), &url, &["--undo", &undo_backup]).await;
    assert_eq!(code, Some(0), "{err}{json}");
    assert_eq!(json["to_put_back"], 2, "17 and 18 again: {json}");

    // --list-backups names both, the fix as undone.
    let listed = std::process::Command::new(BIN)
        .args(["fix", "--list-backups"])
        .env("HYBRID_SETUP_HOME", home.path())
        .output()
        .expect("runs");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("fix, undone"), "{listed}");
    assert!(listed.contains(&format!("undo of {name}")), "{listed}");
    assert!(listed.contains("3 users, 3 changes"), "{listed}");
    director.stop().await;
}

/// More than a fifth of Director put back needs --allow-many too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undo_of_many_users_needs_allow_many() {
    let director = director().await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    let before = users_now(&url).await;
    let file = home.path().join("changes.csv");
    let mut csv = String::from("user_dn;client_username\n");
    // Users 2-6: user 1's original value is user 20's too (ignoring
    // case), which Director would not let an undo recreate.
    for dn in ["2", "3", "4", "5", "6"] {
        csv.push_str(&format!("{dn};u{dn}@acme.example\n"));
    }
    std::fs::write(&file, &csv).expect("write");
    let path = file.to_string_lossy().to_string();
    let (code, json, err) = fix(
        home.path(),
        &url,
        &["--changes", &path, "--apply", "--allow-many"],
    )
    .await;
    assert_eq!(code, Some(0), "semicolons read: {err}{json}");
    let backup = json["backup"].as_str().expect("backup").to_string();
    let changed = users_now(&url).await;
    let put_before = writes(&url).await;
    let (code, _, err) = fix(home.path(), &url, &["--undo", &backup, "--apply"]).await;
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(
        err.trim(),
        "error: 5 of 20 users would change (more than 20%); nothing was changed. Run again with --allow-many if that is meant"
    );
    assert_eq!(writes(&url).await, put_before);
    assert_eq!(users_now(&url).await, changed);
    let (code, json, err) = fix(
        home.path(),
        &url,
        &["--undo", &backup, "--apply", "--allow-many"],
    )
    .await;
    assert_eq!(code, Some(0), "{err}{json}");
    assert_eq!(users_now(&url).await, before);
    director.stop().await;
}

/// Nothing to change: no write, no backup, one sentence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_with_nothing_to_do_writes_no_backup() {
    let director = director().await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    let (code, _, err) = fix(home.path(), &url, &["--suggest", "--apply"]).await;
    assert_eq!(code, Some(0), "{err}");
    let files = backups_in(home.path());
    assert_eq!(files.len(), 1);
    let out = std::process::Command::new(BIN)
        .args(["fix", "--director", &url, "--suggest", "--apply"])
        .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
        .env("HYBRID_SETUP_HOME", home.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            "Nothing to change: 0 users to change, 0 refused, 20 left as they are (of 20 users)."
        ),
        "{text}"
    );
    assert!(!text.contains("Backup:"), "{text}");
    assert_eq!(backups_in(home.path()), files, "no empty backup");
    director.stop().await;
}

/// Director answers 200 to a PUT but keeps the old value: reading the user
/// back shows it, and the change is reported failed, in those words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ok_that_kept_the_old_value_is_a_failure() {
    use hybrid_setup::contract::FaultBody;
    let director = director().await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    let web = WebDirector::sign_in(
        &url,
        ClientOptions::default(),
        "admin",
        &Secret::new(world::DEMO_ADMIN_PASSWORD),
    )
    .await
    .expect("sign in");
    let id17 = web
        .users_with_ids(&|_, _| {})
        .await
        .expect("users")
        .ids_by_dn()["17"];
    SimAdmin::new(&url)
        .expect("admin")
        .add_fault(&Fault {
            route: format!("PUT /director/users/{id17}.json"),
            body: FaultBody::IgnoredWrite,
            ..Default::default()
        })
        .await
        .expect("fault");
    let (code, json, err) = fix(home.path(), &url, &["--suggest", "--apply"]).await;
    assert_eq!(code, Some(1), "{err}{json}");
    let row = json["changes"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["user_dn"] == "17"))
        .cloned()
        .expect("17");
    assert_eq!(row["result"], "failed", "{json}");
    assert_eq!(
        row["reason"], "Director answered OK but kept \"jdoe\"",
        "{json}"
    );
    let results: Vec<&str> = json["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["result"].as_str())
        .collect();
    assert_eq!(
        results.iter().filter(|r| **r == "applied").count(),
        2,
        "{json}"
    );
    director.stop().await;
}

/// Two users whose client usernames clash ignoring case: Director saves a
/// user whole, so no email can be given to either while the clash stays.
/// The preview says so (refused, with why); nothing is sent for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_director_would_refuse_is_refused_in_the_preview() {
    let users = vec![
        UserRecord {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            ..user("1", "ann@acme.example", "")
        },
        UserRecord {
            first_name: "Anne".into(),
            last_name: "Leigh".into(),
            ..user("2", "ANN@acme.example", "")
        },
        UserRecord {
            first_name: "Bo".into(),
            last_name: "Ray".into(),
            ..user("3", "bo@acme.example", "")
        },
    ];
    let director = support::web_only_sim(users, false).await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    let (code, json, err) = fix(
        home.path(),
        &url,
        &["--suggest", "--email-domain", "acme.example"],
    )
    .await;
    assert_eq!(code, Some(1), "refusals: {err}{json}");
    let result = |dn: &str| {
        json["changes"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["user_dn"] == dn))
            .cloned()
            .unwrap_or_default()
    };
    for dn in ["1", "2"] {
        assert_eq!(result(dn)["result"], "refused", "{json}");
        assert!(
            result(dn)["reason"].as_str().is_some_and(
                |r| r.contains("Director would not save this user: its client username")
            ),
            "{json}"
        );
    }
    assert_eq!(result("3")["result"], "preview", "{json}");
    assert_eq!(
        (json["to_change"].as_u64(), json["refused"].as_u64()),
        (Some(1), Some(2))
    );
    let put_before = writes(&url).await;
    let (code, json, err) = fix(
        home.path(),
        &url,
        &[
            "--suggest",
            "--email-domain",
            "acme.example",
            "--apply",
            "--allow-many",
        ],
    )
    .await;
    assert_eq!(code, Some(1), "{err}{json}");
    assert_eq!(writes(&url).await - put_before, 1, "only Bo's PUT");
    director.stop().await;
}

/// Changes files as spreadsheets save them, and a short row refused by line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_files_with_semicolons_tabs_and_a_short_row() {
    let director = director().await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    let file = home.path().join("changes.csv");
    let path = file.to_string_lossy().to_string();
    for separator in [";", "\t"] {
        std::fs::write(
            &file,
            format!("\u{feff}user_dn{separator}client_username\r\n17{separator}jane.doe@acme.example\r\n"),
        )
        .expect("write");
        let (code, json, err) = fix(home.path(), &url, &["--changes", &path]).await;
        assert_eq!(code, Some(0), "{separator:?}: {err}{json}");
        assert_eq!(json["to_change"], 1, "{json}");
    }
    std::fs::write(
        &file,
        "user_dn,client_username,email\n17,jane.doe@acme.example,jane.doe@acme.example\n19,al.smith@acme.example\n",
    )
    .expect("write");
    let before = users_now(&url).await;
    let (code, _, err) = fix(home.path(), &url, &["--changes", &path, "--apply"]).await;
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("line 3: 2 fields where the header has 3: a field is missing"),
        "{err}"
    );
    assert_eq!(users_now(&url).await, before);
    director.stop().await;
}

/// A client username with a newline and an escape sequence: the log gets
/// one line for it, escaped; no raw escape byte reaches the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_from_director_are_escaped_in_the_log() {
    let users = vec![
        user("1", "ok@acme.example", "ok@acme.example"),
        user(
            "2",
            "evil\n2026-12-05 INFO forged\u{1b}[31m",
            "evil@acme.example",
        ),
    ];
    let director = support::web_only_sim(users, false).await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    let (code, json, err) = fix(home.path(), &url, &["--suggest", "--apply", "--allow-many"]).await;
    assert_eq!(code, Some(0), "{err}{json}");
    let mut log = Vec::new();
    for entry in std::fs::read_dir(home.path().join("logs"))
        .expect("logs")
        .flatten()
    {
        log.extend(std::fs::read(entry.path()).expect("log"));
    }
    assert!(!log.contains(&0x1b), "no raw escape in the log");
    let log = String::from_utf8_lossy(&log);
    let changed: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("changed in Director"))
        .collect();
    assert_eq!(changed.len(), 1, "{log}");
    assert!(
        changed[0].contains("evil\\u{a}2026-12-05 INFO forged\\u{1b}[31m"),
        "{log}"
    );
    assert!(
        !log.lines().any(|l| l.starts_with("2026-12-05 INFO forged")),
        "{log}"
    );
    director.stop().await;
}

/// The review with a refused row: the filter shows only it, Esc goes back
/// to editing with the cells as they were, and Close leaves nothing written.
#[test]
fn the_fix_review_filters_refused_rows_and_esc_goes_back() {
    use hybrid_setup::domain::wizard::{Step, StepOrStart};
    use hybrid_setup::store::settings::{Settings, SettingsStore};
    use support::{click, has_label, has_text, replace, wait_for};

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
        has_text(h, "Review 3 users…")
    });
    // Al Smith's new client username made another user's: refused.
    replace(
        &mut h,
        "New client username for First19 Last19",
        "user2@acme.example",
    );
    click(&mut h, "Review 3 users…");
    wait_for(&mut h, "the review", |h| has_text(h, "Apply 2 changes to "));
    assert!(has_text(
        &h,
        "2 users to change, 1 refused, 18 left as they are (of 20 users)."
    ));
    assert!(
        has_text(&h, "would be a duplicate"),
        "the reason is on screen"
    );
    assert!(has_text(&h, "jane.doe@acme.example"));
    click(&mut h, "Show only the 1 change not made");
    h.run();
    assert!(
        !has_text(&h, "jane.doe@acme.example"),
        "only the refused row"
    );
    assert!(has_text(&h, "user2@acme.example"));
    h.key_press(egui::Key::Escape);
    h.run();
    wait_for(&mut h, "editing again", |h| has_text(h, "Review 3 users…"));
    assert!(!has_label(&h, "Back"), "Esc did not leave the step");
    click(&mut h, "Close");
    wait_for(&mut h, "the table again", |h| {
        has_text(h, "client usernames invalid")
    });
    assert!(
        has_label(&h, "Save to Director"),
        "the wizard's buttons are back"
    );
    assert_eq!(runtime.block_on(users_now(&url)), before, "nothing written");
    drop(h);
    runtime.block_on(director.stop());
}

/// One user takes the value another gives up (9: `bray` → `bob@…` while
/// 10: `bob@…` → `bob.r@…`): the one giving it up is written first, also
/// when its write is the slow one — and the undo, the other way round,
/// waits the other way. Without that order, Director refuses the taker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_given_up_is_taken_only_after_and_back_again() {
    let mut users: Vec<UserRecord> = (1..=8)
        .map(|i| {
            let address = format!("u{i}@acme.example");
            user(&i.to_string(), &address, &address)
        })
        .collect();
    users.push(user("9", "bray", "bob.ray@acme.example"));
    users.push(user("10", "bob@acme.example", "bob.r@acme.example"));
    let director = support::web_only_sim(users, false).await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    let before = users_now(&url).await;
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
    let admin = SimAdmin::new(&url).expect("admin");
    let slow = |dn: &str| Fault {
        route: format!("PUT /director/users/{}.json", ids[dn]),
        latency_ms: 400,
        times: Some(1),
        ..Default::default()
    };
    // The giver's write is the slow one: taken at once, it would be refused.
    admin.add_fault(&slow("10")).await.expect("fault");
    let file = home.path().join("changes.csv");
    std::fs::write(
        &file,
        "user_dn,client_username\n9,bob@acme.example\n10,bob.r@acme.example\n",
    )
    .expect("write");
    let (code, json, err) = fix(
        home.path(),
        &url,
        &["--changes", &file.to_string_lossy(), "--apply"],
    )
    .await;
    assert_eq!(code, Some(0), "{err}{json}");
    let now = users_now(&url).await;
    assert_eq!(now[8].client_username, "bob@acme.example");
    assert_eq!(now[9].client_username, "bob.r@acme.example");
    // The undo: now 9 gives `bob@…` back up and 10 takes it; 9 is slow.
    admin.add_fault(&slow("9")).await.expect("fault");
    let backup = json["backup"].as_str().expect("backup").to_string();
    let (code, json, err) = fix(home.path(), &url, &["--undo", &backup, "--apply"]).await;
    assert_eq!(code, Some(0), "{err}{json}");
    assert_eq!(users_now(&url).await, before, "undone");
    director.stop().await;
}

/// A `PUT` that Director carries out but whose answer is lost: that user is
/// reported failed (reading it back is not trusted either way), and the
/// rerun finds it already done — Director is written to once for that user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_answer_is_lost_is_not_made_twice() {
    use hybrid_setup::contract::FaultBody;
    let director = director().await;
    let url = director.url();
    let home = tempfile::tempdir().expect("home");
    let web = WebDirector::sign_in(
        &url,
        ClientOptions::default(),
        "admin",
        &Secret::new(world::DEMO_ADMIN_PASSWORD),
    )
    .await
    .expect("sign in");
    let id = web
        .users_with_ids(&|_, _| {})
        .await
        .expect("users")
        .ids_by_dn()["17"];
    let route = format!("PUT /director/users/{id}.json");
    let admin = SimAdmin::new(&url).expect("admin");
    admin
        .add_fault(&Fault {
            route: route.clone(),
            body: FaultBody::LostAfterWrite,
            times: Some(1),
            ..Default::default()
        })
        .await
        .expect("fault");
    let (code, json, err) = fix(home.path(), &url, &["--suggest", "--apply"]).await;
    assert_eq!(code, Some(1), "{err}{json}");
    let row = json["changes"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["user_dn"] == "17"))
        .cloned()
        .expect("17");
    assert_eq!(row["result"], "failed", "{json}");
    assert_eq!(
        users_now(&url).await[16].client_username,
        "jane.doe@acme.example",
        "made"
    );
    let (code, json, err) = fix(home.path(), &url, &["--suggest", "--apply"]).await;
    assert_eq!(code, Some(0), "{err}{json}");
    assert_eq!(
        admin.requests_to(&route).await.expect("counted"),
        1,
        "user 17 written once over both runs"
    );
    director.stop().await;
}

/// Cancel during an apply in the window: the users in flight finish, the
/// rest are "not reached", the result says the run stopped, and Director
/// holds exactly the changes reported made.
#[test]
fn the_fix_view_cancels_before_the_next_user() {
    use hybrid_setup::domain::wizard::{Step, StepOrStart};
    use hybrid_setup::store::settings::{Settings, SettingsStore};
    use support::{click, has_text, wait_for};

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let users: Vec<UserRecord> = (1..=30)
        .map(|i| {
            user(
                &i.to_string(),
                &format!("u{i}"),
                &format!("u{i}@acme.example"),
            )
        })
        .collect();
    let director = runtime.block_on(support::web_only_sim(users, false));
    let url = director.url();
    runtime
        .block_on(SimAdmin::new(&url).expect("admin").add_fault(&Fault {
            route: "PUT /director/users/*".into(),
            latency_ms: 300,
            ..Default::default()
        }))
        .expect("slow writes");
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
        has_text(h, "Review 30 users…")
    });
    click(&mut h, "Review 30 users…");
    wait_for(&mut h, "the review", |h| {
        has_text(h, "Apply 30 changes to ")
    });
    let apply = format!(
        "Apply 30 changes to {}…",
        url.trim_start_matches("http://").trim_end_matches('/')
    );
    click(&mut h, &apply);
    wait_for(&mut h, "the question", |h| {
        has_text(h, "Yes, apply 30 changes")
    });
    click(&mut h, "Yes, apply 30 changes");
    wait_for(&mut h, "the first users written", |h| {
        has_text(h, "Cancel")
            && runtime
                .block_on(users_now(&url))
                .iter()
                .any(|u| u.client_username.contains('@'))
    });
    click(&mut h, "Cancel");
    wait_for(&mut h, "the result", |h| {
        has_text(h, "The run stopped: cancelled")
    });
    assert!(has_text(&h, "not reached"), "the rest not reached");
    let now = runtime.block_on(users_now(&url));
    let changed = now
        .iter()
        .filter(|u| u.client_username.contains('@'))
        .count();
    assert!(changed > 0 && changed < 30, "{changed} changed");
    assert!(
        has_text(&h, &format!("{changed} of 30 changes made in Director.")),
        "the count made is what Director holds ({changed})"
    );
    drop(h);
    runtime.block_on(director.stop());
}
