//! The notification-area icon as pixels: the program's own mark (a blue
//! rounded square with the white sync ring of its window icon) with the
//! sync state as a badge in the bottom-right corner — the status panel's
//! shapes (a circle with a check, an octagon with a cross, a triangle with
//! "!", a square with "?") in the state's colour, with a dark edge so it
//! reads on light panels too — the way OneDrive and Dropbox badge theirs.
//! Drawn without a GPU or a font so the icon needs no window.

use crate::domain::alarm::AlarmState;

/// A square picture, one `[a, r, g, b]` per pixel, row by row (the order
/// the StatusNotifierItem protocol's IconPixmap uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pixmap {
    pub size: u32,
    pub argb: Vec<u8>,
}

/// Samples per pixel side: 4 × 4 gives smooth edges at 16–64 pixels.
const SUPERSAMPLE: u32 = 4;

/// Dark glyphs where white would be hard to read (amber, grey), and the
/// badge's edge.
const INK: [u8; 3] = [0x1b, 0x1b, 0x1b];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
/// The mark's blue (the window icon's).
pub const MARK_BLUE: [u8; 3] = [0x22, 0x5c, 0xa8];

type Point = (f32, f32);

/// The badge: its centre and radius in the icon's unit square [-1, 1].
const BADGE_CENTRE: Point = (0.45, 0.45);
const BADGE_RADIUS: f32 = 0.55;
/// The clear gap between the badge and the mark.
const GAP: f32 = 0.12;
/// The corner mark "Hybrid alarm not visible from here", top right.
const HIDDEN_CENTRE: Point = (0.58, -0.58);
const HIDDEN_RADIUS: f32 = 0.4;

/// The icon for `view`: the mark, its state's badge, and the corner mark of
/// a Director whose Hybrid alarm cannot be seen from here.
pub fn pixmap_for(view: &crate::domain::tray::TrayView, size: u32) -> Pixmap {
    draw(size, |p| {
        if let Some(badge) = badge_at(view.state, p) {
            return badge;
        }
        if view.alarm_hidden {
            if let Some(mark) = alarm_hidden_mark_at(p) {
                return Some(mark);
            }
            if in_circle(p, HIDDEN_CENTRE, HIDDEN_RADIUS + GAP) {
                return None;
            }
        }
        mark_at(p)
    })
}

/// The icon for `state`, `size` pixels square.
pub fn pixmap(state: AlarmState, size: u32) -> Pixmap {
    draw(size, |p| badge_at(state, p).unwrap_or_else(|| mark_at(p)))
}

/// The program's mark: a rounded blue square with a white ring broken on
/// both sides (the two turning arrows of the window icon).
fn mark_at(p: Point) -> Option<[u8; 3]> {
    const HALF: f32 = 0.94;
    const CORNER: f32 = 0.32;
    let (dx, dy) = (
        (p.0.abs() - (HALF - CORNER)).max(0.0),
        (p.1.abs() - (HALF - CORNER)).max(0.0),
    );
    if p.0.abs() > HALF || p.1.abs() > HALF || dx * dx + dy * dy > CORNER * CORNER {
        return None;
    }
    let centre = (-0.1, -0.1);
    let r = ((p.0 - centre.0).powi(2) + (p.1 - centre.1).powi(2)).sqrt();
    let on_ring = (r - 0.5).abs() <= 0.11;
    // The breaks: where the arrows turn, left and right of the ring.
    let in_break = (p.1 - centre.1).abs() < 0.12;
    let dot = in_circle(p, centre, 0.17);
    Some(if (on_ring && !in_break) || dot {
        WHITE
    } else {
        MARK_BLUE
    })
}

/// The state's badge, `Some(None)` in the clear gap around it, `None`
/// beyond it (the mark shows there).
fn badge_at(state: AlarmState, p: Point) -> Option<Option<[u8; 3]>> {
    let local = (
        (p.0 - BADGE_CENTRE.0) / BADGE_RADIUS,
        (p.1 - BADGE_CENTRE.1) / BADGE_RADIUS,
    );
    if let Some(colour) = colour_at(state, local) {
        // The edge: inside the shape, but not inside it drawn smaller.
        let shrunk = (local.0 / EDGE_SCALE, local.1 / EDGE_SCALE);
        let edge = colour_at(state, shrunk).is_none();
        return Some(Some(if edge { INK } else { colour }));
    }
    in_circle(p, BADGE_CENTRE, BADGE_RADIUS + GAP).then_some(None)
}

/// The badge's dark edge is what lies outside the shape drawn this much
/// smaller.
const EDGE_SCALE: f32 = 0.84;

/// The corner mark "Hybrid alarm not visible from here": a white disc in a
/// dark ring, struck through.
fn alarm_hidden_mark_at(p: Point) -> Option<[u8; 3]> {
    if !in_circle(p, HIDDEN_CENTRE, HIDDEN_RADIUS) {
        return None;
    }
    let ring = !in_circle(p, HIDDEN_CENTRE, HIDDEN_RADIUS - 0.11);
    let d = 0.2;
    let slash = on_polyline(
        p,
        &[
            (HIDDEN_CENTRE.0 - d, HIDDEN_CENTRE.1 + d),
            (HIDDEN_CENTRE.0 + d, HIDDEN_CENTRE.1 - d),
        ],
        0.12,
    );
    Some(if ring || slash { INK } else { WHITE })
}

fn draw(size: u32, colour_at: impl Fn(Point) -> Option<[u8; 3]>) -> Pixmap {
    let mut argb = Vec::with_capacity((size * size * 4) as usize);
    let samples = (SUPERSAMPLE * SUPERSAMPLE) as f32;
    for py in 0..size {
        for px in 0..size {
            let (mut covered, mut sum) = (0.0f32, [0.0f32; 3]);
            for sy in 0..SUPERSAMPLE {
                for sx in 0..SUPERSAMPLE {
                    // Unit square [-1, 1], y down, at the sample's centre.
                    let x = ((px * SUPERSAMPLE + sx) as f32 + 0.5) / (size * SUPERSAMPLE) as f32
                        * 2.0
                        - 1.0;
                    let y = ((py * SUPERSAMPLE + sy) as f32 + 0.5) / (size * SUPERSAMPLE) as f32
                        * 2.0
                        - 1.0;
                    if let Some(rgb) = colour_at((x, y)) {
                        covered += 1.0;
                        for (total, channel) in sum.iter_mut().zip(rgb) {
                            *total += f32::from(channel);
                        }
                    }
                }
            }
            let alpha = (covered / samples * 255.0).round() as u8;
            argb.push(alpha);
            for total in sum {
                argb.push(if covered > 0.0 {
                    (total / covered).round() as u8
                } else {
                    0
                });
            }
        }
    }
    Pixmap { size, argb }
}

/// The colour at `p`, or `None` outside the icon.
fn colour_at(state: AlarmState, p: Point) -> Option<[u8; 3]> {
    const R: f32 = 0.92;
    let fill = state.icon_rgb();
    // Bold: the badge is 8 pixels across on a 16-pixel panel.
    let stroke = 0.26;
    match state {
        AlarmState::Green => {
            if !in_circle(p, (0.0, 0.0), R) {
                return None;
            }
            let check = on_polyline(
                p,
                &[(-0.45 * R, 0.0), (-0.1 * R, 0.35 * R), (0.5 * R, -0.35 * R)],
                stroke,
            );
            Some(if check { WHITE } else { fill })
        }
        AlarmState::Red => {
            let octagon: Vec<Point> = (0..8)
                .map(|i| {
                    let a = std::f32::consts::TAU * (i as f32 + 0.5) / 8.0;
                    (a.cos() * R, a.sin() * R)
                })
                .collect();
            if !in_convex(p, &octagon) {
                return None;
            }
            let d = 0.38 * R;
            let cross = on_polyline(p, &[(-d, -d), (d, d)], stroke)
                || on_polyline(p, &[(-d, d), (d, -d)], stroke);
            Some(if cross { WHITE } else { fill })
        }
        AlarmState::Stale => {
            let triangle = [(0.0, -R), (0.95 * R, 0.75 * R), (-0.95 * R, 0.75 * R)];
            if !in_convex(p, &triangle) {
                return None;
            }
            let mark = on_polyline(p, &[(0.0, -0.4 * R), (0.0, 0.25 * R)], stroke)
                || in_circle(p, (0.0, 0.55 * R), 0.15);
            Some(if mark { INK } else { fill })
        }
        AlarmState::Unknown => {
            let half = 0.85 * R;
            if p.0.abs() > half || p.1.abs() > half {
                return None;
            }
            let hook = [
                (-0.28 * R, -0.28 * R),
                (-0.12 * R, -0.5 * R),
                (0.14 * R, -0.5 * R),
                (0.3 * R, -0.3 * R),
                (0.2 * R, -0.1 * R),
                (0.0, 0.05 * R),
                (0.0, 0.2 * R),
            ];
            let mark = on_polyline(p, &hook, stroke * 0.9) || in_circle(p, (0.0, 0.55 * R), 0.14);
            Some(if mark { INK } else { fill })
        }
    }
}

fn in_circle(p: Point, centre: Point, radius: f32) -> bool {
    (p.0 - centre.0).powi(2) + (p.1 - centre.1).powi(2) <= radius * radius
}

/// Inside a convex polygon whose corners go round one way.
fn in_convex(p: Point, corners: &[Point]) -> bool {
    let mut sign = 0.0f32;
    for (i, a) in corners.iter().enumerate() {
        let b = corners[(i + 1) % corners.len()];
        let cross = (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
        if cross != 0.0 {
            if sign != 0.0 && cross.signum() != sign {
                return false;
            }
            sign = cross.signum();
        }
    }
    true
}

/// Within `width / 2` of the line through `points`.
fn on_polyline(p: Point, points: &[Point], width: f32) -> bool {
    points
        .windows(2)
        .any(|pair| distance_to_segment(p, pair[0], pair[1]) <= width / 2.0)
}

fn distance_to_segment(p: Point, a: Point, b: Point) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = dx * dx + dy * dy;
    let t = if length == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length).clamp(0.0, 1.0)
    };
    let (cx, cy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATES: [AlarmState; 4] = [
        AlarmState::Green,
        AlarmState::Red,
        AlarmState::Stale,
        AlarmState::Unknown,
    ];

    fn pixel(pixmap: &Pixmap, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * pixmap.size + x) * 4) as usize;
        [
            pixmap.argb[i],
            pixmap.argb[i + 1],
            pixmap.argb[i + 2],
            pixmap.argb[i + 3],
        ]
    }

    /// The pixel at unit-square point `p` of a `size` icon.
    fn at(size: u32, p: Point) -> (u32, u32) {
        let f = |v: f32| ((v + 1.0) / 2.0 * size as f32) as u32;
        (f(p.0), f(p.1))
    }

    /// WCAG's contrast ratio of two sRGB colours.
    fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
        let l = |c: [u8; 3]| {
            let ch = |v: u8| {
                let v = f64::from(v) / 255.0;
                if v <= 0.04045 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
        };
        let (x, y) = (l(a), l(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn the_mark_with_the_states_badge_in_its_corner() {
        for state in STATES {
            let icon = pixmap(state, 32);
            assert_eq!(icon.argb.len(), 32 * 32 * 4);
            assert_eq!(pixel(&icon, 0, 0)[0], 0, "{state:?}: rounded corner");
            // The mark's blue, top left, the same in every state.
            let (x, y) = at(32, (-0.75, -0.75));
            assert_eq!(pixel(&icon, x, y), [255, 0x22, 0x5c, 0xa8], "{state:?}");
            // The badge's colour, in the bottom-right quarter only.
            let coloured: Vec<usize> = icon
                .argb
                .chunks(4)
                .enumerate()
                .filter(|(_, p)| p[0] == 255 && p[1..] == state.icon_rgb())
                .map(|(i, _)| i)
                .collect();
            assert!(coloured.len() >= 20, "{state:?}: {}", coloured.len());
            assert!(
                coloured.iter().all(|i| i % 32 >= 12 && i / 32 >= 12),
                "{state:?}: the badge sits bottom right"
            );
            // A clear gap between the badge and the mark.
            let (x, y) = at(
                32,
                (BADGE_CENTRE.0 - BADGE_RADIUS - GAP / 2.0, BADGE_CENTRE.1),
            );
            assert!(pixel(&icon, x, y)[0] < 128, "{state:?}: the gap");
        }
    }

    #[test]
    fn the_badges_differ_by_shape_so_the_state_reads_without_colour() {
        let alpha = |state| -> Vec<u8> { pixmap(state, 24).argb.chunks(4).map(|p| p[0]).collect() };
        let shapes: Vec<Vec<u8>> = STATES.into_iter().map(alpha).collect();
        for (i, a) in shapes.iter().enumerate() {
            for b in &shapes[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    /// At the panel sizes (16 and 22 pixels) each badge's glyph still
    /// covers whole pixels, and every colour pair that carries the state
    /// reads at 3:1: the glyph on the badge, and the badge (its fill or its
    /// dark edge) on a dark and on a light panel.
    #[test]
    fn each_badge_is_legible_at_16_and_22_pixels_at_3_to_1() {
        const DARK_PANEL: [u8; 3] = [0x2b, 0x2b, 0x2b];
        const LIGHT_PANEL: [u8; 3] = [0xf0, 0xf0, 0xf0];
        for state in STATES {
            let fill = state.icon_rgb();
            let glyph = if matches!(state, AlarmState::Green | AlarmState::Red) {
                WHITE
            } else {
                INK
            };
            assert!(
                contrast(glyph, fill) >= 3.0,
                "{state:?}: glyph {}",
                contrast(glyph, fill)
            );
            for panel in [DARK_PANEL, LIGHT_PANEL] {
                let best = contrast(fill, panel).max(contrast(INK, panel));
                assert!(best >= 3.0, "{state:?} on {panel:?}: {best}");
            }
            for size in [16, 22] {
                let icon = pixmap(state, size);
                // The badge's whole pixels (the mark has white of its own).
                let in_badge: Vec<&[u8]> = icon
                    .argb
                    .chunks(4)
                    .enumerate()
                    .filter(|(i, p)| {
                        let (x, y) = (*i as u32 % size, *i as u32 / size);
                        let unit = |v: u32| (v as f32 + 0.5) / size as f32 * 2.0 - 1.0;
                        p[0] == 255 && in_circle((unit(x), unit(y)), BADGE_CENTRE, BADGE_RADIUS)
                    })
                    .map(|(_, p)| p)
                    .collect();
                // A pixel reads as the glyph when it is nearer the glyph's
                // colour than the fill's (edges are blended).
                let distance = |p: &[u8], c: [u8; 3]| -> i32 {
                    p[1..]
                        .iter()
                        .zip(c)
                        .map(|(a, b)| (i32::from(*a) - i32::from(b)).abs())
                        .sum()
                };
                let solid_glyph = in_badge
                    .iter()
                    .filter(|p| distance(p, glyph) < distance(p, fill))
                    .count();
                let solid_fill = in_badge
                    .iter()
                    .filter(|p| {
                        distance(p, fill) < distance(p, glyph)
                            && distance(p, fill) < distance(p, INK)
                    })
                    .count();
                assert!(
                    solid_glyph >= 3,
                    "{state:?} at {size}: {solid_glyph} glyph pixels"
                );
                assert!(
                    solid_fill >= 6,
                    "{state:?} at {size}: {solid_fill} fill pixels"
                );
            }
        }
    }

    #[test]
    fn a_real_directors_icon_carries_the_corner_mark() {
        let mut view = crate::domain::tray::TrayView::of(&crate::domain::alarm::Status {
            state: AlarmState::Green,
            summary: "x".into(),
        });
        assert_eq!(pixmap_for(&view, 32), pixmap(AlarmState::Green, 32));
        view.alarm_hidden = true;
        let marked = pixmap_for(&view, 32);
        assert_ne!(marked, pixmap(AlarmState::Green, 32));
        // The mark's white disc, top right, beside its stroke.
        let (x, y) = at(32, (HIDDEN_CENTRE.0 - 0.15, HIDDEN_CENTRE.1 - 0.15));
        assert_eq!(pixel(&marked, x, y), [255, 0xff, 0xff, 0xff]);
        // The badge is untouched.
        let (x, y) = at(32, BADGE_CENTRE);
        assert_eq!(
            pixel(&marked, x, y),
            pixel(&pixmap(AlarmState::Green, 32), x, y)
        );
    }
}
