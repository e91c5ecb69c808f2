//! The contrast of every text the window paints against the fill behind it
//! (WCAG 2.2: 4.5:1 for normal text, 3:1 for large text and icons), read from the
//! shapes egui painted in the last frame. Text on a disabled control is left
//! out (WCAG exempts inactive components); where it is, is read from the
//! AccessKit tree.

use egui::accesskit::Role;
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
    pub kind: Kind,
}

/// What WCAG asks of a pair depends on what is painted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    LargeText,
    /// A shape of an icon (WCAG's non-text contrast).
    Graphic,
    /// The edge of a control (a text field's frame, a check box, a
    /// button's fill or border) against what is around it (WCAG 2.2 SC
    /// 1.4.11, 3:1).
    Boundary,
}

impl Pair {
    pub fn required(&self) -> f64 {
        match self.kind {
            Kind::Text => 4.5,
            Kind::LargeText | Kind::Graphic | Kind::Boundary => 3.0,
        }
    }

    pub fn passes(&self) -> bool {
        self.ratio + 1e-9 >= self.required()
    }

    /// "\"text\" #RRGGBB on #RRGGBB = 2.38:1", for a failure message.
    pub fn describe(&self) -> String {
        format!(
            "\"{}\" {} on {} = {:.2}:1",
            self.text,
            hex(self.color),
            hex(self.background),
            self.ratio
        )
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

/// The shapes that show, each with its clip rectangle: one scrolled out of
/// sight (behind a panel, past a scroll area's edge) is left out.
fn flatten<'a>(shape: &'a Shape, clip: Rect, out: &mut Vec<(&'a Shape, Rect)>) {
    match shape {
        Shape::Vec(shapes) => shapes.iter().for_each(|s| flatten(s, clip, out)),
        other if clip.contains(other.visual_bounding_rect().center()) => out.push((other, clip)),
        _ => {}
    }
}

/// Every text painted in the harness's last frame with its background, and
/// every shape of every icon (an image in the AccessKit tree, or a button
/// drawn without words, like the Hybrid icon) against what is behind it.
pub fn pairs<State>(h: &Harness<'_, State>, window_fill: Color32) -> Vec<Pair> {
    let nodes: Vec<_> = h.root().children_recursive().collect();
    let disabled: Vec<Rect> = nodes
        .iter()
        .filter(|n| n.accesskit_node().is_disabled())
        .map(|n| n.rect())
        .collect();
    let mut flat = Vec::new();
    for clipped in &h.output().shapes {
        flatten(&clipped.shape, clipped.clip_rect, &mut flat);
    }
    // Where words are painted: a button with words is not an icon.
    let words: Vec<Rect> = flat
        .iter()
        .filter_map(|(shape, _)| match shape {
            Shape::Text(text) if text.galley.job.text.trim().chars().count() > 1 => {
                Some(text.galley.rect.translate(text.pos.to_vec2()))
            }
            _ => None,
        })
        .collect();
    let icons: Vec<(Rect, String)> = nodes
        .iter()
        .filter(|n| match n.accesskit_node().role() {
            Role::Image => true,
            // A button is an icon when it is drawn, and drawn without words.
            Role::Button => {
                let rect = n.rect();
                !words.iter().any(|w| rect.contains(w.center()))
                    && flat.iter().any(|(shape, _)| {
                        matches!(
                            shape,
                            Shape::Circle(_)
                                | Shape::Path(_)
                                | Shape::LineSegment { .. }
                                | Shape::Text(_)
                        ) && rect.expand(1.0).contains_rect(shape.visual_bounding_rect())
                    })
            }
            _ => false,
        })
        .map(|n| (n.rect(), n.accesskit_node().label().unwrap_or_default()))
        .collect();
    // The icon a shape is part of: it lies within the icon's rectangle.
    let icon_at = |area: Rect| {
        icons
            .iter()
            .find(|(rect, _)| rect.expand(1.0).contains_rect(area))
            .map(|(_, name)| name.clone())
    };
    // Controls whose edge must show: the first frame painted within each
    // is its edge (a check box's box, a field's or a button's frame).
    let mut controls: Vec<(Rect, String, bool)> = nodes
        .iter()
        .filter(|n| !n.accesskit_node().is_disabled())
        .filter_map(|n| {
            let kind = match n.accesskit_node().role() {
                Role::TextInput
                | Role::MultilineTextInput
                | Role::PasswordInput
                | Role::SearchInput => "field",
                Role::CheckBox => "check box",
                Role::RadioButton => "radio button",
                Role::ComboBox => "drop-down",
                Role::Button => "button",
                _ => return None,
            };
            let name = n.accesskit_node().label().unwrap_or_default();
            Some((n.rect(), format!("edge of {kind} \"{name}\""), false))
        })
        .collect();
    let mut fills: Vec<(Rect, Color32)> = Vec::new();
    let mut out = Vec::new();
    let graphic = |out: &mut Vec<Pair>,
                   fills: &[(Rect, Color32)],
                   name: String,
                   color: Color32,
                   at: egui::Pos2| {
        let background = background_at(fills, at, window_fill);
        let color = over(color, background);
        out.push(Pair {
            text: format!("icon \"{name}\""),
            color,
            background,
            ratio: ratio(color, background),
            kind: Kind::Graphic,
        });
    };
    for (shape, clip) in flat {
        match shape {
            Shape::Rect(rect) if rect.fill.a() > 0 || rect.stroke.width > 0.0 => {
                if let Some(edge) = boundary(&mut controls, &fills, rect, window_fill) {
                    out.push(edge);
                }
                if rect.fill.a() == 0 {
                    continue;
                }
                let at = rect.rect.center();
                if let Some(name) = icon_at(rect.rect) {
                    graphic(&mut out, &fills, name, rect.fill, at);
                }
                let under = background_at(&fills, at, window_fill);
                fills.push((rect.rect, over(rect.fill, under)));
            }
            Shape::Circle(circle) => {
                let Some(name) = icon_at(circle.visual_bounding_rect()) else {
                    continue;
                };
                if circle.fill.a() > 0 {
                    graphic(&mut out, &fills, name.clone(), circle.fill, circle.center);
                    let under = background_at(&fills, circle.center, window_fill);
                    let area = Rect::from_center_size(
                        circle.center,
                        egui::Vec2::splat(circle.radius * 2.0),
                    );
                    fills.push((area, over(circle.fill, under)));
                }
                if circle.stroke.width > 0.0 && circle.stroke.color.a() > 0 {
                    graphic(&mut out, &fills, name, circle.stroke.color, circle.center);
                }
            }
            Shape::Path(path) => {
                let area = Rect::from_points(&path.points);
                let Some(name) = icon_at(area) else {
                    continue;
                };
                if path.fill.a() > 0 {
                    graphic(&mut out, &fills, name.clone(), path.fill, area.center());
                    let under = background_at(&fills, area.center(), window_fill);
                    fills.push((area, over(path.fill, under)));
                }
                if let egui::epaint::ColorMode::Solid(color) = path.stroke.color
                    && path.stroke.width > 0.0
                    && color.a() > 0
                {
                    graphic(&mut out, &fills, name, color, area.center());
                }
            }
            Shape::LineSegment { points, stroke } => {
                let at = points[0].lerp(points[1], 0.5);
                if let Some(name) = icon_at(Rect::from_two_pos(points[0], points[1]))
                    && stroke.width > 0.0
                {
                    graphic(&mut out, &fills, name, stroke.color, at);
                }
            }
            Shape::Text(text) => {
                let area = text.galley.rect.translate(text.pos.to_vec2());
                if area.width() < 1.0 || disabled.iter().any(|d| d.contains(area.center())) {
                    continue;
                }
                let job = &text.galley.job;
                for (index, section) in job.sections.iter().enumerate() {
                    let range = section.byte_range.start.0..section.byte_range.end.0;
                    let words = job.text.get(range).unwrap_or_default().trim();
                    if words.is_empty() {
                        continue;
                    }
                    // Behind the section's first letter: a wrapped text's
                    // rectangle can reach over its neighbours.
                    let at = first_letter(text, index).unwrap_or(area.center());
                    if !clip.contains(at) {
                        continue; // scrolled out of sight
                    }
                    let background = background_at(&fills, at, window_fill);
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
                        kind: if section.format.font_id.size >= LARGE_TEXT {
                            Kind::LargeText
                        } else {
                            Kind::Text
                        },
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// The edge of the control `rect` frames, if it is the first frame painted
/// within a control: the better of its fill and its border against what is
/// just outside it.
fn boundary(
    controls: &mut [(Rect, String, bool)],
    fills: &[(Rect, Color32)],
    rect: &egui::epaint::RectShape,
    window_fill: Color32,
) -> Option<Pair> {
    let frame = rect.rect;
    if frame.width() < 8.0 || frame.height() < 8.0 {
        return None;
    }
    let (_, name, measured) = controls
        .iter_mut()
        .find(|(area, _, measured)| !measured && area.expand(1.0).contains_rect(frame))?;
    *measured = true;
    let outside = background_at(
        fills,
        egui::pos2(frame.left() - 3.0, frame.center().y),
        window_fill,
    );
    let fill = over(rect.fill, outside);
    let mut best = (ratio(fill, outside), fill);
    if rect.stroke.width >= 1.0 && rect.stroke.color.a() > 0 {
        let stroke = over(rect.stroke.color, outside);
        if ratio(stroke, outside) > best.0 {
            best = (ratio(stroke, outside), stroke);
        }
    }
    Some(Pair {
        text: name.clone(),
        color: best.1,
        background: outside,
        ratio: best.0,
        kind: Kind::Boundary,
    })
}

/// The middle of the first letter of section `index` of `text` (a wrapped
/// text's rectangle can reach over its neighbours, and its first row can be
/// empty).
fn first_letter(text: &egui::epaint::TextShape, index: usize) -> Option<egui::Pos2> {
    let job = &text.galley.job;
    let start = job.sections.get(index)?.byte_range.start.0;
    let before = job.text.get(..start)?;
    let blank = job
        .text
        .get(start..)?
        .chars()
        .take_while(|c| c.is_whitespace())
        .count();
    let wanted = before.chars().count() + blank;
    let mut at = 0;
    for placed in &text.galley.rows {
        for glyph in &placed.row.glyphs {
            if at == wanted {
                let middle = egui::vec2(
                    glyph.pos.x + glyph.advance_width / 2.0,
                    placed.row.size.y / 2.0,
                );
                return Some(text.pos + placed.pos.to_vec2() + middle);
            }
            at += 1;
        }
        if placed.ends_with_newline {
            at += 1;
        }
    }
    None
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
