//! Every route the program uses, against every fault: timeout, connection
//! refused, HTTP 401/403/409/422/500/503, malformed JSON, wrong content
//! type, a 10 s stall and a huge body. For each: no panic; an error the
//! window can show (what happened + what to do); nothing saved on the server
//! changed; and the same call succeeds once the fault is gone.
//!
//! The outcome table is written to docs/RELIABILITY.md (between markers);
//! under CI a stale table fails the test instead.

mod support;

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use hybrid_setup::client::director::{Director, HttpDirector};
use hybrid_setup::client::http::{ApiError, ClientOptions, RetryPolicy};
use hybrid_setup::client::portal::{HttpPortal, Portal};
use hybrid_setup::client::sim_admin::SimAdmin;
use hybrid_setup::contract::{
    ContactRole, Fault, FaultBody, NewContact, SyncSettingsUpdate, paths,
};
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::sim::{self, RunningSim, SimConfig, data, world};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    DirectorLogin,
    DirectorSystem,
    DirectorUsers,
    SyncSettings,
    SaveSyncSettings,
    RunSync,
    SyncStatus,
    Alerts,
    Terms,
    Register,
    Outbox,
    PortalLogin,
    Account,
    Credentials,
    AddContact,
    PortalUsers,
}

const ROUTES: [Route; 16] = [
    Route::DirectorLogin,
    Route::DirectorSystem,
    Route::DirectorUsers,
    Route::SyncSettings,
    Route::SaveSyncSettings,
    Route::RunSync,
    Route::SyncStatus,
    Route::Alerts,
    Route::Terms,
    Route::Register,
    Route::Outbox,
    Route::PortalLogin,
    Route::Account,
    Route::Credentials,
    Route::AddContact,
    Route::PortalUsers,
];

impl Route {
    /// `METHOD /path`, as the simulator's fault injection matches it.
    fn key(self) -> String {
        let (method, path) = match self {
            Route::DirectorLogin => ("POST", paths::DIRECTOR_SESSION),
            Route::DirectorSystem => ("GET", paths::DIRECTOR_SYSTEM),
            Route::DirectorUsers => ("GET", paths::DIRECTOR_USERS),
            Route::SyncSettings => ("GET", paths::DIRECTOR_SYNC_SETTINGS),
            Route::SaveSyncSettings => ("PUT", paths::DIRECTOR_SYNC_SETTINGS),
            Route::RunSync => ("POST", paths::DIRECTOR_SYNC_RUN),
            Route::SyncStatus => ("GET", paths::DIRECTOR_SYNC_STATUS),
            Route::Alerts => ("GET", paths::DIRECTOR_ALERTS),
            Route::Terms => ("GET", paths::PORTAL_TERMS),
            Route::Register => ("POST", paths::PORTAL_REGISTRATIONS),
            Route::Outbox => ("GET", paths::PORTAL_OUTBOX),
            Route::PortalLogin => ("POST", paths::PORTAL_SESSION),
            Route::Account => ("GET", paths::PORTAL_ACCOUNT),
            Route::Credentials => ("POST", paths::PORTAL_CREDENTIALS),
            Route::AddContact => ("POST", paths::PORTAL_CONTACTS),
            Route::PortalUsers => ("GET", paths::PORTAL_USERS),
        };
        format!("{method} {path}")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Timeout,
    Refused,
    Status(u16),
    Malformed,
    WrongContentType,
    Stall,
    Huge,
}

const FAULTS: [Kind; 12] = [
    Kind::Timeout,
    Kind::Refused,
    Kind::Status(401),
    Kind::Status(403),
    Kind::Status(409),
    Kind::Status(422),
    Kind::Status(500),
    Kind::Status(503),
    Kind::Malformed,
    Kind::WrongContentType,
    Kind::Stall,
    Kind::Huge,
];

impl Kind {
    fn title(self) -> String {
        match self {
            Kind::Timeout => "timeout".into(),
            Kind::Refused => "refused".into(),
            Kind::Status(s) => s.to_string(),
            Kind::Malformed => "bad JSON".into(),
            Kind::WrongContentType => "HTML".into(),
            Kind::Stall => "10 s stall".into(),
            Kind::Huge => "8 MB body".into(),
        }
    }

    fn fault(self, route: &str) -> Option<Fault> {
        let mut fault = Fault {
            route: route.into(),
            // Counts down per request: how many tries met the fault.
            times: Some(FAULT_BUDGET),
            ..Fault::default()
        };
        match self {
            Kind::Refused => return None,
            Kind::Timeout => fault.timeout = true,
            Kind::Status(status) => fault.status = Some(status),
            Kind::Malformed => fault.body = FaultBody::Malformed,
            Kind::WrongContentType => fault.body = FaultBody::WrongContentType,
            Kind::Stall => fault.latency_ms = STALL.as_millis() as u64,
            Kind::Huge => fault.body = FaultBody::Huge,
        }
        Some(fault)
    }
}

const STALL: Duration = Duration::from_secs(10);
const FAULT_BUDGET: u32 = 1_000;
/// Long enough for the stall: a slow answer is still an answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(12);
/// For the timeout fault, which never answers.
const SHORT_TIMEOUT: Duration = Duration::from_millis(600);

fn options(request_timeout: Duration) -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout,
        retry: RetryPolicy {
            attempts: ATTEMPTS,
            first_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(50),
        },
        pinned_certificate: None,
    }
}

/// One route's clients, signed in, with what the calls need.
struct Bench {
    sim: RunningSim,
    director: HttpDirector,
    portal: HttpPortal,
    update: SyncSettingsUpdate,
    contacts: Vec<(String, String, String)>,
    next: Arc<AtomicU32>,
}

async fn bench(url_port: Option<u16>, timeout: Duration) -> Bench {
    let mut config = SimConfig::new(data::generate(60, data::Mix::Fixable, 3));
    config.sync_interval_secs = 3_600;
    let addr = ([127, 0, 0, 1], url_port.unwrap_or(0)).into();
    let sim = sim::start(config, addr).await.expect("sim");
    let director = HttpDirector::new(&sim.url(), options(timeout)).expect("director");
    let portal = HttpPortal::new(&sim.url(), options(timeout)).expect("portal");
    director
        .login("admin", &Secret::new(world::DEMO_ADMIN_PASSWORD))
        .await
        .expect("director login");
    portal
        .login(
            world::DEMO_DECISION_MAKER,
            &Secret::new(world::DEMO_PORTAL_PASSWORD),
        )
        .await
        .expect("portal login");
    let credentials = portal.reveal_credentials().await.expect("credentials");
    let update = SyncSettingsUpdate {
        account_id: credentials.account_id.clone(),
        token: Some(credentials.token.clone()),
        use_email: true,
        append_domain: Some(data::DEMO_DOMAIN.into()),
    };
    director.save_sync_settings(&update).await.expect("save");
    director.run_sync().await.expect("sync");
    let start = Instant::now();
    let users = loop {
        let users = portal.users().await.expect("users");
        if !users.is_empty() {
            break users;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no users synced");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let contacts = users
        .iter()
        .map(|u| (u.first_name.clone(), u.last_name.clone(), u.email.clone()))
        .collect();
    Bench {
        sim,
        director,
        portal,
        update,
        contacts,
        next: Arc::default(),
    }
}

impl Bench {
    async fn call(&self, route: Route) -> Result<(), ApiError> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        call(
            route,
            n,
            &self.director,
            &self.portal,
            &self.update,
            &self.contacts,
        )
        .await
    }

    fn saved_world(&self) -> serde_json::Value {
        serde_json::to_value(&*self.sim.world()).expect("world")
    }
}

/// The call the window makes on `route`.
async fn call(
    route: Route,
    n: u32,
    d: &HttpDirector,
    p: &HttpPortal,
    update: &SyncSettingsUpdate,
    contacts: &[(String, String, String)],
) -> Result<(), ApiError> {
    {
        match route {
            Route::DirectorLogin => d
                .login("admin", &Secret::new(world::DEMO_ADMIN_PASSWORD))
                .await
                .map(drop),
            Route::DirectorSystem => d.system_info().await.map(drop),
            Route::DirectorUsers => d.users(|_, _| {}).await.map(drop),
            Route::SyncSettings => d.sync_settings().await.map(drop),
            Route::SaveSyncSettings => d.save_sync_settings(update).await.map(drop),
            Route::RunSync => d.run_sync().await,
            Route::SyncStatus => d.sync_status().await.map(drop),
            Route::Alerts => d.alerts().await.map(drop),
            Route::Terms => p.terms().await.map(drop),
            Route::Register => p
                .register(&support::registration(
                    &format!("Fault Test {n}"),
                    &format!("pat{n}@fault-test.example"),
                ))
                .await
                .map(drop),
            Route::Outbox => p.outbox(world::DEMO_DECISION_MAKER).await.map(drop),
            Route::PortalLogin => p
                .login(
                    world::DEMO_DECISION_MAKER,
                    &Secret::new(world::DEMO_PORTAL_PASSWORD),
                )
                .await
                .map(drop),
            Route::Account => p.account_details().await.map(drop),
            Route::Credentials => p.reveal_credentials().await.map(drop),
            Route::AddContact => {
                let (first, last, email) = contacts
                    .get(n as usize % contacts.len().max(1))
                    .cloned()
                    .unwrap_or_default();
                p.add_contact(&NewContact {
                    first_name: first,
                    last_name: last,
                    email,
                    password: Secret::new("PhoneMgr1"),
                    role: ContactRole::PhoneManager,
                })
                .await
                .map(drop)
            }
            Route::PortalUsers => p.users().await.map(drop),
        }
    }
}

impl Route {
    /// Calls that change something or reveal a secret are sent once: a lost
    /// answer must not make a second account, a second contact or a second
    /// reveal. Reads are retried.
    fn sent_once(self) -> bool {
        matches!(
            self,
            Route::DirectorLogin
                | Route::SaveSyncSettings
                | Route::RunSync
                | Route::Register
                | Route::PortalLogin
                | Route::Credentials
                | Route::AddContact
        )
    }

    /// Director calls behind a session sign in again once on a 401 and
    /// repeat the call; a 401 proves the first try changed nothing.
    fn signs_in_again(self) -> bool {
        matches!(
            self,
            Route::DirectorSystem
                | Route::DirectorUsers
                | Route::SyncSettings
                | Route::SaveSyncSettings
                | Route::RunSync
                | Route::SyncStatus
                | Route::Alerts
        )
    }
}

/// What must come of `kind` on `route`: the error type, how many tries met
/// the fault, and words the message must carry.
struct Expected {
    variant: &'static str,
    tries: u32,
    text: String,
}

/// The client's retry policy in this test: two tries in all.
const ATTEMPTS: u32 = 2;

fn expected(route: Route, kind: Kind) -> Expected {
    let retried = if route.sent_once() { 1 } else { ATTEMPTS };
    let (variant, tries, text) = match kind {
        Kind::Timeout => ("Timeout", retried, "did not answer within".to_string()),
        Kind::Refused => ("Unreachable", 1, "Cannot reach".to_string()),
        Kind::Status(401) => (
            "Unauthorized",
            if route.signs_in_again() { 2 } else { 1 },
            "Injected fault: 401".to_string(),
        ),
        Kind::Status(403) => ("Forbidden", 1, "Injected fault: 403".to_string()),
        Kind::Status(409) => ("Conflict", 1, "Injected fault: 409".to_string()),
        Kind::Status(422) => ("Invalid", 1, "Injected fault: 422".to_string()),
        Kind::Status(status) => ("Server", retried, format!("HTTP {status}")),
        Kind::Malformed | Kind::Huge => ("Protocol", 1, "not the expected JSON".to_string()),
        Kind::WrongContentType => ("Protocol", 1, "expected JSON, got text/html".to_string()),
        Kind::Stall => unreachable!("a stall is answered"),
    };
    Expected {
        variant,
        tries,
        text,
    }
}

fn variant(error: &ApiError) -> &'static str {
    match error {
        ApiError::Unreachable { .. } => "Unreachable",
        ApiError::Timeout { .. } => "Timeout",
        ApiError::Unauthorized { .. } => "Unauthorized",
        ApiError::Locked { .. } => "Locked",
        ApiError::Forbidden { .. } => "Forbidden",
        ApiError::NotFound { .. } => "NotFound",
        ApiError::Conflict { .. } => "Conflict",
        ApiError::Invalid { .. } => "Invalid",
        ApiError::Server { .. } => "Server",
        ApiError::Protocol { .. } => "Protocol",
        ApiError::UntrustedCertificate { .. } => "UntrustedCertificate",
        ApiError::CertificateChanged { .. } => "CertificateChanged",
    }
}

/// The advice the window shows under each kind of error, written out here
/// so a change to it is a decision, not an accident.
fn advice_for(variant: &str) -> &'static str {
    match variant {
        "Unreachable" => {
            "Check the address, that the server is running, and any firewall or proxy between here and it."
        }
        "Timeout" => "The server is slow or overloaded. Try again in a minute.",
        "Unauthorized" => "Check the login name and password, then sign in again.",
        "Forbidden" => "Sign in as someone allowed to do this.",
        "Conflict" | "Invalid" => "Correct the marked field and try again.",
        "Server" => "The server had a problem. Try again; if it persists, check the server's logs.",
        "Protocol" => {
            "The server answered in a way this program does not understand. Check that the address points to a Director or Connect Portal."
        }
        other => panic!("no advice expected for {other}"),
    }
}

/// Runs every fault on one route; returns the table cells.
async fn run_route(route: Route) -> Vec<String> {
    let mut cells = Vec::new();
    for kind in FAULTS {
        let timeout = if kind == Kind::Timeout {
            SHORT_TIMEOUT
        } else {
            REQUEST_TIMEOUT
        };
        let cell = if kind == Kind::Refused {
            refused(route).await
        } else {
            let bench = bench(None, timeout).await;
            let admin = SimAdmin::new(&bench.sim.url()).expect("admin");
            let before = bench.saved_world();
            admin
                .add_fault(&kind.fault(&route.key()).expect("fault"))
                .await
                .expect("inject");
            let started = Instant::now();
            let result = bench.call(route).await;
            let took = started.elapsed();
            let outcome = match &result {
                Ok(()) if kind == Kind::Stall => {
                    assert!(took >= STALL, "{route:?}: answered before the stall ended");
                    "answered after 10 s".to_string()
                }
                // "Run sync now" needs no answer body: a big one is read
                // within the 32 MB cap and dropped.
                Ok(()) if kind == Kind::Huge && route == Route::RunSync => {
                    "ok, body not needed".to_string()
                }
                Ok(()) => panic!("{route:?} {kind:?}: the fault was not noticed"),
                Err(e) => {
                    let left = admin
                        .faults()
                        .await
                        .expect("faults")
                        .faults
                        .first()
                        .and_then(|f| f.times)
                        .unwrap_or(FAULT_BUDGET);
                    let tries = FAULT_BUDGET - left;
                    let want = expected(route, kind);
                    assert_eq!(variant(e), want.variant, "{route:?} {kind:?}: {e}");
                    assert_eq!(tries, want.tries, "{route:?} {kind:?}: tries");
                    assert!(
                        e.to_string().contains(&want.text),
                        "{route:?} {kind:?}: the message should say {:?}: {e}",
                        want.text
                    );
                    assert_eq!(e.advice(), advice_for(want.variant), "{route:?} {kind:?}");
                    match tries {
                        1 => variant(e).to_string(),
                        tries => format!("{}, {tries} tries", variant(e)),
                    }
                }
            };
            if kind != Kind::Stall {
                assert_eq!(
                    bench.saved_world(),
                    before,
                    "{route:?} {kind:?}: a failed call changed what was saved"
                );
            }
            admin.clear_faults().await.expect("clear");
            bench
                .call(route)
                .await
                .unwrap_or_else(|e| panic!("{route:?} after {kind:?}: retry failed: {e}"));
            bench.sim.stop().await;
            outcome
        };
        cells.push(cell);
    }
    cells
}

/// Nothing listens on the port; then a Director starts there and the same
/// client's retry works.
async fn refused(route: Route) -> String {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let director = HttpDirector::new(&url, options(REQUEST_TIMEOUT)).expect("client");
    let portal = HttpPortal::new(&url, options(REQUEST_TIMEOUT)).expect("client");
    let update = SyncSettingsUpdate {
        account_id: "A-1".into(),
        token: None,
        use_email: false,
        append_domain: None,
    };
    let error = call(route, 0, &director, &portal, &update, &[])
        .await
        .expect_err("nothing listens there");
    let want = expected(route, Kind::Refused);
    assert_eq!(variant(&error), want.variant, "{route:?}: {error:?}");
    assert!(error.to_string().contains(&want.text), "{error}");
    assert_eq!(error.advice(), advice_for(want.variant));
    let bench = bench(Some(port), REQUEST_TIMEOUT).await;
    bench
        .call(route)
        .await
        .unwrap_or_else(|e| panic!("{route:?} once the server is up: {e}"));
    bench.sim.stop().await;
    variant(&error).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_survives_every_fault() {
    let tasks: Vec<_> = ROUTES
        .iter()
        .map(|&route| tokio::spawn(run_route(route)))
        .collect();
    let mut table = String::new();
    let _ = write!(table, "| route |");
    for kind in FAULTS {
        let _ = write!(table, " {} |", kind.title());
    }
    table.push_str("\n|---|");
    table.push_str(&"---|".repeat(FAULTS.len()));
    table.push('\n');
    for (route, task) in ROUTES.iter().zip(tasks) {
        let cells = task
            .await
            .unwrap_or_else(|e| panic!("{route:?} panicked: {e}"));
        let _ = write!(table, "| `{}` |", route.key());
        for cell in cells {
            let _ = write!(table, " {cell} |");
        }
        table.push('\n');
    }
    let cases = ROUTES.len() * FAULTS.len();
    let section = format!(
        "{cases} cases ({} routes × {} faults), all passed. Each cell is the error type the test \
         expects and got, with the number of tries when more than one; calls that change something \
         or reveal a secret are sent once (a Director call answered 401 signs in again and is sent \
         once more: the 401 proves nothing was changed). For every cell the message carries the \
         fault's own words (\"HTTP 503\", \"did not answer within\", \"expected JSON, got \
         text/html\", …) and the advice is the one written in the test; the simulator's saved world is \
         unchanged (except where the call succeeded: the stall, or where no server ran: refused); \
         and the same call works once the fault is gone.\n\n{table}",
        ROUTES.len(),
        FAULTS.len()
    );
    update_doc(&section);
}

const START: &str = "<!-- fault-matrix:start (generated by tests/fault_matrix.rs) -->\n";
const END: &str = "<!-- fault-matrix:end -->";

fn update_doc(section: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/RELIABILITY.md");
    let doc = std::fs::read_to_string(&path).expect("docs/RELIABILITY.md");
    let (Some(start), Some(end)) = (doc.find(START), doc.find(END)) else {
        panic!("docs/RELIABILITY.md lacks the fault-matrix markers");
    };
    let updated = format!("{}{START}{section}{}", &doc[..start], &doc[end..]);
    if updated == doc {
        return;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "docs/RELIABILITY.md is out of date: run `cargo test --test fault_matrix` and commit it"
    );
    std::fs::write(&path, updated).expect("write docs/RELIABILITY.md");
}

/// The fault that matters for a change: the server carries it out and
/// saves it, then the answer is lost. The client reports it once (no retry
/// of its own), and the window's Retry — the same call again — makes no
/// second account, no second welcome email, no second contact, and says
/// why in words the window can show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_whose_answer_is_lost_is_not_made_twice() {
    for route in [Route::Register, Route::AddContact, Route::SaveSyncSettings] {
        let bench = bench(None, REQUEST_TIMEOUT).await;
        let admin = SimAdmin::new(&bench.sim.url()).expect("admin");
        let before = bench.saved_world();
        admin
            .add_fault(&Fault {
                route: route.key(),
                body: FaultBody::LostAfterWrite,
                times: Some(1),
                ..Fault::default()
            })
            .await
            .expect("inject");
        // `n` stays the same for the Retry: the same form, the same contact.
        let n = bench.next.load(Ordering::Relaxed);
        let call_again = || {
            call(
                route,
                n,
                &bench.director,
                &bench.portal,
                &bench.update,
                &bench.contacts,
            )
        };
        let sent_before = admin.requests_to(&route.key()).await.expect("counted");
        let lost = call_again().await.expect_err("the answer was lost");
        assert!(
            matches!(lost, ApiError::Server { status: 500, .. }),
            "{route:?}: {lost:?}"
        );
        assert!(
            lost.to_string().contains("lost after the change was made"),
            "{lost}"
        );
        assert_eq!(
            admin.requests_to(&route.key()).await.expect("counted") - sent_before,
            1,
            "{route:?}: sent once, not retried by the client"
        );
        let after_first = bench.saved_world();
        assert_ne!(after_first, before, "{route:?}: the change was made");

        let retry = call_again().await;
        let world = bench.sim.world().clone();
        match route {
            Route::Register => {
                let error = retry.expect_err("a second registration is refused");
                assert!(matches!(&error, ApiError::Conflict { .. }), "{error:?}");
                assert!(error.to_string().contains("already"), "{error}");
                let company = format!("Fault Test {n}");
                let accounts = world
                    .portal
                    .accounts
                    .iter()
                    .filter(|a| a.account_name == company)
                    .count();
                assert_eq!(accounts, 1, "no duplicate account");
                let to = format!("pat{n}@fault-test.example");
                let emails = world.portal.outbox.iter().filter(|e| e.to == to).count();
                assert_eq!(emails, 1, "no second welcome email");
            }
            Route::AddContact => {
                let error = retry.expect_err("a second contact is refused");
                assert!(matches!(&error, ApiError::Conflict { .. }), "{error:?}");
                assert!(
                    error.to_string().contains("already an Authorized Contact"),
                    "{error}"
                );
            }
            Route::SaveSyncSettings => {
                retry.expect("saving the same settings again is harmless");
                assert_eq!(
                    world.director.settings.account_id, bench.update.account_id,
                    "the settings stand as saved"
                );
            }
            _ => unreachable!(),
        }
        if route != Route::SaveSyncSettings {
            assert_eq!(
                bench.saved_world(),
                after_first,
                "{route:?}: the refused Retry changed nothing"
            );
        }
        bench.sim.stop().await;
    }
}
