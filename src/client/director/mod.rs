//! The Director client: what the program asks of a Connect Director.
//!
//! [`Director`] is the seam where a real deployment plugs in; [`HttpDirector`]
//! speaks the contract of `docs/server-contract.md` (which the built-in
//! simulator serves).

pub mod database;
pub mod kind;
#[cfg(test)]
pub mod stand_in;
pub mod user_list;
pub mod web;

use std::time::{Duration, Instant};

use user_list::{ListGuard, READ_DEADLINE, within_deadline};

use std::future::Future;
use std::sync::Mutex;

use reqwest::Method;

use crate::client::http::{ApiError, ClientOptions, Http, Idempotent};
use crate::contract::{
    Alert, DirectorLogin, DirectorSession, SyncSaved, SyncSettings, SyncSettingsUpdate, SyncStatus,
    SystemInfo, UserRecord, UsersPage, paths,
};
use crate::domain::secret::Secret;
use crate::domain::sign_in::SignInGuard;

/// Users fetched per request when reading the whole directory.
pub const USERS_PAGE_SIZE: u64 = 5_000;

pub trait Director: Send + Sync {
    fn login(
        &self,
        login_name: &str,
        password: &Secret,
    ) -> impl Future<Output = Result<DirectorSession, ApiError>> + Send;
    /// Ends the session, so a copied cookie is worth nothing afterwards.
    fn logout(&self) -> impl Future<Output = Result<(), ApiError>> + Send;
    fn system_info(&self) -> impl Future<Output = Result<SystemInfo, ApiError>> + Send;
    /// Every user, read page by page; `progress(read, total)` after each page.
    fn users(
        &self,
        progress: impl Fn(u64, u64) + Send + Sync,
    ) -> impl Future<Output = Result<Vec<UserRecord>, ApiError>> + Send;
    fn sync_settings(&self) -> impl Future<Output = Result<SyncSettings, ApiError>> + Send;
    fn save_sync_settings(
        &self,
        update: &SyncSettingsUpdate,
    ) -> impl Future<Output = Result<SyncSaved, ApiError>> + Send;
    fn run_sync(&self) -> impl Future<Output = Result<(), ApiError>> + Send;
    fn sync_status(&self) -> impl Future<Output = Result<SyncStatus, ApiError>> + Send;
    fn alerts(&self) -> impl Future<Output = Result<Vec<Alert>, ApiError>> + Send;

    /// The sync status with the alerts behind it: what the status panel,
    /// the first-sync check and `status` all read.
    fn sync_state(
        &self,
    ) -> impl Future<Output = Result<(SyncStatus, Vec<Alert>), ApiError>> + Send {
        async {
            let status = self.sync_status().await?;
            let alerts = self.alerts().await?;
            Ok((status, alerts))
        }
    }
}

/// Director over HTTP with a cookie session. When the session expires (Director
/// ends idle sessions), the client signs in again once with the credentials it
/// was given and repeats the call.
#[derive(Debug)]
pub struct HttpDirector {
    http: Http,
    credentials: Mutex<Option<(String, Secret)>>,
    /// Signing in again on its own never re-sends a refused password
    /// before its back-off (see `domain::sign_in`).
    guard: Mutex<SignInGuard>,
    /// How long reading every user may take in all.
    read_deadline: Duration,
}

impl HttpDirector {
    pub fn new(base_url: &str, options: ClientOptions) -> Result<Self, ApiError> {
        Ok(HttpDirector {
            http: Http::new(base_url, options)?,
            credentials: Mutex::new(None),
            guard: Mutex::new(SignInGuard::default()),
            read_deadline: READ_DEADLINE,
        })
    }

    /// Another limit for reading every user (tests of a slow Director).
    pub fn with_read_deadline(mut self, deadline: Duration) -> Self {
        self.read_deadline = deadline;
        self
    }

    pub fn base_url(&self) -> &str {
        self.http.base_url()
    }

    /// Gives the credentials to sign in with when a call finds no session
    /// (a monitor started before the first sign-in, or an expired session).
    pub fn set_credentials(&self, login_name: &str, password: &Secret) {
        *self.credentials.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((login_name.to_string(), password.clone()));
    }

    fn saved_credentials(&self) -> Option<(String, Secret)> {
        self.credentials
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    async fn login_once(
        &self,
        login_name: &str,
        password: &Secret,
    ) -> Result<DirectorSession, ApiError> {
        let body = DirectorLogin {
            login_name: login_name.to_string(),
            password: password.clone(),
        };
        self.http
            .send(
                Method::POST,
                paths::DIRECTOR_SESSION,
                Some(&body),
                Idempotent::No,
            )
            .await
    }

    /// Runs `call`; on an expired session, signs in again and runs it once more.
    async fn authed<T, F, Fut>(&self, call: F) -> Result<T, ApiError>
    where
        F: Fn() -> Fut + Send + Sync,
        Fut: Future<Output = Result<T, ApiError>> + Send,
    {
        match call().await {
            Err(ApiError::Unauthorized { message }) => {
                let Some((login_name, password)) = self.saved_credentials() else {
                    return Err(ApiError::Unauthorized { message });
                };
                // Never the password Director refused, on its own: an
                // account may lock (a new password goes at once).
                let held = (self.guard.lock().unwrap_or_else(|e| e.into_inner()))
                    .may_try(&password, Instant::now());
                if let Err(words) = held {
                    return Err(ApiError::Unauthorized { message: words });
                }
                tracing::info!("Director session ended; signing in again");
                match self.login_once(&login_name, &password).await {
                    Ok(_) => self
                        .guard
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .accepted(),
                    Err(ApiError::Unauthorized { message }) => {
                        let words = (self.guard.lock().unwrap_or_else(|e| e.into_inner())).refused(
                            &password,
                            &message,
                            Instant::now(),
                        );
                        tracing::warn!("{words}");
                        return Err(ApiError::Unauthorized { message: words });
                    }
                    Err(other) => return Err(other),
                }
                call().await
            }
            other => other,
        }
    }
}

impl Director for HttpDirector {
    async fn login(
        &self,
        login_name: &str,
        password: &Secret,
    ) -> Result<DirectorSession, ApiError> {
        let session = self.login_once(login_name, password).await?;
        *self.credentials.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((login_name.to_string(), password.clone()));
        Ok(session)
    }

    async fn logout(&self) -> Result<(), ApiError> {
        self.http
            .send_empty(
                Method::DELETE,
                paths::DIRECTOR_SESSION,
                None::<&()>,
                Idempotent::No,
            )
            .await
    }

    async fn system_info(&self) -> Result<SystemInfo, ApiError> {
        self.authed(|| self.http.get(paths::DIRECTOR_SYSTEM, &[]))
            .await
    }

    async fn users(
        &self,
        progress: impl Fn(u64, u64) + Send + Sync,
    ) -> Result<Vec<UserRecord>, ApiError> {
        let url = self.http.url(paths::DIRECTOR_USERS);
        let read = async {
            let mut users = Vec::new();
            let mut guard = ListGuard::new(&url);
            loop {
                let offset = users.len() as u64;
                let query = [
                    ("offset", offset.to_string()),
                    ("limit", USERS_PAGE_SIZE.to_string()),
                ];
                let (page, bytes): (UsersPage, usize) = self
                    .authed(|| self.http.get_sized(paths::DIRECTOR_USERS, &query))
                    .await?;
                let more = guard.page(
                    page.total,
                    page.users.iter().map(|u| u.user_dn.as_str()),
                    bytes,
                )?;
                users.extend(page.users);
                progress(users.len() as u64, page.total.max(users.len() as u64));
                if !more {
                    return Ok(users);
                }
            }
        };
        within_deadline(self.read_deadline, &url, read).await
    }

    async fn sync_settings(&self) -> Result<SyncSettings, ApiError> {
        self.authed(|| self.http.get(paths::DIRECTOR_SYNC_SETTINGS, &[]))
            .await
    }

    async fn save_sync_settings(&self, update: &SyncSettingsUpdate) -> Result<SyncSaved, ApiError> {
        // A change is sent once: after a lost answer the window shows the
        // error and the administrator decides. (A 401 proves nothing was
        // saved, so `authed` may sign in again and send it once more.)
        self.authed(|| {
            self.http.send(
                Method::PUT,
                paths::DIRECTOR_SYNC_SETTINGS,
                Some(update),
                Idempotent::No,
            )
        })
        .await
    }

    async fn run_sync(&self) -> Result<(), ApiError> {
        self.authed(|| {
            self.http.send_empty(
                Method::POST,
                paths::DIRECTOR_SYNC_RUN,
                None::<&()>,
                Idempotent::No,
            )
        })
        .await
    }

    async fn sync_status(&self) -> Result<SyncStatus, ApiError> {
        self.authed(|| self.http.get(paths::DIRECTOR_SYNC_STATUS, &[]))
            .await
    }

    async fn alerts(&self) -> Result<Vec<Alert>, ApiError> {
        let list: crate::contract::AlertList = self
            .authed(|| self.http.get(paths::DIRECTOR_ALERTS, &[]))
            .await?;
        Ok(list.alerts)
    }
}
