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

/// What was looked at and what was left out, and why: a skip is a
/// decision the test shows, not a hole it hides.
#[derive(Default, Debug)]
struct Tally {
    /// Texts cut at an edge, each scrolled to.
    cut: usize,
    /// Widgets with a text wholly outside what shows (never painted there),
    /// each scrolled to.
    hidden: usize,
    /// The same text again on the screen: examined once.
    repeated: usize,
    /// Text inside a text box, which scrolls inside the box.
    in_text_box: usize,
    /// Labelled widgets that show no text of their label (an icon, a mark
    /// read out by name) while in view.
    no_text: usize,
    /// Widgets no longer in the tree once scrolled to (redrawn under
    /// another id).
    gone: usize,
}

/// Roles whose accessible name is the text they paint.
fn paints_its_label(role: egui::accesskit::Role) -> bool {
    use egui::accesskit::Role;
    matches!(
        role,
        Role::Label | Role::Button | Role::CheckBox | Role::RadioButton | Role::Link
    )
}

/// Scrolls to the widget `id` as a person would, until `text` shows whole
/// (as far as scrolling can); the widget's place and its painted texts then.
fn scrolled_to(
    h: &mut Harness<'static, HybridApp>,
    id: &str,
    text: &str,
) -> Option<(Rect, Vec<Painted>)> {
    // By id and name: an id may pass to another widget once this one is gone.
    let is_it = |n: &egui_kittest::Node<'_>| {
        format!("{:?}", n.accesskit_node().id()) == id
            && (n.accesskit_node().label().as_deref()).is_none_or(|l| l.trim() == text)
    };
    view::scroll_into_view_where(h, is_it, Some(text));
    let node_rect = h
        .root()
        .children_recursive()
        .find(|n| is_it(n))
        .and_then(|n| rect_of(&n))?;
    let inside = painted(h)
        .into_iter()
        .filter(|p| node_rect.expand(SLACK).contains(p.rect.center()))
        .collect();
    Some((node_rect, inside))
}

/// Every text on this screen that scrolling into view does not bring in
/// whole: texts cut at an edge, and widgets the AccessKit tree has whose
/// text lies wholly outside what shows (egui does not paint those at all).
fn cut_off(
    h: &mut Harness<'static, HybridApp>,
    screen: &str,
    zoom: f32,
    tally: &mut Tally,
    out: &mut Vec<String>,
) {
    h.run_ok();
    let cut: Vec<Painted> = painted(h).into_iter().filter(Painted::cut).collect();
    let mut seen = std::collections::HashSet::new();
    for text in cut {
        if !seen.insert(text.text.clone()) {
            tally.repeated += 1;
            continue;
        }
        // Where it is now: scrolling to an earlier one moved the page (and
        // may have brought this one in whole).
        let now = painted(h).into_iter().find(|p| p.text == text.text);
        let Some(now) = now.filter(Painted::cut) else {
            tally.cut += 1;
            continue;
        };
        // Text in a text box scrolls inside the box, as in every program.
        if in_text_box(h, now.rect.center()) {
            tally.in_text_box += 1;
            continue;
        }
        tally.cut += 1;
        let Some(id) = node_at(h, now.rect.center()).or_else(|| node_at(h, now.first_letter))
        else {
            out.push(format!(
                "{zoom}x {screen}: \"{}\" is outside every widget",
                text.text
            ));
            continue;
        };
        check_whole(h, &id, &text.text, screen, zoom, tally, out);
    }
    // Widgets whose text is not painted at all: wholly outside what shows
    // (the window's edge, a scroll area's, a panel's).
    let painted_now = painted(h);
    let hidden: Vec<(String, String, bool)> = h
        .root()
        .children_recursive()
        .filter(|n| paints_its_label(n.accesskit_node().role()))
        .filter_map(|n| {
            let label = n.accesskit_node().label()?.trim().to_string();
            let rect = rect_of(&n)?;
            (!label.is_empty() && !painted_now.iter().any(|p| p.text == label)).then(|| {
                // Painted in parts (a name read out as one sentence), or
                // not at all.
                let in_view = painted_now
                    .iter()
                    .any(|p| rect.expand(SLACK).contains(p.rect.center()) && !p.cut());
                (format!("{:?}", n.accesskit_node().id()), label, in_view)
            })
        })
        .collect();
    for (id, label, in_view) in hidden {
        if in_view {
            tally.no_text += 1;
            continue;
        }
        if !seen.insert(label.clone()) {
            tally.repeated += 1;
            continue;
        }
        tally.hidden += 1;
        check_whole(h, &id, &label, screen, zoom, tally, out);
    }
}

/// Something of the widget's own is drawn on `rect` (not a panel's fill
/// behind it), and its clip holds all of `rect`.
fn drawn_whole(h: &Harness<'static, HybridApp>, rect: Rect) -> bool {
    fn own(shape: &egui::Shape, rect: Rect) -> bool {
        match shape {
            egui::Shape::Vec(shapes) => shapes.iter().any(|s| own(s, rect)),
            shape => {
                let drawn = shape.visual_bounding_rect();
                drawn.intersects(rect) && drawn.area() <= 4.0 * rect.area()
            }
        }
    }
    h.output().shapes.iter().any(|clipped| {
        clipped.clip_rect.expand(SLACK).contains_rect(rect) && own(&clipped.shape, rect)
    })
}

/// Scrolls to widget `id` and records a failure unless its text then shows
/// whole: `text` itself where it is painted as one, else every text painted
/// in the widget (a name read out as one sentence may be painted in parts).
fn check_whole(
    h: &mut Harness<'static, HybridApp>,
    id: &str,
    text: &str,
    screen: &str,
    zoom: f32,
    tally: &mut Tally,
    out: &mut Vec<String>,
) {
    let short = text.chars().take(50).collect::<String>();
    match scrolled_to(h, id, text) {
        None => tally.gone += 1,
        Some((rect, inside)) => {
            let own: Vec<&Painted> = inside.iter().filter(|p| p.text == text).collect();
            let judged: Vec<&Painted> = if own.is_empty() {
                inside.iter().collect()
            } else {
                own
            };
            // A mark read out by name (an icon) paints shapes, no text: it
            // shows when something is drawn on it, unclipped.
            if judged.is_empty() && !drawn_whole(h, rect) {
                out.push(format!(
                    "{zoom}x {screen}: \"{short}\" at {rect:?} does not show even when scrolled to"
                ));
            }
            for part in judged.into_iter().filter(|p| !p.whole()) {
                out.push(format!(
                    "{zoom}x {screen}: \"{short}\" ({:?}) at {:?} is cut by {:?} even when scrolled to",
                    part.text.chars().take(30).collect::<String>(),
                    part.rect,
                    part.clip
                ));
            }
        }
    }
    h.run_ok();
}

#[test]
fn nothing_is_cut_off_at_150_and_200_percent() {
    let mut failures = Vec::new();
    let mut tally = Tally::default();
    for zoom in [1.5, 2.0] {
        let look = Look {
            size: MIN_WINDOW,
            zoom,
            ..Look::new(egui::Theme::Dark)
        };
        walks::guided(look, &mut |h, screen| {
            cut_off(h, screen, zoom, &mut tally, &mut failures)
        });
        walks::contract(look, &mut |h, screen| {
            cut_off(h, screen, zoom, &mut tally, &mut failures)
        });
        walks::directors(look, &mut |h, screen| {
            cut_off(h, screen, zoom, &mut tally, &mut failures)
        });
    }
    eprintln!("{tally:?}");
    // The walk reached texts beyond the window's edge, and off the page.
    assert!(tally.cut > 0 && tally.hidden > 0, "{tally:?}");
    assert!(
        failures.is_empty(),
        "{} texts cut off:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
