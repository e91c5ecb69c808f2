//! The status panel for a real Director, said honestly: its Hybrid alarm is
//! on Director's alarm bar, which no known interface shows, so this panel
//! watches what can be read — Director reachable and the sign-in accepted,
//! its build, and username drift (users read again on a schedule and counted
//! under the saved options) — and never says "Connect Sync healthy".

use std::time::Duration;

use egui::{RichText, Ui};

use crate::domain::alarm::{self, AlarmState, Status};
use crate::domain::drift::{ALARM_ELSEWHERE, Glance, Watched};
use crate::domain::wizard::CHECK_USERS_EVERY_RANGE;
use crate::domain::wizard::Step;
use crate::service::drift_watch::{DriftEvent, DriftSnapshot};
use crate::ui::screen::Ctx;
use crate::ui::screens::{guided, panel_parts};
use crate::ui::tasks::{Event, Request};
use crate::ui::widgets;

#[derive(Default)]
pub struct WebStatus {
    snapshot: Option<DriftSnapshot>,
    /// The looks so far, as the icon and `status --watch` see them.
    glance: Glance,
    /// Users being read: `done` of `total`.
    reading: Option<(u64, u64)>,
    needs_password: bool,
    password: String,
    /// The interval the running watch uses, in minutes.
    running_every: Option<u32>,
    /// The state "What to do" was last opened or folded for.
    what_to_do_for: Option<AlarmState>,
}

impl WebStatus {
    pub fn on_event(&mut self, event: &Event) {
        let Event::Drift(event) = event else { return };
        match event {
            DriftEvent::Progress { done, total } => self.reading = Some((*done, *total)),
            DriftEvent::Changed(snapshot) => {
                self.reading = None;
                self.needs_password = false;
                self.glance
                    .observe(&snapshot.watched, snapshot.unreachable_in_a_row);
                self.snapshot = Some((**snapshot).clone());
            }
            DriftEvent::NeedsPassword => self.needs_password = true,
            DriftEvent::Notify(_) => {}
        }
    }

    pub fn started(&mut self, every_minutes: u32) {
        self.running_every = Some(every_minutes);
    }

    /// The state and sentence for the window title and icon: the icon's.
    pub fn status(&self) -> Status {
        Status {
            state: self.glance.state(),
            summary: match &self.snapshot {
                Some(snapshot) => snapshot.status.summary.clone(),
                None => "reading Director…".into(),
            },
        }
    }

    /// "16 of 22 client usernames would fail Connect Sync": the icon's and
    /// `status --watch`'s words.
    pub fn headline(&self) -> String {
        let headline = self.glance.headline();
        let mut letters = headline.chars();
        match letters.next() {
            Some(first) => first.to_uppercase().chain(letters).collect(),
            None => headline,
        }
    }

    /// The figures under the headline, once: the build and when it was
    /// read, or why nothing was.
    fn figures(&self) -> String {
        if let Some((done, total)) = self.reading {
            return format!("Reading users: {done} of {total}…");
        }
        let Some(snapshot) = &self.snapshot else {
            return "Signing in to Director…".into();
        };
        let when = as_of(snapshot.checked_at.elapsed());
        match (&snapshot.watched, self.glance.last_read()) {
            (Watched::Read(r), _) => {
                let mut more = match r.without_did {
                    Some(0) => " · every user has a DID (Fax)".to_string(),
                    Some(n) => format!(" · {n} without a DID (Fax needs one)"),
                    None => String::new(),
                };
                if r.emails.missing > 0 {
                    more.push_str(&format!(" · {} without an email", r.emails.missing));
                }
                if r.emails.shared > 0 {
                    more.push_str(&format!(" · {} sharing an email", r.emails.shared));
                }
                match &r.build {
                    Ok(build) => format!("Build {build}{more} · as of {when}"),
                    Err(why) => format!("Build not read ({why}){more} · as of {when}"),
                }
            }
            (Watched::Refused(why), _) => format!("Director refused the sign-in: {why}"),
            (Watched::Unreachable(why), Some(r)) => format!(
                "Director could not be read at {when} ({why}); the figures are from the last reading{}",
                r.build
                    .as_ref()
                    .map(|b| format!(", build {b}"))
                    .unwrap_or_default()
            ),
            (Watched::Unreachable(why), None) => format!("Director could not be read: {why}"),
        }
    }

    /// Returns the step to go to (the username format, or its fix view).
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        widgets::page_title(ui, "Connect Sync status");
        ui.add_space(8.0);
        let state = self.glance.state();
        let (headline, figures) = (self.headline(), self.figures());
        ui.horizontal(|ui| {
            let spoken = format!("{headline} — {figures}. {ALARM_ELSEWHERE}");
            widgets::state_icon(ui, state, 96.0, &spoken);
            ui.add_space(12.0);
            ui.vertical(|ui| {
                ui.add(
                    egui::Label::new(
                        RichText::new(&headline)
                            .size(24.0)
                            .strong()
                            .color(widgets::state_text_color(ui, state)),
                    )
                    .wrap(),
                );
                ui.add(egui::Label::new(RichText::new(&figures).size(16.0)).wrap());
                if let Some(r) = self.glance.last_read().filter(|r| r.invalid > 0) {
                    let more = r.invalid.saturating_sub(r.examples.len());
                    let mut names = r.examples.join(", ");
                    if more > 0 {
                        names.push_str(&format!(" and {more} more"));
                    }
                    ui.label(format!("In the way: {names}"));
                }
                ui.label(ctx.progress.account_line());
            });
        });
        ui.add_space(4.0);
        // What this program cannot see, said once, with the way to see it.
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Hybrid alarm: only on Director's alarm bar").strong());
            let home = guided::director_home(ctx.shared);
            guided::open_button(ui, ctx.shared, "Open Director", &home);
        });
        // A refused sign-in (or one held back after a refusal) is always
        // a `Refused` look: the watch maps every refusal to it.
        let refused =
            (self.snapshot.as_ref()).is_some_and(|s| matches!(s.watched, Watched::Refused(_)));
        if (self.needs_password || refused)
            && panel_parts::director_sign_in(ui, ctx, &mut self.password, "read its users")
        {
            self.needs_password = false;
        }
        let go = self.what_to_do(ui, ctx, state);
        self.checking(ui, ctx);
        go
    }

    /// Open whenever the state is not green: the fix first, then the guide.
    fn what_to_do(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>, state: AlarmState) -> Option<Step> {
        let in_the_way = self.glance.last_read().is_some_and(|r| r.invalid > 0);
        panel_parts::what_to_do(
            ui,
            &mut self.what_to_do_for,
            state,
            &["real_director"],
            |ui| {
                let mut go = None;
                if in_the_way
                    && ui
                        .button("Fix in Director…")
                        .on_hover_text("Change the client usernames and emails in the way: a preview, then apply with a backup first.")
                        .clicked()
                {
                    ctx.shared.start_fix = true;
                    go = Some(Step::UsernameFormat);
                }
                if ui
                    .button("Username format…")
                    .on_hover_text("The options ticked on Director's Synchronization page, and every user under them.")
                    .clicked()
                {
                    go = Some(Step::UsernameFormat);
                }
                go
            },
        )
        .flatten()
    }

    /// "Check now" (a full read), and how often users are read.
    fn checking(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        ui.horizontal_wrapped(|ui| {
            if ui.button("Check now").clicked() {
                ctx.request(Request::CheckNow);
            }
            // The count itself is in the figures above.
            if self.reading.is_some() {
                ui.spinner();
            }
        });
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Read the users again every");
            let shown = (ctx.progress.check_users_every().as_secs() / 60).max(1) as u32;
            let mut minutes = shown;
            let response = ui
                .add(egui::DragValue::new(&mut minutes).range(CHECK_USERS_EVERY_RANGE))
                .labelled_by(label.id);
            ui.label("minutes");
            if minutes != shown {
                // Chosen here: minutes rule, not `--check-every`'s seconds.
                ctx.progress.check_users_every_minutes = minutes;
                ctx.progress.check_every_seconds = 0;
            }
            // Restarted once the value settles, not on every drag step.
            let settled = !response.dragged() && !response.has_focus();
            if settled && self.running_every.is_some_and(|m| m != minutes) {
                self.running_every = Some(minutes);
                ctx.request(Request::StopMonitor);
                ctx.request(Request::StartMonitor);
            }
        });
        // "checked 3 min ago" ages by itself.
        ui.ctx().request_repaint_after(Duration::from_secs(60));
    }
}

/// "14:02 (3 min ago)": a reading's local time, and how old it is.
fn as_of(age: Duration) -> String {
    let at = chrono::Local::now() - chrono::Duration::from_std(age).unwrap_or_default();
    format!("{} ({})", at.format("%H:%M"), alarm::ago(age.as_secs()))
}
