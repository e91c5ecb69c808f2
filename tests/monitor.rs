//! The monitor against the simulator's faults: the sequence of states it
//! reports and the notifications it raises (once per change, never per poll).

use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use hybrid_setup::client::director::{Director, HttpDirector};
use hybrid_setup::client::http::{ClientOptions, RetryPolicy};
use hybrid_setup::client::sim_admin::SimAdmin;
use hybrid_setup::contract::{SimControl, SyncSettingsUpdate};
use hybrid_setup::domain::alarm::AlarmState;
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::service::monitor::{self, MonitorConfig, MonitorEvent, Snapshot};
use hybrid_setup::sim::{self, SimConfig, data, world};

fn options() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(2),
        retry: RetryPolicy::NONE,
        pinned_certificate: None,
    }
}

struct Recorded {
    events: Receiver<MonitorEvent>,
    states: Vec<AlarmState>,
    notifications: Vec<(AlarmState, String)>,
    last: Option<Snapshot>,
}

impl Recorded {
    /// Collects events until the state is `want` (or fails after `limit`).
    fn until(&mut self, want: AlarmState, limit: Duration) -> Snapshot {
        let start = Instant::now();
        loop {
            if let Some(last) = &self.last
                && last.status.state == want
            {
                return last.clone();
            }
            let left = limit.checked_sub(start.elapsed()).unwrap_or_else(|| {
                panic!(
                    "no {want:?} within {limit:?}; states so far: {:?}",
                    self.states
                )
            });
            match self.events.recv_timeout(left) {
                Ok(MonitorEvent::Changed(snapshot)) => {
                    if self.states.last() != Some(&snapshot.status.state) {
                        self.states.push(snapshot.status.state);
                    }
                    self.last = Some(*snapshot);
                }
                Ok(MonitorEvent::Notify(n)) => self.notifications.push((n.state, n.title)),
                Err(_) => panic!(
                    "no {want:?} within {limit:?}; states so far: {:?}",
                    self.states
                ),
            }
        }
    }
}

#[test]
fn states_follow_the_simulated_faults() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut config = SimConfig::new(data::generate(30, data::Mix::Fixable, 5));
    config.sync_interval_secs = 1;
    let sim = runtime
        .block_on(sim::start(config, "127.0.0.1:0".parse().expect("addr")))
        .expect("sim");
    let url = sim.url();
    let (account_id, token) = {
        let w = sim.world();
        (
            w.portal.accounts[0].account_id.clone(),
            w.portal.accounts[0].token.clone(),
        )
    };
    let director = Arc::new(HttpDirector::new(&url, options()).expect("client"));
    let admin = SimAdmin::new(&url).expect("admin");
    let update = |token: Secret| SyncSettingsUpdate {
        account_id: account_id.clone(),
        token: Some(token),
        use_email: true,
        append_domain: Some(data::DEMO_DOMAIN.into()),
    };
    runtime.block_on(async {
        director
            .login("admin", &Secret::new(world::DEMO_ADMIN_PASSWORD))
            .await
            .expect("login");
        director
            .save_sync_settings(&update(token.clone()))
            .await
            .expect("save");
        director.run_sync().await.expect("run");
    });

    let (tx, events) = channel();
    let handle = monitor::spawn(
        runtime.handle(),
        director.clone(),
        MonitorConfig {
            poll_every: Duration::from_millis(150),
            first_retry: Duration::from_millis(100),
            max_backoff: Duration::from_millis(400),
        },
        move |event| {
            let _ = tx.send(event);
        },
    );
    let mut rec = Recorded {
        events,
        states: Vec::new(),
        notifications: Vec::new(),
        last: None,
    };
    let limit = Duration::from_secs(10);

    // Green once the first cycle has run.
    rec.until(AlarmState::Green, limit);

    // The Portal issues a new Token: red, with the alert's Description.
    runtime
        .block_on(admin.control(&SimControl {
            revoke_token_of: Some(account_id.clone()),
            ..Default::default()
        }))
        .expect("revoke");
    let red = rec.until(AlarmState::Red, limit);
    assert!(
        red.status.summary.contains("rejected the Account ID"),
        "{}",
        red.status.summary
    );
    assert!(
        red.alerts
            .iter()
            .any(|a| a.active && a.description.contains("rejected"))
    );

    // The admin enters the new Token: green after the next cycle.
    let new_token = sim.world().portal.accounts[0].token.clone();
    runtime.block_on(async {
        director
            .save_sync_settings(&update(new_token))
            .await
            .expect("save");
        director.run_sync().await.expect("run");
    });
    rec.until(AlarmState::Green, limit);

    // Sync stalls: stale after 3 intervals (3 s here), never green meanwhile.
    runtime
        .block_on(admin.control(&SimControl {
            sync_paused: Some(true),
            ..Default::default()
        }))
        .expect("pause");
    let stale = rec.until(AlarmState::Stale, limit);
    assert!(
        stale.status.summary.contains("more than 3 intervals"),
        "{}",
        stale.status.summary
    );

    // Director goes away: unknown, with the reason.
    runtime.block_on(sim.stop());
    let unknown = rec.until(AlarmState::Unknown, limit);
    assert!(
        unknown.status.summary.contains("cannot reach Director"),
        "{}",
        unknown.status.summary
    );

    // Several more polls while unknown: no repeated notification.
    std::thread::sleep(Duration::from_millis(800));
    while let Ok(event) = rec.events.try_recv() {
        if let MonitorEvent::Notify(n) = event {
            rec.notifications.push((n.state, n.title));
        }
    }
    drop(handle);

    // Before the first cycle has run the state is Unknown ("waiting for the
    // first Connect Sync"); the first look never notifies.
    if rec.states.first() == Some(&AlarmState::Unknown) {
        rec.states.remove(0);
    }
    assert_eq!(
        rec.states,
        vec![
            AlarmState::Green,
            AlarmState::Red,
            AlarmState::Green,
            AlarmState::Stale,
            AlarmState::Unknown
        ]
    );
    let notified: Vec<AlarmState> = rec.notifications.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        notified,
        vec![
            AlarmState::Red,
            AlarmState::Green,
            AlarmState::Stale,
            AlarmState::Unknown
        ],
        "{:?}",
        rec.notifications
    );
    assert_eq!(rec.notifications[1].1, "Connect Sync recovered");
}

/// A contract Director watched with a wrong password: the monitor polls on
/// (every 50 ms here, "Check now" too) but the client signs in with that
/// password once — Director would lock the account after a few.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_password_is_not_sent_again_by_the_monitor() {
    let sim = sim::start(SimConfig::demo(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sim");
    let admin = SimAdmin::new(&sim.url()).expect("admin");
    let director = Arc::new(HttpDirector::new(&sim.url(), options()).expect("client"));
    director.set_credentials("admin", &Secret::new("not-the-password"));
    let (tx, rx) = channel();
    let handle = monitor::spawn(
        &tokio::runtime::Handle::current(),
        director.clone(),
        MonitorConfig {
            poll_every: Duration::from_millis(50),
            first_retry: Duration::from_millis(50),
            max_backoff: Duration::from_millis(50),
        },
        move |event| {
            let _ = tx.send(event);
        },
    );
    for _ in 0..10 {
        handle.check_now();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sign_ins = admin
        .requests_to("POST /director/api/session")
        .await
        .expect("counted");
    assert_eq!(sign_ins, 1, "the refused password was sent once");
    let last = rx
        .try_iter()
        .filter_map(|e| match e {
            MonitorEvent::Changed(s) => Some(s.status.summary),
            MonitorEvent::Notify(_) => None,
        })
        .last()
        .expect("a state");
    assert!(
        last.contains("not signed in again with this password for 15 min"),
        "{last}"
    );
    // The right password (typed in the window) goes at once.
    director.set_credentials("admin", &Secret::new(world::DEMO_ADMIN_PASSWORD));
    handle.check_now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        admin
            .requests_to("POST /director/api/session")
            .await
            .expect("counted"),
        2
    );
    drop(handle);
    sim.stop().await;
}
