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
use crate::service::exporter::{Exporter, Target, http, serve, web_config};
use crate::store::secret_store::{
    KeyringStore, SecretKey, SecretStore, get_off_thread, put_off_thread,
};

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
    /// Prometheus' web configuration (exporter-toolkit format): TLS with
    /// tls_server_config (cert_file, key_file) and users with
    /// basic_auth_users (bcrypt hashes).
    #[arg(long = "web-config", value_name = "FILE")]
    pub web_config: Option<PathBuf>,
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
    for Listed {
        director,
        password: password_from,
    } in file.directors
    {
        let password = match password_of(&password_from).await {
            Ok(p) => p,
            Err(reason) => {
                return fail(2, format!("{path}: director {:?}: {reason}", director.name));
            }
        };
        // A refused sign-in waits for a new password: the keyring entry is
        // read again to notice one (a variable cannot change in a running
        // process: restart the service).
        let reread: Option<crate::service::exporter::Reread> = match password_from {
            PasswordFrom::Keyring(entry) => {
                let key = SecretKey::ExporterPassword { entry }.entry_name();
                Some(Arc::new(move || KeyringStore::default().get(&key)))
            }
            PasswordFrom::Env(_) => None,
        };
        targets.push(Target {
            director,
            password,
            reread,
        });
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
    let web = match &args.web_config {
        None => None,
        Some(path) => match web_config::load(path) {
            Ok(web) => Some(web),
            Err(e) => return fail(2, format!("--web-config {e}")),
        },
    };
    let count = targets.len();
    let exporter = Arc::new(Exporter::start(targets, file.concurrency));
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => return fail(2, format!("--listen {}: {e}", args.listen)),
    };
    let address = listener.local_addr().map_or(args.listen, |a| a);
    let (tls, users) = match web {
        Some(web) => (web.tls, web.users),
        None => (None, Default::default()),
    };
    if !address.ip().is_loopback() && users.is_empty() {
        eprintln!(
            "warning: --listen {address} can be reached from other machines: anyone who can reach the port reads the Directors' addresses and states. Give it TLS and a password with --web-config FILE (Prometheus' web configuration format), or listen on 127.0.0.1."
        );
    }
    let scheme = if tls.is_some() { "https" } else { "http" };
    // The first line says where: scripts and tests read it (port 0 picks one).
    println!("exporting {count} Directors at {scheme}://{address}/metrics");
    tracing::info!(%address, directors = count, tls = tls.is_some(), "exporter started");
    let router = serve::loopback_hosts_only(
        web_config::basic_auth(http::router(exporter), users),
        address,
    );
    serve::serve(listener, router, tls, serve::Limits::default(), stopped()).await;
    ExitCode::SUCCESS
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
