//! The whole provisioning story of the knowledge-base article, over real HTTP
//! against the simulator on a loopback port: register (after a Company Name
//! conflict), read the welcome email, reveal the credentials as the Decision
//! Maker (and be refused as another contact), save a wrong Token (Red, with
//! the reason), fix it (Green after the next cycle), users in the Portal.

mod support;

use std::time::Duration;

use hybrid_setup::client::director::{Director, HttpDirector};
use hybrid_setup::client::http::{ApiError, ClientOptions, RetryPolicy};
use hybrid_setup::client::portal::{HttpPortal, Portal};
use hybrid_setup::contract::sync_report;
use hybrid_setup::contract::{ContactRole, NewContact, SyncSettingsUpdate};
use hybrid_setup::domain::alarm::{AlarmState, evaluate};
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::sim::{self, SimConfig, data, world};

/// The Contact (and so the Decision Maker) of the registrations here.
const CONTACT_EMAIL: &str = "pat.admin@acme-corp.example";

fn fast() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            attempts: 3,
            first_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
        },
        pinned_certificate: None,
    }
}

async fn start_sim(users: usize) -> sim::RunningSim {
    let mut config = SimConfig::new(data::generate(users, data::Mix::Fixable, 3));
    config.sync_interval_secs = 1;
    sim::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("simulator starts")
}

/// Polls until `done` says yes or `limit` passes.
async fn wait_for_state(
    director: &HttpDirector,
    want: AlarmState,
    limit: Duration,
) -> (AlarmState, String) {
    let start = std::time::Instant::now();
    loop {
        let status = director.sync_status().await.expect("status");
        let alerts = director.alerts().await.expect("alerts");
        let evaluated = evaluate(&sync_report(&status, &alerts));
        if evaluated.state == want || start.elapsed() > limit {
            return (evaluated.state, evaluated.summary);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn provisioning_end_to_end_over_http() {
    let sim = start_sim(120).await;
    let url = sim.url();
    let portal = HttpPortal::new(&url, fast()).expect("portal client");
    let director = HttpDirector::new(&url, fast()).expect("director client");

    // Register: the demo's "Acme Corporation" exists, so the name conflicts.
    let terms = portal.terms().await.expect("terms");
    assert_eq!(terms.version, world::TERMS_VERSION);
    let suggestion = match portal
        .register(&support::registration("acme corporation", CONTACT_EMAIL))
        .await
    {
        Err(ApiError::Conflict {
            field, suggestion, ..
        }) => {
            assert_eq!(field, "company_name");
            suggestion.expect("a suggestion")
        }
        other => panic!("expected a Company Name conflict, got {other:?}"),
    };
    assert_eq!(suggestion, "acme corporation (Springfield)");
    let registered = portal
        .register(&support::registration(&suggestion, CONTACT_EMAIL))
        .await
        .expect("registers with the suggested name");
    assert_eq!(registered.account_name, suggestion);

    // The welcome email carries the Account Name and ID.
    let mail = portal
        .outbox("pat.admin@acme-corp.example")
        .await
        .expect("outbox");
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0]
            .body
            .contains(&format!("Account ID: {}", registered.account_id))
    );
    assert!(
        mail[0]
            .body
            .contains(&format!("Account Name: {suggestion}"))
    );

    // Sign in as the Decision Maker and reveal the credentials.
    let me = portal
        .login("pat.admin@acme-corp.example", &Secret::new("Str0ngPass"))
        .await
        .expect("portal login");
    assert_eq!(me.role, ContactRole::DecisionMaker);
    let details = portal.account_details().await.expect("details");
    assert_eq!(details.account_id, registered.account_id);
    let credentials = portal.reveal_credentials().await.expect("reveal");
    assert_eq!(credentials.account_id, registered.account_id);
    assert!(credentials.token.expose().len() >= 20);

    // Director: sign in, save a wrong Token.
    director
        .login("admin", &Secret::new(world::DEMO_ADMIN_PASSWORD))
        .await
        .expect("director login");
    let info = director.system_info().await.expect("system info");
    assert!(
        info.build
            .parse::<hybrid_setup::domain::BuildNumber>()
            .expect("build")
            .supports_hybrid()
    );
    let mut update = SyncSettingsUpdate {
        account_id: credentials.account_id.clone(),
        token: Some(Secret::new("not-the-token")),
        use_email: true,
        append_domain: Some(data::DEMO_DOMAIN.into()),
    };
    let saved = director.save_sync_settings(&update).await.expect("saves");
    assert_eq!((saved.invalid, saved.total), (0, 120), "the page's 0 of X");
    assert!(saved.settings.token_set);
    director.run_sync().await.expect("sync now");
    let (state, summary) =
        wait_for_state(&director, AlarmState::Red, Duration::from_secs(10)).await;
    assert_eq!(state, AlarmState::Red, "{summary}");
    assert!(summary.contains("rejected the Account ID"), "{summary}");

    // Fix the Token: Green after the next cycle, users in the Portal.
    update.token = Some(credentials.token.clone());
    director.save_sync_settings(&update).await.expect("saves");
    director.run_sync().await.expect("sync now");
    let (state, summary) =
        wait_for_state(&director, AlarmState::Green, Duration::from_secs(10)).await;
    assert_eq!(state, AlarmState::Green, "{summary}");
    let synced = portal.users().await.expect("portal users");
    assert_eq!(synced.len(), 120);
    assert!(synced.iter().all(|u| u.username.contains('@')));
    let alerts = director.alerts().await.expect("alerts");
    assert!(
        alerts
            .iter()
            .any(|a| !a.active && a.description.contains("rejected"))
    );

    // A Phone Manager (a synced user) is refused the Token.
    let pm = &synced[0];
    portal
        .add_contact(&NewContact {
            first_name: pm.first_name.clone(),
            last_name: pm.last_name.clone(),
            email: pm.email.clone(),
            password: Secret::new("PhoneMgr1"),
            role: ContactRole::PhoneManager,
        })
        .await
        .expect("adds a Phone Manager");
    portal.logout().await.expect("logout");
    portal
        .login(&pm.email, &Secret::new("PhoneMgr1"))
        .await
        .expect("phone manager signs in");
    match portal.reveal_credentials().await {
        Err(ApiError::Forbidden { message }) => {
            assert!(message.contains("Only the Decision Maker"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    // The Token is never returned by Director.
    let settings = director.sync_settings().await.expect("settings");
    let json = serde_json::to_string(&settings).expect("json");
    assert!(!json.contains(credentials.token.expose()));
    sim.stop().await;
}

#[tokio::test]
async fn director_refuses_wrong_password_then_locks() {
    let sim = start_sim(5).await;
    let director = HttpDirector::new(&sim.url(), fast()).expect("client");
    for _ in 0..world::MAX_LOGIN_FAILURES {
        let err = director
            .login("admin", &Secret::new("wrong"))
            .await
            .expect_err("refused");
        assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
    }
    let err = director
        .login("admin", &Secret::new(world::DEMO_ADMIN_PASSWORD))
        .await
        .expect_err("locked");
    assert!(
        matches!(err, ApiError::Locked { retry_after_secs, .. } if retry_after_secs > 0),
        "{err:?}"
    );
    // Without a session, Director routes refuse.
    assert!(matches!(
        director.sync_status().await,
        Err(ApiError::Unauthorized { .. })
    ));
    sim.stop().await;
}

#[tokio::test]
async fn users_are_read_page_by_page_with_progress() {
    let sim = start_sim(12_345).await;
    let director = HttpDirector::new(&sim.url(), fast()).expect("client");
    director
        .login("admin", &Secret::new(world::DEMO_ADMIN_PASSWORD))
        .await
        .expect("login");
    let pages = std::sync::Mutex::new(Vec::new());
    let users = director
        .users(|read, total| pages.lock().expect("lock").push((read, total)))
        .await
        .expect("users");
    assert_eq!(users.len(), 12_345);
    assert_eq!(
        pages.into_inner().expect("lock"),
        vec![(5_000, 12_345), (10_000, 12_345), (12_345, 12_345)]
    );
    sim.stop().await;
}
