//! The command line: no subcommand opens the program's window; `sim`,
//! `audit` and `status` serve scripts. The exit codes of `audit` and
//! `status` are contracts (see README).

pub mod audit;
pub mod check;
pub mod diagnostics;
pub mod directors;
pub mod exporter;
pub mod fix;
pub mod prompt;
pub mod sim;
pub mod status;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::client::director::HttpDirector;
use crate::client::http::{ApiError, ClientOptions};
use crate::domain::certificate::Fingerprint;

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
    /// Which Director the built-in demo plays: `contract` (the whole flow,
    /// automatic) or `web` (only what a real Director's web interface shows).
    #[arg(long = "demo-director", value_enum, default_value = "contract")]
    pub demo_director: DemoDirector,
    /// The window's colours for this run (the status panel's Theme setting
    /// is kept for the next).
    #[arg(long, value_enum)]
    pub theme: Option<ThemeArg>,
    /// How large to draw everything for this run, in percent (50 to 300);
    /// Ctrl + / Ctrl − / Ctrl 0 change it in the window and keep it.
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u16).range(50..=300))]
    pub zoom: Option<u16>,
    /// Start with only the icon in the notification area (no window): it
    /// shows the sync state and opens the window from its menu.
    #[arg(long)]
    pub tray: bool,
    /// Open the window on the Hybrid alerts (the icon's "Show alerts").
    #[arg(long)]
    pub alerts: bool,
    /// Open the window on the Directors view (a click on the icon while it
    /// shows another Director's state).
    #[arg(long)]
    pub directors: bool,
    /// The built-in demo's simulator already running at URL (the icon's
    /// own), instead of starting another.
    #[arg(long, value_name = "URL", hide = true)]
    pub demo_url: Option<String>,
    /// With --tray, started as the window closes: keep watching if no icon
    /// runs yet; quietly nothing where there is no notification area.
    #[arg(long, hide = true, requires = "tray")]
    pub keep_watching: bool,
    /// Turn "Start at login" off and end: the Windows installer runs this
    /// as the program is removed, so no Run value outlives it.
    #[arg(long, hide = true, conflicts_with = "tray")]
    pub forget_start_at_login: bool,
}

/// `--theme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThemeArg {
    System,
    Light,
    Dark,
}

impl From<ThemeArg> for crate::domain::wizard::ThemeChoice {
    fn from(arg: ThemeArg) -> Self {
        match arg {
            ThemeArg::System => Self::System,
            ThemeArg::Light => Self::Light,
            ThemeArg::Dark => Self::Dark,
        }
    }
}

/// The built-in demo's Director.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoDirector {
    Contract,
    Web,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the simulated Director + Connect Portal on a loopback port.
    Sim(sim::SimArgs),
    /// Check client usernames: which are invalid for Connect Sync and why.
    Audit(audit::AuditArgs),
    /// Print Connect Sync health as one monitoring-plugin line (Nagios/Icinga convention).
    Status(status::StatusArgs),
    /// The Requirements checklist: build, emails, client usernames, Scribe and Fax, each with its fix.
    Check(check::CheckArgs),
    /// Fix client usernames and emails in Director (web interface): preview,
    /// apply with a backup first, undo.
    Fix(fix::FixArgs),
    /// Serve Prometheus metrics for the Directors named in a file (a
    /// monitoring system's view of many sites).
    Exporter(exporter::ExporterArgs),
    /// Save, list or forget Directors to watch, without the window (for a
    /// deployment script): `directors add --director URL`, `list`, `remove NAME`.
    Directors(directors::DirectorsArgs),
    /// Write a diagnostics report for support: version, settings, state and the
    /// recent log, with every secret removed.
    Diagnostics(diagnostics::DiagnosticsArgs),
}

#[derive(Debug, Args, Clone)]
pub struct DirectorLoginArgs {
    /// Director address, for example https://director.example.com:5478
    /// (either kind; found out on the first request).
    #[arg(long, alias = "director-web", value_name = "URL")]
    pub director: Option<String>,
    /// Director admin login name. The password comes from HYBRID_DIRECTOR_PASSWORD or a prompt.
    #[arg(long, default_value = "admin")]
    pub login: String,
    /// Seconds to wait for Director: for each answer, and (`status`, a
    /// monitoring plugin) for the whole check, retries included.
    #[arg(long, default_value_t = 20)]
    pub timeout: u64,
    /// Trust Director's self-signed certificate with this SHA-256 fingerprint
    /// (AB:CD:…, as printed when the certificate is refused) and no other.
    #[arg(long = "trust-certificate", value_name = "SHA256", value_parser = parse_fingerprint)]
    pub trust_certificate: Option<Fingerprint>,
}

/// A real Director's configuration database, as every command that reads
/// users takes it (one definition).
#[derive(Debug, Args, Clone, Default)]
pub struct DatabaseArg {
    /// A real Director's configuration database, read-only
    /// (mysql://st_configread@HOST:4308/shoreware): every user in one query
    /// instead of one request each, and the build when Monitoring > Services
    /// does not show it. Password: HYBRID_DB_PASSWORD, the keyring, or a prompt.
    #[arg(long, value_name = "URL")]
    pub db: Option<String>,
}

/// The configuration database to read, with its password.
pub struct Database {
    pub address: crate::client::director::database::DatabaseAddress,
    pub password: crate::domain::secret::Secret,
}

impl DatabaseArg {
    /// The database given, with its password; the error names `--db`.
    pub async fn open(&self) -> Result<Option<Database>, String> {
        let Some(text) = &self.db else {
            return Ok(None);
        };
        let address = crate::client::director::database::DatabaseAddress::parse(text)
            .map_err(|e| format!("--db: {e}"))?;
        let (password, _) = prompt::database_password(&address)
            .await
            .map_err(|e| format!("--db: {e}"))?;
        Ok(Some(Database { address, password }))
    }
}

impl Database {
    /// Every user, in one query; `timeout` bounds the connection and the
    /// query each.
    pub async fn users(
        &self,
        timeout: std::time::Duration,
    ) -> Result<Vec<crate::domain::format::DirectoryUser>, ApiError> {
        crate::client::director::database::read_users(&self.address, &self.password, timeout)
            .await
            .map_err(|e| ApiError::Protocol {
                url: self.address.endpoint(),
                detail: e.to_string(),
            })
    }

    /// Director's build from the `version` table.
    pub async fn build(&self, timeout: std::time::Duration) -> Result<String, String> {
        crate::client::director::database::read_build(&self.address, &self.password, timeout)
            .await
            .map_err(|e| e.to_string())
    }
}

/// A real Director's build and users, as `check` and `status` read them:
/// Monitoring > Services and each user's document — or, given `--db`, the
/// users of the configuration database (one query) and its build when
/// Monitoring > Services cannot be read (both reasons said).
pub async fn build_and_users(
    director: &crate::client::director::web::WebDirector,
    database: Option<&Database>,
    timeout: std::time::Duration,
) -> (
    Result<String, String>,
    Result<Vec<crate::domain::format::DirectoryUser>, ApiError>,
) {
    let build = match (director.build().await, database) {
        (Ok(build), _) => Ok(build.to_string()),
        (Err(e), None) => Err(explain(&e)),
        (Err(e), Some(db)) => db.build(timeout).await.map_err(|db_error| {
            format!(
                "Monitoring > Services: {}; configuration database: {db_error}",
                explain(&e)
            )
        }),
    };
    let users = match database {
        Some(db) => db.users(timeout).await,
        None => director.users(&|_, _| {}).await,
    };
    (build, users)
}

/// The username options ticked on Director's Synchronization page, as
/// every command that counts client usernames takes them (one definition).
#[derive(Debug, Args, Clone, Default)]
pub struct FormatArgs {
    /// Count client usernames as Connect Sync does with "Use the email
    /// address as the client username" ticked on Director's
    /// Synchronization page.
    #[arg(long = "use-email")]
    pub use_email: bool,
    /// … with "Append a domain to client usernames that are not email
    /// addresses" ticked, and this domain.
    #[arg(long = "append-domain", value_name = "DOMAIN")]
    pub append_domain: Option<String>,
}

impl FormatArgs {
    /// The options, or why the domain is refused (naming the flag).
    pub fn options(&self) -> Result<crate::domain::format::FormatOptions, String> {
        let options = crate::domain::format::FormatOptions {
            use_email: self.use_email,
            append_domain: self.append_domain.clone(),
        };
        options
            .validate()
            .map_err(|reason| format!("--append-domain: {}", reason.describe()))?;
        Ok(options)
    }
}

pub(crate) fn parse_fingerprint(text: &str) -> Result<Fingerprint, String> {
    Fingerprint::parse(text)
        .ok_or_else(|| "expected a SHA-256 fingerprint: 32 hex byte pairs such as AB:CD:…".into())
}

impl DirectorLoginArgs {
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            request_timeout: Duration::from_secs(self.timeout.max(1)),
            pinned_certificate: self.trust_certificate,
            ..ClientOptions::default()
        }
    }
}

/// An error for the terminal, with what to do next (an untrusted
/// certificate: which option trusts it).
pub fn explain(error: &ApiError) -> String {
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

/// Runs a subcommand on the caller's runtime; returns the exit code.
pub async fn run(command: Command) -> ExitCode {
    match command {
        Command::Sim(args) => sim::run(args).await,
        Command::Audit(args) => audit::run(args).await,
        Command::Status(args) => status::run(args).await,
        Command::Check(args) => check::run(args).await,
        Command::Fix(args) => fix::run(args).await,
        Command::Diagnostics(args) => diagnostics::run(args).await,
        Command::Directors(args) => directors::run(args).await,
        Command::Exporter(args) => exporter::run(args).await,
    }
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Sim(_) => "sim",
            Command::Audit(_) => "audit",
            Command::Status(_) => "status",
            Command::Check(_) => "check",
            Command::Fix(_) => "fix",
            Command::Diagnostics(_) => "diagnostics",
            Command::Directors(_) => "directors",
            Command::Exporter(_) => "exporter",
        }
    }
}

pub fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    // A server's or a file's words may carry terminal escape sequences.
    eprintln!(
        "error: {}",
        crate::domain::text::printable(&message.to_string())
    );
    ExitCode::from(code)
}

pub async fn connect_director(login: &DirectorLoginArgs) -> Result<HttpDirector, ApiError> {
    let url = login.director.as_deref().unwrap_or_default();
    HttpDirector::new(url, login.client_options())
}
