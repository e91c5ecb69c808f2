//! The Connect Portal's side: registration with its welcome email,
//! Account Details, Connect Credentials and Authorized Contacts.

use super::sessions::portal_session;
use super::*;

impl World {
    pub fn register(
        &mut self,
        request: RegistrationRequest,
        now_ms: u64,
    ) -> Result<Registered, Refusal> {
        let form = request.form;
        let errors = form.validate();
        if !errors.is_empty() {
            return Err(Refusal::Invalid(
                errors
                    .into_iter()
                    .map(|e| FieldErrorBody {
                        field: e.field.name().into(),
                        message: e.message,
                    })
                    .collect(),
            ));
        }
        if request.terms_version != self.portal.terms.version {
            return Err(invalid(
                Field::AcceptedTerms.name(),
                format!(
                    "The Terms of Service changed (now version {}). Open them again and accept them.",
                    self.portal.terms.version
                ),
            ));
        }
        let company = form.company_name.trim().to_string();
        let taken = |name: &str| {
            self.portal
                .accounts
                .iter()
                .any(|a| a.account_name.trim().eq_ignore_ascii_case(name.trim()))
        };
        if taken(&company) {
            let suggestion = registration::suggest_company_name(&company, &form.city, taken);
            return Err(Refusal::Conflict {
                field: "company_name",
                message: format!(
                    "A Connect HYBRID account named \"{company}\" already exists. Make the Company Name unique, for example by appending a location."
                ),
                suggestion: Some(suggestion),
            });
        }
        let email = form.business_email.trim().to_string();
        let email_taken = self
            .portal
            .accounts
            .iter()
            .flat_map(|a| &a.contacts)
            .any(|c| c.email.eq_ignore_ascii_case(&email));
        if email_taken {
            return Err(Refusal::Conflict {
                field: "business_email",
                message: "This Business Email already belongs to a Connect account. Sign in with it instead, or use another address.".into(),
                suggestion: None,
            });
        }
        let account_id = self.next_account_id();
        self.portal.accounts.push(Account {
            account_id: account_id.clone(),
            account_name: company.clone(),
            city: form.city.trim().into(),
            token: Secret::new(random_token(32)),
            contacts: vec![Contact {
                first_name: form.first_name.trim().into(),
                last_name: form.last_name.trim().into(),
                email: email.clone(),
                password: Secret::new(form.password),
                role: ContactRole::DecisionMaker,
            }],
            synced_users: Vec::new(),
        });
        self.portal.outbox.push(welcome_email(
            &email,
            &form.first_name,
            &company,
            &account_id,
            now_ms,
        ));
        Ok(Registered {
            account_name: company,
            account_id,
        })
    }

    pub fn outbox(&self, to: Option<&str>) -> Vec<Email> {
        self.portal
            .outbox
            .iter()
            .filter(|e| to.is_none_or(|to| e.to.eq_ignore_ascii_case(to.trim())))
            .cloned()
            .collect()
    }

    fn account_and_contact(
        &self,
        account_id: &str,
        email: &str,
    ) -> Result<(&Account, &Contact), Refusal> {
        let account = self
            .portal
            .accounts
            .iter()
            .find(|a| a.account_id == account_id)
            .ok_or_else(|| Refusal::NotFound("The account no longer exists.".into()))?;
        let contact = account
            .contacts
            .iter()
            .find(|c| c.email.eq_ignore_ascii_case(email))
            .ok_or_else(|| Refusal::Unauthorized("Sign in to the Connect Portal first.".into()))?;
        Ok((account, contact))
    }

    pub fn portal_whoami(&self, account_id: &str, email: &str) -> Result<PortalSession, Refusal> {
        let (account, contact) = self.account_and_contact(account_id, email)?;
        Ok(portal_session(account, contact))
    }

    pub fn account_details(
        &self,
        account_id: &str,
        email: &str,
    ) -> Result<AccountDetails, Refusal> {
        let (account, contact) = self.account_and_contact(account_id, email)?;
        Ok(AccountDetails {
            account_name: account.account_name.clone(),
            account_id: account.account_id.clone(),
            company_name: account.account_name.clone(),
            your_role: contact.role,
            contacts: account
                .contacts
                .iter()
                .map(|c| ContactInfo {
                    name: c.name(),
                    email: c.email.clone(),
                    role: c.role,
                })
                .collect(),
            synced_users: account.synced_users.len() as u64,
        })
    }

    /// Connect Credentials > Show: the Decision Maker only.
    pub fn reveal_credentials(
        &self,
        account_id: &str,
        email: &str,
    ) -> Result<Credentials, Refusal> {
        let (account, contact) = self.account_and_contact(account_id, email)?;
        if contact.role != ContactRole::DecisionMaker {
            let makers: Vec<String> = account
                .contacts
                .iter()
                .filter(|c| c.role == ContactRole::DecisionMaker)
                .map(|c| format!("{} <{}>", c.name(), c.email))
                .collect();
            return Err(Refusal::Forbidden(format!(
                "Only the Decision Maker can reveal the Token. You are signed in as {} ({}). Ask the Decision Maker ({}) to reveal it, or to send you the Account ID and Token.",
                contact.name(),
                contact.role.label(),
                makers.join(", ")
            )));
        }
        Ok(Credentials {
            account_id: account.account_id.clone(),
            token: account.token.clone(),
        })
    }

    /// Adds an Authorized Contact. The Decision Maker only; the contact must
    /// be a user synced from Director.
    pub fn add_contact(
        &mut self,
        account_id: &str,
        email: &str,
        new: NewContact,
    ) -> Result<ContactInfo, Refusal> {
        let (account, contact) = self.account_and_contact(account_id, email)?;
        if contact.role != ContactRole::DecisionMaker {
            return Err(Refusal::Forbidden(
                "Only the Decision Maker can add Authorized Contacts.".into(),
            ));
        }
        let new_email = new.email.trim().to_string();
        if !account
            .synced_users
            .iter()
            .any(|u| u.email.eq_ignore_ascii_case(&new_email))
        {
            return Err(invalid(
                "email",
                "An Authorized Contact must be a user that exists in Director and has been synced to the Portal.",
            ));
        }
        if account
            .contacts
            .iter()
            .any(|c| c.email.eq_ignore_ascii_case(&new_email))
        {
            return Err(Refusal::Conflict {
                field: "email",
                message: "This user is already an Authorized Contact.".into(),
                suggestion: None,
            });
        }
        if let Some(problem) = registration::password_problem(new.password.expose()) {
            return Err(invalid("password", problem));
        }
        let contact = Contact {
            first_name: new.first_name.trim().into(),
            last_name: new.last_name.trim().into(),
            email: new_email,
            password: new.password,
            role: new.role,
        };
        let info = ContactInfo {
            name: contact.name(),
            email: contact.email.clone(),
            role: contact.role,
        };
        if let Some(account) = self
            .portal
            .accounts
            .iter_mut()
            .find(|a| a.account_id == account_id)
        {
            account.contacts.push(contact);
        }
        Ok(info)
    }

    pub fn portal_users(&self, account_id: &str, email: &str) -> Result<Vec<PortalUser>, Refusal> {
        let (account, _) = self.account_and_contact(account_id, email)?;
        Ok(account.synced_users.clone())
    }

    /// Simulates the Portal issuing a new Token (the old one stops working).
    pub fn revoke_token(&mut self, account_id: &str) -> Result<(), Refusal> {
        let account = self
            .portal
            .accounts
            .iter_mut()
            .find(|a| a.account_id == account_id)
            .ok_or_else(|| Refusal::NotFound(format!("No account {account_id}.")))?;
        account.token = Secret::new(random_token(32));
        Ok(())
    }
}

fn welcome_email(
    to: &str,
    first_name: &str,
    account_name: &str,
    account_id: &str,
    now_ms: u64,
) -> Email {
    Email {
        to: to.into(),
        subject: "Welcome to Connect HYBRID".into(),
        body: format!(
            "Hello {first},\n\n\
             Your Connect HYBRID account is ready.\n\n\
             Account Name: {account_name}\n\
             Account ID: {account_id}\n\n\
             Next steps:\n\
             1. Sign in to the Connect Portal with your Business Email and the password you chose.\n\
             2. Go to Organization > Account > Account Details and click Show next to Connect Credentials \
             to see the Account ID and the Token. Only the Decision Maker can see the Token.\n\
             3. In Connect Director, go to Administration > System > Hybrid > Synchronization, enter the \
             Account ID and Token, choose how client usernames are formatted, and click Save.\n\
             4. Check that the number of invalid client usernames is 0, then wait a few minutes for Connect Sync.\n",
            first = first_name.trim()
        ),
        sent_at: secs(now_ms),
    }
}
