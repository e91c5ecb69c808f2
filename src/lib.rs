//! Connect HYBRID Setup: provisioning wizard and sync monitor for
//! Mitel/ShoreTel Connect HYBRID services.

pub mod audit;
pub mod cli;
pub mod contract;
pub mod diagnostics;
pub mod director;
pub mod domain;
pub mod fsutil;
pub mod logging;
pub mod monitor;
pub mod net;
pub mod portal;
pub mod secret;
pub mod secrets;
pub mod settings;
pub mod sim;
pub mod sources;
pub mod tls;
pub mod troubleshooting;
pub mod ui;
pub mod users_csv;
