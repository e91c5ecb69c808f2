//! The notification-area icon: the Hybrid state where OneDrive's and
//! Dropbox's icons live, with a tooltip and a menu. On Linux it is a
//! StatusNotifierItem over D-Bus (pure Rust, no GTK); KDE, XFCE, Cinnamon,
//! and GNOME with the AppIndicator extension show it.

pub mod icon;
#[cfg(target_os = "linux")]
pub mod run;
#[cfg(target_os = "linux")]
mod sni;

#[cfg(target_os = "linux")]
pub use sni::TrayIcon;

/// What the icon's menu (or a click on it) asks of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayCommand {
    OpenStatus,
    CheckNow,
    ShowAlerts,
    /// Turn "Start at login" on or off.
    ToggleStartAtLogin,
    Quit,
}

/// The menu, in order: label and what it asks (the first is also a click;
/// "Start at login" carries a check mark).
pub const MENU: [(&str, TrayCommand); 5] = [
    ("Open status", TrayCommand::OpenStatus),
    ("Check now", TrayCommand::CheckNow),
    ("Show alerts", TrayCommand::ShowAlerts),
    ("Start at login", TrayCommand::ToggleStartAtLogin),
    ("Quit", TrayCommand::Quit),
];

/// Why the icon cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum TrayError {
    /// Nothing on the session bus hosts notification-area icons (GNOME
    /// without the AppIndicator extension, a bare X server).
    #[error("no notification area on this desktop (no StatusNotifierWatcher on the session bus)")]
    NoNotificationArea,
    #[error("the session bus cannot be reached: {0}")]
    Bus(String),
}
