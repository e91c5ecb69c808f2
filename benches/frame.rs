//! Frame time of the Username format screen while scrolling the table of
//! every user: the real app state, driven by egui_kittest (layout,
//! tessellation input and the accessibility tree; no GPU). The window's
//! own frames do less: accesskit runs only when a screen reader asks.
//! `cargo bench --bench frame`; numbers in docs/PERFORMANCE.md.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use egui_kittest::kittest::Queryable;
use hybrid_setup::client::http::ClientOptions;
use hybrid_setup::domain::wizard::Step;
use hybrid_setup::sim::{self, SimConfig, data};
use hybrid_setup::store::settings::{Settings, SettingsStore};

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
        group.bench_function(BenchmarkId::from_parameter(users), |b| {
            b.iter(|| {
                harness.event(egui::Event::MouseWheel {
                    unit: egui::MouseWheelUnit::Point,
                    delta: egui::vec2(0.0, -240.0),
                    phase: egui::TouchPhase::Move,
                    source: egui::MouseWheelSource::Wheel,
                    modifiers: egui::Modifiers::NONE,
                });
                harness.step();
            });
        });
        drop(harness);
        runtime.block_on(running.stop());
    }
    group.finish();
}

criterion_group!(benches, bench_table_frames);
criterion_main!(benches);
