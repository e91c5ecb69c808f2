//! `hybrid-setup fix`: fix client usernames and emails in a real Director
//! through its web interface — previewed always (every change judged
//! against Director's known rules), applied only with `--apply`, backed up
//! before the first write, each write read back, and undone with `--undo`,
//! which is checked and previewed like any other fix.
//! Exit 0: the preview is clean, everything was applied, or nothing was
//! left to do; 1: some changes were refused or failed (listed; the rest
//! applied); 2: bad input, a backup that does not belong to this Director,
//! sign-in refused, Director unreachable, or too many users without
//! --allow-many.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::Args;

use super::prompt::director_password;
use super::{DirectorLoginArgs, explain, fail};
use crate::client::director::kind::detect;
use crate::client::director::web::WebDirector;
use crate::client::http::normalize_base_url;
use crate::domain::fix::{self, Change, Preview, count};
use crate::domain::text::printable;
use crate::service::fix::{self as apply_fix, Outcome, Report, RunKind, UndoError, UndoReview};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["changes", "suggest", "undo", "list_backups"]))]
pub struct FixArgs {
    /// --director (a fix writes through the web interface), --login,
    /// --timeout (for each answer), --trust-certificate.
    #[command(flatten)]
    pub login: DirectorLoginArgs,
    /// A changes file: CSV with user_dn and client_username and/or email (an
    /// empty cell leaves the value as it is). The audit's CSV export works as it is.
    #[arg(long, value_name = "FILE.csv")]
    pub changes: Option<PathBuf>,
    /// The changes the program can stand behind (an invalid client username
    /// becomes the user's valid, unique email; spaces removed).
    #[arg(long)]
    pub suggest: bool,
    /// With --suggest: users without an email get first.last@DOMAIN.
    #[arg(long = "email-domain", value_name = "DOMAIN", requires = "suggest")]
    pub email_domain: Option<String>,
    /// Put back what a fix changed, from its backup file.
    #[arg(long, value_name = "BACKUP.json")]
    pub undo: Option<PathBuf>,
    /// List the backups fixes and undos wrote: Director, time, how many
    /// users, and whether it was undone.
    #[arg(long = "list-backups")]
    pub list_backups: bool,
    /// Make the changes (without it, only the preview).
    #[arg(long)]
    pub apply: bool,
    /// Allow changing more than 20% of all users in one run.
    #[arg(long = "allow-many")]
    pub allow_many: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: FixFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FixFormat {
    Text,
    Json,
}

pub async fn run(args: FixArgs) -> ExitCode {
    if args.list_backups {
        return list_backups(&args);
    }
    let Some(given) = &args.login.director else {
        return fail(2, "--director: give Director's address (or --list-backups)");
    };
    let url = match normalize_base_url(given) {
        Ok(url) => url,
        Err(e) => return fail(2, format!("--director: {e}")),
    };
    let password = match director_password() {
        Ok(p) => p,
        Err(e) => return fail(2, e),
    };
    let options = crate::client::http::ClientOptions {
        request_timeout: std::time::Duration::from_secs(args.login.timeout.max(1)),
        pinned_certificate: args.login.trust_certificate,
        ..Default::default()
    };
    // Anything but a Director is named as `check` and `status` name it.
    if let Err(e) = detect(&url, options).await {
        return fail(2, format!("cannot read Director at {url}: {}", explain(&e)));
    }
    let web = match WebDirector::sign_in(&url, options, &args.login.login, &password).await {
        Ok(web) => web,
        Err(e) => return fail(2, format!("Director sign-in failed: {}", explain(&e))),
    };
    // Ctrl+C stops before the next user: what is in flight finishes, the
    // report and the backup are printed, and a rerun does the rest.
    let cancel = std::sync::Arc::new(AtomicBool::new(false));
    let on_ctrl_c = cancel.clone();
    let _ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nCancelling: the users in flight finish, then it stops.");
            on_ctrl_c.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    });
    let show_progress = std::io::stderr().is_terminal();
    let progress = move |done: usize, total: usize, user: &str| {
        if show_progress {
            eprint!("\r{done} of {total}: {}\x1b[K", printable(user));
        }
    };
    let backup_dir = crate::store::paths::backup_dir();
    if let Some(path) = &args.undo {
        let backup = match apply_fix::read_backup(path) {
            Ok(b) => b,
            Err(e) => return fail(2, e),
        };
        let review = match apply_fix::plan_undo(&web, &url, path, &backup).await {
            Ok(review) => review,
            Err(UndoError::Refused(why)) => {
                return fail(2, format!("{}: nothing was changed: {why}", path.display()));
            }
            Err(UndoError::Unreadable(why)) => {
                return fail(2, format!("reading Director's users failed: {why}"));
            }
        };
        if review.plan.nothing_to_put_back() || !args.apply {
            print_undo_plan(&args, &review);
            return ExitCode::SUCCESS;
        }
        if review.needs_confirmation() && !args.allow_many {
            return fail(
                2,
                guard_sentence(review.plan.users_to_change(), review.total_users as usize),
            );
        }
        let report =
            match apply_fix::undo(&web, &url, &review, &backup_dir, &progress, &cancel).await {
                Ok(report) => report,
                Err(e) => return fail(2, e),
            };
        let mut report = report;
        for row in review.plan.rows.iter().filter(|r| r.left_alone.is_some()) {
            report.results.push((
                row.change.clone(),
                Outcome::Refused(row.left_alone.clone().unwrap_or_default()),
            ));
        }
        return print_report(&args, &report, show_progress);
    }
    let read = |done: u64, total: u64| {
        if show_progress {
            eprint!("\rReading users: {done} of {total}");
        }
    };
    let users = match web.users_with_ids(&read).await {
        Ok(users) => users,
        Err(e) => {
            return fail(
                2,
                format!("reading Director's users failed: {}", explain(&e)),
            );
        }
    };
    if show_progress {
        eprintln!();
    }
    let ids = users.ids_by_dn();
    let directory = users.users;
    let (wanted, for_a_human) = match (&args.changes, args.suggest) {
        (Some(path), _) => match apply_fix::read_changes_file(path) {
            Ok(w) => (w, Vec::new()),
            Err(e) => return fail(2, e),
        },
        _ => {
            if let Some(domain) = &args.email_domain
                && let Err(reason) = crate::domain::username::validate_domain(domain.trim())
            {
                return fail(
                    2,
                    format!("--email-domain \"{domain}\": {}", reason.describe()),
                );
            }
            let s = fix::suggest(&directory, args.email_domain.as_deref());
            (s.wanted, s.for_a_human)
        }
    };
    let preview = fix::preview(&directory, &wanted);
    let refused_code = ExitCode::from(if preview.refused == 0 { 0 } else { 1 });
    if !args.apply {
        print_preview(&args, &preview, &for_a_human, true);
        return refused_code;
    }
    let accepted: Vec<Change> = preview.accepted().cloned().collect();
    if accepted.is_empty() {
        print_preview(&args, &preview, &for_a_human, false);
        return refused_code;
    }
    if preview.needs_confirmation() && !args.allow_many {
        return fail(
            2,
            guard_sentence(preview.users_to_change, preview.total_users),
        );
    }
    let report = match apply_fix::apply(
        &web,
        &url,
        &accepted,
        &ids,
        &backup_dir,
        RunKind::Fix,
        &progress,
        &cancel,
    )
    .await
    {
        Ok(report) => report,
        Err(e) => return fail(2, e),
    };
    let mut report = report;
    // The preview's refusals belong in the result too.
    for row in preview.rows.iter().filter(|r| r.refused.is_some()) {
        report.results.push((
            row.change.clone(),
            Outcome::Refused(row.refused.clone().unwrap_or_default()),
        ));
    }
    print_report(&args, &report, show_progress)
}

/// The 20% guard's one sentence.
fn guard_sentence(changing: usize, total: usize) -> String {
    format!(
        "{changing} of {} would change (more than 20%); nothing was changed. Run again with --allow-many if that is meant",
        count(total, "user", "users")
    )
}

fn list_backups(args: &FixArgs) -> ExitCode {
    let dir = crate::store::paths::backup_dir();
    let backups = apply_fix::list_backups(&dir);
    if args.format == FixFormat::Json {
        println!(
            "{}",
            serde_json::json!({ "folder": dir, "backups": backups })
        );
        return ExitCode::SUCCESS;
    }
    if backups.is_empty() {
        println!(
            "No backups in {}: no fix has been applied here.",
            dir.display()
        );
        return ExitCode::SUCCESS;
    }
    for b in &backups {
        let when = chrono::DateTime::from_timestamp(b.written_at as i64, 0).map_or_else(
            || "unknown time".to_string(),
            |t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
            },
        );
        let what = match (&b.undoes, b.undone) {
            (Some(of), _) => format!("undo of {of}"),
            (None, true) => "fix, undone".into(),
            (None, false) => "fix".into(),
        };
        println!(
            "{}",
            printable(&format!(
                "{}  {when}  {}  {}, {}  {what}",
                b.path.display(),
                b.director,
                count(b.users, "user", "users"),
                count(b.changes, "change", "changes"),
            ))
        );
    }
    ExitCode::SUCCESS
}

/// A row of a table: `change  17  client username: "jdoe" → "jane@…"`.
fn row_line(word: &str, c: &Change, why: Option<&str>) -> String {
    let why = why.map(|w| format!(" — {w}")).unwrap_or_default();
    printable(&format!(
        "{word:<8} {}  {}: \"{}\" → \"{}\"{why}",
        c.user_dn,
        c.field.label(),
        c.old,
        c.new
    ))
    .into_owned()
}

fn print_preview(
    args: &FixArgs,
    preview: &Preview,
    for_a_human: &[(String, String)],
    preview_only: bool,
) {
    if args.format == FixFormat::Json {
        let changes: Vec<serde_json::Value> = preview
            .rows
            .iter()
            .map(|r| {
                row_json(
                    &r.change,
                    if r.refused.is_some() {
                        "refused"
                    } else {
                        "preview"
                    },
                    r.refused.clone(),
                )
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "changes": changes,
                "backup": null,
                "to_change": preview.users_to_change,
                "refused": preview.refused,
                "unchanged": preview.unchanged,
                "left_as_they_are": preview.left_as_they_are(),
                "total_users": preview.total_users,
                "for_a_human": for_a_human.iter().map(|(dn, why)| serde_json::json!({"user_dn": dn, "reason": why})).collect::<Vec<_>>(),
            })
        );
        return;
    }
    for row in &preview.rows {
        let word = if row.refused.is_some() {
            "REFUSED"
        } else {
            "change"
        };
        println!("{}", row_line(word, &row.change, row.refused.as_deref()));
    }
    for (dn, why) in for_a_human {
        println!("{}", printable(&format!("for a person: {dn} — {why}")));
    }
    if preview_only {
        println!(
            "Preview: {}. Nothing was changed; add --apply to make the changes.",
            preview.summary()
        );
    } else {
        println!("Nothing to change: {}.", preview.summary());
    }
}

fn print_undo_plan(args: &FixArgs, review: &UndoReview) {
    let plan = &review.plan;
    let to_put_back = plan.to_put_back().count();
    if args.format == FixFormat::Json {
        let rows: Vec<serde_json::Value> = plan
            .rows
            .iter()
            .map(|r| {
                row_json(
                    &r.change,
                    if r.left_alone.is_some() {
                        "left_alone"
                    } else {
                        "preview"
                    },
                    r.left_alone.clone(),
                )
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "changes": rows,
                "backup": null,
                "to_put_back": to_put_back,
                "already_back": plan.already_back,
                "users_to_change": plan.users_to_change(),
                "total_users": review.total_users,
            })
        );
        return;
    }
    for row in &plan.rows {
        let word = if row.left_alone.is_some() {
            "LEFT"
        } else {
            "put back"
        };
        println!("{}", row_line(word, &row.change, row.left_alone.as_deref()));
    }
    if to_put_back == 0 {
        println!(
            "Nothing to put back: {} already as before the fix{}.",
            count(plan.already_back, "value is", "values are"),
            if plan.rows.is_empty() {
                String::new()
            } else {
                format!(
                    ", {} changed in Director since",
                    count(plan.rows.len(), "value", "values")
                )
            }
        );
    } else {
        println!(
            "Undo preview: {} to put back ({}), {} changed in Director since the fix and left alone, {} already back. Nothing was changed; add --apply to put them back.",
            count(to_put_back, "change", "changes"),
            count(plan.users_to_change(), "user", "users"),
            plan.rows.len() - to_put_back,
            plan.already_back
        );
    }
}

fn row_json(change: &Change, result: &str, reason: Option<String>) -> serde_json::Value {
    serde_json::json!({
        "user_dn": change.user_dn,
        "field": change.field,
        "old": change.old,
        "new": change.new,
        "result": result,
        "reason": reason,
    })
}

fn print_report(args: &FixArgs, report: &Report, progressed: bool) -> ExitCode {
    if progressed {
        eprintln!();
    }
    if args.format == FixFormat::Json {
        let rows: Vec<serde_json::Value> = report
            .results
            .iter()
            .map(|(c, o)| row_json(c, o.word(), o.reason()))
            .collect();
        println!(
            "{}",
            serde_json::json!({"changes": rows, "backup": report.backup, "stopped": report.stopped})
        );
    } else {
        for (c, outcome) in &report.results {
            let word = outcome.word().replace('_', " ");
            println!("{}", row_line(&word, c, outcome.reason().as_deref()));
        }
        if let Some(path) = &report.backup {
            println!(
                "Backup: {} (undo with --undo {})",
                path.display(),
                path.display()
            );
        }
        if let Some(why) = &report.stopped {
            println!(
                "The run stopped: {why}. Run the same command again to finish; users already changed are skipped."
            );
        }
    }
    ExitCode::from(if report.all_applied() { 0 } else { 1 })
}
