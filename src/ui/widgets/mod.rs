//! Small widgets shared by the screens.

use egui::{Color32, RichText, Sense, Stroke, Ui, Vec2};

use crate::client::http::ApiError;
use crate::domain::alarm::AlarmState;
use crate::domain::requirements::{Check, CheckStatus};

/// The alarm colours of the taskbar badge and of the Hybrid icon on the
/// dark theme (the light theme's are in [`icon_colors`]).
pub const GREEN: Color32 = rgb(AlarmState::Green);
pub const RED: Color32 = rgb(AlarmState::Red);
pub const AMBER: Color32 = rgb(AlarmState::Stale);
pub const GREY: Color32 = rgb(AlarmState::Unknown);

const fn rgb(state: AlarmState) -> Color32 {
    let [r, g, b] = state.icon_rgb();
    Color32::from_rgb(r, g, b)
}

/// What a text's colour says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warning,
    Bad,
    Muted,
}

/// The colour of text in `tone`, for the theme in use: the dark theme's
/// bright tones are unreadable on the light theme's near-white panels, so
/// each has a darker light-theme twin.
pub fn tone_color(ui: &Ui, tone: Tone) -> Color32 {
    let dark = ui.visuals().dark_mode;
    match (tone, dark) {
        (Tone::Good, true) => GREEN,
        (Tone::Good, false) => Color32::from_rgb(0x1b, 0x6e, 0x35),
        (Tone::Warning, true) => AMBER,
        (Tone::Warning, false) => Color32::from_rgb(0x8a, 0x55, 0x00),
        (Tone::Bad, true) => Color32::from_rgb(0xf0, 0x6a, 0x6a),
        (Tone::Bad, false) => Color32::from_rgb(0xb0, 0x24, 0x24),
        (Tone::Muted, _) => ui.visuals().weak_text_color(),
    }
}

/// Makes egui's own secondary colours readable (WCAG 2.2 AA, 4.5:1 on the
/// panel): its weak text in both themes, the dark theme's body text on a
/// window's title bar and the light theme's links are under it by default.
/// Controls get an edge of at least 3:1 against the panel (WCAG 2.2 SC
/// 1.4.11): egui draws a resting text field, check box or button with no
/// border, a fill 1.05–1.5:1 from the panel's. `tests/accessibility.rs`
/// checks every text and every control's edge.
pub fn readable_theme(ctx: &egui::Context) {
    ctx.style_mut_of(egui::Theme::Dark, |style| {
        style.visuals.weak_text_color = Some(Color32::from_gray(0x85));
        // Body text: 4.1:1 on a window's title bar at egui's grey 140.
        style.visuals.widgets.noninteractive.fg_stroke.color = Color32::from_gray(0xa0);
        let edge = Stroke::new(1.0, Color32::from_gray(0x7a));
        style.visuals.widgets.inactive.bg_stroke = edge;
        style.visuals.widgets.open.bg_stroke = edge;
    });
    ctx.style_mut_of(egui::Theme::Light, |style| {
        style.visuals.weak_text_color = Some(Color32::from_gray(0x6e));
        style.visuals.hyperlink_color = Color32::from_rgb(0x00, 0x5f, 0xb8);
        let edge = Stroke::new(1.0, Color32::from_gray(0x80));
        style.visuals.widgets.inactive.bg_stroke = edge;
        style.visuals.widgets.open.bg_stroke = edge;
    });
}

/// The accent fill of a primary button: white text on it reads at 5:1 or
/// more, and the fill itself at 3:1 or more against the panel, in both
/// themes (egui's own selection blue is pale in the light theme and, with
/// black text, looks like a selected item).
fn accent(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(0x2a, 0x6f, 0xc0)
    } else {
        Color32::from_rgb(0x0b, 0x57, 0xb0)
    }
}

/// The one primary button of a screen: the accent fill with white, strong
/// text naming what it does. Placing it (bottom right) is the caller's.
pub fn primary_button(ui: &Ui, label: &str) -> egui::Button<'static> {
    let text = RichText::new(label).strong().color(Color32::WHITE);
    egui::Button::new(text).fill(accent(ui))
}

/// A page's title: the step's name, larger and stronger than a section's
/// heading (16 points, strong) and the body (14).
pub fn page_title(ui: &mut Ui, text: impl Into<String>) -> egui::Response {
    ui.label(RichText::new(text).size(22.0).strong())
}

/// A line of text in `tone`.
pub fn notice(ui: &mut Ui, tone: Tone, text: &str) -> egui::Response {
    let color = tone_color(ui, tone);
    ui.label(RichText::new(text).color(color))
}

/// A short label on a filled background in `tone` (the demo marker).
pub fn badge(ui: &mut Ui, text: &str, tone: Tone) {
    let fill = tone_color(ui, tone);
    let text_color = if ui.visuals().dark_mode {
        Color32::BLACK
    } else {
        Color32::WHITE
    };
    egui::Frame::new()
        .fill(fill)
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(6, 2))
        .show(ui, |ui| {
            ui.label(RichText::new(text).color(text_color));
        });
}

/// Text fields are this wide at most: long lines of input are hard to read.
pub const FIELD_WIDTH: f32 = 420.0;

/// A labelled single-line field: the label names the field for screen
/// readers and tests, the error (if any) sits right under it.
pub fn field(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    secret: bool,
    error: Option<&str>,
) -> egui::Response {
    let label_response = ui.label(label);
    let response = ui
        .add(
            egui::TextEdit::singleline(value)
                .password(secret)
                .desired_width(FIELD_WIDTH.min(ui.available_width())),
        )
        .labelled_by(label_response.id);
    if let Some(error) = error {
        ui.label(RichText::new(error).color(tone_color(ui, Tone::Bad)));
    }
    response
}

/// A field whose secret can be shown with a toggle next to it.
pub fn secret_field(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    shown: &mut bool,
    error: Option<&str>,
) -> egui::Response {
    let label_response = ui.label(label);
    let response = ui
        .horizontal(|ui| {
            let toggle = if *shown {
                format!("Hide {label}")
            } else {
                format!("Show {label}")
            };
            let width = FIELD_WIDTH.min(ui.available_width() - 110.0);
            let response = ui
                .add(
                    egui::TextEdit::singleline(value)
                        .password(!*shown)
                        .desired_width(width.max(120.0)),
                )
                .labelled_by(label_response.id);
            if ui.button(toggle).clicked() {
                *shown = !*shown;
            }
            response
        })
        .inner;
    if let Some(error) = error {
        ui.label(RichText::new(error).color(tone_color(ui, Tone::Bad)));
    }
    response
}

/// A network or server problem, with what to do and a Retry button.
/// Returns true when Retry was clicked.
pub fn error_banner(ui: &mut Ui, error: &ApiError) -> bool {
    let mut retry = false;
    egui::Frame::group(ui.style())
        .stroke(Stroke::new(1.0, tone_color(ui, Tone::Bad)))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new(error.to_string())
                    .color(tone_color(ui, Tone::Bad))
                    .strong(),
            );
            ui.label(error.advice());
            retry = ui.button("Retry").clicked();
        });
    retry
}

/// A self-signed certificate, shown for comparison before it is trusted.
/// Returns `Some(true)` when trusted, `Some(false)` when refused.
pub fn certificate_prompt(
    ui: &mut Ui,
    certificate: &crate::domain::certificate::CertificateInfo,
) -> Option<bool> {
    let mut answer = None;
    egui::Frame::group(ui.style())
        .stroke(Stroke::new(1.0, tone_color(ui, Tone::Warning)))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new("This Director's certificate is not signed by an authority this computer trusts.")
                    .color(tone_color(ui, Tone::Warning))
                    .strong(),
            );
            ui.label(
                "Directors often use a self-signed certificate. Compare the fingerprint below with the one of \
                 the certificate installed on the Director server (for example in its web server settings). \
                 Trust it only if they match; from then on only this certificate is accepted.",
            );
            certificate_details(ui, "SHA-256 fingerprint", certificate, None);
            ui.horizontal_wrapped(|ui| {
                if ui.button("Trust this certificate").clicked() {
                    answer = Some(true);
                }
                if ui.button("Do not trust").clicked() {
                    answer = Some(false);
                }
            });
        });
    answer
}

/// The pinned certificate was replaced: a hard stop. Returns true when the
/// administrator chose to forget the old certificate (and be asked again).
pub fn certificate_changed(
    ui: &mut Ui,
    pinned: crate::domain::certificate::Fingerprint,
    presented: &crate::domain::certificate::CertificateInfo,
) -> bool {
    let mut forget = false;
    egui::Frame::group(ui.style())
        .stroke(Stroke::new(2.0, tone_color(ui, Tone::Bad)))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(
                RichText::new("Stopped: the Director presents a different certificate than the one you trusted.")
                    .color(tone_color(ui, Tone::Bad))
                    .strong(),
            );
            ui.label(
                "Nothing was sent to it. If the certificate was renewed on purpose, check the new fingerprint \
                 on the Director server. If nobody renewed it, someone may be intercepting the connection: \
                 stop and ask your network team.",
            );
            certificate_details(ui, "Presented now", presented, Some(pinned));
            forget = ui
                .button("Forget the trusted certificate…")
                .on_hover_text("You will be shown the new certificate and asked again.")
                .clicked();
        });
    forget
}

fn certificate_details(
    ui: &mut Ui,
    title: &str,
    certificate: &crate::domain::certificate::CertificateInfo,
    trusted_before: Option<crate::domain::certificate::Fingerprint>,
) {
    egui::Grid::new(("certificate", title))
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            if let Some(pinned) = trusted_before {
                ui.label("Trusted before");
                fingerprint(ui, "trusted fingerprint", pinned, None);
                ui.end_row();
            }
            ui.label(title);
            fingerprint(ui, "fingerprint", certificate.fingerprint, trusted_before);
            ui.end_row();
            ui.label("Subject");
            ui.label(&certificate.subject);
            ui.end_row();
            ui.label("Issuer");
            ui.label(&certificate.issuer);
            ui.end_row();
            ui.label("Valid");
            ui.label(&certificate.valid);
            ui.end_row();
        });
}

/// A SHA-256 fingerprint as people compare one: monospace at body size,
/// 16 groups of four on two lines, with a Copy button (the colon form that
/// browsers and `openssl` print). Compared with `was`, the groups that
/// differ are red, bold and underlined (not by colour alone).
pub fn fingerprint(
    ui: &mut Ui,
    name: &str,
    fingerprint: crate::domain::certificate::Fingerprint,
    was: Option<crate::domain::certificate::Fingerprint>,
) {
    let groups = fingerprint.groups();
    let differs = was.map_or([false; 16], |was| fingerprint.differing_groups(&was));
    let body = ui.visuals().text_color();
    let bad = tone_color(ui, Tone::Bad);
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let font = egui::FontId::monospace(
        font.size
            .max(egui::TextStyle::Body.resolve(ui.style()).size),
    );
    let mut job = egui::text::LayoutJob::default();
    for (i, group) in groups.iter().enumerate() {
        let separator = match i {
            0 => "",
            8 => "\n",
            _ => " ",
        };
        job.append(separator, 0.0, egui::TextFormat::simple(font.clone(), body));
        let mut format = egui::TextFormat::simple(font.clone(), body);
        if differs[i] {
            format.color = bad;
            format.underline = Stroke::new(1.5, bad);
        }
        job.append(group, 0.0, format);
    }
    ui.horizontal(|ui| {
        ui.label(job);
        if ui
            .button(format!("Copy {name}"))
            .on_hover_text("Copies it as AB:CD:…, the way browsers and openssl show it")
            .clicked()
        {
            ui.ctx().copy_text(fingerprint.to_string());
        }
    });
}

/// "Invalid client usernames: K of N", green at 0, red otherwise.
pub fn invalid_count(ui: &mut Ui, invalid: impl Into<u64>, total: impl Into<u64>) {
    let (invalid, total) = (invalid.into(), total.into());
    let tone = if invalid == 0 { Tone::Good } else { Tone::Bad };
    notice(
        ui,
        tone,
        &format!("Invalid client usernames: {invalid} of {total}"),
    );
}

/// An info bar: the tone's mark, a fill tinted with its colour, the text in
/// the body colour — read as a note, not mistaken for an empty text field
/// (no field-like border). One widget for every note.
pub fn note(ui: &mut Ui, text: &str, tone: Tone) {
    let accent = tone_color(ui, tone);
    let fill = tint(ui.visuals().panel_fill, accent, 0.14);
    let body = ui.visuals().text_color();
    egui::Frame::new()
        .fill(fill)
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(8, 6))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_top(|ui| {
                let marker = match tone {
                    Tone::Good => Mark::Ok,
                    Tone::Warning => Mark::Warning,
                    Tone::Bad => Mark::Failed,
                    Tone::Muted => Mark::Info,
                };
                mark(ui, marker, 16.0);
                ui.add(egui::Label::new(RichText::new(text).color(body)).wrap());
            });
        });
}

/// `base` moved `amount` (0–1) of the way to `toward`.
fn tint(base: Color32, toward: Color32, amount: f32) -> Color32 {
    let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * amount).round() as u8;
    Color32::from_rgb(
        mix(base.r(), toward.r()),
        mix(base.g(), toward.g()),
        mix(base.b(), toward.b()),
    )
}

pub fn check_tone(status: CheckStatus) -> Tone {
    match status {
        CheckStatus::Pass => Tone::Good,
        CheckStatus::Warn => Tone::Warning,
        CheckStatus::Fail => Tone::Bad,
        CheckStatus::NotChecked => Tone::Muted,
    }
}

/// One checklist line: marker, title, detail and the fix.
pub fn check_row(ui: &mut Ui, check: &Check) {
    let color = tone_color(ui, check_tone(check.status));
    ui.horizontal_top(|ui| {
        mark_named(
            ui,
            check.status.into(),
            18.0,
            check_status_word(check.status),
        );
        ui.vertical(|ui| {
            ui.add(egui::Label::new(RichText::new(&check.title).strong()).wrap());
            ui.add(egui::Label::new(&check.detail).wrap());
            if !check.fix.is_empty() {
                ui.add(
                    egui::Label::new(RichText::new(format!("Fix: {}", check.fix)).color(color))
                        .wrap(),
                );
            }
        });
    });
    ui.add_space(4.0);
}

/// A value with its Copy button, named for it ("Copy Account ID", as "Copy
/// Token" beside it): two plain "Copy" buttons on one screen read alike.
pub fn copyable(ui: &mut Ui, label: &str, value: &str) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{label}:")).strong());
        ui.label(RichText::new(value).monospace().size(16.0));
        if ui
            .button(format!("Copy {label}"))
            .on_hover_text(format!("Copy the {label}"))
            .clicked()
        {
            ui.ctx().copy_text(value.to_string());
        }
    });
}

/// The colour of text that names an alarm state: the tone's, so it reads in
/// either theme (the painted icon keeps the fixed alarm colours).
pub fn state_text_color(ui: &Ui, state: AlarmState) -> Color32 {
    tone_color(
        ui,
        match state {
            AlarmState::Green => Tone::Good,
            AlarmState::Red => Tone::Bad,
            AlarmState::Stale => Tone::Warning,
            AlarmState::Unknown => Tone::Muted,
        },
    )
}

/// The taskbar badge's colour (on the program's own icon, not a panel).
pub fn state_color(state: AlarmState) -> Color32 {
    match state {
        AlarmState::Green => GREEN,
        AlarmState::Red => RED,
        AlarmState::Stale => Color32::from_rgb(0xb2, 0x6b, 0x00),
        AlarmState::Unknown => GREY,
    }
}

/// The Hybrid icon's fill and the colour of the glyph on it, for the theme
/// in use: both at least 3:1 against what is behind them (WCAG 2.2's
/// non-text contrast). The light theme takes darker fills; amber and grey
/// on the dark theme carry a dark glyph, white on them would be 2.4:1.
pub fn icon_colors(ui: &Ui, state: AlarmState) -> (Color32, Color32) {
    const INK: Color32 = Color32::from_rgb(0x1b, 0x1b, 0x1b);
    if ui.visuals().dark_mode {
        match state {
            AlarmState::Green => (GREEN, Color32::WHITE),
            AlarmState::Red => (RED, Color32::WHITE),
            AlarmState::Stale => (AMBER, INK),
            AlarmState::Unknown => (GREY, INK),
        }
    } else {
        let fill = match state {
            AlarmState::Green => Color32::from_rgb(0x2a, 0x7d, 0x44),
            AlarmState::Red => Color32::from_rgb(0xc4, 0x35, 0x35),
            AlarmState::Stale => Color32::from_rgb(0xb2, 0x6b, 0x00),
            AlarmState::Unknown => Color32::from_rgb(0x6e, 0x75, 0x80),
        };
        (fill, Color32::WHITE)
    }
}

/// The Hybrid icon: colour and shape both carry the state, so it reads
/// without colour vision too — a circle with a check (green), an octagon
/// with a cross (red), a triangle with "!" (stale), a grey square with "?".
pub fn hybrid_icon(ui: &mut Ui, state: AlarmState, size: f32, spoken: &str) -> egui::Response {
    state_icon(ui, state, size, spoken).on_hover_text("Double-click to see the alerts")
}

/// The Hybrid icon's shape and colour for `state`, clickable, read out as
/// `spoken`.
pub fn state_icon(ui: &mut Ui, state: AlarmState, size: f32, spoken: &str) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::click());
    paint_state(ui, rect, state);
    // Read out as its state and the sentence beside it, not only a colour.
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, spoken));
    response
}

/// A small marker for lists: the icon shapes, plus "current" and "to do".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Ok,
    /// Done by the admin; nothing here could check it (a hollow check).
    DoneNotChecked,
    Warning,
    Failed,
    Current,
    ToDo,
    Skipped,
    /// A note's "i".
    Info,
}

impl From<CheckStatus> for Mark {
    fn from(status: CheckStatus) -> Self {
        match status {
            CheckStatus::Pass => Mark::Ok,
            CheckStatus::Warn => Mark::Warning,
            CheckStatus::Fail => Mark::Failed,
            CheckStatus::NotChecked => Mark::Skipped,
        }
    }
}

impl Mark {
    /// What a screen reader says for it.
    pub fn label(self) -> &'static str {
        match self {
            Mark::Ok => "Passed",
            Mark::DoneNotChecked => "Done — not checked",
            Mark::Warning => "Warning",
            Mark::Failed => "Failed",
            Mark::Current => "Current step",
            Mark::ToDo => "To do",
            Mark::Skipped => "Skipped",
            Mark::Info => "Note",
        }
    }
}

/// A check's result in words, beside its marker (not only its colour).
pub fn check_status_word(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "Passed",
        CheckStatus::Warn => "Warning",
        CheckStatus::Fail => "Failed",
        CheckStatus::NotChecked => "Not checked",
    }
}

/// Draws a marker without relying on symbol glyphs a font may lack; it is
/// an image named by [`Mark::label`] in the AccessKit tree.
pub fn mark(ui: &mut Ui, mark: Mark, size: f32) -> egui::Response {
    mark_named(ui, mark, size, mark.label())
}

/// [`mark`] with another name for screen readers.
pub fn mark_named(ui: &mut Ui, mark: Mark, size: f32, name: &str) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, name));
    let painter = ui.painter_at(rect);
    let c = rect.center();
    let r = size * 0.42;
    match mark {
        Mark::Ok => paint_state(ui, rect, AlarmState::Green),
        Mark::DoneNotChecked => {
            // The passed mark's check, hollow: done, but not seen passing.
            let (color, _) = icon_colors(ui, AlarmState::Green);
            let stroke = Stroke::new((size * 0.09).max(1.5), color);
            let r = size * 0.44;
            painter.circle_stroke(c, r, stroke);
            painter.line_segment(
                [
                    c + Vec2::new(-r * 0.45, 0.0),
                    c + Vec2::new(-r * 0.1, r * 0.35),
                ],
                stroke,
            );
            painter.line_segment(
                [
                    c + Vec2::new(-r * 0.1, r * 0.35),
                    c + Vec2::new(r * 0.5, -r * 0.35),
                ],
                stroke,
            );
        }
        Mark::Warning => paint_state(ui, rect, AlarmState::Stale),
        Mark::Failed => paint_state(ui, rect, AlarmState::Red),
        Mark::Current => {
            // The selection fill is too pale on the light theme (1.6:1).
            let accent = ui.visuals().hyperlink_color;
            let points = vec![
                c + Vec2::new(-r * 0.7, -r),
                c + Vec2::new(r, 0.0),
                c + Vec2::new(-r * 0.7, r),
            ];
            painter.add(egui::Shape::convex_polygon(points, accent, Stroke::NONE));
        }
        Mark::ToDo => {
            painter.circle_stroke(c, r * 0.8, Stroke::new(1.5, ui.visuals().weak_text_color()));
        }
        Mark::Info => {
            let color = ui.visuals().hyperlink_color;
            let stroke = Stroke::new((size * 0.1).max(1.5), color);
            painter.circle_stroke(c, r, stroke);
            painter.line_segment(
                [c + Vec2::new(0.0, -r * 0.1), c + Vec2::new(0.0, r * 0.55)],
                stroke,
            );
            painter.circle_filled(c + Vec2::new(0.0, -r * 0.45), (size * 0.07).max(1.0), color);
        }
        Mark::Skipped => {
            painter.line_segment(
                [c - Vec2::new(r * 0.7, 0.0), c + Vec2::new(r * 0.7, 0.0)],
                Stroke::new(2.0, ui.visuals().weak_text_color()),
            );
        }
    }
    response
}

fn paint_state(ui: &Ui, rect: egui::Rect, state: AlarmState) {
    let size = rect.width();
    let painter = ui.painter_at(rect);
    let c = rect.center();
    let r = size * 0.46;
    let (color, glyph) = icon_colors(ui, state);
    let glyph_stroke = Stroke::new((size * 0.08).max(1.5), glyph);
    match state {
        AlarmState::Green => {
            painter.circle_filled(c, r, color);
            painter.line_segment(
                [
                    c + Vec2::new(-r * 0.45, 0.0),
                    c + Vec2::new(-r * 0.1, r * 0.35),
                ],
                glyph_stroke,
            );
            painter.line_segment(
                [
                    c + Vec2::new(-r * 0.1, r * 0.35),
                    c + Vec2::new(r * 0.5, -r * 0.35),
                ],
                glyph_stroke,
            );
        }
        AlarmState::Red => {
            let points = (0..8)
                .map(|i| {
                    let a = std::f32::consts::TAU * (i as f32 + 0.5) / 8.0;
                    c + Vec2::new(a.cos(), a.sin()) * r
                })
                .collect();
            painter.add(egui::Shape::convex_polygon(points, color, Stroke::NONE));
            let d = r * 0.38;
            painter.line_segment([c + Vec2::new(-d, -d), c + Vec2::new(d, d)], glyph_stroke);
            painter.line_segment([c + Vec2::new(-d, d), c + Vec2::new(d, -d)], glyph_stroke);
        }
        AlarmState::Stale => {
            let points = vec![
                c + Vec2::new(0.0, -r),
                c + Vec2::new(r * 0.95, r * 0.75),
                c + Vec2::new(-r * 0.95, r * 0.75),
            ];
            painter.add(egui::Shape::convex_polygon(points, color, Stroke::NONE));
            painter.line_segment(
                [c + Vec2::new(0.0, -r * 0.4), c + Vec2::new(0.0, r * 0.25)],
                glyph_stroke,
            );
            painter.circle_filled(c + Vec2::new(0.0, r * 0.5), (size * 0.045).max(1.0), glyph);
        }
        AlarmState::Unknown => {
            painter.rect_filled(
                egui::Rect::from_center_size(c, Vec2::splat(r * 1.7)),
                size * 0.1,
                color,
            );
            painter.text(
                c,
                egui::Align2::CENTER_CENTER,
                "?",
                egui::FontId::proportional(size * 0.55),
                glyph,
            );
        }
    }
}
