//! The desktop window: the provisioning wizard (one screen per step, see
//! [`screen::Screen`]) and the status panel it ends on. Background work is
//! in [`tasks`]; nothing here waits on the network.

pub mod app;
pub mod screen;
pub mod screens;
pub mod taskbar_icon;
pub mod tasks;
pub mod widgets;
pub mod window;

pub use window::show;

pub const APP_NAME: &str = crate::domain::APP_NAME;
