//! The composition root: the only module that sees every layer. It parses
//! the command line, starts logging and the background runtime, and then
//! either runs a command or builds the window — settings, the embedded
//! simulator for the demo, the background tasks, the app — and opens it.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use crate::cli::{self, Cli, Command, DemoDirector};
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
    // Files and folders the program makes are this user's alone.
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-creation mask.
    unsafe {
        libc::umask(0o077);
    }
    let args = match Cli::try_parse() {
        Ok(args) => args,
        Err(e) => return usage_error(e),
    };
    if let Err(e) = crate::store::paths::home_override() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    // The window starts a browser (and the browser its helpers): a password
    // given in the environment is taken into memory and out of it first,
    // before any thread exists.
    let env_password = args
        .command
        .is_none()
        .then(take_director_password_from_env)
        .flatten();
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
        None => open_window(
            &runtime,
            args.director,
            args.portal,
            args.demo_director,
            args.theme.map(Into::into),
            args.zoom,
            env_password,
        ),
    }
}

/// clap's usage errors exit 2, which a monitoring system reads as CRITICAL
/// for `status`; there a usage error is UNKNOWN (3), as plugins do.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let _ = error.print();
    let status = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if status.as_deref() == Some("status") {
        ExitCode::from(3)
    } else {
        ExitCode::from(2)
    }
}

/// `HYBRID_DIRECTOR_PASSWORD` (and the database's), read and removed from
/// the environment so no program the window starts inherits them.
fn take_director_password_from_env() -> Option<Secret> {
    let password = std::env::var(crate::cli::prompt::PASSWORD_ENV).ok();
    for name in [
        crate::cli::prompt::PASSWORD_ENV,
        crate::cli::prompt::DB_PASSWORD_ENV,
    ] {
        // SAFETY: called at start, before the runtime, logging or any other
        // thread exists, so nothing reads the environment concurrently.
        unsafe { std::env::remove_var(name) };
    }
    password.filter(|p| !p.is_empty()).map(Secret::new)
}

/// Builds the window's app against `director` (or the built-in simulator)
/// and runs it until the window closes.
fn open_window(
    runtime: &tokio::runtime::Runtime,
    director: Option<String>,
    portal: Option<String>,
    demo_director: DemoDirector,
    theme: Option<crate::domain::wizard::ThemeChoice>,
    zoom: Option<u16>,
    env_password: Option<Secret>,
) -> ExitCode {
    let store = SettingsStore::default_location();
    // The program's own folder (the demo keeps its world there).
    if let Err(e) = crate::store::atomic_file::create_private_dir(store.dir()) {
        eprintln!("error: cannot create {}: {e}", store.dir().display());
        return ExitCode::from(2);
    }
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
            // A real Director's password, when the environment gave one.
            env_password,
        ),
        DirectorTarget::Demo => {
            let mut config = SimConfig::demo();
            config.state_file = Some(store.dir().join(DEMO_STATE_FILE));
            // Playing a real Director: its web interface only, so the
            // real-Director path can be tried without one.
            config.web_mode.only = demo_director == DemoDirector::Web;
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
        theme,
        zoom,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Run in a child process of this test binary (the environment is
    /// process-wide): takes the password and reports what is left.
    #[test]
    fn child_takes_the_password_out_of_the_environment() {
        if std::env::var_os("HYBRID_TEST_CHILD").is_none() {
            return;
        }
        let taken = take_director_password_from_env();
        println!(
            "taken={} left={} db_left={}",
            taken.map(|s| s.expose().to_string()).unwrap_or_default(),
            std::env::var_os(crate::cli::prompt::PASSWORD_ENV).is_some(),
            std::env::var_os(crate::cli::prompt::DB_PASSWORD_ENV).is_some(),
        );
    }

    #[test]
    fn the_window_keeps_no_password_in_its_environment() {
        let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "launch::tests::child_takes_the_password_out_of_the_environment",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("HYBRID_TEST_CHILD", "1")
            .env(crate::cli::prompt::PASSWORD_ENV, "Hunter2Pass")
            .env(crate::cli::prompt::DB_PASSWORD_ENV, "DbPass")
            .output()
            .expect("child runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("taken=Hunter2Pass left=false db_left=false"),
            "{text}"
        );
    }
}
