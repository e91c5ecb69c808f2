//! Connect HYBRID Setup: provisioning wizard and sync monitor for
//! Mitel/ShoreTel Connect HYBRID services.
//!
//! The folders are the layers (see `docs/architecture.md`); data flows one way:
//! `domain` ← `contract` ← `client` / `store` ← `service` ← `ui` / `tray` / `cli` ← `launch`,
//! with `sim` beside them on `contract` and `domain`. `tests/architecture.rs`
//! keeps the rules.

pub mod cli;
pub mod client;
pub mod contract;
pub mod domain;
pub mod launch;
pub mod service;
pub mod sim;
pub mod store;
pub mod tray;
pub mod ui;
