//! The protocol every wizard step follows. The app keeps one screen per
//! step and calls these at the right moments; a screen never talks to the
//! background directly — it queues [`Request`]s in its [`Ctx`] — so each
//! can be driven on its own in a test.

use std::path::PathBuf;

use egui::Ui;

use super::tasks::{DirectorSnapshot, Event, Request};
use crate::domain::director_kind::DirectorKind;
use crate::domain::secret::Secret;
use crate::domain::wizard::{Progress, Step};
use crate::store::settings::TrustedCertificates;

/// Where the Token is kept, once it was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKept {
    InKeyring,
    /// No keyring service: for this session only.
    SessionOnly,
}

/// What the screens share besides the saved progress.
pub struct Shared {
    pub demo: bool,
    /// Open links in the system browser (off in tests).
    pub open_links: bool,
    pub director_login: String,
    pub portal_url: String,
    pub snapshot: Option<DirectorSnapshot>,
    pub token: Option<Secret>,
    pub token_kept: Option<TokenKept>,
    /// The password typed at registration, offered once for the Portal sign-in.
    pub portal_password: Option<Secret>,
    /// Where the settings live (the troubleshooting guide is written there).
    pub data_dir: PathBuf,
    /// The Director address the background client talks to.
    pub director_url: String,
    /// The Portal's Terms of Service page.
    pub terms_page_url: String,
    /// Whether secrets survive a restart (an OS keyring is there).
    pub secrets_persist: bool,
    /// Which kind of Director this is, once known (remembered per address).
    pub kind: Option<DirectorKind>,
    /// A secret was copied: clear the clipboard at this time.
    pub clear_clipboard_at: Option<std::time::Instant>,
    /// "Start at login" (none where the system has no way to).
    pub autostart: Option<std::sync::Arc<dyn crate::store::autostart::Autostart>>,
    /// The last readings of every Director (the current one first), while
    /// there is more than one.
    pub directors: Vec<crate::domain::metrics::DirectorReading>,
    /// A screen asked to open another Director or add one; the app does it.
    pub directors_action: Option<crate::ui::screens::directors::DirectorsAction>,
    /// The status panel's "Fix in Director…": the Username format step
    /// opens its fix view on arrival.
    pub start_fix: bool,
}

impl Shared {
    /// A real Director's web interface: the steps it has no interface for
    /// are guided (the program says what to do and verifies what it can read).
    pub fn guided(&self) -> bool {
        self.kind == Some(DirectorKind::Web)
    }

    /// What was read from the previous Director no longer applies.
    pub fn forget_director_data(&mut self) {
        self.snapshot = None;
    }
}

/// What a screen gets to work with.
pub struct Ctx<'a> {
    pub progress: &'a mut Progress,
    pub trusted: &'a mut TrustedCertificates,
    pub shared: &'a mut Shared,
    /// Work for the background, handed over by the app after the call.
    pub requests: &'a mut Vec<Request>,
}

impl Ctx<'_> {
    pub fn request(&mut self, request: Request) {
        self.requests.push(request);
    }
}

/// One step of the wizard. Every method but `ui` has a default.
pub trait Screen {
    /// The step became current (also when the program resumes on it).
    fn on_enter(&mut self, _ctx: &mut Ctx<'_>) {}

    /// The step is being left.
    fn on_leave(&mut self, _ctx: &mut Ctx<'_>) {}

    /// A background result arrived. Every screen sees every event and takes
    /// the ones it asked for; a step returned is where to go now.
    fn on_event(&mut self, _event: &Event, _ctx: &mut Ctx<'_>) -> Option<Step> {
        None
    }

    /// The screen has its own actions for now (a view over it): the
    /// wizard's Back and Continue are not shown.
    fn hides_navigation(&self) -> bool {
        false
    }

    /// Whether Continue is enabled.
    fn can_continue(&self, _progress: &Progress) -> bool {
        true
    }

    /// What the wizard's primary button says: what pressing it does.
    fn continue_label(&self, _progress: &Progress) -> &'static str {
        "Continue"
    }

    /// Whether Continue is the screen's primary action now: false while the
    /// screen shows a primary action of its own (a form opened within it).
    fn continue_is_primary(&self) -> bool {
        true
    }

    /// Continue was pressed (and allowed): where to go, if anywhere yet.
    fn on_continue(&mut self, ctx: &mut Ctx<'_>) -> Option<Step> {
        Some(ctx.progress.next())
    }

    /// A modal this screen shows over the window; true while it is open (the
    /// wizard's Enter and Esc then belong to it).
    fn modal(&mut self, _ui: &mut Ui, _ctx: &mut Ctx<'_>) -> Option<Step> {
        None
    }

    fn modal_open(&self) -> bool {
        false
    }

    /// Esc on this screen: true when the screen used it (the wizard's Back
    /// then does not run).
    fn on_escape(&mut self) -> bool {
        false
    }

    /// Draws the screen; a step returned is where to go now.
    fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step>;
}
