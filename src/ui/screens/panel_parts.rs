//! What both status panels (a Director read through the status interface,
//! and a real Director's web interface) show alike: other Directors'
//! trouble as a banner at the top, the Director sign-in, the foldable Next
//! steps, the Settings section and the notice about closing the window.

use egui::{RichText, Ui};

use crate::domain::alarm::AlarmState;
use crate::domain::secret::Secret;
use crate::domain::wizard::ThemeChoice;
use crate::service::troubleshooting;
use crate::store::secret_store::SecretKey;
use crate::ui::screen::Ctx;
use crate::ui::tasks::Request;
use crate::ui::widgets::{self, Tone};

/// Another Director is red, stale or cannot be read: a banner at the top,
/// by name, so it is not missed while this one is fine.
pub fn others_need_attention(ui: &mut Ui, ctx: &Ctx<'_>) {
    use crate::domain::metrics::{severity, worst_first};
    let readings = &ctx.shared.directors;
    let troubled: Vec<String> = worst_first(readings)
        .into_iter()
        .filter(|&i| i > 0 && severity(&readings[i]) <= 2)
        .map(|i| {
            let r = &readings[i];
            let what = if r.up {
                r.state.headline().to_string()
            } else {
                "cannot be read".to_string()
            };
            format!("{}: {what}", r.name)
        })
        .collect();
    if !troubled.is_empty() {
        widgets::note(
            ui,
            &format!(
                "Other Directors need attention — {}. Open Directors to see them.",
                troubled.join("; ")
            ),
            Tone::Bad,
        );
        ui.add_space(6.0);
    }
}

/// The HYBRID services to activate in the Portal next: foldable, open at
/// first (they are the same in every state).
pub fn next_steps(ui: &mut Ui, ctx: &Ctx<'_>) {
    egui::CollapsingHeader::new(RichText::new("Next steps").strong())
        .default_open(true)
        .show(ui, |ui| {
            ui.add(
                egui::Label::new(
                    "Sign in to the Connect Portal as the Decision Maker and open Phone System > \
                     Add-on Features to activate HYBRID services:",
                )
                .wrap(),
            );
            ui.label("• Scribe (voicemail transcription, delivered by email): needs Escalation Profiles set to deliver messages as email with the WAV file attached.");
            ui.label("• Fax (email-to-fax): each user who faxes needs a DID.");
            if ui.link("Open the Connect Portal").clicked() && ctx.shared.open_links {
                let url = ctx.shared.portal_url.clone();
                if let Err(e) = open::that_detached(&url) {
                    tracing::warn!("cannot open {url}: {e}");
                }
            }
        });
}

/// "What to do": open whenever `state` is not green and folded once it is
/// (the person's own choice holds until the state changes again; `shown_for`
/// remembers the state it was last opened or folded for), the fixes first
/// (`fixes` adds their buttons), then each of the guide's sections in
/// `anchors`, a paragraph a label so each scrolls into view whole.
pub fn what_to_do<R>(
    ui: &mut Ui,
    shown_for: &mut Option<AlarmState>,
    state: AlarmState,
    anchors: &[&str],
    fixes: impl FnOnce(&mut Ui) -> R,
) -> Option<R> {
    let open = (*shown_for != Some(state)).then_some(state != AlarmState::Green);
    *shown_for = Some(state);
    egui::CollapsingHeader::new("What to do")
        .open(open)
        .show(ui, |ui| {
            let fixed = ui.horizontal_wrapped(fixes).inner;
            for guide in anchors.iter().filter_map(|a| troubleshooting::section(a)) {
                for paragraph in troubleshooting::plain_paragraphs(guide) {
                    ui.add(egui::Label::new(paragraph).wrap());
                }
            }
            fixed
        })
        .body_returned
}

/// The Director password asked for on the panel; true when it was given
/// (kept for the session, in the keyring, and a check asked for).
pub fn director_sign_in(
    ui: &mut Ui,
    ctx: &mut Ctx<'_>,
    password: &mut String,
    purpose: &str,
) -> bool {
    egui::Frame::group(ui.style())
        .show(ui, |ui| {
            ui.label(format!(
                "Sign in to Director as {} to {purpose}.",
                ctx.shared.director_login
            ));
            let response = widgets::field(ui, "Director password", password, true, None);
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if !((ui.button("Sign in").clicked() || enter) && !password.is_empty()) {
                return false;
            }
            let password = Secret::new(std::mem::take(password));
            let login = ctx.shared.director_login.clone();
            ctx.request(Request::SetDirectorCredentials {
                login: login.clone(),
                password: password.clone(),
            });
            if !ctx.shared.demo {
                let director = ctx.shared.director_url.clone();
                ctx.request(Request::StoreSecret {
                    key: SecretKey::DirectorPassword { director, login },
                    secret: password,
                });
            }
            ctx.request(Request::CheckNow);
            true
        })
        .inner
}

/// The panel's preferences, in a section of their own: theme, zoom, start
/// at login and keeping the icon after the window closes.
#[derive(Default)]
pub struct Settings {
    /// "Start at login" as last read (once, not every frame).
    start_at_login: Option<bool>,
    /// Why "Start at login" could not be changed.
    autostart_error: Option<String>,
}

impl Settings {
    pub fn ui(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        ui.label(RichText::new("Settings").strong());
        ui.horizontal_wrapped(|ui| {
            theme_choice(ui, ctx);
            ui.add_space(8.0);
            zoom_choice(ui, ctx);
        });
        ui.horizontal_wrapped(|ui| {
            self.start_at_login(ui, ctx);
            keep_watching_choice(ui, ctx);
        });
        if let Some(error) = &self.autostart_error {
            widgets::notice(ui, Tone::Bad, &format!("Start at login: {error}"));
        }
    }

    /// "Start at login": the notification-area icon at every sign-in.
    fn start_at_login(&mut self, ui: &mut Ui, ctx: &mut Ctx<'_>) {
        let Some(autostart) = ctx.shared.autostart.clone() else {
            return;
        };
        let mut on = *self.start_at_login.get_or_insert_with(|| autostart.is_on());
        let changed = ui
            .checkbox(&mut on, "Start at login")
            .on_hover_text("This program's icon in the notification area from sign-in on (hybrid-setup --tray).")
            .changed();
        if !changed {
            return;
        }
        let done = if on {
            std::env::current_exe()
                .map_err(|e| e.to_string())
                .and_then(|exe| autostart.turn_on(&exe).map_err(|e| e.to_string()))
        } else {
            autostart.turn_off().map_err(|e| e.to_string())
        };
        self.autostart_error = done.err();
        self.start_at_login = Some(autostart.is_on());
    }
}

/// "Theme: As the system / Light / Dark", kept in the settings.
fn theme_choice(ui: &mut Ui, ctx: &mut Ctx<'_>) {
    let label = ui.label("Theme");
    egui::ComboBox::from_id_salt("theme")
        .selected_text(ctx.progress.theme.label())
        .show_ui(ui, |ui| {
            for choice in ThemeChoice::ALL {
                ui.selectable_value(&mut ctx.progress.theme, choice, choice.label());
            }
        })
        .response
        .labelled_by(label.id);
}

/// "Keep watching after closing": the notification-area icon stays when
/// the window closes (Linux, where the icon is).
fn keep_watching_choice(ui: &mut Ui, ctx: &mut Ctx<'_>) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let mut keep = !ctx.progress.stop_watching_on_close;
    if ui
        .checkbox(&mut keep, "Keep watching after closing")
        .on_hover_text(
            "This program's icon stays in the notification area when this window closes.",
        )
        .changed()
    {
        ctx.progress.stop_watching_on_close = !keep;
    }
}

/// Until read: closing the window does not end the monitoring, and how to
/// end it.
pub fn close_notice(ui: &mut Ui, ctx: &mut Ctx<'_>) {
    if !cfg!(target_os = "linux")
        || ctx.progress.close_notice_seen
        || ctx.progress.stop_watching_on_close
    {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        widgets::notice(
            ui,
            Tone::Muted,
            "When you close this window, this program's icon stays in the notification area and keeps watching. \
             Quit it from its menu, or untick \"Keep watching after closing\" in Settings below.",
        );
        if ui.button("Got it").clicked() {
            ctx.progress.close_notice_seen = true;
        }
    });
}

/// "Zoom: 100 %": the keys do the same (Ctrl + / Ctrl − / Ctrl 0).
fn zoom_choice(ui: &mut Ui, ctx: &mut Ctx<'_>) {
    let label = ui.label("Zoom");
    let current = ctx.progress.zoom_percent();
    egui::ComboBox::from_id_salt("zoom")
        .selected_text(format!("{current} %"))
        .show_ui(ui, |ui| {
            for percent in ZOOM_CHOICES {
                if ui
                    .selectable_label(current == percent, format!("{percent} %"))
                    .clicked()
                {
                    ctx.progress.zoom = percent;
                }
            }
        })
        .response
        .labelled_by(label.id)
        .on_hover_text("Ctrl + and Ctrl − zoom in and out, Ctrl 0 goes back to 100 %.");
}

/// The zooms offered on the panel (the keys reach those between).
const ZOOM_CHOICES: [u16; 5] = [100, 125, 150, 175, 200];

/// Opens the troubleshooting guide at `anchor` in the browser.
pub fn open_guide(ctx: &Ctx<'_>, anchor: &str) {
    if !ctx.shared.open_links {
        return;
    }
    match troubleshooting::write_guide(&ctx.shared.data_dir) {
        Ok(path) => {
            if let Err(e) = open::that_detached(&path) {
                tracing::warn!("cannot open {} ({anchor}): {e}", path.display());
            }
        }
        Err(e) => tracing::warn!("cannot write the troubleshooting guide: {e}"),
    }
}
