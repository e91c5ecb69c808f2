//! Formatting + validation + duplicate detection of a realistic directory,
//! at 10k, 100k and 1M users (growth should be linear).
//! `cargo bench --bench format`; numbers in docs/PERFORMANCE.md.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hybrid_setup::domain::format::{DirectoryUser, FormatOptions, InvalidCount, format};
use hybrid_setup::sim::data::{self, Mix};

fn bench_format(c: &mut Criterion) {
    let mut group = c.benchmark_group("format_validate_duplicates");
    group.sample_size(10);
    let options = FormatOptions {
        use_email: true,
        append_domain: Some(data::DEMO_DOMAIN.into()),
    };
    for count in [10_000usize, 100_000, 1_000_000] {
        let users: Vec<DirectoryUser> = data::generate(count, Mix::Realistic, 42)
            .into_iter()
            .map(DirectoryUser::from)
            .collect();
        group.throughput(Throughput::Elements(count as u64));
        group.bench_with_input(BenchmarkId::from_parameter(count), &users, |b, users| {
            b.iter(|| InvalidCount::of(&format(black_box(users), black_box(&options))));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_format);
criterion_main!(benches);
