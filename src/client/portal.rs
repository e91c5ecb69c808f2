//! The Connect Portal client: registration, sign-in, Account Details and the
//! Connect Credentials "Show". [`HttpPortal`] speaks the contract of
//! `docs/server-contract.md`.

use std::future::Future;

use reqwest::Method;

use crate::client::http::{ApiError, ClientOptions, Http, Idempotent};
use crate::contract::{
    AccountDetails, ContactInfo, Credentials, Email, NewContact, Outbox, PortalLogin,
    PortalSession, PortalUser, PortalUsers, Registered, RegistrationRequest, Terms, paths,
};
use crate::domain::secret::Secret;

pub trait Portal: Send + Sync {
    fn terms(&self) -> impl Future<Output = Result<Terms, ApiError>> + Send;
    /// The Terms of Service as a page for the system browser.
    fn terms_page_url(&self) -> String;
    fn register(
        &self,
        request: &RegistrationRequest,
    ) -> impl Future<Output = Result<Registered, ApiError>> + Send;
    /// Emails the Portal sent to `to` (the simulator's outbox; a real Portal
    /// has none and answers `NotFound`).
    fn outbox(&self, to: &str) -> impl Future<Output = Result<Vec<Email>, ApiError>> + Send;
    fn login(
        &self,
        email: &str,
        password: &Secret,
    ) -> impl Future<Output = Result<PortalSession, ApiError>> + Send;
    fn logout(&self) -> impl Future<Output = Result<(), ApiError>> + Send;
    fn account_details(&self) -> impl Future<Output = Result<AccountDetails, ApiError>> + Send;
    /// Connect Credentials > Show. Refused (`Forbidden`) unless the signed-in
    /// contact is the Decision Maker.
    fn reveal_credentials(&self) -> impl Future<Output = Result<Credentials, ApiError>> + Send;
    fn add_contact(
        &self,
        contact: &NewContact,
    ) -> impl Future<Output = Result<ContactInfo, ApiError>> + Send;
    fn users(&self) -> impl Future<Output = Result<Vec<PortalUser>, ApiError>> + Send;
}

#[derive(Debug)]
pub struct HttpPortal {
    http: Http,
}

impl HttpPortal {
    pub fn new(base_url: &str, options: ClientOptions) -> Result<Self, ApiError> {
        Ok(HttpPortal {
            http: Http::new(base_url, options)?,
        })
    }
}

impl Portal for HttpPortal {
    async fn terms(&self) -> Result<Terms, ApiError> {
        self.http.get(paths::PORTAL_TERMS, &[]).await
    }

    fn terms_page_url(&self) -> String {
        self.http.url(paths::PORTAL_TERMS_PAGE)
    }

    async fn register(&self, request: &RegistrationRequest) -> Result<Registered, ApiError> {
        self.http
            .send(
                Method::POST,
                paths::PORTAL_REGISTRATIONS,
                Some(request),
                Idempotent::No,
            )
            .await
    }

    async fn outbox(&self, to: &str) -> Result<Vec<Email>, ApiError> {
        let outbox: Outbox = self
            .http
            .get(paths::PORTAL_OUTBOX, &[("to", to.to_string())])
            .await?;
        Ok(outbox.emails)
    }

    async fn login(&self, email: &str, password: &Secret) -> Result<PortalSession, ApiError> {
        let body = PortalLogin {
            email: email.trim().to_string(),
            password: password.clone(),
        };
        self.http
            .send(
                Method::POST,
                paths::PORTAL_SESSION,
                Some(&body),
                Idempotent::No,
            )
            .await
    }

    async fn logout(&self) -> Result<(), ApiError> {
        self.http
            .send_empty(
                Method::DELETE,
                paths::PORTAL_SESSION,
                None::<&()>,
                Idempotent::Yes,
            )
            .await
    }

    async fn account_details(&self) -> Result<AccountDetails, ApiError> {
        self.http.get(paths::PORTAL_ACCOUNT, &[]).await
    }

    async fn reveal_credentials(&self) -> Result<Credentials, ApiError> {
        // Revealing a secret is an audited act in the Portal: once per click.
        self.http
            .send(
                Method::POST,
                paths::PORTAL_CREDENTIALS,
                None::<&()>,
                Idempotent::No,
            )
            .await
    }

    async fn add_contact(&self, contact: &NewContact) -> Result<ContactInfo, ApiError> {
        self.http
            .send(
                Method::POST,
                paths::PORTAL_CONTACTS,
                Some(contact),
                Idempotent::No,
            )
            .await
    }

    async fn users(&self) -> Result<Vec<PortalUser>, ApiError> {
        let users: PortalUsers = self.http.get(paths::PORTAL_USERS, &[]).await?;
        Ok(users.users)
    }
}
