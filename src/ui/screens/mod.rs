//! One file per wizard step, in the order of the knowledge-base article,
//! and the status panel (with its Alerts view) the program stays as.

pub mod alerts;
pub mod already_set_up;
pub mod confirmation;
pub mod credentials;
pub mod directors;
pub mod first_sync;
pub mod fix_view;
pub mod guided;
pub mod guided_save;
pub mod link;
pub mod panel_parts;
pub mod register;
pub mod requirements;
pub mod status_panel;
pub mod usernames;
pub mod web_status;

use super::screen::Screen;
use crate::domain::secret::Secret;
use crate::domain::wizard::Step;

/// The screen of every step.
pub struct Screens {
    pub requirements: requirements::RequirementsScreen,
    pub link: link::LinkScreen,
    pub register: register::RegisterScreen,
    pub confirmation: confirmation::ConfirmationScreen,
    pub credentials: credentials::CredentialsScreen,
    pub usernames: usernames::UsernamesScreen,
    pub first_sync: first_sync::FirstSyncScreen,
    pub status_panel: status_panel::StatusPanel,
}

impl Screens {
    /// `director_url` and `password` prefill the Requirements sign-in.
    pub fn new(director_url: String, password: Option<Secret>) -> Self {
        Screens {
            requirements: requirements::RequirementsScreen::new(director_url, password),
            link: link::LinkScreen,
            register: Default::default(),
            confirmation: Default::default(),
            credentials: Default::default(),
            usernames: Default::default(),
            first_sync: Default::default(),
            status_panel: Default::default(),
        }
    }

    pub fn get(&self, step: Step) -> &dyn Screen {
        match step {
            Step::Requirements => &self.requirements,
            Step::LinkDirector => &self.link,
            Step::Register => &self.register,
            Step::Confirmation => &self.confirmation,
            Step::Credentials => &self.credentials,
            Step::UsernameFormat => &self.usernames,
            Step::FirstSync => &self.first_sync,
            Step::Done => &self.status_panel,
        }
    }

    pub fn get_mut(&mut self, step: Step) -> &mut dyn Screen {
        match step {
            Step::Requirements => &mut self.requirements,
            Step::LinkDirector => &mut self.link,
            Step::Register => &mut self.register,
            Step::Confirmation => &mut self.confirmation,
            Step::Credentials => &mut self.credentials,
            Step::UsernameFormat => &mut self.usernames,
            Step::FirstSync => &mut self.first_sync,
            Step::Done => &mut self.status_panel,
        }
    }
}

/// A screen's surroundings for its own tests: progress, shared state and
/// the requests it queued, without the app or a runtime.
#[cfg(test)]
pub mod test_support {
    use crate::domain::wizard::{Progress, Step};
    use crate::store::settings::TrustedCertificates;
    use crate::ui::screen::{Ctx, Shared};
    use crate::ui::tasks::Request;

    pub struct Fixture {
        pub progress: Progress,
        pub trusted: TrustedCertificates,
        pub shared: Shared,
        pub requests: Vec<Request>,
        /// The last step a screen asked to go to.
        pub went: Option<Step>,
    }

    impl Default for Fixture {
        fn default() -> Self {
            Fixture {
                progress: Progress::default(),
                trusted: TrustedCertificates::default(),
                shared: Shared {
                    demo: true,
                    open_links: false,
                    director_login: "admin".into(),
                    portal_url: "http://127.0.0.1:9".into(),
                    snapshot: None,
                    token: None,
                    token_kept: None,
                    portal_password: None,
                    data_dir: std::env::temp_dir(),
                    director_url: "http://127.0.0.1:9".into(),
                    terms_page_url: "http://127.0.0.1:9/terms".into(),
                    secrets_persist: false,
                    kind: None,
                    clear_clipboard_at: None,
                    autostart: None,
                    directors: Vec::new(),
                    directors_action: None,
                    start_fix: false,
                },
                requests: Vec::new(),
                went: None,
            }
        }
    }

    impl Fixture {
        pub fn run<R>(&mut self, f: impl FnOnce(&mut Ctx<'_>) -> R) -> R {
            let mut ctx = Ctx {
                progress: &mut self.progress,
                trusted: &mut self.trusted,
                shared: &mut self.shared,
                requests: &mut self.requests,
            };
            f(&mut ctx)
        }
    }
}
