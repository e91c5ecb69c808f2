//! Step 7: save the settings to Director, wait for the first Connect Sync
//! cycle with visible progress, then verify: "0 of X" invalid, users in the
//! Portal, Hybrid alarm green.

use std::time::{Duration, Instant};

use egui::{RichText, Ui};

use crate::client::http::ApiError;
use crate::contract::{Alert, SyncSettingsUpdate, SyncStatus, sync_report};
use crate::domain::alarm;
use crate::domain::requirements::Check;
use crate::domain::verification;
use crate::domain::wizard::{Progress, Step};
use crate::ui::screen::{Ctx, Screen};
use crate::ui::screens::guided_save::GuidedSave;
use crate::ui::tasks::{Event, Request};
use crate::ui::widgets::{self, Tone};

/// How often Director is asked while waiting for the first cycle.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// After this long without a cycle the screen says so (but keeps waiting).
const PATIENCE: Duration = Duration::from_secs(20 * 60);

#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum Phase {
    #[default]
    Idle,
    Saving,
    /// Saved; waiting until Director has run more cycles than before.
    Waiting {
        cycles_before: u64,
    },
    Verified,
}

#[derive(Default)]
pub struct FirstSyncScreen {
    phase: Phase,
    started: Option<Instant>,
    last_poll: Option<Instant>,
    polling: bool,
    status: Option<SyncStatus>,
    alerts: Vec<Alert>,
    error: Option<ApiError>,
    needs_token: bool,
    /// A real Director: the Save is the admin's, guided, then verified.
    guided: Option<GuidedSave>,
}

/// Guided, the primary action until Director's re-read shows the Save.
pub const VERIFY_LABEL: &str = "I clicked Save — verify";

impl Screen for FirstSyncScreen {
    /// Entering the step saves (again): a new run, not the last one's result.
    fn on_enter(&mut self, ctx: &mut Ctx<'_>) {
        *self = FirstSyncScreen::default();
        if ctx.shared.guided() {
            self.guided = Some(GuidedSave::default());
            return;
        }
        self.save(ctx);
    }

    fn can_continue(&self, _progress: &Progress) -> bool {
        match &self.guided {
            Some(guided) => !guided.reading(),
            None => self.all_green(),
        }
    }

    /// Guided, the admin's Save is verified first: until the re-read shows
    /// it, the primary action is that verification.
    fn continue_label(&self, progress: &Progress) -> &'static str {
        match &self.guided {
            Some(guided) if guided.reading() => "Verifying…",
            Some(guided) if !guided.verified(&progress.format_options()) => VERIFY_LABEL,
            _ => "Finish",
        }
    }

    fn on_continue(&mut self, ctx: &mut Ctx<'_>) -> Option<Step> {
        match &mut self.guided {
            Some(guided) if !guided.verified(&ctx.progress.format_options()) => {
                guided.verify(ctx);
                None
            }
            _ => Some(ctx.progress.next()),
        }
    }

    fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) -> Option<Step> {
        match &mut self.guided {
            Some(guided) => guided.on_event(event, ctx),
            None => self.handle(event, ctx),
        }
        None
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        match &mut self.guided {
            Some(guided) => guided.ui(ui, ctx),
            None => self.show(ui, ctx),
        }
    }
}

impl FirstSyncScreen {
    pub fn all_green(&self) -> bool {
        self.phase == Phase::Verified && verification::verified(&self.checks())
    }

    fn save(&mut self, ctx: &mut Ctx<'_>) {
        self.error = None;
        let Some(token) = ctx.shared.token.clone() else {
            self.needs_token = true;
            return;
        };
        self.needs_token = false;
        let options = ctx.progress.format_options();
        ctx.request(Request::SaveSettings(SyncSettingsUpdate {
            account_id: ctx.progress.account_id.clone(),
            token: Some(token),
            use_email: options.use_email,
            append_domain: options.append_domain,
        }));
        self.phase = Phase::Saving;
        self.started = Some(Instant::now());
        self.status = None;
    }

    fn handle(&mut self, event: &Event, ctx: &mut Ctx<'_>) {
        match event {
            Event::Saved(Ok((_, cycles_before))) => {
                self.phase = Phase::Waiting {
                    cycles_before: *cycles_before,
                };
                self.poll(ctx);
            }
            Event::Saved(Err(e)) => {
                self.phase = Phase::Idle;
                self.error = Some(e.clone());
            }
            Event::Status(result) => {
                self.polling = false;
                match result {
                    Ok((status, alerts)) => {
                        self.error = None;
                        self.on_status(status.clone(), alerts.clone());
                    }
                    Err(e) => self.error = Some(e.clone()),
                }
            }
            _ => {}
        }
    }

    fn on_status(&mut self, status: SyncStatus, alerts: Vec<Alert>) {
        if let Phase::Waiting { cycles_before } = self.phase
            && status.cycles > cycles_before
        {
            self.phase = Phase::Verified;
        }
        self.status = Some(status);
        self.alerts = alerts;
    }

    fn poll(&mut self, ctx: &mut Ctx<'_>) {
        self.polling = true;
        self.last_poll = Some(Instant::now());
        ctx.request(Request::PollStatus);
    }

    /// The verification checklist of the article's last step.
    pub fn checks(&self) -> Vec<Check> {
        self.status.as_ref().map_or_else(Vec::new, |status| {
            verification::first_sync_checks(&sync_report(status, &self.alerts))
        })
    }

    fn show(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        widgets::page_title(ui, "Save & first sync");
        ui.label("The settings are saved to Director's Hybrid > Synchronization page, then Connect Sync runs its first cycle.");
        ui.add_space(6.0);
        if self.needs_token {
            widgets::note(
                ui,
                "The Token is not available in this session (no keyring, or it was never entered). Enter it again on the Credentials step.",
                Tone::Warning,
            );
            if ui.button("Go to Credentials").clicked() {
                return Some(Step::Credentials);
            }
            return None;
        }
        if let Some(error) = self.error.clone()
            && widgets::error_banner(ui, &error)
        {
            match self.phase {
                Phase::Idle | Phase::Saving => self.save(ctx),
                _ => self.poll(ctx),
            }
        }
        match &self.phase {
            Phase::Idle => {}
            Phase::Saving => {
                ui.horizontal_wrapped(|ui| {
                    ui.spinner();
                    ui.label("Saving the settings to Director…");
                });
            }
            Phase::Waiting { .. } => self.waiting(ui, ctx),
            Phase::Verified => return self.verified(ui, ctx),
        }
        None
    }

    /// Saved: the wait for the first cycle, with progress towards it.
    fn waiting(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        let waited = self.started.map_or(0, |s| s.elapsed().as_secs());
        ui.horizontal_wrapped(|ui| {
            ui.spinner();
            ui.label(format!(
                "Saved. Waiting for the first Connect Sync cycle… {}",
                alarm::human_duration(waited)
            ));
        });
        if let Some(status) = &self.status
            && let Some(next) = status.next_sync_at
        {
            let left = next.saturating_sub(status.server_time);
            let interval = status.interval_secs.max(1) as f32;
            ui.add(
                egui::ProgressBar::new(1.0 - (left as f32 / interval).clamp(0.0, 1.0)).text(
                    // Due (the bar full): the cycle is starting, not "in 0 s".
                    if left == 0 {
                        "the next cycle is starting…".to_string()
                    } else {
                        format!("next cycle in about {}", alarm::human_duration(left))
                    },
                ),
            );
        }
        if waited > PATIENCE.as_secs() {
            ui.label("This is taking longer than Connect Sync's usual 5 minutes. Check the alerts in Director.");
        }
        self.keep_polling(ui, ctx);
    }

    /// The cycle ran: the verification, and where to go if it failed.
    fn verified(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        ui.label(RichText::new("First sync cycle finished.").strong());
        for check in self.checks() {
            widgets::check_row(ui, &check);
        }
        let active: Vec<&Alert> = self.alerts.iter().filter(|a| a.active).collect();
        for alert in active {
            widgets::note(
                ui,
                &format!("Hybrid alert: {}", alert.description),
                Tone::Bad,
            );
        }
        ui.horizontal_wrapped(|ui| {
            if ui.button("Check again").clicked() {
                self.poll(ctx);
            }
            if ui.button("Save again and sync").clicked() {
                self.save(ctx);
            }
        });
        if !self.all_green() {
            let mut back = None;
            ui.horizontal_wrapped(|ui| {
                if ui.button("Back to Username format").clicked() {
                    back = Some(Step::UsernameFormat);
                }
                if ui.button("Back to Credentials").clicked() {
                    back = Some(Step::Credentials);
                }
            });
            return back;
        }
        None
    }

    fn keep_polling(&mut self, ui: &Ui, ctx: &mut Ctx<'_>) {
        let due = self.last_poll.is_none_or(|t| t.elapsed() >= POLL_EVERY);
        if due && !self.polling {
            self.poll(ctx);
        }
        ui.ctx().request_repaint_after(POLL_EVERY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::secret::Secret;
    use crate::ui::screens::test_support::Fixture;

    #[test]
    fn without_the_token_it_asks_for_it_and_saves_nothing() {
        let mut fixture = Fixture::default();
        let mut screen = FirstSyncScreen::default();
        fixture.run(|ctx| screen.on_enter(ctx));
        assert!(fixture.requests.is_empty());
        assert!(screen.needs_token);
        assert!(!screen.can_continue(&fixture.progress));
    }

    #[test]
    fn entering_saves_the_chosen_options_with_the_token() {
        let mut fixture = Fixture::default();
        fixture.shared.token = Some(Secret::new("tok"));
        fixture.progress.account_id = "1000002".into();
        fixture.progress.use_email = true;
        fixture.progress.append_domain = " acme.example ".into();
        let mut screen = FirstSyncScreen::default();
        fixture.run(|ctx| screen.on_enter(ctx));
        match fixture.requests.as_slice() {
            [Request::SaveSettings(update)] => {
                assert_eq!(update.account_id, "1000002");
                assert!(update.use_email);
                assert_eq!(update.append_domain.as_deref(), Some("acme.example"));
                assert_eq!(update.token.as_ref().map(Secret::expose), Some("tok"));
            }
            other => panic!("expected one save, got {other:?}"),
        }
        assert_eq!(screen.phase, Phase::Saving);
        assert_eq!(screen.continue_label(&fixture.progress), "Finish");
    }
}
