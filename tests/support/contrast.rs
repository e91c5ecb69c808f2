//! The contrast of every text the window paints against the fill behind it
//! (WCAG 2.2: 4.5:1 for normal text, 3:1 for large text), read from the
//! shapes egui painted in the last frame. Text on a disabled control is left
//! out (WCAG exempts inactive components); where it is, is read from the
//! AccessKit tree.

use egui::epaint::{Color32, Rect, Shape};
use egui_kittest::Harness;
use egui_kittest::kittest::NodeT;

/// Text at least this tall (points) is "large" in WCAG's sense (18 pt ≈ 24 px).
const LARGE_TEXT: f32 = 24.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub text: String,
    pub color: Color32,
    pub background: Color32,
    pub ratio: f64,
    pub large: bool,
}

impl Pair {
    pub fn required(&self) -> f64 {
        if self.large { 3.0 } else { 4.5 }
    }

    pub fn passes(&self) -> bool {
        self.ratio + 1e-9 >= self.required()
    }
}

fn channel(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn luminance(c: Color32) -> f64 {
    0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
}

/// WCAG's contrast ratio of two opaque colours.
pub fn ratio(a: Color32, b: Color32) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// `top` (premultiplied, possibly translucent) painted over opaque `under`.
fn over(top: Color32, under: Color32) -> Color32 {
    let a = f32::from(top.a()) / 255.0;
    let mix = |t: u8, u: u8| {
        (f32::from(t) + f32::from(u) * (1.0 - a))
            .round()
            .clamp(0.0, 255.0) as u8
    };
    Color32::from_rgb(
        mix(top.r(), under.r()),
        mix(top.g(), under.g()),
        mix(top.b(), under.b()),
    )
}

fn flatten<'a>(shape: &'a Shape, out: &mut Vec<&'a Shape>) {
    match shape {
        Shape::Vec(shapes) => shapes.iter().for_each(|s| flatten(s, out)),
        other => out.push(other),
    }
}

/// Every text painted in the harness's last frame with its background.
pub fn pairs<State>(h: &Harness<'_, State>, window_fill: Color32) -> Vec<Pair> {
    let disabled: Vec<Rect> = h
        .root()
        .children_recursive()
        .filter(|n| n.accesskit_node().is_disabled())
        .filter_map(|n| n.accesskit_node().bounding_box())
        .map(|b| {
            Rect::from_min_max(
                egui::pos2(b.x0 as f32, b.y0 as f32),
                egui::pos2(b.x1 as f32, b.y1 as f32),
            )
        })
        .collect();
    let mut flat = Vec::new();
    for clipped in &h.output().shapes {
        flatten(&clipped.shape, &mut flat);
    }
    let mut fills: Vec<(Rect, Color32)> = Vec::new();
    let mut out = Vec::new();
    for shape in flat {
        match shape {
            Shape::Rect(rect) if rect.fill.a() > 0 => {
                let under = background_at(&fills, rect.rect.center(), window_fill);
                fills.push((rect.rect, over(rect.fill, under)));
            }
            Shape::Text(text) => {
                let area = text.galley.rect.translate(text.pos.to_vec2());
                if area.width() < 1.0 || disabled.iter().any(|d| d.contains(area.center())) {
                    continue;
                }
                let background = background_at(&fills, area.center(), window_fill);
                let job = &text.galley.job;
                for section in &job.sections {
                    let range = section.byte_range.start.0..section.byte_range.end.0;
                    let words = job.text.get(range).unwrap_or_default().trim();
                    if words.is_empty() {
                        continue;
                    }
                    let mut color = text.override_text_color.unwrap_or(section.format.color);
                    if color == Color32::PLACEHOLDER {
                        color = text.fallback_color;
                    }
                    let color = over(color.gamma_multiply(text.opacity_factor), background);
                    out.push(Pair {
                        text: words.chars().take(60).collect(),
                        color,
                        background,
                        ratio: ratio(color, background),
                        large: section.format.font_id.size >= LARGE_TEXT,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

fn background_at(fills: &[(Rect, Color32)], at: egui::Pos2, window_fill: Color32) -> Color32 {
    fills
        .iter()
        .rev()
        .find(|(rect, _)| rect.contains(at))
        .map_or(window_fill, |(_, color)| *color)
}

pub fn hex(c: Color32) -> String {
    format!("#{:02X}{:02X}{:02X}", c.r(), c.g(), c.b())
}
