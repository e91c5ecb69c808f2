//! `hybrid-setup fix`: fix client usernames and emails in a real Director
//! through its web interface — previewed always, applied only with
//! `--apply`, backed up before the first write, undone with `--undo`.
//! Exit 0: the preview is clean or everything was applied; 1: some changes
//! were refused or failed (listed; the rest applied); 2: bad input, sign-in
//! refused, Director unreachable, or too many users without --allow-many.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::Args;

use super::prompt::director_password;
use super::{explain, fail};
use crate::client::director::web::WebDirector;
use crate::client::http::normalize_base_url;
use crate::domain::fix::{self, Change, Preview};
use crate::domain::text::printable;
use crate::service::fix::{self as apply_fix, Outcome, Report};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["changes", "suggest", "undo"]))]
pub struct FixArgs {
    /// Director's web interface, for example http://director:5478.
    #[arg(long = "director-web", value_name = "URL")]
    pub director_web: String,
    /// Director admin login name. The password comes from HYBRID_DIRECTOR_PASSWORD or a prompt.
    #[arg(long, default_value = "admin")]
    pub login: String,
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
    /// Make the changes (without it, only the preview).
    #[arg(long)]
    pub apply: bool,
    /// Allow changing more than 20% of all users in one run.
    #[arg(long = "allow-many")]
    pub allow_many: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: FixFormat,
    /// Seconds to wait for each answer from Director.
    #[arg(long, default_value_t = 20)]
    pub timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FixFormat {
    Text,
    Json,
}

pub async fn run(args: FixArgs) -> ExitCode {
    let url = match normalize_base_url(&args.director_web) {
        Ok(url) => url,
        Err(e) => return fail(2, format!("--director-web: {e}")),
    };
    let password = match director_password() {
        Ok(p) => p,
        Err(e) => return fail(2, e),
    };
    let options = crate::client::http::ClientOptions {
        request_timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        ..Default::default()
    };
    let web = match WebDirector::sign_in(&url, options, &args.login, &password).await {
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
    if let Some(path) = &args.undo {
        let backup = match apply_fix::read_backup(path) {
            Ok(b) => b,
            Err(e) => return fail(2, e),
        };
        let changes: Vec<Change> = backup
            .users
            .iter()
            .flat_map(|u| u.changes.clone())
            .collect();
        if !args.apply {
            print_plan(&args, &changes, "undo preview");
            return ExitCode::SUCCESS;
        }
        let report = apply_fix::undo(&web, &backup, &progress, &cancel).await;
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
        (Some(path), _) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => return fail(2, format!("cannot read {}: {e}", path.display())),
            };
            match apply_fix::read_changes(&text) {
                Ok(w) => (w, Vec::new()),
                Err(e) => return fail(2, format!("{}: {e}", path.display())),
            }
        }
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
    if !args.apply {
        print_preview(&args, &preview, &for_a_human);
        return ExitCode::from(if preview.refused == 0 { 0 } else { 1 });
    }
    if preview.needs_confirmation() && !args.allow_many {
        print_preview(&args, &preview, &for_a_human);
        return fail(
            2,
            format!(
                "{} of {} users would change (more than 20%); run again with --allow-many if that is meant",
                preview.users_to_change, preview.total_users
            ),
        );
    }
    let accepted: Vec<Change> = preview.accepted().cloned().collect();
    let backup_dir = crate::store::paths::backup_dir();
    let report = match apply_fix::apply(
        &web,
        &url,
        &accepted,
        &ids,
        &backup_dir,
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

fn print_preview(args: &FixArgs, preview: &Preview, for_a_human: &[(String, String)]) {
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
                "for_a_human": for_a_human.iter().map(|(dn, why)| serde_json::json!({"user_dn": dn, "reason": why})).collect::<Vec<_>>(),
            })
        );
        return;
    }
    for row in &preview.rows {
        let c = &row.change;
        let line = match &row.refused {
            None => format!(
                "change  {}  {}: \"{}\" → \"{}\"",
                c.user_dn,
                c.field.label(),
                c.old,
                c.new
            ),
            Some(why) => format!(
                "REFUSED {}  {}: \"{}\" → \"{}\" — {why}",
                c.user_dn,
                c.field.label(),
                c.old,
                c.new
            ),
        };
        println!("{}", printable(&line));
    }
    for (dn, why) in for_a_human {
        println!("{}", printable(&format!("for a person: {dn} — {why}")));
    }
    println!(
        "Preview: {} users to change, {} changes refused, {} unchanged (of {} users). Nothing was changed; add --apply to make the changes.",
        preview.users_to_change, preview.refused, preview.unchanged, preview.total_users
    );
}

fn print_plan(args: &FixArgs, changes: &[Change], what: &str) {
    if args.format == FixFormat::Json {
        let rows: Vec<serde_json::Value> = changes
            .iter()
            .map(|c| row_json(c, "preview", None))
            .collect();
        println!("{}", serde_json::json!({"changes": rows, "backup": null}));
        return;
    }
    for c in changes {
        println!(
            "{}",
            printable(&format!(
                "{what}  {}  {}: \"{}\" → \"{}\"",
                c.user_dn,
                c.field.label(),
                c.new,
                c.old
            ))
        );
    }
    println!(
        "{} changes to put back. Nothing was changed; add --apply to put them back.",
        changes.len()
    );
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
            let reason = outcome
                .reason()
                .map(|r| format!(" — {r}"))
                .unwrap_or_default();
            println!(
                "{}",
                printable(&format!(
                    "{:<8} {}  {}: \"{}\" → \"{}\"{reason}",
                    outcome.word(),
                    c.user_dn,
                    c.field.label(),
                    c.old,
                    c.new
                ))
            );
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
