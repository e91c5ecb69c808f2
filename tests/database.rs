//! The audit against a real MariaDB server loaded with a stand-in for
//! Director's configuration database (`tests/fixtures/shoreware.sql` plus
//! generated users). The server is Debian's `mariadb-server`, started here
//! on a free loopback port in a throwaway data directory; `.ci/run` installs
//! it and sets HYBRID_REQUIRE_MARIADB=1 so that its absence fails there.
//!
//! Every byte the program sends to the server goes through a recording
//! proxy, which proves that only SELECT statements are sent.

mod support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hybrid_setup::client::director::database::{
    self, BUILD_QUERY, DatabaseAddress, DatabaseError, USERS_QUERY,
};
use hybrid_setup::client::sim_admin::SimAdmin;
use hybrid_setup::contract::Fault;
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::sim::data::{self, Mix};
use hybrid_setup::sim::world;
use hybrid_setup::store::settings::Settings;

const READONLY_PASSWORD: &str = "fixture-readonly";
const GENERATED_USERS: usize = 3_000;
/// Hand-written rows in the fixture file.
const FIXTURE_USERS: usize = 6;

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_hybrid-setup")
}

struct MariaDb {
    child: Child,
    port: u16,
    /// The client and the server's socket, to change the data as root.
    client: PathBuf,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl MariaDb {
    /// Runs `sql` as root (the test's own changes, not the program's).
    fn run_as_root(&self, sql: &str) {
        let out = Command::new(&self.client)
            .arg("--no-defaults")
            .arg(format!("--socket={}", self.socket.display()))
            .arg("--user=root")
            .arg("shoreware")
            .arg("-e")
            .arg(sql)
            .output()
            .expect("mariadb client");
        assert!(out.status.success(), "{sql}: {}", text(&out.stderr));
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find(program: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin"]
        .iter()
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.exists())
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Starts MariaDB and loads the fixture, or says why it cannot.
fn start_mariadb() -> Option<MariaDb> {
    let (Some(server), Some(install), Some(client)) = (
        find("mariadbd"),
        find("mariadb-install-db"),
        find("mariadb"),
    ) else {
        assert!(
            std::env::var_os("HYBRID_REQUIRE_MARIADB").is_none(),
            "HYBRID_REQUIRE_MARIADB is set but mariadb-server is not installed"
        );
        eprintln!("skipped: mariadb-server is not installed (apt-get install mariadb-server)");
        return None;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let socket = dir.path().join("mysqld.sock");
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    let mut install_cmd = Command::new(install);
    install_cmd
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg("--auth-root-authentication-method=normal")
        .arg("--skip-test-db");
    if as_root {
        install_cmd.arg("--user=root");
    }
    let installed = install_cmd.output().expect("mariadb-install-db");
    assert!(
        installed.status.success(),
        "mariadb-install-db: {}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let port = free_port();
    let mut server_cmd = Command::new(server);
    server_cmd
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--socket={}", socket.display()))
        .arg(format!("--port={port}"))
        .arg("--bind-address=127.0.0.1")
        .arg(format!("--pid-file={}", dir.path().join("pid").display()))
        .arg(format!(
            "--log-error={}",
            dir.path().join("error.log").display()
        ))
        .arg("--skip-log-bin")
        .arg("--innodb-buffer-pool-size=32M")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if as_root {
        server_cmd.arg("--user=root");
    }
    let child = server_cmd.spawn().expect("mariadbd");
    let db = MariaDb {
        child,
        port,
        client: client.clone(),
        socket: socket.clone(),
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(socket.exists() && TcpStream::connect(("127.0.0.1", port)).is_ok()) {
        assert!(Instant::now() < deadline, "MariaDB did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut sql = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shoreware.sql"),
    )
    .expect("fixture");
    sql.push_str(&generated_users_sql());
    let mut load = Command::new(client)
        .arg("--no-defaults")
        .arg(format!("--socket={}", socket.display()))
        .arg("--user=root")
        .arg("--default-character-set=utf8mb4")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mariadb client");
    load.stdin
        .take()
        .expect("stdin")
        .write_all(sql.as_bytes())
        .expect("load");
    let loaded = load.wait_with_output().expect("load");
    assert!(
        loaded.status.success(),
        "loading the fixture: {}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    Some(db)
}

/// A few thousand users with the realistic mix of problems, as INSERTs.
fn generated_users_sql() -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"));
    let users = data::generate(GENERATED_USERS, Mix::Realistic, 7);
    let mut sql = String::from("USE shoreware;\n");
    for chunk in users.chunks(500).enumerate() {
        let (c, chunk) = chunk;
        let base = 100 + c * 500;
        let addresses: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, u)| {
                format!(
                    "({}, {}, {}, {})",
                    base + i,
                    quote(&u.first_name),
                    quote(&u.last_name),
                    if u.email.is_empty() {
                        "NULL".to_string()
                    } else {
                        quote(&u.email)
                    }
                )
            })
            .collect();
        sql.push_str(&format!(
            "INSERT INTO tabaddresses (AddressID, FirstName, LastName, EmailAddress) VALUES {};\n",
            addresses.join(",")
        ));
        let rows: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, u)| {
                format!(
                    "({}, {}, {})",
                    u.user_dn,
                    base + i,
                    quote(&u.client_username)
                )
            })
            .collect();
        sql.push_str(&format!(
            "INSERT INTO users (UserDN, AddressID, GuiLoginName) VALUES {};\n",
            rows.join(",")
        ));
    }
    sql
}

/// What the client sent, as MySQL command packets (sequence id 0).
type Commands = Arc<Mutex<Vec<(u8, Vec<u8>)>>>;

/// A TCP proxy to `port` that records the client's command packets.
fn recording_proxy(port: u16) -> (u16, Commands) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let proxy_port = listener.local_addr().expect("addr").port();
    let commands: Commands = Arc::default();
    let recorded = commands.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(("127.0.0.1", port)) else {
                continue;
            };
            let (mut c_read, mut s_write) = (
                client.try_clone().expect("c"),
                server.try_clone().expect("s"),
            );
            let (mut s_read, mut c_write) = (server, client);
            let recorded = recorded.clone();
            std::thread::spawn(move || {
                // Server to client: passed through untouched.
                let _ = std::io::copy(&mut s_read, &mut c_write);
                let _ = c_write.shutdown(Shutdown::Both);
            });
            std::thread::spawn(move || {
                // Client to server: split into packets; a packet with
                // sequence id 0 starts a command.
                let mut header = [0u8; 4];
                while c_read.read_exact(&mut header).is_ok() {
                    let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
                    let mut payload = vec![0u8; len];
                    if c_read.read_exact(&mut payload).is_err() {
                        break;
                    }
                    if header[3] == 0 && !payload.is_empty() {
                        recorded
                            .lock()
                            .expect("lock")
                            .push((payload[0], payload[1..].to_vec()));
                    }
                    if s_write
                        .write_all(&header)
                        .and_then(|()| s_write.write_all(&payload))
                        .is_err()
                    {
                        break;
                    }
                }
                let _ = s_write.shutdown(Shutdown::Both);
            });
        }
    });
    (proxy_port, commands)
}

fn audit(db_url: &str, password: Option<&str>, extra: &[&str]) -> Output {
    let mut command = Command::new(binary());
    command
        .args(["audit", "--db", db_url, "--timeout", "10"])
        .args(extra)
        .env_remove("HYBRID_DB_PASSWORD")
        .stdin(Stdio::null());
    if let Some(password) = password {
        command.env("HYBRID_DB_PASSWORD", password);
    }
    command.output().expect("run hybrid-setup")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn audits_the_configuration_database() {
    let Some(db) = start_mariadb() else {
        return;
    };
    let url = format!("mysql://st_configread@127.0.0.1:{}/shoreware", db.port);

    // The library reads every user, joined with their address row.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let address = DatabaseAddress::parse(&url).expect("url");
    let users = runtime
        .block_on(database::read_users(
            &address,
            &Secret::new(READONLY_PASSWORD),
            Duration::from_secs(10),
        ))
        .expect("read users");
    assert_eq!(users.len(), GENERATED_USERS + FIXTURE_USERS);
    let jose = users.iter().find(|u| u.user_dn == "1").expect("user 1");
    assert_eq!(
        (jose.first_name.as_str(), jose.last_name.as_str()),
        ("José", "Núñez"),
        "latin1 columns arrive as text"
    );
    let orphan = users.iter().find(|u| u.user_dn == "6").expect("user 6");
    assert_eq!(
        orphan.email, "",
        "a user without an address row has no email"
    );
    let no_username = users.iter().find(|u| u.user_dn == "3").expect("user 3");
    assert_eq!(no_username.client_username, "");

    // The CLI, through the recording proxy: the report, and only SELECTs.
    let (proxy_port, commands) = recording_proxy(db.port);
    let proxied = format!("mysql://st_configread@127.0.0.1:{proxy_port}/shoreware");
    let out = audit(&proxied, Some(READONLY_PASSWORD), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["total"], GENERATED_USERS + FIXTURE_USERS);
    let invalid = json["invalid"].as_u64().expect("invalid");
    assert!(invalid > 100 && invalid < 1_000, "{invalid}");
    let row = |dn: &str| {
        json["users"]
            .as_array()
            .expect("users")
            .iter()
            .find(|u| u["user_dn"] == dn)
            .cloned()
            .unwrap_or_else(|| panic!("user {dn} not listed"))
    };
    assert_eq!(row("1")["reason"], "missing_at");
    assert_eq!(
        row("1")["under_each_option"]["use_email"]["username"],
        "jose.nunez@acme-corp.example"
    );
    assert_eq!(
        row("2")["under_each_option"]["use_email"]["reason"],
        "email_missing"
    );
    assert_eq!(row("4")["reason"], "duplicate");
    assert_eq!(row("5")["reason"], "duplicate");

    let sent = commands.lock().expect("lock").clone();
    assert!(!sent.is_empty(), "the proxy saw the session");
    const COM_QUIT: u8 = 0x01;
    const COM_QUERY: u8 = 0x03;
    const COM_PING: u8 = 0x0e;
    let mut queries = Vec::new();
    for (command, body) in &sent {
        match *command {
            COM_QUERY => {
                let sql = text(body);
                assert!(
                    sql.trim_start().to_ascii_uppercase().starts_with("SELECT "),
                    "a statement other than SELECT was sent: {sql}"
                );
                queries.push(sql);
            }
            COM_QUIT | COM_PING => {}
            other => panic!("command 0x{other:02x} was sent; only queries are expected"),
        }
    }
    assert!(queries.iter().any(|q| q == USERS_QUERY), "{queries:?}");

    // `check` against a real Director's shape whose Monitoring page fails:
    // users from the database in one query, the build from its version
    // table — still only SELECTs.
    let director = runtime.block_on(support::web_only_sim(
        data::generate(10, Mix::Fixable, 3),
        false,
    ));
    runtime
        .block_on(
            SimAdmin::new(&director.url())
                .expect("admin")
                .add_fault(&Fault {
                    route: "GET /dm/monitoring_service".into(),
                    status: Some(500),
                    ..Default::default()
                }),
        )
        .expect("fault");
    // A command against the web-only Director and the proxied database,
    // both passwords in the environment.
    let against = |args: &[&str]| {
        Command::new(binary())
            .args(args)
            .args(["--director", &director.url(), "--db", &proxied])
            .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
            .env("HYBRID_DB_PASSWORD", READONLY_PASSWORD)
            .env(
                "HYBRID_SETUP_HOME",
                tempfile::tempdir().expect("home").path(),
            )
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs")
    };
    let out = against(&["check", "--json"]);
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out.stderr)));
    assert_eq!(json["director_kind"], "web", "{json}");
    assert_eq!(json["build"], "21.91.1234.0", "{json}");
    assert_eq!(json["users"], GENERATED_USERS + FIXTURE_USERS, "{json}");
    let sent = commands.lock().expect("lock").clone();
    let queries: Vec<String> = sent
        .iter()
        .filter(|(command, _)| *command == COM_QUERY)
        .map(|(_, body)| text(body))
        .collect();
    assert!(queries.iter().any(|q| q == BUILD_QUERY), "{queries:?}");
    assert!(
        queries
            .iter()
            .all(|q| q.trim_start().to_ascii_uppercase().starts_with("SELECT ")),
        "{queries:?}"
    );

    // `status --db`: the plugin's count from the database's users (not the
    // ten the web interface lists), in one query; `--watch` reads through
    // the web interface and says so.
    let status = |extra: &[&str]| against(&[&["status"][..], extra].concat());
    let out = status(&["--json"]);
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out.stderr)));
    assert_eq!(json["total"], GENERATED_USERS + FIXTURE_USERS, "{json}");
    assert_eq!(json["director_kind"], "web", "{json}");
    // Monitoring > Services still fails: the build from the version table.
    assert_eq!(json["build"], "21.91.1234.0", "{json}");
    let out = status(&["--watch"]);
    assert_eq!(out.status.code(), Some(3), "UNKNOWN: a usage error");
    assert!(text(&out.stderr).contains("--db"), "{}", text(&out.stderr));

    // A ShoreTel 14.2 GA8 system: the build from the version table passes
    // with that line's own steps, and its Director is named as one.
    db.run_as_root("UPDATE version SET Major = 19, Minor = 43, SetByBuild = '19.43.7902.0'");
    let out = against(&["check"]);
    let said = text(&out.stdout);
    assert!(
        said.contains("ShoreTel Director 19.43.7902.0, web interface")
            && said.contains("[PASS] Director build supports HYBRID")
            && said.contains("HYBRID for ST14.2"),
        "{said}"
    );
    db.run_as_root("UPDATE version SET Major = 21, Minor = 91, SetByBuild = '21.91.1234.0'");

    // The window, on the Requirements step: the same database as a faster
    // source for users, its address and password typed in.
    let home = tempfile::tempdir().expect("home");
    let mut h = support::real_director_window(
        runtime.handle(),
        &director.url(),
        home.path(),
        Settings::default(),
        false,
    );
    h.run_ok();
    support::click(&mut h, "Configuration database (optional)");
    support::fill(&mut h, "Password", world::DEMO_ADMIN_PASSWORD);
    support::fill(
        &mut h,
        "Database address",
        "mysql://st_configread@127.0.0.1:1/x/y",
    );
    support::click(&mut h, "Run checks");
    assert!(
        support::has_text(&h, "Configuration database: \"mysql://"),
        "a bad address is named"
    );
    support::replace(&mut h, "Database address", &url);
    support::fill(&mut h, "Database password", READONLY_PASSWORD);
    support::click(&mut h, "Run checks");
    let total = (GENERATED_USERS + FIXTURE_USERS).to_string();
    support::wait_for(&mut h, "the checks", |h| {
        support::has_text(h, "Connect Director") && !support::has_text(h, "Signing in")
    });
    assert!(
        support::has_text(&h, &total),
        "users read from the database"
    );
    assert!(support::has_text(
        &h,
        "Connect Director 21.91.1234.0, web interface"
    ));
    drop(h);
    runtime.block_on(director.stop());

    // The same audit as text and CSV, with the options applied.
    let out = audit(
        &url,
        Some(READONLY_PASSWORD),
        &["--use-email", "--append-domain", "acme-corp.example"],
    );
    let report = text(&out.stdout);
    assert!(
        report.contains(&format!(
            "of {} client usernames are invalid.",
            GENERATED_USERS + FIXTURE_USERS
        )),
        "{report}"
    );
    assert!(report.contains("By reason:"), "{report}");

    // Wrong password: a clear message naming the account, exit 2.
    let out = audit(&url, Some("wrong"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("refused the sign-in of \"st_configread\""),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    // No password anywhere and no terminal: says where to put it.
    let out = audit(&url, None, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("HYBRID_DB_PASSWORD"),
        "{}",
        text(&out.stderr)
    );

    // A database the account may read that is not Director's: says so
    // (not "refused": the sign-in worked, the tables are missing).
    let out = audit(
        &format!("mysql://st_configread@127.0.0.1:{}/not_director", db.port),
        Some(READONLY_PASSWORD),
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("no users/tabaddresses tables"), "{err}");
    assert!(err.contains("Check the database name"), "{err}");
    assert!(!err.contains("refused"), "{err}");
}

#[test]
fn unreachable_database_is_exit_2_naming_the_address() {
    let port = free_port(); // nothing listens there now
    let url = format!("mysql://st_configread@127.0.0.1:{port}/shoreware");
    let out = audit(&url, Some("x"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("cannot reach the database at 127.0.0.1:{port}")),
        "{err}"
    );
}

#[test]
fn password_in_the_address_is_refused() {
    let out = audit(
        "mysql://st_configread:secret@127.0.0.1/shoreware",
        None,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("HYBRID_DB_PASSWORD"), "{err}");
    assert!(!err.contains("secret"), "the password is not echoed: {err}");
}

#[test]
fn address_errors_are_typed() {
    assert_eq!(
        DatabaseAddress::parse("mysql://a:b@h"),
        Err(DatabaseError::PasswordInUrl)
    );
}
