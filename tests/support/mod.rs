//! Shared by the integration tests and the frame benchmark (each includes
//! it with `mod support;`): the window on a test harness, and a filled-in
//! registration. Not every file uses every helper.
#![allow(dead_code)]

use std::sync::Arc;

pub mod addresses;
pub mod contrast;
#[cfg(target_os = "linux")]
pub mod dbus;
pub mod fleet;
pub mod view;
pub mod walks;

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use hybrid_setup::client::http::ClientOptions;
use hybrid_setup::contract::RegistrationRequest;
use hybrid_setup::domain::registration::RegistrationForm;
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::sim::world;
use hybrid_setup::store::secret_store::MemoryStore;
use hybrid_setup::store::settings::{Settings, SettingsStore};
use hybrid_setup::ui::app::{AppConfig, HybridApp};
use hybrid_setup::ui::tasks::Tasks;

/// The window's configuration for a test: a simulator at `url` serving both
/// Director and Portal, the demo admin password at hand, no browser, no
/// desktop notifications. Callers change fields as they need.
pub fn app_config(url: &str, store: SettingsStore, settings: Settings, demo: bool) -> AppConfig {
    AppConfig {
        store,
        settings,
        notice: None,
        demo,
        director_url: url.to_string(),
        portal_url: url.to_string(),
        director_password: Some(Secret::new(world::DEMO_ADMIN_PASSWORD)),
        open_links: false,
        notify: None,
        monitor: Default::default(),
        theme: None,
        zoom: None,
        open_alerts: false,
        open_directors: false,
        autostart: None,
        raise: None,
    }
}

/// The real app state in a kittest harness of `size`, its background work
/// on `runtime`, secrets in memory only.
pub fn window(
    runtime: &tokio::runtime::Handle,
    options: ClientOptions,
    config: AppConfig,
    size: [f32; 2],
) -> Harness<'static, HybridApp> {
    window_looking(
        runtime,
        options,
        config,
        walks::Look {
            size,
            ..walks::Look::new(egui::Theme::Dark)
        },
    )
}

/// [`window`] with `look`'s theme, size and zoom.
pub fn window_looking(
    runtime: &tokio::runtime::Handle,
    options: ClientOptions,
    config: AppConfig,
    look: walks::Look,
) -> Harness<'static, HybridApp> {
    window_with_secrets(
        runtime,
        options,
        config,
        look,
        Arc::new(MemoryStore::default()),
    )
}

/// [`window_looking`] with `secrets` as the keyring (passwords saved before).
pub fn window_with_secrets(
    runtime: &tokio::runtime::Handle,
    options: ClientOptions,
    config: AppConfig,
    look: walks::Look,
    secrets: Arc<MemoryStore>,
) -> Harness<'static, HybridApp> {
    let theme = look.theme;
    // The app applies its theme setting on the first frame: the harness's.
    let mut config = config;
    config.theme = Some(match theme {
        egui::Theme::Light => hybrid_setup::domain::wizard::ThemeChoice::Light,
        egui::Theme::Dark => hybrid_setup::domain::wizard::ThemeChoice::Dark,
    });
    let tasks = Tasks::new(
        runtime.clone(),
        &config.director_url,
        &config.portal_url,
        secrets,
        options,
    )
    .expect("background tasks");
    let app = HybridApp::new(tasks, config);
    Harness::builder()
        .with_size([look.size[0] / look.zoom, look.size[1] / look.zoom])
        .with_pixels_per_point(look.zoom)
        .with_theme(theme)
        .build_ui_state(
            // As eframe calls them: the logic half, then the drawing half.
            |ui, app: &mut HybridApp| {
                app.logic(ui.ctx());
                app.ui(ui);
            },
            app,
        )
}

/// Saves sync settings in the simulated Director with `token` (the
/// Account's real one when `None`) and runs a sync cycle: the real Token
/// makes it green, another one red.
pub fn sync_with(sim: &hybrid_setup::sim::RunningSim, token: Option<&str>) {
    use hybrid_setup::contract::SyncSettingsUpdate;
    use hybrid_setup::sim::{data, server};
    let mut w = sim.world();
    let account = w.portal.accounts[0].clone();
    let now = server::now_ms();
    w.save_sync_settings(
        SyncSettingsUpdate {
            account_id: account.account_id,
            token: Some(token.map(Secret::new).unwrap_or(account.token)),
            use_email: true,
            append_domain: Some(data::DEMO_DOMAIN.into()),
        },
        now,
    )
    .expect("save");
    w.sync_cycle(now);
}

/// A complete, valid registration for `company`, Contact `email`.
pub fn registration(company: &str, email: &str) -> RegistrationRequest {
    RegistrationRequest {
        form: RegistrationForm {
            company_name: company.into(),
            city: "Springfield".into(),
            country: "United States".into(),
            first_name: "Pat".into(),
            last_name: "Admin".into(),
            business_email: email.into(),
            phone: "+1 617 555 0100".into(),
            password: "Str0ngPass".into(),
            confirm_password: "Str0ngPass".into(),
            accepted_terms: true,
            ..Default::default()
        },
        terms_version: world::TERMS_VERSION.into(),
    }
}

/// Steps frames until `done` holds; background results arrive meanwhile.
pub fn wait_for(
    h: &mut Harness<'_, HybridApp>,
    what: &str,
    done: impl Fn(&Harness<'_, HybridApp>) -> bool,
) {
    let start = Instant::now();
    loop {
        h.step();
        if done(h) {
            h.step();
            return;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let labels: Vec<String> = h
                .root()
                .children_recursive()
                .filter_map(|n| n.accesskit_node().label().map(|l| l.to_string()))
                .filter(|l| !l.is_empty())
                .collect();
            panic!("timed out waiting for {what}; on screen: {labels:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn has_label(h: &Harness<'_, HybridApp>, label: &str) -> bool {
    h.query_by_label(label).is_some()
}

pub fn has_text(h: &Harness<'_, HybridApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

pub fn enabled(h: &Harness<'_, HybridApp>, label: &str) -> bool {
    h.query_by_label(label)
        .is_some_and(|n| !n.accesskit_node().is_disabled())
}

/// Every control a person can click or type into has a role and a name in
/// the AccessKit tree (what a screen reader reads out); fails naming the
/// step and the unnamed controls.
pub fn assert_controls_named(h: &Harness<'_, HybridApp>) {
    use egui::accesskit::Role;
    let unnamed: Vec<String> = h
        .root()
        .children_recursive()
        .filter(|n| {
            matches!(
                n.accesskit_node().role(),
                Role::Button
                    | Role::CheckBox
                    | Role::TextInput
                    | Role::PasswordInput
                    | Role::MultilineTextInput
                    | Role::Link
                    | Role::RadioButton
                    | Role::ComboBox
                    | Role::Slider
                    | Role::SpinButton
                    | Role::Tab
            )
        })
        .filter(|n| {
            n.accesskit_node()
                .label()
                .is_none_or(|l| l.trim().is_empty())
        })
        .map(|n| {
            let node = n.accesskit_node();
            format!(
                "{:?} at {:?} (value {:?})",
                node.role(),
                node.bounding_box(),
                node.value()
            )
        })
        .collect();
    assert!(
        unnamed.is_empty(),
        "unnamed controls on {:?}: {unnamed:?}",
        h.state().step()
    );
}

/// Every text painted in the last frame reads at WCAG 2.2 AA against the
/// fill behind it (see `tests/contrast`); fails naming the step and texts.
pub fn assert_readable(h: &Harness<'_, HybridApp>) {
    let window_fill = h.ctx.global_style().visuals.panel_fill;
    // A control shown for the first time is drawn once in egui's resting
    // style and at once again in its own (egui asks for the repaint): its
    // edge is judged once that frame is drawn (the walks of
    // tests/accessibility.rs judge every edge on settled screens).
    let settling = h.ctx.requested_repaint_last_pass();
    let failing: Vec<String> = contrast::pairs(h, window_fill)
        .into_iter()
        .filter(|p| !(settling && p.kind == contrast::Kind::Boundary))
        .filter(|p| !p.passes())
        .map(|p| p.describe())
        .collect();
    assert!(
        failing.is_empty(),
        "hard to read on {:?}: {failing:?}",
        h.state().step()
    );
}

pub fn click(h: &mut Harness<'_, HybridApp>, label: &str) {
    // As a person does: wait for what moves to stop (a section folding open
    // above the button moves it for a few frames).
    h.run_ok();
    assert_controls_named(h);
    assert_readable(h);
    // As a person does: scroll to it first (the page may be longer than the window).
    view::scroll_into_view(h, label);
    h.get_by_label(label).click();
    h.step();
    h.step();
}

pub fn fill(h: &mut Harness<'_, HybridApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
}

/// Replaces what a field holds with `text`.
pub fn replace(h: &mut Harness<'_, HybridApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(label).type_text(text);
    h.step();
}

/// The window against a real Director's shape at `url` (no Portal answers
/// there: a guided step that called one would fail), settings in `home`;
/// the admin password at hand (it then reads Director at once) or not.
pub fn real_director_window(
    runtime: &tokio::runtime::Handle,
    url: &str,
    home: &std::path::Path,
    settings: Settings,
    password_at_hand: bool,
) -> Harness<'static, HybridApp> {
    let mut config = app_config(url, SettingsStore::new(home), settings, false);
    config.portal_url = "http://127.0.0.1:9".into();
    if !password_at_hand {
        config.director_password = None;
    }
    window(runtime, ClientOptions::default(), config, [1100.0, 900.0])
}

/// A real Director's shape (web interface only, 120 users, some of them
/// fixable) and a fresh settings folder, for the window on its first step.
pub struct RealDirector {
    pub runtime: tokio::runtime::Runtime,
    pub director: hybrid_setup::sim::RunningSim,
    pub home: tempfile::TempDir,
}

impl RealDirector {
    pub fn start() -> RealDirector {
        Self::start_with_build(hybrid_setup::sim::DEFAULT_BUILD)
    }

    /// The same, showing `build` on Monitoring > Services.
    pub fn start_with_build(build: &str) -> RealDirector {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let mut config = hybrid_setup::sim::SimConfig::new(hybrid_setup::sim::data::generate(
            120,
            hybrid_setup::sim::data::Mix::Fixable,
            7,
        ));
        config.build = build.into();
        config.web_mode = hybrid_setup::sim::server::WebMode {
            only: true,
            csrf_in_cookie: false,
        };
        let director = runtime
            .block_on(hybrid_setup::sim::start(
                config,
                "127.0.0.1:0".parse().expect("addr"),
            ))
            .expect("sim");
        RealDirector {
            runtime,
            director,
            home: tempfile::tempdir().expect("home"),
        }
    }

    /// The window on Requirements, the admin password at hand (it checks at once).
    pub fn window(&self) -> Harness<'static, HybridApp> {
        real_director_window(
            self.runtime.handle(),
            &self.director.url(),
            self.home.path(),
            Settings::default(),
            true,
        )
    }

    pub fn stop(self) {
        self.runtime.block_on(self.director.stop());
    }
}

/// The simulator serving only what a real Director is known to serve.
pub async fn web_only_sim(
    users: Vec<hybrid_setup::contract::UserRecord>,
    csrf_in_cookie: bool,
) -> hybrid_setup::sim::RunningSim {
    let mut config = hybrid_setup::sim::SimConfig::new(users);
    config.web_mode = hybrid_setup::sim::server::WebMode {
        only: true,
        csrf_in_cookie,
    };
    hybrid_setup::sim::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sim")
}

/// A new hire added to the simulated Director: no email, and a display
/// name for a client username (no option makes that an address).
pub async fn add_new_hire(url: &str) {
    use hybrid_setup::contract::{SimControl, UserRecord};
    hybrid_setup::client::sim_admin::SimAdmin::new(url)
        .expect("admin")
        .control(&SimControl {
            add_user: Some(UserRecord {
                user_dn: "CN=New Hire".into(),
                first_name: "New".into(),
                last_name: "Hire".into(),
                client_username: "New Hire".into(),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .expect("user added");
}

/// Serves `app` on a free loopback port; returns its base URL.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

/// Runs the program's command line with `args`, the Director password in
/// its environment and settings in a throwaway folder, off the runtime.
pub async fn run_command(args: &[&str], password: &str) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_hybrid-setup"))
            .args(&args)
            .env("HYBRID_DIRECTOR_PASSWORD", &password)
            .env(
                "HYBRID_SETUP_HOME",
                tempfile::tempdir().expect("home").path(),
            )
            .output()
            .expect("runs")
    })
    .await
    .expect("join")
}
