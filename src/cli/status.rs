//! `hybrid-setup status`: Connect Sync health as one monitoring-plugin line
//! (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), once or `--watch`.

use std::io::Write;
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
use crate::contract::sync_report;
use crate::domain::alarm::{self, AlarmState};
use crate::domain::drift::{Reading, Watched};
use crate::domain::secret::Secret;
use crate::domain::text::printable;

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub login: DirectorLoginArgs,
    /// Print a JSON object instead of the plugin line.
    #[arg(long, conflicts_with = "watch")]
    pub json: bool,
    /// Keep running and print a line each time the state changes (Ctrl+C
    /// stops). A real Director is watched through its web interface (not --db).
    #[arg(long, conflicts_with = "db")]
    pub watch: bool,
    /// With --watch: seconds between looks at Director (a real Director's
    /// users are read on each look).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub interval: u64,
    /// A real Director's usernames are counted under these.
    #[command(flatten)]
    pub username_options: FormatArgs,
    #[command(flatten)]
    pub database: DatabaseArg,
}

/// How long signing out may take after the check.
const LOGOUT_WAIT: Duration = Duration::from_secs(3);

pub async fn run(args: StatusArgs) -> ExitCode {
    let Some(given) = args.login.director.clone() else {
        return unknown(&args, "give --director URL");
    };
    // Checked first: a refused address (a password inside it, say) is
    // never repeated back.
    let url = match normalize_base_url(&given) {
        Ok(url) => url,
        Err(e) => return unknown(&args, &e.to_string()),
    };
    let password = match director_password() {
        Ok(p) => p,
        Err(e) => return unknown(&args, &e),
    };
    let database = match args.database.open().await {
        Ok(database) => database,
        Err(e) => return unknown(&args, &e),
    };
    // One deadline for the whole check, retries included: a monitoring
    // system gives a plugin about a minute.
    let deadline = Duration::from_secs(args.login.timeout.max(1));
    let started = tokio::time::Instant::now();
    let kind = match tokio::time::timeout(deadline, detect(&url, args.login.client_options())).await
    {
        Ok(Ok(kind)) => kind,
        Ok(Err(e)) => {
            return unknown(
                &args,
                &format!("cannot read Director at {url}: {}", explain(&e)),
            );
        }
        Err(_) => return unknown(&args, &no_answer(&url, deadline)),
    };
    if kind == DirectorKind::Web {
        if args.watch {
            return web_watch(&args, &url, password).await;
        }
        let left = deadline.saturating_sub(started.elapsed());
        let read = web_status(&args, &url, &password, database.as_ref());
        return match tokio::time::timeout(left, read).await {
            Ok(code) => code,
            Err(_) => unknown(&args, &no_answer(&url, deadline)),
        };
    }
    if database.is_some() {
        return unknown(
            &args,
            "--db: this Director answers the simulator's contract, which has no configuration \
             database; --db is for a real Director",
        );
    }
    let director = match connect_director(&args.login).await {
        Ok(d) => d,
        Err(e) => return unknown(&args, &e.to_string()),
    };
    if args.watch {
        return watch_status(director, &args.login.login, &password, args.interval).await;
    }
    let fetched = tokio::time::timeout(deadline.saturating_sub(started.elapsed()), async {
        director.login(&args.login.login, &password).await?;
        let build = director.system_info().await.ok().map(|info| info.build);
        let state = director.sync_state().await.map(|state| (state, build));
        // Signed out again: the session cookie is worth nothing after this.
        let _ = tokio::time::timeout(LOGOUT_WAIT, director.logout()).await;
        state
    })
    .await;
    let ((status, alerts), build) = match fetched {
        Ok(Ok(v)) => v,
        // Refused: CRITICAL, as for a real Director — a wrong password
        // needs someone, and is not retried.
        Ok(Err(e @ (ApiError::Unauthorized { .. } | ApiError::Locked { .. }))) => {
            return refused(&args, "contract", &explain(&e));
        }
        Ok(Err(e)) => {
            return unknown(
                &args,
                &format!("cannot read Director at {url}: {}", explain(&e)),
            );
        }
        Err(_) => return unknown(&args, &no_answer(&url, deadline)),
    };
    let report = sync_report(&status, &alerts);
    let evaluated = alarm::evaluate(&report);
    if args.json {
        StatusJson {
            director_kind: Some("contract"),
            build,
            last_success_age_secs: report.last_success_at.map(|t| report.now.saturating_sub(t)),
            invalid: Some(report.invalid_usernames),
            total: Some(report.total_users),
            synced_users: Some(report.synced_users),
            active_alerts: Some(
                serde_json::to_value(alerts.iter().filter(|a| a.active).collect::<Vec<_>>())
                    .unwrap_or_default(),
            ),
            alarm: Some(evaluated.state),
            ..StatusJson::new(
                serde_json::json!(evaluated.state),
                &evaluated.summary,
                evaluated.state,
            )
        }
        .print();
    } else {
        println!("{}", printable(&alarm::plugin_line(&report, &evaluated)));
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
    // A refused sign-in is reported as a state like any other.
    if let Err(e) = director.login(login, password).await {
        let line =
            alarm::plugin_line_unreachable(&format!("cannot sign in to Director: {}", explain(&e)));
        println!("{}", printable(&line));
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let config = crate::service::monitor::MonitorConfig {
        poll_every: std::time::Duration::from_secs(interval),
        ..Default::default()
    };
    let director = std::sync::Arc::new(director);
    let _monitor = crate::service::monitor::spawn(
        &tokio::runtime::Handle::current(),
        director.clone(),
        config,
        move |event| {
            let _ = tx.send(event);
        },
    );
    let mut shown: Option<AlarmState> = None;
    loop {
        tokio::select! {
            event = rx.recv() => match event {
                Some(crate::service::monitor::MonitorEvent::Changed(snapshot)) => {
                    if shown == Some(snapshot.status.state) {
                        continue;
                    }
                    shown = Some(snapshot.status.state);
                    let line = match &snapshot.report {
                        Some(report) => alarm::plugin_line(report, &snapshot.status),
                        None => alarm::plugin_line_unreachable(&snapshot.status.summary),
                    };
                    println!("{}", printable(&line));
                    let _ = std::io::stdout().flush();
                }
                Some(crate::service::monitor::MonitorEvent::Notify(_)) => {}
                None => return ExitCode::from(3),
            },
            _ = tokio::signal::ctrl_c() => {
                let _ = tokio::time::timeout(LOGOUT_WAIT, director.logout()).await;
                return ExitCode::SUCCESS;
            }
        }
    }
}

fn no_answer(url: &str, deadline: Duration) -> String {
    format!(
        "Director at {url} did not finish answering within {} s (--timeout)",
        deadline.as_secs()
    )
}

/// A real Director's web interface: what can be read, said honestly. The
/// Hybrid alarm is on Director's alarm bar, which no known interface
/// shows; this checks that Director answers and takes the sign-in, its
/// build, and whether every client username would pass Connect Sync under
/// the given options — the users from the configuration database when
/// given (one query), else one request each.
async fn web_status(
    args: &StatusArgs,
    url: &str,
    password: &Secret,
    database: Option<&Database>,
) -> ExitCode {
    let options = match args.username_options.options() {
        Ok(options) => options,
        Err(e) => return unknown(args, &e),
    };
    let director = match WebDirector::sign_in(
        url,
        args.login.client_options(),
        &args.login.login,
        password,
    )
    .await
    {
        Ok(d) => d,
        Err(e @ (ApiError::Unauthorized { .. } | ApiError::Locked { .. })) => {
            return refused(args, "web", &explain(&e));
        }
        Err(e) => {
            return unknown(
                args,
                &format!("cannot read Director at {url}: {}", explain(&e)),
            );
        }
    };
    let timeout = Duration::from_secs(args.login.timeout.max(1));
    let (build, users) = build_and_users(&director, database, timeout).await;
    let users = match users {
        Ok(users) => users,
        Err(e) => {
            return unknown(
                args,
                &format!(
                    "cannot read the users of Director at {url}: {}",
                    explain(&e)
                ),
            );
        }
    };
    let reading = Reading::of(build, &users, &options);
    report(args, &Watched::Read(reading))
}

/// The plugin line or JSON for a web-interface Director. Green is OK (0),
/// usernames in the way WARNING (1), a refused sign-in CRITICAL (2).
fn report(args: &StatusArgs, watched: &Watched) -> ExitCode {
    let state = watched.plugin_state();
    let code = state.exit_code();
    if args.json {
        let (build, invalid, total) = match watched {
            Watched::Read(r) => (r.build.clone().ok(), Some(r.invalid), Some(r.total)),
            _ => (None, None, None),
        };
        // What a real Director's web interface does not show is null.
        StatusJson {
            director_kind: Some("web"),
            build,
            invalid: invalid.map(|n| n as u64),
            total: total.map(|n| n as u64),
            alarm_reason: Some(ALARM_NOT_SHOWN),
            // OK / WARNING / CRITICAL: not an alarm colour, which is not known.
            ..StatusJson::new(
                serde_json::json!(state.plugin_word().to_lowercase()),
                &watched.status().summary,
                state,
            )
        }
        .print();
    } else {
        println!("{}", web_line(watched));
    }
    ExitCode::from(code as u8)
}

/// "HYBRID WARNING - 2 of 120 client usernames would fail … | invalid=2;;;0 users=120;;;0".
fn web_line(watched: &Watched) -> String {
    let perf = match watched {
        Watched::Read(r) => format!(" | invalid={};;;0 users={};;;0", r.invalid, r.total),
        _ => String::new(),
    };
    printable(&format!(
        "HYBRID {} - {}{perf}",
        watched.plugin_state().plugin_word(),
        watched.status().summary.replace('|', "/")
    ))
    .into_owned()
}

/// `status --watch` on a real Director: the window's and the icon's watch
/// (`service::drift_watch`), one line now and one whenever the count of
/// usernames in the way, the reachability or the sign-in changes, until
/// Ctrl+C. A refused password is not sent again before its back-off.
async fn web_watch(args: &StatusArgs, url: &str, password: Secret) -> ExitCode {
    use crate::service::drift_watch::{self, DriftConfig, DriftEvent};
    let options = match args.username_options.options() {
        Ok(options) => options,
        Err(e) => return unknown(args, &e),
    };
    let every = Duration::from_secs(args.interval);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _watch = drift_watch::spawn(
        &tokio::runtime::Handle::current(),
        DriftConfig {
            url: url.to_string(),
            client: args.login.client_options(),
            options,
            every,
            first_retry: every,
            max_backoff: crate::service::monitor::MAX_BACKOFF,
        },
        std::sync::Arc::new(std::sync::Mutex::new(Some((
            args.login.login.clone(),
            password,
        )))),
        None,
        move |event| {
            let _ = tx.send(event);
        },
    );
    let mut shown = None;
    loop {
        tokio::select! {
            event = rx.recv() => match event {
                Some(DriftEvent::Changed(snapshot)) => {
                    let watched = &snapshot.watched;
                    let now = Some(watched.gist());
                    if now != shown {
                        shown = now;
                        println!("{}", web_line(watched));
                        let _ = std::io::stdout().flush();
                    }
                }
                Some(_) => {}
                None => return ExitCode::from(3),
            },
            _ = tokio::signal::ctrl_c() => return ExitCode::SUCCESS,
        }
    }
}

/// Director refused the sign-in: CRITICAL (2) for either kind, said once.
fn refused(args: &StatusArgs, kind: &'static str, why: &str) -> ExitCode {
    let state = AlarmState::Red;
    let summary = format!(
        "Director refused the sign-in: {}",
        crate::domain::sign_in::reason(why)
    );
    if args.json {
        StatusJson {
            director_kind: Some(kind),
            ..StatusJson::new(
                serde_json::json!(state.plugin_word().to_lowercase()),
                &summary,
                state,
            )
        }
        .print();
    } else {
        println!(
            "{}",
            printable(&format!(
                "HYBRID {} - {}",
                state.plugin_word(),
                summary.replace('|', "/")
            ))
        );
    }
    ExitCode::from(state.exit_code() as u8)
}

fn unknown(args: &StatusArgs, reason: &str) -> ExitCode {
    if args.json {
        StatusJson::new(
            serde_json::json!(AlarmState::Unknown),
            reason,
            AlarmState::Unknown,
        )
        .print();
    } else {
        println!("{}", printable(&alarm::plugin_line_unreachable(reason)));
    }
    ExitCode::from(AlarmState::Unknown.exit_code() as u8)
}

/// Why `alarm` is null for a real Director.
const ALARM_NOT_SHOWN: &str = "Director's Hybrid alarm is shown only on its alarm bar; no known interface of Director reads it";

/// `status --json`: one set of keys for both kinds of Director and every
/// outcome, `null` where it is not known (README, `status`).
#[derive(serde::Serialize)]
struct StatusJson {
    state: serde_json::Value,
    summary: String,
    exit_code: i32,
    director_kind: Option<&'static str>,
    build: Option<String>,
    last_success_age_secs: Option<u64>,
    invalid: Option<u64>,
    total: Option<u64>,
    synced_users: Option<u64>,
    active_alerts: Option<serde_json::Value>,
    alarm: Option<AlarmState>,
    alarm_reason: Option<&'static str>,
}

impl StatusJson {
    /// Only the state, its words and exit code; every other key null.
    fn new(state: serde_json::Value, summary: &str, exit: AlarmState) -> Self {
        StatusJson {
            state,
            summary: summary.to_string(),
            exit_code: exit.exit_code(),
            director_kind: None,
            build: None,
            last_success_age_secs: None,
            invalid: None,
            total: None,
            synced_users: None,
            active_alerts: None,
            alarm: None,
            alarm_reason: None,
        }
    }

    fn print(&self) {
        match serde_json::to_string(self) {
            Ok(json) => println!("{json}"),
            Err(e) => eprintln!("error: {e}"),
        }
    }
}
