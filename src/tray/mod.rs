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
    /// A real Director: open its own web page, whose alarm bar shows the
    /// Hybrid alarm this program cannot read.
    OpenDirector,
    /// The window's Directors view (several Directors are saved).
    OpenDirectors,
    /// Turn "Start at login" on or off.
    ToggleStartAtLogin,
    Quit,
}

/// One line of the menu as shown for a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuLine {
    /// The state in words, greyed: read, not chosen.
    State(String),
    Choice(MenuEntry),
    Separator,
}

/// A line of the menu that does something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub label: String,
    pub command: TrayCommand,
    /// A check mark's state, for "Start at login".
    pub checked: Option<bool>,
}

impl MenuLine {
    fn choice(label: impl Into<String>, command: TrayCommand) -> Self {
        MenuLine::Choice(MenuEntry {
            label: label.into(),
            command,
            checked: None,
        })
    }
}

/// The menu for `view`, in order: the state (greyed), Open status, Check
/// now, Show alerts (a Director whose alerts can be read) or Open
/// Director's alarm bar (a real Director), Directors (N) when several are
/// saved, Start at login (where the system has a way to), a separator,
/// Quit. Before the setup is done: Open the setup, and Quit.
pub fn menu_for(view: &TrayView) -> Vec<MenuLine> {
    if !view.provisioned {
        return vec![
            MenuLine::choice("Open the setup", TrayCommand::OpenStatus),
            MenuLine::Separator,
            MenuLine::choice("Quit", TrayCommand::Quit),
        ];
    }
    let mut lines = vec![
        MenuLine::State(view.line()),
        MenuLine::choice("Open status", TrayCommand::OpenStatus),
        MenuLine::choice("Check now", TrayCommand::CheckNow),
    ];
    lines.push(if view.alarm_hidden {
        MenuLine::choice("Open Director's alarm bar", TrayCommand::OpenDirector)
    } else {
        MenuLine::choice("Show alerts", TrayCommand::ShowAlerts)
    });
    if view.directors > 1 {
        lines.push(MenuLine::choice(
            format!("Directors ({})", view.directors),
            TrayCommand::OpenDirectors,
        ));
    }
    if let Some(checked) = view.start_at_login {
        lines.push(MenuLine::Choice(MenuEntry {
            label: "Start at login".into(),
            command: TrayCommand::ToggleStartAtLogin,
            checked: Some(checked),
        }));
    }
    lines.push(MenuLine::Separator);
    lines.push(MenuLine::choice("Quit", TrayCommand::Quit));
    lines
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
    use crate::domain::drift::{Glance, Reading, Watched};

    /// Each line as a panel shows it: "—" a separator, "(…)" greyed.
    fn lines(view: &TrayView) -> Vec<String> {
        menu_for(view)
            .into_iter()
            .map(|line| match line {
                MenuLine::State(text) => format!("({text})"),
                MenuLine::Choice(e) => match e.checked {
                    Some(true) => format!("[x] {}", e.label),
                    Some(false) => format!("[ ] {}", e.label),
                    None => e.label,
                },
                MenuLine::Separator => "—".into(),
            })
            .collect()
    }

    #[test]
    fn the_menu_follows_the_setup_and_start_at_login() {
        let mut view = TrayView::of(&Status {
            state: AlarmState::Green,
            summary: "last sync 2 min ago".into(),
        });
        assert_eq!(
            lines(&view),
            [
                "(Connect Sync healthy — last sync 2 min ago)",
                "Open status",
                "Check now",
                "Show alerts",
                "—",
                "Quit"
            ],
            "no way to start at login: no such line"
        );
        view.start_at_login = Some(true);
        view.directors = 3;
        assert_eq!(
            lines(&view)[4..],
            ["Directors (3)", "[x] Start at login", "—", "Quit"]
        );
        let mut new = TrayView::not_provisioned();
        new.start_at_login = Some(false);
        assert_eq!(lines(&new), ["Open the setup", "—", "Quit"]);
    }

    #[test]
    fn a_real_directors_menu_says_its_state_and_opens_its_alarm_bar() {
        let mut glance = Glance::default();
        glance.observe(
            &Watched::Read(Reading {
                build: Ok("21.90.9743.0".into()),
                invalid: 16,
                total: 22,
                examples: vec![],
                without_did: None,
                emails: Default::default(),
            }),
            0,
        );
        let mut view = TrayView::of_glance("hq", &glance, Some(120));
        view.start_at_login = Some(false);
        assert_eq!(
            lines(&view),
            [
                "(hq: 16 of 22 client usernames would fail Connect Sync — checked 2 min ago · Hybrid alarm: see Director's alarm bar)",
                "Open status",
                "Check now",
                "Open Director's alarm bar",
                "[ ] Start at login",
                "—",
                "Quit"
            ]
        );
    }
}
