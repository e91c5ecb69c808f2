//! One primary action per screen, and it says what it does: on every
//! screen of both wizards at most one button has the accent fill, and on
//! the screens where the next step is a choice or a check, that button
//! names it.

mod support;

use std::collections::BTreeMap;

use egui::accesskit::Role;
use egui::epaint::Shape;
use egui_kittest::Harness;
use egui_kittest::kittest::NodeT;
use hybrid_setup::ui::app::HybridApp;
use support::walks::{self, Look};

/// The accent fill of a primary button in `theme` (ui::widgets).
fn accent(theme: egui::Theme) -> egui::Color32 {
    match theme {
        egui::Theme::Dark => egui::Color32::from_rgb(0x2a, 0x6f, 0xc0),
        egui::Theme::Light => egui::Color32::from_rgb(0x0b, 0x57, 0xb0),
    }
}

/// The buttons drawn with the accent fill in the last frame.
fn primaries(h: &Harness<'_, HybridApp>, theme: egui::Theme) -> Vec<String> {
    fn fills(shape: &Shape, out: &mut Vec<(egui::Rect, egui::Color32)>) {
        match shape {
            Shape::Vec(shapes) => shapes.iter().for_each(|s| fills(s, out)),
            Shape::Rect(rect) => out.push((rect.rect, rect.fill)),
            _ => {}
        }
    }
    let mut painted = Vec::new();
    for clipped in &h.output().shapes {
        fills(&clipped.shape, &mut painted);
    }
    h.root()
        .children_recursive()
        .filter(|n| n.accesskit_node().role() == Role::Button)
        .filter(|n| {
            let rect = n.rect().expand(1.0);
            painted
                .iter()
                .any(|(r, fill)| *fill == accent(theme) && rect.contains_rect(*r))
        })
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .collect()
}

#[test]
fn each_screen_has_one_primary_action_that_names_what_it_does() {
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for theme in [egui::Theme::Dark, egui::Theme::Light] {
        let look = Look::new(theme);
        let mut read = |h: &mut Harness<'static, HybridApp>, screen: &str| {
            h.run_ok();
            seen.insert(format!("{screen} ({theme:?})"), primaries(h, theme));
        };
        walks::guided(look, &mut read);
        walks::contract(look, &mut read);
    }
    let several: Vec<String> = seen
        .iter()
        .filter(|(_, buttons)| buttons.len() > 1)
        .map(|(screen, buttons)| format!("{screen}: {buttons:?}"))
        .collect();
    assert!(several.is_empty(), "more than one primary: {several:#?}");
    for (screen, wanted) in [
        ("Requirements", "Continue"),
        ("Requirements (already set up)", "Watch this Director"),
        ("Link Director", "Register…"),
        ("Register (guided)", "I have registered"),
        ("Username format", "Continue"),
        ("Save & first sync (guided)", "I clicked Save — verify"),
        ("Save & first sync (verified)", "Finish"),
        ("Link Director (demo)", "Register…"),
        ("Username format (demo)", "Save to Director"),
    ] {
        for theme in [egui::Theme::Dark, egui::Theme::Light] {
            let key = format!("{screen} ({theme:?})");
            assert_eq!(
                seen.get(&key).map(Vec::as_slice),
                Some([wanted.to_string()].as_slice()),
                "{key}"
            );
        }
    }
}
