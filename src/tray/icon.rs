//! The Hybrid icon as pixels for the notification area: the status panel's
//! shapes (a circle with a check, an octagon with a cross, a triangle with
//! "!", a square with "?") in the state's colour, drawn without a GPU or a
//! font so the icon needs no window.

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

/// Dark glyphs where white would be hard to read (amber, grey).
const INK: [u8; 3] = [0x1b, 0x1b, 0x1b];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];

type Point = (f32, f32);

/// The icon for `view`: its state's picture, with the corner mark of a
/// Director whose Hybrid alarm cannot be seen from here.
pub fn pixmap_for(view: &crate::domain::tray::TrayView, size: u32) -> Pixmap {
    draw(size, |p| {
        if view.alarm_hidden
            && let Some(mark) = alarm_hidden_mark_at(p)
        {
            return Some(mark);
        }
        colour_at(view.state, p)
    })
}

/// The icon for `state`, `size` pixels square.
pub fn pixmap(state: AlarmState, size: u32) -> Pixmap {
    draw(size, |p| colour_at(state, p))
}

/// The bottom-right corner mark "Hybrid alarm not visible from here": a
/// white disc in a dark ring, struck through, over the state's shape.
fn alarm_hidden_mark_at(p: Point) -> Option<[u8; 3]> {
    const CENTRE: Point = (0.6, 0.6);
    const RADIUS: f32 = 0.4;
    if !in_circle(p, CENTRE, RADIUS) {
        return None;
    }
    let ring = !in_circle(p, CENTRE, RADIUS - 0.11);
    let d = 0.2;
    let slash = on_polyline(
        p,
        &[(CENTRE.0 - d, CENTRE.1 + d), (CENTRE.0 + d, CENTRE.1 - d)],
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
    let stroke = 0.16;
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
                || in_circle(p, (0.0, 0.5 * R), 0.1);
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
            let mark = on_polyline(p, &hook, stroke * 0.9) || in_circle(p, (0.0, 0.48 * R), 0.1);
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

    fn pixel(pixmap: &Pixmap, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * pixmap.size + x) * 4) as usize;
        [
            pixmap.argb[i],
            pixmap.argb[i + 1],
            pixmap.argb[i + 2],
            pixmap.argb[i + 3],
        ]
    }

    #[test]
    fn each_state_has_its_colour_and_a_clear_corner() {
        for state in [
            AlarmState::Green,
            AlarmState::Red,
            AlarmState::Stale,
            AlarmState::Unknown,
        ] {
            let icon = pixmap(state, 32);
            assert_eq!(icon.argb.len(), 32 * 32 * 4);
            assert_eq!(
                pixel(&icon, 0, 0)[0],
                0,
                "{state:?}: the corner is transparent"
            );
            // Left of the middle, inside every shape and off every glyph.
            let [a, r, g, b] = pixel(&icon, 7, 18);
            assert_eq!(a, 255, "{state:?}");
            assert_eq!([r, g, b], state.icon_rgb(), "{state:?}");
        }
    }

    #[test]
    fn the_shapes_differ_so_the_state_reads_without_colour() {
        let alpha = |state| -> Vec<u8> { pixmap(state, 24).argb.chunks(4).map(|p| p[0]).collect() };
        let shapes = [
            alpha(AlarmState::Green),
            alpha(AlarmState::Red),
            alpha(AlarmState::Stale),
            alpha(AlarmState::Unknown),
        ];
        for (i, a) in shapes.iter().enumerate() {
            for b in &shapes[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn the_glyph_is_drawn_on_the_shape() {
        // The check's corner, the cross's middle, the "!" and the "?" stem.
        for (state, x, y, glyph) in [
            (AlarmState::Green, 13, 20, WHITE),
            (AlarmState::Red, 16, 16, WHITE),
            (AlarmState::Stale, 16, 14, INK),
            (AlarmState::Unknown, 16, 18, INK),
        ] {
            let [a, r, g, b] = pixel(&pixmap(state, 32), x, y);
            assert_eq!((a, [r, g, b]), (255, glyph), "{state:?}");
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
        // The mark's white, beside its stroke, in the bottom-right corner.
        assert_eq!(pixel(&marked, 27, 27), [255, 0xff, 0xff, 0xff]);
        assert_ne!(
            pixel(&pixmap(AlarmState::Green, 32), 27, 27),
            [255, 0xff, 0xff, 0xff]
        );
        // The rest of the shape is untouched.
        assert_eq!(
            pixel(&marked, 7, 18),
            pixel(&pixmap(AlarmState::Green, 32), 7, 18)
        );
    }
}
