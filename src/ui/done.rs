//! Step 8: provisioning is done. The status panel mirrors Director's Hybrid
//! alarm icon, and the next steps lead to the Portal's Add-on Features.

use std::time::{Duration, Instant};

use egui::{RichText, Ui};

use super::app::Ctx;
use super::backend::Event;
use super::widgets;
use crate::contract::{Alert, SyncStatus};
use crate::director::sync_report;
use crate::domain::alarm::{self, AlarmState, Status};
use crate::domain::wizard::Step;
use crate::net::ApiError;

/// Director is asked this often; sync itself runs about every 5 minutes.
pub const POLL_EVERY: Duration = Duration::from_secs(30);

#[derive(Default)]
pub struct DoneScreen {
    status: Option<(SyncStatus, Vec<Alert>)>,
    error: Option<ApiError>,
    last_poll: Option<Instant>,
    polling: bool,
}

impl DoneScreen {
    pub fn on_event(&mut self, event: &Event) {
        if let Event::Status(result) = event {
            self.polling = false;
            match result {
                Ok(status) => {
                    self.status = Some(status.clone());
                    self.error = None;
                }
                Err(e) => self.error = Some(e.clone()),
            }
        }
    }

    /// The state the icon shows: Unknown (with the reason) when Director
    /// cannot be read.
    pub fn evaluated(&self) -> Status {
        match (&self.error, &self.status) {
            (Some(e), _) => Status {
                state: AlarmState::Unknown,
                summary: format!("cannot read Director: {e}"),
            },
            (None, Some((status, alerts))) => alarm::evaluate(&sync_report(status, alerts)),
            (None, None) => Status {
                state: AlarmState::Unknown,
                summary: "reading Director…".into(),
            },
        }
    }

    pub fn show(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        let due = self.last_poll.is_none_or(|t| t.elapsed() >= POLL_EVERY);
        if due && !self.polling {
            self.polling = true;
            self.last_poll = Some(Instant::now());
            ctx.backend.poll_status();
        }
        ui.ctx().request_repaint_after(POLL_EVERY);

        ui.heading("Connect HYBRID is set up");
        ui.add_space(8.0);
        let evaluated = self.evaluated();
        ui.horizontal(|ui| {
            widgets::hybrid_icon(ui, evaluated.state, 72.0);
            ui.vertical(|ui| {
                let headline = match evaluated.state {
                    AlarmState::Green => "Connect Sync healthy",
                    AlarmState::Red => "Connect Sync has an alert",
                    AlarmState::Stale => "Connect Sync is stale",
                    AlarmState::Unknown => "Connect Sync status unknown",
                };
                ui.label(
                    RichText::new(headline)
                        .size(22.0)
                        .strong()
                        .color(widgets::state_color(evaluated.state)),
                );
                ui.label(&evaluated.summary);
                if let Some((status, _)) = &self.status {
                    if let Some(next) = status.next_sync_at {
                        ui.label(format!(
                            "Next sync in about {}",
                            alarm::human_duration(next.saturating_sub(status.server_time))
                        ));
                    }
                    ui.label(format!(
                        "Invalid client usernames: {} of {}",
                        status.invalid, status.total
                    ));
                    ui.label(format!(
                        "Users synced to the Portal: {}",
                        status.synced_users
                    ));
                }
                ui.label(format!(
                    "Account: {} ({})",
                    ctx.progress.account_name, ctx.progress.account_id
                ));
            });
        });
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!self.polling, egui::Button::new("Check now"))
                .clicked()
            {
                self.last_poll = None;
            }
            if self.polling {
                ui.spinner();
            }
        });
        if let Some((_, alerts)) = &self.status {
            for alert in alerts.iter().filter(|a| a.active) {
                widgets::note(
                    ui,
                    &format!("Hybrid alert: {}", alert.description),
                    widgets::RED,
                );
            }
        }
        ui.separator();
        ui.label(RichText::new("Next steps").strong().size(16.0));
        ui.label(
            "Sign in to the Connect Portal as the Decision Maker and open Phone System > Add-on Features to activate HYBRID services:",
        );
        ui.label("• Scribe (voicemail transcription, delivered by email): needs Escalation Profiles set to deliver messages as email with the WAV file attached.");
        ui.label("• Fax (email-to-fax): each user who faxes needs a DID.");
        if ui.link("Open the Connect Portal").clicked() && ctx.shared.open_links {
            let url = ctx.shared.portal_home();
            if let Err(e) = open::that_detached(&url) {
                tracing::warn!("cannot open {url}: {e}");
            }
        }
        ui.separator();
        let mut go = None;
        ui.horizontal(|ui| {
            if ui.button("Change the username format").clicked() {
                go = Some(Step::UsernameFormat);
            }
            if ui.button("Run the setup steps again").clicked() {
                go = Some(Step::Requirements);
            }
        });
        go
    }
}
