//! The exporter's pages: `/metrics` for Prometheus, `/` for a person,
//! `/healthz` for the process's own supervisor, and `/troubleshooting`
//! (the guide the alert rules link to).

use std::fmt::Write;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::Exporter;
use crate::domain::alarm::AlarmState;
use crate::domain::metrics::{self, Exposition};
use crate::service::troubleshooting::GUIDE;

/// The exporter's routes over `exporter`'s readings.
pub fn router(exporter: Arc<Exporter>) -> Router {
    Router::new()
        .route("/metrics", get(metrics_page))
        .route("/", get(index_page))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/troubleshooting", get(troubleshooting_page))
        .with_state(exporter)
}

async fn metrics_page(
    axum::extract::State(exporter): axum::extract::State<Arc<Exporter>>,
    headers: HeaderMap,
) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = Exposition::for_accept(accept);
    let body = metrics::render(&exporter.readings(), format);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, format.content_type())],
        body,
    )
        .into_response()
}

/// Text for HTML: `&`, `<`, `>`, `"` escaped.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn state_word(up: bool, state: AlarmState) -> &'static str {
    match (up, state) {
        (false, _) => "down",
        (true, AlarmState::Green) => "green",
        (true, AlarmState::Red) => "red",
        (true, AlarmState::Stale) => "stale",
        (true, AlarmState::Unknown) => "unknown",
    }
}

/// The Directors as a small table, worst first.
async fn index_page(
    axum::extract::State(exporter): axum::extract::State<Arc<Exporter>>,
) -> Html<String> {
    let readings = exporter.readings();
    let mut rows = String::new();
    for r in metrics::worst_first(&readings)
        .into_iter()
        .map(|i| &readings[i])
    {
        let count = |v: Option<u64>| v.map_or("–".to_string(), |v| v.to_string());
        let _ = write!(
            rows,
            "<tr><td>{}</td><td class=\"{word}\">{word}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html(&r.name),
            html(r.build.as_deref().unwrap_or("–")),
            count(r.users),
            count(r.invalid_usernames),
            r.poll_seconds.map_or("–".into(), |s| format!("{s:.2} s")),
            word = state_word(r.up, r.state),
        );
    }
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Connect HYBRID exporter</title>\
         <style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:.3em .8em;text-align:left}}\
         .red,.down{{color:#b00020;font-weight:bold}}.stale{{color:#8a5300}}.green{{color:#1b5e20}}</style></head>\
         <body><h1>Connect HYBRID exporter</h1>\
         <p>{count} Directors, up {uptime} s. <a href=\"/metrics\">Metrics</a> · <a href=\"/troubleshooting\">Troubleshooting</a></p>\
         <table><thead><tr><th>Director</th><th>State</th><th>Build</th><th>Users</th><th>Invalid usernames</th><th>Last poll took</th></tr></thead>\
         <tbody>{rows}</tbody></table></body></html>",
        count = readings.len(),
        uptime = exporter.uptime().as_secs(),
    ))
}

/// The troubleshooting guide with an anchor per section (`#stale`, …).
async fn troubleshooting_page() -> Html<String> {
    let mut body = String::new();
    let mut paragraph = String::new();
    let flush = |body: &mut String, paragraph: &mut String| {
        if !paragraph.trim().is_empty() {
            let _ = write!(body, "<p>{}</p>", html(paragraph.trim()));
        }
        paragraph.clear();
    };
    for line in GUIDE.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            flush(&mut body, &mut paragraph);
            let anchor = title.trim();
            let _ = write!(body, "<h2 id=\"{0}\">{0}</h2>", html(anchor));
        } else if let Some(title) = line.strip_prefix("# ") {
            flush(&mut body, &mut paragraph);
            let _ = write!(body, "<h1>{}</h1>", html(title));
        } else if line.trim().is_empty() {
            flush(&mut body, &mut paragraph);
        } else {
            paragraph.push_str(line);
            paragraph.push('\n');
        }
    }
    flush(&mut body, &mut paragraph);
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Troubleshooting Connect Sync</title>\
         <style>body{{font-family:sans-serif;margin:2em;max-width:50em}}p{{white-space:pre-wrap}}</style></head><body>{body}</body></html>"
    ))
}
