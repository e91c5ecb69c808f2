//! The demo's sign-ins, its existing Portal account and the Terms text.

use super::*;

pub const DEMO_ADMIN_PASSWORD: &str = "changeme";
pub const DEMO_DECISION_MAKER: &str = "dana.decider@acme-corp.example";
pub const DEMO_PHONE_MANAGER: &str = "pete.phones@acme-corp.example";
pub const DEMO_PORTAL_PASSWORD: &str = "Demo-Pass1";

pub const TERMS_VERSION: &str = "2017-08";
pub const TERMS_TEXT: &str = "END USER TERMS OF SERVICE (simulated)\n\n\
This text stands in for the End User Terms of Service that the real Connect Portal shows during \
Connect HYBRID registration. It is served by the built-in simulator so that the registration step, \
including the rule that the Terms check box stays disabled until this document has been opened, can \
be tried end to end.\n\n\
1. Services. Connect HYBRID services (such as Scribe and Fax) are provided to the account named at \
registration. The Decision Maker named at registration manages the account and its Authorized Contacts.\n\n\
2. User data. To provide the services, Connect Sync copies user profile data (names, client usernames, \
email addresses and numbers) from Connect Director to the Connect Portal about every five minutes.\n\n\
3. Credentials. The Account ID and Token authorize Connect Sync. Keep the Token secret; only the \
Decision Maker can reveal it.\n\n\
4. Changes. These terms carry a version. When the version changes, they must be accepted again.\n";

impl World {
    /// Adds the demo's existing account, "Acme Corporation", with a
    /// Decision Maker and a Phone Manager, so the "I already have an
    /// account" path, a Company Name conflict and a refused Token reveal can
    /// all be tried at once.
    pub fn seed_demo_account(&mut self) {
        let account_id = self.next_account_id();
        self.portal.accounts.push(Account {
            account_id,
            account_name: "Acme Corporation".into(),
            city: "Springfield".into(),
            token: Secret::new(random_token(32)),
            contacts: vec![
                Contact {
                    first_name: "Dana".into(),
                    last_name: "Decider".into(),
                    email: DEMO_DECISION_MAKER.into(),
                    password: Secret::new(DEMO_PORTAL_PASSWORD),
                    role: ContactRole::DecisionMaker,
                },
                Contact {
                    first_name: "Pete".into(),
                    last_name: "Phones".into(),
                    email: DEMO_PHONE_MANAGER.into(),
                    password: Secret::new(DEMO_PORTAL_PASSWORD),
                    role: ContactRole::PhoneManager,
                },
            ],
            synced_users: Vec::new(),
        });
    }
}
