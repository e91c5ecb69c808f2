//! Director's own web interface (the Rails app on port 5478 that public
//! automation scripts drive), read the way those scripts read it: sign in
//! through the login form with its CSRF token, page through the jqGrid user
//! list, then fetch each user's JSON for the client username the list lacks.
//! One request per user, so they run a few at a time with progress shown.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::task::JoinSet;

use crate::client::director::user_list::{ListGuard, READ_DEADLINE, within_deadline};
use crate::client::http::{ApiError, ClientOptions, Http};
use crate::contract::director_web::{
    EMAIL_CELL, JqGridPage, JqGridRow, LOGIN_PATH, USERS_LIST_PATH, UserDetail, UserJson,
    user_json_path,
};
use crate::domain::format::DirectoryUser;
use crate::domain::secret::Secret;

/// Rows asked for per page of the jqGrid list.
pub const LIST_PAGE_ROWS: u64 = 500;
/// User JSON requests in flight at once: quick, without crowding Director.
pub const CONCURRENT_USER_REQUESTS: usize = 8;

/// Director's web interface, signed in. Clones share the session.
#[derive(Debug, Clone)]
pub struct WebDirector {
    http: Http,
    login_name: String,
    password: Secret,
}

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
        };
        director.login().await?;
        Ok(director)
    }

    async fn login(&self) -> Result<(), ApiError> {
        let page = self.http.get_page(LOGIN_PATH).await?;
        let token = csrf_token(&page).ok_or_else(|| ApiError::Protocol {
            url: self.http.url(LOGIN_PATH),
            detail: "the login page has no CSRF token (is this a Director?)".into(),
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
            return Err(ApiError::Unauthorized {
                message: "Director refused the login name or password.".into(),
            });
        }
        Ok(())
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
        match self.http.get_sized(path, query).await {
            Err(ApiError::Protocol { detail, .. }) if detail.contains("text/html") => {
                tracing::info!("Director web session ended; signing in again");
                self.login().await?;
                self.http.get_sized(path, query).await
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
        let url = self.http.url(USERS_LIST_PATH);
        within_deadline(READ_DEADLINE, &url, self.read_all(&url, progress)).await
    }

    async fn read_all(
        &self,
        url: &str,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<Vec<DirectoryUser>, ApiError> {
        let mut listed: Vec<(u64, Listed)> = Vec::new();
        let mut guard = ListGuard::new(url);
        let mut page_number = 1;
        let total = loop {
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
            for row in page.rows {
                let id = row.id.number().ok_or_else(|| ApiError::Protocol {
                    url: self.http.url(USERS_LIST_PATH),
                    detail: format!("a user id is not a number: {:?}", row.id),
                })?;
                listed.push((id, Listed::of(&row)));
            }
            if !more {
                break listed.len() as u64;
            }
            page_number += 1;
        };
        progress(0, total);
        self.details(listed, total, progress).await
    }

    async fn details(
        &self,
        listed: Vec<(u64, Listed)>,
        total: u64,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<Vec<DirectoryUser>, ApiError> {
        let done = AtomicU64::new(0);
        let mut results: Vec<Option<DirectoryUser>> = vec![None; listed.len()];
        let mut pending = listed.into_iter().enumerate();
        let mut running = JoinSet::new();
        loop {
            while running.len() < CONCURRENT_USER_REQUESTS {
                let Some((index, (id, row))) = pending.next() else {
                    break;
                };
                let director = self.clone();
                running.spawn(async move {
                    let detail: Result<UserJson, ApiError> =
                        director.get_json(&user_json_path(id), &[]).await;
                    (index, detail.map(|d| merge(id, row, d.user)))
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

/// What a list row gives: only the cells used, so a million rows stay
/// small while their details are fetched.
#[derive(Debug, Clone)]
struct Listed {
    first_name: String,
    last_name: String,
    email: String,
}

impl Listed {
    fn of(row: &JqGridRow) -> Self {
        let cell = |i: usize| match row.cell.get(i) {
            Some(Some(serde_json::Value::String(s))) => s.clone(),
            Some(Some(serde_json::Value::Null)) | Some(None) | None => String::new(),
            Some(Some(other)) => other.to_string(),
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
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_csrf_token_among_meta_tags() {
        let page = r#"<html><head><meta charset="utf-8"><meta name="csrf-param" content="authenticity_token" />
<meta name="csrf-token" content="abc&#43;def==" /></head>"#;
        assert_eq!(csrf_token(page).as_deref(), Some("abc+def=="));
        assert_eq!(csrf_token("<html></html>"), None);
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
        let user = merge(17, Listed::of(&row), detail.user);
        assert_eq!(user.user_dn, "4242");
        assert_eq!(user.client_username, "alee");
        assert_eq!(user.email, "ann@acme.com");
        assert_eq!(user.last_name, "Lee");
    }
}
