//! `hybrid-setup --tray`: the icon and the sync monitor, with no window and
//! so no graphics context. The icon mirrors each poll — or another saved
//! Director's when that one is worse; its menu opens the window (a separate
//! process, gone again when closed), polls now, or quits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::{TrayCommand, TrayError, TrayIcon};
use crate::client::director::Director;
use crate::domain::alarm::{AlarmState, Status};
use crate::domain::drift::Glance;
use crate::domain::metrics::{DirectorReading, FleetNotifier, worse_elsewhere};
use crate::domain::tray::TrayView;
use crate::service::drift_watch::{self, DriftConfig, DriftEvent, SharedCredentials};
use crate::service::exporter::Reread;
use crate::service::fleet;
use crate::service::monitor::{self, MonitorConfig, MonitorEvent, MonitorHandle, Snapshot};
use crate::store::autostart::{Autostart, AutostartError};
use crate::store::instance::Listener;
use crate::store::secret_store::SecretStore;

/// What the window is opened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowFor {
    /// The status panel (or, before the setup is done, the wizard).
    Status,
    Alerts,
    /// The Directors view: the icon shows another Director's state.
    Directors,
}

/// Where a click on the icon opens the window: on the Directors view when
/// the icon shows another Director's (worse) state, else on the status.
pub fn window_for_click(mine: &TrayView, elsewhere: &[DirectorReading]) -> WindowFor {
    match worse_elsewhere(mine.state, elsewhere) {
        Some(_) => WindowFor::Directors,
        None => WindowFor::Status,
    }
}

/// What the icon watches.
pub enum Watching<D> {
    /// A Director whose Connect Sync state can be read (the contract).
    Sync(Arc<D>, MonitorConfig),
    /// A real Director through its web interface: what can be read there
    /// (see `service::drift_watch`), its alarm marked as not visible.
    Real(RealDirector),
    /// Nothing can be read here: a sentence saying why (not set up yet).
    Nothing(TrayView),
}

/// A real Director to watch: how, with what password, and its name.
pub struct RealDirector {
    /// "hq.example.com", as the Directors view names it.
    pub name: String,
    pub config: DriftConfig,
    pub credentials: SharedCredentials,
    /// Where a new password is looked for after a refusal (the keyring).
    pub reread: Option<Reread>,
}

/// The one watch running for this Director, whichever kind it is.
enum Running {
    Sync(MonitorHandle),
    Real {
        handle: MonitorHandle,
        name: String,
        /// Director's own page (its alarm bar), for the menu.
        page: String,
    },
}

impl Running {
    fn check_now(&self) {
        match self {
            Running::Sync(handle) | Running::Real { handle, .. } => handle.check_now(),
        }
    }
}

/// The last look that can be aged ("checked 2 min ago").
enum Last {
    Sync(Box<Snapshot>),
    Real { glance: Box<Glance>, at: Instant },
}

impl Last {
    fn view(&self, running: Option<&Running>) -> Option<TrayView> {
        match (self, running) {
            (Last::Sync(snapshot), _) => Some(TrayView::of(&snapshot.status_now())),
            (Last::Real { glance, at }, Some(Running::Real { name, .. })) => Some(
                TrayView::of_glance(name, glance, Some(at.elapsed().as_secs())),
            ),
            _ => None,
        }
    }
}

/// How often the tooltip's "2 min ago" is brought up to date between polls.
const AGE_EVERY: Duration = Duration::from_secs(30);

/// The other saved Directors: the icon shows the worst of all.
pub struct Others {
    pub members: Vec<fleet::Member>,
    /// Where their passwords are (the keyring).
    pub secrets: Arc<dyn SecretStore>,
}

/// What the icon watches: the open Director, and the others.
pub struct Watch<D> {
    pub mine: Watching<D>,
    pub others: Others,
}

/// How often `changed` is asked whether the saved Directors changed (the
/// window added, removed or switched one): a look at the settings file.
const SETTINGS_EVERY: Duration = Duration::from_secs(2);

/// Runs until Quit. A later `--tray` launch (`later_launches`) opens the
/// window as "Open status" does. `changed` gives what to watch when the
/// saved Directors changed (it may block: it runs off the async threads).
/// `open_window` starts the window; `notify` shows a desktop notification
/// on a change worth one; `autostart` is the menu's "Start at login" (none
/// where the system has no way to).
pub async fn run<D: Director + 'static>(
    first: Watch<D>,
    changed: impl Fn() -> Option<Watch<D>> + Send + Sync + 'static,
    later_launches: Option<Listener>,
    autostart: Option<Box<dyn Autostart>>,
    open_window: impl Fn(WindowFor),
    notify: impl Fn(crate::domain::alarm::Notification),
) -> Result<(), TrayError> {
    let (commands_tx, mut commands) = mpsc::unbounded_channel();
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let (drift_tx, mut drift_events) = mpsc::unbounded_channel();
    let (readings_tx, mut readings) = mpsc::unbounded_channel();
    // Starts watching: the icon's first view, the monitor, the others' polls
    // (dropping the last two stops them).
    let start = |watch: Watch<D>| {
        let directors = watch.others.members.len() + 1;
        let others = (!watch.others.members.is_empty()).then(|| {
            let readings_tx = readings_tx.clone();
            fleet::watch(
                &tokio::runtime::Handle::current(),
                watch.others.members,
                watch.others.secrets,
                move |all| {
                    let _ = readings_tx.send(all);
                },
            )
        });
        let (first, running) = match watch.mine {
            Watching::Sync(director, config) => {
                let events_tx = events_tx.clone();
                let handle = monitor::spawn(
                    &tokio::runtime::Handle::current(),
                    director,
                    config,
                    move |event| {
                        let _ = events_tx.send(event);
                    },
                );
                let checking = Status {
                    state: AlarmState::Unknown,
                    summary: "reading Director…".into(),
                };
                (TrayView::of(&checking), Some(Running::Sync(handle)))
            }
            Watching::Real(real) => {
                let drift_tx = drift_tx.clone();
                let page = real.config.url.clone();
                let handle = drift_watch::spawn(
                    &tokio::runtime::Handle::current(),
                    real.config,
                    real.credentials,
                    real.reread,
                    move |event| {
                        let _ = drift_tx.send(event);
                    },
                );
                let first = TrayView::of_glance(&real.name, &Glance::default(), None);
                let running = Running::Real {
                    handle,
                    name: real.name,
                    page,
                };
                (first, Some(running))
            }
            Watching::Nothing(view) => (view, None),
        };
        let first = TrayView { directors, ..first };
        (first, running, others)
    };
    // `_others` is held only to keep the polls going.
    let (first, mut running, mut _others) = start(first);
    // This Director's view and the other Directors' last readings.
    let mut mine = first;
    let mut elsewhere: Vec<DirectorReading> = Vec::new();
    let mut others_told = FleetNotifier::default();
    // What the icon shows: the worse of the two, with "Start at login" as
    // it is now.
    let compose = |mine: &TrayView, elsewhere: &[DirectorReading]| {
        let mut view = mine
            .clone()
            .or_worse(worse_elsewhere(mine.state, elsewhere));
        view.start_at_login = autostart.as_ref().map(|a| a.is_on());
        view
    };
    let icon = TrayIcon::show(compose(&mine, &elsewhere), commands_tx.clone()).await?;
    // Only once the icon shows: without one, the window takes over.
    if let Some(listener) = later_launches {
        listener.on_open(move || {
            let _ = commands_tx.send(TrayCommand::OpenStatus);
        });
    }
    let mut last: Option<Last> = None;
    let mut age = tokio::time::interval(AGE_EVERY);
    let changed = Arc::new(changed);
    let mut settings_tick = tokio::time::interval(SETTINGS_EVERY);
    loop {
        tokio::select! {
            Some(event) = events.recv() => match event {
                MonitorEvent::Changed(snapshot) => {
                    mine = TrayView { directors: mine.directors, ..TrayView::of(&snapshot.status_now()) };
                    icon.update(compose(&mine, &elsewhere)).await;
                    last = Some(Last::Sync(snapshot));
                }
                MonitorEvent::Notify(notification) => notify(notification),
            },
            Some(event) = drift_events.recv() => match event {
                DriftEvent::Changed(snapshot) => {
                    let mut glance = match last.take() {
                        Some(Last::Real { glance, .. }) => glance,
                        _ => Box::default(),
                    };
                    glance.observe(&snapshot.watched, snapshot.unreachable_in_a_row);
                    let at = snapshot.checked_at;
                    let latest = Last::Real { glance, at };
                    if let Some(view) = latest.view(running.as_ref()) {
                        mine = TrayView { directors: mine.directors, ..view };
                    }
                    last = Some(latest);
                    icon.update(compose(&mine, &elsewhere)).await;
                }
                DriftEvent::Notify(notification) => notify(notification),
                DriftEvent::NeedsPassword => {
                    if let Some(Running::Real { name, .. }) = &running {
                        mine = TrayView { directors: mine.directors, ..TrayView::needs_password(name) };
                        icon.update(compose(&mine, &elsewhere)).await;
                    }
                }
                DriftEvent::Progress { .. } => {}
            },
            Some(all) = readings.recv() => {
                for told in others_told.observe(&all) {
                    notify(told);
                }
                elsewhere = all;
                icon.update(compose(&mine, &elsewhere)).await;
            }
            Some(command) = commands.recv() => match command {
                TrayCommand::OpenStatus => open_window(window_for_click(&mine, &elsewhere)),
                TrayCommand::ShowAlerts => open_window(WindowFor::Alerts),
                TrayCommand::CheckNow => {
                    if let Some(running) = &running {
                        running.check_now();
                    }
                }
                TrayCommand::OpenDirectors => open_window(WindowFor::Directors),
                TrayCommand::OpenDirector => {
                    if let Some(Running::Real { page, .. }) = &running
                        && let Err(e) = open::that_detached(page)
                    {
                        tracing::warn!("cannot open Director's page {page}: {e}");
                    }
                }
                TrayCommand::ToggleStartAtLogin => {
                    if let Some(autostart) = &autostart {
                        let done = if autostart.is_on() {
                            autostart.turn_off()
                        } else {
                            std::env::current_exe()
                                .map_err(|e| AutostartError::Write { path: "this program".into(), reason: e.to_string() })
                                .and_then(|exe| autostart.turn_on(&exe))
                        };
                        if let Err(e) = done {
                            tracing::warn!("Start at login: {e}");
                        }
                        icon.update(compose(&mine, &elsewhere)).await;
                    }
                }
                TrayCommand::Quit => break,
            },
            _ = settings_tick.tick() => {
                let check = changed.clone();
                if let Ok(Some(watch)) = tokio::task::spawn_blocking(move || check()).await {
                    // The old monitor and polls stop as they are dropped.
                    (mine, running, _others) = start(watch);
                    elsewhere.clear();
                    others_told = FleetNotifier::default();
                    last = None;
                    icon.update(compose(&mine, &elsewhere)).await;
                }
            }
            _ = age.tick() => {
                if let Some(view) = last.as_ref().and_then(|l| l.view(running.as_ref())) {
                    mine = TrayView { directors: mine.directors, ..view };
                    icon.update(compose(&mine, &elsewhere)).await;
                }
            }
        }
    }
    icon.remove().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_click_opens_where_the_icon_points() {
        let mine = TrayView::of(&Status {
            state: AlarmState::Green,
            summary: "last sync 2 min ago".into(),
        });
        assert_eq!(window_for_click(&mine, &[]), WindowFor::Status);
        let branch = DirectorReading {
            up: true,
            state: AlarmState::Red,
            polled_at: Some(1.0),
            ..DirectorReading::not_polled("branch")
        };
        assert_eq!(
            window_for_click(&mine, std::slice::from_ref(&branch)),
            WindowFor::Directors
        );
        let red = TrayView::of(&Status {
            state: AlarmState::Red,
            summary: "Token revoked".into(),
        });
        assert_eq!(
            window_for_click(&red, &[branch]),
            WindowFor::Status,
            "this one is as bad: its own status"
        );
    }
}
