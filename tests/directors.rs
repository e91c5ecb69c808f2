//! The Directors view with three simulated Directors — the open one
//! green, one red, and a real Director's shape (web interface only) — worst
//! first; the window's title names the red one; a click opens its status
//! panel (its own setup, its own sign-in from the keyring); "Add Director…"
//! starts the setup of a new one and keeps the others.

mod support;

use egui_kittest::kittest::{NodeT, Queryable};
use hybrid_setup::domain::wizard::Step;
use hybrid_setup::sim::world;
use hybrid_setup::store::secret_store::{SecretKey, SecretStore};
use hybrid_setup::store::settings::DirectorTarget;
use support::fleet::{Fleet, host_of};
use support::{click, has_label, has_text, wait_for};

#[test]
fn three_directors_worst_first_and_click_through() {
    let fleet = Fleet::start();
    let (hq, red, web) = (&fleet.hq, &fleet.red, &fleet.web);
    let store = &fleet.store;
    let mut h = fleet.window(support::walks::Look::new(egui::Theme::Dark));

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
    // The view's own heading, not the button that opened it.
    assert!(
        h.query_by_label("Directors").is_some(),
        "the Directors view is open"
    );
    support::assert_controls_named(&h);

    // Worst first: the red one above the two green ones.
    let order: Vec<String> = h
        .query_all_by_role(egui::accesskit::Role::Link)
        .filter_map(|n| n.accesskit_node().label().map(|l| l.to_string()))
        .collect();
    let names: Vec<String> = [red, hq, web].iter().map(|s| host_of(&s.url())).collect();
    assert_eq!(order.len(), 3, "one row per Director: {order:?}");
    assert_eq!(order.first(), Some(&names[0]), "red first: {order:?}");
    let greens: std::collections::BTreeSet<&String> = order[1..].iter().collect();
    assert_eq!(
        greens,
        [&names[1], &names[2]].into_iter().collect(),
        "the two green ones after it: {order:?}"
    );
    assert!(
        has_text(&h, "rejected"),
        "the red one's Description is shown"
    );
    // The real Director: what can be read of it, and where its alarm is.
    wait_for(&mut h, "the real Director's users counted", |h| {
        has_text(h, "of 120 client usernames would fail Connect Sync")
    });
    assert!(has_text(&h, "Hybrid alarm: see Director's alarm bar"));

    // The red one recovers, then fails again: a desktop notification names
    // it (its first reading, on screen already, was not news).
    support::sync_with(red, None);
    wait_for(&mut h, "the red one green", |h| !has_text(h, "rejected"));
    support::sync_with(red, Some("revoked-token"));
    let alert = format!("Connect Sync alert on {}", host_of(&red.url()));
    wait_for(&mut h, "the notification", |_| {
        let told = fleet.told.lock().expect("told");
        told.iter().any(|n| n.title == alert)
    });
    wait_for(&mut h, "red again", |h| has_text(h, "rejected"));

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
    let plant = fleet.another();
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
    fleet.runtime.block_on(plant.stop());

    drop(h);
    fleet.stop();
}

/// A Director is taken off the list only after asking; its saved password
/// leaves the keyring with it; the open one cannot be removed.
#[test]
fn a_director_is_removed_after_asking() {
    let fleet = Fleet::start();
    let mut h = fleet.window(support::walks::Look::new(egui::Theme::Dark));
    wait_for(&mut h, "the Directors button", |h| {
        has_label(h, "Directors (3)")
    });
    click(&mut h, "Directors (3)");
    let (hq, web) = (host_of(&fleet.hq.url()), host_of(&fleet.web.url()));
    wait_for(&mut h, "the real Director's row", |h| has_label(h, &web));
    assert!(
        !has_label(&h, &format!("Remove {hq}…")),
        "the open one stays"
    );
    let remove = format!("Remove {web}…");
    click(&mut h, &remove);
    assert!(has_text(&h, &format!("Remove {web} from this list?")));
    click(&mut h, "Keep it");
    assert!(has_label(&h, &web), "kept");
    assert_eq!(fleet.store.load().settings().0.other_directors.len(), 2);

    click(&mut h, &remove);
    click(&mut h, "Remove it");
    wait_for(&mut h, "two left", |h| !has_label(h, &web));
    let saved = fleet.store.load().settings().0;
    assert_eq!(saved.other_directors.len(), 1, "saved at once");
    assert_eq!(
        saved.other_directors[0].director,
        DirectorTarget::Url(fleet.red.url())
    );
    let key = SecretKey::DirectorPassword {
        director: fleet.web.url(),
        login: "admin".into(),
    };
    wait_for(&mut h, "its password forgotten", |_| {
        fleet.secrets.get(&key.entry_name()).is_none()
    });
    click(&mut h, "Back to status");
    wait_for(&mut h, "two Directors", |h| has_label(h, "Directors (2)"));
    drop(h);
    fleet.stop();
}

/// `--directors` (a click on the icon while it shows another Director's
/// alert) opens the window on the Directors view.
#[test]
fn the_window_can_open_on_the_directors_view() {
    let fleet = Fleet::start();
    let mut h = fleet.window_with(support::walks::Look::new(egui::Theme::Dark), |config| {
        config.open_directors = true;
    });
    wait_for(&mut h, "the Directors view", |h| {
        has_label(h, "Back to status") && has_label(h, &host_of(&fleet.red.url()))
    });
    drop(h);
    fleet.stop();
}

/// `directors add` / `remove` on the command line while the window is
/// open: the Directors view follows the settings file, and the window's
/// own saves keep what the command line did.
#[test]
fn the_window_follows_directors_saved_from_the_command_line() {
    let fleet = Fleet::start();
    let mut h = fleet.window(support::walks::Look::new(egui::Theme::Dark));
    wait_for(&mut h, "the Directors button", |h| {
        has_label(h, "Directors (3)")
    });
    // What `directors remove` does to the file.
    let (mut on_disk, _) = fleet.store.load().settings();
    let web = DirectorTarget::Url(fleet.web.url());
    let index = (on_disk.other_directors.iter())
        .position(|d| d.director == web)
        .expect("the web one is saved");
    let removed = on_disk.remove_director(index).expect("removed");
    fleet.store.save(&on_disk).expect("saved");
    wait_for(&mut h, "two Directors", |h| has_label(h, "Directors (2)"));
    // And `directors add`: back to three.
    let (mut on_disk, _) = fleet.store.load().settings();
    on_disk.other_directors.push(removed);
    fleet.store.save(&on_disk).expect("saved");
    wait_for(&mut h, "three again", |h| has_label(h, "Directors (3)"));
    // The window's next save (a step taken here) keeps the list as it is.
    click(&mut h, "Directors (3)");
    click(&mut h, "Back to status");
    h.run_steps(5);
    assert_eq!(fleet.store.load().settings().0.other_directors.len(), 2);
    drop(h);
    fleet.stop();
}

/// Two saved entries that sign in alike (the same address and login, under
/// two names): removing one keeps the password the other still needs;
/// removing the last one forgets it.
#[test]
fn a_password_another_saved_director_needs_is_kept() {
    let fleet = Fleet::start();
    let (mut settings, _) = fleet.store.load().settings();
    let web = DirectorTarget::Url(fleet.web.url());
    let mut twin = (settings.other_directors.iter())
        .find(|d| d.director == web)
        .cloned()
        .expect("the web one");
    twin.progress.name = "web, watched twice".into();
    settings.other_directors.push(twin);
    fleet.store.save(&settings).expect("saved");
    let key = SecretKey::DirectorPassword {
        director: fleet.web.url(),
        login: "admin".into(),
    };
    let mut h = fleet.window(support::walks::Look::new(egui::Theme::Dark));
    wait_for(&mut h, "four Directors", |h| has_label(h, "Directors (4)"));
    click(&mut h, "Directors (4)");
    let name = host_of(&fleet.web.url());
    click(&mut h, &format!("Remove {name}…"));
    click(&mut h, "Remove it");
    wait_for(&mut h, "three left", |_| {
        fleet.store.load().settings().0.other_directors.len() == 2
    });
    // A moment for a forget that should not come.
    h.run_steps(20);
    assert!(
        fleet.secrets.get(&key.entry_name()).is_some(),
        "the twin still signs in with it"
    );
    click(&mut h, "Remove web, watched twice…");
    click(&mut h, "Remove it");
    wait_for(&mut h, "its password forgotten", |_| {
        fleet.secrets.get(&key.entry_name()).is_none()
    });
    drop(h);
    fleet.stop();
}
