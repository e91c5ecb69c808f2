//! Desktop notifications (D-Bus on Linux, a toast on Windows), shown off
//! the async threads: the window and the notification-area icon both send
//! them.

use crate::domain::alarm::Notification;

/// Shows `notification` without waiting for it; a desktop that cannot show
/// one is logged, not an error.
pub fn show(runtime: &tokio::runtime::Handle, notification: Notification) {
    runtime.spawn_blocking(move || {
        let shown = notify_rust::Notification::new()
            .appname(crate::domain::APP_NAME)
            .summary(&notification.title)
            .body(&notification.body)
            .show();
        if let Err(e) = shown {
            tracing::warn!("cannot show a desktop notification: {e}");
        }
    });
}
