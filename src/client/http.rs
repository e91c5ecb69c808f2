//! What the Director and Portal clients share: one reqwest client per
//! server, typed errors, and retries with backoff for idempotent calls.

use std::sync::Arc;
use std::time::Duration;

use crate::client::tls::{Rejection, TofuVerifier};

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::contract::{ErrorBody, FieldErrorBody};

/// Responses larger than this are refused rather than read into memory.
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// Why a call to Director or the Portal did not give an answer we can use.
/// Every variant's message is a sentence for the administrator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("Cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} did not answer within {secs} s")]
    Timeout { url: String, secs: u64 },
    #[error("{message}")]
    Unauthorized { message: String },
    #[error("{message}")]
    Locked {
        message: String,
        retry_after_secs: u64,
    },
    #[error("{message}")]
    Forbidden { message: String },
    #[error("{message}")]
    NotFound { message: String },
    #[error("{message}")]
    Conflict {
        field: String,
        message: String,
        suggestion: Option<String>,
    },
    #[error("{message}")]
    Invalid {
        message: String,
        fields: Vec<FieldErrorBody>,
    },
    #[error("The server failed (HTTP {status}): {message}")]
    Server { status: u16, message: String },
    #[error("Unexpected answer from {url}: {detail}")]
    Protocol { url: String, detail: String },
    #[error(
        "{url} presents a certificate this computer does not trust: {}, SHA-256 {}",
        certificate.subject,
        certificate.fingerprint
    )]
    UntrustedCertificate {
        url: String,
        certificate: Box<crate::domain::certificate::CertificateInfo>,
    },
    #[error(
        "{url} now presents a different certificate than the one you trusted (trusted SHA-256 {pinned}, now {})",
        presented.fingerprint
    )]
    CertificateChanged {
        url: String,
        pinned: crate::domain::certificate::Fingerprint,
        presented: Box<crate::domain::certificate::CertificateInfo>,
    },
}

impl ApiError {
    /// What failed, in a few words to end "Not signed in to Director: …".
    pub fn cause(&self) -> &'static str {
        match self {
            ApiError::Unreachable { .. } => "it cannot be reached",
            ApiError::Timeout { .. } => "it did not answer in time",
            ApiError::Unauthorized { .. } => "the sign-in was refused",
            ApiError::Locked { .. } => "the account is locked",
            ApiError::Forbidden { .. } => "the login may not do this",
            ApiError::UntrustedCertificate { .. } => "the certificate is not trusted",
            ApiError::CertificateChanged { .. } => "the certificate changed",
            ApiError::Server { .. } => "it failed",
            ApiError::NotFound { .. } | ApiError::Protocol { .. } => {
                "its answer was not understood"
            }
            ApiError::Conflict { .. } | ApiError::Invalid { .. } => "it refused the request",
        }
    }

    /// Worth trying again by itself: the network or the server may recover.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Unreachable { .. } | ApiError::Timeout { .. } => true,
            ApiError::Server { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// What the administrator can do about it.
    pub fn advice(&self) -> &'static str {
        match self {
            ApiError::Unreachable { .. } => {
                "Check the address, that the server is running, and any firewall or proxy between here and it."
            }
            ApiError::Timeout { .. } => "The server is slow or overloaded. Try again in a minute.",
            ApiError::Unauthorized { .. } => {
                "Check the login name and password, then sign in again."
            }
            ApiError::Locked { .. } => {
                "Wait until the lock ends, then sign in with the right password."
            }
            ApiError::Forbidden { .. } => "Sign in as someone allowed to do this.",
            ApiError::NotFound { .. } => {
                "The server does not offer this; check the address and the server's version."
            }
            ApiError::Conflict { .. } | ApiError::Invalid { .. } => {
                "Correct the marked field and try again."
            }
            ApiError::Server { .. } => {
                "The server had a problem. Try again; if it persists, check the server's logs."
            }
            ApiError::Protocol { .. } => {
                "The server answered in a way this program does not understand. Check that the address points to a Director or Connect Portal."
            }
            ApiError::UntrustedCertificate { .. } => {
                "Directors often use a self-signed certificate. Compare this fingerprint with the one of the certificate installed on the Director server; trust it only if they match."
            }
            ApiError::CertificateChanged { .. } => {
                "Nothing was sent. If the Director's certificate was renewed, check the new fingerprint on the server, then forget the old one and trust the new one. If nobody renewed it, someone may be intercepting the connection: stop and ask your network team."
            }
        }
    }
}

/// How idempotent calls are retried: `attempts` tries in all, waiting
/// `first_delay`, then twice that, and so on up to `max_delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            first_delay: Duration::from_millis(300),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    pub const NONE: RetryPolicy = RetryPolicy {
        attempts: 1,
        first_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
    };

    /// The wait before try number `attempt` (1-based; the first try has none).
    pub fn delay_before(&self, attempt: u32) -> Duration {
        if attempt <= 1 {
            return Duration::ZERO;
        }
        let factor = 2u32.saturating_pow(attempt - 2);
        self.first_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Connection settings shared by both clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// The self-signed certificate the administrator trusted, if any: then
    /// exactly this certificate is accepted, and nothing else.
    pub pinned_certificate: Option<crate::domain::certificate::Fingerprint>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            retry: RetryPolicy::default(),
            pinned_certificate: None,
        }
    }
}

/// How long an unused connection is kept open. Polls come every 30 s or
/// more: a connection held between them saves one handshake and costs
/// memory on both ends (the exporter holds one per Director).
const POOL_IDLE: Duration = Duration::from_secs(15);

/// One server's HTTP connection: base URL, cookie session, timeouts.
#[derive(Debug, Clone)]
pub struct Http {
    base: String,
    client: reqwest::Client,
    options: ClientOptions,
    verifier: Arc<TofuVerifier>,
    /// The session's cookies (Director's older builds keep the CSRF token
    /// inside one).
    cookies: Arc<reqwest::cookie::Jar>,
}

/// Whether a call may be repeated without changing its effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotent {
    Yes,
    No,
}

impl Http {
    pub fn new(base_url: &str, options: ClientOptions) -> Result<Self, ApiError> {
        let base = normalize_base_url(base_url)?;
        install_crypto_provider();
        let cannot = |e: &dyn std::fmt::Display| ApiError::Protocol {
            url: base.clone(),
            detail: format!("cannot set up HTTPS: {e}"),
        };
        let verifier =
            Arc::new(TofuVerifier::new(options.pinned_certificate).map_err(|e| cannot(&e))?);
        let cookies = Arc::new(reqwest::cookie::Jar::default());
        let tls = verifier.client_config().map_err(|e| cannot(&e))?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .cookie_provider(cookies.clone())
            .redirect(same_origin_only())
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .pool_idle_timeout(POOL_IDLE)
            .user_agent(concat!("hybrid-setup/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| cannot(&e))?;
        Ok(Http {
            base,
            client,
            options,
            verifier,
            cookies,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The value of the session's cookie `name` for this server.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = reqwest::Url::parse(&self.base).ok()?;
        let header = self.cookies.cookies(&url)?;
        header.to_str().ok()?.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }

    /// A GET whose answer is taken as it comes — status, content type, text
    /// — for finding out what kind of server answers.
    pub async fn probe(&self, path: &str) -> Result<(StatusCode, String, String), ApiError> {
        let url = self.url(path);
        let (status, content_type, bytes) =
            self.exchange(self.client.get(&url), path, &url).await?;
        Ok((
            status,
            content_type,
            String::from_utf8_lossy(&bytes).into_owned(),
        ))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        self.call(Method::GET, path, query, None::<&()>, Idempotent::Yes)
            .await
            .map(|(value, _)| value)
    }

    /// [`Http::get`], with the size of the answer in bytes (for limits on
    /// reads that span many pages).
    pub async fn get_sized<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<(T, usize), ApiError> {
        self.call(Method::GET, path, query, None::<&()>, Idempotent::Yes)
            .await
    }

    pub async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        idempotent: Idempotent,
    ) -> Result<T, ApiError> {
        self.call(method, path, &[], body, idempotent)
            .await
            .map(|(value, _)| value)
    }

    /// A call whose answer has no body we need (204, 202).
    pub async fn send_empty<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        idempotent: Idempotent,
    ) -> Result<(), ApiError> {
        self.call::<B, serde::de::IgnoredAny>(method, path, &[], body, idempotent)
            .await
            .map(|_| ())
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
        idempotent: Idempotent,
    ) -> Result<(T, usize), ApiError> {
        let attempts = match idempotent {
            Idempotent::Yes => self.options.retry.attempts.max(1),
            Idempotent::No => 1,
        };
        let mut attempt = 1;
        loop {
            tokio::time::sleep(self.options.retry.delay_before(attempt)).await;
            let result = self.call_once(method.clone(), path, query, body).await;
            match result {
                Err(e) if e.is_transient() && attempt < attempts => {
                    tracing::warn!(%path, attempt, "retrying after: {e}");
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn call_once<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<(T, usize), ApiError> {
        let url = self.url(path);
        let mut request = self.client.request(method, &url);
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let (status, content_type, bytes) = self.exchange(request, path, &url).await?;
        decode(status, &content_type, &bytes, &url).map(|value| (value, bytes.len()))
    }

    /// GET of a page (HTML), after redirects; for Director's web interface.
    pub async fn get_page(&self, path: &str) -> Result<String, ApiError> {
        let url = self.url(path);
        self.fetch_text(self.client.get(&url), path, url).await
    }

    /// A JSON body sent with extra headers; the answer as it came (status,
    /// content type, body) — for Director's web interface, whose refusals
    /// are 200 or 422 with `{"errors": …}` in its own words.
    pub async fn send_json_raw(
        &self,
        method: Method,
        path: &str,
        body: &serde_json::Value,
        headers: &[(&str, &str)],
    ) -> Result<(StatusCode, String, Vec<u8>), ApiError> {
        let url = self.url(path);
        let mut request = self.client.request(method, &url).json(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.exchange(request, path, &url).await
    }

    /// POST of an HTML form, after redirects; answers the page it lands on.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Result<String, ApiError> {
        let url = self.url(path);
        self.fetch_text(self.client.post(&url).form(form), path, url)
            .await
    }

    async fn fetch_text(
        &self,
        request: reqwest::RequestBuilder,
        path: &str,
        url: String,
    ) -> Result<String, ApiError> {
        let (status, content_type, bytes) = self.exchange(request, path, &url).await?;
        if !status.is_success() {
            return Err(error_from(status, &content_type, &bytes, &url));
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Sends a request and reads the answer (within the size cap): status,
    /// content type and body. Logs the path and status, never a body.
    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
        path: &str,
        url: &str,
    ) -> Result<(StatusCode, String, Vec<u8>), ApiError> {
        let started = std::time::Instant::now();
        let response = request.send().await.map_err(|e| {
            let error = self.transport_error(url, e);
            tracing::warn!(%path, "request failed: {error}");
            error
        })?;
        let status = response.status();
        if status.is_redirection() {
            // Followed only within the same origin (see `same_origin_only`):
            // this one pointed elsewhere, or downgraded https to http.
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(crate::domain::text::printable)
                .unwrap_or_default()
                .into_owned();
            tracing::warn!(%path, status = status.as_u16(), "redirect not followed");
            if to.trim().is_empty() {
                return Err(ApiError::Protocol {
                    url: url.to_string(),
                    detail: format!(
                        "it answers HTTP {} (a redirect) without saying where to (no Location): \
                         this is not how Director answers; check the address",
                        status.as_u16()
                    ),
                });
            }
            // Still on the same origin: the redirects went round in circles.
            let same_origin = response
                .url()
                .join(&to)
                .is_ok_and(|next| next.origin() == response.url().origin());
            if same_origin {
                return Err(ApiError::Protocol {
                    url: url.to_string(),
                    detail: format!(
                        "it keeps redirecting (HTTP {}, more than 5 times, last to {to}): a redirect \
                         loop. Open the address in a browser to see where it leads",
                        status.as_u16()
                    ),
                });
            }
            return Err(ApiError::Protocol {
                url: url.to_string(),
                detail: format!(
                    "it redirects (HTTP {}) to {}; calls are not sent on to another server or \
                     from https to http. Use the address it should be reached at",
                    status.as_u16(),
                    if to.is_empty() { "nowhere" } else { &to }
                ),
            });
        }
        tracing::info!(
            %path,
            status = status.as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "request"
        );
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = read_capped(response).await.map_err(|e| match e {
            ReadError::Transport(e) => self.transport_error(url, e),
            ReadError::TooLarge => ApiError::Protocol {
                url: url.to_string(),
                detail: format!(
                    "the answer is larger than {} MB",
                    MAX_RESPONSE_BYTES / (1024 * 1024)
                ),
            },
        })?;
        Ok((status, content_type, bytes))
    }

    fn transport_error(&self, url: &str, error: reqwest::Error) -> ApiError {
        match self.verifier.take_rejection() {
            Some(Rejection::Untrusted(certificate)) => {
                return ApiError::UntrustedCertificate {
                    url: self.base.clone(),
                    certificate: Box::new(certificate),
                };
            }
            Some(Rejection::Changed { pinned, presented }) => {
                return ApiError::CertificateChanged {
                    url: self.base.clone(),
                    pinned,
                    presented: Box::new(presented),
                };
            }
            None => {}
        }
        if error.is_timeout() {
            return ApiError::Timeout {
                url: url.to_string(),
                secs: self.options.request_timeout.as_secs().max(1),
            };
        }
        ApiError::Unreachable {
            url: self.base.clone(),
            reason: in_words(&self.base, &root_cause(&error)),
        }
    }
}

/// A transport failure in words that name its cause and what to try: the
/// other scheme when the server speaks it, a closed port, a name that does
/// not resolve. Anything else is left as the library said it.
pub fn in_words(base_url: &str, cause: &str) -> String {
    let other = |scheme: &str| {
        let switched = url::Url::parse(base_url).ok().and_then(|mut url| {
            url.set_scheme(scheme).ok()?;
            Some(url.as_str().trim_end_matches('/').to_string())
        });
        switched.unwrap_or_else(|| format!("{scheme}://…"))
    };
    let lower = cause.to_ascii_lowercase();
    if lower.contains("invalidcontenttype") || lower.contains("corrupt message") {
        format!(
            "this address answers plain HTTP, not HTTPS: try {}",
            other("http")
        )
    } else if lower.contains("invalid http version") {
        format!(
            "this address answers HTTPS, not plain HTTP: try {}",
            other("https")
        )
    } else if lower.contains("connection refused") {
        let port = url::Url::parse(base_url)
            .ok()
            .and_then(|u| u.port_or_known_default())
            .map_or_else(String::new, |p| format!(" on port {p}"));
        format!(
            "nothing answers{port} there (connection refused): check the port and that Director's web server runs"
        )
    } else if lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        || lower.contains("no such host")
        || lower.contains("dns error")
    {
        let host = url::Url::parse(base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        format!("the name {host} does not resolve: check its spelling and this computer's DNS")
    } else {
        cause.to_string()
    }
}

enum ReadError {
    Transport(reqwest::Error),
    TooLarge,
}

async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, ReadError> {
    if response
        .content_length()
        .is_some_and(|len| len as usize > MAX_RESPONSE_BYTES)
    {
        return Err(ReadError::TooLarge);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(ReadError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The innermost cause, which names the real problem ("Connection refused").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &(dyn std::error::Error + 'static) = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    let text = cause.to_string();
    // std's io errors append "(os error 111)"; the words are enough.
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Turns an answer into the expected value or a typed error; whatever the
/// server sends, the result is one or the other (`tests/bad_input.rs`).
pub fn decode<T: DeserializeOwned>(
    status: StatusCode,
    content_type: &str,
    bytes: &[u8],
    url: &str,
) -> Result<T, ApiError> {
    if !status.is_success() {
        return Err(error_from(status, content_type, bytes, url));
    }
    let bytes = if bytes.is_empty() {
        &b"null"[..]
    } else {
        bytes
    };
    if status != StatusCode::NO_CONTENT
        && status != StatusCode::ACCEPTED
        && !content_type.contains("json")
    {
        return Err(ApiError::Protocol {
            url: url.to_string(),
            detail: format!(
                "expected JSON, got {}",
                if content_type.is_empty() {
                    "no content type"
                } else {
                    content_type
                }
            ),
        });
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::Protocol {
        url: url.to_string(),
        detail: format!("the answer is not the expected JSON ({e})"),
    })
}

pub fn error_from(status: StatusCode, content_type: &str, bytes: &[u8], url: &str) -> ApiError {
    let body: Option<ErrorBody> = content_type
        .contains("json")
        .then(|| serde_json::from_slice(bytes).ok())
        .flatten();
    let message = body
        .as_ref()
        .map(|b| b.message.clone())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| {
            format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("error")
            )
        });
    let body = body.unwrap_or_default();
    match status {
        StatusCode::UNAUTHORIZED => ApiError::Unauthorized { message },
        StatusCode::TOO_MANY_REQUESTS => ApiError::Locked {
            message,
            retry_after_secs: body.retry_after_secs.unwrap_or(60),
        },
        StatusCode::FORBIDDEN => ApiError::Forbidden { message },
        StatusCode::NOT_FOUND => ApiError::NotFound {
            message: format!("{message} ({url})"),
        },
        StatusCode::CONFLICT => ApiError::Conflict {
            field: body.field.unwrap_or_default(),
            message,
            suggestion: body.suggestion,
        },
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => ApiError::Invalid {
            message,
            fields: body.fields,
        },
        s => ApiError::Server {
            status: s.as_u16(),
            message,
        },
    }
}

/// `director.example.com:5478/` → `https://director.example.com:5478`.
/// A URL without a scheme gets https, because TLS is the safe default.
/// Refused, each with what is wrong: other schemes (`javascript:`, `file:`),
/// `http:/host` with one slash, a user name or password inside the address
/// (never echoed), a `?query` or `#fragment`, spaces and control characters.
pub fn normalize_base_url(input: &str) -> Result<String, ApiError> {
    let trimmed = input.trim();
    let invalid = |shown: &str, detail: &str| ApiError::Invalid {
        message: format!("\"{shown}\" is not a server address: {detail}"),
        fields: vec![FieldErrorBody {
            field: "url".into(),
            message: detail.into(),
        }],
    };
    let refuse = |detail: &str| invalid(trimmed, detail);
    if trimmed.is_empty() {
        return Err(refuse(
            "enter an address such as https://director.example.com",
        ));
    }
    if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(
            &crate::domain::text::printable(trimmed),
            "it contains spaces or control characters",
        ));
    }
    // `user:password@host`: refused before anything can quote it.
    let after_scheme = trimmed.split_once("://").map_or(trimmed, |(_, rest)| rest);
    let authority = after_scheme.split('/').next().unwrap_or_default();
    if let Some((_, host)) = authority.rsplit_once('@') {
        return Err(invalid(
            host,
            "it contains a user name or password; give only the address and sign in \
             with the login name and password fields (or HYBRID_DIRECTOR_PASSWORD)",
        ));
    }
    let with_scheme = match trimmed.split_once(':') {
        Some((scheme, rest)) if rest.starts_with("//") => {
            if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
                return Err(refuse(
                    "only http:// and https:// addresses can reach a Director",
                ));
            }
            trimmed.to_string()
        }
        // `host:5478`: a port, no scheme.
        Some((_, rest)) if rest.starts_with(|c: char| c.is_ascii_digit()) => {
            format!("https://{trimmed}")
        }
        Some((scheme, _))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            return Err(refuse(
                "write the scheme with two slashes, such as https://director.example.com",
            ));
        }
        Some(_) => {
            return Err(refuse(
                "only http:// and https:// addresses can reach a Director",
            ));
        }
        None => format!("https://{trimmed}"),
    };
    let url = reqwest::Url::parse(&with_scheme).map_err(|e| refuse(&e.to_string()))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(refuse("the address has no host name"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse(
            "it contains ? or #; give only the scheme, host and port, such as https://director.example.com:5478",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Redirects are followed only to the same scheme, host and port (Director's
/// login form answers with one), at most five; anything else comes back as
/// the 3xx it is, so a password is never re-sent to another host or in clear.
fn same_origin_only() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(reqwest::Url::origin);
        if attempt.previous().len() > 5 || first != Some(attempt.url().origin()) {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

fn install_crypto_provider() {
    // Only the first call installs it; later calls find it there already.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {

    #[test]
    fn transport_failures_name_their_cause_and_what_to_try() {
        assert_eq!(
            in_words(
                "https://dir.example:5478",
                "received corrupt message of type InvalidContentType"
            ),
            "this address answers plain HTTP, not HTTPS: try http://dir.example:5478"
        );
        assert_eq!(
            in_words("http://dir.example:5478", "invalid HTTP version parsed"),
            "this address answers HTTPS, not plain HTTP: try https://dir.example:5478"
        );
        assert!(
            in_words("http://127.0.0.1:9", "Connection refused")
                .starts_with("nothing answers on port 9 there (connection refused)")
        );
        assert!(
            in_words(
                "http://nowhere.invalid",
                "failed to lookup address information: Name or service not known"
            )
            .starts_with("the name nowhere.invalid does not resolve")
        );
        assert_eq!(in_words("http://x", "something else"), "something else");
    }
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy {
            attempts: 6,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
        };
        let delays: Vec<u128> = (1..=5).map(|a| p.delay_before(a).as_millis()).collect();
        assert_eq!(delays, vec![0, 100, 200, 350, 350]);
    }

    #[test]
    fn base_urls_are_checked_and_default_to_https() {
        assert_eq!(
            normalize_base_url(" director.example.com:5478/ ")
                .ok()
                .as_deref(),
            Some("https://director.example.com:5478")
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080").ok().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        for bad in ["", "ftp://x", "http://", "https://exa mple.com"] {
            assert!(normalize_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn odd_addresses_are_refused_saying_what_is_wrong() {
        for (bad, words) in [
            ("javascript:alert(1)", "only http:// and https://"),
            ("file:///etc/passwd", "only http:// and https://"),
            ("http:/director", "two slashes"),
            ("https:director", "two slashes"),
            ("https://director:5478/?x=1", "contains ? or #"),
            ("https://director:5478/#top", "contains ? or #"),
            ("https://dir\u{1b}[31mector", "control characters"),
        ] {
            match normalize_base_url(bad) {
                Err(e) => assert!(e.to_string().contains(words), "{bad}: {e}"),
                Ok(url) => panic!("{bad} was accepted as {url}"),
            }
        }
    }

    #[test]
    fn a_password_in_the_address_is_refused_and_never_echoed() {
        for bad in [
            "http://admin:s3cret@director:5478",
            "https://admin@director",
            "admin:s3cret@director:5478",
        ] {
            let e = normalize_base_url(bad).expect_err(bad);
            let text = format!("{e} {e:?}");
            assert!(!text.contains("s3cret"), "{bad}: {text}");
            assert!(text.contains("user name or password"), "{bad}: {text}");
        }
    }

    #[test]
    fn statuses_map_to_typed_errors() {
        let body = br#"{"error":"conflict","message":"taken","field":"company_name","suggestion":"Acme (Boston)"}"#;
        assert_eq!(
            error_from(StatusCode::CONFLICT, "application/json", body, "u"),
            ApiError::Conflict {
                field: "company_name".into(),
                message: "taken".into(),
                suggestion: Some("Acme (Boston)".into())
            }
        );
        let e = error_from(StatusCode::SERVICE_UNAVAILABLE, "text/html", b"<html>", "u");
        assert_eq!(
            e.to_string(),
            "The server failed (HTTP 503): 503 Service Unavailable"
        );
        assert!(e.is_transient());
        assert!(!error_from(StatusCode::UNAUTHORIZED, "", b"", "u").is_transient());
    }
}
