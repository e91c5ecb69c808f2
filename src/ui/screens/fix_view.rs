//! "Fix in Director…" on the Username format step: the users in the way
//! with suggested values in editable cells, a changes file to import, the
//! preview (judged over the whole directory with every change applied), and
//! Apply with progress and Cancel — a backup first — then the result per
//! user and Undo. Works against a real Director's web interface and the
//! simulator alike (the work is `service::fix`; the rules `domain::fix`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::domain::fix::{Change, Preview, Wanted, count};
use crate::domain::format::DirectoryUser;
use crate::domain::username::validate;
use crate::service::fix::{Outcome, Report, UndoReview};
use crate::ui::screen::Ctx;
use crate::ui::tasks::{Event, Request, WebUsers};
use crate::ui::widgets::{self, Tone};

/// One user in the editing table.
#[derive(Debug, Clone)]
struct EditRow {
    user_dn: String,
    name: String,
    username: String,
    email: String,
    new_username: String,
    new_email: String,
    /// Why the program left it to a person, if it did.
    note: Option<String>,
}

#[derive(Debug, Default)]
enum Phase {
    #[default]
    Reading,
    Editing,
    Previewing,
    Applying {
        done: usize,
        total: usize,
        user: String,
    },
    /// An undo read and judged: its table, before anything is put back.
    UndoReview(Box<UndoReview>),
    Done(Box<Report>),
    Failed(String),
}

#[derive(Default)]
pub struct FixView {
    phase: Phase,
    users: WebUsers,
    rows: Vec<EditRow>,
    preview: Option<Preview>,
    /// The preview asks again before changing this many users.
    confirm_many: bool,
    import_note: Option<(String, bool)>,
    /// Something was written: the users are read again on closing.
    changed: bool,
    /// Events for this view are taken only while it is open.
    pub open: bool,
}

/// What the view asks of the screen around it.
pub enum FixAction {
    Close,
}

impl FixView {
    /// Opens the view and reads Director's users with their web ids.
    pub fn start(&mut self, ctx: &mut Ctx<'_>) {
        *self = FixView {
            open: true,
            ..Default::default()
        };
        ctx.request(Request::FixRead { email_domain: None });
    }

    /// Opens the view on an undo of the fix whose backup is `backup`:
    /// the users are read and the undo judged first, and shown.
    pub fn start_undo(&mut self, ctx: &mut Ctx<'_>, backup: PathBuf) {
        let changed = self.changed;
        *self = FixView {
            open: true,
            phase: Phase::Reading,
            changed,
            ..Default::default()
        };
        ctx.request(Request::FixUndoPlan(backup));
    }

    pub fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) {
        if !self.open {
            return;
        }
        match event {
            Event::FixRead(Ok((users, suggestions))) => {
                self.users = users.clone();
                self.rows = edit_rows(&users.users, &suggestions.wanted, &suggestions.for_a_human);
                self.phase = Phase::Editing;
            }
            Event::FixRead(Err(e)) => self.phase = Phase::Failed(e.to_string()),
            Event::FixImported(Ok(Some(wanted))) => self.import(wanted),
            Event::FixImported(Ok(None)) => {}
            Event::FixImported(Err(e)) => self.import_note = Some((e.clone(), false)),
            Event::FixPreviewed(preview) => {
                self.preview = Some((**preview).clone());
                self.confirm_many = false;
                self.phase = Phase::Previewing;
            }
            Event::FixProgress { done, total, user } => {
                self.phase = Phase::Applying {
                    done: *done,
                    total: *total,
                    user: user.clone(),
                };
            }
            Event::FixDone(Ok(report)) => {
                if let Some(backup) = &report.backup {
                    ctx.progress.last_fix_backup = backup.display().to_string();
                }
                self.changed = true;
                self.phase = Phase::Done(report.clone());
            }
            Event::FixDone(Err(e)) => self.phase = Phase::Failed(e.clone()),
            Event::FixUndoPlanned(Ok(review)) => {
                self.confirm_many = false;
                self.phase = Phase::UndoReview(review.clone());
            }
            Event::FixUndoPlanned(Err(e)) => {
                self.phase = Phase::Failed(format!("The undo was not started: {e}"))
            }
            _ => {}
        }
    }

    /// A changes file's values go into the cells of the users it names.
    fn import(&mut self, wanted: &[Wanted]) {
        let by_dn: HashMap<String, usize> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.user_dn.clone(), i))
            .collect();
        let known: HashMap<&str, &DirectoryUser> = self
            .users
            .users
            .iter()
            .map(|u| (u.user_dn.as_str(), u))
            .collect();
        let mut added = Vec::new();
        let mut unknown = 0;
        for w in wanted {
            let row = match by_dn.get(&w.user_dn) {
                Some(&i) => &mut self.rows[i],
                None => match known.get(w.user_dn.as_str()) {
                    Some(user) => {
                        added.push(row_of(user, None));
                        let last = added.len() - 1;
                        &mut added[last]
                    }
                    None => {
                        unknown += 1;
                        continue;
                    }
                },
            };
            if let Some(u) = &w.client_username {
                row.new_username = u.clone();
            }
            if let Some(e) = &w.email {
                row.new_email = e.clone();
            }
        }
        self.rows.extend(added);
        self.import_note = Some(if unknown == 0 {
            (format!("Imported {} rows.", wanted.len()), true)
        } else {
            (
                format!(
                    "Imported {} rows; {unknown} name a user_dn Director does not have.",
                    wanted.len()
                ),
                false,
            )
        });
    }

    fn wanted(&self) -> Vec<Wanted> {
        self.rows
            .iter()
            .filter_map(|r| {
                let username =
                    (r.new_username.trim() != r.username.trim()).then(|| r.new_username.clone());
                let email = (r.new_email.trim() != r.email.trim()).then(|| r.new_email.clone());
                (username.is_some() || email.is_some()).then(|| Wanted {
                    user_dn: r.user_dn.clone(),
                    client_username: username,
                    email,
                    source: format!("user {}", r.user_dn),
                })
            })
            .collect()
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<FixAction> {
        ui.heading("Fix in Director");
        let busy = matches!(self.phase, Phase::Reading | Phase::Applying { .. });
        ui.horizontal_wrapped(|ui| {
            if ui.add_enabled(!busy, egui::Button::new("Close")).clicked() {
                return Some(FixAction::Close);
            }
            None
        })
        .inner
        .map(|action| self.close(ctx, action))
        .or_else(|| self.phase_ui(ui, ctx))
    }

    fn close(&mut self, ctx: &mut Ctx<'_>, action: FixAction) -> FixAction {
        self.open = false;
        if self.changed {
            // What Director has now is what the table should show.
            ctx.request(Request::VerifyUsernames {
                options: ctx.progress.format_options(),
            });
        }
        action
    }

    fn phase_ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> Option<FixAction> {
        match &self.phase {
            Phase::Reading => {
                ui.horizontal_wrapped(|ui| {
                    ui.spinner();
                    ui.label("Reading Director's users…");
                });
            }
            Phase::Failed(why) => {
                widgets::note(ui, why, Tone::Bad);
                if ui.button("Try again").clicked() {
                    self.start(ctx);
                }
            }
            Phase::Editing => self.editing(ui, ctx),
            Phase::Previewing => self.previewing(ui, ctx),
            Phase::Applying { done, total, user } => {
                let fraction = if *total == 0 {
                    0.0
                } else {
                    *done as f32 / *total as f32
                };
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .text(format!("{done} of {total} users — {user}")),
                );
                if ui
                    .button("Cancel")
                    .on_hover_text("Stop before the next user")
                    .clicked()
                {
                    ctx.request(Request::FixCancel);
                }
            }
            Phase::UndoReview(review) => {
                let review = review.clone();
                self.undo_review(ui, ctx, review);
            }
            Phase::Done(report) => {
                let report = report.clone();
                self.done(ui, ctx, &report);
            }
        }
        None
    }

    /// The undo's table: Director's value now → the value put back, and
    /// the users changed since the fix, left alone.
    fn undo_review(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>, review: Box<UndoReview>) {
        let plan = &review.plan;
        let to_put_back = plan.to_put_back().count();
        if to_put_back == 0 {
            widgets::notice(
                ui,
                Tone::Good,
                "Nothing to put back: Director no longer holds any value this fix wrote.",
            );
        } else {
            widgets::notice(
                ui,
                Tone::Warning,
                &format!(
                    "Undo: {} to put back for {}; {} changed in Director since the fix and left alone. Nothing was changed yet.",
                    count(to_put_back, "change", "changes"),
                    count(plan.users_to_change(), "user", "users"),
                    plan.rows.len() - to_put_back
                ),
            );
            let label = format!("Put back {}", count(to_put_back, "change", "changes"));
            if ui
                .add(egui::Button::new(RichText::new(label).strong()))
                .on_hover_text("A backup of every user about to change is written first, so the undo can be undone")
                .clicked()
            {
                if review.needs_confirmation() && !self.confirm_many {
                    self.confirm_many = true;
                } else {
                    self.phase = Phase::Applying {
                        done: 0,
                        total: plan.users_to_change(),
                        user: String::new(),
                    };
                    self.changed = true;
                    ctx.request(Request::FixUndo(review.clone()));
                    return;
                }
            }
            if self.confirm_many {
                widgets::note(
                    ui,
                    &format!(
                        "This changes {} of {} users — more than a fifth of Director. Click Put back again to go ahead.",
                        plan.users_to_change(),
                        review.total_users
                    ),
                    Tone::Warning,
                );
            }
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            for row in &plan.rows {
                let c = &row.change;
                let text = format!(
                    "{}  {}: \"{}\" to \"{}\"",
                    c.user_dn,
                    c.field.label(),
                    c.old,
                    c.new
                );
                match &row.left_alone {
                    None => widgets::notice(ui, Tone::Good, &format!("put back  {text}")),
                    Some(why) => widgets::notice(
                        ui,
                        Tone::Warning,
                        &format!("left alone  {} — {why}", c.user_dn),
                    ),
                };
            }
        });
    }

    fn editing(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        ui.label(
            "The users whose client username is not a valid email address, with what the program suggests. \
             Edit any cell; nothing is sent before the preview and Apply.",
        );
        ui.horizontal_wrapped(|ui| {
            if ui.button("Import changes…").on_hover_text(
                "CSV with user_dn and client_username and/or email; the audit's CSV export works as it is",
            ).clicked() {
                ctx.request(Request::FixImport);
            }
            let wanted = self.wanted();
            if ui
                .add_enabled(!wanted.is_empty(), egui::Button::new(format!("Preview {} users", wanted.len())))
                .clicked()
            {
                ctx.request(Request::FixPreview {
                    users: self.users.clone(),
                    wanted,
                });
            }
        });
        if let Some((note, ok)) = &self.import_note {
            widgets::notice(ui, if *ok { Tone::Good } else { Tone::Bad }, note);
        }
        if self.rows.is_empty() {
            widgets::notice(ui, Tone::Good, "No user needs a fix.");
            return;
        }
        let rows = &mut self.rows;
        // Zoomed in or narrow: each user as a block, nothing off to the right.
        if ui.available_width() < TABLE_WIDTH {
            for r in rows.iter_mut() {
                edit_block(ui, r);
                ui.separator();
            }
            return;
        }
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::auto().at_least(COLUMN_WIDTHS[0]))
            .column(Column::auto().at_least(COLUMN_WIDTHS[1]))
            .column(Column::remainder().at_least(COLUMN_WIDTHS[2]))
            .column(Column::remainder().at_least(COLUMN_WIDTHS[3]))
            .header(22.0, |mut header| {
                for title in ["User", "Now", "New client username", "New email"] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(26.0, rows.len(), |mut row| {
                    let r = &mut rows[row.index()];
                    row.col(|ui| {
                        ui.label(&r.name)
                            .on_hover_text(r.note.clone().unwrap_or_default());
                    });
                    row.col(|ui| {
                        ui.label(RichText::new(format!("{}\n{}", r.username, r.email)).small());
                    });
                    row.col(|ui| {
                        ui.add(
                            egui::TextEdit::singleline(&mut r.new_username)
                                .desired_width(f32::INFINITY),
                        )
                        .on_hover_text(format!("New client username for {}", r.name));
                    });
                    row.col(|ui| {
                        ui.add(
                            egui::TextEdit::singleline(&mut r.new_email)
                                .desired_width(f32::INFINITY),
                        )
                        .on_hover_text(format!("New email for {}", r.name));
                    });
                });
            });
    }

    fn previewing(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        let Some(preview) = self.preview.clone() else {
            return;
        };
        widgets::notice(
            ui,
            if preview.refused == 0 {
                Tone::Good
            } else {
                Tone::Warning
            },
            &format!("Preview: {}. Nothing was changed yet.", preview.summary()),
        );
        let accepted: Vec<Change> = preview.accepted().cloned().collect();
        ui.horizontal_wrapped(|ui| {
            if ui.button("Back to editing").clicked() {
                self.phase = Phase::Editing;
            }
            let label = format!("Apply {} changes", accepted.len());
            if ui
                .add_enabled(
                    !accepted.is_empty(),
                    egui::Button::new(RichText::new(label).strong()),
                )
                .on_hover_text("A backup of every user about to change is written first")
                .clicked()
            {
                if preview.needs_confirmation() && !self.confirm_many {
                    self.confirm_many = true;
                } else {
                    self.apply(ctx, accepted.clone());
                }
            }
        });
        if self.confirm_many {
            widgets::note(
                ui,
                &format!(
                    "This changes {} of {} users — more than a fifth of Director. Click Apply again to go ahead.",
                    preview.users_to_change, preview.total_users
                ),
                Tone::Warning,
            );
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            for row in &preview.rows {
                let c = &row.change;
                let text = format!(
                    "{}  {}: \"{}\" to \"{}\"",
                    c.user_dn,
                    c.field.label(),
                    c.old,
                    c.new
                );
                match &row.refused {
                    None => widgets::notice(ui, Tone::Good, &format!("change  {text}")),
                    Some(why) => {
                        widgets::notice(ui, Tone::Bad, &format!("refused  {text} — {why}"))
                    }
                };
            }
        });
    }

    fn apply(&mut self, ctx: &mut Ctx<'_>, changes: Vec<Change>) {
        let ids = self.users.ids_by_dn();
        self.phase = Phase::Applying {
            done: 0,
            total: changes.len(),
            user: String::new(),
        };
        ctx.request(Request::FixApply {
            changes,
            ids: Arc::new(ids),
        });
    }

    fn done(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>, report: &Report) {
        let applied = report
            .results
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Applied | Outcome::AlreadyDone))
            .count();
        let tone = if report.all_applied() {
            Tone::Good
        } else {
            Tone::Warning
        };
        widgets::notice(
            ui,
            tone,
            &format!(
                "{applied} of {} changes made in Director.",
                report.results.len()
            ),
        );
        if let Some(why) = &report.stopped {
            widgets::note(
                ui,
                &format!(
                    "The run stopped: {why}. Preview and apply again to finish; users already changed are skipped."
                ),
                Tone::Warning,
            );
        }
        if let Some(path) = &report.backup {
            ui.label(format!("Backup: {}", path.display()));
            if ui.button("Undo this fix").clicked() {
                self.start_undo(ctx, path.clone());
                return;
            }
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            for (c, outcome) in &report.results {
                let reason = outcome
                    .reason()
                    .map(|r| format!(" — {r}"))
                    .unwrap_or_default();
                let tone = match outcome {
                    Outcome::Applied | Outcome::AlreadyDone => Tone::Good,
                    Outcome::Refused(_) => Tone::Warning,
                    Outcome::Failed(_) | Outcome::NotRun => Tone::Bad,
                };
                widgets::notice(
                    ui,
                    tone,
                    &format!(
                        "{}  {}  {}: \"{}\" to \"{}\"{reason}",
                        outcome.word(),
                        c.user_dn,
                        c.field.label(),
                        c.old,
                        c.new
                    ),
                );
            }
        });
    }
}

fn row_of(user: &DirectoryUser, note: Option<String>) -> EditRow {
    EditRow {
        user_dn: user.user_dn.to_string(),
        name: format!("{} {}", user.first_name, user.last_name)
            .trim()
            .to_string(),
        username: user.client_username.to_string(),
        email: user.email.to_string(),
        new_username: user.client_username.to_string(),
        new_email: user.email.to_string(),
        note,
    }
}

/// The users in the way, each with the suggestion for it in its cells.
fn edit_rows(
    users: &[DirectoryUser],
    wanted: &[Wanted],
    for_a_human: &[(String, String)],
) -> Vec<EditRow> {
    let suggested: HashMap<&str, &Wanted> =
        wanted.iter().map(|w| (w.user_dn.as_str(), w)).collect();
    let notes: HashMap<&str, &str> = for_a_human
        .iter()
        .map(|(dn, why)| (dn.as_str(), why.as_str()))
        .collect();
    users
        .iter()
        .filter_map(|user| {
            let dn = user.user_dn.as_str();
            let w = suggested.get(dn);
            let note = notes.get(dn).map(|n| n.to_string());
            if w.is_none() && note.is_none() && validate(&user.client_username).is_ok() {
                return None;
            }
            let mut row = row_of(user, note);
            if let Some(w) = w {
                if let Some(u) = &w.client_username {
                    row.new_username = u.clone();
                }
                if let Some(e) = &w.email {
                    row.new_email = e.clone();
                }
            }
            Some(row)
        })
        .collect()
}

/// The suggestions table's columns at their narrowest, and all of them.
const COLUMN_WIDTHS: [f32; 4] = [120.0, 150.0, 200.0, 200.0];
const TABLE_WIDTH: f32 = COLUMN_WIDTHS[0] + COLUMN_WIDTHS[1] + COLUMN_WIDTHS[2] + COLUMN_WIDTHS[3];

/// One user of the suggestions as a block: name, what they have now, and
/// the two boxes to edit, each labelled.
fn edit_block(ui: &mut Ui, r: &mut EditRow) {
    ui.label(RichText::new(&r.name).strong())
        .on_hover_text(r.note.clone().unwrap_or_default());
    ui.label(RichText::new(format!("Now: {} · {}", r.username, r.email)).small());
    for (label, value) in [
        ("New client username", &mut r.new_username),
        ("New email", &mut r.new_email),
    ] {
        let label = ui.label(label);
        ui.add(egui::TextEdit::singleline(value).desired_width(f32::INFINITY))
            .labelled_by(label.id);
    }
}
