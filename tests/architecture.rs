//! The layers of `docs/architecture.md`, kept: every `crate::…` path in
//! each folder of `src/` may name only the layers below it. A path that
//! breaks a rule fails this test with its file and line.

use std::path::{Path, PathBuf};

/// What each layer may use besides itself. `launch.rs` (the composition
/// root), `lib.rs` and `main.rs` see everything.
const RULES: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("contract", &["domain"]),
    ("client", &["contract", "domain"]),
    ("store", &["domain"]),
    ("service", &["client", "store", "contract", "domain"]),
    // The simulator saves its world with the same atomic writer as the
    // settings, and nothing else of the program's own machinery.
    ("sim", &["contract", "domain", "store::atomic_file"]),
    ("ui", &["service", "client", "store", "contract", "domain"]),
    // The notification-area icon: beside the window, never inside it.
    (
        "tray",
        &["service", "client", "store", "contract", "domain"],
    ),
    (
        "cli",
        &["service", "client", "store", "contract", "domain", "sim"],
    ),
];

const ROOT_FILES: &[&str] = &["launch.rs", "lib.rs", "main.rs"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The `crate::a::b` paths named on a line of code (comments skipped), as
/// `(a, b)`.
fn crate_paths(line: &str) -> Vec<(String, String)> {
    let code = match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    };
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        // `hybrid_setup::crate::` cannot occur; `mycrate::` is another name.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let ident = |s: &str| -> String {
            s.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        };
        let first = ident(rest);
        let second = rest[first.len()..]
            .strip_prefix("::")
            .map(ident)
            .unwrap_or_default();
        found.push((first, second));
    }
    found
}

/// The layer a file belongs to, by its first folder under `src/`.
fn layer_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).expect("under src");
    let mut parts = relative.components();
    let first = parts.next()?.as_os_str().to_string_lossy().to_string();
    parts.next()?;
    Some(first)
}

/// Every rule broken under `src`, as "file:line: text".
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut broken = Vec::new();
    for file in files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let Some(layer) = layer_of(src, &file) else {
            assert!(
                ROOT_FILES.contains(&name),
                "{}: a file beside the layers; put it in the layer it belongs to",
                file.display()
            );
            continue;
        };
        let Some((_, allowed)) = RULES.iter().find(|(l, _)| *l == layer) else {
            broken.push(format!(
                "{}: folder {layer} is not a known layer",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("read");
        for (number, line) in text.lines().enumerate() {
            for (used, module) in crate_paths(line) {
                let ok = used == layer
                    || allowed.iter().any(|a| match a.split_once("::") {
                        Some((l, m)) => l == used && m == module,
                        None => *a == used,
                    });
                if !ok {
                    broken.push(format!(
                        "{}:{}: layer `{layer}` uses `crate::{used}::{module}` — allowed: {}\n    {}",
                        file.display(),
                        number + 1,
                        if allowed.is_empty() {
                            "nothing of ours".to_string()
                        } else {
                            allowed.join(", ")
                        },
                        line.trim()
                    ));
                }
            }
        }
    }
    broken
}

#[test]
fn every_layer_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let broken = violations(&src);
    assert!(
        broken.is_empty(),
        "{} imports break the layering (docs/architecture.md):\n{}",
        broken.len(),
        broken.join("\n")
    );
}

#[test]
fn a_forbidden_import_is_reported_with_its_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path();
    for (folder, body) in [
        (
            "domain",
            "use crate::domain::format;\nuse crate::ui::app::HybridApp;\n",
        ),
        (
            "sim",
            "use crate::store::atomic_file::write_atomic;\nlet x = crate::client::http::Http::new(a, b);\n",
        ),
        (
            "ui",
            "// crate::sim::start in a comment is fine\nuse crate::sim::world;\n",
        ),
    ] {
        std::fs::create_dir(src.join(folder)).expect("mkdir");
        std::fs::write(src.join(folder).join("x.rs"), body).expect("write");
    }
    std::fs::write(src.join("launch.rs"), "use crate::sim;\nuse crate::ui;\n").expect("write");
    let broken = violations(src);
    assert_eq!(broken.len(), 3, "{broken:#?}");
    assert!(
        broken[0].contains("domain/x.rs:2: layer `domain` uses `crate::ui::app`"),
        "{}",
        broken[0]
    );
    assert!(
        broken[1].contains("sim/x.rs:2: layer `sim` uses `crate::client::http`"),
        "{}",
        broken[1]
    );
    assert!(
        broken[2].contains("ui/x.rs:2: layer `ui` uses `crate::sim::world`"),
        "{}",
        broken[2]
    );
}

#[test]
fn paths_are_read_from_code_not_comments() {
    assert_eq!(
        crate_paths("    let a = crate::client::http::x(); // crate::ui::app"),
        vec![("client".to_string(), "http".to_string())]
    );
    assert_eq!(
        crate_paths("use crate::domain;"),
        vec![("domain".to_string(), String::new())]
    );
    assert!(crate_paths("use mycrate::ui;").is_empty());
}

/// The module a file is, as its path under `src/` ("ui::screens::link";
/// a `mod.rs` is its folder's module).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The modules of ours named in `code` (comments skipped) from `module`:
/// `crate::a::b::…` and `super::…` paths, each resolved to the longest
/// module in `modules` it starts with.
fn modules_named(code: &str, module: &[String], modules: &[Vec<String>]) -> Vec<Vec<String>> {
    let code = code.find("//").map_or(code, |i| &code[..i]);
    let mut named = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", module[..module.len().saturating_sub(1)].to_vec()),
    ] {
        let mut rest = code;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut path = base.clone();
            let mut tail = rest;
            loop {
                let part = ident(tail);
                if part.is_empty() {
                    break;
                }
                path.push(part.clone());
                match tail[part.len()..].strip_prefix("::") {
                    Some(next) => tail = next,
                    None => break,
                }
            }
            if let Some(target) = modules
                .iter()
                .filter(|m| path.starts_with(m) && !m.is_empty())
                .max_by_key(|m| m.len())
            {
                named.push(target.clone());
            }
        }
    }
    named
}

/// Every circle of imports between modules under `src`, neither of which
/// contains the other (a folder's `mod.rs` and its files share by design),
/// as "a → b → a". Test code is left out.
fn import_circles(src: &Path) -> Vec<String> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: Vec<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut uses: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (file, module) in files.iter().zip(&modules) {
        let text = std::fs::read_to_string(file).expect("read");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for line in code.lines() {
            for target in modules_named(line, module, &modules) {
                if !target.starts_with(module) && !module.starts_with(&target) {
                    uses.entry(module.clone()).or_default().insert(target);
                }
            }
        }
    }
    let name = |m: &Vec<String>| m.join("::");
    let mut circles = BTreeSet::new();
    // A circle through each module found by a depth-first walk.
    for start in uses.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        while let Some((at, path)) = stack.pop() {
            for next in uses.get(&at).into_iter().flatten() {
                if next == start {
                    // One name per circle: its smallest module first.
                    let low = path
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, m)| *m)
                        .map_or(0, |(i, _)| i);
                    let mut turned: Vec<String> =
                        path[low..].iter().chain(&path[..low]).map(name).collect();
                    turned.push(turned[0].clone());
                    circles.insert(turned.join(" → "));
                } else if !path.contains(next) && path.len() < 6 {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    circles.into_iter().collect()
}

#[test]
fn no_two_modules_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let circles = import_circles(&src);
    assert!(
        circles.is_empty(),
        "{} circles of imports (split out what both use):\n{}",
        circles.len(),
        circles.join("\n")
    );
}

#[test]
fn an_import_circle_is_found_and_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path();
    std::fs::create_dir_all(src.join("ui/screens")).expect("mkdir");
    for (file, body) in [
        ("ui/app.rs", "use super::window::icon_for;\n"),
        ("ui/window.rs", "use super::app::HybridApp;\n"),
        ("ui/screens/mod.rs", "pub mod a;\n"),
        (
            "ui/screens/a.rs",
            "use crate::ui::screens::b::B; // crate::ui::app\n",
        ),
        ("ui/screens/b.rs", "fn f() { super::a::x(); }\n"),
        (
            "ui/screens/c.rs",
            "use super::a;\n#[cfg(test)]\nuse crate::ui::screens::c;\n",
        ),
    ] {
        std::fs::write(src.join(file), body).expect("write");
    }
    assert_eq!(
        import_circles(src),
        [
            "ui::app → ui::window → ui::app",
            "ui::screens::a → ui::screens::b → ui::screens::a"
        ]
    );
}
