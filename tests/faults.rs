//! The clients against the simulator's injected faults: transient faults are
//! retried with backoff, others come back as typed errors with a message,
//! never a panic or a hang.

use std::time::{Duration, Instant};

use hybrid_setup::client::director::{Director, HttpDirector};
use hybrid_setup::client::http::{ApiError, ClientOptions, RetryPolicy};
use hybrid_setup::client::sim_admin::SimAdmin;
use hybrid_setup::contract::{Fault, FaultBody};
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::sim::{self, SimConfig, data, world};

const STATUS: &str = "GET /director/api/hybrid/status";

fn options(attempts: u32) -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_millis(800),
        retry: RetryPolicy {
            attempts,
            first_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(200),
        },
        pinned_certificate: None,
    }
}

async fn setup(attempts: u32) -> (sim::RunningSim, HttpDirector, SimAdmin) {
    let sim = sim::start(
        SimConfig::new(data::generate(10, data::Mix::Fixable, 1)),
        "127.0.0.1:0".parse().expect("addr"),
    )
    .await
    .expect("sim");
    let director = HttpDirector::new(&sim.url(), options(attempts)).expect("client");
    director
        .login("admin", &Secret::new(world::DEMO_ADMIN_PASSWORD))
        .await
        .expect("login");
    let admin = SimAdmin::new(&sim.url()).expect("admin");
    (sim, director, admin)
}

fn fault(route: &str) -> Fault {
    Fault {
        route: route.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn transient_errors_are_retried_until_they_pass() {
    let (sim, director, admin) = setup(3).await;
    admin
        .add_fault(&Fault {
            status: Some(503),
            times: Some(2),
            ..fault(STATUS)
        })
        .await
        .expect("fault");
    let started = Instant::now();
    director.sync_status().await.expect("third try succeeds");
    // Two waits: 50 ms then 100 ms.
    assert!(started.elapsed() >= Duration::from_millis(150));
    sim.stop().await;
}

#[tokio::test]
async fn persistent_server_error_surfaces_after_the_last_try() {
    let (sim, director, admin) = setup(2).await;
    admin
        .add_fault(&Fault {
            status: Some(500),
            ..fault(STATUS)
        })
        .await
        .expect("fault");
    let err = director.sync_status().await.expect_err("fails");
    assert!(
        matches!(err, ApiError::Server { status: 500, .. }),
        "{err:?}"
    );
    admin.clear_faults().await.expect("clear");
    director
        .sync_status()
        .await
        .expect("works once the fault is gone");
    sim.stop().await;
}

#[tokio::test]
async fn timeouts_malformed_and_wrong_content_are_typed_errors() {
    let (sim, director, admin) = setup(1).await;
    admin
        .add_fault(&Fault {
            timeout: true,
            times: Some(1),
            ..fault(STATUS)
        })
        .await
        .expect("fault");
    let err = director.sync_status().await.expect_err("times out");
    assert!(matches!(err, ApiError::Timeout { .. }), "{err:?}");

    for (body, expect) in [
        (FaultBody::Malformed, "not the expected JSON"),
        (FaultBody::WrongContentType, "expected JSON, got text/html"),
        (FaultBody::Huge, "not the expected JSON"),
        // Over the 32 MB cap: refused by its announced length, or while
        // counting the chunks of one without a length.
        (FaultBody::OverCap, "larger than 32 MB"),
        (FaultBody::OverCapChunked, "larger than 32 MB"),
    ] {
        admin
            .add_fault(&Fault {
                body,
                times: Some(1),
                ..fault(STATUS)
            })
            .await
            .expect("fault");
        let err = director.sync_status().await.expect_err("bad body");
        assert!(matches!(err, ApiError::Protocol { .. }), "{err:?}");
        assert!(err.to_string().contains(expect), "{err}");
    }
    for (status, check) in [
        (401u16, "unauthorized"),
        (403, "forbidden"),
        (409, "conflict"),
        (422, "invalid"),
    ] {
        admin
            .add_fault(&Fault {
                status: Some(status),
                times: Some(if status == 401 { 2 } else { 1 }),
                ..fault(STATUS)
            })
            .await
            .expect("fault");
        let err = director.sync_status().await.expect_err("refused");
        let kind = match err {
            ApiError::Unauthorized { .. } => "unauthorized",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::Conflict { .. } => "conflict",
            ApiError::Invalid { .. } => "invalid",
            ref other => panic!("{status}: {other:?}"),
        };
        assert_eq!(kind, check);
        assert!(err.to_string().contains("Injected fault"), "{err}");
    }
    director.sync_status().await.expect("recovers");
    sim.stop().await;
}

#[tokio::test]
async fn latency_is_added_and_refused_connections_are_unreachable() {
    let (sim, director, admin) = setup(1).await;
    admin
        .add_fault(&Fault {
            latency_ms: 300,
            times: Some(1),
            ..fault(STATUS)
        })
        .await
        .expect("fault");
    let started = Instant::now();
    director.sync_status().await.expect("slow but fine");
    assert!(started.elapsed() >= Duration::from_millis(300));
    let url = sim.url();
    sim.stop().await;

    let gone = HttpDirector::new(&url, options(2)).expect("client");
    let err = gone
        .login("admin", &Secret::new("x"))
        .await
        .expect_err("nobody listens");
    assert!(matches!(err, ApiError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().to_lowercase().contains("refused"), "{err}");
}

#[tokio::test]
async fn expired_session_signs_in_again_once() {
    let (sim, director, admin) = setup(1).await;
    // One 401 as if the session had expired: the client signs in and repeats.
    admin
        .add_fault(&Fault {
            status: Some(401),
            times: Some(1),
            ..fault(STATUS)
        })
        .await
        .expect("fault");
    director
        .sync_status()
        .await
        .expect("recovers by signing in again");
    sim.stop().await;
}
