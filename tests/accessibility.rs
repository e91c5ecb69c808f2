//! Readable by everyone: every text the window paints, on every screen a
//! person walks through (the guided wizard, and the demo's up to the
//! alerts), in the light and the dark theme, against the fill behind it —
//! at least 4.5:1 (3:1 for large text, for the shapes of icons and for the
//! edge of every control), as WCAG 2.2 AA asks.

mod support;

use egui_kittest::Harness;
use hybrid_setup::ui::app::HybridApp;
use support::walks::{self, Look};

use support::contrast::{self, Pair};

/// The pairs of one screen in one theme.
fn screen(
    h: &mut Harness<'_, HybridApp>,
    theme: egui::Theme,
    name: &str,
    all: &mut Vec<(String, egui::Theme, Pair)>,
) {
    h.run_ok();
    let window_fill = h.ctx.global_style().visuals.panel_fill;
    for pair in contrast::pairs(h, window_fill) {
        all.push((name.to_string(), theme, pair));
    }
}

#[test]
fn every_text_is_readable_in_both_themes() {
    let mut all = Vec::new();
    for theme in [egui::Theme::Dark, egui::Theme::Light] {
        let look = Look::new(theme);
        walks::guided(look, &mut |h, name| screen(h, theme, name, &mut all));
        walks::contract(look, &mut |h, name| screen(h, theme, name, &mut all));
        walks::directors(look, &mut |h, name| screen(h, theme, name, &mut all));
    }
    // The walks reach every screen in both themes (about 1,500 texts each
    // today): a walk that measured nothing would pass as readable.
    for theme in [egui::Theme::Dark, egui::Theme::Light] {
        let measured = all.iter().filter(|(_, t, _)| *t == theme).count();
        assert!(measured >= 1_000, "{measured} texts measured in {theme:?}");
        // Every field, check box and framed button's edge (about 200 each).
        let edges = all
            .iter()
            .filter(|(_, t, p)| *t == theme && p.kind == contrast::Kind::Boundary)
            .count();
        assert!(edges >= 100, "{edges} control edges measured in {theme:?}");
    }
    let failing: Vec<String> = all
        .iter()
        .filter(|(_, _, p)| !p.passes())
        .map(|(screen, theme, p)| {
            format!(
                "{screen} ({theme:?}): \"{}\" {} on {} = {:.2}:1 (needs {}:1)",
                p.text,
                contrast::hex(p.color),
                contrast::hex(p.background),
                p.ratio,
                p.required()
            )
        })
        .collect();
    if std::env::var_os("CI").is_none() {
        write_table(&all);
    }
    assert!(
        failing.is_empty(),
        "{} texts under the contrast asked for:\n{}",
        failing.len(),
        failing.join("\n")
    );
}

/// One table row: ratio, ratio needed, texts, screens, an example.
type Row = (f64, f64, usize, std::collections::BTreeSet<String>, String);

/// The pairs, one row per theme, colour and background, into
/// docs/ACCESSIBILITY.md between its markers (outside CI: the texts read
/// differ by a port number from run to run, so CI checks the ratios only).
fn write_table(all: &[(String, egui::Theme, Pair)]) {
    use std::collections::BTreeMap;
    let mut rows: BTreeMap<(String, String, String, String), Row> = BTreeMap::new();
    for (screen, theme, pair) in all {
        let key = (
            format!("{theme:?}"),
            pair.required().to_string(),
            contrast::hex(pair.color),
            contrast::hex(pair.background),
        );
        let row = rows.entry(key).or_insert((
            pair.ratio,
            pair.required(),
            0,
            Default::default(),
            String::new(),
        ));
        row.2 += 1;
        row.3.insert(screen.clone());
        // Numbers (ports, counts, ages) differ between runs: one N each.
        let mut example = String::new();
        for c in pair.text.chars().take(40) {
            if !c.is_ascii_digit() {
                example.push(c);
            } else if !example.ends_with('N') {
                example.push('N');
            }
        }
        if !example.contains("http") && (row.4.is_empty() || example.len() < row.4.len()) {
            row.4 = example;
        }
    }
    let mut table = String::from(
        "\n| theme | text | background | contrast | needs | texts | screens | e.g. |\n|---|---|---|---:|---:|---:|---:|---|\n",
    );
    for ((theme, _, color, background), (ratio, needs, count, screens, example)) in &rows {
        table.push_str(&format!(
            "| {theme} | `{color}` | `{background}` | {ratio:.2}:1 | {needs}:1 | {count} | {} | {} |\n",
            screens.len(),
            example.replace('|', "/")
        ));
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ACCESSIBILITY.md");
    let doc = std::fs::read_to_string(&path).expect("docs/ACCESSIBILITY.md");
    const START: &str = "<!-- contrast:start -->";
    const END: &str = "<!-- contrast:end -->";
    let (Some(start), Some(end)) = (doc.find(START), doc.find(END)) else {
        panic!("docs/ACCESSIBILITY.md lacks the contrast markers");
    };
    let updated = format!("{}{START}{table}{}", &doc[..start], &doc[end..]);
    std::fs::write(&path, updated).expect("write docs/ACCESSIBILITY.md");
}

/// Every state of the Hybrid icon and every marker, in both themes: each
/// shape at least 3:1 against what is behind it (the walk above meets only
/// the states its simulator shows).
#[test]
fn every_icon_reads_in_both_themes() {
    use hybrid_setup::domain::alarm::AlarmState;
    use hybrid_setup::ui::widgets::{self, Mark};
    for theme in [egui::Theme::Dark, egui::Theme::Light] {
        let mut h = Harness::builder()
            .with_size([400.0, 200.0])
            .with_theme(theme)
            .build_ui(|ui| {
                widgets::readable_theme(ui.ctx());
                ui.horizontal(|ui| {
                    for state in [
                        AlarmState::Green,
                        AlarmState::Red,
                        AlarmState::Stale,
                        AlarmState::Unknown,
                    ] {
                        widgets::hybrid_icon(ui, state, 48.0, &format!("{state:?}"));
                    }
                });
                ui.horizontal(|ui| {
                    for mark in [
                        Mark::Ok,
                        Mark::Warning,
                        Mark::Failed,
                        Mark::Current,
                        Mark::ToDo,
                        Mark::Skipped,
                    ] {
                        widgets::mark(ui, mark, 18.0);
                    }
                });
            });
        h.run_ok();
        let window_fill = h.ctx.global_style().visuals.panel_fill;
        let pairs = contrast::pairs(&h, window_fill);
        let icons: Vec<&Pair> = pairs
            .iter()
            .filter(|p| p.kind == contrast::Kind::Graphic)
            .collect();
        // Four icons and six markers, each with at least one shape.
        let named: std::collections::BTreeSet<&str> =
            icons.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(named.len(), 10, "{theme:?}: {named:?}");
        let failing: Vec<String> = pairs
            .iter()
            .filter(|p| !p.passes())
            .map(Pair::describe)
            .collect();
        assert!(failing.is_empty(), "{theme:?}: {failing:?}");
    }
}
