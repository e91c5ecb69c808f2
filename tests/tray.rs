//! The notification-area icon over D-Bus, as a panel sees it: a private
//! session bus (`dbus-daemon`), a stand-in StatusNotifierWatcher (the
//! panel's registry), and the item's own properties and menu read and
//! clicked through D-Bus while the state goes green → red → stale →
//! unknown.
#![cfg(target_os = "linux")]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hybrid_setup::domain::alarm::{AlarmState, Status};
use hybrid_setup::domain::tray::TrayView;
use hybrid_setup::tray::{TrayCommand, TrayError, TrayIcon, icon};
use tokio::sync::mpsc;
use zbus::zvariant::{OwnedValue, Value};

/// A session bus of the test's own, gone when dropped.
struct Bus {
    daemon: Child,
    address: String,
}

impl Bus {
    /// A bus, or `None` (said) where `dbus-daemon` is not installed; CI
    /// sets HYBRID_REQUIRE_DBUS=1 so that its absence fails there.
    fn start() -> Option<Bus> {
        let spawned = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut daemon = match spawned {
            Ok(daemon) => daemon,
            Err(e) => {
                assert!(
                    std::env::var_os("HYBRID_REQUIRE_DBUS").is_none(),
                    "HYBRID_REQUIRE_DBUS is set but dbus-daemon cannot run: {e}"
                );
                eprintln!("skipped: dbus-daemon cannot run ({e}; apt-get install dbus-daemon)");
                return None;
            }
        };
        let mut address = String::new();
        BufReader::new(daemon.stdout.take().expect("stdout"))
            .read_line(&mut address)
            .expect("the bus address");
        Some(Bus {
            daemon,
            address: address.trim().to_string(),
        })
    }

    async fn connect(&self) -> zbus::Connection {
        zbus::connection::Builder::address(self.address.as_str())
            .expect("address")
            .build()
            .await
            .expect("connect")
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// The panel's registry of items, as KDE's or XFCE's keeps it.
#[derive(Clone, Default)]
struct Watcher {
    items: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    async fn register_status_notifier_item(&self, service: &str) {
        self.items.lock().expect("items").push(service.to_string());
    }

    async fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    async fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().expect("items").clone()
    }

    #[zbus(property)]
    async fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    async fn protocol_version(&self) -> i32 {
        0
    }
}

type Pixmaps = Vec<(i32, i32, Vec<u8>)>;
type ToolTip = (String, Pixmaps, String, String);

/// Reads the item's properties fresh each time (no cache), as a panel does
/// on its NewStatus / NewToolTip / NewIcon signals.
struct Item {
    properties: zbus::Proxy<'static>,
    menu: zbus::Proxy<'static>,
}

impl Item {
    async fn new(conn: &zbus::Connection, service: String) -> Item {
        let proxy = |path: &'static str, interface: &'static str| {
            zbus::proxy::Builder::<zbus::Proxy<'static>>::new(conn)
                .destination(service.clone())
                .expect("name")
                .path(path)
                .expect("path")
                .interface(interface)
                .expect("interface")
                .cache_properties(zbus::proxy::CacheProperties::No)
                .build()
        };
        Item {
            properties: proxy("/StatusNotifierItem", "org.kde.StatusNotifierItem")
                .await
                .expect("item"),
            menu: proxy("/MenuBar", "com.canonical.dbusmenu")
                .await
                .expect("menu"),
        }
    }

    async fn status(&self) -> String {
        self.properties
            .get_property("Status")
            .await
            .expect("Status")
    }

    async fn tool_tip(&self) -> ToolTip {
        self.properties
            .get_property("ToolTip")
            .await
            .expect("ToolTip")
    }

    async fn pixmaps(&self) -> Pixmaps {
        self.properties
            .get_property("IconPixmap")
            .await
            .expect("IconPixmap")
    }

    /// The menu's entries: label → id.
    async fn menu(&self) -> HashMap<String, i32> {
        let (items,): (Vec<(i32, HashMap<String, OwnedValue>)>,) = self
            .menu
            .call("GetGroupProperties", &(Vec::<i32>::new(), vec!["label"]))
            .await
            .map(|items| (items,))
            .expect("GetGroupProperties");
        items
            .into_iter()
            .filter_map(|(id, props)| {
                let label = props.get("label")?;
                let label: String = label.try_clone().ok()?.try_into().ok()?;
                Some((label, id))
            })
            .collect()
    }

    async fn click(&self, id: i32) {
        let () = self
            .menu
            .call("Event", &(id, "clicked", Value::from(0i32), 0u32))
            .await
            .expect("Event");
    }
}

fn status(state: AlarmState, summary: &str) -> TrayView {
    TrayView::of(&Status {
        state,
        summary: summary.into(),
    })
}

async fn eventually<T: PartialEq + std::fmt::Debug>(
    what: &str,
    want: T,
    mut read: impl AsyncFnMut() -> T,
) {
    let start = Instant::now();
    loop {
        let got = read().await;
        if got == want {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{what}: {got:?}, not {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
    let panel = zbus::connection::Builder::address(bus.address.as_str())
        .expect("address")
        .name("org.kde.StatusNotifierWatcher")
        .expect("name")
        .serve_at("/StatusNotifierWatcher", watcher.clone())
        .expect("serve")
        .build()
        .await
        .expect("the watcher");
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
        (AlarmState::Unknown, "cannot reach Director", "Passive"),
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
    drop(panel);
}
