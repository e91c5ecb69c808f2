//! `hybrid-setup --tray` as a person's desktop runs it: the program alone
//! on a private session bus with a stand-in panel, watching a simulated
//! Director — the icon turns red after "Check now" from its menu (and a
//! desktop notification says so, with no window open), a second
//! launch leaves it alone, "Start at login" writes the autostart entry, and
//! "Quit" ends it. Without a panel it says so and opens the window instead.
#![cfg(target_os = "linux")]

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hybrid_setup::domain::alarm::AlarmState;
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::domain::wizard::Step;
use hybrid_setup::sim::{self, SimConfig, data, world};
use hybrid_setup::store::secret_store::{KeyringStore, SecretKey, SecretStore};
use hybrid_setup::store::settings::{DirectorTarget, SavedDirector, Settings, SettingsStore};
use hybrid_setup::tray::icon;
use support::dbus::{Bus, Item, Keyring, Notifications, Watcher, eventually};
use support::sync_with;

/// A provisioned install pointed at `url`, in a settings folder of its own.
fn provisioned_home(url: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("home");
    let mut settings = Settings {
        director: DirectorTarget::Url(url.into()),
        director_login: "admin".into(),
        ..Settings::default()
    };
    settings.progress.go(Step::Done);
    settings.progress.provisioned = true;
    SettingsStore::new(home.path())
        .save(&settings)
        .expect("settings");
    home
}

/// The program with only its icon, on `bus`, with no display to open a
/// window on.
fn tray(home: &std::path::Path, bus: &Bus) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hybrid-setup"));
    command
        .arg("--tray")
        .env("HYBRID_SETUP_HOME", home)
        // "Start at login" writes here, not in the user's own folder.
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    command
}

/// Runs [`tray`] with `extra` arguments to its end, off the runtime.
async fn run_tray(home: &std::path::Path, bus: &Bus, extra: &[&str]) -> std::process::Output {
    let mut command = tray(home, bus);
    command.args(extra);
    tokio::task::spawn_blocking(move || command.output().expect("runs"))
        .await
        .expect("join")
}

/// Starts [`tray`] with `watcher` as the panel: the program and its icon.
async fn start_tray(home: &std::path::Path, bus: &Bus, watcher: &Watcher) -> (Child, Item) {
    let child = tray(home, bus)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the tray");
    let conn = bus.connect().await;
    let item = Item::new(&conn, watcher.first_item().await).await;
    (child, item)
}

/// "Quit" from the icon's menu: the program ends, cleanly.
async fn quit(item: &Item, mut child: Child) {
    item.click_last(item.menu().await["Quit"]).await;
    let status = tokio::task::spawn_blocking(move || wait_exit(&mut child))
        .await
        .expect("join");
    assert!(status.success(), "Quit ends it cleanly: {status:?}");
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "still running");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_icon_watches_director_and_its_menu_drives_it() {
    let Some(bus) = Bus::start() else {
        return;
    };
    let sim = sim::start(SimConfig::demo(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("simulator");
    sync_with(&sim, None);
    let home = provisioned_home(&sim.url());

    // No panel on this desktop: said once, and the window instead (which,
    // with no display here, cannot open either).
    let alone = run_tray(home.path(), &bus, &[]).await;
    let said = String::from_utf8_lossy(&alone.stderr);
    assert!(
        said.contains("no notification area on this desktop")
            && said.contains("the window opens instead"),
        "{said}"
    );

    // Started as the window closes, with no panel: quietly nothing (no
    // window reopened).
    let quiet = run_tray(home.path(), &bus, &["--keep-watching"]).await;
    assert!(quiet.status.success(), "{quiet:?}");
    assert!(
        !String::from_utf8_lossy(&quiet.stderr).contains("window opens"),
        "{quiet:?}"
    );

    // A panel: the icon shows Director's state.
    let watcher = Watcher::default();
    let _panel = watcher.serve(&bus).await;
    let notifications = Notifications::default();
    let _server = notifications.serve(&bus).await;
    let (child, item) = start_tray(home.path(), &bus, &watcher).await;
    let title = async || item.tool_tip().await.2;
    eventually("green", AlarmState::Green.headline().to_string(), title).await;

    // Director turns red; "Check now" shows it before the next poll.
    sync_with(&sim, Some("revoked-token"));
    let menu = item.menu().await;
    item.click(menu["Check now"]).await;
    eventually("red", AlarmState::Red.headline().to_string(), title).await;
    assert_eq!(item.status().await, "NeedsAttention");
    // With no window open, the change is a desktop notification too.
    eventually("a notification", true, async || {
        notifications
            .shown
            .lock()
            .expect("shown")
            .iter()
            .any(|(summary, _)| summary.contains("alert"))
    })
    .await;

    // One icon: a second --tray (a double start at login) asks the first
    // to open its window and ends; the first keeps watching.
    let second = run_tray(home.path(), &bus, &[]).await;
    assert!(second.status.success(), "{second:?}");
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("already in the notification area"),
        "{second:?}"
    );
    assert_eq!(
        item.status().await,
        "NeedsAttention",
        "the first one still runs"
    );
    // The window closing while the icon runs: left alone, silently.
    let closing = run_tray(home.path(), &bus, &["--keep-watching"]).await;
    assert!(
        closing.status.success() && closing.stdout.is_empty(),
        "{closing:?}"
    );
    assert_eq!(watcher.items.lock().expect("items").len(), 1, "one icon");

    // "Start at login" from the menu: the autostart entry runs --tray.
    let entry = home
        .path()
        .join("config/autostart/org.hybridsetup.HybridSetup.desktop");
    assert!(!entry.exists());
    item.click(menu["Start at login"]).await;
    eventually("the autostart entry", true, async || entry.exists()).await;
    let text = std::fs::read_to_string(&entry).expect("entry");
    assert!(
        text.contains(&format!(
            "Exec=\"{}\" --tray",
            env!("CARGO_BIN_EXE_hybrid-setup")
        )),
        "{text}"
    );
    item.click(item.menu().await["Start at login"]).await;
    eventually("no autostart entry", false, async || entry.exists()).await;

    quit(&item, child).await;
    sim.stop().await;
}

/// A provisioned install watching a real Director (its web interface
/// only) at `url`, every 10 seconds.
fn real_director_home(url: &str) -> tempfile::TempDir {
    let home = provisioned_home(url);
    let store = SettingsStore::new(home.path());
    let (mut settings, _) = store.load().settings();
    settings.remember_director_kind(url, hybrid_setup::domain::director_kind::DirectorKind::Web);
    settings.progress.check_every_seconds = 10;
    store.save(&settings).expect("settings");
    home
}

/// A real Director's shape (its web interface only): the icon watches what
/// can be read there — "K of N" client usernames in the way, amber — with
/// the mark that its Hybrid alarm is not visible from here; a new hire
/// shows within one check; its menu opens Director's own alarm bar.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_directors_icon_watches_its_users() {
    let Some(bus) = Bus::start() else {
        return;
    };
    let users = data::generate(20, data::Mix::Fixable, 7);
    let invalid = hybrid_setup::domain::drift::Reading::of(
        Ok(String::new()),
        &hybrid_setup::contract::directory_users(&users),
        &Default::default(),
    )
    .invalid;
    assert!(invalid > 0, "the mix has users in the way");
    let director = support::web_only_sim(users, false).await;
    let home = real_director_home(&director.url());
    let name = director.url().trim_start_matches("http://").to_string();

    let watcher = Watcher::default();
    let _panel = watcher.serve(&bus).await;
    let (child, item) = start_tray(home.path(), &bus, &watcher).await;
    let title = async || item.tool_tip().await.2;
    eventually(
        "the first reading",
        format!("{name}: {invalid} of 20 client usernames would fail Connect Sync"),
        title,
    )
    .await;
    let (_, _, _, text) = item.tool_tip().await;
    assert!(
        text.ends_with("Hybrid alarm: see Director's alarm bar") && text.starts_with("checked "),
        "{text}"
    );
    assert_eq!(item.status().await, "NeedsAttention");
    let menu = item.menu().await;
    for label in [
        "Open status",
        "Check now",
        "Open Director's alarm bar",
        "Quit",
    ] {
        assert!(menu.contains_key(label), "{label} in {menu:?}");
    }
    assert!(
        !menu.contains_key("Show alerts"),
        "no alerts to show: {menu:?}"
    );
    assert!(
        menu.keys()
            .any(|k| k.starts_with(&format!("{name}: {invalid} of 20"))),
        "the state, first: {menu:?}"
    );

    // A new hire without an email: within one check.
    support::add_new_hire(&director.url()).await;
    item.click(menu["Check now"]).await;
    eventually(
        "the new hire counted",
        format!(
            "{name}: {} of 21 client usernames would fail Connect Sync",
            invalid + 1
        ),
        title,
    )
    .await;
    quit(&item, child).await;
    director.stop().await;
}

/// The icon never locks an account: with a wrong password it turns red
/// and says so, and Director sees one sign-in however often it checks or
/// is told to "Check now".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_password_is_not_sent_again() {
    let Some(bus) = Bus::start() else {
        return;
    };
    let director = support::web_only_sim(data::generate(20, data::Mix::Fixable, 7), false).await;
    let admin = hybrid_setup::client::sim_admin::SimAdmin::new(&director.url()).expect("admin");
    let home = real_director_home(&director.url());
    let watcher = Watcher::default();
    let _panel = watcher.serve(&bus).await;
    let child = tray(home.path(), &bus)
        .env("HYBRID_DIRECTOR_PASSWORD", "not-the-password")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the tray");
    let conn = bus.connect().await;
    let item = Item::new(&conn, watcher.first_item().await).await;
    let title = async || item.tool_tip().await.2;
    eventually("refused", true, async || {
        title()
            .await
            .ends_with("sign-in refused — open to enter the password")
    })
    .await;
    assert_eq!(item.status().await, "NeedsAttention");
    let red = icon::pixmap(AlarmState::Red, 32).argb;
    let shown = item.pixmaps().await;
    let size32 = shown
        .iter()
        .find(|(w, h, _)| (*w, *h) == (32, 32))
        .expect("32 px");
    assert_ne!(size32.2, red, "red, with the corner mark");
    // Three "Check now" and one scheduled check (every 10 s) later: one
    // sign-in in all.
    let menu = item.menu().await;
    for _ in 0..3 {
        item.click(menu["Check now"]).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(11)).await;
    assert_eq!(
        admin
            .requests_to("POST /director/login")
            .await
            .expect("counted"),
        1,
        "the refused password was sent once"
    );
    quit(&item, child).await;
    director.stop().await;
}

/// A deployment script adds a Director with `directors add` while the icon
/// runs: the icon picks it up (its menu lists "Directors (2)"), and drops
/// it again on `directors remove`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_icon_picks_up_directors_added_from_the_command_line() {
    let Some(bus) = Bus::start() else {
        return;
    };
    let sim = sim::start(SimConfig::demo(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("simulator");
    sync_with(&sim, None);
    let home = provisioned_home(&sim.url());
    let branch = support::web_only_sim(data::generate(20, data::Mix::Fixable, 7), false).await;
    let watcher = Watcher::default();
    let _panel = watcher.serve(&bus).await;
    let (child, item) = start_tray(home.path(), &bus, &watcher).await;
    eventually(
        "green",
        AlarmState::Green.headline().to_string(),
        async || item.tool_tip().await.2,
    )
    .await;
    assert!(!item.menu().await.keys().any(|k| k.starts_with("Directors")));

    let cli = |args: Vec<String>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hybrid-setup"));
        command
            .arg("directors")
            .args(args)
            .env("HYBRID_SETUP_HOME", home.path())
            .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address);
        tokio::task::spawn_blocking(move || command.output().expect("runs"))
    };
    let added = cli(vec![
        "add".into(),
        "--director".into(),
        branch.url(),
        "--name".into(),
        "branch".into(),
    ])
    .await
    .expect("join");
    assert!(added.status.success(), "{added:?}");
    eventually("the icon lists two Directors", true, async || {
        item.menu().await.contains_key("Directors (2)")
    })
    .await;
    let removed = cli(vec!["remove".into(), "branch".into()])
        .await
        .expect("join");
    assert!(removed.status.success(), "{removed:?}");
    eventually("back to one", false, async || {
        item.menu().await.contains_key("Directors (2)")
    })
    .await;
    quit(&item, child).await;
    branch.stop().await;
    sim.stop().await;
}

/// Several Directors: the icon shows the worst of all, named. The icon runs
/// with one green Director; the window then adds another that has an alert
/// (its password in the keyring, as opening it in the window leaves it):
/// the running icon turns red naming it, and green again once the window
/// removes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_icon_shows_the_worst_of_all_directors() {
    let Some(bus) = Bus::start() else {
        return;
    };
    let Some(_keyring) = Keyring::start(&bus).await else {
        return;
    };
    let start = async || {
        sim::start(SimConfig::demo(), "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("simulator")
    };
    let (hq, branch) = (start().await, start().await);
    sync_with(&hq, None);
    sync_with(&branch, Some("revoked-token"));
    let home = provisioned_home(&hq.url());
    let key = SecretKey::DirectorPassword {
        director: branch.url(),
        login: "admin".into(),
    };
    let address = bus.address.clone();
    tokio::task::spawn_blocking(move || {
        store_in_keyring(&address, &key.entry_name(), world::DEMO_ADMIN_PASSWORD)
    })
    .await
    .expect("join");

    let watcher = Watcher::default();
    let _panel = watcher.serve(&bus).await;
    let (child, item) = start_tray(home.path(), &bus, &watcher).await;
    let title = async || item.tool_tip().await.2;
    eventually("green", AlarmState::Green.headline().to_string(), title).await;

    // The window adds the other Director.
    let store = SettingsStore::new(home.path());
    let (mut settings, _) = store.load().settings();
    settings.other_directors.push(SavedDirector {
        director: DirectorTarget::Url(branch.url()),
        director_login: "admin".into(),
        portal_url: String::new(),
        progress: settings.progress.clone(),
    });
    store.save(&settings).expect("settings");
    let branch_port = branch
        .url()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string();
    let named = format!("{} on 127.0.0.1:{branch_port}", AlarmState::Red.headline());
    eventually("the other Director's alert", named, title).await;
    assert_eq!(item.status().await, "NeedsAttention");
    let (_, _, title_text, text) = item.tool_tip().await;
    // The other Director's own alert, in its words (the revoked Token is
    // "rejected"), named by its address.
    assert!(
        format!("{title_text} {text}").contains(&format!("127.0.0.1:{}", branch_port)),
        "{title_text} / {text}"
    );
    assert!(text.contains("rejected"), "the alert's words: {text}");

    // ... and removes it again.
    settings.remove_director(0);
    store.save(&settings).expect("settings");
    eventually(
        "green again",
        AlarmState::Green.headline().to_string(),
        title,
    )
    .await;
    quit(&item, child).await;
    hq.stop().await;
    branch.stop().await;
}

const KEYRING_KEY: &str = "HYBRID_TEST_KEYRING_KEY";
const KEYRING_SECRET: &str = "HYBRID_TEST_KEYRING_SECRET";

/// Puts `secret` under `key` in the keyring on the bus at `address`, as the
/// window does when a Director is opened — in a process of its own (this
/// test program, running only [`keyring_helper`]): the keyring client finds
/// its bus in its environment, which this process must not change.
fn store_in_keyring(address: &str, key: &str, secret: &str) {
    let out = Command::new(std::env::current_exe().expect("this test program"))
        .args(["--exact", "keyring_helper", "--ignored", "--test-threads=1"])
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .env(KEYRING_KEY, key)
        .env(KEYRING_SECRET, secret)
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("1 passed"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Not a test of its own: [`store_in_keyring`]'s child.
#[test]
#[ignore = "run by store_in_keyring, in a process of its own"]
fn keyring_helper() {
    let (Ok(key), Ok(secret)) = (std::env::var(KEYRING_KEY), std::env::var(KEYRING_SECRET)) else {
        return;
    };
    KeyringStore::default()
        .put(&key, &Secret::new(secret))
        .expect("the keyring takes it");
}
