//! `hybrid-setup exporter`: Prometheus metrics for every Director named in
//! a `directors.toml`, served until stopped (Ctrl+C or SIGTERM).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use std::io::IsTerminal;

use clap::Args;

use super::fail;
use crate::domain::directors_file::{self, Listed, PasswordFrom};
use crate::domain::secret::Secret;
use crate::service::exporter::{Exporter, Target, http};
use crate::store::secret_store::{KeyringStore, SecretKey, get_off_thread, put_off_thread};

/// Where Prometheus finds the exporter unless told otherwise (the port is
/// registered for nothing else we know of in Prometheus' list).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9810";

#[derive(Debug, Args)]
pub struct ExporterArgs {
    /// The Directors to watch (see packaging/prometheus/directors.toml).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Address and port to serve /metrics on.
    #[arg(long, default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Check the file and the passwords, print what would be watched, and end.
    #[arg(long)]
    pub check: bool,
    /// Ask for the password of the keyring entry ENTRY (a director's
    /// `password_keyring`; from a pipe, its first line) and keep it in the
    /// OS keyring, then end.
    #[arg(long, value_name = "ENTRY", conflicts_with = "check")]
    pub store_password: Option<String>,
}

pub async fn run(args: ExporterArgs) -> ExitCode {
    let path = args.config.display().to_string();
    let text = match std::fs::read_to_string(&args.config) {
        Ok(text) => text,
        Err(e) => return fail(2, format!("{path}: {e}")),
    };
    let file = match directors_file::parse(&text) {
        Ok(file) => file,
        Err(e) => return fail(2, format!("{path}: {e}")),
    };
    if let Some(entry) = &args.store_password {
        return store_password(entry).await;
    }
    let mut targets = Vec::with_capacity(file.directors.len());
    for Listed { director, password } in file.directors {
        let password = match password_of(&password).await {
            Ok(p) => p,
            Err(reason) => {
                return fail(2, format!("{path}: director {:?}: {reason}", director.name));
            }
        };
        targets.push(Target { director, password });
    }
    if args.check {
        for t in &targets {
            println!(
                "{}",
                crate::domain::text::printable(&format!(
                    "{}: {} as {}, every {} s",
                    t.director.name,
                    t.director.url,
                    t.director.login,
                    t.director.interval.as_secs()
                ))
            );
        }
        println!(
            "{}",
            crate::domain::text::printable(&format!(
                "{path}: {} Directors, passwords found",
                targets.len()
            ))
        );
        return ExitCode::SUCCESS;
    }
    let count = targets.len();
    let exporter = Arc::new(Exporter::start(targets, file.concurrency));
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => return fail(2, format!("--listen {}: {e}", args.listen)),
    };
    let address = listener.local_addr().map_or(args.listen, |a| a);
    // The first line says where: scripts and tests read it (port 0 picks one).
    println!("exporting {count} Directors at http://{address}/metrics");
    tracing::info!(%address, directors = count, "exporter started");
    let served = axum::serve(listener, http::router(exporter))
        .with_graceful_shutdown(stopped())
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(2, format!("serving: {e}")),
    }
}

/// Ctrl+C, or SIGTERM from systemd.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The password from where the file says.
async fn password_of(from: &PasswordFrom) -> Result<Secret, String> {
    match from {
        PasswordFrom::Env(variable) => match std::env::var(variable) {
            Ok(p) if !p.is_empty() => Ok(Secret::new(p)),
            _ => Err(format!(
                "the environment variable {variable} (password_env) is not set"
            )),
        },
        PasswordFrom::Keyring(entry) => {
            let key = SecretKey::ExporterPassword {
                entry: entry.clone(),
            };
            // The keyring blocks (and runs its own D-Bus loop): off the runtime.
            get_off_thread(Arc::new(KeyringStore::default()), key.entry_name())
                .await
                .ok_or_else(|| {
                format!(
                    "no keyring entry {entry:?} (password_keyring); store it with `hybrid-setup exporter --config FILE --store-password {entry}`"
                )
            })
        }
    }
}

/// `--store-password ENTRY`: asked at the terminal, kept in the keyring.
async fn store_password(entry: &str) -> ExitCode {
    // At a terminal it is asked without echo; from a pipe, the first line.
    let read = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Password for {entry}: "))
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map(|_| line.trim_end_matches(['\r', '\n']).to_string())
    };
    let password = match read {
        Ok(p) if !p.is_empty() => Secret::new(p),
        Ok(_) => return fail(2, "no password given; nothing stored"),
        Err(e) => return fail(2, format!("cannot read the password: {e}")),
    };
    let key = SecretKey::ExporterPassword {
        entry: entry.to_string(),
    };
    match put_off_thread(
        Arc::new(KeyringStore::default()),
        key.entry_name(),
        password,
    )
    .await
    {
        Ok(()) => {
            println!("stored in the OS keyring as {:?}", key.entry_name());
            ExitCode::SUCCESS
        }
        Err(e) => fail(2, e),
    }
}
