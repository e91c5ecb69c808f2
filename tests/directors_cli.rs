//! `hybrid-setup directors add | list | remove` as a deployment script runs
//! them: against a real Director's shape (the web-only simulator) and a
//! contract one, in a settings folder of their own, each mistake named by
//! its flag with nothing saved.

mod support;

use std::process::{Command, Output};

use hybrid_setup::contract::directory_users;
use hybrid_setup::domain::drift::Reading;
use hybrid_setup::domain::format::FormatOptions;
use hybrid_setup::sim::{self, SimConfig, data, world};
use hybrid_setup::store::settings::{DirectorTarget, SettingsStore};

const BIN: &str = env!("CARGO_BIN_EXE_hybrid-setup");

fn directors(home: &std::path::Path, password: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("directors")
        .args(args)
        .env("HYBRID_SETUP_HOME", home)
        .env("HYBRID_DIRECTOR_PASSWORD", password)
        // No keyring service here: the notice path, never the user's own.
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .output()
        .expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `f` off the async threads (the program is a blocking child).
async fn off<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("join")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_list_and_remove_directors_from_the_command_line() {
    let users = data::generate(30, data::Mix::Fixable, 7);
    let with_email = FormatOptions {
        use_email: true,
        append_domain: None,
    };
    let invalid = Reading::of(Ok(String::new()), &directory_users(&users), &with_email).invalid;
    let real = support::web_only_sim(users, false).await;
    let contract = sim::start(SimConfig::demo(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("contract sim");
    let home = tempfile::tempdir().expect("home");
    let dir = home.path().to_path_buf();
    let (real_url, contract_url) = (real.url(), contract.url());

    // A real Director, into a fresh install: it becomes the one opened.
    let added = off({
        let (dir, url) = (dir.clone(), real_url.clone());
        move || {
            directors(
                &dir,
                world::DEMO_ADMIN_PASSWORD,
                &[
                    "add",
                    "--director",
                    &url,
                    "--name",
                    "hq",
                    "--use-email",
                    "--check-every",
                    "60",
                ],
            )
        }
    })
    .await;
    assert!(added.status.success(), "{added:?}");
    let said = text(&added.stdout);
    assert!(
        said.starts_with(&format!(
            "Added hq (web interface, build 21.90.9743.0): {invalid} of 30 client usernames would fail Connect Sync."
        )),
        "{said}"
    );
    assert!(
        text(&added.stderr).contains("the password was not saved"),
        "no keyring: said, {:?}",
        text(&added.stderr)
    );
    let (settings, _) = SettingsStore::new(&dir).load().settings();
    assert_eq!(settings.director, DirectorTarget::Url(real_url.clone()));
    assert!(settings.progress.provisioned && settings.progress.use_email);
    assert_eq!(settings.progress.check_users_every().as_secs(), 60);

    // A contract Director next to it.
    let second = off({
        let (dir, url) = (dir.clone(), contract_url.clone());
        move || {
            directors(
                &dir,
                world::DEMO_ADMIN_PASSWORD,
                &["add", "--director", &url],
            )
        }
    })
    .await;
    assert!(second.status.success(), "{second:?}");
    assert!(
        text(&second.stdout).contains("(contract API, build"),
        "{second:?}"
    );

    let listed = off({
        let dir = dir.clone();
        move || directors(&dir, "", &["list", "--json"])
    })
    .await;
    let rows: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    let host = contract_url.trim_start_matches("http://").to_string();
    let summary: Vec<(String, String, u64, bool)> = rows
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or_default().to_string(),
                r["kind"].as_str().unwrap_or_default().to_string(),
                r["check_every_secs"].as_u64().unwrap_or_default(),
                r["current"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("hq".to_string(), "web".to_string(), 60, true),
            (host.clone(), "contract".to_string(), 900, false)
        ]
    );

    // Mistakes: named by flag, exit 2 or 3, nothing saved.
    let before = std::fs::read_to_string(SettingsStore::new(&dir).path()).expect("file");
    for (args, password, code, words) in [
        (
            vec!["add", "--director", &real_url],
            world::DEMO_ADMIN_PASSWORD,
            2,
            "is saved already",
        ),
        (
            vec!["add", "--director", "ftp://x", "--name", "y"],
            world::DEMO_ADMIN_PASSWORD,
            2,
            "--director:",
        ),
        (
            vec![
                "add",
                "--director",
                "http://127.0.0.1:9",
                "--check-every",
                "5",
            ],
            world::DEMO_ADMIN_PASSWORD,
            2,
            "--check-every",
        ),
        (
            vec![
                "add",
                "--director",
                "http://127.0.0.2:1",
                "--append-domain",
                "a b",
            ],
            world::DEMO_ADMIN_PASSWORD,
            2,
            "--append-domain:",
        ),
        (
            vec!["remove", "nowhere"],
            "",
            2,
            "no saved Director is called",
        ),
    ] {
        let out = off({
            let dir = dir.clone();
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                directors(&dir, password, &args)
            }
        })
        .await;
        assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
        assert!(
            text(&out.stderr).contains(words),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // A wrong password: Director refuses, nothing is saved.
    let third = sim::start(SimConfig::demo(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("third sim");
    let refused = off({
        let (dir, url) = (dir.clone(), third.url());
        move || directors(&dir, "not-the-password", &["add", "--director", &url])
    })
    .await;
    assert_eq!(refused.status.code(), Some(3), "{refused:?}");
    assert!(
        text(&refused.stderr).contains("nothing saved"),
        "{refused:?}"
    );
    let after = std::fs::read_to_string(SettingsStore::new(&dir).path()).expect("file");
    assert_eq!(before, after, "no mistake changed the settings");

    // Removing the open one opens the next.
    let removed = off({
        let dir = dir.clone();
        move || directors(&dir, "", &["remove", "hq"])
    })
    .await;
    assert!(removed.status.success(), "{removed:?}");
    assert_eq!(text(&removed.stdout).trim(), "Removed hq.");
    let (settings, _) = SettingsStore::new(&dir).load().settings();
    assert_eq!(settings.director, DirectorTarget::Url(contract_url.clone()));
    assert!(settings.other_directors.is_empty());
    let table = off({
        let dir = dir.clone();
        move || directors(&dir, "", &["list"])
    })
    .await;
    let table = text(&table.stdout);
    assert_eq!(table.lines().count(), 2, "{table}");
    assert!(
        table
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with(&host) && l.contains("contract")),
        "{table}"
    );

    real.stop().await;
    contract.stop().await;
    third.stop().await;
}
