//! Which kind of Director answers at an address: one speaking this
//! program's contract (the built-in simulator), or a real Director's own web
//! interface (its login page). Anything else is described, not guessed at.

pub use crate::domain::director_kind::DirectorKind;

use crate::client::director::web::looks_like_director_login;
use crate::client::http::{ApiError, ClientOptions, Http};
use crate::contract::director_web::LOGIN_PATH;
use crate::contract::paths;

/// Finds out what answers at `base_url`. The contract's sign-in route
/// answers a GET with its JSON error; a real Director answers
/// `/director/login` with its HTML login form. (A real Director is asked
/// nothing beyond its own login page.)
pub async fn detect(base_url: &str, options: ClientOptions) -> Result<DirectorKind, ApiError> {
    let http = Http::new(base_url, options)?;
    let (status, content_type, body) = http.probe(paths::DIRECTOR_SYSTEM).await?;
    if status.as_u16() == 401 && content_type.contains("json") && body.contains("\"error\"") {
        return Ok(DirectorKind::Contract);
    }
    // A server in trouble says so; that is not a sign of another kind.
    if status.is_server_error() {
        return Err(crate::client::http::decode::<serde::de::IgnoredAny>(
            status,
            &content_type,
            body.as_bytes(),
            &http.url(paths::DIRECTOR_SYSTEM),
        )
        .err()
        .unwrap_or(ApiError::Server {
            status: status.as_u16(),
            message: status.to_string(),
        }));
    }
    let (status, content_type, page) = http.probe(LOGIN_PATH).await?;
    if status.is_success() && looks_like_director_login(&page) {
        return Ok(DirectorKind::Web);
    }
    Err(ApiError::Protocol {
        url: http.url(LOGIN_PATH),
        detail: format!(
            "this is not a Director: its login page answered HTTP {}{}{}",
            status.as_u16(),
            if content_type.is_empty() {
                String::new()
            } else {
                format!(" ({content_type})")
            },
            describe(&page)
        ),
    })
}

/// A few words on what a page is: its title, or that it is empty.
fn describe(page: &str) -> String {
    let title = page
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .map(str::trim)
        .filter(|t| !t.is_empty());
    match title {
        Some(title) => format!(
            ", a page titled \"{}\"",
            crate::domain::text::printable(title)
        ),
        None if page.trim().is_empty() => ", with nothing in it".into(),
        None => format!(", {} bytes that are not Director's login form", page.len()),
    }
}
