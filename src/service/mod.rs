//! Work the window and the command line share: the sync monitor, the
//! username audit, diagnostics for support, the troubleshooting guide.

pub mod audit;
pub mod desktop_notification;
pub mod diagnostics;
pub mod drift_watch;
pub mod exporter;
pub mod fix;
pub mod fleet;
pub mod memory;
pub mod monitor;
pub mod troubleshooting;
pub mod web_users;
