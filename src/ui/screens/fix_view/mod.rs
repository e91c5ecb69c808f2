//! "Fix in Director…" on the Username format step: the users in the way
//! with suggested values in editable cells, a changes file to import, then a
//! review before anything is written — one table, User | Field | Before →
//! After | Status, with what Director would refuse marked refused and why —
//! and one primary action that names what it does and where ("Apply 11
//! changes to hq…"), asked once with the backup it writes first. After the
//! run, the same table with each result. "Undo" shows its own table first.
//! Works against a real Director's web interface and the simulator alike
//! (the work is `service::fix`; the rules `domain::fix` and `domain::undo`).

mod review;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::domain::fix::{Change, Preview, Wanted, count};
use crate::domain::format::DirectoryUser;
use crate::domain::username::validate;
use crate::service::fix::{Report, UndoReview};
use crate::ui::screen::Ctx;
use crate::ui::tasks::{Event, Request, WebUsers};
use crate::ui::widgets::{self, Tone};

use review::{Names, Row};

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

impl EditRow {
    fn username_changed(&self) -> bool {
        self.new_username.trim() != self.username.trim()
    }

    fn email_changed(&self) -> bool {
        self.new_email.trim() != self.email.trim()
    }
}

#[derive(Debug, Default)]
enum Phase {
    #[default]
    Reading,
    Editing,
    /// A fix judged, with its table.
    // Shared, not copied: each frame draws from them while the phase lasts.
    Previewing {
        preview: Arc<Preview>,
        rows: Arc<[Row]>,
    },
    Applying {
        done: usize,
        total: usize,
        user: String,
    },
    /// An undo read and judged: its table, before anything is put back.
    UndoReview {
        review: Arc<UndoReview>,
        rows: Arc<[Row]>,
    },
    Done {
        report: Arc<Report>,
        rows: Arc<[Row]>,
        undo: bool,
    },
    Failed(String),
}

#[derive(Default)]
pub struct FixView {
    phase: Phase,
    users: WebUsers,
    rows: Vec<EditRow>,
    /// User DN → name, for the review tables.
    names: Names,
    import_note: Option<(String, bool)>,
    /// Earlier fixes and undos of this Director, newest first.
    backups: Vec<crate::service::fix::BackupSummary>,
    /// The review shows only rows that will not be (or were not) made.
    only_trouble: bool,
    /// The primary action was pressed once: it asks before it writes.
    confirming: bool,
    /// The run under way is an undo.
    undoing: bool,
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
        ctx.request(Request::FixListBackups);
    }

    /// Opens the view on an undo of the fix whose backup is `backup`:
    /// the users are read and the undo judged first, and shown.
    pub fn start_undo(&mut self, ctx: &mut Ctx<'_>, backup: PathBuf) {
        let (changed, names) = (self.changed, std::mem::take(&mut self.names));
        *self = FixView {
            open: true,
            phase: Phase::Reading,
            changed,
            names,
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
                self.names = users
                    .users
                    .iter()
                    .map(|u| {
                        (
                            u.user_dn.to_string(),
                            format!("{} {}", u.first_name, u.last_name)
                                .trim()
                                .to_string(),
                        )
                    })
                    .collect();
                self.rows = edit_rows(&users.users, &suggestions.wanted, &suggestions.for_a_human);
                self.phase = Phase::Editing;
            }
            Event::FixRead(Err(e)) => self.phase = Phase::Failed(e.to_string()),
            Event::FixImported(Ok(Some(wanted))) => self.import(wanted),
            Event::FixImported(Ok(None)) => {}
            Event::FixBackups(listed) => {
                let here = crate::service::fix::origin_of(&ctx.shared.director_url);
                self.backups = listed
                    .iter()
                    .filter(|b| b.director == here)
                    .cloned()
                    .collect();
            }
            Event::FixImported(Err(e)) => self.import_note = Some((e.clone(), false)),
            Event::FixPreviewed(preview) => {
                self.confirming = false;
                self.only_trouble = false;
                self.phase = Phase::Previewing {
                    rows: review::of_preview(preview, &self.names).into(),
                    preview: Arc::new((**preview).clone()),
                };
            }
            Event::FixProgress { done, total, user } => {
                self.phase = Phase::Applying {
                    done: *done,
                    total: *total,
                    user: user.clone(),
                };
            }
            Event::FixUndoPlanned(Ok(review)) => {
                self.confirming = false;
                self.only_trouble = false;
                self.phase = Phase::UndoReview {
                    rows: review::of_undo(&review.plan, &self.names).into(),
                    review: Arc::new((**review).clone()),
                };
            }
            Event::FixUndoPlanned(Err(e)) => {
                self.phase = Phase::Failed(format!("The undo was not started: {e}"))
            }
            Event::FixDone(Ok(report)) => {
                if let Some(backup) = &report.backup {
                    ctx.progress.last_fix_backup = backup.display().to_string();
                }
                self.changed = true;
                self.only_trouble = false;
                self.phase = Phase::Done {
                    rows: review::of_report(report, &self.names).into(),
                    report: Arc::new((**report).clone()),
                    undo: self.undoing,
                };
            }
            Event::FixDone(Err(e)) => self.phase = Phase::Failed(e.clone()),
            _ => {}
        }
    }

    /// Esc: one step back where there is one (the review → editing); the
    /// wizard's Back never runs while the view is open.
    pub fn on_escape(&mut self) {
        match self.phase {
            Phase::Previewing { .. } if self.confirming => self.confirming = false,
            Phase::Previewing { .. } => self.phase = Phase::Editing,
            Phase::UndoReview { .. } => self.confirming = false,
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
            (
                format!("Imported {}.", count(wanted.len(), "row", "rows")),
                true,
            )
        } else {
            (
                format!(
                    "Imported {}; {unknown} name a user_dn Director does not have.",
                    count(wanted.len(), "row", "rows")
                ),
                false,
            )
        });
    }

    fn wanted(&self) -> Vec<Wanted> {
        self.rows
            .iter()
            .filter_map(|r| {
                let username = r.username_changed().then(|| r.new_username.clone());
                let email = r.email_changed().then(|| r.new_email.clone());
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
        widgets::page_title(
            ui,
            match &self.phase {
                Phase::Reading | Phase::Editing | Phase::Failed(_) => "Fix in Director",
                Phase::Previewing { .. } => "Fix in Director: review",
                Phase::UndoReview { .. } => "Undo the fix: review",
                Phase::Applying { .. } if self.undoing => "Undo the fix: putting back",
                Phase::Applying { .. } => "Fix in Director: applying",
                Phase::Done { undo: true, .. } => "Undo the fix: result",
                Phase::Done { .. } => "Fix in Director: result",
            },
        );
        ui.label(
            RichText::new(format!(
                "Director {}",
                director_name(&ctx.shared.director_url)
            ))
            .weak(),
        );
        ui.add_space(4.0);
        let action = match &self.phase {
            Phase::Reading => {
                ui.horizontal_wrapped(|ui| {
                    ui.spinner();
                    ui.label("Reading Director's users…");
                });
                false
            }
            Phase::Failed(why) => {
                let why = why.clone();
                widgets::note(ui, &why, Tone::Bad);
                let mut retry = false;
                let close = actions(ui, |ui| {
                    let close = ui.button("Close").clicked();
                    retry = primary(ui, "Try again", true).clicked();
                    close
                });
                if retry {
                    self.start(ctx);
                }
                close
            }
            Phase::Editing => self.editing(ui, ctx),
            Phase::Previewing { .. } => self.previewing(ui, ctx),
            Phase::Applying { done, total, user } => {
                let (done, total, user) = (*done, *total, user.clone());
                applying(ui, ctx, done, total, &user);
                false
            }
            Phase::UndoReview { .. } => self.undo_review(ui, ctx),
            Phase::Done { .. } => self.done(ui, ctx),
        };
        action.then(|| self.close(ctx))
    }

    fn close(&mut self, ctx: &mut Ctx<'_>) -> FixAction {
        self.open = false;
        if self.changed {
            // What Director has now is what the table should show.
            ctx.request(Request::VerifyUsernames {
                options: ctx.progress.format_options(),
            });
        }
        FixAction::Close
    }

    fn editing(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> bool {
        ui.label(
            "The users whose client username is not a valid email address, with what the program suggests. \
             Edit any cell; a changed cell is marked. Nothing is sent before the review and Apply.",
        );
        if let Some((note, ok)) = &self.import_note {
            widgets::notice(ui, if *ok { Tone::Good } else { Tone::Bad }, note);
        }
        if self.rows.is_empty() {
            widgets::notice(ui, Tone::Good, "No user needs a fix.");
        } else if ui.available_width() < TABLE_WIDTH {
            // Zoomed in or narrow: each user as a block, nothing off to the right.
            for r in self.rows.iter_mut() {
                edit_block(ui, r);
                ui.separator();
            }
        } else {
            edit_table(ui, &mut self.rows);
        }
        self.earlier_fixes(ui, ctx);
        let wanted = self.wanted();
        actions(ui, |ui| {
            let close = ui.button("Close").clicked();
            if ui
                .button("Import changes…")
                .on_hover_text(
                    "CSV with user_dn and client_username and/or email (comma, semicolon or tab); the audit's CSV export works as it is",
                )
                .clicked()
            {
                ctx.request(Request::FixImport);
            }
            let users = wanted.len();
            if primary(
                ui,
                &format!("Review {}…", count(users, "user", "users")),
                users > 0,
            )
            .on_hover_text("Judge every change against Director before anything is written")
            .clicked()
            {
                ctx.request(Request::FixPreview {
                    users: self.users.clone(),
                    wanted: wanted.clone(),
                });
            }
            close
        })
    }

    /// The backups earlier fixes of this Director wrote, each with its
    /// time, what it changed, whether it was undone, and Undo…
    fn earlier_fixes(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        if self.backups.is_empty() {
            return;
        }
        let mut undo = None;
        egui::CollapsingHeader::new(format!(
            "Earlier fixes of this Director ({})",
            self.backups.len()
        ))
        .id_salt("earlier-fixes")
        .show(ui, |ui| {
            for backup in &self.backups {
                ui.horizontal_wrapped(|ui| {
                    let when = chrono::DateTime::from_timestamp(backup.written_at as i64, 0)
                        .map_or_else(String::new, |t| {
                            t.with_timezone(&chrono::Local)
                                .format("%Y-%m-%d %H:%M")
                                .to_string()
                        });
                    let what = match (&backup.undoes, backup.undone) {
                        (Some(_), _) => "an undo",
                        (None, true) => "a fix, undone",
                        (None, false) => "a fix",
                    };
                    ui.label(format!(
                        "{when}: {what}, {} of {}",
                        count(backup.changes, "change", "changes"),
                        count(backup.users, "user", "users")
                    ))
                    .on_hover_text(backup.path.display().to_string());
                    if ui
                        .button("Undo…")
                        .on_hover_text("Shows what it would put back first")
                        .clicked()
                    {
                        undo = Some(backup.path.clone());
                    }
                });
            }
        });
        if let Some(path) = undo {
            self.start_undo(ctx, path);
        }
    }

    fn previewing(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> bool {
        let Phase::Previewing { preview, rows } = &self.phase else {
            return false;
        };
        let (preview, rows) = (preview.clone(), rows.clone());
        let accepted = preview.accepted().count();
        let tone = if preview.refused == 0 {
            Tone::Good
        } else {
            Tone::Warning
        };
        widgets::notice(
            ui,
            tone,
            &format!("{}. Nothing was changed yet.", preview.summary()),
        );
        self.table_with_filter(ui, "fix-review", &rows, preview.refused);
        let director = director_name(&ctx.shared.director_url);
        let label = format!(
            "Apply {} to {director}…",
            count(accepted, "change", "changes")
        );
        if self.confirming {
            confirm_note(
                ui,
                &format!(
                    "Apply {} for {} in Director {director}? A backup of {} is written first to {}, so this can be undone.{}",
                    count(accepted, "change", "changes"),
                    count(preview.users_to_change, "user", "users"),
                    if preview.users_to_change == 1 {
                        "that user"
                    } else {
                        "those users"
                    },
                    crate::store::paths::backups_in(&ctx.shared.data_dir).display(),
                    many_note(
                        preview.needs_confirmation(),
                        preview.users_to_change,
                        preview.total_users
                    )
                ),
            );
        }
        actions(ui, |ui| {
            if ui.button("Back to editing").clicked() {
                self.confirming = false;
                self.phase = Phase::Editing;
                return false;
            }
            let label = if self.confirming {
                format!("Yes, apply {}", count(accepted, "change", "changes"))
            } else {
                label
            };
            if primary(ui, &label, accepted > 0)
                .on_hover_text("A backup of every user about to change is written first")
                .clicked()
            {
                if self.confirming {
                    self.apply(ctx, preview.accepted().cloned().collect());
                } else {
                    self.confirming = true;
                }
            }
            false
        })
    }

    /// The review table and, when some rows need a look, a filter for them.
    fn table_with_filter(&mut self, ui: &mut Ui, id: &str, rows: &[Row], trouble: usize) {
        if trouble > 0 {
            ui.checkbox(
                &mut self.only_trouble,
                format!(
                    "Show only the {} not made",
                    count(trouble, "change", "changes")
                ),
            );
        }
        let height = remaining_height(ui);
        review::table(ui, id, rows, self.only_trouble, height);
    }

    fn apply(&mut self, ctx: &mut Ctx<'_>, changes: Vec<Change>) {
        let ids = self.users.ids_by_dn();
        self.confirming = false;
        self.undoing = false;
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

    /// The undo's table: Director's value now → the value put back, and
    /// the users changed since the fix, left alone.
    fn undo_review(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> bool {
        let Phase::UndoReview { review, rows } = &self.phase else {
            return false;
        };
        let (review, rows) = (review.clone(), rows.clone());
        let plan = &review.plan;
        let to_put_back = plan.to_put_back().count();
        let left_alone = plan.rows.len() - to_put_back;
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
                    "{} to put back for {}; {} changed in Director since the fix and left alone. Nothing was changed yet.",
                    count(to_put_back, "change", "changes"),
                    count(plan.users_to_change(), "user", "users"),
                    left_alone
                ),
            );
        }
        if !rows.is_empty() {
            self.table_with_filter(ui, "undo-review", &rows, left_alone);
        }
        let director = director_name(&ctx.shared.director_url);
        if self.confirming {
            confirm_note(
                ui,
                &format!(
                    "Put back {} in Director {director}? A backup of the users as they are now is written first to {}, so the undo can be undone too.{}",
                    count(to_put_back, "change", "changes"),
                    crate::store::paths::backups_in(&ctx.shared.data_dir).display(),
                    many_note(
                        review.needs_confirmation(),
                        plan.users_to_change(),
                        review.total_users as usize
                    )
                ),
            );
        }
        actions(ui, |ui| {
            let close = ui.button("Close").clicked();
            if to_put_back > 0 {
                let label = if self.confirming {
                    format!("Yes, put back {}", count(to_put_back, "change", "changes"))
                } else {
                    format!(
                        "Put back {} in {director}…",
                        count(to_put_back, "change", "changes")
                    )
                };
                if primary(ui, &label, true)
                    .on_hover_text("A backup of every user about to change is written first, so the undo can be undone")
                    .clicked()
                {
                    if self.confirming {
                        self.confirming = false;
                        self.undoing = true;
                        self.changed = true;
                        self.phase = Phase::Applying {
                            done: 0,
                            total: plan.users_to_change(),
                            user: String::new(),
                        };
                        ctx.request(Request::FixUndo(Box::new((*review).clone())));
                    } else {
                        self.confirming = true;
                    }
                }
            }
            close
        })
    }

    fn done(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) -> bool {
        let Phase::Done { report, rows, undo } = &self.phase else {
            return false;
        };
        let (report, rows, undo) = (report.clone(), rows.clone(), *undo);
        let made = rows.iter().filter(|r| !r.status.is_trouble()).count();
        let trouble = rows.len() - made;
        let tone = if report.all_applied() {
            Tone::Good
        } else {
            Tone::Warning
        };
        widgets::notice(
            ui,
            tone,
            &format!(
                "{made} of {} made in Director{}.",
                count(rows.len(), "change", "changes"),
                if undo { " (put back)" } else { "" }
            ),
        );
        if let Some(why) = &report.stopped {
            widgets::note(
                ui,
                &format!(
                    "The run stopped: {why}. Review and apply again to finish; users already changed are skipped."
                ),
                Tone::Warning,
            );
        }
        if let Some(path) = &report.backup {
            ui.label(format!("Backup: {}", path.display()));
        }
        self.table_with_filter(ui, "fix-result", &rows, trouble);
        actions(ui, |ui| {
            if report.backup.is_some() && ui.button("Open backup folder").clicked() {
                let folder = crate::store::paths::backups_in(&ctx.shared.data_dir);
                crate::ui::screens::guided::open_in_browser(
                    ctx.shared,
                    &folder.display().to_string(),
                );
            }
            if let Some(path) = &report.backup {
                let label = if undo {
                    "Undo this undo…"
                } else {
                    "Undo this fix…"
                };
                if ui
                    .button(label)
                    .on_hover_text("Shows what it would put back first")
                    .clicked()
                {
                    self.start_undo(ctx, path.clone());
                }
            }
            primary(ui, "Done", true)
                .on_hover_text("Back to the client usernames, read again from Director")
                .clicked()
        })
    }
}

/// The progress of a run, with Cancel.
fn applying(ui: &mut Ui, ctx: &mut Ctx<'_>, done: usize, total: usize, user: &str) {
    let fraction = if total == 0 {
        0.0
    } else {
        done as f32 / total as f32
    };
    ui.add(egui::ProgressBar::new(fraction).text(format!(
        "{done} of {} — {}",
        count(total, "user", "users"),
        crate::domain::text::printable(user)
    )));
    if ui
        .button("Cancel")
        .on_hover_text("Stop before the next user; those in flight finish")
        .clicked()
    {
        ctx.request(Request::FixCancel);
    }
}

/// `host:port` of the Director's address, for buttons and questions.
fn director_name(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(port) => format!("{h}:{port}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_else(|| url.to_string())
}

/// The view's height left for a table's rows: below its header, above the
/// action row.
fn remaining_height(ui: &Ui) -> f32 {
    const HEADER_AND_ACTIONS: f32 = 96.0;
    let visible_bottom = ui.clip_rect().bottom();
    (visible_bottom - ui.cursor().top() - HEADER_AND_ACTIONS).max(160.0)
}

/// The action row: secondary buttons on the left, the primary on the right
/// (added last by `add`, drawn right-aligned).
fn actions(ui: &mut Ui, add: impl FnOnce(&mut Ui) -> bool) -> bool {
    ui.add_space(6.0);
    ui.separator();
    ui.horizontal_wrapped(add).inner
}

/// The one primary button of a phase: the accent fill with white text, at
/// the right of the action row — or on a row of its own, wrapped, where the
/// row has no room for its words (zoomed in).
fn primary(ui: &mut Ui, label: &str, enabled: bool) -> egui::Response {
    let text = RichText::new(label).strong();
    let width = egui::WidgetText::from(text)
        .into_galley(
            ui,
            Some(egui::TextWrapMode::Extend),
            f32::INFINITY,
            egui::TextStyle::Button,
        )
        .size()
        .x
        + 2.0 * ui.spacing().button_padding.x;
    let button = widgets::primary_button(ui, label).wrap();
    if width <= ui.available_width() {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.add_enabled(enabled, button)
        })
        .inner
    } else {
        ui.end_row();
        ui.add_enabled(enabled, button)
    }
}

/// What the question adds when more than a fifth of Director would change.
fn many_note(many: bool, changing: usize, total: usize) -> String {
    if many {
        format!(" This is more than a fifth of Director ({changing} of {total}).")
    } else {
        String::new()
    }
}

/// The question the primary button asks once before a write.
fn confirm_note(ui: &mut Ui, text: &str) {
    widgets::note(ui, text, Tone::Warning);
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
const COLUMN_WIDTHS: [f32; 4] = [210.0, 190.0, 180.0, 180.0];
const TABLE_WIDTH: f32 = COLUMN_WIDTHS[0] + COLUMN_WIDTHS[1] + COLUMN_WIDTHS[2] + COLUMN_WIDTHS[3];

/// The editing table: who, what they have now (body size, cut with "…"
/// and whole on hover), and the two cells to edit, a changed one tinted.
fn edit_table(ui: &mut Ui, rows: &mut [EditRow]) {
    let height = remaining_height(ui);
    let changed_fill = if ui.visuals().dark_mode {
        egui::Color32::from_rgb(0x2a, 0x3b, 0x55)
    } else {
        egui::Color32::from_rgb(0xdd, 0xea, 0xfb)
    };
    TableBuilder::new(ui)
        .striped(true)
        .max_scroll_height(height)
        .min_scrolled_height(height.min(300.0))
        .column(Column::exact(COLUMN_WIDTHS[0]).clip(true))
        .column(Column::exact(COLUMN_WIDTHS[1]).clip(true))
        .column(Column::remainder().at_least(COLUMN_WIDTHS[2]).clip(true))
        .column(Column::remainder().at_least(COLUMN_WIDTHS[3]).clip(true))
        .header(24.0, |mut header| {
            for title in ["User", "Now", "New client username", "New email"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(44.0, rows.len(), |mut row| {
                let r = &mut rows[row.index()];
                row.col(|ui| {
                    ui.vertical(|ui| {
                        ui.spacing_mut().item_spacing.y = 0.0;
                        ui.add(egui::Label::new(&r.name).truncate())
                            .on_hover_text(format!("user_dn {}", r.user_dn));
                        if let Some(note) = &r.note {
                            ui.add(
                                egui::Label::new(
                                    RichText::new(note)
                                        .color(widgets::tone_color(ui, Tone::Warning)),
                                )
                                .truncate(),
                            );
                        }
                    });
                });
                row.col(|ui| {
                    ui.vertical(|ui| {
                        ui.spacing_mut().item_spacing.y = 0.0;
                        for value in [&r.username, &r.email] {
                            let shown = if value.is_empty() {
                                "(empty)"
                            } else {
                                value.as_str()
                            };
                            ui.add(egui::Label::new(RichText::new(shown).weak()).truncate());
                        }
                    });
                });
                let (username_changed, email_changed) = (r.username_changed(), r.email_changed());
                row.col(|ui| {
                    edit_cell(ui, &mut r.new_username, username_changed, changed_fill)
                        .accessible_name(format!("New client username for {}", r.name));
                });
                row.col(|ui| {
                    edit_cell(ui, &mut r.new_email, email_changed, changed_fill)
                        .accessible_name(format!("New email for {}", r.name));
                });
            });
        });
}

/// An editable cell, tinted once it differs from Director's value.
fn edit_cell(
    ui: &mut Ui,
    value: &mut String,
    changed: bool,
    fill: egui::Color32,
) -> egui::Response {
    let mut edit = egui::TextEdit::singleline(value).desired_width(f32::INFINITY);
    if changed {
        edit = edit.background_color(fill);
    }
    ui.centered_and_justified(|ui| ui.add(edit)).inner
}

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
