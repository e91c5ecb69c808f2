//! The Directors view with three simulated Directors — the current one
//! green, one red, one green — worst first; the window's title names the
//! red one; a click opens its status panel (its own setup, its own sign-in
//! from the keyring); "Add Director…" starts the setup of a new one and
//! keeps the others.

mod support;

use std::sync::Arc;
use std::time::Duration;

use egui_kittest::kittest::{NodeT, Queryable};
use hybrid_setup::client::http::{ClientOptions, RetryPolicy};
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::domain::wizard::{Progress, Step};
use hybrid_setup::service::monitor::MonitorConfig;
use hybrid_setup::sim::{self, SimConfig, world};
use hybrid_setup::store::secret_store::{MemoryStore, SecretKey, SecretStore};
use hybrid_setup::store::settings::{DirectorTarget, SavedDirector, Settings, SettingsStore};
use support::sync_with;
use support::{click, has_label, has_text, wait_for};

fn provisioned(account: &str) -> Progress {
    let mut progress = Progress::default();
    progress.go(Step::Done);
    progress.provisioned = true;
    progress.account_id = account.into();
    progress.account_name = account.into();
    progress
}

fn host_of(url: &str) -> String {
    url.trim_start_matches("http://").to_string()
}

#[test]
fn three_directors_worst_first_and_click_through() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let start = || {
        runtime
            .block_on(sim::start(
                SimConfig::demo(),
                "127.0.0.1:0".parse().expect("addr"),
            ))
            .expect("simulator")
    };
    let (hq, red, branch) = (start(), start(), start());
    sync_with(&hq, None);
    sync_with(&red, Some("revoked-token"));
    sync_with(&branch, None);

    // Settings: hq is the one open; the two others were set up before.
    let home = tempfile::tempdir().expect("home");
    let store = SettingsStore::new(home.path());
    let mut settings = Settings {
        director: DirectorTarget::Url(hq.url()),
        ..Settings::default()
    };
    settings.progress = provisioned("HQ");
    for (sim, account) in [(&red, "RED"), (&branch, "BRANCH")] {
        settings.other_directors.push(SavedDirector {
            director: DirectorTarget::Url(sim.url()),
            director_login: "admin".into(),
            portal_url: String::new(),
            progress: provisioned(account),
        });
    }
    store.save(&settings).expect("settings");
    // Their passwords are in the keyring, under their addresses.
    let secrets = Arc::new(MemoryStore::default());
    for sim in [&red, &branch] {
        let key = SecretKey::DirectorPassword {
            director: sim.url(),
            login: "admin".into(),
        };
        secrets
            .put(&key.entry_name(), &Secret::new(world::DEMO_ADMIN_PASSWORD))
            .expect("put");
    }
    let (loaded, _) = store.load().settings();
    let mut config = support::app_config(&hq.url(), store.clone(), loaded, false);
    config.monitor = MonitorConfig {
        poll_every: Duration::from_millis(300),
        first_retry: Duration::from_millis(200),
        max_backoff: Duration::from_secs(1),
    };
    let options = ClientOptions {
        retry: RetryPolicy {
            attempts: 2,
            first_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(50),
        },
        ..ClientOptions::default()
    };
    let mut h = support::window_with_secrets(
        runtime.handle(),
        options,
        config,
        support::walks::Look::new(egui::Theme::Dark),
        secrets,
    );

    // The panel for hq, and a Directors button once all three were read.
    wait_for(&mut h, "the Directors button", |h| {
        has_label(h, "Directors (3)")
    });
    // The title names the worst of them.
    let wanted = format!("alert on {}", host_of(&red.url()));
    wait_for(&mut h, "the title naming the red Director", |h| {
        h.state().title().contains(&wanted)
    });
    assert!(
        has_text(
            &h,
            &format!("{}: Connect Sync has an alert", host_of(&red.url()))
        ),
        "the panel of a green Director says another needs attention"
    );
    click(&mut h, "Directors (3)");
    assert!(has_text(&h, "Directors"));
    support::assert_controls_named(&h);

    // Worst first: the red one above the two green ones.
    let order: Vec<String> = h
        .query_all_by_role(egui::accesskit::Role::Link)
        .filter_map(|n| n.accesskit_node().label().map(|l| l.to_string()))
        .collect();
    let names: Vec<String> = [&red, &hq, &branch]
        .iter()
        .map(|s| host_of(&s.url()))
        .collect();
    assert_eq!(order.first(), Some(&names[0]), "red first: {order:?}");
    assert!(
        order.contains(&names[1]) && order.contains(&names[2]),
        "{order:?}"
    );
    assert!(
        has_text(&h, "rejected"),
        "the red one's Description is shown"
    );

    // A click opens the red one's status panel, signed in from the keyring.
    click(&mut h, &names[0]);
    wait_for(&mut h, "the red Director's panel", |h| {
        has_label(h, "Connect Sync has an alert")
    });
    assert!(has_text(&h, "Account ID RED"), "its own setup");
    assert_eq!(h.state().director_url(), red.url());
    let saved = store.load().settings().0;
    assert_eq!(saved.director, DirectorTarget::Url(red.url()));
    assert_eq!(saved.other_directors.len(), 2, "hq kept in the list");

    // Add Director…: the setup of a new one, the three kept.
    wait_for(&mut h, "the Directors button again", |h| {
        has_label(h, "Directors (3)")
    });
    click(&mut h, "Add Director…");
    wait_for(&mut h, "the first step", |h| {
        h.state().step() == Step::Requirements
    });
    let saved = store.load().settings().0;
    assert_eq!(saved.other_directors.len(), 3);
    assert!(!saved.progress.provisioned);

    // The new one is already set up (its own Account, sync on): after the
    // checks it is watched as it is, without registration or Token.
    let plant = start();
    support::sync_with(&plant, None);
    assert_eq!(
        h.state().director_url(),
        "",
        "the new one's address is asked"
    );
    let typed = h
        .get_by_label("Password")
        .accesskit_node()
        .value()
        .map(|v| v.to_string())
        .unwrap_or_default();
    assert!(
        typed.is_empty(),
        "no password of another Director carried over: {typed:?}"
    );
    support::replace(&mut h, "Director address", &plant.url());
    support::replace(&mut h, "Password", world::DEMO_ADMIN_PASSWORD);
    click(&mut h, "Run checks");
    wait_for(&mut h, "the offer to watch it", |h| {
        has_label(h, "Watch this Director")
    });
    click(&mut h, "Watch this Director");
    wait_for(&mut h, "its status panel, green", |h| {
        h.query_all_by_label_contains("Connect Sync: healthy")
            .next()
            .is_some()
    });
    let plant_account = plant.world().portal.accounts[0].account_id.clone();
    assert!(has_text(&h, &format!("Account ID {plant_account}")));
    assert!(store.load().settings().0.progress.provisioned);
    runtime.block_on(plant.stop());

    drop(h);
    for sim in [hq, red, branch] {
        runtime.block_on(sim.stop());
    }
}
