//! `hybrid-setup check`: the Requirements screen as a command, for scripts
//! and support. It finds out which kind of Director answers, reads what that
//! kind shows, and prints each check with its result and fix; what cannot be
//! read is "not checked", never a pass.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::prompt::director_password;
use super::{
    Database, DatabaseArg, DirectorLoginArgs, FormatArgs, build_and_users, connect_director,
    explain,
};
use crate::client::director::kind::{DirectorKind, detect};
use crate::client::director::web::WebDirector;
use crate::client::director::{Director, HttpDirector};
use crate::client::http::{ApiError, normalize_base_url};
use crate::contract::UserRecord;
use crate::domain::drift::Reading;
use crate::domain::format::{DirectoryUser, FormatOptions};
use crate::domain::requirements::{
    self, Check, CheckStatus, Readable, Transport, UserFacts, checklist_of,
};
use crate::domain::secret::Secret;
use crate::domain::text::printable;

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub login: DirectorLoginArgs,
    /// Print a JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub database: DatabaseArg,
    #[command(flatten)]
    pub username_options: FormatArgs,
    /// Count "not checked" items (what this Director's interface does not
    /// show) as warnings: exit 1 unless everything was read and passed.
    #[arg(long)]
    pub strict: bool,
}

/// What was read, for the output.
struct Outcome {
    /// The kind that answered; `None` when Director could not be read (a
    /// refused sign-in included).
    kind: Option<DirectorKind>,
    build: Option<String>,
    users: Option<usize>,
    /// The users without a DID, by name, where DIDs were read.
    without_did: Option<Vec<String>>,
    checks: Vec<Check>,
}

pub async fn run(args: CheckArgs) -> ExitCode {
    let Some(given) = args.login.director.clone() else {
        return print(&args, &cannot("give --director URL"));
    };
    let url = match normalize_base_url(&given) {
        Ok(url) => url,
        Err(e) => return print(&args, &cannot(&e.to_string())),
    };
    if let Err(e) = args.username_options.options() {
        return print(&args, &cannot(&e));
    }
    let password = match director_password() {
        Ok(p) => p,
        Err(e) => return print(&args, &cannot(&e)),
    };
    let database = match args.database.open().await {
        Ok(database) => database,
        Err(e) => return print(&args, &cannot(&e)),
    };
    let deadline = Duration::from_secs(args.login.timeout.max(1) * 6);
    let outcome = tokio::time::timeout(deadline, read(&args, &url, &password, database.as_ref()))
        .await
        .unwrap_or_else(|_| {
            cannot(&format!(
                "Director at {url} did not finish answering within {} s",
                deadline.as_secs()
            ))
        });
    print(&args, &outcome)
}

fn cannot(reason: &str) -> Outcome {
    Outcome {
        kind: None,
        build: None,
        users: None,
        without_did: None,
        checks: requirements::unreachable(
            "it could not be read",
            reason,
            "Check the address and the sign-in, then run the check again.",
        ),
    }
}

async fn read(
    args: &CheckArgs,
    url: &str,
    password: &Secret,
    database: Option<&Database>,
) -> Outcome {
    let options = args.login.client_options();
    let transport = match (url.trim().starts_with("https"), options.pinned_certificate) {
        (true, Some(_)) => Transport::PinnedTls,
        (true, None) => Transport::TrustedTls,
        (false, _) => Transport::Plain,
    };
    let kind = match detect(url, options).await {
        Ok(kind) => kind,
        Err(e) => return cannot(&format!("cannot read Director at {url}: {}", explain(&e))),
    };
    let read = match kind {
        DirectorKind::Contract => read_contract(args, password, transport).await,
        DirectorKind::Web => read_web(args, url, password, transport, database).await,
    };
    match read {
        Ok(mut outcome) => {
            outcome.kind = Some(kind);
            outcome
        }
        Err(e) => cannot(&format!("cannot read Director at {url}: {}", explain(&e))),
    }
}

async fn read_contract(
    args: &CheckArgs,
    password: &Secret,
    transport: Transport,
) -> Result<Outcome, ApiError> {
    let director: HttpDirector = connect_director(&args.login).await?;
    director.login(&args.login.login, password).await?;
    let system = director.system_info().await?;
    let users = director.users(|_, _| {}).await?;
    let _ = tokio::time::timeout(Duration::from_secs(3), director.logout()).await;
    let facts: Vec<UserFacts<'_>> = users.iter().map(UserRecord::facts).collect();
    let mut checks = checklist_of(&Readable {
        transport,
        build: Ok(&system.build),
        users: &facts,
        services: true,
        dids: true,
    });
    under_options(
        &mut checks,
        &crate::contract::directory_users(&users),
        &args.options(),
    );
    Ok(Outcome {
        kind: None,
        build: Some(system.build.clone()),
        users: Some(users.len()),
        without_did: Some(
            facts
                .iter()
                .filter(|u| !u.has_did)
                .map(|u| u.name.to_string())
                .collect(),
        ),
        checks,
    })
}

async fn read_web(
    args: &CheckArgs,
    url: &str,
    password: &Secret,
    transport: Transport,
    database: Option<&Database>,
) -> Result<Outcome, ApiError> {
    let director = WebDirector::sign_in(
        url,
        args.login.client_options(),
        &args.login.login,
        password,
    )
    .await?;
    let timeout = Duration::from_secs(args.login.timeout.max(1));
    let (build, users) = build_and_users(&director, database, timeout).await;
    let users = users?;
    let facts: Vec<UserFacts<'_>> = users.iter().map(UserFacts::without_services).collect();
    let mut checks = checklist_of(&Readable {
        transport,
        build: build.as_deref().map_err(Clone::clone),
        users: &facts,
        services: false,
        // The web interface's user documents carry the DID; the
        // configuration database's users, as read here, do not.
        dids: users.iter().all(|u| u.has_did.is_some()),
    });
    under_options(&mut checks, &users, &args.options());
    let without_did = users.iter().all(|u| u.has_did.is_some()).then(|| {
        facts
            .iter()
            .filter(|u| !u.has_did)
            .map(|u| u.name.to_string())
            .collect()
    });
    Ok(Outcome {
        kind: None,
        build: build.ok(),
        users: Some(users.len()),
        without_did,
        checks,
    })
}

fn result_word(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "pass",
        CheckStatus::Warn => "warn",
        CheckStatus::Fail => "fail",
        CheckStatus::NotChecked => "not_checked",
    }
}

impl CheckArgs {
    /// Checked at the start of `run`.
    fn options(&self) -> FormatOptions {
        self.username_options.options().unwrap_or_default()
    }
}

/// The usernames check counted as `status` counts them: under the options
/// ticked on Director's Synchronization page.
fn under_options(checks: &mut [Check], users: &[DirectoryUser], options: &FormatOptions) {
    let reading = Reading::of(Ok(String::new()), users, options);
    if let Some(check) = checks.iter_mut().find(|c| c.id == "usernames") {
        *check = requirements::usernames_under(options, reading.invalid, reading.total);
    }
}

/// 0 everything that could be read passed ("not checked" items do not
/// count, unless `strict`), 1 any warning, 2 any failure, 3 Director could
/// not be read.
fn exit_code(outcome: &Outcome, strict: bool) -> u8 {
    let statuses = || outcome.checks.iter().map(|c| c.status);
    if outcome.kind.is_none() {
        3
    } else if statuses().any(|s| s == CheckStatus::Fail) {
        2
    } else if statuses().any(|s| s == CheckStatus::Warn || (strict && s == CheckStatus::NotChecked))
    {
        1
    } else {
        0
    }
}

fn print(args: &CheckArgs, outcome: &Outcome) -> ExitCode {
    let code = exit_code(outcome, args.strict);
    if args.json {
        let checks: Vec<_> = outcome
            .checks
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id, "title": c.title, "result": result_word(c.status),
                    "detail": c.detail, "fix": c.fix,
                })
            })
            .collect();
        let json = serde_json::json!({
            "director_kind": outcome.kind.map(|k| match k {
                DirectorKind::Contract => "contract",
                DirectorKind::Web => "web",
            }),
            "build": outcome.build,
            "users": outcome.users,
            "without_did": outcome.without_did.as_ref().map(|names| serde_json::json!({
                "count": names.len(),
                "users": names,
            })),
            "checks": checks,
        });
        println!("{json}");
    } else {
        if let Some(kind) = outcome.kind {
            println!(
                "{}{}, {}",
                crate::domain::version::HybridScreens::of_build(
                    outcome.build.as_deref().unwrap_or_default()
                )
                .director,
                outcome
                    .build
                    .as_deref()
                    .map(|b| format!(" {b}"))
                    .unwrap_or_default(),
                kind.label()
            );
        }
        for check in &outcome.checks {
            let mark = match check.status {
                CheckStatus::Pass => "PASS",
                CheckStatus::Warn => "WARN",
                CheckStatus::Fail => "FAIL",
                CheckStatus::NotChecked => "NOT CHECKED",
            };
            println!("[{mark}] {}: {}", check.title, printable(&check.detail));
            if !check.fix.is_empty() {
                println!("       Fix: {}", printable(&check.fix));
            }
        }
    }
    ExitCode::from(code)
}
