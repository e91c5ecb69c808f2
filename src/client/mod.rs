//! Talking to servers: HTTP with retries and typed errors, TLS with pinned
//! certificates, the Director (its contract, its web interface, its
//! configuration database) and the Connect Portal.

pub mod director;
pub mod http;
pub mod portal;
pub mod sim_admin;
pub mod tls;
