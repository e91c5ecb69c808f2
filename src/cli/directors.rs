//! `hybrid-setup directors add | list | remove`: the saved Directors without
//! the window, so a deployment script can put the icon on many desktops.
//! `add` registers a Director whose Connect Sync is already set up, for
//! watching: no registration, no Token. It signs in once to check what it
//! saves. A running icon and window pick the change up from the settings
//! file.

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::prompt::director_password;
use super::{DirectorLoginArgs, FormatArgs, explain, fail};
use crate::client::director::kind::{DirectorKind, detect};
use crate::client::director::web::WebDirector;
use crate::client::director::{Director, HttpDirector};
use crate::client::http::{ApiError, normalize_base_url};
use crate::domain::drift::Reading;
use crate::domain::format::FormatOptions;
use crate::domain::secret::Secret;
use crate::domain::text::printable;
use crate::domain::wizard::{CHECK_EVERY_SECONDS_RANGE, Progress, Step};
use crate::store::secret_store::{KeyringStore, SecretKey, SecretStore, put_off_thread};
use crate::store::settings::{DirectorTarget, SavedDirector, Settings, SettingsStore};
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct DirectorsArgs {
    #[command(subcommand)]
    pub action: DirectorsAction,
}

#[derive(Debug, Subcommand)]
pub enum DirectorsAction {
    /// Save a Director whose Connect Sync is already set up, to watch it
    /// (the icon, the window's Directors view). Signs in once to check.
    Add(AddArgs),
    /// The saved Directors, the open one first.
    List {
        /// A JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Forget a saved Director (by the name `list` shows, or its address),
    /// and its saved password.
    Remove {
        /// The name `directors list` shows, or the address.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    pub login: DirectorLoginArgs,
    /// How the icon and the Directors view name it (default: its host).
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub username_options: FormatArgs,
    /// Seconds between checks of this Director (10 to 86400).
    #[arg(long = "check-every", value_name = "SECONDS", default_value_t = 900,
          value_parser = clap::value_parser!(u32).range(i64::from(*CHECK_EVERY_SECONDS_RANGE.start())..=i64::from(*CHECK_EVERY_SECONDS_RANGE.end())))]
    pub check_every: u32,
}

/// Exit codes: 0 done; 2 bad input (a flag, an unknown name, an address
/// already saved); 3 Director could not be read or refused the sign-in
/// (nothing saved).
pub async fn run(args: DirectorsArgs) -> ExitCode {
    let store = SettingsStore::default_location();
    match args.action {
        DirectorsAction::Add(add) => run_add(&store, add).await,
        DirectorsAction::List { json } => list(&store, json),
        DirectorsAction::Remove { name } => {
            // The keyring may block on D-Bus: off the async threads.
            tokio::task::spawn_blocking(move || remove(&store, &name))
                .await
                .unwrap_or_else(|e| fail(2, e))
        }
    }
}

/// What signing in once found: the kind, the build, the counts.
struct Checked {
    kind: DirectorKind,
    build: Option<String>,
    invalid: usize,
    total: usize,
}

async fn run_add(store: &SettingsStore, args: AddArgs) -> ExitCode {
    let Some(given) = args.login.director.clone() else {
        return fail(
            2,
            "--director: give the Director's address, e.g. https://director.example.com:5478",
        );
    };
    let url = match normalize_base_url(&given) {
        Ok(url) => url,
        Err(e) => return fail(2, format!("--director: {e}")),
    };
    let options = match args.username_options.options() {
        Ok(options) => options,
        Err(e) => return fail(2, e),
    };
    if let Some(name) = &args.name
        && (name.trim().is_empty() || !crate::domain::text::is_plain(name))
    {
        return fail(2, "--name: give a name of printable characters");
    }
    let (settings, _) = store.load().settings();
    if settings.has_director_at(&url) {
        return fail(
            2,
            format!(
                "--director: {url} is saved already (directors list); remove it first to add it again"
            ),
        );
    }
    let password = match director_password() {
        Ok(p) => p,
        Err(e) => return fail(2, e),
    };
    let checked = match check(&url, &args.login, &password, &options).await {
        Ok(checked) => checked,
        Err(e) => {
            return fail(
                3,
                format!(
                    "nothing saved: cannot read Director at {url}: {}",
                    explain(&e)
                ),
            );
        }
    };
    // Loaded again: the window may have saved while Director answered.
    let (mut settings, _) = store.load().settings();
    let saved = saved_director(&url, &args, &options);
    let fresh = settings.director == DirectorTarget::Demo && !settings.progress.provisioned;
    if fresh {
        // A new install: this becomes the Director the window opens on.
        let window = settings.progress.clone();
        settings.director = saved.director;
        settings.director_login = saved.director_login;
        settings.progress = Progress {
            theme: window.theme,
            zoom: window.zoom,
            ..saved.progress
        };
    } else {
        settings.other_directors.push(saved);
    }
    settings.remember_director_kind(&url, checked.kind);
    if let Some(fingerprint) = args.login.trust_certificate {
        settings.trusted_certificates.trust(&url, fingerprint);
    }
    if let Err(e) = store.save(&settings) {
        return fail(2, format!("cannot save {}: {e}", store.path().display()));
    }
    let key = SecretKey::DirectorPassword {
        director: url.clone(),
        login: args.login.login.clone(),
    };
    let kept = put_off_thread(
        Arc::new(KeyringStore::default()),
        key.entry_name(),
        password,
    )
    .await;
    let name = saved_director(&url, &args, &options).name();
    let kind = match checked.kind {
        DirectorKind::Web => "web interface",
        DirectorKind::Contract => "contract API",
    };
    let build = checked
        .build
        .map_or_else(|| "build not read".to_string(), |b| format!("build {b}"));
    println!(
        "Added {} ({kind}, {build}): {} of {} client usernames would fail Connect Sync.",
        printable(&name),
        checked.invalid,
        checked.total
    );
    println!(
        "The icon checks it every {} and a running icon or window picks it up.",
        crate::domain::alarm::human_duration(u64::from(args.check_every))
    );
    if let Err(e) = kept {
        eprintln!(
            "notice: the password was not saved ({e}): no keyring here, so the icon and the window ask for it once per session"
        );
    }
    ExitCode::SUCCESS
}

/// Signs in once and reads what is saved and printed.
async fn check(
    url: &str,
    login: &DirectorLoginArgs,
    password: &Secret,
    options: &FormatOptions,
) -> Result<Checked, ApiError> {
    let client = login.client_options();
    let kind = detect(url, client).await?;
    match kind {
        DirectorKind::Web => {
            let director = WebDirector::sign_in(url, client, &login.login, password).await?;
            let build = director.build().await.ok().map(|b| b.to_string());
            let users = director.users(&|_, _| {}).await?;
            let reading = Reading::of(Ok(String::new()), &users, options);
            Ok(Checked {
                kind,
                build,
                invalid: reading.invalid,
                total: reading.total,
            })
        }
        DirectorKind::Contract => {
            let director = HttpDirector::new(url, client)?;
            director.login(&login.login, password).await?;
            let build = director.system_info().await.ok().map(|i| i.build);
            let (status, _) = director.sync_state().await?;
            let _ = director.logout().await;
            Ok(Checked {
                kind,
                build,
                invalid: status.invalid as usize,
                total: status.total as usize,
            })
        }
    }
}

/// A Director already set up, as the window's "Watch this Director"
/// leaves one: provisioned, on its status panel.
fn saved_director(url: &str, args: &AddArgs, options: &FormatOptions) -> SavedDirector {
    let mut progress = Progress {
        has_account: true,
        provisioned: true,
        use_email: options.use_email,
        append_domain: options.append_domain.clone().unwrap_or_default(),
        name: args.name.clone().unwrap_or_default(),
        check_every_seconds: args.check_every,
        ..Progress::default()
    };
    progress.go(Step::Done);
    SavedDirector {
        director: DirectorTarget::Url(url.to_string()),
        director_login: args.login.login.clone(),
        portal_url: String::new(),
        progress,
    }
}

/// One saved Director as `list` shows it.
#[derive(Debug, serde::Serialize)]
struct Listed {
    name: String,
    address: String,
    kind: Option<&'static str>,
    login: String,
    set_up: bool,
    check_every_secs: u64,
    current: bool,
}

fn listed(settings: &Settings) -> Vec<Listed> {
    settings
        .directors()
        .into_iter()
        .enumerate()
        .map(|(index, saved)| {
            let address = match &saved.director {
                DirectorTarget::Url(url) => url.clone(),
                DirectorTarget::Demo => String::new(),
            };
            let kind_key = if address.is_empty() { "demo" } else { &address };
            Listed {
                name: saved.name(),
                kind: settings.director_kind(kind_key).map(|k| match k {
                    DirectorKind::Web => "web",
                    DirectorKind::Contract => "contract",
                }),
                login: saved.director_login.clone(),
                set_up: saved.progress.provisioned,
                check_every_secs: saved.progress.check_users_every().as_secs(),
                current: index == 0,
                address,
            }
        })
        .collect()
}

fn list(store: &SettingsStore, json: bool) -> ExitCode {
    let (settings, _) = store.load().settings();
    let rows = listed(&settings);
    if json {
        match serde_json::to_string_pretty(&rows) {
            Ok(text) => println!("{text}"),
            Err(e) => return fail(2, e),
        }
        return ExitCode::SUCCESS;
    }
    let name_width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:name_width$}  {:8}  {:12}  ADDRESS",
        "NAME", "KIND", "CHECK EVERY"
    );
    for row in &rows {
        let every = crate::domain::alarm::human_duration(row.check_every_secs);
        let kind = row.kind.unwrap_or("?");
        let address = if row.address.is_empty() {
            "(built-in simulator)"
        } else {
            &row.address
        };
        let open = if row.current {
            "  (open in the window)"
        } else {
            ""
        };
        println!(
            "{:name_width$}  {kind:8}  {every:12}  {}{open}",
            printable(&row.name),
            printable(address)
        );
    }
    ExitCode::SUCCESS
}

fn remove(store: &SettingsStore, wanted: &str) -> ExitCode {
    let (mut settings, _) = store.load().settings();
    let wanted_url = normalize_base_url(wanted).ok();
    let matches = |saved: &SavedDirector| {
        saved.name().eq_ignore_ascii_case(wanted.trim())
            || matches!((&saved.director, &wanted_url), (DirectorTarget::Url(url), Some(w)) if url == w)
    };
    let all = settings.directors();
    let Some(index) = all.iter().position(matches) else {
        let names: Vec<String> = all.iter().map(SavedDirector::name).collect();
        return fail(
            2,
            format!(
                "no saved Director is called {:?}; saved: {}",
                printable(wanted),
                names.join(", ")
            ),
        );
    };
    let removed = if index == 0 {
        if settings.other_directors.is_empty() {
            // The only one: back to a fresh start (the built-in simulator).
            let removed = settings.directors().remove(0);
            let window = settings.progress.clone();
            settings.director = DirectorTarget::Demo;
            settings.director_login = Settings::default().director_login;
            settings.progress = Progress {
                theme: window.theme,
                zoom: window.zoom,
                ..Progress::default()
            };
            if let DirectorTarget::Url(url) = &removed.director {
                settings.trusted_certificates.forget(url);
            }
            Some(removed)
        } else {
            // The next one is opened; this one, now first among the
            // others, goes.
            settings.switch_to(0);
            settings.remove_director(0)
        }
    } else {
        settings.remove_director(index - 1)
    };
    let Some(removed) = removed else {
        return fail(2, "nothing removed");
    };
    if let Err(e) = store.save(&settings) {
        return fail(2, format!("cannot save {}: {e}", store.path().display()));
    }
    let signs_in_alike = |d: &SavedDirector| {
        d.director == removed.director && d.director_login == removed.director_login
    };
    if let DirectorTarget::Url(url) = &removed.director
        && !settings.directors().iter().any(signs_in_alike)
    {
        KeyringStore::default().forget(
            &SecretKey::DirectorPassword {
                director: url.clone(),
                login: removed.director_login.clone(),
            }
            .entry_name(),
        );
    }
    println!("Removed {}.", printable(&removed.name()));
    ExitCode::SUCCESS
}
