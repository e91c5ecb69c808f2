//! The desktop window: the provisioning wizard, one module per screen, and
//! the status panel it ends on.

mod alerts;
pub mod app;
pub mod backend;
mod confirmation;
mod credentials;
mod done;
mod first_sync;
mod link;
mod register;
mod requirements;
pub mod usernames;
pub mod widgets;

use std::process::ExitCode;
use std::sync::Arc;

use app::{AppConfig, HybridApp};
use backend::Backend;

use crate::net::ClientOptions;
use crate::secret::Secret;
use crate::secrets::KeyringStore;
use crate::settings::{DEMO_STATE_FILE, DirectorTarget, SettingsStore};
use crate::sim::{self, SimConfig};

pub const APP_NAME: &str = "Connect HYBRID Setup";
/// Where a real Decision Maker signs in (from the knowledge-base article).
pub const DEFAULT_PORTAL_URL: &str = "https://portal.shoretelsky.com";

static ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");

/// Opens the window, against `director` or the built-in simulator.
pub fn run(director: Option<String>, portal: Option<String>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start background tasks: {e}");
            return ExitCode::from(2);
        }
    };
    let store = SettingsStore::default_location();
    let (mut settings, notice) = store.load().settings();
    if let Some(url) = director {
        settings.director = DirectorTarget::Url(url);
    }
    // The embedded simulator serves while the window is open.
    let mut embedded = None;
    let (director_url, portal_url, demo_password) = match &settings.director {
        DirectorTarget::Url(url) => (
            url.clone(),
            portal.unwrap_or_else(|| {
                non_empty(&settings.portal_url)
                    .unwrap_or(DEFAULT_PORTAL_URL)
                    .to_string()
            }),
            None,
        ),
        DirectorTarget::Demo => {
            let mut config = SimConfig::demo();
            config.state_file = Some(store.dir().join(DEMO_STATE_FILE));
            match runtime.block_on(sim::start(config, ([127, 0, 0, 1], 0).into())) {
                Ok(running) => {
                    let url = running.url();
                    embedded = Some(running);
                    (
                        url.clone(),
                        url,
                        Some(Secret::new(sim::world::DEMO_ADMIN_PASSWORD)),
                    )
                }
                Err(e) => {
                    eprintln!("error: cannot start the built-in simulator: {e}");
                    return ExitCode::from(2);
                }
            }
        }
    };
    let backend = match Backend::new(
        runtime.handle().clone(),
        &director_url,
        &portal_url,
        Arc::new(KeyringStore::default()),
        ClientOptions {
            pinned_certificate: settings.trusted_certificates.get(&director_url),
            ..ClientOptions::default()
        },
    ) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let config = AppConfig {
        demo: settings.director == DirectorTarget::Demo,
        store,
        settings,
        notice,
        director_url,
        portal_url,
        director_password: demo_password,
        open_links: true,
        notifications: true,
        monitor: crate::monitor::MonitorConfig::default(),
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(APP_NAME)
        .with_app_id("hybrid-setup")
        .with_inner_size([1040.0, 720.0])
        .with_min_inner_size([820.0, 560.0]);
    if let Some(icon) = icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    let app = HybridApp::new(backend, config);
    let result = eframe::run_native(
        APP_NAME,
        options,
        Box::new(move |_cc| Ok(Box::new(Window { app }))),
    );
    if let Some(running) = embedded {
        // Stopping writes the demo world once more.
        runtime.block_on(running.stop());
    }
    drop(runtime);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot open the window: {e}");
            ExitCode::from(2)
        }
    }
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}

/// The window icon, decoded from the PNG in `assets/`.
pub fn icon() -> Option<egui::IconData> {
    icon_for(None)
}

/// The window icon with a badge in the state's colour (none for `None`), so
/// the taskbar shows the sync state too.
pub fn icon_for(state: Option<crate::domain::alarm::AlarmState>) -> Option<egui::IconData> {
    let mut image = image::load_from_memory_with_format(ICON_PNG, image::ImageFormat::Png)
        .ok()?
        .into_rgba8();
    let (width, height) = image.dimensions();
    if let Some(state) = state {
        let color = widgets::state_color(state);
        let radius = width as f32 * 0.24;
        let (cx, cy) = (width as f32 - radius - 2.0, height as f32 - radius - 2.0);
        for (x, y, pixel) in image.enumerate_pixels_mut() {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            if d <= radius {
                *pixel = image::Rgba([color.r(), color.g(), color.b(), 255]);
            } else if d <= radius + 6.0 {
                *pixel = image::Rgba([255, 255, 255, 255]);
            }
        }
    }
    Some(egui::IconData {
        rgba: image.into_raw(),
        width,
        height,
    })
}

struct Window {
    app: HybridApp,
}

impl eframe::App for Window {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.app.ui(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.app.flush();
    }
}
