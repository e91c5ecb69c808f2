//! Never lock an account: after Director refuses a sign-in, no reader (the
//! window's watch, the icon, `status --watch`, the exporter) signs in with
//! that password again on its own. It tries again when the password
//! changes, or after a back-off of 15 minutes that doubles up to 4 hours.
//! Nothing public says Director locks an account after failed sign-ins; a
//! monitor must never be what locks one.

use std::time::{Duration, Instant};

use super::secret::Secret;

/// The first wait after a refusal, doubled after each further one.
pub const FIRST_REFUSED_BACKOFF: Duration = Duration::from_secs(15 * 60);
/// The longest wait between two tries of a refused password.
pub const MAX_REFUSED_BACKOFF: Duration = Duration::from_secs(4 * 60 * 60);

/// What one reader remembers of the last refused sign-in.
#[derive(Debug, Clone, Default)]
pub struct SignInGuard {
    refused: Option<Refusal>,
}

#[derive(Debug, Clone)]
struct Refusal {
    /// The password Director refused (in memory only, as it already is).
    password: Secret,
    /// Director's words.
    why: String,
    retry_at: Instant,
    backoff: Duration,
}

impl SignInGuard {
    /// Whether `password` may be sent now: `Err` carries the words for
    /// people (Director's reason, and when it is tried again) when this is
    /// the refused password and its back-off has not passed.
    pub fn may_try(&self, password: &Secret, now: Instant) -> Result<(), String> {
        match &self.refused {
            Some(r) if r.password == *password && now < r.retry_at => Err(words(r, now)),
            _ => Ok(()),
        }
    }

    /// Director refused `password`: remembered, with a back-off twice the
    /// last one (15 minutes the first time). Returns the words for people.
    pub fn refused(&mut self, password: &Secret, why: &str, now: Instant) -> String {
        let backoff = match &self.refused {
            Some(before) if before.password == *password => {
                (before.backoff * 2).min(MAX_REFUSED_BACKOFF)
            }
            _ => FIRST_REFUSED_BACKOFF,
        };
        let refusal = Refusal {
            password: password.clone(),
            why: why.trim().to_string(),
            retry_at: now + backoff,
            backoff,
        };
        let said = words(&refusal, now);
        self.refused = Some(refusal);
        said
    }

    /// Director accepted a sign-in: the refusal is forgotten.
    pub fn accepted(&mut self) {
        self.refused = None;
    }

    /// A password was refused and has not been replaced yet.
    pub fn is_refused(&self) -> bool {
        self.refused.is_some()
    }

    /// When the refused password is tried again on its own.
    pub fn retry_at(&self) -> Option<Instant> {
        self.refused.as_ref().map(|r| r.retry_at)
    }
}

/// Director's reason, without the "Director refused the sign-in: " a
/// client put before it (so a sentence that adds its own says it once).
pub fn reason(message: &str) -> &str {
    message
        .trim()
        .strip_prefix("Director refused the sign-in:")
        .map_or(message.trim(), str::trim)
}

/// "<why> — not signed in again with this password for 15 min (an account
/// may lock); store the right password to try at once".
fn words(refusal: &Refusal, now: Instant) -> String {
    let minutes = refusal
        .retry_at
        .saturating_duration_since(now)
        .as_secs()
        .div_ceil(60);
    format!(
        "{} — not signed in again with this password for {minutes} min (an account may lock); store the right password to try at once",
        reason(&refusal.why).trim_end_matches('.')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_refused_password_waits_and_a_new_one_goes_at_once() {
        let start = Instant::now();
        let mut guard = SignInGuard::default();
        let wrong = Secret::new("wrong");
        assert!(guard.may_try(&wrong, start).is_ok(), "nothing refused yet");
        let said = guard.refused(
            &wrong,
            "Director refused the sign-in: Invalid login or password.",
            start,
        );
        assert!(
            said.starts_with(
                "Invalid login or password — not signed in again with this password for 15 min"
            ),
            "{said}"
        );
        let later = start + Duration::from_secs(60);
        let held = guard.may_try(&wrong, later).expect_err("held back");
        assert!(held.contains("for 14 min"), "{held}");
        assert!(
            guard.may_try(&Secret::new("right"), later).is_ok(),
            "a changed password is tried at once"
        );
        assert!(guard.may_try(&wrong, start + FIRST_REFUSED_BACKOFF).is_ok());
        guard.accepted();
        assert!(!guard.is_refused());
    }

    #[test]
    fn the_back_off_doubles_up_to_four_hours_and_restarts_for_a_new_password() {
        let mut now = Instant::now();
        let mut guard = SignInGuard::default();
        let wrong = Secret::new("wrong");
        let mut waits = Vec::new();
        for _ in 0..7 {
            guard.refused(&wrong, "no", now);
            let at = guard.retry_at().expect("refused");
            waits.push((at - now).as_secs() / 60);
            now = at;
        }
        assert_eq!(waits, [15, 30, 60, 120, 240, 240, 240]);
        guard.refused(&Secret::new("other"), "no", now);
        assert_eq!(
            guard.retry_at().map(|at| (at - now).as_secs() / 60),
            Some(15)
        );
    }

    proptest! {
        /// However the refusals fall, the same password is never allowed
        /// twice within 15 minutes of a refusal.
        #[test]
        fn never_twice_within_the_first_back_off(steps in proptest::collection::vec(0u64..3_600, 1..40)) {
            let start = Instant::now();
            let mut guard = SignInGuard::default();
            let password = Secret::new("pw");
            let mut last_refused: Option<Instant> = None;
            let mut now = start;
            for step in steps {
                now += Duration::from_secs(step);
                if guard.may_try(&password, now).is_ok() {
                    if let Some(at) = last_refused {
                        prop_assert!(now - at >= FIRST_REFUSED_BACKOFF);
                    }
                    guard.refused(&password, "no", now);
                    last_refused = Some(now);
                }
            }
        }
    }
}
