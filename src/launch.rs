//! The composition root: the only module that sees every layer. It parses
//! the command line, starts logging and the background runtime, and then
//! either runs a command or builds the window — settings, the embedded
//! simulator for the demo, the background tasks, the app — and opens it.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use crate::cli::{self, Cli, Command};
use crate::client::http::ClientOptions;
use crate::domain::secret::Secret;
use crate::service::monitor::MonitorConfig;
use crate::sim::{self, RunningSim, SimConfig};
use crate::store::secret_store::KeyringStore;
use crate::store::settings::{DEMO_STATE_FILE, DirectorTarget, SettingsStore};
use crate::ui::app::{AppConfig, HybridApp};
use crate::ui::tasks::Tasks;

/// Where a real Decision Maker signs in (from the knowledge-base article).
pub const DEFAULT_PORTAL_URL: &str = "https://portal.shoretelsky.com";

/// Parses the arguments and runs; returns the process exit code.
pub fn run() -> ExitCode {
    let args = Cli::parse();
    // Without a log file the program still works; say so once.
    let _log = crate::store::logs::init(&crate::store::paths::log_dir())
        .inspect_err(|e| eprintln!("warning: no log file: {e}"))
        .ok();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), command = ?args.command.as_ref().map(Command::name), "started");
    let window = args.command.is_none();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if window {
        // The window's background work is network-bound; two threads do.
        builder.worker_threads(2);
    }
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start background tasks: {e}");
            return ExitCode::from(2);
        }
    };
    match args.command {
        Some(command) => runtime.block_on(cli::run(command)),
        None => open_window(&runtime, args.director, args.portal),
    }
}

/// Builds the window's app against `director` (or the built-in simulator)
/// and runs it until the window closes.
fn open_window(
    runtime: &tokio::runtime::Runtime,
    director: Option<String>,
    portal: Option<String>,
) -> ExitCode {
    let store = SettingsStore::default_location();
    let (mut settings, notice) = store.load().settings();
    if let Some(url) = director {
        settings.director = DirectorTarget::Url(url);
    }
    // The embedded simulator serves while the window is open.
    let mut embedded: Option<RunningSim> = None;
    let (director_url, portal_url, demo_password) = match &settings.director {
        DirectorTarget::Url(url) => (
            url.clone(),
            portal.unwrap_or_else(|| {
                non_empty(&settings.portal_url)
                    .unwrap_or(DEFAULT_PORTAL_URL)
                    .to_string()
            }),
            None,
        ),
        DirectorTarget::Demo => {
            let mut config = SimConfig::demo();
            config.state_file = Some(store.dir().join(DEMO_STATE_FILE));
            match runtime.block_on(sim::start(config, ([127, 0, 0, 1], 0).into())) {
                Ok(running) => {
                    let url = running.url();
                    embedded = Some(running);
                    (
                        url.clone(),
                        url,
                        Some(Secret::new(sim::world::DEMO_ADMIN_PASSWORD)),
                    )
                }
                Err(e) => {
                    eprintln!("error: cannot start the built-in simulator: {e}");
                    return ExitCode::from(2);
                }
            }
        }
    };
    let tasks = match Tasks::new(
        runtime.handle().clone(),
        &director_url,
        &portal_url,
        Arc::new(KeyringStore::default()),
        ClientOptions {
            pinned_certificate: settings.trusted_certificates.get(&director_url),
            ..ClientOptions::default()
        },
    ) {
        Ok(tasks) => tasks,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let config = AppConfig {
        demo: settings.director == DirectorTarget::Demo,
        store,
        settings,
        notice,
        director_url,
        portal_url,
        director_password: demo_password,
        open_links: true,
        notifications: true,
        monitor: MonitorConfig::default(),
    };
    let result = crate::ui::show(HybridApp::new(tasks, config));
    if let Some(running) = embedded {
        // Stopping writes the demo world once more.
        runtime.block_on(running.stop());
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot open the window: {e}");
            ExitCode::from(2)
        }
    }
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}
