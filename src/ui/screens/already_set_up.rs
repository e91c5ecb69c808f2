//! A Director whose Connect Sync is already set up (added from the
//! Directors view, say) is watched as it is: no registration, no Token.
//! The contract shows its Synchronization settings, so it is offered at
//! once. A real Director's Hybrid page has no interface to read: the admin
//! says so, copies the Account ID and the username options from that page,
//! and the program verifies what it can — the "N of X" the page should show
//! under those options, counted from the users it read.

use egui::{RichText, Ui};

use crate::domain::account;
use crate::domain::format::{FormatOptions, Formatted, InvalidCount};
use crate::domain::wizard::Step;
use crate::ui::screen::Ctx;
use crate::ui::screens::guided;
use crate::ui::screens::usernames::USE_EMAIL_LABEL;
use crate::ui::tasks::Request;
use crate::ui::widgets::{self, Tone};

/// The label of the field for a domain appended to client usernames.
pub const APPENDED_DOMAIN_LABEL: &str = "Domain appended to client usernames (empty if none)";

const WATCH_LABEL: &str = "Watch this Director";

/// The real Director's "already set up" form.
#[derive(Default)]
pub struct AlreadySetUp {
    open: bool,
    /// "Watch this Director" was offered in the last frame: it, not the
    /// wizard's Continue, is the screen's primary action then.
    offering: bool,
    /// The form just opened: the Account ID field takes the focus.
    focus_account: bool,
    account_id: String,
    use_email: bool,
    append_domain: String,
    account_error: Option<String>,
    domain_error: Option<String>,
    /// The options the users were last sent off to be counted under.
    requested: Option<FormatOptions>,
    /// The users counted under these options (counted again, in the
    /// background, when they change).
    counted: Option<(FormatOptions, InvalidCount)>,
}

impl AlreadySetUp {
    /// Offers watching this Director as it is, once its checks passed:
    /// `Some(Step::Done)` when the admin chose to.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        ctx: &mut Ctx<'_>,
        real_director: bool,
        checks_passed: bool,
    ) -> Option<Step> {
        self.offering = false;
        if ctx.progress.provisioned {
            return None;
        }
        if !real_director {
            return contract_offer(ui, ctx, &mut self.offering);
        }
        if !checks_passed {
            return None;
        }
        if !self.open {
            ui.horizontal_wrapped(|ui| {
                ui.label("Is Connect Sync already set up on this Director?");
                if ui.button("It is already set up…").clicked() {
                    self.open = true;
                    self.focus_account = true;
                }
            });
            return None;
        }
        self.offering = true;
        egui::Frame::group(ui.style())
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                self.form(ui, ctx)
            })
            .inner
    }

    /// Whether "Watch this Director" is offered now (the screen's primary).
    pub fn offering(&self) -> bool {
        self.offering
    }

    /// Director is read again: what was counted is counted anew.
    pub fn reread(&mut self) {
        self.requested = None;
        self.counted = None;
    }

    /// The users counted under `options` (an answer for options since
    /// changed again is dropped).
    pub fn counted(&mut self, options: &FormatOptions, rows: &[Formatted]) {
        if self.requested.as_ref() == Some(options) {
            let invalid = rows.iter().filter(|r| r.reason.is_some()).count();
            let count = InvalidCount {
                invalid,
                total: rows.len(),
            };
            self.counted = Some((options.clone(), count));
        }
    }

    fn form(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        ui.label(
            RichText::new("Watch a Director that is already set up")
                .strong()
                .size(16.0),
        );
        ui.label(
            "This program cannot read Director's Hybrid page. Open it and copy what it shows: \
             no registration and no Token are needed.",
        );
        guided::open_button(
            ui,
            ctx.shared,
            "Open Director",
            &guided::director_home(ctx.shared),
        );
        guided::numbered(
            ui,
            &[
                &format!("In Director, go to {}.", ctx.progress.hybrid_screens().page),
                "Copy the Account ID below, and the same username options the page shows.",
            ],
        );
        let account = widgets::field(
            ui,
            "Account ID",
            &mut self.account_id,
            false,
            self.account_error.as_deref(),
        );
        if std::mem::take(&mut self.focus_account) {
            account.request_focus();
        }
        ui.checkbox(&mut self.use_email, USE_EMAIL_LABEL);
        widgets::field(
            ui,
            APPENDED_DOMAIN_LABEL,
            &mut self.append_domain,
            false,
            self.domain_error.as_deref(),
        );
        self.verification(ui, ctx);
        let mut chosen = None;
        ui.horizontal(|ui| {
            if ui.add(widgets::primary_button(ui, WATCH_LABEL)).clicked() {
                chosen = self.accept(ctx);
            }
            if ui.button("Cancel").clicked() {
                self.open = false;
            }
        });
        chosen
    }

    fn options(&self) -> FormatOptions {
        let domain = self.append_domain.trim();
        FormatOptions {
            use_email: self.use_email,
            append_domain: (!domain.is_empty()).then(|| domain.to_string()),
        }
    }

    /// "K of N" under the options as typed: what the Synchronization page
    /// should show too. Counted in the background when the options change
    /// (a hundred thousand users take a moment).
    fn verification(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        let options = self.options();
        if options.validate().is_err() {
            return;
        }
        let Some(snapshot) = ctx.shared.snapshot.as_ref() else {
            return;
        };
        if self.requested.as_ref() != Some(&options) {
            self.requested = Some(options.clone());
            let users = snapshot.users.clone();
            ctx.request(Request::FormatUsernames {
                users,
                options: options.clone(),
            });
        }
        let current = self.counted.as_ref().filter(|(o, _)| *o == options);
        if current.is_none() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Counting the client usernames under these options…");
            });
        }
        if let Some((_, count)) = current {
            widgets::invalid_count(ui, count.invalid as u64, count.total as u64);
            widgets::note(
                ui,
                &format!(
                    "The Synchronization page should show the same \"{} of {}\". If it shows \
                     another count, the options above differ from the page's.",
                    count.invalid, count.total
                ),
                Tone::Muted,
            );
        }
    }

    fn accept(&mut self, ctx: &mut Ctx<'_>) -> Option<Step> {
        let account_id = account::account_id(&self.account_id);
        let options = self.options();
        let domain = options.validate();
        self.account_error = account_id.as_ref().err().cloned();
        self.domain_error = domain
            .err()
            .map(|reason| format!("Domain: {}", reason.describe()));
        let account_id = account_id.ok().filter(|_| self.domain_error.is_none())?;
        let progress = &mut *ctx.progress;
        progress.account_id = account_id;
        progress.use_email = options.use_email;
        progress.append_domain = options.append_domain.unwrap_or_default();
        progress.has_account = true;
        progress.provisioned = true;
        Some(Step::Done)
    }
}

/// The contract shows the Synchronization settings: offered at once.
fn contract_offer(ui: &mut Ui, ctx: &mut Ctx<'_>, offering: &mut bool) -> Option<Step> {
    let set_up = ctx.shared.snapshot.as_ref()?.set_up.clone()?;
    *offering = true;
    widgets::notice(
        ui,
        Tone::Good,
        &format!(
            "Connect Sync is already set up on this Director (Account ID {}, sync on). \
             You can watch it as it is, without setting it up again.",
            set_up.account_id
        ),
    );
    if !ui.add(widgets::primary_button(ui, WATCH_LABEL)).clicked() {
        return None;
    }
    let progress = &mut *ctx.progress;
    progress.account_id = set_up.account_id;
    progress.use_email = set_up.use_email;
    progress.append_domain = set_up.append_domain.unwrap_or_default();
    progress.has_account = true;
    progress.provisioned = true;
    Some(Step::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_for_options_since_changed_is_dropped() {
        let mut form = AlreadySetUp::default();
        let old = FormatOptions::default();
        let new = FormatOptions {
            use_email: true,
            append_domain: None,
        };
        form.requested = Some(new.clone());
        let row = |bad: bool| Formatted {
            result: "x".into(),
            source: crate::domain::format::Source::Kept,
            reason: bad.then_some(crate::domain::username::Reason::Empty),
        };
        form.counted(&old, &[row(true), row(true)]);
        assert!(form.counted.is_none(), "the answer for the old options");
        form.counted(&new, &[row(true), row(false)]);
        let (options, count) = form.counted.clone().expect("counted");
        assert_eq!(options, new);
        assert_eq!((count.invalid, count.total), (1, 2));
    }
}
