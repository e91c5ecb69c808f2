//! Director's side: the Hybrid > Synchronization settings, Connect Sync's
//! cycles and the Hybrid alerts they raise and clear.

use super::*;

impl World {
    pub fn sync_settings(&self) -> SyncSettings {
        let s = &self.director.settings;
        SyncSettings {
            account_id: s.account_id.clone(),
            token_set: s.token.is_some(),
            use_email: s.use_email,
            append_domain: s.append_domain.clone(),
            enabled: s.enabled_at_ms.is_some(),
        }
    }

    fn format_options(&self) -> FormatOptions {
        FormatOptions {
            use_email: self.director.settings.use_email,
            append_domain: self.director.settings.append_domain.clone(),
        }
    }

    fn directory_users(&self) -> Vec<DirectoryUser> {
        crate::contract::directory_users(&self.director.users)
    }

    pub fn save_sync_settings(
        &mut self,
        update: SyncSettingsUpdate,
        now_ms: u64,
    ) -> Result<SyncSaved, Refusal> {
        let account_id = update.account_id.trim().to_string();
        if account_id.is_empty() {
            return Err(invalid(
                "account_id",
                "Enter the Account ID from the welcome email or the Portal.",
            ));
        }
        if !account_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(invalid(
                "account_id",
                "The Account ID has only letters, digits and hyphens.",
            ));
        }
        let token = match update.token {
            Some(t) if t.expose().trim().is_empty() => {
                return Err(invalid("token", "The Token is empty."));
            }
            Some(t) => Some(Secret::new(t.expose().trim())),
            None => None,
        };
        if token.is_none() && self.director.settings.token.is_none() {
            return Err(invalid(
                "token",
                "Enter the Token shown under Connect Credentials in the Portal.",
            ));
        }
        let options = FormatOptions {
            use_email: update.use_email,
            append_domain: update
                .append_domain
                .filter(|d| !d.trim().is_empty())
                .map(|d| format::normalize_domain(&d)),
        };
        if let Err(reason) = options.validate() {
            return Err(invalid(
                "append_domain",
                format!("The domain to append is not valid: {}", reason.describe()),
            ));
        }
        let settings = &mut self.director.settings;
        let credentials_changed = settings.account_id != account_id || token.is_some();
        settings.account_id = account_id;
        if let Some(token) = token {
            settings.token = Some(token);
        }
        settings.use_email = options.use_email;
        settings.append_domain = options.append_domain;
        if settings.enabled_at_ms.is_none() {
            settings.enabled_at_ms = Some(now_ms);
        }
        if credentials_changed || self.director.sync.next_sync_ms.is_none() {
            let delay = FIRST_SYNC_DELAY_MS.min(self.director.sync.interval_secs * 1000);
            self.director.sync.next_sync_ms = Some(now_ms + delay);
        }
        let count = self.invalid_count();
        self.director.sync.invalid = count.invalid as u64;
        Ok(SyncSaved {
            settings: self.sync_settings(),
            invalid: count.invalid as u64,
            total: count.total as u64,
        })
    }

    pub fn invalid_count(&self) -> InvalidCount {
        let users = self.directory_users();
        InvalidCount::of(&format::format(&users, &self.format_options()))
    }

    pub fn run_sync_now(&mut self, now_ms: u64) -> Result<(), Refusal> {
        if self.director.settings.enabled_at_ms.is_none() {
            return Err(Refusal::Conflict {
                field: "account_id",
                message: "Connect Sync is not configured yet: save the Account ID and Token first."
                    .into(),
                suggestion: None,
            });
        }
        self.director.sync.next_sync_ms = Some(now_ms);
        Ok(())
    }

    /// Runs a cycle if one is due. Returns whether one ran.
    pub fn tick(&mut self, now_ms: u64) -> bool {
        let due = self.director.settings.enabled_at_ms.is_some()
            && !self.sync_paused
            && self
                .director
                .sync
                .next_sync_ms
                .is_some_and(|at| at <= now_ms);
        if due {
            self.sync_cycle(now_ms);
        }
        due
    }

    /// One Connect Sync cycle: check the credentials against the Portal,
    /// push the valid users, raise or clear the Hybrid alerts.
    pub fn sync_cycle(&mut self, now_ms: u64) {
        let sync = &mut self.director.sync;
        sync.cycles += 1;
        sync.last_attempt_ms = Some(now_ms);
        sync.next_sync_ms = Some(now_ms + sync.interval_secs * 1000);

        if !self.portal_reachable {
            self.director.sync.last_attempt_failed = true;
            self.raise(
                AlertKind::PortalUnreachable,
                Severity::Critical,
                "Connect Sync failed: the Connect Portal could not be reached (connection timed out). \
                 Check that Director's server can open HTTPS connections to the Internet (proxy, firewall, DNS)."
                    .into(),
                now_ms,
            );
            return;
        }
        self.clear(AlertKind::PortalUnreachable, now_ms);

        let settings = &self.director.settings;
        let account_index = self.portal.accounts.iter().position(|a| {
            a.account_id == settings.account_id
                && settings
                    .token
                    .as_ref()
                    .is_some_and(|t| t.expose() == a.token.expose())
        });
        let Some(account_index) = account_index else {
            let account_id = settings.account_id.clone();
            self.director.sync.last_attempt_failed = true;
            self.raise(
                AlertKind::BadCredentials,
                Severity::Critical,
                format!(
                    "Connect Sync failed: the Connect Portal rejected the Account ID ({account_id}) and Token (401 Unauthorized). \
                     Reveal the Token again in the Portal (Organization > Account > Account Details > Connect Credentials > Show), \
                     enter it on Administration > System > Hybrid > Synchronization and click Save."
                ),
                now_ms,
            );
            return;
        };
        self.clear(AlertKind::BadCredentials, now_ms);

        let users = self.directory_users();
        let outcomes = format::format(&users, &self.format_options());
        let count = InvalidCount::of(&outcomes);
        let synced: Vec<PortalUser> = users
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| o.valid())
            .map(|(u, o)| PortalUser {
                user_dn: u.user_dn.to_string(),
                username: o.result.to_string(),
                first_name: u.first_name.to_string(),
                last_name: u.last_name.to_string(),
                email: u.email.to_string(),
            })
            .collect();
        let example = users
            .iter()
            .zip(&outcomes)
            .find_map(|(u, o)| o.reason.map(|r| (u.client_username.to_string(), r)));
        self.portal.accounts[account_index].synced_users = synced;

        let sync = &mut self.director.sync;
        sync.last_attempt_failed = false;
        sync.last_success_ms = Some(now_ms);
        sync.invalid = count.invalid as u64;
        sync.synced = (count.total - count.invalid) as u64;

        match example {
            Some((username, reason)) => self.raise(
                AlertKind::InvalidUsernames,
                Severity::Warning,
                format!(
                    "{count} client usernames are invalid, so those users were not synced to the Connect Portal \
                     (for example \"{username}\": {}). Choose a username format on Administration > System > Hybrid > \
                     Synchronization, or correct the users in Director.",
                    reason.describe().trim_end_matches('.')
                ),
                now_ms,
            ),
            None => self.clear(AlertKind::InvalidUsernames, now_ms),
        }
    }

    fn raise(&mut self, kind: AlertKind, severity: Severity, description: String, now_ms: u64) {
        let alerts = &mut self.director.alerts;
        if let Some(alert) = alerts.iter_mut().find(|a| a.active && a.kind == kind) {
            alert.description = description;
            return;
        }
        let id = self.director.next_alert_id;
        self.director.next_alert_id += 1;
        alerts.push(Alert {
            id,
            time: secs(now_ms),
            severity,
            source: "Hybrid".into(),
            kind,
            description,
            active: true,
            cleared_at: None,
        });
        // Keep the history bounded; old cleared alerts go first.
        if alerts.len() > 500
            && let Some(pos) = alerts.iter().position(|a| !a.active)
        {
            alerts.remove(pos);
        }
    }

    fn clear(&mut self, kind: AlertKind, now_ms: u64) {
        for alert in self
            .director
            .alerts
            .iter_mut()
            .filter(|a| a.active && a.kind == kind)
        {
            alert.active = false;
            alert.cleared_at = Some(secs(now_ms));
        }
    }

    pub fn sync_status(&self, now_ms: u64) -> SyncStatus {
        let d = &self.director;
        let active = d.alerts.iter().filter(|a| a.active).count() as u64;
        let enabled = d.settings.enabled_at_ms.is_some();
        let alarm = if !enabled {
            AlarmBar::None
        } else if active > 0 || d.sync.last_attempt_failed {
            AlarmBar::Red
        } else {
            AlarmBar::Green
        };
        let account_id = &d.settings.account_id;
        let synced_users = self
            .portal
            .accounts
            .iter()
            .find(|a| &a.account_id == account_id)
            .map_or(0, |a| a.synced_users.len() as u64);
        SyncStatus {
            server_time: secs(now_ms),
            enabled,
            interval_secs: d.sync.interval_secs,
            enabled_at: d.settings.enabled_at_ms.map(secs),
            last_attempt_at: d.sync.last_attempt_ms.map(secs),
            last_success_at: d.sync.last_success_ms.map(secs),
            last_attempt_failed: d.sync.last_attempt_failed,
            next_sync_at: d.sync.next_sync_ms.map(secs),
            cycles: d.sync.cycles,
            alarm,
            active_alerts: active,
            invalid: self.invalid_count().invalid as u64,
            total: d.users.len() as u64,
            synced_users,
            account_id: account_id.clone(),
        }
    }

    /// Newest first, as on Director's Alerts page.
    pub fn alerts(&self) -> Vec<Alert> {
        let mut alerts = self.director.alerts.clone();
        alerts.sort_by(|a, b| b.time.cmp(&a.time).then(b.id.cmp(&a.id)));
        alerts
    }
}
