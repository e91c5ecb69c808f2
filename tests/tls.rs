//! TLS end to end with a self-signed certificate, as many Directors have:
//! refused with its fingerprint on first contact, accepted once pinned, and
//! a different certificate later is a hard stop — in the client, the command
//! line and the window. Most tests start the simulator in-process with a
//! certificate from `SimTls`; one runs `hybrid-setup sim --tls` itself.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hybrid_setup::client::director::{Director, HttpDirector};
use hybrid_setup::client::http::{ApiError, ClientOptions};
use hybrid_setup::domain::certificate::Fingerprint;
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::sim::{self, RunningSim, SimConfig, SimTls, data, world};
use hybrid_setup::store::settings::{Settings, SettingsStore};
use hybrid_setup::ui::app::HybridApp;

const BIN: &str = env!("CARGO_BIN_EXE_hybrid-setup");

async fn tls_sim(tls: SimTls) -> RunningSim {
    let mut config = SimConfig::new(data::generate(40, data::Mix::Fixable, 1));
    config.tls = Some(tls);
    sim::start(config, "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("sim")
}

fn options(pin: Option<Fingerprint>) -> ClientOptions {
    ClientOptions {
        pinned_certificate: pin,
        ..ClientOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_signed_is_refused_then_pinned_then_a_change_stops() {
    let first = SimTls::generate().expect("cert");
    let fingerprint = first.fingerprint();
    let sim = tls_sim(first).await;
    assert!(sim.url().starts_with("https://localhost:"), "{}", sim.url());
    let password = Secret::new(world::DEMO_ADMIN_PASSWORD);

    // First contact: refused, with what the administrator needs to compare.
    let director = HttpDirector::new(&sim.url(), options(None)).expect("client");
    match director.login("admin", &password).await {
        Err(ApiError::UntrustedCertificate { certificate, .. }) => {
            assert_eq!(certificate.fingerprint, fingerprint);
            assert!(
                certificate.subject.contains("rcgen"),
                "{}",
                certificate.subject
            );
        }
        other => panic!("expected an untrusted certificate, got {other:?}"),
    }

    // Pinned: accepted, and everything works over HTTPS.
    let director = HttpDirector::new(&sim.url(), options(Some(fingerprint))).expect("client");
    director.login("admin", &password).await.expect("login");
    assert_eq!(
        director.system_info().await.expect("info").build,
        sim::DEFAULT_BUILD
    );

    // The same Director address with another certificate: a hard stop.
    let second = SimTls::generate().expect("cert");
    let replaced = second.fingerprint();
    let other = tls_sim(second).await;
    let director = HttpDirector::new(&other.url(), options(Some(fingerprint))).expect("client");
    match director.login("admin", &password).await {
        Err(e @ ApiError::CertificateChanged { .. }) => {
            let ApiError::CertificateChanged {
                pinned, presented, ..
            } = &e
            else {
                unreachable!()
            };
            assert_eq!(*pinned, fingerprint);
            assert_eq!(presented.fingerprint, replaced);
            assert!(!e.is_transient(), "never retried into acceptance");
            assert!(e.advice().contains("intercepting"), "{}", e.advice());
        }
        other => panic!("expected a changed certificate, got {other:?}"),
    }
    sim.stop().await;
    other.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_line_prints_the_fingerprint_and_accepts_it() {
    let tls = SimTls::generate().expect("cert");
    let fingerprint = tls.fingerprint().to_string();
    let sim = tls_sim(tls).await;
    let url = sim.url();
    let (refused, trusted) = tokio::task::spawn_blocking(move || {
        let run = |extra: &[&str]| {
            Command::new(BIN)
                .args(["status", "--director", &url])
                .args(extra)
                .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
                .output()
                .expect("runs")
        };
        (run(&[]), run(&["--trust-certificate", &fingerprint]))
    })
    .await
    .expect("join");
    let text = String::from_utf8_lossy(&refused.stdout);
    assert_eq!(refused.status.code(), Some(3), "{text}");
    assert!(
        text.contains(&format!(
            "--trust-certificate {}",
            sim.certificate.expect("fp")
        )),
        "{text}"
    );
    let text = String::from_utf8_lossy(&trusted.stdout);
    assert!(!text.contains("certificate"), "{text}");
    assert!(
        text.contains("users=40"),
        "Director was read over HTTPS: {text}"
    );
    sim.stop().await;
}

/// The window: the Requirements step shows the certificate, "Trust this
/// certificate" pins it in the settings, a replaced certificate stops.
#[test]
fn the_window_asks_pins_and_stops_on_a_change() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let first = SimTls::generate().expect("cert");
    let fingerprint = first.fingerprint();
    let sim = runtime.block_on(tls_sim(first));
    let home = tempfile::tempdir().expect("home");
    let store = SettingsStore::new(home.path());
    let harness_for = |url: String, settings: Settings| {
        let options = options(settings.trusted_certificates.get(&url));
        let config = support::app_config(&url, SettingsStore::new(home.path()), settings, false);
        support::window(runtime.handle(), options, config, [1040.0, 800.0])
    };
    let wait_for = |harness: &mut Harness<'_, HybridApp>, label: &str| {
        let start = Instant::now();
        while harness.query_all_by_label_contains(label).next().is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no \"{label}\" shown"
            );
            harness.step();
            std::thread::sleep(Duration::from_millis(20));
        }
    };

    // A fingerprint as the window shows it: groups of four on two lines.
    let shown = |fingerprint: Fingerprint| {
        let groups = fingerprint.groups();
        format!("{}\n{}", groups[..8].join(" "), groups[8..].join(" "))
    };
    let times_shown = |harness: &Harness<'_, HybridApp>, fingerprint: Fingerprint| {
        let first_line = shown(fingerprint)[..39].to_string();
        harness.query_all_by_label_contains(&first_line).count()
    };
    let mut harness = harness_for(sim.url(), Settings::default());
    wait_for(&mut harness, "Trust this certificate");
    assert!(
        harness.query_by_label(&shown(fingerprint)).is_some(),
        "the fingerprint is shown in groups"
    );
    assert_eq!(times_shown(&harness, fingerprint), 1, "and only once");
    assert!(harness.query_by_label("Copy fingerprint").is_some());
    assert!(
        harness
            .query_all_by_label_contains(
                "Not signed in to Director: the certificate is not trusted"
            )
            .next()
            .is_some(),
        "the check's title says what failed"
    );
    harness.get_by_label("Trust this certificate").click();
    // The checklist, read from the Director over the pinned connection.
    wait_for(&mut harness, "Director build supports HYBRID");
    // What closing the window does: write unsaved progress now.
    harness.state_mut().flush();
    drop(harness);
    let saved = store.load().settings().0;
    assert_eq!(
        saved.trusted_certificates.get(&sim.url()),
        Some(fingerprint)
    );
    let text = std::fs::read_to_string(store.path()).expect("settings file");
    assert!(text.contains(&fingerprint.to_string()), "{text}");

    // The Director comes back with another certificate on the same address.
    let port = sim.addr.port();
    runtime.block_on(sim.stop());
    let mut config = SimConfig::new(data::generate(40, data::Mix::Fixable, 1));
    config.tls = Some(SimTls::generate().expect("cert"));
    let replaced = runtime
        .block_on(sim::start(config, ([127, 0, 0, 1], port).into()))
        .expect("same port");
    let mut harness = harness_for(replaced.url(), saved);
    wait_for(
        &mut harness,
        "Stopped: the Director presents a different certificate",
    );
    assert!(
        harness
            .query_all_by_label_contains("Trust this certificate")
            .next()
            .is_none(),
        "no way to accept it in one click"
    );
    let presented = replaced.certificate.expect("fingerprint");
    assert_eq!(
        times_shown(&harness, fingerprint),
        1,
        "the trusted one, once"
    );
    assert_eq!(times_shown(&harness, presented), 1, "the new one, once");

    // "Forget the trusted certificate…" leads back to the prompt with the
    // new fingerprint — never to a silent accept.
    let new_fingerprint = replaced.certificate.expect("fingerprint");
    harness
        .get_by_label("Forget the trusted certificate…")
        .click();
    wait_for(&mut harness, "Trust this certificate");
    assert!(
        harness.query_by_label(&shown(new_fingerprint)).is_some(),
        "the new certificate's fingerprint is shown to compare"
    );
    assert!(
        harness
            .query_all_by_label_contains("Director build supports HYBRID")
            .next()
            .is_none(),
        "nothing was read from the Director without the administrator's yes"
    );
    harness.state_mut().flush();
    drop(harness);
    let after = store.load().settings().0;
    assert_eq!(
        after.trusted_certificates.get(&replaced.url()),
        None,
        "the old pin is gone and the new certificate is not trusted by itself"
    );
    runtime.block_on(replaced.stop());
}

/// The command line against `hybrid-setup sim --tls` itself, as the README
/// tells users to try it: the simulator prints its fingerprint, `status`
/// refuses the certificate naming the same fingerprint, and accepts it
/// once given with --trust-certificate.
#[test]
fn the_sim_command_serves_tls_that_status_pins() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut sim = Command::new(BIN)
        .args([
            "sim",
            "--tls",
            "--addr",
            "127.0.0.1:0",
            "--sync-interval",
            "1",
        ])
        .env(
            "HYBRID_SETUP_HOME",
            tempfile::tempdir().expect("home").path(),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sim starts");
    let mut url = String::new();
    BufReader::new(sim.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("the URL");
    let url = url.trim().to_string();
    let mut line = String::new();
    // Kept open (and drained) while the simulator runs: it writes more.
    let mut stderr = BufReader::new(sim.stderr.take().expect("stderr"));
    stderr.read_line(&mut line).expect("the fingerprint line");
    let drain = std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let printed = line
        .trim()
        .strip_prefix("Self-signed certificate, SHA-256 ")
        .unwrap_or_else(|| panic!("no fingerprint printed: {line}"))
        .to_string();
    assert!(Fingerprint::parse(&printed).is_some(), "{printed}");
    let status = |extra: &[&str]| {
        Command::new(BIN)
            .args(["status", "--director", &url, "--timeout", "5"])
            .args(extra)
            .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
            .output()
            .expect("runs")
    };
    let refused = status(&[]);
    let text = String::from_utf8_lossy(&refused.stdout).to_string();
    let trusted = status(&["--trust-certificate", &printed]);
    let trusted_text = String::from_utf8_lossy(&trusted.stdout).to_string();
    let _ = sim.kill();
    let _ = sim.wait();
    let _ = drain.join();
    assert_eq!(refused.status.code(), Some(3), "{text}");
    assert!(
        text.contains(&format!("--trust-certificate {printed}")),
        "{text}"
    );
    assert!(trusted_text.starts_with("HYBRID "), "{trusted_text}");
    assert!(!trusted_text.contains("certificate"), "{trusted_text}");
    assert!(
        trusted_text.contains("users=250"),
        "read over HTTPS: {trusted_text}"
    );
}

/// `fix` on an HTTPS Director with a self-signed certificate (as most are):
/// refused with the fingerprint to compare, then previewed, applied and
/// undone once that fingerprint is trusted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_trusts_a_pinned_certificate() {
    let tls = SimTls::generate().expect("cert");
    let fingerprint = tls.fingerprint().to_string();
    let sim = tls_sim(tls).await;
    let url = sim.url();
    let home = tempfile::tempdir().expect("home");
    let home_path = home.path().to_path_buf();
    let (refused, applied, undone) = tokio::task::spawn_blocking(move || {
        let run = |extra: &[&str]| {
            Command::new(BIN)
                .args(["fix", "--director", &url, "--suggest", "--allow-many"])
                .args(extra)
                .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
                .env("HYBRID_SETUP_HOME", &home_path)
                .output()
                .expect("runs")
        };
        let refused = run(&["--apply"]);
        let applied = run(&["--apply", "--trust-certificate", &fingerprint]);
        let backup = String::from_utf8_lossy(&applied.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("Backup: "))
            .and_then(|l| l.split(" (undo with").next())
            .unwrap_or_default()
            .to_string();
        let undone = Command::new(BIN)
            .args([
                "fix",
                "--director",
                &url,
                "--undo",
                &backup,
                "--apply",
                "--allow-many",
            ])
            .args(["--trust-certificate", &fingerprint])
            .env("HYBRID_DIRECTOR_PASSWORD", world::DEMO_ADMIN_PASSWORD)
            .env("HYBRID_SETUP_HOME", &home_path)
            .output()
            .expect("runs");
        (refused, applied, undone)
    })
    .await
    .expect("join");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "--trust-certificate {}",
            sim.certificate.expect("fp")
        )),
        "{err}"
    );
    let text = String::from_utf8_lossy(&applied.stdout);
    assert_eq!(applied.status.code(), Some(0), "{text}");
    assert!(text.contains("applied "), "{text}");
    let text = String::from_utf8_lossy(&undone.stdout);
    assert_eq!(undone.status.code(), Some(0), "{text}");
    assert!(text.contains("applied "), "{text}");
    sim.stop().await;
}
