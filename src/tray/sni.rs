//! The icon as a StatusNotifierItem on the session bus (the `ksni` crate).

use ksni::TrayMethods;
use tokio::sync::mpsc::UnboundedSender;

use super::{MenuLine, TrayCommand, TrayError, icon, menu_for};
use crate::domain::tray::{Attention, TrayView};

/// Icon sizes handed to the panel; it picks the nearest.
const SIZES: [u32; 3] = [22, 32, 64];

/// The item's state: what it shows, and where its menu's choices go.
struct Item {
    view: TrayView,
    commands: UnboundedSender<TrayCommand>,
}

impl ksni::Tray for Item {
    fn id(&self) -> String {
        "hybrid-setup".into()
    }

    fn title(&self) -> String {
        crate::domain::APP_NAME.into()
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        let _ = self.commands.send(TrayCommand::OpenStatus);
    }

    fn category(&self) -> ksni::Category {
        ksni::Category::SystemServices
    }

    fn status(&self) -> ksni::Status {
        match self.view.attention {
            Attention::Active => ksni::Status::Active,
            Attention::NeedsAttention => ksni::Status::NeedsAttention,
        }
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        SIZES
            .iter()
            .map(|&size| {
                let picture = icon::pixmap_for(&self.view, size);
                ksni::Icon {
                    width: size as i32,
                    height: size as i32,
                    data: picture.argb,
                }
            })
            .collect()
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: self.view.title.clone(),
            description: self.view.text.clone(),
            ..Default::default()
        }
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        menu_for(&self.view)
            .into_iter()
            .map(|line| {
                let entry = match line {
                    MenuLine::Separator => return ksni::MenuItem::Separator,
                    MenuLine::State(text) => {
                        return ksni::menu::StandardItem {
                            label: text,
                            enabled: false,
                            ..Default::default()
                        }
                        .into();
                    }
                    MenuLine::Choice(entry) => entry,
                };
                let command = entry.command;
                let activate = Box::new(move |item: &mut Self| {
                    let _ = item.commands.send(command);
                });
                match entry.checked {
                    Some(checked) => ksni::menu::CheckmarkItem {
                        label: entry.label,
                        checked,
                        activate,
                        ..Default::default()
                    }
                    .into(),
                    None => ksni::menu::StandardItem {
                        label: entry.label,
                        activate,
                        ..Default::default()
                    }
                    .into(),
                }
            })
            .collect()
    }
}

/// The icon while it is shown; dropping it does not remove it (see
/// [`TrayIcon::remove`]).
pub struct TrayIcon {
    handle: ksni::Handle<Item>,
}

impl TrayIcon {
    /// Puts the icon in the notification area; its menu's choices arrive on
    /// `commands`.
    pub async fn show(
        view: TrayView,
        commands: UnboundedSender<TrayCommand>,
    ) -> Result<Self, TrayError> {
        let item = Item { view, commands };
        match item.spawn().await {
            Ok(handle) => Ok(TrayIcon { handle }),
            Err(ksni::Error::Watcher(_) | ksni::Error::WontShow) => {
                Err(TrayError::NoNotificationArea)
            }
            Err(e) => Err(TrayError::Bus(e.to_string())),
        }
    }

    /// Shows `view` (the panel is told only when something changed).
    pub async fn update(&self, view: TrayView) {
        self.handle
            .update(|item| {
                if item.view != view {
                    item.view = view;
                }
            })
            .await;
    }

    /// Takes the icon off the panel.
    pub async fn remove(self) {
        self.handle.shutdown().await;
    }
}
