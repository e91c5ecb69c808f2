//! `hybrid-setup diagnostics`: a report for support, secrets removed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::fail;
use super::prompt::{DB_PASSWORD_ENV, PASSWORD_ENV};
use crate::domain::secret::Secret;
use crate::store::secret_store::{KeyringStore, SecretKey, SecretStore, get_off_thread};
use crate::store::settings::DirectorTarget;

#[derive(Debug, Args)]
pub struct DiagnosticsArgs {
    /// Where to write it (default: hybrid-setup-diagnostics.txt in the current folder; - for the terminal).
    #[arg(long, short, default_value = "hybrid-setup-diagnostics.txt")]
    pub output: PathBuf,
}

pub async fn run(args: DiagnosticsArgs) -> ExitCode {
    let store = crate::store::settings::SettingsStore::default_location();
    let (settings, _) = store.load().settings();
    // The secrets the keyring holds for these settings, to be sure none of
    // them appears in the report.
    let keys = [
        SecretKey::PortalToken {
            account_id: settings.progress.account_id.clone(),
        },
        SecretKey::DirectorPassword {
            director: match &settings.director {
                DirectorTarget::Url(url) => url.clone(),
                DirectorTarget::Demo => String::new(),
            },
            login: settings.director_login.clone(),
        },
    ];
    let keyring: Arc<dyn SecretStore> = Arc::new(KeyringStore::default());
    // The passwords this environment hands to commands are secrets too.
    let mut secrets: Vec<Secret> = [PASSWORD_ENV, DB_PASSWORD_ENV]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .map(Secret::new)
        .collect();
    for key in keys {
        secrets.extend(get_off_thread(keyring.clone(), key.entry_name()).await);
    }
    let report =
        crate::service::diagnostics::collect(&store, &crate::store::paths::log_dir(), &secrets);
    if args.output.as_os_str() == "-" {
        print!("{report}");
        return ExitCode::SUCCESS;
    }
    match crate::store::atomic_file::write_atomic(&args.output, report.as_bytes()) {
        Ok(()) => {
            println!("{}", args.output.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(2, format!("cannot write {}: {e}", args.output.display())),
    }
}
