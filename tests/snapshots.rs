//! What every screen looks like, kept like code: each screen of both
//! wizards, the status panels, the alerts and the Directors view, in the
//! dark and the light theme, and the guided wizard at 200 %, rendered with
//! wgpu (Mesa's software renderer in CI) and compared with its image under
//! `tests/snapshots/`. A change beyond egui_kittest's per-pixel threshold
//! fails and writes `NAME.new.png` and `NAME.diff.png` beside the image, so
//! a visual change is reviewed like a change of code;
//! `UPDATE_SNAPSHOTS=1 cargo test --test snapshots` takes the new images.
//!
//! What differs from run to run is covered with a flat box before the
//! comparison: addresses (the simulators listen on a new port each run),
//! clock times and ages, temporary paths, and a focused text field (its
//! cursor blinks).

mod support;

use std::sync::LazyLock;

use egui_kittest::kittest::NodeT;
use egui_kittest::{Harness, SnapshotOptions};
use hybrid_setup::ui::app::HybridApp;
use support::walks::{self, Look};

/// Texts that change between runs of the same walk.
static VARIES: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"127\.0\.0\.1|localhost:|\d+ (s|min|h|d) ago|\d{1,2}:\d{2}|/tmp/|\.tmp|in about \d+|\d{4}-\d{2}-\d{2}",
    )
    .expect("pattern")
});

/// A file name for `screen` in `folder`: "Status panel (red)" →
/// "dark/status-panel-red".
fn file_name(folder: &str, screen: &str) -> String {
    let mut name = String::new();
    for c in screen.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    format!("{folder}/{}", name.trim_matches('-'))
}

/// The window's picture with what varies between runs boxed out.
fn picture(h: &mut Harness<'static, HybridApp>) -> image::RgbaImage {
    h.run_ok();
    let scale = h.ctx.pixels_per_point();
    let varying: Vec<egui::Rect> = h
        .root()
        .children_recursive()
        .filter(|n| {
            let node = n.accesskit_node();
            let text = [node.label(), node.value()]
                .into_iter()
                .flatten()
                .any(|t| VARIES.is_match(&t));
            let typing = node.is_focused()
                && matches!(
                    node.role(),
                    egui::accesskit::Role::TextInput | egui::accesskit::Role::PasswordInput
                );
            text || typing
        })
        // A glyph can reach a point or two past its label's rectangle.
        .map(|n| n.rect().expand(2.0))
        .collect();
    let mut image = h.render().expect("render with wgpu");
    for rect in varying {
        let (x0, y0) = (
            (rect.min.x * scale).max(0.0) as u32,
            (rect.min.y * scale).max(0.0) as u32,
        );
        let (x1, y1) = (
            ((rect.max.x * scale).ceil() as u32).min(image.width()),
            ((rect.max.y * scale).ceil() as u32).min(image.height()),
        );
        for y in y0..y1 {
            for x in x0..x1 {
                image.put_pixel(x, y, image::Rgba([0x80, 0x40, 0x80, 0xff]));
            }
        }
    }
    image
}

#[test]
fn every_screen_looks_as_kept() {
    let options = SnapshotOptions::new();
    let mut failed = Vec::new();
    let mut taken = Vec::new();
    let mut walk = |folder: &str, look: Look, walks: &[fn(Look, walks::OnScreen<'_>)]| {
        for walk in walks {
            walk(look, &mut |h, screen| {
                let name = file_name(folder, screen);
                let image = picture(h);
                if let Err(e) = egui_kittest::try_image_snapshot_options(&image, &name, &options) {
                    failed.push(format!("{name}: {e}"));
                }
                taken.push(name);
            });
        }
    };
    let all: [fn(Look, walks::OnScreen<'_>); 3] =
        [walks::guided, walks::contract, walks::directors];
    walk("dark", Look::new(egui::Theme::Dark), &all);
    walk("light", Look::new(egui::Theme::Light), &all);
    let mut zoomed = Look::new(egui::Theme::Dark);
    zoomed.zoom = 2.0;
    walk("zoom200", zoomed, &[walks::guided]);
    let light = taken.iter().filter(|n| n.starts_with("light/")).count();
    assert!(
        taken.len() >= 40 && light >= 15,
        "{} screens kept ({light} light): a walk that saw little would pass",
        taken.len()
    );
    assert!(
        failed.is_empty(),
        "{} of {} screens look different (see NAME.new.png and NAME.diff.png in tests/snapshots/):\n{}",
        failed.len(),
        taken.len(),
        failed.join("\n")
    );
}
