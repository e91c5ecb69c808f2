//! The exporter under attack (issue 27): idle connections by the thousand
//! under systemd's 1,024 descriptors, a Director answering a 30 MB build and
//! alert Description, a DNS-rebinding `Host`, and `--web-config` with TLS
//! and a bcrypt password — each against the exporter program itself.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

const BIN: &str = env!("CARGO_BIN_EXE_hybrid-setup");

/// The exporter program, ended however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `hybrid-setup exporter` on a free loopback port over `config`;
/// returns it and its address (`host:port`) from its first line.
fn exporter(config: &str, extra: &[&str], limit_files: Option<u64>) -> (Running, String) {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("directors.toml");
    std::fs::write(&file, config).expect("write");
    let mut command = Command::new(BIN);
    command
        .args(["exporter", "--listen", "127.0.0.1:0", "--config"])
        .arg(&file)
        .args(extra)
        .env("HYBRID_SETUP_HOME", dir.path())
        .env("HYBRID_PW", "pw")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    #[cfg(unix)]
    if let Some(files) = limit_files {
        use std::os::unix::process::CommandExt;
        // SAFETY: setrlimit only, between fork and exec.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: files,
                    rlim_max: files,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = Running(command.spawn().expect("starts"));
    let mut first = String::new();
    BufReader::new(child.0.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    let address = first
        .split_whitespace()
        .find_map(|w| {
            w.strip_prefix("http://")
                .or_else(|| w.strip_prefix("https://"))
        })
        .expect("an address")
        .trim_end_matches("/metrics")
        .to_string();
    std::mem::forget(dir);
    (child, address)
}

/// `GET path` with `host` as the Host header, over a plain connection:
/// (status, body), or an error when nothing came back within `wait`.
fn get_raw(
    address: &str,
    path: &str,
    host: &str,
    wait: Duration,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(wait))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no answer: {text:?}")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

fn one_director(url: &str, kind: &str) -> String {
    format!(
        "[[director]]\nname = \"hq\"\nurl = \"{url}\"\npassword_env = \"HYBRID_PW\"\nkind = \"{kind}\"\ninterval_seconds = 10\n"
    )
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// 1,100 idle connections to an exporter allowed 1,024 descriptors (as
/// systemd starts it): `/metrics` still answers within a second.
#[cfg(unix)]
#[test]
fn a_flood_of_idle_connections_does_not_keep_prometheus_out() {
    let (_exporter, address) = exporter(
        &one_director("http://127.0.0.1:9", "contract"),
        &[],
        Some(1024),
    );
    let mut idle = Vec::new();
    for _ in 0..1100 {
        match TcpStream::connect(&address) {
            Ok(stream) => idle.push(stream),
            Err(e) => panic!("connection {} refused by the system: {e}", idle.len()),
        }
    }
    // Let the exporter accept them all (and close the oldest as it must).
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let (status, body) = get_raw(&address, "/metrics", &address, Duration::from_secs(1))
        .expect("/metrics answered within 1 s");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("hybrid_up"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(1));
    drop(idle);
}

/// A connection that sends part of a request head and then waits is
/// closed by the header-read timeout (10 s), not kept for ever.
#[test]
fn a_dripping_connection_is_closed() {
    let (_exporter, address) = exporter(&one_director("http://127.0.0.1:9", "contract"), &[], None);
    let mut stream = TcpStream::connect(&address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(stream, "GET /metrics HTTP/1.1\r\nX-Drip: 1\r\n").expect("part of a head");
    let started = Instant::now();
    let mut buffer = [0u8; 256];
    let read = stream.read(&mut buffer);
    let waited = started.elapsed();
    assert!(
        read.is_ok() && waited < Duration::from_secs(15),
        "closed after {waited:?}: {read:?}"
    );
    assert!(
        waited >= Duration::from_secs(9),
        "not before its time: {waited:?}"
    );
}

/// A Director answering a 30 MB build and a 30 MB alert Description: the
/// build is refused as malformed (no 30 MB label), the summary is cut at
/// 1,000 characters, and `/metrics` and `/` stay small.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_s_huge_values_are_bounded() {
    let huge = "9".repeat(30 * 1024 * 1024);
    let build =
        format!(r#"{{"product":"Connect","build":"{huge}","hybrid_minimum":"21.75.1908.0"}}"#);
    let alerts = format!(
        r#"{{"alerts":[{{"id":1,"time":999990,"severity":"critical","source":"Hybrid","kind":"bad_credentials","description":"{}","active":true,"cleared_at":null}}]}}"#,
        "d".repeat(30 * 1024 * 1024)
    );
    let status = r#"{"server_time":1000000,"enabled":true,"interval_secs":300,"enabled_at":900000,"last_attempt_at":999900,"last_success_at":999900,"last_attempt_failed":false,"next_sync_at":1000200,"cycles":5,"alarm":"red","active_alerts":1,"invalid":0,"total":10,"synced_users":10,"account_id":"1000001"}"#;
    let app = Router::new()
        .route(
            "/director/api/session",
            post(|| async { json(r#"{"login_name":"admin","idle_timeout_secs":1200}"#.into()) })
                .delete(|| async { StatusCode::NO_CONTENT }),
        )
        .route(
            "/director/api/system",
            get(move || {
                let b = build.clone();
                async move { json(b) }
            }),
        )
        .route(
            "/director/api/hybrid/status",
            get(move || async move { json(status.into()) }),
        )
        .route(
            "/director/api/alerts",
            get(move || {
                let a = alerts.clone();
                async move { json(a) }
            }),
        );
    let url = support::serve(app).await;
    let (_exporter, address) =
        tokio::task::spawn_blocking(move || exporter(&one_director(&url, "contract"), &[], None))
            .await
            .expect("join");
    let started = Instant::now();
    let (metrics, page) = loop {
        let a = address.clone();
        let (metrics, page) = tokio::task::spawn_blocking(move || {
            (
                get_raw(&a, "/metrics", &a, Duration::from_secs(10))
                    .expect("metrics")
                    .1,
                get_raw(&a, "/", &a, Duration::from_secs(10))
                    .expect("page")
                    .1,
            )
        })
        .await
        .expect("join");
        if metrics.contains("hybrid_up{director=\"hq\"} 1") {
            break (metrics, page);
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{}",
            metrics.chars().take(2000).collect::<String>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        metrics.len() < 1024 * 1024,
        "/metrics is {} bytes",
        metrics.len()
    );
    assert!(
        !metrics.contains("build=\"999"),
        "no 30 MB label: {}",
        metrics.chars().take(3000).collect::<String>()
    );
    assert!(page.len() < 1024 * 1024, "/ is {} bytes", page.len());
    assert!(
        page.contains("build Director reported is malformed"),
        "{}",
        page.chars().take(3000).collect::<String>()
    );
    assert!(page.contains("…"), "the summary says it was cut");
}

/// On loopback, a request whose Host is another site's (a DNS-rebinding
/// page) gets 421; this machine's names are answered.
#[test]
fn another_host_gets_421_on_loopback() {
    let (_exporter, address) = exporter(&one_director("http://127.0.0.1:9", "contract"), &[], None);
    let port = address.rsplit(':').next().unwrap_or_default().to_string();
    for host in ["attacker.example", &format!("attacker.example:{port}")] {
        let (status, _) = get_raw(&address, "/", host, Duration::from_secs(5)).expect("answered");
        assert_eq!(status, 421, "{host}");
    }
    for host in [
        address.clone(),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let (status, _) =
            get_raw(&address, "/metrics", &host, Duration::from_secs(5)).expect("answered");
        assert_eq!(status, 200, "{host}");
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// `--web-config` in Prometheus' format: HTTPS with the given certificate
/// and a bcrypt password — no password or a wrong one is 401, the right one
/// 200 (with curl, as an operator would check it); promtool accepts the
/// file where it is installed.
#[test]
fn web_config_serves_tls_with_a_password() {
    let dir = tempfile::tempdir().expect("dir");
    let (certificate, key) =
        hybrid_setup::sim::certificate::self_signed_for_loopback().expect("cert");
    std::fs::write(
        dir.path().join("server.crt"),
        pem("CERTIFICATE", &certificate),
    )
    .expect("crt");
    std::fs::write(dir.path().join("server.key"), pem("PRIVATE KEY", &key)).expect("key");
    let hash = bcrypt::hash("scrape-pw", 4).expect("hash");
    let web = dir.path().join("web.yml");
    std::fs::write(
        &web,
        format!("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: {hash}\n"),
    )
    .expect("web");
    if let Ok(out) = Command::new("promtool")
        .args(["check", "web-config"])
        .arg(&web)
        .output()
    {
        assert!(
            out.status.success(),
            "promtool: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    } else {
        assert!(std::env::var_os("CI").is_none(), "CI installs promtool");
    }
    let (_exporter, address) = exporter(
        &one_director("http://127.0.0.1:9", "contract"),
        &["--web-config", &web.to_string_lossy()],
        None,
    );
    let curl = |user: Option<&str>| -> String {
        let mut command = Command::new("curl");
        command.args([
            "-sk",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &format!("https://{address}/metrics"),
        ]);
        if let Some(user) = user {
            command.args(["-u", user]);
        }
        let out = command.output().expect("curl runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(curl(None), "401");
    assert_eq!(curl(Some("prometheus:wrong")), "401");
    assert_eq!(curl(Some("prometheus:scrape-pw")), "200");
    // Plain HTTP is not served there.
    assert!(get_raw(&address, "/metrics", &address, Duration::from_secs(3)).is_err());
}

/// What a Director says reaches the exporter's page escaped: markup, quotes
/// and control or bidi characters in its alert Description (the summary)
/// and its Account… anything it sends. The page never carries them raw.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_s_words_are_escaped_on_the_page() {
    let hostile =
        r#"<script>alert(1)</script> \"quoted\" & <b>bold</b> \u001b]0;owned\u0007 \u202etxt.exe"#;
    let alerts = format!(
        r#"{{"alerts":[{{"id":1,"time":999990,"severity":"critical","source":"Hybrid","kind":"bad_credentials","description":"{hostile}","active":true,"cleared_at":null}}]}}"#
    );
    let status = r#"{"server_time":1000000,"enabled":true,"interval_secs":300,"enabled_at":900000,"last_attempt_at":999900,"last_success_at":999900,"last_attempt_failed":false,"next_sync_at":1000200,"cycles":5,"alarm":"red","active_alerts":1,"invalid":0,"total":10,"synced_users":10,"account_id":"1000001"}"#;
    let app = Router::new()
        .route(
            "/director/api/session",
            post(|| async { json(r#"{"login_name":"admin","idle_timeout_secs":1200}"#.into()) }),
        )
        .route(
            "/director/api/system",
            get(|| async { json(r#"{"product":"Connect","build":"21.90.9743.0","hybrid_minimum":"21.75.1908.0"}"#.into()) }),
        )
        .route("/director/api/hybrid/status", get(move || async move { json(status.into()) }))
        .route("/director/api/alerts", get(move || { let a = alerts.clone(); async move { json(a) } }));
    let url = support::serve(app).await;
    let (_exporter, address) =
        tokio::task::spawn_blocking(move || exporter(&one_director(&url, "contract"), &[], None))
            .await
            .expect("join");
    let started = Instant::now();
    let page = loop {
        let a = address.clone();
        let page = tokio::task::spawn_blocking(move || {
            get_raw(&a, "/", &a, Duration::from_secs(10))
                .expect("page")
                .1
        })
        .await
        .expect("join");
        if page.contains("class=\"red\"") {
            break page;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{page}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let details = page
        .split("class=\"details\">")
        .nth(1)
        .and_then(|d| d.split("</td>").next())
        .expect("the details cell");
    assert!(
        details.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;"
        ),
        "{details}"
    );
    assert!(
        !details.contains('<') && !details.contains('"'),
        "{details}"
    );
    assert!(
        !details.chars().any(hybrid_setup::domain::text::is_hidden),
        "{details:?}"
    );
}
