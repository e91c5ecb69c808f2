//! Zoomed in: at 150% and 200% in the smallest window (820×560 pixels) no
//! text is cut off on any screen — where a page is longer or wider than the
//! window, it scrolls, and scrolling to a text shows all of it.
//!
//! A text is cut where egui paints it beyond its clip rectangle (a panel's
//! edge, a scroll area's viewport, the window's). Each such text is scrolled
//! into view as a person would (a screen reader's "scroll into view", the
//! mouse wheel) and must then be whole.

mod support;

use egui::epaint::Rect;
use egui_kittest::Harness;
use egui_kittest::kittest::NodeT;
use hybrid_setup::ui::app::HybridApp;
use support::view::{self, Painted, SLACK, painted};
use support::walks::{self, Look};

/// The smallest window the program allows (`ui::window`).
const MIN_WINDOW: [f32; 2] = [820.0, 560.0];

/// The innermost node of the AccessKit tree around `at` (the widget a text
/// belongs to), by its id.
fn node_at(h: &Harness<'_, HybridApp>, at: egui::Pos2) -> Option<String> {
    h.root()
        .children_recursive()
        .filter_map(|n| rect_of(&n).map(|rect| (rect, n)))
        .filter(|(rect, _)| rect.contains(at))
        .min_by(|a, b| a.0.area().total_cmp(&b.0.area()))
        .map(|(_, n)| format!("{:?}", n.accesskit_node().id()))
}

/// `at` lies in a text box.
fn in_text_box(h: &Harness<'_, HybridApp>, at: egui::Pos2) -> bool {
    use egui::accesskit::Role;
    h.root().children_recursive().any(|n| {
        matches!(
            n.accesskit_node().role(),
            Role::TextInput | Role::MultilineTextInput | Role::PasswordInput
        ) && rect_of(&n).is_some_and(|r| r.contains(at))
    })
}

/// A node's place in points (not every node has one).
fn rect_of(node: &egui_kittest::Node<'_>) -> Option<Rect> {
    node.accesskit_node().bounding_box().map(|_| node.rect())
}

/// Every text cut off on this screen that scrolling into view does not
/// bring in whole.
fn cut_off(h: &mut Harness<'static, HybridApp>, screen: &str, zoom: f32, out: &mut Vec<String>) {
    h.run_ok();
    let cut: Vec<Painted> = painted(h).into_iter().filter(Painted::cut).collect();
    let mut seen = std::collections::HashSet::new();
    for text in cut {
        if !seen.insert(text.text.clone()) {
            continue;
        }
        // Where it is now: scrolling to an earlier one moved the page.
        let Some(now) = painted(h).into_iter().find(|p| p.text == text.text) else {
            continue;
        };
        if !now.cut() {
            continue;
        }
        // Text in a text box scrolls inside the box, as in every program.
        if in_text_box(h, now.rect.center()) {
            continue;
        }
        let Some(id) = node_at(h, now.rect.center()) else {
            out.push(format!(
                "{zoom}x {screen}: \"{}\" is outside every widget",
                text.text
            ));
            continue;
        };
        view::scroll_into_view_where(
            h,
            |n| format!("{:?}", n.accesskit_node().id()) == id,
            Some(&text.text),
        );
        let Some(node_rect) = h
            .root()
            .children_recursive()
            .find(|n| format!("{:?}", n.accesskit_node().id()) == id)
            .and_then(|n| rect_of(&n))
        else {
            continue;
        };
        let after = painted(h)
            .into_iter()
            .find(|p| p.text == text.text && node_rect.expand(SLACK).contains(p.rect.center()));
        let Some(after) = after else {
            continue;
        };
        let whole = after.whole();
        if !whole {
            out.push(format!(
                "{zoom}x {screen}: \"{}\" at {:?} is cut by {:?} even when scrolled to",
                text.text.chars().take(50).collect::<String>(),
                after.rect,
                after.clip
            ));
        }
        h.run_ok();
    }
}

#[test]
fn nothing_is_cut_off_at_150_and_200_percent() {
    let mut failures = Vec::new();
    for zoom in [1.5, 2.0] {
        let look = Look {
            size: MIN_WINDOW,
            zoom,
            ..Look::new(egui::Theme::Dark)
        };
        walks::guided(look, &mut |h, screen| {
            cut_off(h, screen, zoom, &mut failures)
        });
        walks::contract(look, &mut |h, screen| {
            cut_off(h, screen, zoom, &mut failures)
        });
        walks::directors(look, &mut |h, screen| {
            cut_off(h, screen, zoom, &mut failures)
        });
    }
    assert!(
        failures.is_empty(),
        "{} texts cut off:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
