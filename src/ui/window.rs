//! The native window around the app: its size, its icon and eframe's run
//! loop.

use super::APP_NAME;
use super::app::HybridApp;
use super::taskbar_icon::icon_for;

/// Opens the window with `app` and returns when it is closed.
pub fn show(app: HybridApp) -> Result<(), eframe::Error> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(APP_NAME)
        .with_app_id("hybrid-setup")
        .with_inner_size([1040.0, 720.0])
        .with_min_inner_size([820.0, 560.0]);
    if let Some(icon) = icon_for(None) {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(APP_NAME, options, Box::new(move |_cc| Ok(Box::new(app))))
}
