//! What the admin types from the Connect Portal when it cannot be read for
//! them (a real Portal has no public API): the Account Name and Account ID
//! from the Connect Confirmation screen or welcome email, and the Token
//! from Account Details > Connect Credentials > Show. Checked for shape so a
//! paste that caught a label or a line break is caught here, not by a
//! failed Connect Sync five minutes later.

/// The longest Account ID accepted.
const ACCOUNT_ID_MAX: usize = 32;
const ACCOUNT_NAME_MAX: usize = 120;
const TOKEN_MAX: usize = 512;

/// The Account ID, trimmed, or what is wrong with it (naming the field).
pub fn account_id(text: &str) -> Result<String, String> {
    let id = without_label(text);
    if id.is_empty() {
        return Err("Account ID: enter it as the Connect Confirmation screen shows it.".into());
    }
    if id.chars().count() > ACCOUNT_ID_MAX {
        return Err(format!(
            "Account ID: longer than {ACCOUNT_ID_MAX} characters — is it the Token?"
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        let what = if c.is_whitespace() {
            "a space".to_string()
        } else {
            format!("\"{}\"", c.escape_default())
        };
        return Err(format!(
            "Account ID: {what} is not part of an Account ID (letters, digits and - only)."
        ));
    }
    Ok(id.to_string())
}

/// "Account ID: 1000002", copied with its label from the Confirmation screen
/// or the welcome email, is the Account ID 1000002: the label is left out.
fn without_label(text: &str) -> &str {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    for label in ["account id", "accountid", "account"] {
        if lower.starts_with(label) {
            // ASCII lower-casing keeps every byte where it was.
            let rest = text[label.len()..].trim_start();
            let rest = rest.strip_prefix([':', '#']).unwrap_or(rest);
            return rest.trim();
        }
    }
    text
}

/// The Account Name (the company name registered), trimmed.
pub fn account_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("Account Name: enter it as the Connect Confirmation screen shows it.".into());
    }
    if name.chars().count() > ACCOUNT_NAME_MAX {
        return Err(format!(
            "Account Name: longer than {ACCOUNT_NAME_MAX} characters."
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("Account Name: one line only.".into());
    }
    Ok(name.to_string())
}

/// The Token as pasted, trimmed; inner spaces or line breaks mean the
/// paste caught more than the Token.
pub fn token(text: &str) -> Result<String, String> {
    let token = text.trim();
    if token.is_empty() {
        return Err("Token: paste it from Account Details > Connect Credentials > Show.".into());
    }
    if token.chars().any(char::is_whitespace) {
        return Err("Token: it has spaces or line breaks inside — paste the Token only.".into());
    }
    if token.chars().count() > TOKEN_MAX {
        return Err(format!("Token: longer than {TOKEN_MAX} characters."));
    }
    Ok(token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn account_ids_as_shown_pass_and_pastes_with_extras_do_not() {
        assert_eq!(account_id(" 1000002\n"), Ok("1000002".into()));
        assert_eq!(account_id("ACC-42"), Ok("ACC-42".into()));
        // Copied with its label: the label is left out.
        for labelled in [
            "Account ID: 1000002",
            "account id 1000002",
            "AccountID#1000002",
        ] {
            assert_eq!(account_id(labelled), Ok("1000002".into()), "{labelled}");
        }
        for bad in [
            "",
            "Account ID:",
            "Account ID: 1000 002",
            "1000 002",
            "10000€2",
            &"9".repeat(33),
        ] {
            let error = account_id(bad).expect_err(bad);
            assert!(error.starts_with("Account ID:"), "{error}");
        }
    }

    #[test]
    fn names_and_tokens_name_their_field() {
        assert_eq!(account_name(" Acme Boston "), Ok("Acme Boston".into()));
        assert!(account_name("Acme\nBoston").is_err_and(|e| e.starts_with("Account Name:")));
        assert_eq!(token(" tok-123\n"), Ok("tok-123".into()));
        assert!(token("tok 123").is_err_and(|e| e.starts_with("Token:")));
        assert!(token("").is_err_and(|e| e.starts_with("Token:")));
    }

    proptest! {
        /// Whatever is accepted is exactly what would be saved: trimmed, and
        /// checking it again changes nothing.
        #[test]
        fn accepted_values_are_stable(text in "\\PC{0,40}") {
            if let Ok(id) = account_id(&text) {
                prop_assert_eq!(account_id(&id), Ok(id.clone()));
                prop_assert!(!id.is_empty() && id.len() <= ACCOUNT_ID_MAX);
            }
            if let Ok(t) = token(&text) {
                prop_assert_eq!(token(&t), Ok(t.clone()));
            }
        }
    }
}
