//! The notification-area icon over D-Bus, as a panel sees it: a private
//! session bus (`dbus-daemon`), a stand-in StatusNotifierWatcher (the
//! panel's registry), and the item's own properties and menu read and
//! clicked through D-Bus while the state goes green → red → stale →
//! unknown.
#![cfg(target_os = "linux")]

mod support;

use std::time::Duration;

use hybrid_setup::client::director::HttpDirector;
use hybrid_setup::domain::alarm::{AlarmState, Status};
use hybrid_setup::domain::tray::TrayView;
use hybrid_setup::store::instance::{self, Claim, Kind};
use hybrid_setup::store::secret_store::MemoryStore;
use hybrid_setup::tray::run::{self, Others, Watch, Watching, WindowFor};
use hybrid_setup::tray::{TrayCommand, TrayError, TrayIcon, icon};
use support::dbus::{Bus, Item, Watcher, eventually};
use tokio::sync::mpsc;

fn status(state: AlarmState, summary: &str) -> TrayView {
    TrayView::of(&Status {
        state,
        summary: summary.into(),
    })
}

async fn next_command(commands: &mut mpsc::UnboundedReceiver<TrayCommand>) -> TrayCommand {
    tokio::time::timeout(Duration::from_secs(5), commands.recv())
        .await
        .expect("a command within 5 s")
        .expect("the channel is open")
}

/// One test: the bus address is the process's environment (ksni connects
/// to "the" session bus), set once here before anything reads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_icon_mirrors_the_state_and_its_menu_answers() {
    let Some(bus) = Bus::start() else {
        return;
    };
    // SAFETY: this test binary has this one test, and nothing else in it
    // reads the environment concurrently.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address) };
    let (tx, mut commands) = mpsc::unbounded_channel();

    // No panel on the bus: said, not hidden.
    let none = TrayIcon::show(status(AlarmState::Green, "last sync 2 min ago"), tx.clone()).await;
    assert!(
        matches!(none, Err(TrayError::NoNotificationArea)),
        "without a watcher: {:?}",
        none.err()
    );

    // A panel: the watcher stand-in on the bus.
    let watcher = Watcher::default();
    let panel = watcher.serve(&bus).await;
    let icon_shown = TrayIcon::show(status(AlarmState::Green, "last sync 2 min ago"), tx.clone())
        .await
        .expect("the icon");
    let service = {
        let items = watcher.items.lock().expect("items");
        assert_eq!(items.len(), 1, "one item registered: {items:?}");
        items[0].clone()
    };
    let conn = bus.connect().await;
    let item = Item::new(&conn, service).await;

    // Green → red → stale → unknown, each with its shape, words and status.
    for (state, summary, attention) in [
        (AlarmState::Green, "last sync 2 min ago", "Active"),
        (
            AlarmState::Red,
            "Connect Sync failed: the Connect Portal rejected the Token",
            "NeedsAttention",
        ),
        (
            AlarmState::Stale,
            "no successful sync for 17 min (more than 3 intervals)",
            "NeedsAttention",
        ),
        (AlarmState::Unknown, "cannot reach Director", "Active"),
    ] {
        icon_shown.update(status(state, summary)).await;
        eventually("Status", attention.to_string(), async || {
            item.status().await
        })
        .await;
        let (_, _, title, text) = item.tool_tip().await;
        assert_eq!((title.as_str(), text.as_str()), (state.headline(), summary));
        let pixmaps = item.pixmaps().await;
        let size32 = pixmaps
            .iter()
            .find(|(w, h, _)| (*w, *h) == (32, 32))
            .expect("a 32-pixel icon");
        assert_eq!(
            size32.2,
            icon::pixmap(state, 32).argb,
            "{state:?}'s picture"
        );
    }

    // The menu, clicked through D-Bus.
    let menu = item.menu().await;
    for label in ["Open status", "Check now", "Show alerts", "Quit"] {
        assert!(menu.contains_key(label), "{label} in {menu:?}");
    }
    item.click(menu["Check now"]).await;
    assert_eq!(next_command(&mut commands).await, TrayCommand::CheckNow);
    item.click(menu["Quit"]).await;
    assert_eq!(next_command(&mut commands).await, TrayCommand::Quit);
    assert!(
        !menu.contains_key("Start at login"),
        "not offered where the system has no way to"
    );
    let mut with_autostart = status(AlarmState::Green, "last sync 2 min ago");
    with_autostart.start_at_login = Some(false);
    icon_shown.update(with_autostart).await;
    eventually("Start at login offered", true, async || {
        item.menu().await.contains_key("Start at login")
    })
    .await;
    item.click(item.menu().await["Start at login"]).await;
    assert_eq!(
        next_command(&mut commands).await,
        TrayCommand::ToggleStartAtLogin
    );
    // A click on the icon opens the status window.
    let () = item
        .properties
        .call("Activate", &(0i32, 0i32))
        .await
        .expect("Activate");
    assert_eq!(next_command(&mut commands).await, TrayCommand::OpenStatus);

    // Not set up yet: grey, and the menu opens the setup.
    icon_shown.update(TrayView::not_provisioned()).await;
    eventually(
        "the menu before setup",
        vec!["Open the setup".to_string(), "Quit".to_string()],
        async || {
            let mut labels: Vec<String> = item.menu().await.into_keys().collect();
            labels.sort();
            labels
        },
    )
    .await;

    icon_shown.remove().await;

    // The same, wired through `tray::run` as `--tray` runs it: a click, the
    // menu's "Open status" and "Show alerts", and a second `--tray` launch
    // each open the window where they should; Quit ends the run.
    let opened = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let dir = tempfile::tempdir().expect("dir");
    let Ok(Claim::First(listener)) = instance::claim_asking(dir.path(), Kind::Tray, false) else {
        panic!("the first --tray claims the socket");
    };
    let running = tokio::spawn({
        let opened = opened.clone();
        run::run::<HttpDirector>(
            Watch {
                mine: Watching::Nothing(status(AlarmState::Green, "last sync 2 min ago")),
                others: Others {
                    members: Vec::new(),
                    secrets: std::sync::Arc::new(MemoryStore::default()),
                },
            },
            || None,
            Some(listener),
            None,
            move |window| opened.lock().expect("opened").push(window),
            |_| {},
        )
    });
    let service = {
        let start = std::time::Instant::now();
        loop {
            if let Some(item) = watcher.items.lock().expect("items").get(1).cloned() {
                break item;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "run shows no icon"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let item = Item::new(&conn, service).await;
    let was_opened = |n: usize| {
        let opened = opened.clone();
        async move || opened.lock().expect("opened").get(n).copied()
    };
    let () = item
        .properties
        .call("Activate", &(0i32, 0i32))
        .await
        .expect("Activate");
    eventually("a click", Some(WindowFor::Status), was_opened(0)).await;
    let menu = item.menu().await;
    item.click(menu["Open status"]).await;
    eventually("Open status", Some(WindowFor::Status), was_opened(1)).await;
    item.click(menu["Show alerts"]).await;
    eventually("Show alerts", Some(WindowFor::Alerts), was_opened(2)).await;
    assert!(matches!(
        instance::claim_asking(dir.path(), Kind::Tray, true),
        Ok(Claim::AlreadyRunning)
    ));
    eventually("a second --tray", Some(WindowFor::Status), was_opened(3)).await;
    item.click(menu["Quit"]).await;
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("Quit ends the run")
        .expect("joined")
        .expect("ran");
    assert_eq!(
        opened.lock().expect("opened").len(),
        4,
        "nothing else opened"
    );
    drop(panel);
}
