//! `hybrid-setup audit`: which client usernames Connect Sync would refuse,
//! why, and what each formatting option would make of them.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::prompt::{database_password, director_password, remember_database_password};
use super::{DatabaseArg, DirectorLoginArgs, FormatArgs, explain, fail};
use crate::client::director::Director;
use crate::client::director::database::DatabaseAddress;
use crate::client::director::kind::{DirectorKind, detect};
use crate::client::director::web::WebDirector;
use crate::client::director::web::{CONCURRENT_USER_REQUESTS, MAX_CONCURRENT_USER_REQUESTS};
use crate::domain::format::DirectoryUser;
use crate::service::audit::report::{AuditReport, ReportFormat, Rows};
use crate::service::audit::sources::{ConfigDatabase, CsvFile, SourceError, UserSource};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").args(["users_csv", "director", "db"]))]
pub struct AuditArgs {
    /// Users from a CSV file (header user_dn,first_name,last_name,client_username,email).
    #[arg(long = "users-csv", value_name = "FILE")]
    pub users_csv: Option<PathBuf>,
    #[command(flatten)]
    pub login: DirectorLoginArgs,
    /// A real Director's web interface: user requests in flight at once (1 to 32).
    #[arg(long, value_name = "N", default_value_t = CONCURRENT_USER_REQUESTS as u16,
          value_parser = clap::value_parser!(u16).range(1..=MAX_CONCURRENT_USER_REQUESTS as i64))]
    pub concurrency: u16,
    #[command(flatten)]
    pub database: DatabaseArg,
    /// With --db: keep the password typed at the prompt in the system keyring for next time.
    #[arg(long = "remember-password", requires = "db")]
    pub remember_password: bool,
    #[command(flatten)]
    pub username_options: FormatArgs,
    /// List every user, not only the invalid ones.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
}

pub async fn run(args: AuditArgs) -> ExitCode {
    let options = match args.username_options.options() {
        Ok(options) => options,
        Err(e) => return fail(2, e),
    };
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
    } else if let Some(url) = &args.database.db {
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
    } else if let Some(given) = &args.login.director {
        // Checked first: an address with a password inside is refused and
        // never repeated back.
        let url = &crate::client::http::normalize_base_url(given)
            .map_err(|e| format!("--director: {e}"))?;
        let password = director_password()?;
        let options = args.login.client_options();
        // Either kind at --director, told apart as `check` and `status` do.
        let kind = detect(url, options)
            .await
            .map_err(|e| format!("cannot read Director at {url}: {}", explain(&e)))?;
        match kind {
            DirectorKind::Web => {
                let director = WebDirector::sign_in(url, options, &args.login.login, &password)
                    .await
                    .map_err(|e| explain(&e))?
                    .with_concurrency(usize::from(args.concurrency));
                director.read_users(&progress).await
            }
            DirectorKind::Contract => {
                let director = crate::client::director::HttpDirector::new(url, options)
                    .map_err(|e| e.to_string())?;
                director
                    .login(&args.login.login, &password)
                    .await
                    .map_err(|e| explain(&e))?;
                let users = director.read_users(&progress).await;
                // Done with Director: the session ends here, not when it idles out.
                let _ = tokio::time::timeout(Duration::from_secs(3), director.logout()).await;
                users
            }
        }
    } else {
        return Err("give --users-csv FILE, --director URL or --db URL".into());
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
