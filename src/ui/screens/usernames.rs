//! Step 6: the two username formatting options, a live preview of every
//! user ("current → will become"), the "N of X invalid" count, filter,
//! search and CSV export.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::contract::UserRecord;
use crate::domain::format::{FormatOptions, Formatted, InvalidCount, Source};
use crate::domain::wizard::{Progress, Step};
use crate::service::audit::report::Rows;
use crate::ui::screen::{Ctx, Screen};
use crate::ui::screens::fix_view::FixView;
use crate::ui::tasks::{Event, Request};
use crate::ui::widgets::{self, Tone};

pub const USE_EMAIL_LABEL: &str = "Use the email address as the client username";
pub const APPEND_DOMAIN_LABEL: &str =
    "Append a domain to client usernames that are not email addresses";

#[derive(Default)]
pub struct UsernamesScreen {
    users: Option<Arc<Vec<UserRecord>>>,
    /// The options the shown rows were computed for.
    computed_for: Option<FormatOptions>,
    /// The options being computed in the background.
    requested: Option<FormatOptions>,
    rows: Arc<Vec<Formatted>>,
    count: Option<InvalidCount>,
    invalid_only: bool,
    search: String,
    visible: Vec<usize>,
    visible_for: Option<(bool, String, usize)>,
    note: Option<(String, bool)>,
    /// "Append a domain" is ticked (its domain may still be empty).
    append_ticked: bool,
    /// The "Save with invalid client usernames?" question is open.
    confirm_save: bool,
    /// A real Director: the admin saves on its page, on the next step.
    guided: bool,
    /// "Fix in Director…".
    fix: FixView,
    /// The users are being read again after a fix.
    rereading: bool,
}

impl Screen for UsernamesScreen {
    fn on_enter(&mut self, ctx: &mut Ctx<'_>) {
        self.guided = ctx.shared.guided();
        if std::mem::take(&mut ctx.shared.start_fix) {
            self.fix.start(ctx);
        }
    }

    fn hides_navigation(&self) -> bool {
        self.fix.open
    }

    fn on_escape(&mut self) -> bool {
        if self.fix.open {
            self.fix.on_escape();
        }
        self.fix.open
    }

    fn can_continue(&self, progress: &Progress) -> bool {
        !self.fix.open
            && self.count.is_some()
            && !self.computing()
            && progress.format_options().validate().is_ok()
    }

    fn continue_label(&self, _progress: &Progress) -> &'static str {
        if self.guided {
            "Continue"
        } else {
            "Save to Director"
        }
    }

    /// Continue asks first when users would be left out.
    fn on_continue(&mut self, _ctx: &mut Ctx<'_>) -> Option<Step> {
        match self.count {
            Some(count) if count.invalid > 0 => {
                self.confirm_save = true;
                None
            }
            Some(_) => Some(Step::FirstSync),
            None => None,
        }
    }

    fn modal_open(&self) -> bool {
        self.confirm_save
    }

    fn modal(&mut self, ui: &mut Ui, _ctx: &mut Ctx<'_>) -> Option<Step> {
        if !self.confirm_save {
            return None;
        }
        let mut decision = None;
        let modal = egui::Modal::new(egui::Id::unique("confirm-save")).show(ui.ctx(), |ui| {
            ui.set_max_width(420.0);
            widgets::page_title(ui, "Save with invalid client usernames?");
            if let Some(count) = self.count {
                ui.label(format!(
                    "{count} client usernames are invalid. Those {} users will not be synced to the Connect Portal \
                     and cannot use HYBRID services until their usernames are fixed.",
                    count.invalid
                ));
            }
            ui.horizontal_wrapped(|ui| {
                if ui.button("Save anyway").clicked() {
                    decision = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    decision = Some(false);
                }
            });
        });
        // Esc or a click outside is Cancel.
        if modal.should_close() && decision.is_none() {
            decision = Some(false);
        }
        match decision {
            Some(save) => {
                self.confirm_save = false;
                save.then_some(Step::FirstSync)
            }
            None => None,
        }
    }

    fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) -> Option<Step> {
        self.fix.on_event(event, ctx);
        match event {
            Event::Verified(result) if self.rereading => {
                self.rereading = false;
                match result {
                    Ok((snapshot, _)) => ctx.shared.snapshot = Some(snapshot.clone()),
                    Err(e) => self.note = Some((e.to_string(), false)),
                }
            }
            Event::Exported(result) => {
                self.note = match result {
                    Ok(Some(path)) => Some((format!("Exported to {}", path.display()), true)),
                    Ok(None) => None,
                    Err(e) => Some((e.clone(), false)),
                };
            }
            Event::Formatted { options, rows } => {
                // An answer for options since changed again is dropped.
                let current = self.requested.as_ref() == Some(options);
                let right_users = self.users.as_ref().is_some_and(|u| u.len() == rows.len());
                if current && right_users {
                    self.count = Some(InvalidCount {
                        invalid: rows.iter().filter(|r| r.reason.is_some()).count(),
                        total: rows.len(),
                    });
                    self.rows = rows.clone();
                    self.computed_for = Some(options.clone());
                    self.visible_for = None;
                }
            }
            _ => {}
        }
        None
    }

    fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        self.show(ui, ctx)
    }
}

impl UsernamesScreen {
    /// Whether the shown rows are behind the chosen options.
    pub fn computing(&self) -> bool {
        self.requested.is_some() && self.requested != self.computed_for
    }

    /// Asks for new outcomes when the users or the options changed.
    fn refresh(&mut self, ctx: &mut Ctx<'_>) {
        let Some(snapshot) = &ctx.shared.snapshot else {
            return;
        };
        let same_users = self
            .users
            .as_ref()
            .is_some_and(|u| Arc::ptr_eq(u, &snapshot.users));
        if !same_users {
            self.users = Some(snapshot.users.clone());
            self.computed_for = None;
            self.requested = None;
            self.rows = Arc::default();
            self.count = None;
        }
        let options = ctx.progress.format_options();
        if options.validate().is_err() || self.requested.as_ref() == Some(&options) {
            return;
        }
        self.requested = Some(options.clone());
        let users = snapshot.users.clone();
        ctx.request(Request::FormatUsernames { users, options });
    }

    fn refresh_visible(&mut self) {
        let key = (
            self.invalid_only,
            self.search.trim().to_lowercase(),
            self.rows.len(),
        );
        if self.visible_for.as_ref() == Some(&key) && self.computed_for.is_some() {
            return;
        }
        let needle = key.1.clone();
        let Some(users) = &self.users else {
            self.visible.clear();
            return;
        };
        self.visible = users
            .iter()
            .zip(self.rows.iter())
            .enumerate()
            .filter(|(_, (_, row))| !self.invalid_only || row.reason.is_some())
            .filter(|(_, (user, row))| {
                needle.is_empty()
                    || user.client_username.to_lowercase().contains(&needle)
                    || row.result.to_lowercase().contains(&needle)
                    || user.email.to_lowercase().contains(&needle)
                    || format!("{} {}", user.first_name, user.last_name)
                        .to_lowercase()
                        .contains(&needle)
            })
            .map(|(i, _)| i)
            .collect();
        self.visible_for = Some(key);
    }

    fn show(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<Step> {
        widgets::page_title(ui, "Username format");
        if ctx.shared.snapshot.is_none() {
            ui.label("The users have not been read from Director in this session.");
            if ui.button("Go to Requirements to sign in").clicked() {
                return Some(Step::Requirements);
            }
            return None;
        }
        if self.fix.open {
            if self.fix.ui(ui, ctx).is_some() {
                self.rereading = true;
            }
            return None;
        }
        self.options_ui(ui, ctx);
        self.refresh(ctx);
        self.refresh_visible();
        self.count_and_filters(ui, ctx);
        ui.separator();
        if self.visible.is_empty() {
            let text = if self.invalid_only && self.count.is_some_and(|c| c.invalid == 0) {
                "No invalid client usernames: every user will be synced."
            } else {
                "No user matches the search."
            };
            widgets::notice(ui, Tone::Muted, text);
            return None;
        }
        self.table(ui);
        None
    }

    /// The two formatting options, and the domain to append.
    fn options_ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        ui.label("Connect Sync accepts only client usernames that are unique email addresses. Choose one or both options:");
        ui.checkbox(&mut ctx.progress.use_email, USE_EMAIL_LABEL);
        let mut append = !ctx.progress.append_domain.is_empty() || self.append_ticked;
        if ui.checkbox(&mut append, APPEND_DOMAIN_LABEL).changed() {
            self.append_ticked = append;
            if append && ctx.progress.append_domain.is_empty() {
                ctx.progress.append_domain = ctx
                    .shared
                    .snapshot
                    .as_ref()
                    .and_then(|s| s.common_email_domain.clone())
                    .unwrap_or_default();
            }
            if !append {
                ctx.progress.append_domain.clear();
            }
        }
        if append {
            ui.indent("domain", |ui| {
                let error = ctx
                    .progress
                    .format_options()
                    .validate()
                    .err()
                    .map(|r| format!("Not a valid domain: {}", r.describe()));
                let error = if ctx.progress.append_domain.trim().is_empty() {
                    Some("Enter the domain to append, such as example.com.".to_string())
                } else {
                    error
                };
                widgets::field(
                    ui,
                    "Domain to append",
                    &mut ctx.progress.append_domain,
                    false,
                    error.as_deref(),
                );
            });
        }
    }

    /// "N of X invalid", the filter, the search and Export.
    fn count_and_filters(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        ui.add_space(6.0);
        if let Some(count) = self.count {
            let color = widgets::tone_color(
                ui,
                if count.invalid == 0 {
                    Tone::Good
                } else {
                    Tone::Bad
                },
            );
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!("{count}"))
                        .size(28.0)
                        .strong()
                        .color(color),
                );
                ui.label(
                    RichText::new("client usernames invalid")
                        .size(18.0)
                        .color(color),
                );
                if self.computing() {
                    ui.spinner();
                }
            });
        }
        ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut self.invalid_only, "Invalid only");
            let label = ui.label("Search");
            ui.add(egui::TextEdit::singleline(&mut self.search).desired_width(220.0))
                .labelled_by(label.id);
            if ui
                .button("Export…")
                .on_hover_text("The audit report of the users shown: CSV for Excel, JSON or text (by the file name), with each user's reason, fix and result under every option.")
                .clicked()
            {
                self.export(ctx);
            }
            if ui
                .button("Fix in Director…")
                .on_hover_text("Change client usernames and emails in Director itself: suggestions or a changes file, a preview, then apply with a backup first.")
                .clicked()
            {
                self.fix.start(ctx);
            }
            let backup = ctx.progress.last_fix_backup.clone();
            if !backup.is_empty()
                && ui
                    .button("Undo the last fix")
                    .on_hover_text(format!("Put back what the last fix changed (backup {backup})"))
                    .clicked()
            {
                self.fix.start_undo(ctx, backup.into());
            }
            ui.label(format!("{} shown", self.visible.len()));
        });
        if let Some((note, ok)) = &self.note {
            widgets::notice(ui, if *ok { Tone::Good } else { Tone::Bad }, note);
        }
    }

    fn export(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(users) = &self.users {
            // The export lists what the table shows: invalid users only, or all.
            let rows = if self.invalid_only {
                Rows::InvalidOnly
            } else {
                Rows::All
            };
            ctx.request(Request::ExportReport {
                users: users.clone(),
                options: ctx.progress.format_options(),
                rows,
            });
        }
    }

    fn table(&mut self, ui: &mut Ui) {
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        const USER: f32 = 140.0;
        const VALID: f32 = 44.0;
        // Invalid only, every row has a Reason ("email shared with another
        // user" is the longest): it gets its width first and the short
        // usernames share the rest. All users, most rows are valid with long
        // email addresses and no Reason: the usernames come first. Each view
        // keeps its own widths (and the person's resizing).
        let body = ui.text_style_height(&egui::TextStyle::Body);
        let gaps = 4.0 * ui.spacing().item_spacing.x;
        let (username, id) = if self.invalid_only {
            let reason = body * 15.0;
            let rest = (ui.available_width() - USER - VALID - reason - gaps) / 2.0;
            (rest.max(100.0), "invalid-only")
        } else {
            (body * 12.0, "all-users")
        };
        TableBuilder::new(ui)
            .id_salt(id)
            .striped(true)
            .resizable(true)
            .auto_shrink([false, false])
            .column(Column::initial(USER).at_least(80.0).clip(true))
            .column(Column::initial(username).at_least(100.0).clip(true))
            .column(Column::initial(username).at_least(100.0).clip(true))
            .column(Column::exact(VALID))
            .column(Column::remainder().at_least(120.0).clip(true))
            .header(row_height, |mut header| {
                for title in [
                    "User",
                    "Current client username",
                    "Will become",
                    "Valid",
                    "Reason",
                ] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, self.visible.len(), |mut row| {
                    let Some(&index) = self.visible.get(row.index()) else {
                        return;
                    };
                    let (Some(user), Some(outcome)) = (
                        self.users.as_ref().and_then(|u| u.get(index)),
                        self.rows.get(index),
                    ) else {
                        return;
                    };
                    row.col(|ui| {
                        ui.label(format!("{} {}", user.first_name, user.last_name));
                    });
                    row.col(|ui| {
                        ui.label(&user.client_username);
                    });
                    row.col(|ui| {
                        let text = match outcome.source {
                            Source::Kept => RichText::new(&outcome.result),
                            _ => RichText::new(&outcome.result).strong(),
                        };
                        ui.label(text);
                    });
                    row.col(|ui| {
                        let (mark, text) = match outcome.reason {
                            None => (widgets::Mark::Ok, "valid"),
                            Some(_) => (widgets::Mark::Failed, "invalid"),
                        };
                        widgets::mark(ui, mark, 14.0).on_hover_text(text);
                    });
                    row.col(|ui| {
                        if let Some(reason) = outcome.reason {
                            ui.label(reason.short()).on_hover_text(format!(
                                "{}\n{}",
                                reason.describe(),
                                reason.hint()
                            ));
                        }
                    });
                });
            });
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::contract::SystemInfo;
    use crate::domain::format::format_owned;
    use crate::ui::screens::test_support::Fixture;
    use crate::ui::tasks::DirectorSnapshot;

    fn user(dn: &str, username: &str, email: &str) -> UserRecord {
        UserRecord {
            user_dn: dn.into(),
            first_name: "Pat".into(),
            last_name: dn.into(),
            client_username: username.into(),
            email: email.into(),
            ..Default::default()
        }
    }

    #[test]
    fn asks_for_the_count_and_shows_n_of_x() {
        let users = Arc::new(vec![
            user("1", "pat@acme.example", "pat@acme.example"),
            user("2", "sam", "sam@acme.example"),
        ]);
        let mut fixture = Fixture::default();
        fixture.shared.snapshot = Some(DirectorSnapshot {
            kind: crate::client::director::kind::DirectorKind::Contract,
            system: SystemInfo {
                product: "Connect".into(),
                build: "21.90.9743.0".into(),
                hybrid_minimum: "21.75.1908.0".into(),
            },
            users: users.clone(),
            checks: Vec::new(),
            common_email_domain: Some("acme.example".into()),
            set_up: None,
        });
        let mut harness = Harness::new_ui_state(
            |ui, (screen, fixture): &mut (UsernamesScreen, Fixture)| {
                fixture.run(|ctx| screen.ui(ui, ctx));
            },
            (UsernamesScreen::default(), fixture),
        );
        harness.run();
        let (screen, fixture) = harness.state_mut();
        let options = match fixture.requests.as_slice() {
            [Request::FormatUsernames { options, .. }] => options.clone(),
            other => panic!("expected one format request, got {other:?}"),
        };
        assert_eq!(options, FormatOptions::default());
        let directory = crate::contract::directory_users(&users);
        let rows = Arc::new(format_owned(&directory, &options));
        fixture.run(|ctx| screen.on_event(&Event::Formatted { options, rows }, ctx));
        harness.run();
        harness.get_by_label("1 of 2");
        assert!(harness.state().0.can_continue(&harness.state().1.progress));
        // One invalid user: Continue asks before saving.
        let (screen, fixture) = harness.state_mut();
        assert_eq!(fixture.run(|ctx| screen.on_continue(ctx)), None);
        assert!(screen.modal_open());
    }
}
