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
use crate::domain::alarm::{AlarmState, ago};
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
    let now = super::unix_now();
    let mut rows = String::new();
    for r in metrics::worst_first(&readings)
        .into_iter()
        .map(|i| &readings[i])
    {
        let count = |v: Option<u64>| v.map_or("–".to_string(), |v| v.to_string());
        let last_sync = r
            .last_sync
            .map_or("–".to_string(), |at| ago((now - at).max(0.0) as u64));
        // Words a server sent may be in the summary: no control or bidi
        // characters (a right-to-left override would show it reversed).
        let details: String = r
            .summary
            .chars()
            .filter(|c| !crate::domain::text::is_hidden(*c))
            .collect();
        let _ = write!(
            rows,
            "<tr><td>{}</td><td class=\"{word}\">{word}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"details\">{}</td></tr>",
            html(&r.name),
            html(r.build.as_deref().unwrap_or("–")),
            last_sync,
            count(r.users),
            count(r.invalid_usernames),
            r.poll_seconds.map_or("–".into(), |s| format!("{s:.2} s")),
            html(&details),
            word = state_word(r.up, r.state),
        );
    }
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Connect HYBRID exporter</title>\
         <meta http-equiv=\"refresh\" content=\"30\">\
         <style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:.3em .8em;text-align:left;vertical-align:top}}\
         .details{{max-width:32em}}\
         .red,.down{{color:#b00020;font-weight:bold}}.stale{{color:#8a5300}}.green{{color:#1b5e20}}</style></head>\
         <body><h1>Connect HYBRID exporter</h1>\
         <p>{count} Directors, up {uptime} s; this page refreshes every 30 s. <a href=\"/metrics\">Metrics</a> · <a href=\"/troubleshooting\">Troubleshooting</a></p>\
         <table><thead><tr><th>Director</th><th>State</th><th>Build</th><th>Last sync</th><th>Users</th><th>Invalid usernames</th><th>Last poll took</th><th>Details</th></tr></thead>\
         <tbody>{rows}</tbody></table></body></html>",
        count = readings.len(),
        uptime = exporter.uptime().as_secs(),
    ))
}

/// The troubleshooting guide with an anchor per section (`#stale`, …).
async fn troubleshooting_page() -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Troubleshooting Connect Sync</title>\
         <style>body{{font-family:sans-serif;margin:2em;max-width:50em;line-height:1.4}}</style></head><body>{}</body></html>",
        guide_html()
    ))
}

/// The guide (Markdown, our own file) in HTML; each `## name` heading gets
/// `name` as its anchor, which the alert rules and the window link to.
fn guide_html() -> String {
    use pulldown_cmark::{Event, HeadingLevel, Parser, Tag};
    let mut events: Vec<Event<'_>> = Parser::new(GUIDE).collect();
    for i in 1..events.len() {
        let name = match &events[i] {
            Event::Text(name) => name.clone(),
            _ => continue,
        };
        if let Event::Start(Tag::Heading {
            level: HeadingLevel::H2,
            id,
            ..
        }) = &mut events[i - 1]
        {
            *id = Some(name);
        }
    }
    let mut body = String::with_capacity(GUIDE.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut body, events.into_iter());
    body
}
