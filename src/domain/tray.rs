//! What the notification-area icon shows: the Hybrid state, a tooltip that
//! says it in words, and whether it asks for attention — from the same
//! status the status panel shows.

use super::alarm::{AlarmState, Status, ago};
use super::drift::{ALARM_ELSEWHERE, Glance};
use super::metrics::Elsewhere;

/// How long a tooltip's text may be: panels show a few lines at most.
pub const TOOLTIP_CHARS: usize = 120;

/// The StatusNotifierItem "Status": how much the icon asks to be seen.
/// Never "Passive": panels hide passive items (Xfce's does), and an
/// unknown state or a setup not done yet must stay in sight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attention {
    Active,
    /// Something is wrong: panels show it (some make it blink).
    NeedsAttention,
}

/// One picture of the icon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayView {
    pub state: AlarmState,
    /// "Connect Sync healthy".
    pub title: String,
    /// "last sync 2 min ago", or the alert's Description, shortened.
    pub text: String,
    pub attention: Attention,
    /// Provisioned: there is a status to open (else the menu opens the wizard).
    pub provisioned: bool,
    /// "Start at login" is on (the menu's check mark); `None` where the
    /// system offers no way to.
    pub start_at_login: Option<bool>,
    /// A real Director: its Hybrid alarm cannot be seen from here, which
    /// the icon marks in a corner (and its menu offers Director's own page).
    pub alarm_hidden: bool,
    /// How many Directors are saved (the menu lists "Directors (N)" when
    /// there are several).
    pub directors: usize,
}

impl TrayView {
    /// The icon for a provisioned install whose monitor says `status`.
    pub fn of(status: &Status) -> Self {
        TrayView {
            state: status.state,
            title: status.state.headline().to_string(),
            text: shorten(&status.summary, TOOLTIP_CHARS),
            attention: attention_for(status.state),
            provisioned: true,
            start_at_login: None,
            alarm_hidden: false,
            directors: 1,
        }
    }

    /// Before the setup is done: grey, and the menu opens the wizard.
    pub fn not_provisioned() -> Self {
        TrayView {
            state: AlarmState::Unknown,
            title: "Connect HYBRID is not set up yet".into(),
            text: "Open the setup to link Director and the Connect Portal.".into(),
            attention: Attention::Active,
            provisioned: false,
            start_at_login: None,
            alarm_hidden: false,
            directors: 1,
        }
    }

    /// A real Director named `name`, from its looks so far (`checked_secs_ago`:
    /// the last look's age): "hq: 16 of 22 client usernames would fail
    /// Connect Sync — checked 2 min ago · Hybrid alarm: see Director's alarm
    /// bar". Its alarm is on its own alarm bar, which no interface shows:
    /// said in every state, and marked on the icon.
    pub fn of_glance(name: &str, glance: &Glance, checked_secs_ago: Option<u64>) -> Self {
        let state = glance.state();
        let checked = match checked_secs_ago {
            Some(secs) => format!("checked {} · ", ago(secs)),
            None => String::new(),
        };
        TrayView {
            state,
            title: format!("{name}: {}", glance.headline()),
            text: shorten(&format!("{checked}{ALARM_ELSEWHERE}"), TOOLTIP_CHARS),
            attention: attention_for(state),
            provisioned: true,
            start_at_login: None,
            alarm_hidden: true,
            directors: 1,
        }
    }

    /// A real Director with no password to sign in with: the window asks.
    pub fn needs_password(name: &str) -> Self {
        TrayView {
            title: format!("{name}: no password saved — open to sign in"),
            attention: Attention::NeedsAttention,
            ..TrayView::of_glance(name, &Glance::default(), None)
        }
    }

    /// This view, or another Director's when that one is worse: the icon
    /// shows the worst of all, named ("Connect Sync has an alert on branch").
    pub fn or_worse(self, worse: Option<Elsewhere>) -> Self {
        let Some(worse) = worse else {
            return self;
        };
        TrayView {
            state: worse.state,
            title: worse.headline,
            text: shorten(&worse.summary, TOOLTIP_CHARS),
            attention: attention_for(worse.state),
            // The state shown is the other Director's, read from its own
            // report: this one's corner mark would not be true of it.
            alarm_hidden: false,
            ..self
        }
    }

    /// The tooltip on one line: "Connect Sync healthy — last sync 2 min ago".
    pub fn line(&self) -> String {
        format!("{} — {}", self.title, self.text)
    }
}

fn attention_for(state: AlarmState) -> Attention {
    match state {
        AlarmState::Green | AlarmState::Unknown => Attention::Active,
        AlarmState::Red | AlarmState::Stale => Attention::NeedsAttention,
    }
}

/// `text` cut at the last space before `max` characters, with "…" (a word
/// longer than that is cut where it reaches it).
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let kept = match cut.rfind(' ') {
        Some(space) if space > 0 => cut[..space].trim_end(),
        _ => cut.as_str(),
    };
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn status(state: AlarmState, summary: &str) -> Status {
        Status {
            state,
            summary: summary.into(),
        }
    }

    #[test]
    fn the_tooltip_says_the_state_and_when() {
        let view = TrayView::of(&status(AlarmState::Green, "last sync 2 min ago"));
        assert_eq!(view.line(), "Connect Sync healthy — last sync 2 min ago");
        assert_eq!(view.attention, Attention::Active);
        let red = TrayView::of(&status(AlarmState::Red, "Connect Sync failed"));
        assert_eq!(red.attention, Attention::NeedsAttention);
        assert_eq!(
            TrayView::of(&status(AlarmState::Stale, "x")).attention,
            Attention::NeedsAttention
        );
        // Still in sight when unknown or not set up: panels hide "Passive".
        assert_eq!(
            TrayView::of(&status(AlarmState::Unknown, "x")).attention,
            Attention::Active
        );
        assert_eq!(TrayView::not_provisioned().attention, Attention::Active);
        assert!(!TrayView::not_provisioned().provisioned);
    }

    #[test]
    fn a_worse_director_elsewhere_takes_the_icon() {
        let mine = TrayView::of(&status(AlarmState::Green, "last sync 2 min ago"));
        assert_eq!(mine.clone().or_worse(None), mine);
        let worse = Elsewhere {
            state: AlarmState::Red,
            headline: "Connect Sync has an alert on branch".into(),
            summary: "x ".repeat(100),
        };
        let shown = mine.or_worse(Some(worse));
        assert_eq!(shown.state, AlarmState::Red);
        assert_eq!(shown.title, "Connect Sync has an alert on branch");
        assert_eq!(shown.attention, Attention::NeedsAttention);
        assert!(shown.text.chars().count() <= TOOLTIP_CHARS);
        assert!(shown.provisioned, "the menu stays this Director's");
    }

    #[test]
    fn a_long_description_is_shortened_at_a_word() {
        let long = "Connect Sync failed: the Connect Portal rejected the Account ID (1000001) and Token (401 Unauthorized). Reveal the Token again in the Portal";
        let view = TrayView::of(&status(AlarmState::Red, long));
        assert!(view.text.ends_with('…'), "{}", view.text);
        assert!(view.text.chars().count() <= TOOLTIP_CHARS);
        assert!(long.starts_with(view.text.trim_end_matches('…')));
        assert!(!view.text.trim_end_matches('…').ends_with(' '));
    }

    proptest! {
        #[test]
        fn shortened_text_fits_and_is_a_prefix(text in "\\PC{0,300}", max in 2usize..200) {
            let short = shorten(&text, max);
            prop_assert!(short.chars().count() <= max);
            let kept = short.strip_suffix('…').unwrap_or(&short);
            prop_assert!(text.trim().starts_with(kept));
        }
    }
}
