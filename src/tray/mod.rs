//! The notification-area icon: the Hybrid state where OneDrive's and
//! Dropbox's icons live, with a tooltip and a menu. On Linux it is a
//! StatusNotifierItem over D-Bus (pure Rust, no GTK); KDE, XFCE, Cinnamon,
//! and GNOME with the AppIndicator extension show it. On Windows it is the
//! shell's notification icon (`Shell_NotifyIcon`).

use crate::domain::tray::TrayView;

pub mod icon;
#[cfg(any(target_os = "linux", windows))]
pub mod run;
#[cfg(windows)]
mod shell;
#[cfg(target_os = "linux")]
mod sni;

#[cfg(windows)]
pub use shell::TrayIcon;
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

/// One line of the menu as shown for a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub label: &'static str,
    pub command: TrayCommand,
    /// A check mark's state, for "Start at login".
    pub checked: Option<bool>,
}

/// The menu for `view`: before the setup is done there is nothing to check
/// or start at login, and the first line opens the setup; "Start at login"
/// shows only where the system has a way to.
pub fn menu_for(view: &TrayView) -> Vec<MenuEntry> {
    let provisioned = view.provisioned;
    MENU.iter()
        .filter_map(|&(label, command)| {
            let entry = |label| MenuEntry {
                label,
                command,
                checked: None,
            };
            match command {
                TrayCommand::CheckNow | TrayCommand::ShowAlerts if !provisioned => None,
                TrayCommand::ToggleStartAtLogin => {
                    let checked = view.start_at_login.filter(|_| provisioned)?;
                    Some(MenuEntry {
                        checked: Some(checked),
                        ..entry(label)
                    })
                }
                TrayCommand::OpenStatus if !provisioned => Some(entry("Open the setup")),
                _ => Some(entry(label)),
            }
        })
        .collect()
}

/// Why the icon cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum TrayError {
    /// Nothing on the session bus hosts notification-area icons (GNOME
    /// without the AppIndicator extension, a bare X server), or Windows'
    /// shell refused the icon (no taskbar running).
    #[cfg_attr(
        not(windows),
        error(
            "no notification area on this desktop (no StatusNotifierWatcher on the session bus)"
        )
    )]
    #[cfg_attr(
        windows,
        error("no notification area on this desktop (the shell refused the icon)")
    )]
    NoNotificationArea,
    #[error("the session bus cannot be reached: {0}")]
    Bus(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alarm::{AlarmState, Status};

    fn labels(view: &TrayView) -> Vec<(&'static str, Option<bool>)> {
        menu_for(view)
            .iter()
            .map(|e| (e.label, e.checked))
            .collect()
    }

    #[test]
    fn the_menu_follows_the_setup_and_start_at_login() {
        let mut view = TrayView::of(&Status {
            state: AlarmState::Green,
            summary: "last sync 2 min ago".into(),
        });
        assert_eq!(
            labels(&view),
            [
                ("Open status", None),
                ("Check now", None),
                ("Show alerts", None),
                ("Quit", None)
            ],
            "no way to start at login: no such line"
        );
        view.start_at_login = Some(true);
        assert!(labels(&view).contains(&("Start at login", Some(true))));
        let mut new = TrayView::not_provisioned();
        new.start_at_login = Some(false);
        assert_eq!(labels(&new), [("Open the setup", None), ("Quit", None)]);
    }
}
