//! The built-in simulator of a Director plus a Connect Portal, served over
//! real HTTP. It is the program's embedded default and the test double for
//! every client test; `hybrid-setup sim` runs it standalone.

pub mod certificate;
pub mod data;
pub mod server;
pub mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::contract::UserRecord;
use server::Shared;
use world::World;

/// The Director build the simulator reports unless told otherwise.
pub const DEFAULT_BUILD: &str = "21.90.9743.0";
/// Real Connect Sync runs about every 5 minutes.
pub const DEFAULT_SYNC_INTERVAL_SECS: u64 = 300;
/// How often the sync engine checks whether a cycle is due.
const TICK: Duration = Duration::from_millis(100);
/// How often a changed world is written to `--state`.
const SAVE_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub users: Vec<UserRecord>,
    pub sync_interval_secs: u64,
    pub build: String,
    /// Seed the existing "Acme Corporation" Portal account.
    pub demo_account: bool,
    /// Load from and save to this file.
    pub state_file: Option<PathBuf>,
    /// Serve HTTPS with this certificate instead of plain HTTP.
    pub tls: Option<SimTls>,
    /// Play a real Director's known web interface only, or beside the contract.
    pub web_mode: server::WebMode,
}

/// A certificate and its private key (DER), for `sim --tls`.
#[derive(Clone)]
pub struct SimTls {
    pub certificate: Vec<u8>,
    pub private_key: Vec<u8>,
}

impl std::fmt::Debug for SimTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private key stays out of debug output.
        write!(
            f,
            "SimTls({})",
            crate::domain::certificate::Fingerprint::of(&self.certificate)
        )
    }
}

impl SimTls {
    /// A new self-signed certificate for localhost, 127.0.0.1 and ::1.
    pub fn generate() -> Result<Self, SimError> {
        let (certificate, private_key) =
            certificate::self_signed_for_loopback().map_err(|e| SimError::Tls(e.to_string()))?;
        Ok(SimTls {
            certificate,
            private_key,
        })
    }

    pub fn fingerprint(&self) -> crate::domain::certificate::Fingerprint {
        crate::domain::certificate::Fingerprint::of(&self.certificate)
    }

    fn server_config(&self) -> Result<rustls::ServerConfig, SimError> {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| {
                b.with_no_client_auth().with_single_cert(
                    vec![CertificateDer::from(self.certificate.clone())],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.private_key.clone())),
                )
            })
            .map_err(|e| SimError::Tls(e.to_string()))
    }
}

impl SimConfig {
    pub fn new(users: Vec<UserRecord>) -> Self {
        SimConfig {
            users,
            sync_interval_secs: DEFAULT_SYNC_INTERVAL_SECS,
            build: DEFAULT_BUILD.into(),
            demo_account: true,
            state_file: None,
            tls: None,
            web_mode: server::WebMode::default(),
        }
    }

    /// The embedded demo: about 250 users whose problems the formatting
    /// options can fix.
    pub fn demo() -> Self {
        SimConfig::new(data::generate(250, data::Mix::Fixable, 42))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot read the state file {path}: {message}")]
    State { path: PathBuf, message: String },
    #[error("cannot set up HTTPS: {0}")]
    Tls(String),
}

/// A running simulator. Dropping it does not stop it; call [`RunningSim::stop`].
pub struct RunningSim {
    pub addr: SocketAddr,
    /// The certificate's fingerprint when serving HTTPS.
    pub certificate: Option<crate::domain::certificate::Fingerprint>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    state_file: Option<PathBuf>,
}

impl RunningSim {
    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` with TLS (the
    /// name the certificate carries).
    pub fn url(&self) -> String {
        match self.certificate {
            None => format!("http://{}", self.addr),
            Some(_) => format!("https://localhost:{}", self.addr.port()),
        }
    }

    /// Direct access to the simulated world, for tests and the embedded demo.
    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.shared.world()
    }

    /// Director sign-ins that have not ended (a command that signs out
    /// leaves none behind).
    pub fn open_director_sessions(&self) -> usize {
        self.shared.sessions().director_sessions()
    }

    /// Stops serving and writes the state file one last time.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        save_state(&self.shared, self.state_file.as_ref());
    }
}

/// Starts the simulator on `addr` (port 0 picks a free port).
pub async fn start(config: SimConfig, addr: SocketAddr) -> Result<RunningSim, SimError> {
    let world = match &config.state_file {
        Some(path) if path.exists() => load_state(path)?,
        _ => {
            let mut world = World::new(config.users, config.sync_interval_secs, &config.build);
            if config.demo_account {
                world.seed_demo_account();
            }
            world
        }
    };
    // A cycle that fell due while the simulator was down runs before the
    // first request, as a restarted Director would catch up.
    let mut world = world;
    world.tick(server::now_ms());
    let mut shared = Shared::new(world);
    shared.web_mode = config.web_mode;
    let shared = Arc::new(shared);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| SimError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| SimError::Bind { addr, source })?;
    let (stop, stopped) = watch::channel(false);

    let app = server::router(shared.clone());
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    let mut serve_stop = stopped.clone();
    let certificate = config.tls.as_ref().map(SimTls::fingerprint);
    let serve = match &config.tls {
        None => tokio::spawn(async move {
            let result = axum::serve(listener, service)
                .with_graceful_shutdown(async move {
                    let _ = serve_stop.wait_for(|s| *s).await;
                })
                .await;
            if let Err(e) = result {
                tracing::error!("simulator stopped serving: {e}");
            }
        }),
        Some(tls) => {
            let rustls =
                axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(tls.server_config()?));
            let listener = listener
                .into_std()
                .map_err(|source| SimError::Bind { addr, source })?;
            let server = axum_server::tls_rustls::from_tcp_rustls(listener, rustls)
                .map_err(|source| SimError::Bind { addr, source })?;
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                let _ = serve_stop.wait_for(|s| *s).await;
                stopper.graceful_shutdown(Some(Duration::from_secs(1)));
            });
            tokio::spawn(async move {
                if let Err(e) = server.handle(handle).serve(service).await {
                    tracing::error!("simulator stopped serving: {e}");
                }
            })
        }
    };
    let engine = tokio::spawn(sync_engine(
        shared.clone(),
        stopped.clone(),
        config.state_file.clone(),
    ));
    if config.state_file.is_some() {
        shared.dirty.store(true, Ordering::Relaxed);
    }
    Ok(RunningSim {
        addr,
        certificate,
        shared,
        stop,
        tasks: vec![serve, engine],
        state_file: config.state_file,
    })
}

/// Runs due sync cycles and saves the state file when the world changed.
async fn sync_engine(
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
    state_file: Option<PathBuf>,
) {
    let mut since_save = Duration::ZERO;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
        if shared.world().tick(server::now_ms()) {
            shared.dirty.store(true, Ordering::Relaxed);
        }
        since_save += TICK;
        if since_save >= SAVE_EVERY {
            since_save = Duration::ZERO;
            if shared.dirty.swap(false, Ordering::Relaxed) {
                save_state(&shared, state_file.as_ref());
            }
        }
    }
}

fn load_state(path: &PathBuf) -> Result<World, SimError> {
    let error = |message: String| SimError::State {
        path: path.clone(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| error(format!("not a simulator state file ({e})")))
}

fn save_state(shared: &Shared, path: Option<&PathBuf>) {
    let Some(path) = path else { return };
    let json = match serde_json::to_vec_pretty(&*shared.world()) {
        Ok(json) => json,
        Err(e) => {
            tracing::error!("cannot serialize simulator state: {e}");
            return;
        }
    };
    if let Err(e) = crate::store::atomic_file::write_atomic(path, &json) {
        tracing::error!("cannot write simulator state to {}: {e}", path.display());
    }
}
