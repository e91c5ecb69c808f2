//! The command line: no subcommand opens the program's window; `sim`,
//! `audit` and `status` serve scripts. The exit codes of `audit` and
//! `status` are contracts (see README).

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use std::io::Write;
use std::time::Duration;

use crate::audit::{AuditReport, ReportFormat, Rows};
use crate::director::database::DatabaseAddress;
use crate::director::web::WebDirector;
use crate::director::{Director, HttpDirector, sync_report};
use crate::domain::alarm::{self, AlarmState};
use crate::domain::format::DirectoryUser;
use crate::domain::format::FormatOptions;
use crate::net::{ApiError, ClientOptions};
use crate::secret::Secret;
use crate::secrets::{KeyringStore, SecretStore};
use crate::sim::{self, SimConfig, data};
use crate::sources::{ConfigDatabase, CsvFile, SourceError, UserSource};
use crate::tls::Fingerprint;

/// Environment variable read for the Director admin password.
pub const PASSWORD_ENV: &str = "HYBRID_DIRECTOR_PASSWORD";
/// Environment variable read for the configuration database password.
pub const DB_PASSWORD_ENV: &str = "HYBRID_DB_PASSWORD";

#[derive(Debug, Parser)]
#[command(
    name = "hybrid-setup",
    version,
    about = "Set up and monitor Connect HYBRID services (Connect Sync) for a Mitel/ShoreTel Connect Director.",
    long_about = "Without a subcommand, opens the setup wizard and sync monitor. \
                  Unless --director is given, it runs against a built-in simulator of a Director and the Connect Portal."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Director to set up (for example https://director.example.com:5478). Without it, the built-in simulator.
    #[arg(long, global = false)]
    pub director: Option<String>,
    /// Connect Portal address; defaults to the Director's address when that is the simulator.
    #[arg(long)]
    pub portal: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the simulated Director + Connect Portal on a loopback port.
    Sim(SimArgs),
    /// Check client usernames: which are invalid for Connect Sync and why.
    Audit(AuditArgs),
    /// Print Connect Sync health as one monitoring-plugin line (Nagios/Icinga convention).
    Status(StatusArgs),
    /// Write a diagnostics report for support: version, settings, state and the
    /// recent log, with every secret removed.
    Diagnostics(DiagnosticsArgs),
}

#[derive(Debug, Args)]
pub struct DiagnosticsArgs {
    /// Where to write it (default: hybrid-setup-diagnostics.txt in the current folder; - for the terminal).
    #[arg(long, short, default_value = "hybrid-setup-diagnostics.txt")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
    /// Users from a CSV file (header user_dn,first_name,last_name,client_username,email[,did,escalation_delivery]).
    #[arg(long, conflicts_with = "generate")]
    pub users: Option<PathBuf>,
    /// Generate this many users with a realistic mix of problems.
    #[arg(long)]
    pub generate: Option<usize>,
    /// Seconds between Connect Sync cycles (real Directors: about 300).
    #[arg(long = "sync-interval", default_value_t = sim::DEFAULT_SYNC_INTERVAL_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    pub sync_interval: u64,
    /// Keep the simulated world in this file across restarts.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Director build number to report.
    #[arg(long, default_value = sim::DEFAULT_BUILD)]
    pub build: String,
    /// Serve HTTPS with a new self-signed certificate (as many Directors do);
    /// its SHA-256 fingerprint is printed to compare with what the program shows.
    #[arg(long)]
    pub tls: bool,
}

#[derive(Debug, Args, Clone)]
pub struct DirectorLoginArgs {
    /// Director address, for example https://director.example.com:5478.
    #[arg(long)]
    pub director: Option<String>,
    /// Director admin login name. The password comes from HYBRID_DIRECTOR_PASSWORD or a prompt.
    #[arg(long, default_value = "admin")]
    pub login: String,
    /// Seconds to wait for each answer from Director.
    #[arg(long, default_value_t = 20)]
    pub timeout: u64,
    /// Trust Director's self-signed certificate with this SHA-256 fingerprint
    /// (AB:CD:…, as printed when the certificate is refused) and no other.
    #[arg(long = "trust-certificate", value_name = "SHA256", value_parser = parse_fingerprint)]
    pub trust_certificate: Option<Fingerprint>,
}

fn parse_fingerprint(text: &str) -> Result<Fingerprint, String> {
    Fingerprint::parse(text)
        .ok_or_else(|| "expected a SHA-256 fingerprint: 32 hex byte pairs such as AB:CD:…".into())
}

impl DirectorLoginArgs {
    fn client_options(&self) -> ClientOptions {
        ClientOptions {
            request_timeout: Duration::from_secs(self.timeout.max(1)),
            pinned_certificate: self.trust_certificate,
            ..ClientOptions::default()
        }
    }
}

/// An error for the terminal, with what to do next (an untrusted
/// certificate: which option trusts it).
fn explain(error: &ApiError) -> String {
    match error {
        ApiError::UntrustedCertificate { certificate, .. } => format!(
            "{error}. Compare it with the certificate installed on the Director; if they match, run again with --trust-certificate {}",
            certificate.fingerprint
        ),
        other => format!(
            "{}. {}",
            other.to_string().trim_end_matches('.'),
            other.advice()
        ),
    }
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").args(["users_csv", "director", "director_web", "db"]))]
pub struct AuditArgs {
    /// Users from a CSV file (header user_dn,first_name,last_name,client_username,email).
    #[arg(long = "users-csv", value_name = "FILE")]
    pub users_csv: Option<PathBuf>,
    #[command(flatten)]
    pub login: DirectorLoginArgs,
    /// Users from Director's own web interface (login form + user list), for example http://director:5478.
    #[arg(long = "director-web", value_name = "URL")]
    pub director_web: Option<String>,
    /// Users from Director's configuration database, read-only: mysql://st_configread@HOST:4308/shoreware.
    /// The password comes from HYBRID_DB_PASSWORD, the keyring, or a prompt.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
    /// With --db: keep the password typed at the prompt in the system keyring for next time.
    #[arg(long = "remember-password", requires = "db")]
    pub remember_password: bool,
    /// Apply "Use the email address as the client username".
    #[arg(long = "use-email")]
    pub use_email: bool,
    /// Apply "Append a domain to client usernames that are not email addresses".
    #[arg(long = "append-domain", value_name = "DOMAIN")]
    pub append_domain: Option<String>,
    /// List every user, not only the invalid ones.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub login: DirectorLoginArgs,
    /// Print a JSON object instead of the plugin line.
    #[arg(long, conflicts_with = "watch")]
    pub json: bool,
    /// Keep running and print a line each time the state changes (Ctrl+C stops).
    #[arg(long)]
    pub watch: bool,
    /// With --watch: seconds between polls of Director.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub interval: u64,
}

/// Parses the arguments and runs; returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    // Without a log file the program still works; say so once.
    let _log = crate::logging::init(&crate::logging::log_dir())
        .inspect_err(|e| eprintln!("warning: no log file: {e}"))
        .ok();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), command = ?cli.command.as_ref().map(Command::name), "started");
    match cli.command {
        None => crate::ui::run(cli.director, cli.portal),
        Some(command) => {
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("error: cannot start: {e}");
                    return ExitCode::from(2);
                }
            };
            runtime.block_on(async {
                match command {
                    Command::Sim(args) => run_sim(args).await,
                    Command::Audit(args) => run_audit(args).await,
                    Command::Status(args) => run_status(args).await,
                    Command::Diagnostics(args) => run_diagnostics(args).await,
                }
            })
        }
    }
}

impl Command {
    fn name(&self) -> &'static str {
        match self {
            Command::Sim(_) => "sim",
            Command::Audit(_) => "audit",
            Command::Status(_) => "status",
            Command::Diagnostics(_) => "diagnostics",
        }
    }
}

async fn run_diagnostics(args: DiagnosticsArgs) -> ExitCode {
    let store = crate::settings::SettingsStore::default_location();
    let (settings, _) = store.load().settings();
    // The secrets the keyring holds for these settings, to be sure none of
    // them appears in the report.
    let keys = [
        crate::secrets::token_key(&settings.progress.account_id),
        crate::secrets::director_password_key(
            match &settings.director {
                crate::settings::DirectorTarget::Url(url) => url,
                crate::settings::DirectorTarget::Demo => "",
            },
            &settings.director_login,
        ),
    ];
    let secrets: Vec<Secret> = tokio::task::spawn_blocking(move || {
        let keyring = KeyringStore::default();
        keys.iter().filter_map(|k| keyring.get(k)).collect()
    })
    .await
    .unwrap_or_default();
    let report = crate::diagnostics::collect(&store, &crate::logging::log_dir(), &secrets);
    if args.output.as_os_str() == "-" {
        print!("{report}");
        return ExitCode::SUCCESS;
    }
    match crate::fsutil::write_atomic(&args.output, report.as_bytes()) {
        Ok(()) => {
            println!("{}", args.output.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(2, format!("cannot write {}: {e}", args.output.display())),
    }
}

fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

async fn run_sim(args: SimArgs) -> ExitCode {
    let users = match (&args.users, args.generate) {
        (Some(path), _) => match CsvFile(path.clone()).read_as(|user| user) {
            Ok(users) => users,
            Err(e) => return fail(2, e),
        },
        (None, Some(n)) => data::generate(n, data::Mix::Realistic, 42),
        (None, None) => data::generate(250, data::Mix::Fixable, 42),
    };
    if let Err(e) = args.build.parse::<crate::domain::BuildNumber>() {
        return fail(2, format!("--build: {e}"));
    }
    let tls = if args.tls {
        match sim::SimTls::generate() {
            Ok(tls) => Some(tls),
            Err(e) => return fail(2, e),
        }
    } else {
        None
    };
    let config = SimConfig {
        users,
        sync_interval_secs: args.sync_interval,
        build: args.build,
        demo_account: true,
        state_file: args.state,
        tls,
    };
    let running = match sim::start(config, args.addr).await {
        Ok(running) => running,
        Err(e) => return fail(2, e),
    };
    println!("{}", running.url());
    if let Some(fingerprint) = running.certificate {
        eprintln!("Self-signed certificate, SHA-256 {fingerprint}");
    }
    eprintln!(
        "Simulated Director + Connect Portal at {} (Ctrl+C stops it).\n  Director admin: admin / {}\n  Existing Portal account \"Acme Corporation\": {} / {} (Decision Maker), {} / {} (Phone Manager)",
        running.url(),
        sim::world::DEMO_ADMIN_PASSWORD,
        sim::world::DEMO_DECISION_MAKER,
        sim::world::DEMO_PORTAL_PASSWORD,
        sim::world::DEMO_PHONE_MANAGER,
        sim::world::DEMO_PORTAL_PASSWORD,
    );
    let _ = tokio::signal::ctrl_c().await;
    running.stop().await;
    ExitCode::SUCCESS
}

/// The password for Director: the environment, else a prompt when a person
/// is at the terminal. Never a command-line argument (visible to every user
/// of the machine in the process list).
fn director_password() -> Result<Secret, String> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        return Ok(Secret::new(password));
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Director password: ")
            .map(Secret::new)
            .map_err(|e| format!("cannot read the password: {e}"));
    }
    Err(format!(
        "no Director password: set {PASSWORD_ENV} or run from a terminal to be asked"
    ))
}

async fn connect_director(login: &DirectorLoginArgs) -> Result<HttpDirector, ApiError> {
    let url = login.director.as_deref().unwrap_or_default();
    HttpDirector::new(url, login.client_options())
}

async fn run_audit(args: AuditArgs) -> ExitCode {
    let options = FormatOptions {
        use_email: args.use_email,
        append_domain: args.append_domain.clone(),
    };
    if let Err(reason) = options.validate() {
        return fail(
            2,
            format!(
                "--append-domain \"{}\" is not a valid domain: {}",
                args.append_domain.unwrap_or_default(),
                reason.describe()
            ),
        );
    }
    let users = match read_audit_users(&args).await {
        Ok(users) => users,
        Err(e) => return fail(2, e),
    };
    let rows = if args.all {
        Rows::All
    } else {
        Rows::InvalidOnly
    };
    let report = AuditReport::build(&users, &options, rows);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if let Err(e) = report
        .write(args.format, &mut out)
        .and_then(|()| out.flush())
    {
        // A closed pipe (`| head`) is not worth a panic.
        return fail(2, format!("cannot write the report: {e}"));
    }
    if report.invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

async fn read_audit_users(args: &AuditArgs) -> Result<Vec<DirectoryUser>, String> {
    let show_progress = std::io::stderr().is_terminal();
    let progress = move |read: u64, total: u64| {
        if show_progress {
            eprint!("\rReading users: {read} of {total}");
        }
    };
    let timeout = Duration::from_secs(args.login.timeout.max(1));
    let users = if let Some(path) = &args.users_csv {
        CsvFile(path.clone()).read_users(&progress).await
    } else if let Some(url) = &args.db {
        let address = DatabaseAddress::parse(url).map_err(|e| e.to_string())?;
        let (password, prompted) = database_password(&address).await?;
        let source = ConfigDatabase {
            address,
            password,
            timeout,
        };
        let users = source.read_users(&progress).await;
        if users.is_ok() && prompted && args.remember_password {
            remember_database_password(&source.address, &source.password).await;
        }
        users
    } else if let Some(url) = &args.director_web {
        let password = director_password()?;
        let director = WebDirector::sign_in(
            url,
            args.login.client_options(),
            &args.login.login,
            &password,
        )
        .await
        .map_err(|e| format!("Director sign-in failed: {}", explain(&e)))?;
        director.read_users(&progress).await
    } else if args.login.director.is_some() {
        let password = director_password()?;
        let director = connect_director(&args.login)
            .await
            .map_err(|e| e.to_string())?;
        director
            .login(&args.login.login, &password)
            .await
            .map_err(|e| format!("Director sign-in failed: {}", explain(&e)))?;
        director.read_users(&progress).await
    } else {
        return Err("give --users-csv FILE, --director URL, --director-web URL or --db URL".into());
    };
    if show_progress {
        eprintln!();
    }
    users.map_err(|e| match e {
        SourceError::Director(api) => {
            format!("reading users from Director failed: {}", explain(&api))
        }
        other => other.to_string(),
    })
}

/// The database password: HYBRID_DB_PASSWORD, else the keyring, else a
/// prompt. The flag says whether it was typed (and so may be remembered).
async fn database_password(address: &DatabaseAddress) -> Result<(Secret, bool), String> {
    if let Ok(password) = std::env::var(DB_PASSWORD_ENV) {
        return Ok((Secret::new(password), false));
    }
    // The keyring talks to the desktop's secret service synchronously.
    let key = address.keyring_key();
    let kept = tokio::task::spawn_blocking(move || KeyringStore::default().get(&key))
        .await
        .ok()
        .flatten();
    if let Some(password) = kept {
        return Ok((password, false));
    }
    if std::io::stdin().is_terminal() {
        let prompt = format!("Password for {} at {}: ", address.user, address.endpoint());
        return rpassword::prompt_password(prompt)
            .map(|p| (Secret::new(p), true))
            .map_err(|e| format!("cannot read the password: {e}"));
    }
    Err(format!(
        "no database password: set {DB_PASSWORD_ENV}, keep it in the keyring with --remember-password, or run from a terminal to be asked"
    ))
}

async fn remember_database_password(address: &DatabaseAddress, password: &Secret) {
    let key = address.keyring_key();
    let password = password.clone();
    let stored =
        tokio::task::spawn_blocking(move || KeyringStore::default().put(&key, &password)).await;
    match stored {
        Ok(Ok(())) => eprintln!("The password is now kept in the system keyring."),
        Ok(Err(e)) => eprintln!("warning: could not keep the password in the keyring: {e}"),
        Err(e) => eprintln!("warning: could not keep the password in the keyring: {e}"),
    }
}

async fn run_status(args: StatusArgs) -> ExitCode {
    let Some(url) = args.login.director.clone() else {
        return unknown(&args, "give --director URL");
    };
    let password = match director_password() {
        Ok(p) => p,
        Err(e) => return unknown(&args, &e),
    };
    let director = match connect_director(&args.login).await {
        Ok(d) => d,
        Err(e) => return unknown(&args, &e.to_string()),
    };
    if args.watch {
        return watch_status(director, &args.login.login, &password, args.interval).await;
    }
    let fetched = async {
        director.login(&args.login.login, &password).await?;
        let status = director.sync_status().await?;
        let alerts = director.alerts().await?;
        Ok::<_, ApiError>((status, alerts))
    }
    .await;
    let (status, alerts) = match fetched {
        Ok(v) => v,
        Err(e) => {
            return unknown(
                &args,
                &format!("cannot read Director at {url}: {}", explain(&e)),
            );
        }
    };
    let report = sync_report(&status, &alerts);
    let evaluated = alarm::evaluate(&report);
    if args.json {
        let json = serde_json::json!({
            "state": evaluated.state,
            "summary": evaluated.summary,
            "exit_code": evaluated.state.exit_code(),
            "last_success_age_secs": report.last_success_at.map(|t| report.now.saturating_sub(t)),
            "invalid": report.invalid_usernames,
            "total": report.total_users,
            "synced_users": report.synced_users,
            "active_alerts": alerts.iter().filter(|a| a.active).collect::<Vec<_>>(),
        });
        println!("{json}");
    } else {
        println!("{}", alarm::plugin_line(&report, &evaluated));
    }
    ExitCode::from(evaluated.state.exit_code() as u8)
}

/// `status --watch`: one line now, then one per change of state.
async fn watch_status(
    director: HttpDirector,
    login: &str,
    password: &Secret,
    interval: u64,
) -> ExitCode {
    use std::io::Write;
    // A refused sign-in is reported as a state like any other.
    if let Err(e) = director.login(login, password).await {
        println!(
            "{}",
            alarm::plugin_line_unreachable(&format!("cannot sign in to Director: {}", explain(&e)))
        );
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let config = crate::monitor::MonitorConfig {
        poll_every: std::time::Duration::from_secs(interval),
        ..Default::default()
    };
    let _monitor = crate::monitor::spawn(
        &tokio::runtime::Handle::current(),
        std::sync::Arc::new(director),
        config,
        move |event| {
            let _ = tx.send(event);
        },
    );
    let mut shown: Option<AlarmState> = None;
    loop {
        tokio::select! {
            event = rx.recv() => match event {
                Some(crate::monitor::MonitorEvent::Changed(snapshot)) => {
                    if shown == Some(snapshot.status.state) {
                        continue;
                    }
                    shown = Some(snapshot.status.state);
                    let line = match &snapshot.report {
                        Some(report) => alarm::plugin_line(report, &snapshot.status),
                        None => alarm::plugin_line_unreachable(&snapshot.status.summary),
                    };
                    println!("{line}");
                    let _ = std::io::stdout().flush();
                }
                Some(crate::monitor::MonitorEvent::Notify(_)) => {}
                None => return ExitCode::from(3),
            },
            _ = tokio::signal::ctrl_c() => return ExitCode::SUCCESS,
        }
    }
}

fn unknown(args: &StatusArgs, reason: &str) -> ExitCode {
    if args.json {
        let json = serde_json::json!({
            "state": AlarmState::Unknown,
            "summary": reason,
            "exit_code": AlarmState::Unknown.exit_code(),
        });
        println!("{json}");
    } else {
        println!("{}", alarm::plugin_line_unreachable(reason));
    }
    ExitCode::from(AlarmState::Unknown.exit_code() as u8)
}
