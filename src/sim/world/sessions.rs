//! Who is signed in, to Director and to the Portal: sessions that end when
//! idle, and login names locked after repeated failures.

use super::*;

/// Sessions and login failures: live only while the simulator runs.
#[derive(Debug, Default)]
pub struct Sessions {
    director: HashMap<String, DirectorSessionEntry>,
    portal: HashMap<String, PortalSessionEntry>,
    failures: HashMap<String, Failures>,
}

#[derive(Debug)]
struct DirectorSessionEntry {
    login_name: String,
    last_used_ms: u64,
}

#[derive(Debug)]
struct PortalSessionEntry {
    account_id: String,
    email: String,
    last_used_ms: u64,
}

#[derive(Debug, Default)]
struct Failures {
    count: u32,
    locked_until_ms: u64,
}

impl Failures {
    fn check_unlocked(&self, now_ms: u64) -> Result<(), Refusal> {
        if self.locked_until_ms > now_ms {
            return Err(Refusal::Locked {
                retry_after_secs: (self.locked_until_ms - now_ms).div_ceil(1000),
            });
        }
        Ok(())
    }

    /// Counts a wrong password; enough in a row lock the login.
    fn failed(&mut self, now_ms: u64, message: &str) -> Refusal {
        self.count += 1;
        if self.count >= MAX_LOGIN_FAILURES {
            self.count = 0;
            self.locked_until_ms = now_ms + LOCKOUT_MS;
        }
        Refusal::Unauthorized(message.into())
    }
}

pub fn random_token(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

pub fn secs(ms: u64) -> u64 {
    ms / 1000
}

impl Sessions {
    pub fn director_sessions(&self) -> usize {
        self.director.len()
    }

    pub fn director_login(
        &mut self,
        world: &World,
        login_name: &str,
        password: &Secret,
        now_ms: u64,
    ) -> Result<String, Refusal> {
        let key = login_name.trim().to_lowercase();
        let failures = self.failures.entry(key).or_default();
        failures.check_unlocked(now_ms)?;
        let director = &world.director;
        if !login_name
            .trim()
            .eq_ignore_ascii_case(&director.admin_login)
            || password.expose() != director.admin_password.expose()
        {
            return Err(failures.failed(now_ms, "Wrong login name or password."));
        }
        *failures = Failures::default();
        let session = random_token(32);
        self.director.insert(
            session.clone(),
            DirectorSessionEntry {
                login_name: director.admin_login.clone(),
                last_used_ms: now_ms,
            },
        );
        Ok(session)
    }

    /// The admin behind a Director session cookie, refreshing its idle timer.
    pub fn director_user(&mut self, session: Option<&str>, now_ms: u64) -> Result<String, Refusal> {
        let refused = || {
            Refusal::Unauthorized(
                "Sign in to Director first (the session is missing or has expired).".into(),
            )
        };
        let entry = session
            .and_then(|s| self.director.get_mut(s))
            .ok_or_else(refused)?;
        if now_ms.saturating_sub(entry.last_used_ms) > SESSION_IDLE_MS {
            return Err(refused());
        }
        entry.last_used_ms = now_ms;
        Ok(entry.login_name.clone())
    }

    pub fn director_logout(&mut self, session: Option<&str>) {
        if let Some(s) = session {
            self.director.remove(s);
        }
    }

    pub fn portal_login(
        &mut self,
        world: &World,
        email: &str,
        password: &Secret,
        now_ms: u64,
    ) -> Result<(String, PortalSession), Refusal> {
        let key = format!("portal:{}", email.trim().to_lowercase());
        let failures = self.failures.entry(key).or_default();
        failures.check_unlocked(now_ms)?;
        let found = world.portal.accounts.iter().find_map(|account| {
            account
                .contacts
                .iter()
                .find(|c| {
                    c.email.eq_ignore_ascii_case(email.trim())
                        && c.password.expose() == password.expose()
                })
                .map(|c| (account, c))
        });
        let Some((account, contact)) = found else {
            return Err(failures.failed(now_ms, "Wrong Business Email or password."));
        };
        *failures = Failures::default();
        let session = random_token(32);
        self.portal.insert(
            session.clone(),
            PortalSessionEntry {
                account_id: account.account_id.clone(),
                email: contact.email.clone(),
                last_used_ms: now_ms,
            },
        );
        Ok((session, portal_session(account, contact)))
    }

    /// (account_id, contact email) behind a Portal session cookie.
    pub fn portal_user(
        &mut self,
        session: Option<&str>,
        now_ms: u64,
    ) -> Result<(String, String), Refusal> {
        let refused = || Refusal::Unauthorized("Sign in to the Connect Portal first.".into());
        let entry = session
            .and_then(|s| self.portal.get_mut(s))
            .ok_or_else(refused)?;
        if now_ms.saturating_sub(entry.last_used_ms) > SESSION_IDLE_MS {
            return Err(refused());
        }
        entry.last_used_ms = now_ms;
        Ok((entry.account_id.clone(), entry.email.clone()))
    }

    pub fn portal_logout(&mut self, session: Option<&str>) {
        if let Some(s) = session {
            self.portal.remove(s);
        }
    }
}

pub(super) fn portal_session(account: &Account, contact: &Contact) -> PortalSession {
    PortalSession {
        email: contact.email.clone(),
        name: contact.name(),
        role: contact.role,
        account_id: account.account_id.clone(),
        account_name: account.account_name.clone(),
    }
}
