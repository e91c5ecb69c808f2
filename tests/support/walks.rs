//! Walks through every screen a person meets, calling back on each one: the
//! guided wizard against a real Director's known shape, and the demo's
//! automatic wizard against the contract simulator up to a red status panel
//! and its alerts. The checks that look at every screen (contrast, zoom)
//! share them.

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use hybrid_setup::client::http::ClientOptions;
use hybrid_setup::contract::SyncSettingsUpdate;
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::domain::wizard::Step;
use hybrid_setup::service::monitor::MonitorConfig;
use hybrid_setup::sim::{self, SimConfig, data};
use hybrid_setup::store::settings::{Settings, SettingsStore};
use hybrid_setup::ui::app::HybridApp;
use hybrid_setup::ui::screens::usernames::{APPEND_DOMAIN_LABEL, USE_EMAIL_LABEL};

use super::{click, enabled, fill, has_label, has_text, wait_for};

/// How the window looks: its theme, its size in pixels and the zoom factor
/// (egui's points are pixels ÷ zoom).
#[derive(Debug, Clone, Copy)]
pub struct Look {
    pub theme: egui::Theme,
    pub size: [f32; 2],
    pub zoom: f32,
}

impl Look {
    pub fn new(theme: egui::Theme) -> Self {
        Look {
            theme,
            size: [1040.0, 900.0],
            zoom: 1.0,
        }
    }
}

pub type OnScreen<'a> = &'a mut dyn FnMut(&mut Harness<'static, HybridApp>, &str);

/// The guided wizard against the simulator playing a real Director, from
/// Requirements to the status panel.
pub fn guided(look: Look, on_screen: OnScreen<'_>) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let director = runtime.block_on(super::web_only_sim(
        data::generate(120, data::Mix::Fixable, 7),
        false,
    ));
    let home = tempfile::tempdir().expect("home");
    let mut config = super::app_config(
        &director.url(),
        SettingsStore::new(home.path()),
        Settings::default(),
        false,
    );
    config.portal_url = "http://127.0.0.1:9".into();
    let mut h = super::window_looking(runtime.handle(), ClientOptions::default(), config, look);
    wait_for(&mut h, "the checks", |h| {
        has_text(h, "web interface") && enabled(h, "Continue")
    });
    on_screen(&mut h, "Requirements");
    // A Director already set up would be watched as it is: the form.
    click(&mut h, "It is already set up…");
    fill(&mut h, "Account ID", "1000002");
    wait_for(&mut h, "the count", |h| {
        has_text(h, "Invalid client usernames: ")
    });
    on_screen(&mut h, "Requirements (already set up)");
    click(&mut h, "Cancel");
    click(&mut h, "Continue");
    on_screen(&mut h, "Link Director");
    click(&mut h, "Register a new account");
    click(&mut h, "Register…");
    on_screen(&mut h, "Register (guided)");
    click(&mut h, "I have registered");
    fill(&mut h, "Account Name", "Acme");
    fill(&mut h, "Account ID", "Account ID 1");
    h.key_press(egui::Key::Tab);
    on_screen(&mut h, "Confirmation (guided, a field error)");
    super::replace(&mut h, "Account ID", "1000002");
    wait_for(&mut h, "Continue", |h| enabled(h, "Continue"));
    click(&mut h, "Continue");
    fill(&mut h, "Token", "tok-123");
    on_screen(&mut h, "Credentials (guided)");
    click(&mut h, "Continue");
    wait_for(&mut h, "the count", |h| {
        has_text(h, "client usernames invalid")
    });
    on_screen(&mut h, "Username format");
    // The fix view: suggestions and a preview (nothing is written).
    click(&mut h, "Fix in Director…");
    wait_for(&mut h, "the suggestions", |h| has_text(h, "Review "));
    on_screen(&mut h, "Fix in Director (suggestions)");
    let preview = h
        .query_all_by_label_contains("Review ")
        .filter_map(|n| n.accesskit_node().label())
        .find(|l| l.ends_with(" users…"))
        .expect("the Review button");
    click(&mut h, &preview);
    wait_for(&mut h, "the preview", |h| has_label(h, "Back to editing"));
    on_screen(&mut h, "Fix in Director (preview)");
    click(&mut h, "Back to editing");
    click(&mut h, "Close");
    wait_for(&mut h, "the table again", |h| {
        has_text(h, "client usernames invalid")
    });
    click(&mut h, USE_EMAIL_LABEL);
    click(&mut h, APPEND_DOMAIN_LABEL);
    wait_for(&mut h, "0 of 120", |h| {
        has_label(h, "0 of 120") && enabled(h, "Continue")
    });
    click(&mut h, "Continue");
    on_screen(&mut h, "Save & first sync (guided)");
    click(&mut h, hybrid_setup::ui::screens::first_sync::VERIFY_LABEL);
    wait_for(&mut h, "the verification", |h| enabled(h, "Finish"));
    on_screen(&mut h, "Save & first sync (verified)");
    click(&mut h, "Finish");
    assert_eq!(h.state().step(), Step::Done);
    wait_for(&mut h, "the panel", |h| {
        has_text(h, "client usernames would fail Connect Sync")
    });
    on_screen(&mut h, "Status panel (real Director)");
    drop(h);
    runtime.block_on(director.stop());
}

/// The demo's automatic wizard against the contract simulator: register
/// (the terms window, a name conflict), the Token, the usernames, the first
/// sync, a green panel, then a revoked Token: red, and the alerts.
pub fn contract(look: Look, on_screen: OnScreen<'_>) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sim = runtime
        .block_on(sim::start(
            SimConfig::demo(),
            "127.0.0.1:0".parse().expect("addr"),
        ))
        .expect("simulator");
    let home = tempfile::tempdir().expect("home");
    let mut config = super::app_config(
        &sim.url(),
        SettingsStore::new(home.path()),
        Settings::default(),
        true,
    );
    config.monitor = MonitorConfig {
        poll_every: Duration::from_millis(300),
        first_retry: Duration::from_millis(200),
        max_backoff: Duration::from_secs(1),
    };
    let mut h = super::window_looking(runtime.handle(), ClientOptions::default(), config, look);
    wait_for(&mut h, "the checks", |h| enabled(h, "Continue"));
    on_screen(&mut h, "Requirements (demo)");
    click(&mut h, "Continue");
    on_screen(&mut h, "Link Director (demo)");
    click(&mut h, "Register a new account");
    click(&mut h, "Register…");
    on_screen(&mut h, "Register");
    for (label, value) in [
        ("Company Name *", "Acme Corporation"),
        ("City *", "Springfield"),
        ("Country *", "United States"),
        ("First Name *", "Pat"),
        ("Last Name *", "Admin"),
        ("Business Email *", "not an address"),
        ("Phone *", "+1 617 555 0100"),
        ("Password *", "Str0ngPass"),
        ("Confirm Password *", "Str0ngPas"),
    ] {
        fill(&mut h, label, value);
    }
    h.key_press(egui::Key::Tab);
    h.run_ok();
    on_screen(&mut h, "Register (errors inline)");
    super::replace(&mut h, "Business Email *", "pat.admin@acme-corp.example");
    super::replace(&mut h, "Confirm Password *", "Str0ngPass");
    click(&mut h, "terms and conditions");
    wait_for(&mut h, "the terms", |h| {
        has_text(h, "END USER TERMS OF SERVICE")
    });
    on_screen(&mut h, "Terms and Conditions");
    click(&mut h, "Hide the terms");
    click(&mut h, "I accept the Terms and Conditions *");
    wait_for(&mut h, "Register enabled", |h| {
        enabled(h, "Register the account")
    });
    click(&mut h, "Register the account");
    let suggestion = "Use \u{201c}Acme Corporation (Springfield)\u{201d}";
    wait_for(&mut h, "the conflict", |h| has_label(h, suggestion));
    on_screen(&mut h, "Register (the name is taken)");
    click(&mut h, suggestion);
    click(&mut h, "Register the account");
    wait_for(&mut h, "the welcome email", |h| {
        h.state().step() == Step::Confirmation && has_text(h, "Welcome email")
    });
    on_screen(&mut h, "Confirmation");
    click(&mut h, "Continue");
    click(&mut h, "Sign in");
    wait_for(&mut h, "the Show link", |h| has_label(h, "Show"));
    click(&mut h, "Show");
    wait_for(&mut h, "the Token", |h| enabled(h, "Continue"));
    on_screen(&mut h, "Credentials");
    click(&mut h, "Continue");
    wait_for(&mut h, "the count", |h| has_text(h, " of 250"));
    on_screen(&mut h, "Username format (demo)");
    click(&mut h, USE_EMAIL_LABEL);
    click(&mut h, APPEND_DOMAIN_LABEL);
    wait_for(&mut h, "0 of 250", |h| has_label(h, "0 of 250"));
    click(&mut h, "Save to Director");
    wait_for(&mut h, "the verification", |h| enabled(h, "Finish"));
    on_screen(&mut h, "First sync");
    click(&mut h, "Finish");
    wait_for(&mut h, "the healthy status", |h| {
        has_label(h, "Connect Sync healthy")
    });
    on_screen(&mut h, "Status panel (green)");

    // The Portal stops accepting the Token: red, and the alerts behind it.
    {
        let mut world = sim.world();
        let account_id = world.portal.accounts[0].account_id.clone();
        let now = sim::server::now_ms();
        world
            .save_sync_settings(
                SyncSettingsUpdate {
                    account_id,
                    token: Some(Secret::new("revoked-token")),
                    use_email: true,
                    append_domain: Some(data::DEMO_DOMAIN.into()),
                },
                now,
            )
            .expect("save");
        world.sync_cycle(now);
    }
    wait_for(&mut h, "the red state", |h| {
        h.query_all_by_label_contains("Connect Sync: alert — ")
            .next()
            .is_some()
    });
    on_screen(&mut h, "Status panel (red)");
    super::view::scroll_into_view_where(
        &mut h,
        |n| {
            n.accesskit_node()
                .label()
                .is_some_and(|l| l.starts_with("Connect Sync: alert — "))
        },
        None,
    );
    let icon = h.get_by_label_contains("Connect Sync: alert — ");
    icon.click();
    icon.click();
    h.step();
    h.step();
    wait_for(&mut h, "the alerts", |h| has_text(h, "Hybrid alerts"));
    on_screen(&mut h, "Alerts");
    drop(h);
    runtime.block_on(sim.stop());
}

/// Several Directors ([`super::fleet`]): the open one's status panel naming
/// the one with an alert, then the Directors view with a real Director's
/// row among them.
pub fn directors(look: Look, on_screen: OnScreen<'_>) {
    let fleet = super::fleet::Fleet::start();
    let mut h = fleet.window(look);
    wait_for(&mut h, "every Director read", |h| {
        has_label(h, "Directors (3)") && has_text(h, "Connect Sync has an alert")
    });
    on_screen(&mut h, "Status panel (several Directors)");
    click(&mut h, "Directors (3)");
    wait_for(&mut h, "the real Director's row", |h| {
        has_text(h, "of 120 client usernames would fail Connect Sync")
    });
    on_screen(&mut h, "Directors");
    let web = super::fleet::host_of(&fleet.web.url());
    click(&mut h, &format!("Remove {web}…"));
    on_screen(&mut h, "Directors (remove one?)");
    click(&mut h, "Keep it");
    drop(h);
    fleet.stop();
}
