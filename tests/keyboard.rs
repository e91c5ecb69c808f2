//! The whole guided wizard with the keyboard only — Tab, Shift+Tab, Space,
//! Enter and typed text; no pointer — from Requirements to the status
//! panel, against the simulator playing a real Director. Each Enter moves
//! one step at most.

mod support;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use hybrid_setup::domain::wizard::Step;
use hybrid_setup::sim::data;
use hybrid_setup::ui::app::HybridApp;
use hybrid_setup::ui::screens::usernames::{APPEND_DOMAIN_LABEL, USE_EMAIL_LABEL};
use support::{enabled, has_label, has_text, wait_for};

fn focused(h: &Harness<'_, HybridApp>, label: &str) -> bool {
    h.query_all_by_label(label)
        .any(|n| n.accesskit_node().is_focused())
}

/// Tab (or Shift+Tab) until `label` has the focus.
fn tab_to(h: &mut Harness<'_, HybridApp>, label: &str, backwards: bool) {
    for _ in 0..80 {
        if focused(h, label) {
            return;
        }
        if backwards {
            h.key_press_modifiers(Modifiers::SHIFT, Key::Tab);
        } else {
            h.key_press(Key::Tab);
        }
        h.step();
    }
    panic!("Tab never reached \"{label}\" on {:?}", h.state().step());
}

fn type_text(h: &mut Harness<'_, HybridApp>, text: &str) {
    h.event(egui::Event::Text(text.into()));
    h.step();
}

fn press(h: &mut Harness<'_, HybridApp>, key: Key) {
    h.key_press(key);
    h.step();
    h.step();
}

#[test]
fn the_guided_wizard_with_the_keyboard_only() {
    let real = support::RealDirector::start();
    let mut h = real.window();
    wait_for(&mut h, "the checks", |h| enabled(h, "Continue"));

    // Enter is Continue while nothing has the focus — one step each.
    press(&mut h, Key::Enter);
    assert_eq!(h.state().step(), Step::LinkDirector);
    press(&mut h, Key::Enter);
    assert_eq!(h.state().step(), Step::Register);
    press(&mut h, Key::Enter);
    assert_eq!(h.state().step(), Step::Confirmation);

    // Fields by Tab, text typed, Shift+Tab back.
    tab_to(&mut h, "Account Name", false);
    type_text(&mut h, "Acme Boston");
    tab_to(&mut h, "Account ID", false);
    type_text(&mut h, "1000002");
    tab_to(&mut h, "Account Name", true);
    tab_to(&mut h, "Continue", false);
    press(&mut h, Key::Enter);
    assert_eq!(
        h.state().step(),
        Step::Credentials,
        "the focused button, once"
    );
    assert_eq!(h.state().progress().account_id, "1000002");

    tab_to(&mut h, "Token", false);
    type_text(&mut h, "tok-123");
    tab_to(&mut h, "Continue", false);
    press(&mut h, Key::Enter);
    assert_eq!(h.state().step(), Step::UsernameFormat);

    // Check boxes with Space.
    wait_for(&mut h, "the count", |h| {
        has_text(h, "client usernames invalid")
    });
    tab_to(&mut h, USE_EMAIL_LABEL, false);
    press(&mut h, Key::Space);
    tab_to(&mut h, APPEND_DOMAIN_LABEL, false);
    press(&mut h, Key::Space);
    wait_for(&mut h, "0 of 120", |h| {
        has_label(h, "0 of 120") && enabled(h, "Continue")
    });
    tab_to(&mut h, "Continue", false);
    press(&mut h, Key::Enter);
    assert_eq!(h.state().step(), Step::FirstSync);

    tab_to(&mut h, "I clicked Save — verify", false);
    press(&mut h, Key::Enter);
    wait_for(&mut h, "the verification", |h| enabled(h, "Finish"));
    tab_to(&mut h, "Finish", false);
    press(&mut h, Key::Enter);
    assert_eq!(h.state().step(), Step::Done);
    wait_for(&mut h, "the panel", |h| {
        has_text(h, "0 of 120 client usernames would fail Connect Sync")
    });
    drop(h);
    real.stop();
}

/// The Directors view with the keyboard only: Tab to "Directors (3)" and
/// Enter opens it, Esc goes back, and Enter on a Director's name opens its
/// status panel.
#[test]
fn the_directors_view_with_the_keyboard_only() {
    let fleet = support::fleet::Fleet::start();
    let mut h = fleet.window(support::walks::Look::new(egui::Theme::Dark));
    wait_for(&mut h, "the Directors button", |h| {
        has_label(h, "Directors (3)")
    });
    tab_to(&mut h, "Directors (3)", false);
    press(&mut h, Key::Enter);
    assert!(has_label(&h, "Back to status"), "the view is open");
    press(&mut h, Key::Escape);
    assert!(!has_label(&h, "Back to status"), "Esc went back");
    assert_eq!(h.state().step(), Step::Done, "and no further");

    tab_to(&mut h, "Directors (3)", false);
    press(&mut h, Key::Enter);
    let red = support::fleet::host_of(&fleet.red.url());
    wait_for(&mut h, "the red one's row", |h| has_label(h, &red));
    tab_to(&mut h, &red, false);
    press(&mut h, Key::Enter);
    wait_for(&mut h, "the red Director's panel", |h| {
        h.state().director_url() == fleet.red.url() && has_label(h, "Connect Sync has an alert")
    });
    drop(h);
    fleet.stop();
}

/// A real Director already set up, with the keyboard only: the form opens
/// with the focus in its first field, and Enter on "Watch this Director"
/// opens the status panel.
#[test]
fn a_director_already_set_up_with_the_keyboard_only() {
    use hybrid_setup::ui::screens::already_set_up::APPENDED_DOMAIN_LABEL;
    let real = support::RealDirector::start();
    let mut h = real.window();
    wait_for(&mut h, "the checks", |h| enabled(h, "Continue"));
    tab_to(&mut h, "It is already set up…", false);
    press(&mut h, Key::Enter);
    assert!(
        focused(&h, "Account ID"),
        "the form's first field has the focus"
    );
    type_text(&mut h, "1000002");
    tab_to(&mut h, USE_EMAIL_LABEL, false);
    press(&mut h, Key::Space);
    tab_to(&mut h, APPENDED_DOMAIN_LABEL, false);
    type_text(&mut h, data::DEMO_DOMAIN);
    wait_for(&mut h, "0 of 120", |h| {
        has_text(h, "Invalid client usernames: 0 of 120")
    });
    tab_to(&mut h, "Watch this Director", false);
    press(&mut h, Key::Enter);
    assert_eq!(h.state().step(), Step::Done);
    assert_eq!(h.state().progress().account_id, "1000002");
    drop(h);
    real.stop();
}

/// Link Director's two cards with the keyboard: Tab to a card's radio,
/// Space chooses it, and the primary button (renamed by the choice) takes
/// Enter.
#[test]
fn link_director_choice_with_the_keyboard() {
    let real = support::RealDirector::start();
    let mut h = real.window();
    wait_for(&mut h, "the checks", |h| enabled(h, "Continue"));
    press(&mut h, Key::Enter);
    assert_eq!(h.state().step(), Step::LinkDirector);
    assert!(has_label(&h, "Register…"), "registering is chosen first");
    tab_to(&mut h, "I already have an account", false);
    press(&mut h, Key::Space);
    tab_to(&mut h, "Enter the Account ID and Token", false);
    press(&mut h, Key::Enter);
    assert_eq!(h.state().step(), Step::Credentials);
    drop(h);
    real.stop();
}
