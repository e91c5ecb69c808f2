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
use crate::store::instance;
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
    let mut args = match Cli::try_parse() {
        Ok(args) => args,
        Err(e) => return usage_error(e),
    };
    // The icon and the commands: before the log's thread, the first
    // besides this one.
    if args.command.is_some() || args.tray {
        crate::service::memory::keep_one_arena();
    }
    if let Err(e) = crate::store::paths::home_override() {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    if args.forget_start_at_login {
        return forget_start_at_login();
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
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if args.command.is_none() {
        // The window's and the icon's background work is network-bound; two
        // threads do, however many cores the desktop has.
        builder.worker_threads(2);
    }
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start background tasks: {e}");
            return ExitCode::from(2);
        }
    };
    match args.command.take() {
        Some(command) => runtime.block_on(cli::run(command)),
        None if args.tray => tray_only(&runtime, args, env_password),
        None => open_window(&runtime, args, env_password),
    }
}

/// `--forget-start-at-login`: the uninstaller's clean-up of this user's
/// "Start at login".
fn forget_start_at_login() -> ExitCode {
    match crate::store::autostart::for_this_system().and_then(|a| a.turn_off()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
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

/// `--tray`: the notification-area icon and the sync monitor, no window.
/// Where there is no notification area, it says so and opens the window,
/// whose status panel keeps monitoring.
#[cfg(any(target_os = "linux", windows))]
fn tray_only(
    runtime: &tokio::runtime::Runtime,
    args: Cli,
    env_password: Option<Secret>,
) -> ExitCode {
    use crate::tray::run::{self, WindowFor};

    let store = SettingsStore::default_location();
    if let Err(e) = crate::store::atomic_file::create_private_dir(store.dir()) {
        eprintln!("error: cannot create {}: {e}", store.dir().display());
        return ExitCode::from(2);
    }
    // One icon: a second --tray (a double start at login) opens the window;
    // the window closing leaves a running icon alone.
    let keep_watching = args.keep_watching;
    let listener = match instance::claim_asking(store.dir(), instance::Kind::Tray, !keep_watching) {
        Ok(instance::Claim::AlreadyRunning) if keep_watching => return ExitCode::SUCCESS,
        Ok(instance::Claim::AlreadyRunning) => {
            println!("This program's icon is already in the notification area; its window opens.");
            return ExitCode::SUCCESS;
        }
        Ok(instance::Claim::First(listener)) => Some(listener),
        Err(e) => {
            tracing::warn!("cannot tell other launches apart: {e}");
            None
        }
    };
    let (settings, _) = store.load().settings();
    let Ok(exe) = std::env::current_exe() else {
        eprintln!("error: cannot find this program's own file to open its window from");
        return ExitCode::from(2);
    };
    // The built-in simulator, when it is the open Director.
    let embedded = match settings.director {
        DirectorTarget::Demo => match start_demo(runtime, &store, args.demo_director) {
            Some(running) => Some(running),
            None => return ExitCode::from(2),
        },
        DirectorTarget::Url(_) => None,
    };
    let demo_password = Secret::new(sim::world::DEMO_ADMIN_PASSWORD);
    let demo = embedded
        .as_ref()
        .map(|running| (running.url(), demo_password.clone()));
    let first = match tray_watch(&settings, demo.clone(), env_password.clone()) {
        Ok(first) => first,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // The window adds, removes and switches Directors: watched anew.
    let changed = {
        let store = store.clone();
        let seen = std::sync::Mutex::new((settings_modified(&store), watched_part(&settings)));
        move || {
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            let modified = settings_modified(&store);
            if modified == seen.0 {
                return None;
            }
            seen.0 = modified;
            let (settings, _) = store.load().settings();
            let part = watched_part(&settings);
            if part == seen.1 {
                return None;
            }
            seen.1 = part;
            tracing::info!("the saved Directors changed: watching them anew");
            tray_watch(&settings, demo.clone(), env_password.clone())
                .inspect_err(|e| tracing::warn!("cannot watch the saved Directors: {e}"))
                .ok()
        }
    };
    // The window is a program of its own: closing it frees its memory and
    // graphics while the icon keeps watching.
    let demo_url = embedded.as_ref().map(RunningSim::url);
    let open_from_menu = |what: WindowFor| {
        let mut command = std::process::Command::new(&exe);
        if let Some(url) = &demo_url {
            command.args(["--demo-url", url]);
        }
        match what {
            WindowFor::Alerts => {
                command.arg("--alerts");
            }
            WindowFor::Directors => {
                command.arg("--directors");
            }
            WindowFor::Status => {}
        }
        match command.spawn() {
            // Reaped when it exits, so no zombie waits for the icon to quit.
            Ok(mut child) => {
                std::thread::spawn(move || child.wait());
            }
            Err(e) => tracing::warn!("cannot open the window: {e}"),
        }
    };
    let handle = runtime.handle().clone();
    let notify = move |n| crate::service::desktop_notification::show(&handle, n);
    let autostart = crate::store::autostart::for_this_system().ok();
    let result = runtime.block_on(run::run(
        first,
        changed,
        listener,
        autostart,
        open_from_menu,
        notify,
    ));
    if let Some(running) = embedded {
        runtime.block_on(running.stop());
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The window just closed: nothing to show the icon in, nothing more to do.
        Err(e) if keep_watching => {
            tracing::info!("not watching after the window closed: {e}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::warn!("{e}");
            eprintln!("{e}: the window opens instead, and its status panel keeps monitoring.");
            // The password was taken from the environment already: the
            // keyring has it, or the window asks.
            open_window(runtime, args, None)
        }
    }
}

/// What the icon watches under `settings`: the open Director (its sync
/// state where it can be read) and the other saved Directors. `demo` is the
/// built-in simulator's address and password, when it runs.
#[cfg(any(target_os = "linux", windows))]
fn tray_watch(
    settings: &crate::store::settings::Settings,
    demo: Option<(String, Secret)>,
    env_password: Option<Secret>,
) -> Result<
    crate::tray::run::Watch<crate::client::director::HttpDirector>,
    crate::client::http::ApiError,
> {
    use crate::client::director::HttpDirector;
    use crate::domain::director_kind::DirectorKind;
    use crate::domain::tray::TrayView;
    use crate::service::drift_watch::DriftConfig;
    use crate::service::fleet;
    use crate::store::secret_store::{SecretKey, SecretStore};
    use crate::tray::run::{Others, RealDirector, Watch, Watching};
    use std::time::Duration;

    let demo = demo
        .as_ref()
        .map(|(url, password)| (url.as_str(), password));
    let every = MonitorConfig::default().poll_every;
    let others = Others {
        members: (settings.other_directors.iter())
            .map(|saved| fleet::member_of(settings, saved.clone(), demo, every))
            .collect(),
        secrets: Arc::new(KeyringStore::default()),
    };
    let (url, password, kind_key) = match (&settings.director, demo) {
        (DirectorTarget::Url(url), _) => {
            let password = env_password.or_else(|| {
                let key = SecretKey::DirectorPassword {
                    director: url.clone(),
                    login: settings.director_login.clone(),
                };
                KeyringStore::default().get(&key.entry_name())
            });
            (url.clone(), password, url.clone())
        }
        (DirectorTarget::Demo, Some((url, password))) => {
            (url.to_string(), Some(password.clone()), "demo".to_string())
        }
        (DirectorTarget::Demo, None) => {
            let mine = Watching::Nothing(TrayView::not_provisioned());
            return Ok(Watch { mine, others });
        }
    };
    let mine = if !settings.progress.provisioned {
        Watching::Nothing(TrayView::not_provisioned())
    } else if settings.director_kind(&kind_key) == Some(DirectorKind::Web) {
        let client = ClientOptions {
            pinned_certificate: settings.trusted_certificates.get(&url),
            ..ClientOptions::default()
        };
        let login = settings.director_login.clone();
        let reread: Option<crate::service::exporter::Reread> =
            matches!(settings.director, DirectorTarget::Url(_)).then(|| {
                let key = SecretKey::DirectorPassword {
                    director: url.clone(),
                    login: login.clone(),
                }
                .entry_name();
                let reread: crate::service::exporter::Reread =
                    Arc::new(move || KeyringStore::default().get(&key));
                reread
            });
        Watching::Real(RealDirector {
            name: settings.current_director().name(),
            config: DriftConfig {
                url: url.clone(),
                client,
                options: settings.progress.format_options(),
                every: settings.progress.check_users_every(),
                first_retry: Duration::from_secs(30),
                max_backoff: crate::service::monitor::MAX_BACKOFF,
            },
            credentials: Arc::new(std::sync::Mutex::new(password.map(|p| (login, p)))),
            reread,
        })
    } else {
        let options = ClientOptions {
            pinned_certificate: settings.trusted_certificates.get(&url),
            ..ClientOptions::default()
        };
        let director = HttpDirector::new(&url, options)?;
        if let Some(password) = &password {
            director.set_credentials(&settings.director_login, password);
        }
        Watching::Sync(Arc::new(director), MonitorConfig::default())
    };
    Ok(Watch { mine, others })
}

/// When the settings file last changed (a cheap look before reading it).
#[cfg(any(target_os = "linux", windows))]
fn settings_modified(store: &SettingsStore) -> Option<std::time::SystemTime> {
    std::fs::metadata(store.path())
        .and_then(|m| m.modified())
        .ok()
}

/// The part of the settings the icon watches by: each Director's address,
/// login, setup and username options, the pins and the kinds — not the
/// window's theme or zoom.
#[cfg(any(target_os = "linux", windows))]
fn watched_part(settings: &crate::store::settings::Settings) -> impl PartialEq + use<> {
    let directors: Vec<_> = (settings.directors().into_iter())
        .map(|d| {
            let options = d.progress.format_options();
            (
                d.director,
                d.director_login,
                d.progress.provisioned,
                options,
            )
        })
        .collect();
    (
        directors,
        settings.trusted_certificates.clone(),
        settings.director_kinds.clone(),
    )
}

/// No notification-area icon on this system yet: the window instead.
#[cfg(not(any(target_os = "linux", windows)))]
fn tray_only(
    runtime: &tokio::runtime::Runtime,
    args: Cli,
    env_password: Option<Secret>,
) -> ExitCode {
    eprintln!(
        "The notification-area icon is not available on this system yet: the window opens instead."
    );
    open_window(runtime, args, env_password)
}

/// The built-in demo's simulator on its saved world (the window's, or the
/// icon's while the icon runs); says why when it cannot start.
fn start_demo(
    runtime: &tokio::runtime::Runtime,
    store: &SettingsStore,
    demo_director: DemoDirector,
) -> Option<RunningSim> {
    let mut config = SimConfig::demo();
    config.state_file = Some(store.dir().join(DEMO_STATE_FILE));
    // Playing a real Director: its web interface only, so the
    // real-Director path can be tried without one.
    config.web_mode.only = demo_director == DemoDirector::Web;
    runtime
        .block_on(sim::start(config, ([127, 0, 0, 1], 0).into()))
        .inspect_err(|e| eprintln!("error: cannot start the built-in simulator: {e}"))
        .ok()
}

/// Once set up, closing the window leaves the notification-area icon
/// watching (unless the status panel's setting says not to): started here
/// if none runs yet.
fn keep_watching_after_close(store: &SettingsStore) {
    let (settings, _) = store.load().settings();
    if !cfg!(any(target_os = "linux", windows))
        || !settings.progress.provisioned
        || settings.progress.stop_watching_on_close
    {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    match std::process::Command::new(exe)
        .args(["--tray", "--keep-watching"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(_) => tracing::info!("the notification-area icon keeps watching"),
        Err(e) => tracing::warn!("cannot keep watching after the window closed: {e}"),
    }
}

/// Builds the window's app against `director` (or the built-in simulator)
/// and runs it until the window closes.
fn open_window(
    runtime: &tokio::runtime::Runtime,
    args: Cli,
    env_password: Option<Secret>,
) -> ExitCode {
    let Cli {
        director,
        portal,
        demo_director,
        theme,
        zoom,
        alerts,
        directors: open_directors,
        demo_url,
        ..
    } = args;
    let store = SettingsStore::default_location();
    // The program's own folder (the demo keeps its world there).
    if let Err(e) = crate::store::atomic_file::create_private_dir(store.dir()) {
        eprintln!("error: cannot create {}: {e}", store.dir().display());
        return ExitCode::from(2);
    }
    // One window: a second launch brings this one forward instead.
    let mut socket: Option<std::path::PathBuf> = None;
    let raise = match instance::claim(store.dir(), instance::Kind::Window) {
        Ok(instance::Claim::AlreadyRunning) => {
            println!("Connect HYBRID Setup is already open; its window comes forward.");
            return ExitCode::SUCCESS;
        }
        Ok(instance::Claim::First(listener)) => {
            // Its thread outlives this function: the file is removed below.
            socket = Some(listener.path().to_path_buf());
            let raise = Arc::new(crate::ui::app::Raise::default());
            let asked = raise.clone();
            listener.on_open(move || asked.ask());
            Some(raise)
        }
        Err(e) => {
            tracing::warn!("cannot tell other launches apart: {e}");
            None
        }
    };
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
        // The notification-area icon's simulator: one demo world, not two.
        DirectorTarget::Demo if demo_url.is_some() => {
            let url = demo_url.unwrap_or_default();
            (
                url.clone(),
                url,
                Some(Secret::new(sim::world::DEMO_ADMIN_PASSWORD)),
            )
        }
        DirectorTarget::Demo => {
            let Some(running) = start_demo(runtime, &store, demo_director) else {
                return ExitCode::from(2);
            };
            let url = running.url();
            embedded = Some(running);
            (
                url.clone(),
                url,
                Some(Secret::new(sim::world::DEMO_ADMIN_PASSWORD)),
            )
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
    // Read again once the window has closed (see keep_watching_after_close).
    let settings_store = store.clone();
    let config = AppConfig {
        demo: settings.director == DirectorTarget::Demo,
        store,
        settings,
        notice,
        director_url,
        portal_url,
        director_password: demo_password,
        open_links: true,
        notify: Some({
            let runtime = runtime.handle().clone();
            Arc::new(move |n| crate::service::desktop_notification::show(&runtime, n))
        }),
        monitor: MonitorConfig::default(),
        theme: theme.map(Into::into),
        zoom,
        open_alerts: alerts,
        open_directors,
        autostart: crate::store::autostart::for_this_system()
            .ok()
            .map(std::sync::Arc::from),
        raise,
    };
    let result = crate::ui::show(HybridApp::new(tasks, config));
    // The window is gone (closed, or it could not open): so is its claim.
    if let Some(socket) = &socket {
        let _ = std::fs::remove_file(socket);
    }
    if let Some(running) = embedded {
        // Stopping writes the demo world once more.
        runtime.block_on(running.stop());
    }
    if result.is_ok() {
        keep_watching_after_close(&settings_store);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A library's error may carry the build machine's source path.
            let reason = crate::domain::text::without_source_locations(&e.to_string());
            eprintln!("error: cannot open the window: {reason}");
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
