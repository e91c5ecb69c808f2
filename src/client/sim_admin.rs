//! A client for the simulator's loopback-only admin routes: fault injection
//! and the world's switches. Used by tests, benchmarks and demos.

use reqwest::Method;

use crate::client::http::{ApiError, ClientOptions, Http, Idempotent, RetryPolicy};
use crate::contract::{Fault, FaultList, SimControl, SimControlState, paths};

#[derive(Debug)]
pub struct SimAdmin {
    http: Http,
}

impl SimAdmin {
    pub fn new(base_url: &str) -> Result<Self, ApiError> {
        let options = ClientOptions {
            retry: RetryPolicy::NONE,
            ..ClientOptions::default()
        };
        Ok(SimAdmin {
            http: Http::new(base_url, options)?,
        })
    }

    pub async fn add_fault(&self, fault: &Fault) -> Result<FaultList, ApiError> {
        self.http
            .send(Method::POST, paths::SIM_FAULTS, Some(fault), Idempotent::No)
            .await
    }

    /// The faults in force; `times` counts down as requests meet them.
    pub async fn faults(&self) -> Result<FaultList, ApiError> {
        self.http.get(paths::SIM_FAULTS, &[]).await
    }

    pub async fn clear_faults(&self) -> Result<(), ApiError> {
        self.http
            .send_empty(
                Method::DELETE,
                paths::SIM_FAULTS,
                None::<&()>,
                Idempotent::Yes,
            )
            .await
    }

    pub async fn control(&self, control: &SimControl) -> Result<SimControlState, ApiError> {
        self.http
            .send(
                Method::POST,
                paths::SIM_CONTROL,
                Some(control),
                Idempotent::Yes,
            )
            .await
    }

    /// How many requests each `METHOD /path` got since the start.
    pub async fn requests(&self) -> Result<std::collections::BTreeMap<String, u64>, ApiError> {
        self.http.get(paths::SIM_REQUESTS, &[]).await
    }

    /// The requests counted whose `METHOD /path` starts with `prefix`.
    pub async fn requests_to(&self, prefix: &str) -> Result<u64, ApiError> {
        Ok(self
            .requests()
            .await?
            .iter()
            .filter(|(key, _)| key.starts_with(prefix))
            .map(|(_, n)| n)
            .sum())
    }

    /// The whole simulated world, as `--state FILE` keeps it.
    pub async fn state(&self) -> Result<serde_json::Value, ApiError> {
        self.http.get(paths::SIM_STATE, &[]).await
    }
}
