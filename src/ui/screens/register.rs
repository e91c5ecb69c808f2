//! Step 3: the Connect Portal's registration form. Required fields carry
//! `*`, errors sit next to their field, a taken Company Name offers a
//! suggestion, and the Terms check box stays disabled until the "terms and
//! conditions" link was opened.

use std::collections::{BTreeMap, HashSet};

use egui::{RichText, Ui};

use crate::client::http::ApiError;
use crate::contract::{RegistrationRequest, Terms};
use crate::domain::registration::{Field, RegistrationForm};
use crate::domain::secret::Secret;
use crate::domain::wizard::{Progress, Step};
use crate::ui::screen::{Ctx, Screen};
use crate::ui::screens::guided;
use crate::ui::tasks::{Event, Request};
use crate::ui::widgets::{self, Tone};

#[derive(Default)]
pub struct RegisterScreen {
    terms: Option<Terms>,
    terms_error: Option<ApiError>,
    show_terms: bool,
    touched: HashSet<Field>,
    tried: bool,
    submitting: bool,
    server_errors: BTreeMap<Field, String>,
    suggestion: Option<String>,
    error: Option<ApiError>,
    /// The last submit failed without a clear answer (lost, timed out,
    /// server error): the Portal may have registered the account anyway.
    answer_lost: bool,
    /// Said when a Retry after a lost answer meets "already exists".
    maybe_registered: Option<String>,
    /// A real Director: the registration is done in the browser.
    guided: bool,
}

impl Screen for RegisterScreen {
    fn on_enter(&mut self, ctx: &mut Ctx<'_>) {
        self.guided = ctx.shared.guided();
        if self.terms.is_none() && !self.guided {
            ctx.request(Request::FetchTerms);
        }
    }

    fn can_continue(&self, progress: &Progress) -> bool {
        if self.guided {
            return true;
        }
        !self.submitting
            && self.terms.is_some()
            && progress.terms_opened
            && progress.registration.validate().is_empty()
            && self.server_errors.is_empty()
    }

    fn continue_label(&self, _progress: &Progress) -> &'static str {
        if self.guided {
            return "I have registered";
        }
        if self.submitting {
            "Registering…"
        } else {
            "Register the account"
        }
    }

    /// Register submits; the Portal's answer decides where to go.
    fn on_continue(&mut self, ctx: &mut Ctx<'_>) -> Option<Step> {
        if ctx.shared.guided() {
            return Some(Step::Confirmation);
        }
        self.submit(ctx);
        None
    }

    fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) -> Option<Step> {
        match event {
            Event::Terms(Ok(terms)) => {
                self.terms = Some(terms.clone());
                self.terms_error = None;
            }
            Event::Terms(Err(e)) => self.terms_error = Some(e.clone()),
            Event::Registered(result) => {
                self.submitting = false;
                match result {
                    Ok(registered) => {
                        let form = &mut ctx.progress.registration;
                        ctx.progress.account_name = registered.account_name.clone();
                        ctx.progress.account_id = registered.account_id.clone();
                        ctx.progress.portal_email = form.business_email.trim().to_string();
                        // The password is the Portal's now; keep it only for
                        // the sign-in on the Credentials step.
                        ctx.shared.portal_password = Some(Secret::new(form.password.clone()));
                        form.password.clear();
                        form.confirm_password.clear();
                        return Some(Step::Confirmation);
                    }
                    Err(ApiError::Conflict {
                        field,
                        message,
                        suggestion,
                    }) => {
                        if std::mem::take(&mut self.answer_lost) {
                            self.maybe_registered = Some(format!(
                                "The first attempt may have registered this account before its answer was lost. \
                                 Look for the welcome email at {}: if it came, go Back and choose \
                                 \u{201c}I already have an account\u{201d}.",
                                ctx.progress.registration.business_email.trim()
                            ));
                        }
                        if let Some(field) = Field::from_name(field) {
                            self.server_errors.insert(field, message.clone());
                        }
                        self.suggestion = suggestion.clone();
                    }
                    Err(ApiError::Invalid { fields, message }) => {
                        for f in fields {
                            if let Some(field) = Field::from_name(&f.field) {
                                self.server_errors.insert(field, f.message.clone());
                            }
                        }
                        if fields.is_empty() {
                            self.error = Some(ApiError::Invalid {
                                message: message.clone(),
                                fields: vec![],
                            });
                        }
                    }
                    Err(e) => {
                        self.answer_lost = e.is_transient() || matches!(e, ApiError::Server { .. });
                        self.error = Some(e.clone());
                    }
                }
            }
            _ => {}
        }
        None
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        // A real Portal has no interface to register through: guided.
        self.guided = ctx.shared.guided();
        if self.guided {
            guided::register(ui, ctx);
        } else {
            self.show(ui, ctx);
        }
        None
    }
}

/// The form's label column and its boxes, in points.
const LABEL_WIDTH: f32 = 140.0;
const FIELD_WIDTH: f32 = 320.0;

impl RegisterScreen {
    /// Sends the form (once it is valid) with the version of the terms shown.
    fn submit(&mut self, ctx: &mut Ctx<'_>) {
        self.tried = true;
        let Some(terms) = &self.terms else { return };
        if !ctx.progress.registration.validate().is_empty() {
            return;
        }
        self.submitting = true;
        self.error = None;
        ctx.request(Request::Register(Box::new(RegistrationRequest {
            form: ctx.progress.registration.clone(),
            terms_version: terms.version.clone(),
        })));
    }

    fn error_for(
        &self,
        form: &RegistrationForm,
        errors: &[crate::domain::FieldError],
        field: Field,
    ) -> Option<String> {
        if let Some(server) = self.server_errors.get(&field) {
            return Some(server.clone());
        }
        let show = self.tried || (self.touched.contains(&field) && !form.value(field).is_empty());
        show.then(|| RegistrationForm::errors_for(errors, field).map(str::to_string))
            .flatten()
    }

    fn show(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        widgets::page_title(ui, "Register");
        ui.label("Fields marked * are required. The Contact becomes the account's Decision Maker, the person who can see the Token.");
        if let Some(error) = &self.error
            && widgets::error_banner(ui, error)
        {
            self.submit(ctx);
        }
        if let Some(note) = &self.maybe_registered {
            widgets::note(ui, note, Tone::Warning);
        }
        let errors = ctx.progress.registration.validate();
        // The window's page scrolls; a scroll area of its own here would
        // keep the terms out of reach when zoomed in.
        ui.label(RichText::new("Company").strong().size(16.0));
        self.fields(ui, ctx, &errors, &Field::COMPANY, "company-fields");
        ui.add_space(8.0);
        ui.label(
            RichText::new("Contact (Decision Maker)")
                .strong()
                .size(16.0),
        );
        self.fields(ui, ctx, &errors, &Field::CONTACT, "contact-fields");
        ui.add_space(8.0);
        self.terms_row(ui, ctx, &errors);
    }

    fn fields(
        &mut self,
        ui: &mut Ui,
        ctx: &mut Ctx<'_>,
        errors: &[crate::domain::FieldError],
        fields: &[Field],
        id: &str,
    ) {
        // Zoomed in or narrow: each label above its field, nothing to
        // scroll sideways for.
        if ui.available_width() < LABEL_WIDTH + 12.0 + FIELD_WIDTH {
            for &field in fields {
                self.field_row(ui, ctx, errors, field);
                ui.add_space(4.0);
            }
            return;
        }
        egui::Grid::new(id)
            .num_columns(2)
            .spacing([12.0, 6.0])
            .min_col_width(LABEL_WIDTH)
            .show(ui, |ui| {
                for &field in fields {
                    self.field_row(ui, ctx, errors, field);
                    ui.end_row();
                }
            });
    }

    /// One field's label, then its box, error and suggestion.
    fn field_row(
        &mut self,
        ui: &mut Ui,
        ctx: &mut Ctx<'_>,
        errors: &[crate::domain::FieldError],
        field: Field,
    ) {
        let text = if field.required() {
            format!("{} *", field.label())
        } else {
            field.label().to_string()
        };
        // Level with its box, not centred on box, error and suggestion.
        let label = ui
            .with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                ui.add_space(ui.spacing().button_padding.y);
                ui.label(text)
            })
            .inner;
        let error = self.error_for(&ctx.progress.registration, errors, field);
        ui.vertical(|ui| {
            let secret = matches!(field, Field::Password | Field::ConfirmPassword);
            if let Some(value) = ctx.progress.registration.value_mut(field) {
                let response = ui
                    .add(
                        egui::TextEdit::singleline(value)
                            .password(secret)
                            .desired_width(FIELD_WIDTH.min(ui.available_width())),
                    )
                    .labelled_by(label.id);
                if response.changed() {
                    self.server_errors.remove(&field);
                    if field == Field::CompanyName {
                        self.suggestion = None;
                    }
                }
                if response.lost_focus() {
                    self.touched.insert(field);
                }
            }
            if let Some(error) = error {
                widgets::notice(ui, Tone::Bad, &error);
            }
            if field == Field::CompanyName
                && let Some(suggestion) = self.suggestion.clone()
                && ui
                    .button(format!("Use \u{201c}{suggestion}\u{201d}"))
                    .clicked()
            {
                ctx.progress.registration.company_name = suggestion;
                self.server_errors.remove(&Field::CompanyName);
                self.suggestion = None;
            }
        });
    }

    fn terms_row(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>, errors: &[crate::domain::FieldError]) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Read the");
            if ui.link("terms and conditions").clicked() {
                ctx.progress.terms_opened = true;
                self.show_terms = true;
                if ctx.shared.open_links {
                    let url = &ctx.shared.terms_page_url;
                    if let Err(e) = open::that_detached(url) {
                        tracing::warn!("cannot open {url} in the browser: {e}");
                    }
                }
            }
            ui.label("(they open in your browser and below), then accept them.");
        });
        self.terms_text(ui);
        let enabled = ctx.progress.terms_opened;
        let checkbox = ui
            .add_enabled(
                enabled,
                egui::Checkbox::new(
                    &mut ctx.progress.registration.accepted_terms,
                    "I accept the Terms and Conditions *",
                ),
            )
            .on_disabled_hover_text("Open the terms and conditions first.");
        if !enabled {
            ui.label(
                RichText::new("The box unlocks once the terms and conditions were opened.").small(),
            );
        }
        if checkbox.changed() {
            self.server_errors.remove(&Field::AcceptedTerms);
        }
        if let Some(error) =
            self.error_for(&ctx.progress.registration, errors, Field::AcceptedTerms)
        {
            widgets::notice(ui, Tone::Bad, &error);
        }
        if let Some(e) = &self.terms_error
            && widgets::error_banner(ui, e)
        {
            self.terms_error = None;
            ctx.request(Request::FetchTerms);
        }
    }

    /// The terms under the link that opened them, not over the form: they
    /// scroll within a box of their own and fold away again.
    fn terms_text(&mut self, ui: &mut Ui) {
        let Some(terms) = &self.terms else { return };
        if !self.show_terms {
            return;
        }
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width().min(FIELD_WIDTH + LABEL_WIDTH + 12.0));
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(terms.title.as_str()).strong());
                ui.label(format!("Version {}", terms.version));
                if ui.button("Hide the terms").clicked() {
                    self.show_terms = false;
                }
            });
            egui::ScrollArea::vertical()
                .max_height(220.0)
                .show(ui, |ui| ui.add(egui::Label::new(&terms.text).wrap()));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::screens::test_support::Fixture;

    #[test]
    fn fetches_the_terms_and_waits_for_the_link_before_register() {
        let mut fixture = Fixture::default();
        let mut screen = RegisterScreen::default();
        fixture.run(|ctx| screen.on_enter(ctx));
        assert!(matches!(fixture.requests.as_slice(), [Request::FetchTerms]));
        let terms = Terms {
            version: "2026-01".into(),
            title: "END USER TERMS OF SERVICE".into(),
            text: "…".into(),
        };
        fixture.run(|ctx| screen.on_event(&Event::Terms(Ok(terms)), ctx));
        assert!(!screen.can_continue(&fixture.progress), "empty form");
        assert_eq!(
            screen.continue_label(&fixture.progress),
            "Register the account"
        );
        // Continue on an invalid form sends nothing and shows the errors.
        assert_eq!(fixture.run(|ctx| screen.on_continue(ctx)), None);
        assert_eq!(fixture.requests.len(), 1);
        assert!(screen.tried);
    }

    #[test]
    fn a_retry_after_a_lost_answer_says_the_account_may_exist() {
        let mut fixture = Fixture::default();
        fixture.progress.registration.business_email = "pat@acme.example".into();
        let mut screen = RegisterScreen::default();
        let lost = ApiError::Server {
            status: 500,
            message: "the answer was lost".into(),
        };
        fixture.run(|ctx| screen.on_event(&Event::Registered(Err(lost)), ctx));
        assert!(
            screen.maybe_registered.is_none(),
            "not yet: nothing is known"
        );
        let conflict = ApiError::Conflict {
            field: "company_name".into(),
            message: "A Connect HYBRID account named \"Acme\" already exists.".into(),
            suggestion: None,
        };
        fixture.run(|ctx| screen.on_event(&Event::Registered(Err(conflict.clone())), ctx));
        let note = screen.maybe_registered.clone().expect("the note");
        assert!(note.contains("pat@acme.example"), "{note}");
        assert!(note.contains("I already have an account"), "{note}");

        // A plain conflict, with no lost answer before it, is just a conflict.
        let mut plain = RegisterScreen::default();
        fixture.run(|ctx| plain.on_event(&Event::Registered(Err(conflict)), ctx));
        assert!(plain.maybe_registered.is_none());
        assert!(plain.server_errors.contains_key(&Field::CompanyName));
    }
}
