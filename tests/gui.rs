//! The wizard driven as a user would, through egui_kittest: find controls
//! by their accessible labels, click, type, and read what the screen says.
//! Each test runs its own simulator on 127.0.0.1:0 and its own settings
//! folder; secrets go to an in-memory store, never the machine's keyring.

mod support;

use support::{click, enabled, fill, has_label, has_text, wait_for};

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use hybrid_setup::client::http::{ClientOptions, RetryPolicy};
use hybrid_setup::client::sim_admin::SimAdmin;
use hybrid_setup::contract::Fault;
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::domain::wizard::Step;
use hybrid_setup::service::monitor::MonitorConfig;
use hybrid_setup::sim::{self, SimConfig, world};
use hybrid_setup::store::settings::SettingsStore;
use hybrid_setup::ui::app::HybridApp;
use hybrid_setup::ui::screens::usernames::{APPEND_DOMAIN_LABEL, USE_EMAIL_LABEL};

struct World {
    runtime: tokio::runtime::Runtime,
    sim: Option<sim::RunningSim>,
    home: tempfile::TempDir,
}

impl World {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let sim = runtime
            .block_on(sim::start(
                SimConfig::demo(),
                "127.0.0.1:0".parse().expect("addr"),
            ))
            .expect("simulator");
        World {
            runtime,
            sim: Some(sim),
            home: tempfile::tempdir().expect("home"),
        }
    }

    fn url(&self) -> String {
        self.sim.as_ref().expect("sim").url()
    }

    /// A fresh window on this world (a restart keeps the same settings folder).
    fn open(&self) -> Harness<'static, HybridApp> {
        self.open_with(false)
    }

    /// [`World::open`], on the Hybrid alerts when `alerts` (`--alerts`).
    fn open_with(&self, alerts: bool) -> Harness<'static, HybridApp> {
        self.open_configured(|config| config.open_alerts = alerts)
    }

    /// [`World::open`] with `change` made to its configuration.
    fn open_configured(
        &self,
        change: impl FnOnce(&mut hybrid_setup::ui::app::AppConfig),
    ) -> Harness<'static, HybridApp> {
        let options = ClientOptions {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
            retry: RetryPolicy {
                attempts: 2,
                first_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(50),
            },
            pinned_certificate: None,
        };
        let store = SettingsStore::new(self.home.path());
        let (settings, notice) = store.load().settings();
        let mut config = support::app_config(&self.url(), store, settings, true);
        config.notice = notice;
        config.monitor = MonitorConfig {
            poll_every: Duration::from_millis(300),
            first_retry: Duration::from_millis(200),
            max_backoff: Duration::from_secs(1),
        };
        change(&mut config);
        support::window(self.runtime.handle(), options, config, [1100.0, 800.0])
    }

    fn admin(&self) -> SimAdmin {
        SimAdmin::new(&self.url()).expect("admin client")
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.runtime.block_on(sim.stop());
        }
    }
}

fn pass_requirements(h: &mut Harness<'_, HybridApp>) {
    wait_for(h, "the checks", |h| enabled(h, "Continue"));
    assert!(has_text(h, "Director build supports HYBRID"));
    h.key_press(egui::Key::Enter);
    h.step();
    assert_eq!(h.state().step(), Step::LinkDirector, "Enter = Continue");
}

fn fill_registration(h: &mut Harness<'_, HybridApp>, company: &str) {
    for (label, value) in [
        ("Company Name *", company),
        ("City *", "Springfield"),
        ("Country *", "United States"),
        ("First Name *", "Pat"),
        ("Last Name *", "Admin"),
        ("Business Email *", "pat.admin@acme-corp.example"),
        ("Phone *", "+1 617 555 0100"),
        ("Password *", "Str0ngPass"),
        ("Confirm Password *", "Str0ngPass"),
    ] {
        fill(h, label, value);
    }
}

const TERMS_BOX: &str = "I accept the Terms and Conditions *";

#[test]
fn happy_path_to_green() {
    let world = World::new();
    let h = provision_to_green(&world);
    assert!(h.state().progress().provisioned);
}

/// After a full provisioning run with the real log file, neither the logs,
/// nor the settings, nor the diagnostics report contain the Token or a
/// password — while the logs do record the run.
#[test]
fn no_secret_in_logs_settings_or_diagnostics() {
    let logs = tempfile::tempdir().expect("logs");
    let guard = hybrid_setup::store::logs::init(logs.path()).expect("the only logger here");
    let world = World::new();
    let h = provision_to_green(&world);
    drop(h);
    drop(guard); // flushes the log writer
    let token = world
        .sim
        .as_ref()
        .expect("sim")
        .world()
        .director
        .settings
        .token
        .clone()
        .expect("a Token was saved to Director");
    let secrets = [
        token.expose().to_string(),
        world::DEMO_ADMIN_PASSWORD.to_string(),
        world::DEMO_PORTAL_PASSWORD.to_string(),
        "Str0ngPass".to_string(), // typed at registration
    ];
    let log_text: String = hybrid_setup::store::logs::log_files(logs.path())
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("log"))
        .collect();
    assert!(
        log_text.contains("/portal/api/account/credentials") && log_text.contains("wizard step"),
        "the log records the run: {log_text}"
    );
    let store = SettingsStore::new(world.home.path());
    let settings_text = std::fs::read_to_string(store.path()).expect("settings");
    let report = hybrid_setup::service::diagnostics::collect(&store, logs.path(), &[]);
    assert!(report.contains("provisioned: true"), "{report}");
    for secret in &secrets {
        assert!(
            !log_text.contains(secret.as_str()),
            "a secret is in the log"
        );
        assert!(
            !settings_text.contains(secret.as_str()),
            "a secret is in the settings"
        );
        assert!(
            !report.contains(secret.as_str()),
            "a secret is in the diagnostics"
        );
    }
}

/// Drives the wizard from the first screen to a green status panel.
fn provision_to_green(world: &World) -> Harness<'static, HybridApp> {
    let h = to_username_format(world);
    save_and_finish(h)
}

/// Drives the wizard to the Username format step, both options ticked.
fn to_username_format(world: &World) -> Harness<'static, HybridApp> {
    let mut h = world.open();
    pass_requirements(&mut h);

    click(&mut h, "Register a new account");
    click(&mut h, "Register…");
    assert_eq!(h.state().step(), Step::Register);
    fill_registration(&mut h, "Acme Corporation");

    // The Terms box is disabled until the link was opened.
    assert!(!enabled(&h, TERMS_BOX), "disabled before the link");
    assert!(!enabled(&h, "Register the account"));
    click(&mut h, "terms and conditions");
    assert!(enabled(&h, TERMS_BOX), "enabled after the link");
    wait_for(&mut h, "the terms", |h| {
        has_text(h, "END USER TERMS OF SERVICE")
    });
    click(&mut h, "Hide the terms");
    click(&mut h, TERMS_BOX);
    wait_for(&mut h, "Register enabled", |h| {
        enabled(h, "Register the account")
    });

    // "Acme Corporation" exists in the demo: conflict, with a suggestion.
    click(&mut h, "Register the account");
    let suggestion = "Use \u{201c}Acme Corporation (Springfield)\u{201d}";
    wait_for(&mut h, "the conflict", |h| has_label(h, suggestion));
    assert!(has_text(&h, "already exists"));
    click(&mut h, suggestion);
    click(&mut h, "Register the account");
    wait_for(&mut h, "the confirmation", |h| {
        h.state().step() == Step::Confirmation
    });
    let account_id = h.state().progress().account_id.clone();
    assert!(!account_id.is_empty());
    assert!(has_text(&h, "Check your email for further instructions."));
    wait_for(&mut h, "the welcome email", |h| {
        has_text(h, "Welcome email")
    });
    assert!(has_text(&h, &format!("Account ID: {account_id}")));
    click(&mut h, "Continue");

    // Credentials: sign in as the new Decision Maker and Show.
    assert_eq!(h.state().step(), Step::Credentials);
    assert!(!enabled(&h, "Continue"));
    click(&mut h, "Sign in");
    wait_for(&mut h, "the Show link", |h| has_label(h, "Show"));
    assert!(has_text(&h, "(Decision Maker)"));
    click(&mut h, "Show");
    wait_for(&mut h, "the Token", |h| enabled(h, "Continue"));
    click(&mut h, "Continue");

    // Username format: the count changes as options are ticked.
    assert_eq!(h.state().step(), Step::UsernameFormat);
    wait_for(&mut h, "the count", |h| has_text(h, " of 250"));
    let before = count_text(&h);
    assert_ne!(before, "0 of 250", "the demo has invalid usernames");
    click(&mut h, USE_EMAIL_LABEL);
    wait_for(&mut h, "the count with email", |h| count_text(h) != before);
    let with_email = count_text(&h);
    click(&mut h, APPEND_DOMAIN_LABEL);
    wait_for(&mut h, "the count with both options", |h| {
        count_text(h) != with_email
    });
    assert_eq!(count_text(&h), "0 of 250");
    h
}

/// From the Username format step with both options ticked: save, verify,
/// finish, green.
fn save_and_finish(mut h: Harness<'static, HybridApp>) -> Harness<'static, HybridApp> {
    click(&mut h, "Save to Director");
    assert_eq!(h.state().step(), Step::FirstSync);
    wait_for(&mut h, "the verification", |h| enabled(h, "Finish"));
    assert!(has_text(&h, "Invalid client usernames"));
    assert!(has_label(&h, "0 of 250"));
    click(&mut h, "Finish");
    assert_eq!(h.state().step(), Step::Done);
    wait_for(&mut h, "the healthy status", |h| {
        has_label(h, "Connect Sync healthy")
    });
    h
}

fn count_text(h: &Harness<'_, HybridApp>) -> String {
    let node = h
        .query_all_by_label_contains(" of 250")
        .next()
        .expect("the count");
    let label = node
        .accesskit_node()
        .label()
        .unwrap_or_default()
        .to_string();
    if label.is_empty() {
        node.value().unwrap_or_default()
    } else {
        label
    }
}

#[test]
fn register_screen_marks_required_fields_and_errors_inline() {
    let world = World::new();
    let mut h = world.open();
    pass_requirements(&mut h);
    click(&mut h, "Register a new account");
    click(&mut h, "Register…");
    fill(&mut h, "Business Email *", "not-an-email");
    fill(&mut h, "Phone *", "1");
    h.key_press(egui::Key::Tab);
    h.step();
    wait_for(&mut h, "inline errors", |h| {
        has_text(h, "Enter a valid email address")
    });
    assert!(has_text(&h, "Enter a phone number"));
    assert!(!enabled(&h, "Register the account"));
    // Esc = Back.
    h.key_press(egui::Key::Escape);
    h.step();
    assert_eq!(h.state().step(), Step::LinkDirector);
}

#[test]
fn only_the_decision_maker_is_shown_the_token() {
    let world = World::new();
    let mut h = world.open();
    pass_requirements(&mut h);
    click(&mut h, "I already have an account");
    click(&mut h, "Enter the Account ID and Token");
    assert_eq!(h.state().step(), Step::Credentials);
    fill(&mut h, "Business Email", world::DEMO_PHONE_MANAGER);
    fill(&mut h, "Portal password", world::DEMO_PORTAL_PASSWORD);
    click(&mut h, "Sign in");
    wait_for(&mut h, "the sign-in", |h| has_label(h, "Show"));
    click(&mut h, "Show");
    wait_for(&mut h, "the refusal", |h| {
        has_text(h, "Only the Decision Maker can reveal the Token")
    });
    assert!(has_text(&h, "Phone Manager"));
    assert!(!enabled(&h, "Continue"), "no Token, no Continue");
    // Back skips the registration steps for an existing account.
    h.key_press(egui::Key::Escape);
    h.step();
    assert_eq!(h.state().step(), Step::LinkDirector);
}

#[test]
fn resumes_at_the_same_step_after_a_restart() {
    let world = World::new();
    {
        let mut h = world.open();
        pass_requirements(&mut h);
        click(&mut h, "I already have an account");
        click(&mut h, "Enter the Account ID and Token");
        fill(&mut h, "Business Email", world::DEMO_DECISION_MAKER);
        fill(&mut h, "Portal password", world::DEMO_PORTAL_PASSWORD);
        click(&mut h, "Sign in");
        wait_for(&mut h, "the sign-in", |h| has_label(h, "Show"));
        click(&mut h, "Show");
        wait_for(&mut h, "the Token", |h| enabled(h, "Continue"));
        click(&mut h, "Continue");
        assert_eq!(h.state().step(), Step::UsernameFormat);
        h.state_mut().flush();
    }
    let settings =
        std::fs::read_to_string(world.home.path().join("settings.json")).expect("settings");
    assert!(
        !settings.contains(world::DEMO_PORTAL_PASSWORD),
        "no secrets on disk"
    );
    let mut h = world.open();
    h.step();
    assert_eq!(h.state().step(), Step::UsernameFormat, "resumed");
    // Users are read again in the background.
    wait_for(&mut h, "the users", |h| has_text(h, " of 250"));
}

#[test]
fn a_network_fault_is_shown_and_retried() {
    let world = World::new();
    let admin = world.admin();
    world
        .runtime
        .block_on(admin.add_fault(&Fault {
            route: "GET /director/api/system".into(),
            status: Some(503),
            ..Default::default()
        }))
        .expect("fault");
    let mut h = world.open();
    wait_for(&mut h, "the error", |h| has_text(h, "HTTP 503"));
    assert!(!enabled(&h, "Continue"));
    world.runtime.block_on(admin.clear_faults()).expect("clear");
    click(&mut h, "Retry");
    wait_for(&mut h, "the checks", |h| enabled(h, "Continue"));
}

/// Saving to Director fails (each fault in turn): the step shows what
/// happened and what to do, the wizard's progress on disk is intact, and
/// Retry saves once the fault is gone.
#[test]
fn a_failed_save_keeps_progress_and_retries() {
    let world = World::new();
    let admin = world.admin();
    let mut h = to_username_format(&world);
    let store = SettingsStore::new(world.home.path());
    // What was saved before any fault: the faults must not change it.
    h.state_mut().flush();
    let before = store.load().settings().0;
    assert_eq!(before.progress.step(), Step::UsernameFormat);
    assert!(!before.progress.account_id.is_empty());
    let director_before = world
        .runtime
        .block_on(admin.state())
        .expect("simulator state")["director"]["settings"]
        .clone();
    for (fault, shown) in [
        (
            Fault {
                status: Some(500),
                ..Default::default()
            },
            "HTTP 500",
        ),
        (
            Fault {
                body: hybrid_setup::contract::FaultBody::Malformed,
                ..Default::default()
            },
            "not the expected JSON",
        ),
        (
            Fault {
                body: hybrid_setup::contract::FaultBody::WrongContentType,
                ..Default::default()
            },
            "expected JSON",
        ),
    ] {
        let fault = Fault {
            route: "PUT /director/api/hybrid/sync".into(),
            ..fault
        };
        world
            .runtime
            .block_on(admin.add_fault(&fault))
            .expect("fault");
        if h.state().step() == Step::UsernameFormat {
            click(&mut h, "Save to Director");
        } else {
            click(&mut h, "Retry");
        }
        wait_for(&mut h, shown, |h| has_text(h, shown));
        assert!(has_label(&h, "Retry"), "a way to try again");
        let advice = match shown {
            "HTTP 500" => "The server had a problem. Try again",
            _ => "The server answered in a way this program does not understand",
        };
        assert!(has_text(&h, advice), "{shown}: the advice is shown");
        h.state_mut().flush();
        let saved = store.load().settings().0;
        let expected = hybrid_setup::domain::wizard::Progress {
            step: hybrid_setup::domain::wizard::StepOrStart(Step::FirstSync),
            completed: saved.progress.completed.clone(),
            ..before.progress.clone()
        };
        assert_eq!(
            saved.progress, expected,
            "{shown}: progress is as before, only the step moved on"
        );
        assert!(saved.progress.completed.contains(&Step::UsernameFormat));
        let director_now = world
            .runtime
            .block_on(admin.state())
            .expect("simulator state")["director"]["settings"]
            .clone();
        assert_eq!(
            director_now, director_before,
            "{shown}: nothing was saved in Director"
        );
        world.runtime.block_on(admin.clear_faults()).expect("clear");
    }
    click(&mut h, "Retry");
    wait_for(&mut h, "the verification", |h| enabled(h, "Finish"));
}

/// A provisioned install whose Token the Portal no longer accepts: red.
fn provisioned_red(world: &World) {
    use hybrid_setup::contract::SyncSettingsUpdate;
    let sim = world.sim.as_ref().expect("sim");
    let account_id = sim.world().portal.accounts[0].account_id.clone();
    let now = hybrid_setup::sim::server::now_ms();
    {
        let mut w = sim.world();
        w.save_sync_settings(
            SyncSettingsUpdate {
                account_id: account_id.clone(),
                token: Some(Secret::new("revoked-token")),
                use_email: true,
                append_domain: Some(hybrid_setup::sim::data::DEMO_DOMAIN.into()),
            },
            now,
        )
        .expect("save");
        w.sync_cycle(now);
    }
    let store = SettingsStore::new(world.home.path());
    let mut settings = hybrid_setup::store::settings::Settings::default();
    settings.progress.go(Step::Done);
    settings.progress.provisioned = true;
    settings.progress.account_id = account_id;
    settings.progress.account_name = "Acme Corporation".into();
    store.save(&settings).expect("settings");
}

/// Red because the Portal refused the Token: "What to do" is open by
/// itself, its fix is a button, and the button leads to the Credentials
/// step; the figures stay as read (not stale).
#[test]
fn what_to_do_opens_on_red_with_the_fix_as_a_button() {
    let world = World::new();
    provisioned_red(&world);
    let mut h = world.open();
    wait_for(&mut h, "the red state", |h| {
        has_label(h, "Enter the Token again…")
    });
    assert!(
        has_text(&h, "Why: the Account ID or the Token"),
        "the guide, open"
    );
    assert!(
        !has_text(&h, "at last sync"),
        "fresh figures are not marked"
    );
    click(&mut h, "Enter the Token again…");
    assert_eq!(h.state().step(), Step::Credentials);
}

#[test]
fn the_icon_opens_the_alerts_with_their_description() {
    let world = World::new();
    provisioned_red(&world);
    let mut h = world.open();
    wait_for(&mut h, "the red state", |h| {
        h.query_all_by_label_contains("Connect Sync: alert — ")
            .next()
            .is_some()
    });
    assert!(has_label(&h, "Connect Sync has an alert"));
    assert!(
        !has_label(&h, "1. Requirements"),
        "a provisioned install opens on the status panel"
    );

    // Double-click the icon: the Alerts view, with the Description.
    let icon = h.get_by_label_contains("Connect Sync: alert — ");
    icon.click();
    icon.click();
    h.step();
    h.step();
    assert!(has_text(&h, "Hybrid alerts"));
    assert!(
        has_text(&h, "rejected the Account ID"),
        "the Description is shown"
    );
    assert!(has_label(&h, "Critical"));
    click(&mut h, "How to fix this");
    assert!(
        has_text(&h, "Decision Maker"),
        "the troubleshooting guidance"
    );

    // Esc goes back to the panel; the keyboard opens the view again.
    h.key_press(egui::Key::Escape);
    h.step();
    assert!(!has_text(&h, "Hybrid alerts"));
    h.get_by_label_contains("Connect Sync: alert — ").focus();
    h.step();
    h.key_press(egui::Key::Enter);
    h.step();
    h.step();
    assert!(
        has_text(&h, "Hybrid alerts"),
        "Enter on the focused icon opens the alerts"
    );
}

/// Minimized, eframe calls only `App::logic` (never `ui`): a change of
/// state then must still reach the desktop as a notification.
#[test]
fn a_change_while_minimized_notifies() {
    use std::sync::{Arc, Mutex};
    let world = World::new();
    provisioned_red(&world);
    let sim = world.sim.as_ref().expect("sim");
    support::sync_with(sim, None);
    let shown: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorder = shown.clone();
    let mut h = world.open_configured(|config| {
        config.notify = Some(Arc::new(move |n| {
            recorder.lock().expect("shown").push(n.title);
        }))
    });
    wait_for(&mut h, "the green state", |h| {
        h.query_all_by_label_contains("Connect Sync: healthy")
            .next()
            .is_some()
    });

    // Minimized: from here on only the logic half runs.
    support::sync_with(sim, Some("revoked-token"));
    let start = std::time::Instant::now();
    while !shown
        .lock()
        .expect("shown")
        .iter()
        .any(|t| t == "Connect Sync alert")
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no notification while minimized: {:?}",
            shown.lock().expect("shown")
        );
        let ctx = h.ctx.clone();
        h.state_mut().logic(&ctx);
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The notification-area icon's "Show alerts" opens the window with
/// `--alerts`: straight on the alerts, the Description there.
#[test]
fn the_window_opens_on_the_alerts_when_asked() {
    let world = World::new();
    provisioned_red(&world);
    let mut h = world.open_with(true);
    wait_for(&mut h, "the alerts", |h| {
        has_text(h, "Hybrid alerts") && has_text(h, "rejected the Account ID")
    });
    h.key_press(egui::Key::Escape);
    h.step();
    assert!(has_label(&h, "Connect Sync has an alert"), "Esc: the panel");
}

/// A second launch of the program asks the open window to come forward:
/// un-minimized, shown and focused.
#[test]
fn a_later_launch_brings_the_window_forward() {
    use hybrid_setup::ui::app::Raise;
    let world = World::new();
    let raise = std::sync::Arc::new(Raise::default());
    let mut h = world.open_configured(|config| config.raise = Some(raise.clone()));
    h.step();
    let focus_asked = |h: &Harness<'_, HybridApp>| {
        h.output()
            .viewport_output
            .values()
            .any(|v| v.commands.contains(&egui::ViewportCommand::Focus))
    };
    assert!(!focus_asked(&h));
    raise.ask();
    h.step();
    assert!(focus_asked(&h), "the window comes forward");
    h.step();
    assert!(!focus_asked(&h), "once");
}

/// Focuses the control labelled `label` and presses Enter there.
fn enter_on(h: &mut Harness<'_, HybridApp>, label: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.key_press(egui::Key::Enter);
    h.step();
    h.step();
}

/// Enter on a focused button presses that button only: Tab to Back and
/// Enter goes back one step, and Continue does not run as well.
#[test]
fn enter_on_the_focused_back_button_only_goes_back() {
    let world = World::new();
    let mut h = world.open();
    pass_requirements(&mut h);
    click(&mut h, "Register a new account");
    click(&mut h, "Register…");
    assert_eq!(h.state().step(), Step::Register);
    enter_on(&mut h, "Back");
    assert_eq!(
        h.state().step(),
        Step::LinkDirector,
        "Back ran once; Continue (Link: register) did not run after it"
    );
}

/// Enter in the search box belongs to the search box: it does not start
/// "Save to Director".
#[test]
fn enter_in_the_username_search_does_not_save() {
    let world = World::new();
    let mut h = to_username_format(&world);
    fill(&mut h, "Search", "pat");
    enter_on(&mut h, "Search");
    assert_eq!(
        h.state().step(),
        Step::UsernameFormat,
        "still on Username format"
    );
    assert!(
        !has_text(&h, "Saving the settings to Director"),
        "nothing was saved"
    );
    // With nothing focused, Enter is Continue again.
    h.key_press(egui::Key::Enter);
    h.step();
    h.step();
    assert_eq!(
        h.state().step(),
        Step::FirstSync,
        "Enter = Save to Director"
    );
}
