//! The Connect Portal's HYBRID registration form: fields and their rules.
//!
//! The same validation runs in the wizard (errors inline as the admin types)
//! and in the simulated Portal (which answers 422 with the same field names).

use serde::{Deserialize, Serialize};

use super::username;

/// Minimum password length the Portal accepts.
pub const MIN_PASSWORD_LEN: usize = 8;
/// Longest value the Portal stores in a text field.
pub const MAX_FIELD_LEN: usize = 100;

/// One field of the form. `name()` is the wire name used by the server contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    CompanyName,
    Street,
    City,
    State,
    PostalCode,
    Country,
    FirstName,
    LastName,
    BusinessEmail,
    Phone,
    Password,
    ConfirmPassword,
    AcceptedTerms,
}

impl Field {
    pub const ALL: [Field; 13] = [
        Field::CompanyName,
        Field::Street,
        Field::City,
        Field::State,
        Field::PostalCode,
        Field::Country,
        Field::FirstName,
        Field::LastName,
        Field::BusinessEmail,
        Field::Phone,
        Field::Password,
        Field::ConfirmPassword,
        Field::AcceptedTerms,
    ];

    /// The form's "Company" section, in order.
    pub const COMPANY: [Field; 6] = [
        Field::CompanyName,
        Field::Street,
        Field::City,
        Field::State,
        Field::PostalCode,
        Field::Country,
    ];

    /// The "Contact" section, which becomes the Decision Maker.
    pub const CONTACT: [Field; 6] = [
        Field::FirstName,
        Field::LastName,
        Field::BusinessEmail,
        Field::Phone,
        Field::Password,
        Field::ConfirmPassword,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::CompanyName => "company_name",
            Field::Street => "street",
            Field::City => "city",
            Field::State => "state",
            Field::PostalCode => "postal_code",
            Field::Country => "country",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::BusinessEmail => "business_email",
            Field::Phone => "phone",
            Field::Password => "password",
            Field::ConfirmPassword => "confirm_password",
            Field::AcceptedTerms => "accepted_terms",
        }
    }

    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The label shown on the form (without the required marker).
    pub fn label(self) -> &'static str {
        match self {
            Field::CompanyName => "Company Name",
            Field::Street => "Street Address",
            Field::City => "City",
            Field::State => "State / Province",
            Field::PostalCode => "Postal Code",
            Field::Country => "Country",
            Field::FirstName => "First Name",
            Field::LastName => "Last Name",
            Field::BusinessEmail => "Business Email",
            Field::Phone => "Phone",
            Field::Password => "Password",
            Field::ConfirmPassword => "Confirm Password",
            Field::AcceptedTerms => "Terms and Conditions",
        }
    }

    /// Required fields are marked `*` on the form.
    pub fn required(self) -> bool {
        !matches!(self, Field::Street | Field::State | Field::PostalCode)
    }
}

/// A problem with one field, shown next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

/// What the admin enters on the registration page. The Contact section
/// (first/last name, business email, phone, password) becomes the account's
/// Decision Maker.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationForm {
    pub company_name: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub first_name: String,
    pub last_name: String,
    pub business_email: String,
    pub phone: String,
    pub password: String,
    pub confirm_password: String,
    pub accepted_terms: bool,
}

impl std::fmt::Debug for RegistrationForm {
    // Passwords never reach a log through Debug.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrationForm")
            .field("company_name", &self.company_name)
            .field("business_email", &self.business_email)
            .field("password", &"<redacted>")
            .field("accepted_terms", &self.accepted_terms)
            .finish_non_exhaustive()
    }
}

impl RegistrationForm {
    pub fn value(&self, field: Field) -> &str {
        match field {
            Field::CompanyName => &self.company_name,
            Field::Street => &self.street,
            Field::City => &self.city,
            Field::State => &self.state,
            Field::PostalCode => &self.postal_code,
            Field::Country => &self.country,
            Field::FirstName => &self.first_name,
            Field::LastName => &self.last_name,
            Field::BusinessEmail => &self.business_email,
            Field::Phone => &self.phone,
            Field::Password => &self.password,
            Field::ConfirmPassword => &self.confirm_password,
            Field::AcceptedTerms => "",
        }
    }

    pub fn value_mut(&mut self, field: Field) -> Option<&mut String> {
        Some(match field {
            Field::CompanyName => &mut self.company_name,
            Field::Street => &mut self.street,
            Field::City => &mut self.city,
            Field::State => &mut self.state,
            Field::PostalCode => &mut self.postal_code,
            Field::Country => &mut self.country,
            Field::FirstName => &mut self.first_name,
            Field::LastName => &mut self.last_name,
            Field::BusinessEmail => &mut self.business_email,
            Field::Phone => &mut self.phone,
            Field::Password => &mut self.password,
            Field::ConfirmPassword => &mut self.confirm_password,
            Field::AcceptedTerms => return None,
        })
    }

    /// Every problem with the form, in field order. Empty means valid.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut fail = |field: Field, message: String| errors.push(FieldError { field, message });
        for field in Field::ALL {
            if field == Field::AcceptedTerms {
                if !self.accepted_terms {
                    fail(
                        field,
                        "Open the terms and conditions, then tick the box to accept them.".into(),
                    );
                }
                continue;
            }
            let value = self.value(field);
            let trimmed = value.trim();
            if field.required() && trimmed.is_empty() {
                fail(field, format!("{} is required.", field.label()));
                continue;
            }
            if value.chars().count() > MAX_FIELD_LEN {
                fail(
                    field,
                    format!(
                        "{} must be at most {MAX_FIELD_LEN} characters.",
                        field.label()
                    ),
                );
                continue;
            }
            if let Some(message) = self.field_rule(field, value) {
                fail(field, message);
            }
        }
        errors
    }

    fn field_rule(&self, field: Field, value: &str) -> Option<String> {
        match field {
            Field::BusinessEmail => username::validate(value.trim())
                .err()
                .map(|reason| format!("Enter a valid email address. {}", reason.describe())),
            Field::Phone => {
                let digits = value.chars().filter(char::is_ascii_digit).count();
                let allowed = value
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().x".contains(c));
                (!allowed || !(7..=20).contains(&digits)).then(|| {
                    "Enter a phone number of 7 to 20 digits (spaces, + - ( ) allowed).".into()
                })
            }
            Field::Password => password_problem(value),
            Field::ConfirmPassword => {
                (value != self.password).then(|| "The passwords do not match.".into())
            }
            _ => None,
        }
    }

    pub fn errors_for(errors: &[FieldError], field: Field) -> Option<&str> {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The Portal's password rule: at least 8 characters with an upper-case
/// letter, a lower-case letter and a digit, and no surrounding spaces.
pub fn password_problem(password: &str) -> Option<String> {
    let mut missing = Vec::new();
    if password.chars().count() < MIN_PASSWORD_LEN {
        missing.push(format!("at least {MIN_PASSWORD_LEN} characters"));
    }
    if !password.chars().any(char::is_uppercase) {
        missing.push("an upper-case letter".into());
    }
    if !password.chars().any(char::is_lowercase) {
        missing.push("a lower-case letter".into());
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        missing.push("a digit".into());
    }
    if password.trim() != password {
        return Some("The password must not start or end with a space.".into());
    }
    (!missing.is_empty()).then(|| format!("The password needs {}.", missing.join(", ")))
}

/// The suggestion offered when a Company Name is taken: append a location,
/// as the registration page advises.
pub fn suggest_company_name(taken: &str, city: &str, is_taken: impl Fn(&str) -> bool) -> String {
    let base = taken.trim();
    let place = city.trim();
    let first = if place.is_empty() {
        format!("{base} (Main Office)")
    } else {
        format!("{base} ({place})")
    };
    if !is_taken(&first) {
        return first;
    }
    (2..)
        .map(|n| format!("{} {n}", first.trim_end_matches(')')) + ")")
        .find(|candidate| !is_taken(candidate))
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn valid_form() -> RegistrationForm {
        RegistrationForm {
            company_name: "Acme Widgets".into(),
            city: "Springfield".into(),
            country: "United States".into(),
            first_name: "Pat".into(),
            last_name: "Admin".into(),
            business_email: "pat@acme-widgets.com".into(),
            phone: "+1 (555) 010-0199".into(),
            password: "Secret123".into(),
            confirm_password: "Secret123".into(),
            accepted_terms: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_form_is_valid() {
        assert_eq!(valid_form().validate(), vec![]);
    }

    #[test]
    fn empty_form_names_every_required_field() {
        let errors = RegistrationForm::default().validate();
        let fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
        let required: Vec<Field> = Field::ALL.into_iter().filter(|f| f.required()).collect();
        assert_eq!(fields, required);
        assert_eq!(
            RegistrationForm::errors_for(&errors, Field::CompanyName),
            Some("Company Name is required.")
        );
    }

    #[test]
    fn field_rules() {
        let mut form = valid_form();
        form.business_email = "pat at acme".into();
        form.password = "short".into();
        form.confirm_password = "other".into();
        form.phone = "call me".into();
        form.accepted_terms = false;
        let errors = form.validate();
        let fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                Field::BusinessEmail,
                Field::Phone,
                Field::Password,
                Field::ConfirmPassword,
                Field::AcceptedTerms
            ]
        );
        assert!(
            RegistrationForm::errors_for(&errors, Field::Password)
                .unwrap_or_default()
                .contains("at least 8 characters")
        );
    }

    #[test]
    fn password_rules() {
        assert_eq!(password_problem("Secret123"), None);
        assert_eq!(
            password_problem("secret123").as_deref(),
            Some("The password needs an upper-case letter.")
        );
        assert!(password_problem(" Secret123").is_some());
        assert!(password_problem("SECRETSECRET").is_some());
    }

    #[test]
    fn debug_hides_passwords() {
        let text = format!("{:?}", valid_form());
        assert!(!text.contains("Secret123"), "{text}");
    }

    #[test]
    fn company_suggestion_appends_location_and_counts_up() {
        let taken = ["acme (springfield)".to_string()];
        let is_taken = |c: &str| taken.contains(&c.to_lowercase());
        assert_eq!(
            suggest_company_name("Acme", "Boston", is_taken),
            "Acme (Boston)"
        );
        assert_eq!(
            suggest_company_name("Acme", "Springfield", is_taken),
            "Acme (Springfield 2)"
        );
        assert_eq!(
            suggest_company_name("Acme", "", is_taken),
            "Acme (Main Office)"
        );
    }

    #[test]
    fn sections_cover_every_field_but_the_terms() {
        let sections: Vec<Field> = Field::COMPANY
            .into_iter()
            .chain(Field::CONTACT)
            .chain([Field::AcceptedTerms])
            .collect();
        assert_eq!(sections, Field::ALL);
    }

    #[test]
    fn field_names_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::from_name(f.name()), Some(f));
        }
    }
}
