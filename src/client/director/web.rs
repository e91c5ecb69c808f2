//! Director's own web interface (the Rails app on port 5478 that public
//! automation scripts drive), read the way those scripts read it: sign in
//! through the login form with its CSRF token, page through the jqGrid user
//! list, then fetch each user's JSON for the client username the list lacks.
//! One request per user, so they run a few at a time with progress shown.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::task::JoinSet;

use crate::client::director::user_list::{ListGuard, READ_DEADLINE, within_deadline};
use crate::client::http::{ApiError, ClientOptions, Http};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::contract::director_web::{
    EMAIL_CELL, JqGridPage, JqGridRow, LOGIN_PATH, MONITORING_SERVICE_PATH, SESSION_COOKIE,
    USERS_LIST_PATH, UserDetail, UserJson, user_json_path,
};
use crate::domain::format::DirectoryUser;
use crate::domain::secret::Secret;
use crate::domain::version::BuildNumber;

/// Rows asked for per page of the jqGrid list (Director may send fewer:
/// pages are read until the reported count is reached).
pub const LIST_PAGE_ROWS: u64 = 1_000;
/// User JSON requests in flight at once: quick, without crowding Director.
pub const CONCURRENT_USER_REQUESTS: usize = 8;
/// The most `with_concurrency` allows: a Director is a phone system first.
pub const MAX_CONCURRENT_USER_REQUESTS: usize = 32;

/// Every user of a Director's web interface, and each one's id there (the
/// `<id>` of `/director/users/<id>.json`), in the same order.
#[derive(Debug, Clone, Default)]
pub struct WebDirectory {
    pub ids: Vec<u64>,
    pub users: Vec<DirectoryUser>,
}

impl WebDirectory {
    /// User DN → web id, for writing to the users a fix names.
    pub fn ids_by_dn(&self) -> std::collections::HashMap<String, u64> {
        self.users
            .iter()
            .zip(&self.ids)
            .map(|(user, id)| (user.user_dn.to_string(), *id))
            .collect()
    }
}

/// Director's web interface, signed in. Clones share the session.
#[derive(Debug, Clone)]
pub struct WebDirector {
    http: Http,
    login_name: String,
    password: Secret,
    /// When the session was last signed in (scripts sign in again every
    /// 20 minutes; so does this client).
    signed_in_at: Arc<Mutex<Instant>>,
    /// User JSON requests in flight at once.
    concurrency: usize,
    /// The login page's CSRF token, which writes carry as `X-CSRF-Token`.
    csrf: Arc<Mutex<String>>,
    /// The most users and bytes of user list read (see `ListGuard`).
    list_limits: (usize, usize),
}

/// How long a sign-in is used before signing in again.
pub const SIGN_IN_AGAIN_AFTER: Duration = Duration::from_secs(20 * 60);

impl WebDirector {
    /// Signs in through the login form.
    pub async fn sign_in(
        base_url: &str,
        options: ClientOptions,
        login_name: &str,
        password: &Secret,
    ) -> Result<Self, ApiError> {
        let director = WebDirector {
            http: Http::new(base_url, options)?,
            login_name: login_name.to_string(),
            password: password.clone(),
            signed_in_at: Arc::new(Mutex::new(Instant::now())),
            concurrency: CONCURRENT_USER_REQUESTS,
            csrf: Arc::default(),
            list_limits: (
                crate::client::director::user_list::MAX_USERS,
                crate::client::director::user_list::MAX_LIST_BYTES,
            ),
        };
        director.login().await?;
        Ok(director)
    }

    /// Reads at most `max_users` users and `max_bytes` of list (a watcher
    /// keeps less than a one-shot audit may).
    pub fn with_list_limits(mut self, max_users: usize, max_bytes: usize) -> Self {
        self.list_limits = (max_users, max_bytes);
        self
    }

    /// Another number of user requests in flight (1 to
    /// [`MAX_CONCURRENT_USER_REQUESTS`]).
    pub fn with_concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.clamp(1, MAX_CONCURRENT_USER_REQUESTS);
        self
    }

    async fn login(&self) -> Result<(), ApiError> {
        let page = self.http.get_page(LOGIN_PATH).await?;
        // Newer builds: the page's <meta>; older ones: the session cookie.
        let token = csrf_token(&page)
            .or_else(|| {
                self.http
                    .cookie(SESSION_COOKIE)
                    .and_then(|c| csrf_token_in_cookie(&c))
            })
            .ok_or_else(|| ApiError::Protocol {
                url: self.http.url(LOGIN_PATH),
                detail: if is_login_page(&page) {
                    "the login page has no CSRF token, neither in the page nor in its session cookie"
                        .into()
                } else {
                    "this answers, but not with Director's login page".into()
                },
            })?;
        let landed = self
            .http
            .post_form(
                LOGIN_PATH,
                &[
                    ("user_session[login_name]", self.login_name.as_str()),
                    ("user_session[login_password]", self.password.expose()),
                    ("authenticity_token", token.as_str()),
                ],
            )
            .await?;
        // Rails shows the form again, with a flash message, when the
        // sign-in is refused.
        if is_login_page(&landed) {
            // In Director's own words where the page gives them.
            let message = match flash_message(&landed) {
                Some(words) => format!("Director refused the sign-in: {words}"),
                None => "Director refused the login name or password.".into(),
            };
            return Err(ApiError::Unauthorized { message });
        }
        *self.signed_in_at.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        *self.csrf.lock().unwrap_or_else(|e| e.into_inner()) = token;
        Ok(())
    }

    /// Signs in again when the session is older than scripts let it get.
    async fn keep_signed_in(&self) -> Result<(), ApiError> {
        let since = self
            .signed_in_at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed();
        if since >= SIGN_IN_AGAIN_AFTER {
            tracing::info!("Director web session is 20 minutes old; signing in again");
            self.login().await?;
        }
        Ok(())
    }

    /// Director's build, read from Monitoring > Services: the services
    /// table is JSON text inside the page's script; a row's [4] is the build.
    pub async fn build(&self) -> Result<BuildNumber, ApiError> {
        self.keep_signed_in().await?;
        let mut page = self.http.get_page(MONITORING_SERVICE_PATH).await?;
        if is_login_page(&page) {
            self.login().await?;
            page = self.http.get_page(MONITORING_SERVICE_PATH).await?;
        }
        build_in_monitoring_page(&page).map_err(|why| ApiError::Protocol {
            url: self.http.url(MONITORING_SERVICE_PATH),
            detail: why,
        })
    }

    /// A JSON GET; an expired session (Director sends the login page instead)
    /// signs in again once.
    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        self.get_json_sized(path, query)
            .await
            .map(|(value, _)| value)
    }

    /// [`WebDirector::get_json`] with the answer's size in bytes.
    async fn get_json_sized<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<(T, usize), ApiError> {
        self.keep_signed_in().await?;
        match self.http.get_sized(path, query).await {
            Err(ApiError::Protocol { detail, .. }) if detail.contains("text/html") => {
                tracing::info!("Director web session ended; signing in again");
                self.login().await?;
                // Once: a Director that answers its sign-in page again right
                // after a sign-in does not keep the session; say so, not loop.
                self.http
                    .get_sized(path, query)
                    .await
                    .map_err(|e| match e {
                        ApiError::Protocol { url, detail } if detail.contains("text/html") => {
                            ApiError::Protocol {
                                url,
                                detail: "Director answered with a web page instead of data again, right \
                                         after a new sign-in: it does not keep this program's session. \
                                         Check that the login may use Director's web interface, and that \
                                         nothing between (a proxy) drops its cookies"
                                    .into(),
                            }
                        }
                        other => other,
                    })
            }
            other => other,
        }
    }

    /// Every user: the list, then each user's details, a few at a time;
    /// `progress(done, total)` as details arrive.
    pub async fn users(
        &self,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<Vec<DirectoryUser>, ApiError> {
        Ok(self.users_with_ids(progress).await?.users)
    }

    /// [`WebDirector::users`] with each user's id in the web interface (the
    /// `<id>` of `/director/users/<id>.json`).
    pub async fn users_with_ids(
        &self,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<WebDirectory, ApiError> {
        let url = self.http.url(USERS_LIST_PATH);
        let read = within_deadline(READ_DEADLINE, &url, self.read_all(&url, progress)).await?;
        let (ids, users) = read.into_iter().unzip();
        Ok(WebDirectory { ids, users })
    }

    /// How many users Director's list has (one page of one row: cheap).
    pub async fn user_count(&self) -> Result<u64, ApiError> {
        let query = [
            ("_search", "false".to_string()),
            ("rows", "1".to_string()),
            ("page", "1".to_string()),
            ("sidx", String::new()),
            ("sord", "asc".to_string()),
        ];
        let page: JqGridPage = self.get_json(USERS_LIST_PATH, &query).await?;
        Ok(page.records)
    }

    /// One user's whole document, as `GET /director/users/<id>.json` gives it.
    pub async fn user_document(&self, id: u64) -> Result<serde_json::Value, ApiError> {
        self.get_json(&user_json_path(id), &[]).await
    }

    /// `PUT /director/users/<id>.json` with the whole document and the
    /// session's CSRF token. Director's refusal (`{"errors": …}`, with 200
    /// or 422) comes back in its words; its login page instead of an answer
    /// (the session ended, nothing was written) signs in again once.
    pub async fn update_user(
        &self,
        id: u64,
        document: &serde_json::Value,
    ) -> Result<serde_json::Value, ApiError> {
        self.keep_signed_in().await?;
        let path = user_json_path(id);
        let put = || async {
            let token = self.csrf.lock().unwrap_or_else(|e| e.into_inner()).clone();
            self.http
                .send_json_raw(
                    reqwest::Method::PUT,
                    &path,
                    document,
                    &[
                        ("X-CSRF-Token", token.as_str()),
                        ("Accept", "application/json"),
                    ],
                )
                .await
        };
        let mut answer = put().await?;
        if is_login_page(&String::from_utf8_lossy(&answer.2)) {
            tracing::info!("Director web session ended; signing in again");
            self.login().await?;
            answer = put().await?;
        }
        let (status, content_type, bytes) = answer;
        let url = self.http.url(&path);
        let value: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
        if let Some(errors) = value.as_ref().and_then(|v| v.get("errors")) {
            return Err(ApiError::Invalid {
                message: format!("Director refused the change: {}", director_errors(errors)),
                fields: vec![],
            });
        }
        if !status.is_success() {
            return Err(crate::client::http::error_from(
                status,
                &content_type,
                &bytes,
                &url,
            ));
        }
        value.ok_or_else(|| ApiError::Protocol {
            url,
            detail: "Director answered the change without JSON".into(),
        })
    }

    async fn read_all(
        &self,
        url: &str,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<Vec<(u64, DirectoryUser)>, ApiError> {
        let listed = self.list_rows(url).await?;
        let total = listed.len() as u64;
        progress(0, total);
        self.details(listed, total, progress).await
    }

    /// The user list's pages only (a page per [`LIST_PAGE_ROWS`] users):
    /// each user's id and what its row shows, without its document.
    pub async fn user_list(&self) -> Result<Vec<ListedUser>, ApiError> {
        let url = self.http.url(USERS_LIST_PATH);
        let listed = within_deadline(READ_DEADLINE, &url, self.list_rows(&url)).await?;
        Ok(listed
            .into_iter()
            .map(|(id, row)| ListedUser { id, row })
            .collect())
    }

    /// The documents of `wanted` (rows of [`WebDirector::user_list`]): each
    /// one a request, a few at a time.
    pub async fn users_listed(
        &self,
        wanted: Vec<ListedUser>,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<Vec<(u64, DirectoryUser)>, ApiError> {
        let url = self.http.url(USERS_LIST_PATH);
        let total = wanted.len() as u64;
        let listed = wanted.into_iter().map(|l| (l.id, l.row)).collect();
        within_deadline(READ_DEADLINE, &url, self.details(listed, total, progress)).await
    }

    async fn list_rows(&self, url: &str) -> Result<Vec<(u64, Listed)>, ApiError> {
        let mut listed: Vec<(u64, Listed)> = Vec::new();
        let mut guard = ListGuard::with_limits(url, self.list_limits.0, self.list_limits.1);
        let mut page_number = 1;
        loop {
            let query = [
                ("_search", "false".to_string()),
                ("rows", LIST_PAGE_ROWS.to_string()),
                ("page", page_number.to_string()),
                ("sidx", String::new()),
                ("sord", "asc".to_string()),
            ];
            let (page, bytes): (JqGridPage, usize) =
                self.get_json_sized(USERS_LIST_PATH, &query).await?;
            let ids: Vec<String> = page
                .rows
                .iter()
                .map(|r| {
                    r.id.number()
                        .map_or_else(|| format!("{:?}", r.id), |n| n.to_string())
                })
                .collect();
            let more = guard.page(page.records, ids.iter().map(String::as_str), bytes)?;
            if page_number == 1 {
                // Room for every user at once (within the limit): a Vec
                // grown by doubling holds up to twice that.
                listed.reserve_exact(page.records.min(self.list_limits.0 as u64) as usize);
            }
            for row in page.rows {
                let id = row.id.number().ok_or_else(|| ApiError::Protocol {
                    url: self.http.url(USERS_LIST_PATH),
                    detail: format!("a user id is not a number: {:?}", row.id),
                })?;
                listed.push((id, Listed::of(row)));
            }
            if !more {
                return Ok(listed);
            }
            page_number += 1;
        }
    }

    async fn details(
        &self,
        listed: Vec<(u64, Listed)>,
        total: u64,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<Vec<(u64, DirectoryUser)>, ApiError> {
        let done = AtomicU64::new(0);
        let mut results: Vec<Option<(u64, DirectoryUser)>> = vec![None; listed.len()];
        let mut pending = listed.into_iter().enumerate();
        let mut running = JoinSet::new();
        loop {
            while running.len() < self.concurrency {
                let Some((index, (id, row))) = pending.next() else {
                    break;
                };
                let director = self.clone();
                running.spawn(async move {
                    let detail: Result<UserJson, ApiError> =
                        director.get_json(&user_json_path(id), &[]).await;
                    (index, detail.map(|d| (id, merge(id, row, d.user))))
                });
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            let (index, user) = joined.map_err(|e| ApiError::Protocol {
                url: self.http.base_url().to_string(),
                detail: format!("a request task failed: {e}"),
            })?;
            results[index] = Some(user?);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        }
        Ok(results.into_iter().flatten().collect())
    }
}

/// One row of the user list: the user's id and what the row shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedUser {
    pub id: u64,
    pub row: Listed,
}

/// What a list row gives: only the cells used, so a million rows stay
/// small while their details are fetched. Two equal rows are the same
/// user as far as the list can tell (it has no client username).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Listed {
    first_name: String,
    last_name: String,
    email: String,
}

impl Listed {
    /// The row's cells moved out, not copied: a page holds 1,000 rows.
    fn of(row: JqGridRow) -> Self {
        let mut cells = row.cell;
        let mut cell = |i: usize| match cells.get_mut(i).and_then(Option::take) {
            Some(serde_json::Value::String(s)) => s,
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        Listed {
            first_name: cell(0),
            last_name: cell(1),
            email: cell(EMAIL_CELL),
        }
    }
}

/// The list row has names and email; the user's JSON adds the client
/// username and the user DN, and wins where both have a value.
fn merge(id: u64, row: Listed, detail: UserDetail) -> DirectoryUser {
    let has_did = Some(detail.has_did());
    let address = detail.address.unwrap_or_default();
    let user_dn = match detail.user_dn {
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => id.to_string(),
    };
    DirectoryUser {
        user_dn: user_dn.into(),
        first_name: address.first_name.unwrap_or(row.first_name).into(),
        last_name: address.last_name.unwrap_or(row.last_name).into(),
        client_username: detail.gui_login_name.unwrap_or_default().into(),
        email: address.email_address.unwrap_or(row.email).into(),
        has_did,
    }
}

/// Director's `{"errors": {field: [messages]}}` as one sentence.
fn director_errors(errors: &serde_json::Value) -> String {
    let text = match errors {
        serde_json::Value::Object(fields) => fields
            .iter()
            .map(|(field, messages)| {
                let words: Vec<String> = match messages {
                    serde_json::Value::Array(list) => list
                        .iter()
                        .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_string))
                        .collect(),
                    other => vec![
                        other
                            .as_str()
                            .map_or_else(|| other.to_string(), str::to_string),
                    ],
                };
                format!("{field} {}", words.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    crate::domain::text::printable(&text).into_owned()
}

/// The token of `<meta name="csrf-token" content="…">`.
pub fn csrf_token(page: &str) -> Option<String> {
    page.split("<meta").skip(1).find_map(|tag| {
        let tag = &tag[..tag.find('>')?];
        if !tag.contains("name=\"csrf-token\"") {
            return None;
        }
        let start = tag.find("content=\"")? + "content=\"".len();
        let end = tag[start..].find('"')? + start;
        Some(tag[start..end].replace("&#43;", "+").replace("&amp;", "&"))
    })
}

fn is_login_page(page: &str) -> bool {
    page.contains("user_session[login_password]")
}

/// Whether `page` is Director's login page (for telling kinds of server apart).
pub fn looks_like_director_login(page: &str) -> bool {
    is_login_page(page)
}

/// The flash message a Rails page shows (`class="flash …"` or
/// `id="flash…"`), as plain text.
fn flash_message(page: &str) -> Option<String> {
    let at = page
        .find("class=\"flash")
        .or_else(|| page.find("id=\"flash"))?;
    let start = page[at..].find('>')? + at + 1;
    let end = page[start..].find('<')? + start;
    let text = page[start..end].trim();
    (!text.is_empty()).then(|| crate::domain::text::printable(text).into_owned())
}

/// The CSRF token inside an older Rails session cookie:
/// URL-escaped `base64(Marshal.dump(session))--digest`, key `_csrf_token`.
pub fn csrf_token_in_cookie(cookie: &str) -> Option<String> {
    use base64::Engine;
    let data = cookie.split("--").next()?;
    let unescaped = data
        .replace("%3D", "=")
        .replace("%2B", "+")
        .replace("%2F", "/")
        .replace("%0A", "");
    let compact: String = unescaped.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()?;
    let key = b"_csrf_token";
    let at = bytes.windows(key.len()).position(|w| w == key)? + key.len();
    // The value: the next Marshal string, `"` then its length as a fixnum.
    let quote = bytes[at..].iter().position(|&b| b == b'"')? + at;
    let (len, skip) = marshal_fixnum(bytes.get(quote + 1..)?)?;
    let start = quote + 1 + skip;
    let value = bytes.get(start..start.checked_add(len)?)?;
    String::from_utf8(value.to_vec()).ok()
}

/// A non-negative Marshal fixnum: (value, bytes it took).
fn marshal_fixnum(bytes: &[u8]) -> Option<(usize, usize)> {
    let first = *bytes.first()? as i8;
    match first {
        0 => Some((0, 1)),
        6..=127 => Some(((first - 5) as usize, 1)),
        1..=4 => {
            let n = first as usize;
            let mut value = 0usize;
            for (i, b) in bytes.get(1..=n)?.iter().enumerate() {
                value |= (*b as usize) << (8 * i);
            }
            Some((value, 1 + n))
        }
        _ => None,
    }
}

/// The build from Monitoring > Services: every JavaScript string in the
/// page's scripts that holds an `aaData` table is read as JSON; the first
/// in-service row whose [4] is a build number gives it.
pub fn build_in_monitoring_page(page: &str) -> Result<BuildNumber, String> {
    let mut tables = 0;
    for script in page.split("<script").skip(1) {
        let body = script.split("</script>").next().unwrap_or_default();
        for literal in js_string_literals(body) {
            if !literal.contains("aaData") {
                continue;
            }
            let Ok(table) = serde_json::from_str::<serde_json::Value>(&literal) else {
                continue;
            };
            tables += 1;
            let rows = table["aaData"].as_array().cloned().unwrap_or_default();
            let builds = rows.iter().filter_map(|row| {
                let in_service = row.get(0).and_then(|v| v.as_str()) == Some("true");
                let build = row.get(4)?.as_str()?.parse::<BuildNumber>().ok()?;
                Some((in_service, build))
            });
            let mut builds: Vec<(bool, BuildNumber)> = builds.collect();
            builds.sort_by_key(|(in_service, _)| !in_service);
            if let Some((_, build)) = builds.into_iter().next() {
                return Ok(build);
            }
        }
    }
    Err(if tables == 0 {
        "the Monitoring > Services page carries no services table this program can read".into()
    } else {
        "the services table on Monitoring > Services names no build number".into()
    })
}

/// The contents of the JavaScript string literals in `script`, unescaped.
fn js_string_literals(script: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = script.chars();
    while let Some(c) = chars.next() {
        if c != '"' && c != '\'' {
            continue;
        }
        let quote = c;
        let mut value = String::new();
        let mut closed = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some('u') => {
                        let hex: String = chars.by_ref().take(4).collect();
                        if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                        {
                            value.push(c);
                        }
                    }
                    Some(other) => value.push(other),
                    None => break,
                },
                c if c == quote => {
                    closed = true;
                    break;
                }
                c => value.push(c),
            }
        }
        if closed {
            found.push(value);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A session is used 20 minutes, then signed in to again (as Mitel's
    /// scripts do) — on the session's clock, moved back here.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_session_is_renewed_after_20_minutes() {
        use std::sync::atomic::Ordering;
        let director = super::super::stand_in::StandIn::start(3).await;
        let web = WebDirector::sign_in(
            &director.url,
            ClientOptions::default(),
            "admin",
            &Secret::new("pw"),
        )
        .await
        .expect("signed in");
        let sign_ins = || director.sign_ins.load(Ordering::Relaxed);
        let age = |minutes: u64| {
            *web.signed_in_at.lock().expect("clock") =
                Instant::now() - Duration::from_secs(minutes * 60);
        };
        age(19);
        web.user_list().await.expect("list");
        assert_eq!(sign_ins(), 1, "19 minutes: kept");
        age(20);
        web.user_list().await.expect("list");
        assert_eq!(sign_ins(), 2, "20 minutes: renewed");
        web.build().await.expect("build");
        assert_eq!(sign_ins(), 2, "fresh again");
    }

    #[test]
    fn finds_the_csrf_token_among_meta_tags() {
        let page = r#"<html><head><meta charset="utf-8"><meta name="csrf-param" content="authenticity_token" />
<meta name="csrf-token" content="abc&#43;def==" /></head>"#;
        assert_eq!(csrf_token(page).as_deref(), Some("abc+def=="));
        assert_eq!(csrf_token("<html></html>"), None);
    }

    #[test]
    fn the_build_is_read_from_the_script_of_monitoring_services() {
        let page = r#"<html><script type="text/javascript">
            var other = 'no table here';
            var servicesData = "{\"aaData\":[[\"false\",\"Remote\",\"Director\",\"R1\",\"21.80.1000.0\"],[\"true\",\"HQ\",\"Director\",\"HQ\",\"22.10.2600.0\"]],\"iTotalRecords\":2}";
            </script></html>"#;
        assert_eq!(
            build_in_monitoring_page(page).map(|b| b.to_string()),
            Ok("22.10.2600.0".to_string()),
            "the in-service row wins"
        );
        for (damaged, why) in [
            ("<html><body>no script</body></html>", "no services table"),
            (
                r#"<script>var d = "{\"aaData\":[[\"true\",\"HQ\",\"D\",\"HQ\",\"soon\"]]}";</script>"#,
                "names no build number",
            ),
            (
                r#"<script>var d = "{\"aaData\": [[\"true\"";</script>"#,
                "no services table",
            ),
        ] {
            let err = build_in_monitoring_page(damaged).expect_err(damaged);
            assert!(err.contains(why), "{damaged}: {err}");
        }
    }

    #[test]
    fn an_older_builds_token_is_read_from_the_session_cookie() {
        use base64::Engine;
        // Marshal.dump({"session_id"=>"abc", "_csrf_token"=>"TOKEN+/="}) by hand.
        let mut marshal = vec![4u8, 8, b'{', 7];
        for s in ["session_id", "abc", "_csrf_token", "TOKEN+/="] {
            marshal.extend_from_slice(b"I\"");
            marshal.push(s.len() as u8 + 5);
            marshal.extend_from_slice(s.as_bytes());
            marshal.extend_from_slice(b"\x06:\x06ET");
        }
        let data = base64::engine::general_purpose::STANDARD.encode(&marshal);
        let cookie = format!("{}--0123abcd", data.replace('=', "%3D"));
        assert_eq!(csrf_token_in_cookie(&cookie).as_deref(), Some("TOKEN+/="));
        assert_eq!(csrf_token_in_cookie("garbage--x"), None);
        assert_eq!(csrf_token_in_cookie(""), None);
    }

    #[test]
    fn flash_messages_are_director_s_own_words() {
        let page = r#"<p class="flash error">Your account is locked.</p><form>user_session[login_password]</form>"#;
        assert_eq!(
            flash_message(page).as_deref(),
            Some("Your account is locked.")
        );
        assert_eq!(flash_message("<form></form>"), None);
    }

    #[test]
    fn merges_list_row_and_user_json() {
        let row: JqGridRow = serde_json::from_str(
            r#"{"id":"17","cell":["Ann","Lee","1017",null,"ann@acme.com","x"]}"#,
        )
        .expect("row");
        let detail: UserJson = serde_json::from_str(
            r#"{"user":{"GuiLoginName":"alee","UserDN":4242,"UserDNID":17,
                "tab_address_attributes":{"FirstName":"Ann","LastName":"Lee"}}}"#,
        )
        .expect("user");
        let user = merge(17, Listed::of(row), detail.user);
        assert_eq!(user.user_dn, "4242");
        assert_eq!(user.client_username, "alee");
        assert_eq!(user.email, "ann@acme.com");
        assert_eq!(user.last_name, "Lee");
        assert_eq!(user.has_did, Some(false), "no dn_attributes: no DID");
    }

    #[test]
    fn a_did_is_read_from_the_users_document() {
        let has_did = |user: &str| {
            let detail: UserJson =
                serde_json::from_str(&format!(r#"{{"user":{user}}}"#)).expect("user");
            detail.user.has_did()
        };
        assert!(has_did(
            r#"{"dn_attributes":{"DN":"1017","DID":"+15551230017"}}"#
        ));
        assert!(has_did(
            r#"{"DIDEnabled":true,"dn_attributes":{"DID":15551230017}}"#
        ));
        assert!(!has_did(
            r#"{"DIDEnabled":false,"dn_attributes":{"DID":"+15551230017"}}"#
        ));
        assert!(!has_did(r#"{"dn_attributes":{"DID":""}}"#));
        assert!(!has_did(r#"{"dn_attributes":{"DID":null}}"#));
        assert!(!has_did(
            r#"{"DIDEnabled":"0","dn_attributes":{"DID":"5"}}"#
        ));
    }
}
