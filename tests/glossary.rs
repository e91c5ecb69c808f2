//! One word for one thing: every text of every screen a person walks
//! through (both wizards, the status panels, the alerts, the Directors
//! view) is read, and none may use a word `docs/glossary.md` replaces.

mod support;

use egui_kittest::kittest::NodeT;
use support::walks::{self, Look};

/// The replaced words: the backticked words of the glossary table's last
/// column, each with the word it gives way to.
fn replaced() -> Vec<(String, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/glossary.md");
    let doc = std::fs::read_to_string(&path).expect("docs/glossary.md");
    let mut out = Vec::new();
    for row in doc
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Word"))
    {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
        let (Some(word), Some(not)) = (cells.first(), cells.last()) else {
            continue;
        };
        for variant in not.split('`').skip(1).step_by(2) {
            out.push((variant.to_string(), word.trim().to_string()));
        }
    }
    out
}

#[test]
fn screens_use_the_glossarys_words() {
    let replaced = replaced();
    assert!(
        replaced.len() >= 30,
        "{} replaced words read",
        replaced.len()
    );
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut read = |h: &mut egui_kittest::Harness<'static, _>, screen: &str| {
        h.run_ok();
        for node in h.root().children_recursive() {
            let node = node.accesskit_node();
            for text in [node.label(), node.value()].into_iter().flatten() {
                texts.push((screen.to_string(), text));
            }
        }
    };
    let look = Look::new(egui::Theme::Dark);
    walks::guided(look, &mut read);
    walks::contract(look, &mut read);
    walks::directors(look, &mut read);
    assert!(texts.len() >= 1_000, "{} texts read", texts.len());
    let mut found: Vec<String> = Vec::new();
    for (screen, text) in &texts {
        for (variant, word) in &replaced {
            let line = format!("{screen}: \"{variant}\" (say \"{word}\") in \"{text}\"");
            if text.contains(variant.as_str()) && !found.contains(&line) {
                found.push(line);
            }
        }
    }
    assert!(
        found.is_empty(),
        "words docs/glossary.md replaces:\n{}",
        found.join("\n")
    );
}
