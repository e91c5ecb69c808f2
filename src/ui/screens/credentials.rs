//! Step 5: the Account ID and Token — fetched from the Portal's Connect
//! Credentials "Show" (Decision Maker only), or pasted by hand. The Token is
//! masked, kept in the OS keyring, or for this session only where there is
//! no keyring.

use egui::{RichText, Ui};

use crate::client::http::ApiError;
use crate::contract::{AccountDetails, PortalSession};
use crate::domain::account;
use crate::domain::secret::Secret;
use crate::domain::wizard::{Progress, Step};
use crate::store::secret_store::SecretKey;
use crate::ui::screen::{Ctx, Screen, TokenKept};
use crate::ui::screens::guided;
use crate::ui::tasks::{Event, Request};
use crate::ui::widgets::{self, Tone};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Mode {
    #[default]
    Portal,
    Manual,
}

#[derive(Default)]
pub struct CredentialsScreen {
    mode: Mode,
    password: String,
    signing_in: bool,
    signed_in: Option<(PortalSession, AccountDetails)>,
    revealing: bool,
    refusal: Option<String>,
    error: Option<ApiError>,
    token_text: String,
    show_token: bool,
    /// A real Portal: the Account ID and Token are pasted from it.
    guided: bool,
    /// Continue was tried: field problems show.
    tried: bool,
}

impl Screen for CredentialsScreen {
    fn on_enter(&mut self, ctx: &mut Ctx<'_>) {
        self.guided = ctx.shared.guided();
        if self.guided {
            self.mode = Mode::Manual;
        }
        if let Some(password) = ctx.shared.portal_password.take() {
            self.password = password.expose().to_string();
        }
        if let Some(token) = &ctx.shared.token {
            self.token_text = token.expose().to_string();
        }
    }

    fn can_continue(&self, progress: &Progress) -> bool {
        !progress.account_id.trim().is_empty() && !self.token_text.trim().is_empty()
    }

    /// Keeps the Token (keyring + memory) and moves on; a value whose shape
    /// is off (a label or line break pasted with it) stops here, named.
    fn on_continue(&mut self, ctx: &mut Ctx<'_>) -> Option<Step> {
        self.tried = true;
        let (Ok(account_id), Ok(token)) = (
            account::account_id(&ctx.progress.account_id),
            account::token(&self.token_text),
        ) else {
            return None;
        };
        let token = Secret::new(token);
        ctx.progress.account_id = account_id;
        ctx.shared.token = Some(token.clone());
        ctx.request(Request::StoreSecret {
            key: SecretKey::PortalToken {
                account_id: ctx.progress.account_id.clone(),
            },
            secret: token,
        });
        Some(ctx.progress.next())
    }

    fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) -> Option<Step> {
        match event {
            // The Token kept in the keyring from an earlier session.
            Event::SecretLoaded {
                key: SecretKey::PortalToken { .. },
                secret: Some(secret),
            } => ctx.shared.token = Some(secret.clone()),
            Event::PortalSignedIn(result) => {
                self.signing_in = false;
                match result {
                    Ok((session, details)) => {
                        ctx.progress.account_name = details.account_name.clone();
                        ctx.progress.account_id = details.account_id.clone();
                        ctx.progress.portal_email = session.email.clone();
                        self.signed_in = Some((session.clone(), details.clone()));
                        self.error = None;
                        self.password.clear();
                    }
                    Err(e) => self.error = Some(e.clone()),
                }
            }
            Event::Credentials(result) => {
                self.revealing = false;
                match result {
                    Ok(credentials) => {
                        ctx.progress.account_id = credentials.account_id.clone();
                        self.token_text = credentials.token.expose().to_string();
                        self.refusal = None;
                        self.error = None;
                    }
                    Err(ApiError::Forbidden { message }) => self.refusal = Some(message.clone()),
                    Err(e) => self.error = Some(e.clone()),
                }
            }
            Event::SecretStored {
                key: SecretKey::PortalToken { .. },
                result,
            } => {
                ctx.shared.token_kept = Some(match result {
                    Ok(()) => TokenKept::InKeyring,
                    Err(_) => TokenKept::SessionOnly,
                });
            }
            _ => {}
        }
        None
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        widgets::page_title(ui, "Credentials");
        if self.guided {
            Self::guided_intro(ui, ctx);
        } else {
            ui.label(
                "Connect Sync needs the Account ID and the Token. Sign in to the Connect Portal as the Decision Maker \
                 to reveal them (Organization > Account > Account Details > Connect Credentials > Show), or enter them by hand.",
            );
            ui.add_space(6.0);
            ui.horizontal_wrapped(|ui| {
                ui.selectable_value(&mut self.mode, Mode::Portal, "Sign in to the Portal");
                ui.selectable_value(&mut self.mode, Mode::Manual, "Enter by hand");
            });
        }
        ui.separator();
        if let Some(error) = self.error.clone()
            && widgets::error_banner(ui, &error)
        {
            self.error = None;
            if self.signed_in.is_some() {
                self.reveal(ctx);
            } else {
                self.sign_in(ctx);
            }
        }
        match self.mode {
            Mode::Portal => self.portal_ui(ui, ctx),
            Mode::Manual => {
                let mut id = ctx.progress.account_id.clone();
                let error = self.tried.then(|| account::account_id(&id).err()).flatten();
                widgets::field(ui, "Account ID", &mut id, false, error.as_deref());
                ctx.progress.account_id = id;
            }
        }
        ui.add_space(8.0);
        let error = self
            .tried
            .then(|| account::token(&self.token_text).err())
            .flatten();
        widgets::secret_field(
            ui,
            "Token",
            &mut self.token_text,
            &mut self.show_token,
            error.as_deref(),
        );
        match ctx.shared.token_kept {
            Some(TokenKept::InKeyring) => {
                widgets::notice(
                    ui,
                    Tone::Good,
                    "The Token is stored in this computer's keyring.",
                );
            }
            Some(TokenKept::SessionOnly) => {
                widgets::notice(
                    ui,
                    Tone::Warning,
                    "No keyring service is available on this computer: the Token is kept for this session only. \
                     After a restart you will be asked for it again.",
                );
            }
            None if !ctx.shared.secrets_persist => {
                widgets::notice(ui, Tone::Warning, "Secrets are kept for this session only.");
            }
            None => {}
        }
        None
    }
}

impl CredentialsScreen {
    /// What to do in the real Portal, which has no interface to ask.
    fn guided_intro(ui: &mut Ui, ctx: &mut Ctx<'_>) {
        ui.label("Connect Sync needs the Account ID and the Token from the Connect Portal.");
        let portal = ctx.shared.portal_url.clone();
        guided::open_button(ui, ctx.shared, "Open the Connect Portal", &portal);
        guided::numbered(
            ui,
            &[
                "Sign in with the Business Email and Password given at registration.",
                "The Account Details screen opens (or go to Organization > Account > Account Details).",
                "Click \"Show\" to the right of Connect Credentials: the Account ID and Token appear below it.",
                "Copy each into the fields here.",
            ],
        );
        widgets::note(
            ui,
            "Only the Decision Maker — the Contact entered at registration — can click Show. Support staff cannot \
             see the Token either: ask the Decision Maker if that is not you.",
            Tone::Muted,
        );
    }

    fn sign_in(&mut self, ctx: &mut Ctx<'_>) {
        self.signing_in = true;
        self.refusal = None;
        self.signed_in = None;
        ctx.request(Request::PortalSignIn {
            email: ctx.progress.portal_email.clone(),
            password: Secret::new(self.password.clone()),
        });
    }

    fn reveal(&mut self, ctx: &mut Ctx<'_>) {
        self.revealing = true;
        ctx.request(Request::RevealCredentials);
    }

    fn portal_ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        match &self.signed_in {
            None => {
                widgets::field(
                    ui,
                    "Business Email",
                    &mut ctx.progress.portal_email,
                    false,
                    None,
                );
                let response =
                    widgets::field(ui, "Portal password", &mut self.password, true, None);
                let submit = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.horizontal_wrapped(|ui| {
                    let enabled = !self.signing_in
                        && !ctx.progress.portal_email.trim().is_empty()
                        && !self.password.is_empty();
                    if (ui
                        .add_enabled(enabled, egui::Button::new("Sign in"))
                        .clicked()
                        || (submit && enabled))
                        && !self.signing_in
                    {
                        self.sign_in(ctx);
                    }
                    if self.signing_in {
                        ui.spinner();
                    }
                });
            }
            Some((session, details)) => {
                ui.label(format!(
                    "Signed in as {} ({}) — account {} ({}).",
                    session.name,
                    session.role.label(),
                    details.account_name,
                    details.account_id
                ));
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new("Connect Credentials").strong());
                    if ui
                        .add_enabled(!self.revealing, egui::Button::new("Show"))
                        .on_hover_text("Reveal the Account ID and Token")
                        .clicked()
                    {
                        self.reveal(ctx);
                    }
                    if self.revealing {
                        ui.spinner();
                    }
                    if ui.button("Sign out").clicked() {
                        self.signed_in = None;
                        self.refusal = None;
                    }
                });
                widgets::copyable(ui, "Account ID", &ctx.progress.account_id);
                if let Some(refusal) = &self.refusal {
                    widgets::note(ui, refusal, Tone::Bad);
                    ui.label("Ask the Decision Maker for the Token and use \"Enter by hand\", or sign in as the Decision Maker.");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::screens::test_support::Fixture;

    #[test]
    fn continue_keeps_the_token_in_the_keyring_and_in_memory() {
        let mut fixture = Fixture::default();
        fixture.progress.step = crate::domain::wizard::StepOrStart(Step::Credentials);
        let mut screen = CredentialsScreen::default();
        assert!(!screen.can_continue(&fixture.progress));
        fixture.progress.account_id = " 1000002 ".into();
        screen.token_text = " tok-123 ".into();
        assert!(screen.can_continue(&fixture.progress));
        let next = fixture.run(|ctx| screen.on_continue(ctx));
        assert_eq!(next, Some(Step::UsernameFormat));
        assert_eq!(fixture.progress.account_id, "1000002");
        assert_eq!(
            fixture.shared.token.as_ref().map(Secret::expose),
            Some("tok-123")
        );
        assert!(matches!(
            fixture.requests.as_slice(),
            [Request::StoreSecret { key: SecretKey::PortalToken { account_id }, secret }]
                if account_id == "1000002" && secret.expose() == "tok-123"
        ));
        // The keyring's answer decides what the screen says.
        let stored = Event::SecretStored {
            key: SecretKey::PortalToken {
                account_id: "1000002".into(),
            },
            result: Err(crate::store::secret_store::SecretStoreError::Unavailable(
                "no D-Bus".into(),
            )),
        };
        fixture.run(|ctx| screen.on_event(&stored, ctx));
        assert_eq!(fixture.shared.token_kept, Some(TokenKept::SessionOnly));
    }

    #[test]
    fn guided_a_token_pasted_with_more_than_the_token_is_refused_by_name() {
        let mut fixture = Fixture::default();
        fixture.shared.kind = Some(crate::domain::director_kind::DirectorKind::Web);
        fixture.progress.step = crate::domain::wizard::StepOrStart(Step::Credentials);
        fixture.progress.account_id = "1000002".into();
        let mut screen = CredentialsScreen::default();
        fixture.run(|ctx| screen.on_enter(ctx));
        assert_eq!(screen.mode, Mode::Manual, "the real Portal cannot be asked");
        screen.token_text = "Token: abc123".into();
        assert_eq!(fixture.run(|ctx| screen.on_continue(ctx)), None);
        assert!(fixture.requests.is_empty(), "nothing stored");
        assert!(fixture.shared.token.is_none());
        assert_eq!(
            account::token(&screen.token_text).err().as_deref(),
            Some("Token: it has spaces or line breaks inside — paste the Token only.")
        );
        screen.token_text = "abc123\n".into();
        assert_eq!(
            fixture.run(|ctx| screen.on_continue(ctx)),
            Some(Step::UsernameFormat)
        );
        assert_eq!(
            fixture.shared.token.as_ref().map(Secret::expose),
            Some("abc123")
        );
    }
}
