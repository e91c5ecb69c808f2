//! The window's icon for the taskbar, with the sync state as a badge: the
//! app sets it as the state changes, the window opens with the plain one.

use crate::domain::alarm::AlarmState;

static ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");

/// The window icon with a badge in the state's colour (none for `None`), so
/// the taskbar shows the sync state too.
pub fn icon_for(state: Option<AlarmState>) -> Option<egui::IconData> {
    let mut image = image::load_from_memory_with_format(ICON_PNG, image::ImageFormat::Png)
        .ok()?
        .into_rgba8();
    let (width, height) = image.dimensions();
    if let Some(state) = state {
        let color = super::widgets::state_color(state);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_badge_changes_the_icon() {
        let plain = icon_for(None).expect("icon");
        let red = icon_for(Some(AlarmState::Red)).expect("icon");
        assert_eq!((plain.width, plain.height), (red.width, red.height));
        assert_ne!(plain.rgba, red.rgba);
    }
}
