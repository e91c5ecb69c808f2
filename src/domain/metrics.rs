//! The exporter's `/metrics` page: what was last read from each Director,
//! in the Prometheus text format (0.0.4) or OpenMetrics 1.0. A series the
//! Director cannot give (a real Director's alarm, or anything while it is
//! down) is left out rather than guessed.

use std::fmt::Write;

use std::collections::HashMap;

use super::alarm::{AlarmState, Notification, Notifier, Status};

/// What the last poll of one Director found.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectorReading {
    /// The `director` label.
    pub name: String,
    /// The last poll worked (Director answered and took the sign-in).
    pub up: bool,
    /// The Hybrid alarm; `Unknown` where it cannot be read.
    pub state: AlarmState,
    /// Unix seconds of the last successful Connect Sync.
    pub last_sync: Option<f64>,
    pub invalid_usernames: Option<u64>,
    pub users: Option<u64>,
    pub users_synced: Option<u64>,
    pub build: Option<String>,
    /// How long the last poll took.
    pub poll_seconds: Option<f64>,
    /// Unix seconds when the last poll ended; `None` before the first.
    pub polled_at: Option<f64>,
    /// The state in words (the alert's Description when red, or why the
    /// poll failed), for people; never written to `/metrics`.
    pub summary: String,
    /// Director refused the sign-in: the readers stop signing in with that
    /// password until it changes or a back-off has passed.
    pub sign_in_refused: bool,
}

impl DirectorReading {
    /// Before the first poll: down, nothing known.
    pub fn not_polled(name: &str) -> Self {
        DirectorReading {
            name: name.into(),
            up: false,
            state: AlarmState::Unknown,
            last_sync: None,
            invalid_usernames: None,
            users: None,
            users_synced: None,
            build: None,
            poll_seconds: None,
            polled_at: None,
            summary: "not read yet".into(),
            sign_in_refused: false,
        }
    }
}

/// How much a reading asks for attention: 0 is the worst (red), then
/// down, stale, unknown, green.
pub fn severity(reading: &DirectorReading) -> u8 {
    match (reading.up, reading.state) {
        (true, AlarmState::Red) => 0,
        (false, _) => 1,
        (true, AlarmState::Stale) => 2,
        (true, AlarmState::Unknown) => 3,
        (true, AlarmState::Green) => 4,
    }
}

/// The readings' indexes, worst first (ties by name).
pub fn worst_first(readings: &[DirectorReading]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..readings.len()).collect();
    order.sort_by(|&a, &b| {
        severity(&readings[a])
            .cmp(&severity(&readings[b]))
            .then_with(|| readings[a].name.cmp(&readings[b].name))
    });
    order
}

/// Another Director in a worse state than the open one, for the window's
/// title and the notification-area icon.
#[derive(Debug, Clone, PartialEq)]
pub struct Elsewhere {
    /// Its state as shown (a Director that cannot be read is `Unknown`).
    pub state: AlarmState,
    /// "Connect Sync has an alert on branch", "Cannot read Director on branch".
    pub headline: String,
    /// Its reading in words (the alert's Description when red).
    pub summary: String,
}

/// The worst of `others` when it is worse than `this` (the open Director's
/// state), by [`severity`]. Only Directors read at least once count: one
/// not read yet, or without a saved password, is not news.
pub fn worse_elsewhere(this: AlarmState, others: &[DirectorReading]) -> Option<Elsewhere> {
    let this = DirectorReading {
        up: true,
        state: this,
        ..DirectorReading::not_polled("")
    };
    let worst = others
        .iter()
        .filter(|r| r.polled_at.is_some())
        .min_by(|a, b| {
            severity(a)
                .cmp(&severity(b))
                .then_with(|| a.name.cmp(&b.name))
        })?;
    if severity(worst) >= severity(&this) {
        return None;
    }
    let (state, what) = if worst.up {
        (worst.state, worst.state.headline())
    } else {
        (AlarmState::Unknown, "Cannot read Director")
    };
    Some(Elsewhere {
        state,
        headline: format!("{what} on {}", worst.name),
        summary: worst.summary.clone(),
    })
}

/// Desktop notifications for the other Directors: one [`Notifier`] each
/// (a change worth telling, once), the title naming the Director. Only
/// Directors read at least once count; the first reading of each says
/// nothing, as for the open one.
#[derive(Debug, Default)]
pub struct FleetNotifier {
    each: HashMap<String, Notifier>,
}

impl FleetNotifier {
    pub fn observe(&mut self, readings: &[DirectorReading]) -> Vec<Notification> {
        readings
            .iter()
            .filter(|r| r.polled_at.is_some())
            .filter_map(|r| {
                let status = Status {
                    state: if r.up { r.state } else { AlarmState::Unknown },
                    summary: r.summary.clone(),
                };
                let mut told = self
                    .each
                    .entry(r.name.clone())
                    .or_default()
                    .observe(&status)?;
                told.title = format!("{} on {}", told.title, r.name);
                Some(told)
            })
            .collect()
    }
}

/// Which text the scraper asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposition {
    /// `text/plain; version=0.0.4`.
    Prometheus,
    /// `application/openmetrics-text; version=1.0.0`.
    OpenMetrics,
}

impl Exposition {
    /// The format for an `Accept` header: OpenMetrics only when asked for.
    pub fn for_accept(accept: &str) -> Self {
        if accept.contains("application/openmetrics-text") {
            Exposition::OpenMetrics
        } else {
            Exposition::Prometheus
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Exposition::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            Exposition::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// The alarm states as labels, in the order they are written.
const STATES: [(AlarmState, &str); 4] = [
    (AlarmState::Green, "green"),
    (AlarmState::Red, "red"),
    (AlarmState::Stale, "stale"),
    (AlarmState::Unknown, "unknown"),
];

/// A label value with `\`, `"` and line breaks escaped, as both formats ask.
/// The longest label value sent on to Prometheus.
pub const MAX_LABEL_CHARS: usize = 128;

pub fn escape_label(value: &str) -> String {
    // A label value is a name or a build: anything longer is cut.
    let value = super::text::cut(value, MAX_LABEL_CHARS);
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A number as both formats write it.
fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{value}")
    }
}

/// One metric family: its help and type, then a sample per Director that has one.
struct Family {
    name: &'static str,
    help: &'static str,
    /// OpenMetrics' type: "gauge" or "info" (the Prometheus text calls both gauge).
    info: bool,
}

const UP: Family = Family {
    name: "hybrid_up",
    help: "1 when the last poll of Director worked (it answered and took the sign-in).",
    info: false,
};
const REFUSED: Family = Family {
    name: "hybrid_sign_in_refused",
    help: "1 when Director refused the sign-in: the exporter does not sign in with that password again until it changes or a back-off (15 min, doubling to 4 h) has passed.",
    info: false,
};
const ALARM: Family = Family {
    name: "hybrid_alarm_state",
    help: "The Hybrid alarm of Director's alarm bar: the series of the current state is 1.",
    info: false,
};
const LAST_SYNC: Family = Family {
    name: "hybrid_last_sync_timestamp_seconds",
    help: "When Connect Sync last succeeded, in Unix time.",
    info: false,
};
const INVALID: Family = Family {
    name: "hybrid_invalid_client_usernames",
    help: "Users whose client username Connect Sync would reject.",
    info: false,
};
const USERS: Family = Family {
    name: "hybrid_users",
    help: "Users in Director.",
    info: false,
};
const SYNCED: Family = Family {
    name: "hybrid_users_synced",
    help: "Users Connect Sync has synced to the Connect Portal.",
    info: false,
};
const BUILD: Family = Family {
    name: "hybrid_build_info",
    help: "Director's build, as a label.",
    info: true,
};
const POLL: Family = Family {
    name: "hybrid_poll_duration_seconds",
    help: "How long the last poll of Director took.",
    info: false,
};
const POLLED_AT: Family = Family {
    name: "hybrid_last_poll_timestamp_seconds",
    help: "When Director was last polled, in Unix time.",
    info: false,
};

/// The whole page for `readings`, in `format`.
pub fn render(readings: &[DirectorReading], format: Exposition) -> String {
    let mut out = String::with_capacity(256 + readings.len() * 900);
    let mut family = |f: &Family, samples: &mut dyn FnMut(&mut String)| {
        // OpenMetrics names an info family without its `_info` suffix.
        let declared = match (format, f.info) {
            (Exposition::OpenMetrics, true) => f.name.trim_end_matches("_info"),
            _ => f.name,
        };
        let kind = match (format, f.info) {
            (Exposition::OpenMetrics, true) => "info",
            _ => "gauge",
        };
        let _ = writeln!(out, "# HELP {declared} {}", f.help);
        let _ = writeln!(out, "# TYPE {declared} {kind}");
        if format == Exposition::OpenMetrics && f.name.ends_with("_seconds") {
            let _ = writeln!(out, "# UNIT {declared} seconds");
        }
        samples(&mut out);
    };
    let sample = |out: &mut String, name: &str, director: &str, extra: &str, value: f64| {
        let _ = writeln!(
            out,
            "{name}{{director=\"{}\"{extra}}} {}",
            escape_label(director),
            number(value)
        );
    };
    let each = |out: &mut String, f: &Family, value: &dyn Fn(&DirectorReading) -> Option<f64>| {
        for r in readings {
            if let Some(v) = value(r) {
                sample(out, f.name, &r.name, "", v);
            }
        }
    };
    let when_up = |r: &DirectorReading, v: Option<u64>| v.filter(|_| r.up).map(|v| v as f64);

    family(&UP, &mut |out| {
        each(out, &UP, &|r| Some(if r.up { 1.0 } else { 0.0 }))
    });
    family(&REFUSED, &mut |out| {
        each(out, &REFUSED, &|r| {
            Some(if r.sign_in_refused { 1.0 } else { 0.0 })
        })
    });
    family(&ALARM, &mut |out| {
        for r in readings {
            // Down: the alarm is not known, whatever it was before.
            let state = if r.up { r.state } else { AlarmState::Unknown };
            for (s, label) in STATES {
                let extra = format!(",state=\"{label}\"");
                sample(
                    out,
                    ALARM.name,
                    &r.name,
                    &extra,
                    f64::from(u8::from(s == state)),
                );
            }
        }
    });
    family(&LAST_SYNC, &mut |out| {
        each(out, &LAST_SYNC, &|r| r.last_sync.filter(|_| r.up))
    });
    family(&INVALID, &mut |out| {
        each(out, &INVALID, &|r| when_up(r, r.invalid_usernames))
    });
    family(&USERS, &mut |out| {
        each(out, &USERS, &|r| when_up(r, r.users))
    });
    family(&SYNCED, &mut |out| {
        each(out, &SYNCED, &|r| when_up(r, r.users_synced))
    });
    family(&BUILD, &mut |out| {
        for r in readings {
            if let Some(build) = r.build.as_deref().filter(|_| r.up) {
                let extra = format!(",build=\"{}\"", escape_label(build));
                sample(out, BUILD.name, &r.name, &extra, 1.0);
            }
        }
    });
    family(&POLL, &mut |out| each(out, &POLL, &|r| r.poll_seconds));
    family(&POLLED_AT, &mut |out| {
        each(out, &POLLED_AT, &|r| r.polled_at)
    });
    if format == Exposition::OpenMetrics {
        out.push_str("# EOF\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn green(name: &str) -> DirectorReading {
        DirectorReading {
            name: name.into(),
            up: true,
            state: AlarmState::Green,
            last_sync: Some(1_764_000_000.0),
            invalid_usernames: Some(3),
            users: Some(250),
            users_synced: Some(247),
            build: Some("21.90.9743.0".into()),
            poll_seconds: Some(0.25),
            polled_at: Some(1_764_000_030.0),
            summary: "last sync 2 min ago".into(),
            sign_in_refused: false,
        }
    }

    fn lines(page: &str) -> Vec<&str> {
        page.lines().filter(|l| !l.starts_with('#')).collect()
    }

    #[test]
    fn a_green_director_has_every_series() {
        let page = render(&[green("hq")], Exposition::Prometheus);
        for want in [
            "hybrid_up{director=\"hq\"} 1",
            "hybrid_alarm_state{director=\"hq\",state=\"green\"} 1",
            "hybrid_alarm_state{director=\"hq\",state=\"red\"} 0",
            "hybrid_last_sync_timestamp_seconds{director=\"hq\"} 1764000000",
            "hybrid_invalid_client_usernames{director=\"hq\"} 3",
            "hybrid_users{director=\"hq\"} 250",
            "hybrid_users_synced{director=\"hq\"} 247",
            "hybrid_build_info{director=\"hq\",build=\"21.90.9743.0\"} 1",
            "hybrid_poll_duration_seconds{director=\"hq\"} 0.25",
        ] {
            assert!(lines(&page).contains(&want), "{want} missing from\n{page}");
        }
        assert!(page.contains("# TYPE hybrid_build_info gauge"));
        assert!(!page.contains("# EOF"));
    }

    #[test]
    fn a_down_director_says_only_what_is_known() {
        let mut down = green("branch");
        down.up = false;
        down.state = AlarmState::Red;
        let page = render(&[down], Exposition::Prometheus);
        assert!(lines(&page).contains(&"hybrid_up{director=\"branch\"} 0"));
        assert!(
            lines(&page).contains(&"hybrid_alarm_state{director=\"branch\",state=\"unknown\"} 1")
        );
        assert!(lines(&page).contains(&"hybrid_alarm_state{director=\"branch\",state=\"red\"} 0"));
        for gone in ["hybrid_users{", "hybrid_last_sync", "hybrid_build_info{"] {
            assert!(
                !lines(&page).iter().any(|l| l.starts_with(gone)),
                "{gone} while down"
            );
        }
    }

    #[test]
    fn openmetrics_names_info_and_units_and_ends() {
        let page = render(&[green("hq")], Exposition::OpenMetrics);
        assert!(page.contains("# TYPE hybrid_build info\n"));
        assert!(page.contains("hybrid_build_info{director=\"hq\",build=\"21.90.9743.0\"} 1\n"));
        assert!(page.contains("# UNIT hybrid_poll_duration_seconds seconds\n"));
        assert!(page.ends_with("# EOF\n"));
        assert_eq!(
            Exposition::for_accept("application/openmetrics-text; version=1.0.0,text/plain;q=0.5"),
            Exposition::OpenMetrics
        );
        assert_eq!(Exposition::for_accept("*/*"), Exposition::Prometheus);
    }

    #[test]
    fn the_worst_comes_first() {
        let mut down = green("b-down");
        down.up = false;
        let mut red = green("z-red");
        red.state = AlarmState::Red;
        let mut stale = green("c-stale");
        stale.state = AlarmState::Stale;
        let all = [green("a-green"), down, red, stale];
        let names: Vec<&str> = worst_first(&all)
            .iter()
            .map(|&i| all[i].name.as_str())
            .collect();
        assert_eq!(names, ["z-red", "b-down", "c-stale", "a-green"]);
    }

    #[test]
    fn a_worse_director_elsewhere_is_named() {
        let mut branch = green("branch");
        branch.state = AlarmState::Red;
        branch.summary = "Token revoked".into();
        let mut plant = green("plant");
        plant.up = false;
        let others = [green("hq"), plant.clone(), branch.clone()];
        let worse = worse_elsewhere(AlarmState::Green, &others).expect("red elsewhere");
        assert_eq!(worse.state, AlarmState::Red);
        assert_eq!(worse.headline, "Connect Sync has an alert on branch");
        assert_eq!(worse.summary, "Token revoked");
        assert_eq!(
            worse_elsewhere(AlarmState::Red, &others),
            None,
            "nothing is worse than red here"
        );
        let down = worse_elsewhere(AlarmState::Stale, &[plant]).expect("down elsewhere");
        assert_eq!(
            (down.state, down.headline.as_str()),
            (AlarmState::Unknown, "Cannot read Director on plant")
        );
        let mut not_read = DirectorReading::not_polled("new");
        not_read.summary = "no password saved for it: open it to sign in".into();
        assert_eq!(
            worse_elsewhere(AlarmState::Green, &[not_read]),
            None,
            "a Director never read is not news"
        );
    }

    #[test]
    fn other_directors_changes_are_told_once_by_name() {
        let mut notifier = FleetNotifier::default();
        let hq = green("hq");
        assert!(
            notifier.observe(std::slice::from_ref(&hq)).is_empty(),
            "the first look"
        );
        assert!(
            notifier.observe(std::slice::from_ref(&hq)).is_empty(),
            "no change"
        );
        let mut red = hq.clone();
        red.state = AlarmState::Red;
        red.summary = "Token revoked".into();
        let told = notifier.observe(&[red.clone()]);
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].title, "Connect Sync alert on hq");
        assert_eq!(told[0].body, "Token revoked");
        assert!(notifier.observe(&[red]).is_empty(), "once per change");
        assert_eq!(
            notifier.observe(&[hq])[0].title,
            "Connect Sync recovered on hq"
        );
        let never_read = DirectorReading::not_polled("new");
        assert!(notifier.observe(&[never_read]).is_empty());
    }

    /// The labels of one exposition sample (`name{a="x",b="y\\"z"} 1`),
    /// unescaped as the text format says (`\\`, `\"`, `\n`); `None` when
    /// the line does not parse.
    fn parse_labels(line: &str) -> Option<std::collections::HashMap<String, String>> {
        let open = line.find('{')?;
        let mut chars = line[open + 1..].chars();
        let mut labels = std::collections::HashMap::new();
        loop {
            let key: String = chars.by_ref().take_while(|&c| c != '=').collect();
            if chars.next()? != '"' {
                return None;
            }
            let mut value = String::new();
            loop {
                match chars.next()? {
                    '\\' => value.push(match chars.next()? {
                        'n' => '\n',
                        '\\' => '\\',
                        '"' => '"',
                        _ => return None,
                    }),
                    '"' => break,
                    '\n' => return None,
                    c => value.push(c),
                }
            }
            labels.insert(key.trim_start_matches(',').to_string(), value);
            match chars.next()? {
                ',' => continue,
                '}' => return Some(labels),
                _ => return None,
            }
        }
    }

    #[test]
    fn the_label_reader_reads_escapes() {
        let labels = parse_labels(r#"x{director="a\"b\\c\nd",build="1"} 1"#).expect("parses");
        assert_eq!(labels["director"], "a\"b\\c\nd");
        assert_eq!(labels["build"], "1");
        assert!(
            parse_labels(r#"x{director="a"b"} 1"#).is_none(),
            "a bare quote ends the value"
        );
    }

    proptest! {
        /// Whatever a name or build holds, each sample stays one line and
        /// each Director has exactly one alarm state at 1.
        #[test]
        fn labels_stay_on_their_line(name in "\\PC{0,20}|[\"\\\\\n]{1,5}", build in "\\PC{0,20}|[\"\\\\\n]{1,5}", state in 0usize..4) {
            let mut r = green(&name);
            r.build = Some(build.clone());
            r.state = STATES[state].0;
            let page = render(&[r], Exposition::Prometheus);
            let samples = lines(&page);
            prop_assert!(samples.iter().all(|l| l.starts_with("hybrid_")), "{page}");
            let ones = samples.iter().filter(|l| l.starts_with("hybrid_alarm_state") && l.ends_with(" 1")).count();
            prop_assert_eq!(ones, 1);
            // Read back as a scraper reads them, every label is what was put in.
            for line in &samples {
                let labels = parse_labels(line).unwrap_or_else(|| panic!("unreadable: {line:?}"));
                prop_assert_eq!(labels.get("director"), Some(&name), "{}", line);
                if line.starts_with("hybrid_build_info") {
                    prop_assert_eq!(labels.get("build"), Some(&build), "{}", line);
                }
            }
        }

        /// What is named elsewhere is never better than the open Director,
        /// and nothing is named when no Director read is worse.
        #[test]
        fn elsewhere_is_only_ever_worse(this in 0usize..4, others in proptest::collection::vec((0usize..4, any::<bool>(), any::<bool>()), 0..6)) {
            let this = STATES[this].0;
            let others: Vec<DirectorReading> = others.iter().enumerate().map(|(i, &(state, up, polled))| {
                let mut r = green(&format!("d{i}"));
                r.state = STATES[state].0;
                r.up = up;
                r.polled_at = polled.then_some(1.0);
                r
            }).collect();
            let here = DirectorReading { up: true, state: this, ..green("") };
            let any_worse = others.iter().any(|r| r.polled_at.is_some() && severity(r) < severity(&here));
            match worse_elsewhere(this, &others) {
                Some(worse) => {
                    prop_assert!(any_worse);
                    let named = others.iter().find(|r| worse.headline.ends_with(&format!(" on {}", r.name))).expect("names one");
                    prop_assert!(others.iter().filter(|r| r.polled_at.is_some()).all(|r| severity(named) <= severity(r)));
                }
                None => prop_assert!(!any_worse),
            }
        }
    }
}
