//! D-Bus for the notification-area tests: a private session bus, a
//! stand-in for the panel's StatusNotifierWatcher, and the item's
//! properties and menu read and clicked as a panel does.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::zvariant::{OwnedValue, Value};

/// A session bus of the test's own, gone when dropped.
pub struct Bus {
    daemon: Child,
    pub address: String,
}

impl Bus {
    /// A bus, or `None` (said) where `dbus-daemon` is not installed; CI
    /// sets HYBRID_REQUIRE_DBUS=1 so that its absence fails there.
    pub fn start() -> Option<Bus> {
        let mut daemon = spawn_or_skip(
            Command::new("dbus-daemon")
                .args(["--session", "--nofork", "--print-address=1"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
            "dbus-daemon",
        )?;
        let mut address = String::new();
        BufReader::new(daemon.stdout.take().expect("stdout"))
            .read_line(&mut address)
            .expect("the bus address");
        Some(Bus {
            daemon,
            address: address.trim().to_string(),
        })
    }

    pub async fn connect(&self) -> zbus::Connection {
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

/// Starts `command` (from Debian's `package`), or says the test is skipped
/// where it cannot run; CI sets HYBRID_REQUIRE_DBUS=1 so that it fails there.
fn spawn_or_skip(command: &mut Command, package: &str) -> Option<Child> {
    match command.spawn() {
        Ok(child) => Some(child),
        Err(e) => {
            assert!(
                std::env::var_os("HYBRID_REQUIRE_DBUS").is_none(),
                "HYBRID_REQUIRE_DBUS is set but {package} cannot run: {e}"
            );
            eprintln!("skipped: {package} cannot run ({e}; apt-get install {package})");
            None
        }
    }
}

/// A keyring of the test's own on a [`Bus`]: gnome-keyring's Secret
/// Service, its files in a temporary folder, unlocked; gone when dropped.
pub struct Keyring {
    daemon: Child,
    _files: tempfile::TempDir,
}

impl Keyring {
    /// The keyring, or `None` (said) where gnome-keyring is not installed;
    /// CI sets HYBRID_REQUIRE_DBUS=1 so that its absence fails there.
    pub async fn start(bus: &Bus) -> Option<Keyring> {
        let files = tempfile::tempdir().expect("keyring folder");
        let data = files.path().join("share");
        let runtime = files.path().join("run");
        std::fs::create_dir_all(data.join("keyrings")).expect("keyrings");
        std::fs::create_dir_all(&runtime).expect("run");
        // "login" is the default collection, created and unlocked with the
        // password given on standard input.
        std::fs::write(data.join("keyrings/default"), "login").expect("default");
        let mut daemon = spawn_or_skip(
            Command::new("gnome-keyring-daemon")
                .args(["--foreground", "--unlock", "--components=secrets"])
                .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
                .env("HOME", files.path())
                .env("XDG_DATA_HOME", &data)
                .env("XDG_RUNTIME_DIR", &runtime)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            "gnome-keyring",
        )?;
        {
            use std::io::Write;
            let mut password = daemon.stdin.take().expect("stdin");
            password.write_all(b"test").expect("the keyring's password");
        }
        let keyring = Keyring {
            daemon,
            _files: files,
        };
        let conn = bus.connect().await;
        let dbus = zbus::fdo::DBusProxy::new(&conn).await.expect("bus");
        eventually("the keyring on the bus", true, async || {
            let name = zbus::names::BusName::try_from("org.freedesktop.secrets").expect("name");
            dbus.name_has_owner(name).await.unwrap_or(false)
        })
        .await;
        Some(keyring)
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// The panel's registry of items, as KDE's or XFCE's keeps it.
#[derive(Clone, Default)]
pub struct Watcher {
    pub items: Arc<Mutex<Vec<String>>>,
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

pub type Pixmaps = Vec<(i32, i32, Vec<u8>)>;
pub type ToolTip = (String, Pixmaps, String, String);

/// Reads the item's properties fresh each time (no cache), as a panel does
/// on its NewStatus / NewToolTip / NewIcon signals.
pub struct Item {
    pub properties: zbus::Proxy<'static>,
    pub menu: zbus::Proxy<'static>,
}

impl Item {
    pub async fn new(conn: &zbus::Connection, service: String) -> Item {
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

    pub async fn status(&self) -> String {
        self.properties
            .get_property("Status")
            .await
            .expect("Status")
    }

    pub async fn tool_tip(&self) -> ToolTip {
        self.properties
            .get_property("ToolTip")
            .await
            .expect("ToolTip")
    }

    pub async fn pixmaps(&self) -> Pixmaps {
        self.properties
            .get_property("IconPixmap")
            .await
            .expect("IconPixmap")
    }

    /// The menu's entries: label → id, from its layout, as a panel reads
    /// them before it shows the menu.
    pub async fn menu(&self) -> HashMap<String, i32> {
        type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
        let reply = self
            .menu
            .call_method("GetLayout", &(0i32, -1i32, vec!["label"]))
            .await
            .expect("GetLayout");
        let (_revision, (_root, _, children)): (u32, Node) =
            reply.body().deserialize().expect("the layout");
        children
            .into_iter()
            .filter_map(|child| {
                let (id, props, _): Node = child.try_into().ok()?;
                let label: String = props.get("label")?.try_clone().ok()?.try_into().ok()?;
                Some((label, id))
            })
            .collect()
    }

    pub async fn click(&self, id: i32) {
        let () = self
            .menu
            .call("Event", &(id, "clicked", Value::from(0i32), 0u32))
            .await
            .expect("Event");
    }

    /// Clicks an entry that ends the program: it may be gone before it
    /// answers, which is no error.
    pub async fn click_last(&self, id: i32) {
        let _: Result<(), _> = self
            .menu
            .call("Event", &(id, "clicked", Value::from(0i32), 0u32))
            .await;
    }
}

impl Watcher {
    /// Serves as the panel's watcher on `bus`; keep the connection.
    pub async fn serve(&self, bus: &Bus) -> zbus::Connection {
        serve_as(
            bus,
            "org.kde.StatusNotifierWatcher",
            "/StatusNotifierWatcher",
            self.clone(),
        )
        .await
    }

    /// The first item registered, once there is one (5 s at most).
    pub async fn first_item(&self) -> String {
        let start = Instant::now();
        loop {
            if let Some(item) = self.items.lock().expect("items").first() {
                return item.clone();
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no item registered"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Polls `read` until it gives `want` (5 s at most).
pub async fn eventually<T: PartialEq + std::fmt::Debug>(
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

/// The desktop's notification server, as a stand-in: it keeps each
/// notification's summary and body.
#[derive(Clone, Default)]
pub struct Notifications {
    pub shown: Arc<Mutex<Vec<(String, String)>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().expect("shown");
        shown.push((summary, body));
        shown.len() as u32
    }

    async fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    async fn get_server_information(&self) -> (String, String, String, String) {
        ("stand-in".into(), "tests".into(), "1".into(), "1.2".into())
    }

    async fn close_notification(&self, _id: u32) {}
}

impl Notifications {
    /// Serves as the desktop's notification server on `bus`.
    pub async fn serve(&self, bus: &Bus) -> zbus::Connection {
        serve_as(
            bus,
            "org.freedesktop.Notifications",
            "/org/freedesktop/Notifications",
            self.clone(),
        )
        .await
    }
}

/// `object` on `bus` under the well-known `name` at `path`; keep the
/// connection while it should answer.
async fn serve_as(
    bus: &Bus,
    name: &str,
    path: &str,
    object: impl zbus::object_server::Interface,
) -> zbus::Connection {
    zbus::connection::Builder::address(bus.address.as_str())
        .expect("address")
        .name(name.to_string())
        .expect("name")
        .serve_at(path.to_string(), object)
        .expect("serve")
        .build()
        .await
        .unwrap_or_else(|e| panic!("{name} on the bus: {e}"))
}
