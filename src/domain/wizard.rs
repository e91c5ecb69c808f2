//! The provisioning wizard's steps and the progress that survives a restart
//! (no secrets: those live in the OS keyring).

use serde::{Deserialize, Serialize};

use super::format::FormatOptions;
use super::registration::RegistrationForm;
use super::version::HybridScreens;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Requirements,
    LinkDirector,
    Register,
    Confirmation,
    Credentials,
    UsernameFormat,
    FirstSync,
    Done,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::Requirements,
        Step::LinkDirector,
        Step::Register,
        Step::Confirmation,
        Step::Credentials,
        Step::UsernameFormat,
        Step::FirstSync,
        Step::Done,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::Requirements => "Requirements",
            Step::LinkDirector => "Link Director",
            Step::Register => "Register",
            Step::Confirmation => "Confirmation",
            Step::Credentials => "Credentials",
            Step::UsernameFormat => "Username format",
            Step::FirstSync => "Save & first sync",
            Step::Done => "Done",
        }
    }

    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    fn next_in_order(self) -> Step {
        Step::ALL.get(self.number()).copied().unwrap_or(Step::Done)
    }
}

/// Everything the wizard remembers between runs. Passwords and the Token
/// are deliberately absent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Progress {
    pub step: StepOrStart,
    pub completed: Vec<Step>,
    /// The admin chose "I already have an account" (Register and
    /// Confirmation are skipped).
    pub has_account: bool,
    /// The registration form as typed, passwords cleared before saving.
    pub registration: RegistrationForm,
    /// The Terms of Service link was opened (unlocks the check box).
    pub terms_opened: bool,
    pub account_name: String,
    pub account_id: String,
    /// How this Director is named (`directors add --name`); empty: by its
    /// host.
    pub name: String,
    pub portal_email: String,
    pub use_email: bool,
    pub append_domain: String,
    /// Settings were saved to Director and the first sync verified.
    pub provisioned: bool,
    /// Director's build as Requirements last read it: the guided steps name
    /// that product line's screens (see [`Progress::hybrid_screens`]), also
    /// after a restart.
    pub director_build: String,
    /// A real Director's configuration database to read users from
    /// (`mysql://st_configread@HOST:4308/shoreware`); empty: the web interface.
    pub config_database: String,
    /// Light, dark, or as the system says (a setting on the status panel).
    pub theme: ThemeChoice,
    /// How large everything is drawn, in percent (Ctrl + / Ctrl − / Ctrl 0,
    /// or the status panel); 0 means 100. See [`Progress::zoom_percent`].
    pub zoom: u16,
    /// The backup of the last fix made in Director (for "Undo the last fix").
    pub last_fix_backup: String,
    /// How often a real Director's users are read again for drift, in
    /// minutes; 0 means the default.
    pub check_users_every_minutes: u32,
    /// The same in seconds, as `directors add --check-every` sets it; 0
    /// means the minutes above rule (the panel's setting clears it).
    pub check_every_seconds: u32,
    /// Closing the window ends the monitoring too (off: the notification-area
    /// icon keeps watching, the default).
    pub stop_watching_on_close: bool,
    /// The notice about the icon staying after the window closes was read.
    pub close_notice_seen: bool,
}

/// A step as the rail shows it (see [`Progress::step_mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepMark {
    /// Done, and checked by this program.
    Passed,
    /// Done; the checks passed with this many warnings.
    PassedWithWarnings(usize),
    /// Done by the admin where this program cannot read it back.
    DoneNotChecked,
    Current,
    ToDo,
    Skipped,
}

/// The window's colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    /// Follow the operating system's light or dark setting.
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    pub fn label(self) -> &'static str {
        match self {
            ThemeChoice::System => "As the system",
            ThemeChoice::Light => "Light",
            ThemeChoice::Dark => "Dark",
        }
    }
}

/// A real Director's users are read again this often unless the admin chose.
pub const DEFAULT_CHECK_USERS_EVERY_MINUTES: u32 = 15;
/// What `directors add --check-every` accepts, in seconds.
pub const CHECK_EVERY_SECONDS_RANGE: std::ops::RangeInclusive<u32> = 10..=86_400;
/// The choices the status panel offers, in minutes.
pub const CHECK_USERS_EVERY_RANGE: std::ops::RangeInclusive<u32> = 1..=24 * 60;

/// `Step` with a default, for `#[serde(default)]` on old or empty files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StepOrStart(pub Step);

impl Default for StepOrStart {
    fn default() -> Self {
        StepOrStart(Step::Requirements)
    }
}

/// The zooms the program offers, in percent.
pub const ZOOM_RANGE: std::ops::RangeInclusive<u16> = 50..=300;

impl Progress {
    /// Where this Director's product line sets HYBRID up.
    pub fn hybrid_screens(&self) -> HybridScreens {
        HybridScreens::of_build(&self.director_build)
    }

    /// The zoom to draw at: the saved one within [`ZOOM_RANGE`], 100 unset.
    pub fn zoom_percent(&self) -> u16 {
        if self.zoom == 0 {
            100
        } else {
            self.zoom.clamp(*ZOOM_RANGE.start(), *ZOOM_RANGE.end())
        }
    }

    /// "Account: Acme Boston (Account ID 1000002)", or only the ID when no
    /// name is known (a Director watched as it was already set up).
    pub fn account_line(&self) -> String {
        if self.account_id.trim().is_empty() {
            // Added with `directors add`, which asks for no Account.
            return "Account ID not recorded here (see Director's Hybrid page)".into();
        }
        match self.account_name.trim() {
            "" => format!("Account ID {}", self.account_id),
            name => format!("Account: {name} (Account ID {})", self.account_id),
        }
    }

    /// The username formatting options as chosen on the Username format
    /// step (an empty domain means "append domain" is off).
    pub fn format_options(&self) -> FormatOptions {
        let domain = self.append_domain.trim();
        FormatOptions {
            use_email: self.use_email,
            append_domain: (!domain.is_empty()).then(|| domain.to_string()),
        }
    }

    pub fn step(&self) -> Step {
        self.step.0
    }

    /// How often a real Director's users are read again, within the range
    /// the panel offers (a hand-edited file cannot make it hammer Director).
    pub fn check_users_every(&self) -> std::time::Duration {
        if self.check_every_seconds != 0 {
            let seconds = self.check_every_seconds.clamp(
                *CHECK_EVERY_SECONDS_RANGE.start(),
                *CHECK_EVERY_SECONDS_RANGE.end(),
            );
            return std::time::Duration::from_secs(u64::from(seconds));
        }
        let minutes = match self.check_users_every_minutes {
            0 => DEFAULT_CHECK_USERS_EVERY_MINUTES,
            m => m.clamp(
                *CHECK_USERS_EVERY_RANGE.start(),
                *CHECK_USERS_EVERY_RANGE.end(),
            ),
        };
        std::time::Duration::from_secs(u64::from(minutes) * 60)
    }

    pub fn is_done(&self, step: Step) -> bool {
        self.completed.contains(&step)
    }

    /// Marks the current step done and moves to `next`.
    pub fn complete_and_go(&mut self, next: Step) {
        let current = self.step();
        if !self.completed.contains(&current) {
            self.completed.push(current);
        }
        self.step = StepOrStart(next);
    }

    /// The step Continue leads to from the current one.
    pub fn next(&self) -> Step {
        self.step().next_in_order()
    }

    /// The step Back leads to: the previous one, skipping registration when
    /// the admin already had an account. `None` on the first step.
    pub fn back(&self) -> Option<Step> {
        let step = self.step();
        if step == Step::Requirements {
            return None;
        }
        if step == Step::Credentials && self.has_account {
            return Some(Step::LinkDirector);
        }
        Step::ALL.get(step.number().saturating_sub(2)).copied()
    }

    pub fn go(&mut self, step: Step) {
        self.step = StepOrStart(step);
    }

    /// The steps shown in the rail: registration ones are marked skipped
    /// when the admin already has an account.
    /// How the step rail marks `step`: only what this program checked is
    /// "passed"; a step the admin did where nothing can be read back (a real
    /// Director's guided Link, Register, Confirmation and Credentials) is "done —
    /// not checked"; Requirements with warnings says how many.
    pub fn step_mark(&self, step: Step, current: Step, guided: bool, warnings: usize) -> StepMark {
        if step == current {
            StepMark::Current
        } else if self.is_skipped(step) {
            StepMark::Skipped
        } else if !self.is_done(step) {
            StepMark::ToDo
        } else if step == Step::Requirements && warnings > 0 {
            StepMark::PassedWithWarnings(warnings)
        } else if guided
            && matches!(
                step,
                Step::LinkDirector | Step::Register | Step::Confirmation | Step::Credentials
            )
        {
            StepMark::DoneNotChecked
        } else {
            StepMark::Passed
        }
    }

    pub fn is_skipped(&self, step: Step) -> bool {
        self.has_account && matches!(step, Step::Register | Step::Confirmation)
    }

    /// A copy safe to write to disk.
    pub fn without_secrets(&self) -> Progress {
        let mut copy = self.clone();
        copy.registration.password.clear();
        copy.registration.confirm_password.clear();
        copy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_read_again_every_15_minutes_unless_chosen_within_bounds() {
        let mut progress = Progress::default();
        let minutes = |p: &Progress| p.check_users_every().as_secs() / 60;
        assert_eq!(minutes(&progress), 15);
        progress.check_users_every_minutes = 60;
        assert_eq!(minutes(&progress), 60);
        // A hand-edited file cannot make it read a whole Director every second.
        progress.check_users_every_minutes = 100_000;
        assert_eq!(minutes(&progress), 24 * 60);
        // `directors add --check-every` in seconds wins, within 10 s – 1 day.
        progress.check_every_seconds = 10;
        assert_eq!(progress.check_users_every().as_secs(), 10);
        progress.check_every_seconds = 1;
        assert_eq!(progress.check_users_every().as_secs(), 10);
        progress.check_every_seconds = 1_000_000;
        assert_eq!(progress.check_users_every().as_secs(), 86_400);
    }

    #[test]
    fn zoom_is_100_percent_unless_chosen_within_bounds() {
        let mut progress = Progress::default();
        assert_eq!(progress.zoom_percent(), 100);
        progress.zoom = 150;
        assert_eq!(progress.zoom_percent(), 150);
        // A hand-edited file cannot make the window unusably small or large.
        progress.zoom = 5;
        assert_eq!(progress.zoom_percent(), 50);
        progress.zoom = 9000;
        assert_eq!(progress.zoom_percent(), 300);
    }

    #[test]
    fn the_account_line_leaves_out_a_name_not_known() {
        let mut progress = Progress {
            account_id: "1000002".into(),
            ..Progress::default()
        };
        assert_eq!(progress.account_line(), "Account ID 1000002");
        progress.account_name = "Acme Boston".into();
        assert_eq!(
            progress.account_line(),
            "Account: Acme Boston (Account ID 1000002)"
        );
        progress.account_id.clear();
        assert_eq!(
            progress.account_line(),
            "Account ID not recorded here (see Director's Hybrid page)",
            "added with `directors add`: no dangling \"Account ID \""
        );
    }

    #[test]
    fn format_options_follow_the_choices() {
        let mut progress = Progress::default();
        assert_eq!(progress.format_options(), FormatOptions::default());
        progress.use_email = true;
        progress.append_domain = "  acme.example ".into();
        assert_eq!(
            progress.format_options(),
            FormatOptions {
                use_email: true,
                append_domain: Some("acme.example".into()),
            }
        );
        progress.append_domain = "   ".into();
        assert_eq!(progress.format_options().append_domain, None);
    }

    #[test]
    fn steps_are_numbered_in_order() {
        let numbers: Vec<usize> = Step::ALL.iter().map(|s| s.number()).collect();
        assert_eq!(numbers, (1..=8).collect::<Vec<_>>());
        assert_eq!(Step::Done.next_in_order(), Step::Done);
    }

    #[test]
    fn back_skips_registration_for_existing_accounts() {
        let mut p = Progress::default();
        assert_eq!(p.back(), None);
        p.go(Step::Credentials);
        assert_eq!(p.back(), Some(Step::Confirmation));
        p.has_account = true;
        assert_eq!(p.back(), Some(Step::LinkDirector));
        assert!(p.is_skipped(Step::Register));
        p.go(Step::UsernameFormat);
        assert_eq!(p.back(), Some(Step::Credentials));
    }

    #[test]
    fn completing_records_the_step_once() {
        let mut p = Progress::default();
        p.complete_and_go(Step::LinkDirector);
        p.go(Step::Requirements);
        p.complete_and_go(Step::LinkDirector);
        assert_eq!(p.completed, vec![Step::Requirements]);
        assert_eq!(p.step(), Step::LinkDirector);
    }

    #[test]
    fn saved_progress_has_no_passwords() {
        let mut p = Progress::default();
        p.registration.password = "Secret123".into();
        p.registration.confirm_password = "Secret123".into();
        let json = serde_json::to_string(&p.without_secrets()).unwrap_or_default();
        assert!(!json.contains("Secret123"), "{json}");
        let back: Progress = serde_json::from_str("{}").unwrap_or_default();
        assert_eq!(back.step(), Step::Requirements);
    }

    #[test]
    fn the_rail_marks_passed_only_what_was_checked() {
        let mut progress = Progress::default();
        for step in [
            Step::Requirements,
            Step::LinkDirector,
            Step::Register,
            Step::Confirmation,
        ] {
            progress.go(step);
            progress.complete_and_go(step.next_in_order());
        }
        let current = Step::Credentials;
        assert_eq!(
            progress.step_mark(Step::Requirements, current, true, 6),
            StepMark::PassedWithWarnings(6)
        );
        assert_eq!(
            progress.step_mark(Step::Requirements, current, true, 0),
            StepMark::Passed
        );
        assert_eq!(
            progress.step_mark(Step::Register, current, true, 0),
            StepMark::DoneNotChecked
        );
        assert_eq!(
            progress.step_mark(Step::Confirmation, current, true, 0),
            StepMark::DoneNotChecked
        );
        assert_eq!(
            progress.step_mark(Step::Register, current, false, 0),
            StepMark::Passed,
            "the contract checks it"
        );
        assert_eq!(
            progress.step_mark(Step::Credentials, current, true, 0),
            StepMark::Current
        );
        assert_eq!(
            progress.step_mark(Step::FirstSync, current, true, 0),
            StepMark::ToDo
        );
        progress.has_account = true;
        assert_eq!(
            progress.step_mark(Step::Register, current, true, 0),
            StepMark::Skipped
        );
    }
}
