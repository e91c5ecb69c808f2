//! Load: 1,000 concurrent status pollers against the simulator on loopback,
//! each with its own client and session, as 1,000 monitors would be. The
//! run is bounded (a fixed number of polls each, and a time limit) and must
//! finish without a single error. Throughput and latency percentiles are
//! printed; docs/RELIABILITY.md records a run.

use std::time::{Duration, Instant};

use hybrid_setup::client::director::{Director, HttpDirector};
use hybrid_setup::client::http::{ClientOptions, RetryPolicy};
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::sim::{self, SimConfig, data, world};

const POLLERS: usize = 1_000;
const POLLS_EACH: usize = 10;
const LIMIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_status_pollers() {
    let sim = sim::start(
        SimConfig::new(data::generate(500, data::Mix::Fixable, 9)),
        "127.0.0.1:0".parse().expect("addr"),
    )
    .await
    .expect("sim");
    let url = sim.url();
    let options = ClientOptions {
        connect_timeout: Duration::from_secs(10),
        request_timeout: Duration::from_secs(30),
        // Every failure counts: no silent retries.
        retry: RetryPolicy::NONE,
        pinned_certificate: None,
    };
    // The clients are made first, as 1,000 monitors would have been made at
    // their start: building one loads the system's trusted roots, and a
    // thousand of those at once would measure this machine's CPU, not the
    // server (and starve the server while its first requests wait).
    let clients: Vec<HttpDirector> = (0..POLLERS)
        .map(|_| HttpDirector::new(&url, options).expect("client"))
        .collect();
    let started = Instant::now();
    let pollers: Vec<_> = clients
        .into_iter()
        .map(|director| {
            tokio::spawn(async move {
                director
                    .login("admin", &Secret::new(world::DEMO_ADMIN_PASSWORD))
                    .await
                    .map_err(|e| e.to_string())?;
                let mut latencies = Vec::with_capacity(POLLS_EACH);
                for _ in 0..POLLS_EACH {
                    let t = Instant::now();
                    director.sync_status().await.map_err(|e| e.to_string())?;
                    latencies.push(t.elapsed());
                }
                Ok::<_, String>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(POLLERS * POLLS_EACH);
    let mut errors = Vec::new();
    let all = tokio::time::timeout(LIMIT, futures_join(pollers)).await;
    let results = all.unwrap_or_else(|_| panic!("the load test did not finish within {LIMIT:?}"));
    for result in results {
        match result {
            Ok(Ok(l)) => latencies.extend(l),
            Ok(Err(e)) => errors.push(e),
            Err(e) => errors.push(format!("task failed: {e}")),
        }
    }
    let elapsed = started.elapsed();
    sim.stop().await;
    assert!(
        errors.is_empty(),
        "{} pollers failed, first: {}",
        errors.len(),
        errors[0]
    );
    assert_eq!(latencies.len(), POLLERS * POLLS_EACH);
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "{POLLERS} pollers x {POLLS_EACH} polls: {} requests (+{POLLERS} sign-ins) in {:.2} s = {:.0} status requests/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies[latencies.len() - 1].as_secs_f64() * 1e3,
    );
}

async fn futures_join<T>(
    handles: Vec<tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await);
    }
    out
}
