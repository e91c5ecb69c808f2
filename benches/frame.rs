//! Frame time of the Username format screen while scrolling the table of
//! every user: the real app state, driven by egui_kittest (layout,
//! tessellation input and the accessibility tree; no GPU). The window's
//! own frames do less: accesskit runs only when a screen reader asks.
//! Each batch first checks, untimed, that a frame moves the rows; the
//! wheel turns direction every 2,000 frames so the table never rests at its
//! end. `cargo bench --bench frame`; numbers in docs/PERFORMANCE.md.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use hybrid_setup::client::http::ClientOptions;
use hybrid_setup::domain::wizard::Step;
use hybrid_setup::sim::{self, SimConfig, data};
use hybrid_setup::store::settings::{Settings, SettingsStore};
use hybrid_setup::ui::app::HybridApp;

/// Points scrolled per frame (about a dozen rows).
const STEP: f32 = 240.0;
/// Frames in one direction: 2,000 × ~12 rows stays well inside 100,000 rows.
const TURN_AFTER_FRAMES: u64 = 2_000;

/// Every label on screen: which rows the table shows.
fn labels(harness: &Harness<'_, HybridApp>) -> Vec<String> {
    harness
        .root()
        .children_recursive()
        .filter_map(|n| {
            let node = n.accesskit_node();
            node.label().or_else(|| node.value()).map(|l| l.to_string())
        })
        .collect()
}

fn bench_table_frames(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut group = c.benchmark_group("username_table_frame");
    group.sample_size(30);
    for users in [100_000usize, 1_000_000] {
        let running = runtime
            .block_on(sim::start(
                SimConfig::new(data::generate(users, data::Mix::Realistic, 42)),
                "127.0.0.1:0".parse().expect("addr"),
            ))
            .expect("sim");
        let home = tempfile::tempdir().expect("home");
        let mut settings = Settings::default();
        settings.progress.go(Step::UsernameFormat);
        settings.progress.use_email = true;
        let url = running.url();
        let config = support::app_config(&url, SettingsStore::new(home.path()), settings, true);
        let mut harness = support::window(
            runtime.handle(),
            ClientOptions::default(),
            config,
            [1040.0, 720.0],
        );
        let loaded = format!(" of {users}");
        let start = Instant::now();
        while harness
            .query_all_by_label_contains(&loaded)
            .next()
            .is_none()
        {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "users did not load"
            );
            harness.step();
            std::thread::sleep(Duration::from_millis(20));
        }
        harness.hover_at(egui::pos2(620.0, 450.0));
        // Down for a stretch, then back up: the table never rests at an end,
        // so every measured frame scrolls (a frame at the end would be idle).
        let mut frames = 0u64;
        let mut scroll = |harness: &mut Harness<'_, HybridApp>| {
            let down = (frames / TURN_AFTER_FRAMES).is_multiple_of(2);
            frames += 1;
            harness.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, if down { -STEP } else { STEP }),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
                modifiers: egui::Modifiers::NONE,
            });
            harness.step();
        };
        group.bench_function(BenchmarkId::from_parameter(users), |b| {
            b.iter_custom(|iters| {
                // Before each batch, untimed: the wheel must move the rows
                // (egui smooths a wheel step over the next frames, so the
                // very first one may not move yet).
                let before = labels(&harness);
                let moved = (0..3).any(|_| {
                    scroll(&mut harness);
                    labels(&harness) != before
                });
                assert!(moved, "the table did not scroll");
                let start = Instant::now();
                for _ in 0..iters {
                    scroll(&mut harness);
                }
                start.elapsed()
            });
        });
        drop(harness);
        runtime.block_on(running.stop());
    }
    group.finish();
}

criterion_group!(benches, bench_table_frames);
criterion_main!(benches);
