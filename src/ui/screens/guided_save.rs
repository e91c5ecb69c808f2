//! Save & first sync for a real Director, guided then verified: Director's
//! Hybrid > Synchronization page has no interface this program can use, so
//! it shows exactly what to enter there (Copy buttons; the Token is cleared
//! from the clipboard after a minute), opens Director, and after "I clicked
//! Save" reads the users again and shows the "N of X" the page should show.
//! The Hybrid icon itself is on Director's alarm bar: the screen says what
//! it should look like, and never claims to have seen it.

use egui::{RichText, Ui};

use crate::client::http::ApiError;
use crate::domain::drift::Reading;
use crate::domain::format::FormatOptions;
use crate::domain::wizard::Step;
use crate::ui::screen::Ctx;
use crate::ui::screens::guided;
use crate::ui::tasks::{Event, Request};
use crate::ui::widgets::{self, Tone};

#[derive(Debug, Default)]
enum Phase {
    /// Showing what to enter; nothing read yet.
    #[default]
    Instructions,
    Reading {
        progress: Option<(u64, u64)>,
    },
    Read(Reading),
    Failed(ApiError),
}

#[derive(Debug, Default)]
pub struct GuidedSave {
    phase: Phase,
    /// The options the last count was made under.
    counted_for: Option<FormatOptions>,
}

impl GuidedSave {
    /// Finish is offered once the re-read shows nothing in the way under
    /// the options chosen now.
    pub fn verified(&self, options: &FormatOptions) -> bool {
        matches!(&self.phase, Phase::Read(r) if r.invalid == 0)
            && self.counted_for.as_ref() == Some(options)
    }

    pub fn reading(&self) -> bool {
        matches!(self.phase, Phase::Reading { .. })
    }

    pub fn verify(&mut self, ctx: &mut Ctx<'_>) {
        let options = ctx.progress.format_options();
        self.counted_for = Some(options.clone());
        self.phase = Phase::Reading { progress: None };
        ctx.request(Request::VerifyUsernames { options });
    }

    pub fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) {
        if !self.reading() {
            return;
        }
        match event {
            Event::UsersProgress { done, total } => {
                self.phase = Phase::Reading {
                    progress: Some((*done, *total)),
                };
            }
            Event::Verified(Ok((snapshot, reading))) => {
                ctx.shared.snapshot = Some(snapshot.clone());
                self.phase = Phase::Read(reading.clone());
            }
            Event::Verified(Err(e)) => self.phase = Phase::Failed(e.clone()),
            Event::ReadCancelled => self.phase = Phase::Instructions,
            _ => {}
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        widgets::page_title(ui, "Save & first sync");
        ui.label(format!(
            "Director's {} page cannot be filled in from here: enter these values there yourself, \
             click Save, then come back to verify.",
            ctx.progress.hybrid_screens().page
        ));
        ui.add_space(6.0);
        let home = guided::director_home(ctx.shared);
        guided::open_button(ui, ctx.shared, "Open Director", &home);
        self.instructions(ui, ctx);
        ui.separator();
        self.verification(ui, ctx)
    }

    fn instructions(&self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        ui.label(RichText::new("In Director").strong().size(16.0));
        guided::numbered(
            ui,
            &[&format!("Go to {}.", ctx.progress.hybrid_screens().page)],
        );
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("2.").strong());
            ui.label("Enter the Account ID and the Token:");
        });
        ui.indent("credentials", |ui| {
            widgets::copyable(ui, "Account ID", &ctx.progress.account_id);
            match ctx.shared.token.clone() {
                Some(token) => guided::copy_secret(ui, ctx.shared, "Token", token.expose()),
                None => {
                    widgets::note(
                        ui,
                        "The Token is not in this session (no keyring, or it was never entered): paste it from the \
                         Connect Portal, or enter it again on the Credentials step.",
                        Tone::Warning,
                    );
                }
            }
        });
        let options = ctx.progress.format_options();
        let use_email = if options.use_email {
            "Tick \"Use the email address as the client username\"."
        } else {
            "Leave \"Use the email address as the client username\" unticked."
        };
        let domain = match &options.append_domain {
            Some(domain) => format!(
                "Tick \"Append a domain to client usernames that are not email addresses\" and enter \"{domain}\"."
            ),
            None => "Leave \"Append a domain to client usernames that are not email addresses\" unticked."
                .to_string(),
        };
        for (n, text) in [
            (3, use_email.to_string()),
            (4, domain),
            (5, "Click Save.".into()),
        ] {
            ui.horizontal_top(|ui| {
                ui.label(RichText::new(format!("{n}.")).strong());
                ui.add(egui::Label::new(text).wrap());
            });
        }
    }

    fn verification(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        ui.label(RichText::new("Then verify").strong().size(16.0));
        let stale = self.counted_for.as_ref() != Some(&ctx.progress.format_options());
        match &self.phase {
            Phase::Reading { progress } => {
                ui.horizontal_wrapped(|ui| {
                    ui.spinner();
                    ui.label(match progress {
                        Some((done, total)) => format!("Reading users: {done} of {total}"),
                        None => "Signing in to Director…".into(),
                    });
                    if ui.button("Cancel").clicked() {
                        ctx.request(Request::CancelRead);
                    }
                });
                return None;
            }
            Phase::Failed(error) => {
                if widgets::error_banner(ui, &error.clone()) {
                    self.verify(ctx);
                }
                return None;
            }
            Phase::Instructions => {}
            Phase::Read(reading) if !stale => {
                let after = result(ui, reading);
                return match after {
                    Some(After::Back) => Some(Step::UsernameFormat),
                    Some(After::VerifyAgain) => {
                        self.verify(ctx);
                        None
                    }
                    None => None,
                };
            }
            Phase::Read(_) => {}
        }
        None
    }
}

/// What the result asks for.
enum After {
    Back,
    VerifyAgain,
}

/// The count read again, and what to look at in Director next.
fn result(ui: &mut Ui, reading: &Reading) -> Option<After> {
    let mut go = None;
    if reading.invalid == 0 {
        widgets::notice(
            ui,
            Tone::Good,
            &format!(
                "Invalid client usernames: 0 of {} — read from Director just now.",
                reading.total
            ),
        );
        ui.label(format!(
            "The Synchronization page should show \"0 of {}\" under the options you ticked.",
            reading.total
        ));
    } else {
        widgets::notice(
            ui,
            Tone::Bad,
            &format!(
                "Invalid client usernames: {} of {} — these would fail Connect Sync:",
                reading.invalid, reading.total
            ),
        );
        for name in &reading.examples {
            ui.label(format!("• {name}"));
        }
        ui.horizontal_wrapped(|ui| {
            if ui.button("Back to Username format").clicked() {
                go = Some(After::Back);
            }
        });
    }
    ui.add_space(6.0);
    widgets::note(
        ui,
        "This program cannot see Director's alarm bar. Wait a few minutes for the first Connect Sync cycle \
         (it runs about every 5 minutes), then look at the Hybrid alarm on Director's alarm bar: green means \
         Connect Sync works. If it is red, double-click it to open the Alerts page and scroll right to the \
         Description column to read the alert.",
        Tone::Muted,
    );
    if ui.button("Verify again").clicked() {
        go = Some(After::VerifyAgain);
    }
    go
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::screens::test_support::Fixture;
    use crate::ui::tasks::DirectorSnapshot;

    fn reading(invalid: usize) -> Reading {
        Reading {
            build: Ok("21.90.9743.0".into()),
            invalid,
            total: 120,
            examples: vec![],
            without_did: None,
            emails: Default::default(),
        }
    }

    #[test]
    fn verified_only_for_a_clean_count_under_the_options_chosen_now() {
        let mut fixture = Fixture::default();
        fixture.progress.use_email = true;
        let mut save = GuidedSave::default();
        fixture.run(|ctx| save.verify(ctx));
        assert!(matches!(
            fixture.requests.as_slice(),
            [Request::VerifyUsernames { options }] if options.use_email
        ));
        assert!(save.reading());
        // Events nobody asked for are not taken.
        let options = fixture.progress.format_options();
        assert!(!save.verified(&options));
        let snapshot = || DirectorSnapshot {
            kind: crate::domain::director_kind::DirectorKind::Web,
            system: crate::contract::SystemInfo {
                product: "Connect Director (web interface)".into(),
                build: "21.90.9743.0".into(),
                hybrid_minimum: "21.75.1908.0".into(),
            },
            users: Default::default(),
            checks: vec![],
            common_email_domain: None,
            set_up: None,
        };
        fixture.run(|ctx| save.on_event(&Event::Verified(Ok((snapshot(), reading(2)))), ctx));
        assert!(!save.verified(&options), "2 of 120 in the way");
        fixture.run(|ctx| save.verify(ctx));
        fixture.run(|ctx| save.on_event(&Event::Verified(Ok((snapshot(), reading(0)))), ctx));
        assert!(save.verified(&options));
        assert!(fixture.shared.snapshot.is_some(), "the users read are kept");
        // Another option since: the count no longer applies.
        fixture.progress.append_domain = "acme.example".into();
        assert!(!save.verified(&fixture.progress.format_options()));
    }

    #[test]
    fn cancel_goes_back_to_the_instructions() {
        let mut fixture = Fixture::default();
        let mut save = GuidedSave::default();
        fixture.run(|ctx| save.verify(ctx));
        fixture.run(|ctx| save.on_event(&Event::ReadCancelled, ctx));
        assert!(!save.reading());
        assert!(matches!(save.phase, Phase::Instructions));
    }
}
