//! What shows in the window: the texts painted in the last frame with the
//! rectangle they are clipped to, and scrolling a widget into view the ways
//! a person can (a screen reader's "scroll into view", then the wheel).

use egui::epaint::{Rect, Shape};
use egui_kittest::Harness;
use egui_kittest::kittest::NodeT;
use hybrid_setup::ui::app::HybridApp;

/// egui lays out in whole points; a text may reach this far past its clip.
pub const SLACK: f32 = 1.0;

/// A text painted this frame: what it says, where, and where it may show.
pub struct Painted {
    pub text: String,
    pub rect: Rect,
    pub clip: Rect,
    /// The middle of its first letter: a text wrapped after other widgets
    /// on a row starts to the right of its rectangle's left edge (its
    /// rectangle's centre can fall between two widgets).
    pub first_letter: egui::Pos2,
}

impl Painted {
    /// Part of it (or all) lies beyond what its panel or scroll area shows.
    pub fn cut(&self) -> bool {
        !self.clip.expand(SLACK).contains_rect(self.rect)
    }

    /// All of it shows; a text taller than the space it scrolls in is read
    /// by scrolling through it, so then only its width must fit.
    pub fn whole(&self) -> bool {
        if self.rect.height() > self.clip.height() {
            self.rect.x_range().min >= self.clip.x_range().min - SLACK
                && self.rect.x_range().max <= self.clip.x_range().max + SLACK
        } else {
            !self.cut()
        }
    }
}

pub fn painted(h: &Harness<'_, HybridApp>) -> Vec<Painted> {
    fn walk(shape: &Shape, clip: Rect, out: &mut Vec<Painted>) {
        match shape {
            Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, clip, out)),
            Shape::Text(text) if !text.galley.job.text.trim().is_empty() => {
                let rect = text.galley.rect.translate(text.pos.to_vec2());
                let first_letter = text
                    .galley
                    .rows
                    .iter()
                    .find_map(|placed| {
                        let glyph = placed.row.glyphs.first()?;
                        let middle = egui::vec2(
                            glyph.pos.x + glyph.advance_width / 2.0,
                            placed.row.size.y / 2.0,
                        );
                        Some(text.pos + placed.pos.to_vec2() + middle)
                    })
                    .unwrap_or(rect.center());
                out.push(Painted {
                    text: text.galley.job.text.clone(),
                    rect,
                    clip,
                    first_letter,
                });
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for clipped in &h.output().shapes {
        walk(&clipped.shape, clipped.clip_rect, &mut out);
    }
    out
}

/// Scrolls the widget labelled `label` into view: AccessKit's "scroll into
/// view" first, then the mouse wheel over the page while its text is cut
/// off or not painted at all (egui does not scroll to a link inside
/// wrapped text, nor to a plain label).
pub fn scroll_into_view(h: &mut Harness<'_, HybridApp>, label: &str) {
    scroll_into_view_where(
        h,
        |n| n.accesskit_node().label().as_deref() == Some(label),
        None,
    );
}

/// [`scroll_into_view`] for the first widget that `is_it`, until `text`
/// (or, without one, its own label) shows whole.
pub fn scroll_into_view_where(
    h: &mut Harness<'_, HybridApp>,
    is_it: impl Fn(&egui_kittest::Node<'_>) -> bool,
    text: Option<&str>,
) {
    let node = |h: &Harness<'_, HybridApp>| {
        h.root()
            .children_recursive()
            .find(|n| is_it(n) && n.accesskit_node().bounding_box().is_some())
            .map(|n| (n.rect(), n.accesskit_node().label().unwrap_or_default()))
    };
    let act = |h: &Harness<'_, HybridApp>, act: fn(&egui_kittest::Node<'_>)| {
        if let Some(node) = h.root().children_recursive().find(|n| is_it(n)) {
            act(&node);
        }
    };
    act(h, |n| n.scroll_to_me());
    // The scroll area moves a frame after it is asked; egui takes no click
    // while it moves.
    h.run_ok();
    let screen = h.ctx.content_rect();
    for _ in 0..60 {
        let Some((rect, label)) = node(h) else {
            return;
        };
        // Its own text: another widget's may be painted over it (a panel).
        let shown = painted(h).into_iter().find(|p| match text {
            Some(text) => p.text == text,
            None => {
                rect.expand(SLACK).contains(p.rect.center())
                    && (label.is_empty()
                        || label.contains(p.text.trim())
                        || p.text.contains(&label))
            }
        });
        let (whole, below, over) = match shown {
            Some(p) => (
                p.whole(),
                p.rect.center().y > p.clip.center().y,
                p.clip.center(),
            ),
            None => (false, rect.center().y > screen.center().y, screen.center()),
        };
        if whole {
            return;
        }
        // The wheel, over the page the text is on.
        h.event(egui::Event::PointerMoved(over));
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, if below { -60.0 } else { 60.0 }),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        });
        // The wheel scrolls smoothly: measure once it has come to rest.
        h.run_ok();
    }
}
