//! The steps a real Director and the real Connect Portal offer no interface
//! for: the program says exactly what to do there, opens the page, and takes
//! back what the admin reads off it (checked for shape). The built-in
//! simulator keeps the automatic path; these show when `Shared::guided`.

use std::time::{Duration, Instant};

use egui::{RichText, Ui};

use crate::domain::account;
use crate::ui::screen::{Ctx, Shared};
use crate::ui::widgets::{self, Tone};

/// A Token copied to the clipboard is cleared from it after this long.
pub const CLEAR_CLIPBOARD_AFTER: Duration = Duration::from_secs(60);

/// Where Director's own pages start (its web interface, signed in by the
/// browser itself).
pub fn director_home(shared: &Shared) -> String {
    format!("{}/director", shared.director_url.trim_end_matches('/'))
}

/// Opens `url` in the system browser (not in tests); a failure is logged
/// and the address stays on screen to copy.
pub fn open_in_browser(shared: &Shared, url: &str) {
    if !shared.open_links {
        return;
    }
    if let Err(e) = open::that_detached(url) {
        tracing::warn!("cannot open {url} in the browser: {e}");
    }
}

/// A button that opens `url`, with the address beside it to copy.
pub fn open_button(ui: &mut Ui, shared: &Shared, label: &str, url: &str) {
    ui.horizontal_wrapped(|ui| {
        if ui.button(label).on_hover_text(url).clicked() {
            open_in_browser(shared, url);
        }
        ui.label(RichText::new(url).monospace().weak());
    });
}

/// Numbered instructions.
pub fn numbered(ui: &mut Ui, items: &[&str]) {
    for (n, item) in items.iter().enumerate() {
        ui.horizontal_top(|ui| {
            ui.label(RichText::new(format!("{}.", n + 1)).strong());
            ui.add(egui::Label::new(*item).wrap());
        });
    }
}

/// A secret with a Copy button; the clipboard is cleared again after a
/// minute (the app keeps the timer, so leaving the step does not skip it).
pub fn copy_secret(ui: &mut Ui, shared: &mut Shared, label: &str, secret: &str) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{label}:")).strong());
        ui.label(RichText::new("•".repeat(secret.chars().count().min(24))).monospace());
        if ui
            .button(format!("Copy {label}"))
            .on_hover_text("Copied for one minute, then cleared from the clipboard")
            .clicked()
        {
            ui.ctx().copy_text(secret.to_string());
            shared.clear_clipboard_at = Some(Instant::now() + CLEAR_CLIPBOARD_AFTER);
        }
    });
}

/// Register, guided: Director's "Connect account link" opens the real
/// registration page; what that page needs, in the article's words.
pub fn register(ui: &mut Ui, ctx: &mut Ctx<'_>) {
    widgets::page_title(ui, "Register");
    ui.label(
        "The registration page belongs to the Connect Portal and is reached from your Director. \
         This program cannot fill it in for you; here is what it needs.",
    );
    ui.add_space(6.0);
    let home = director_home(ctx.shared);
    open_button(ui, ctx.shared, "Open Director", &home);
    let screens = ctx.progress.hybrid_screens();
    numbered(
        ui,
        &[
            &format!("In Director, go to {}.", screens.page),
            &format!(
                "Click \"{}\": the Connect HYBRID registration page opens.",
                screens.account_link
            ),
        ],
    );
    if screens.needs_did {
        widgets::note(
            ui,
            "ShoreTel 14.2: every user needs a DID (or a trunk group with a DID range) as well as a \
             unique, valid email before HYBRID is set up.",
            Tone::Warning,
        );
    }
    ui.add_space(6.0);
    ui.label(
        RichText::new("On the registration page")
            .strong()
            .size(16.0),
    );
    numbered(
        ui,
        &[
            "Fill in every field marked *.",
            "Company Name must not be used by another Connect HYBRID account. If it is taken, add a location (for example \"Acme Corp Boston\").",
            "Business Email must be a valid address no other account uses: the welcome email goes there.",
            "The Contact you enter becomes the Decision Maker — the only person who can reveal the Token later.",
            "Click the \"terms and conditions\" link first: the Terms and Conditions check box stays disabled until you do. Then tick it and click Continue.",
            "Keep the Connect Confirmation screen open: the next step asks for its Account Name and Account ID.",
        ],
    );
    ui.add_space(6.0);
    widgets::note(
        ui,
        "Already have an account? Go Back and choose \"I already have an account\".",
        Tone::Muted,
    );
}

/// Confirmation, guided: the Account Name and Account ID typed from the
/// Connect Confirmation screen or the welcome email.
#[derive(Default)]
pub struct AccountEntry {
    name: String,
    id: String,
    loaded: bool,
    /// Errors show once Continue was tried or a field was left.
    tried: bool,
}

impl AccountEntry {
    /// Both fields' problems, if any.
    pub fn errors(&self) -> (Option<String>, Option<String>) {
        (
            account::account_name(&self.name).err(),
            account::account_id(&self.id).err(),
        )
    }

    pub fn valid(&self) -> bool {
        matches!(self.errors(), (None, None))
    }

    /// Copies what was saved into the fields (once).
    pub fn load(&mut self, ctx: &Ctx<'_>) {
        if !self.loaded {
            self.loaded = true;
            self.name = ctx.progress.account_name.clone();
            self.id = ctx.progress.account_id.clone();
        }
    }

    /// Saves the checked values; false (and the errors shown) when one is off.
    pub fn save(&mut self, ctx: &mut Ctx<'_>) -> bool {
        self.tried = true;
        match (
            account::account_name(&self.name),
            account::account_id(&self.id),
        ) {
            (Ok(name), Ok(id)) => {
                ctx.progress.account_name = name;
                ctx.progress.account_id = id;
                true
            }
            _ => false,
        }
    }

    pub fn ui(&mut self, ui: &mut Ui) {
        widgets::page_title(ui, "Confirmation");
        ui.label(
            "After Continue on the registration page, the Connect Confirmation screen shows the Account Name and \
             Account ID, with \"Check your email for further instructions.\" The welcome email sent to the \
             Business Email carries both too. Type or paste them here.",
        );
        ui.add_space(8.0);
        let (name_error, id_error) = self.errors();
        let shown = |error: Option<String>, tried: bool| error.filter(|_| tried);
        let name = widgets::field(
            ui,
            "Account Name",
            &mut self.name,
            false,
            shown(name_error, self.tried).as_deref(),
        );
        let id = widgets::field(
            ui,
            "Account ID",
            &mut self.id,
            false,
            shown(id_error, self.tried).as_deref(),
        );
        if name.lost_focus() || id.lost_focus() {
            self.tried = true;
        }
    }
}
