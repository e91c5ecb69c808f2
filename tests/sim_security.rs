//! The simulator's own defences, over HTTP as any client sees them: admin
//! routes only from loopback, sign-in lockout, the Token only for the
//! Decision Maker, request size limits.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use hybrid_setup::client::director::{Director, HttpDirector};
use hybrid_setup::client::http::{ApiError, ClientOptions, RetryPolicy};
use hybrid_setup::client::portal::{HttpPortal, Portal};
use hybrid_setup::contract::paths;
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::sim::server::{MAX_BODY_BYTES, Shared, router};
use hybrid_setup::sim::world::{self, World};
use hybrid_setup::sim::{self, SimConfig, data};
use tower::ServiceExt;

fn options() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy::NONE,
        ..ClientOptions::default()
    }
}

async fn admin_answer(peer: &str) -> StatusCode {
    admin_answer_to(peer, None).await
}

async fn admin_answer_to(peer: &str, host: Option<&str>) -> StatusCode {
    let world = World::new(
        data::generate(5, data::Mix::Fixable, 1),
        300,
        sim::DEFAULT_BUILD,
    );
    let app = router(Arc::new(Shared::new(world)))
        .layer(MockConnectInfo(peer.parse::<SocketAddr>().expect("addr")));
    let mut request = Request::get(paths::SIM_FAULTS);
    if let Some(host) = host {
        request = request.header("host", host);
    }
    let request = request.body(Body::empty()).expect("request");
    app.oneshot(request).await.expect("answer").status()
}

/// Admin routes (fault injection, world switches) refuse anyone not on
/// this machine; the peer address is what the server saw.
#[tokio::test]
async fn admin_routes_answer_only_on_loopback() {
    assert_eq!(admin_answer("127.0.0.1:50000").await, StatusCode::OK);
    assert_eq!(admin_answer("[::1]:50000").await, StatusCode::OK);
    assert_eq!(
        admin_answer("192.0.2.10:50000").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin_answer("[2001:db8::1]:50000").await,
        StatusCode::FORBIDDEN
    );
    // An IPv4 client of a `[::]` socket: its mapped address is loopback.
    assert_eq!(
        admin_answer("[::ffff:127.0.0.1]:50000").await,
        StatusCode::OK
    );
    assert_eq!(
        admin_answer("[::ffff:192.0.2.10]:50000").await,
        StatusCode::FORBIDDEN
    );
}

/// DNS rebinding: a web page's own name resolving to 127.0.0.1 reaches the
/// simulator from the browser on this machine; `Host` gives it away.
#[tokio::test]
async fn admin_routes_refuse_a_foreign_host_name() {
    for host in ["127.0.0.1:8080", "localhost:8080", "[::1]:8080"] {
        assert_eq!(
            admin_answer_to("127.0.0.1:50000", Some(host)).await,
            StatusCode::OK,
            "{host}"
        );
    }
    assert_eq!(
        admin_answer_to("127.0.0.1:50000", Some("rebind.attacker.example:8080")).await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_locks_after_repeated_failures() {
    let sim = sim::start(SimConfig::demo(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sim");
    let director = HttpDirector::new(&sim.url(), options()).expect("client");
    for _ in 0..5 {
        let e = director
            .login("admin", &Secret::new("wrong"))
            .await
            .expect_err("wrong password");
        assert!(matches!(e, ApiError::Unauthorized { .. }), "{e:?}");
    }
    // Now even the right password waits out the lock.
    match director
        .login("admin", &Secret::new(world::DEMO_ADMIN_PASSWORD))
        .await
    {
        Err(ApiError::Locked {
            retry_after_secs, ..
        }) => assert!(retry_after_secs > 0 && retry_after_secs <= 60),
        other => panic!("expected a lock, got {other:?}"),
    }
    // The Portal locks its sign-in the same way.
    let portal = HttpPortal::new(&sim.url(), options()).expect("client");
    for attempt in 1..=5 {
        let e = portal
            .login(world::DEMO_DECISION_MAKER, &Secret::new("wrong"))
            .await
            .expect_err("wrong password");
        assert!(
            matches!(e, ApiError::Unauthorized { .. }),
            "failure {attempt} is a refusal, not yet a lock: {e:?}"
        );
    }
    match portal
        .login(
            world::DEMO_DECISION_MAKER,
            &Secret::new(world::DEMO_PORTAL_PASSWORD),
        )
        .await
    {
        Err(ApiError::Locked {
            retry_after_secs, ..
        }) => assert!(
            retry_after_secs > 0 && retry_after_secs <= 60,
            "{retry_after_secs}"
        ),
        other => panic!("expected the Portal's lock, got {other:?}"),
    }
    // The lock is per login name: another contact can still sign in.
    portal
        .login(
            world::DEMO_PHONE_MANAGER,
            &Secret::new(world::DEMO_PORTAL_PASSWORD),
        )
        .await
        .expect("another login name is not locked");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_decision_maker_gets_the_token() {
    let sim = sim::start(SimConfig::demo(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sim");
    let password = Secret::new(world::DEMO_PORTAL_PASSWORD);
    let manager = HttpPortal::new(&sim.url(), options()).expect("client");
    manager
        .login(world::DEMO_PHONE_MANAGER, &password)
        .await
        .expect("phone manager signs in");
    match manager.reveal_credentials().await {
        Err(ApiError::Forbidden { message }) => {
            assert!(message.contains("Decision Maker"), "{message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let anonymous = HttpPortal::new(&sim.url(), options()).expect("client");
    assert!(matches!(
        anonymous.reveal_credentials().await,
        Err(ApiError::Unauthorized { .. })
    ));
    let owner = HttpPortal::new(&sim.url(), options()).expect("client");
    owner
        .login(world::DEMO_DECISION_MAKER, &password)
        .await
        .expect("decision maker signs in");
    assert!(
        !owner
            .reveal_credentials()
            .await
            .expect("token")
            .token
            .expose()
            .is_empty()
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_requests_are_refused() {
    let sim = sim::start(SimConfig::demo(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sim");
    // The program's own client installs the crypto provider reqwest needs
    // (it is built without a default one); making one here does too, so
    // this test does not depend on which test ran first.
    let _ = HttpPortal::new(&sim.url(), options());
    let client = reqwest::Client::new();
    let huge = format!(
        "{{\"login_name\":\"admin\",\"password\":\"{}\"}}",
        "x".repeat(MAX_BODY_BYTES + 1)
    );
    let answer = client
        .post(format!("{}{}", sim.url(), paths::DIRECTOR_SESSION))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = answer.json().await.expect("json error body");
    assert_eq!(body["error"], "too_large");
    // The server is still there for normal requests.
    let director = HttpDirector::new(&sim.url(), options()).expect("client");
    director
        .login("admin", &Secret::new(world::DEMO_ADMIN_PASSWORD))
        .await
        .expect("normal sign-in");
    sim.stop().await;
}
