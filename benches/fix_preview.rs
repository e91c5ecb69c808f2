//! The fix preview: 100,000 users with 10,000 changes, every change judged
//! over the whole directory with all changes applied (validation and
//! duplicates). `cargo bench --bench fix_preview`; numbers in
//! docs/PERFORMANCE.md (goal under 100 ms).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hybrid_setup::domain::fix::{Wanted, preview};
use hybrid_setup::domain::format::DirectoryUser;
use hybrid_setup::sim::data::{self, Mix};

fn bench_preview(c: &mut Criterion) {
    let users: Vec<DirectoryUser> = data::generate(100_000, Mix::Realistic, 42)
        .into_iter()
        .map(DirectoryUser::from)
        .collect();
    // Every tenth user gets a new, unique client username.
    let wanted: Vec<Wanted> = users
        .iter()
        .step_by(10)
        .map(|u| Wanted {
            user_dn: u.user_dn.to_string(),
            client_username: Some(format!("fixed.{}@{}", u.user_dn, data::DEMO_DOMAIN)),
            email: None,
            source: String::new(),
        })
        .collect();
    assert_eq!(wanted.len(), 10_000);
    let mut group = c.benchmark_group("fix_preview");
    group.sample_size(10);
    group.bench_function("100000_users_10000_changes", |b| {
        b.iter(|| preview(black_box(&users), black_box(&wanted)))
    });
    group.finish();
}

criterion_group!(benches, bench_preview);
criterion_main!(benches);
