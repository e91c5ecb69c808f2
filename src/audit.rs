//! The username audit report: every user's outcome under the chosen
//! options, as JSON, CSV (opens cleanly in Excel) or text.

use serde::Serialize;

use crate::contract::UserRecord;
use crate::domain::format::{self, DirectoryUser, FormatOptions, InvalidCount, Outcome};

/// One row of the report; the JSON shape is a contract scripts rely on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub user_dn: String,
    pub client_username: String,
    pub email: String,
    pub result: String,
    pub valid: bool,
    pub reason: Option<&'static str>,
    pub hint: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub total: usize,
    pub invalid: usize,
    pub users: Vec<AuditRow>,
}

/// The columns of a report row, in order (JSON keys and CSV header alike).
pub const COLUMNS: [&str; 7] = [
    "user_dn",
    "client_username",
    "email",
    "result",
    "valid",
    "reason",
    "hint",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Json,
    Csv,
    Text,
}

pub fn directory_users(users: &[UserRecord]) -> Vec<DirectoryUser> {
    users.iter().map(UserRecord::directory_user).collect()
}

impl AuditReport {
    pub fn build(users: &[DirectoryUser], options: &FormatOptions) -> Self {
        let outcomes = format::format(users, options);
        Self::from_outcomes(users, &outcomes)
    }

    pub fn from_outcomes(users: &[DirectoryUser], outcomes: &[Outcome<'_>]) -> Self {
        let count = InvalidCount::of(outcomes);
        let rows = users
            .iter()
            .zip(outcomes)
            .map(|(u, o)| AuditRow {
                user_dn: u.user_dn.clone(),
                client_username: u.client_username.clone(),
                email: u.email.clone(),
                result: o.result.to_string(),
                valid: o.valid(),
                reason: o.reason.map(|r| r.code()),
                hint: o.reason.map(|r| r.hint()),
            })
            .collect();
        AuditReport {
            total: count.total,
            invalid: count.invalid,
            users: rows,
        }
    }

    pub fn render(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Json => self.to_json(),
            ReportFormat::Csv => self.to_csv(),
            ReportFormat::Text => self.to_text(),
        }
    }

    pub fn to_json(&self) -> String {
        // Serializing plain strings and numbers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// RFC 4180 CSV in UTF-8 with a byte-order mark, so Excel opens it with
    /// the right encoding. Cells that a spreadsheet would run as a formula
    /// are prefixed with `'`.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut rows = vec![COLUMNS.map(String::from).to_vec()];
        rows.extend(self.users.iter().map(|r| {
            vec![
                spreadsheet_safe(&r.user_dn),
                spreadsheet_safe(&r.client_username),
                spreadsheet_safe(&r.email),
                spreadsheet_safe(&r.result),
                r.valid.to_string(),
                r.reason.unwrap_or_default().to_string(),
                r.hint.unwrap_or_default().to_string(),
            ]
        }));
        for row in rows {
            // Writing to a Vec cannot fail.
            let _ = writer.write_record(&row);
        }
        let bytes = writer.into_inner().unwrap_or_default();
        format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
    }

    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} of {} client usernames are invalid.\n",
            self.invalid, self.total
        );
        if self.invalid == 0 {
            return out;
        }
        let by_reason = format::summarize_reasons(self.users.iter().filter_map(|r| r.reason));
        out.push_str("\nBy reason:\n");
        for (reason, n) in by_reason {
            out.push_str(&format!("  {n:>7}  {reason}\n"));
        }
        out.push_str("\nInvalid users:\n");
        for row in self.users.iter().filter(|r| !r.valid) {
            out.push_str(&format!(
                "  {} \"{}\" -> \"{}\": {}\n      {}\n",
                row.user_dn,
                row.client_username,
                row.result,
                row.reason.unwrap_or_default(),
                row.hint.unwrap_or_default()
            ));
        }
        out
    }
}

/// Excel runs a cell starting with = + - @ as a formula; a user name is data.
fn spreadsheet_safe(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> Vec<DirectoryUser> {
        vec![
            DirectoryUser {
                user_dn: "1".into(),
                client_username: "jsmith".into(),
                email: "j.smith@acme.com".into(),
                ..Default::default()
            },
            DirectoryUser {
                user_dn: "2".into(),
                client_username: "=cmd()".into(),
                ..Default::default()
            },
        ]
    }

    #[test]
    fn json_shape_is_the_contract() {
        let report = AuditReport::build(&users(), &FormatOptions::default());
        let value: serde_json::Value = serde_json::from_str(&report.to_json()).expect("json");
        assert_eq!(value["total"], 2);
        assert_eq!(value["invalid"], 2);
        let first = &value["users"][0];
        for key in COLUMNS {
            assert!(first.get(key).is_some(), "{key}");
        }
        assert_eq!(first["reason"], "missing_at");
    }

    #[test]
    fn csv_has_bom_quotes_and_no_formulas() {
        let report = AuditReport::build(&users(), &FormatOptions::default());
        let csv = report.to_csv();
        assert!(csv.starts_with("\u{feff}user_dn,client_username,"));
        assert!(csv.contains("'=cmd()"), "{csv}");
        assert!(
            csv.contains("\"Tick \"\"Use the email address\"\""),
            "{csv}"
        );
    }

    #[test]
    fn text_lists_reasons_and_hints() {
        let report = AuditReport::build(
            &users(),
            &FormatOptions {
                use_email: true,
                append_domain: None,
            },
        );
        let text = report.to_text();
        assert!(
            text.starts_with("1 of 2 client usernames are invalid."),
            "{text}"
        );
        assert!(text.contains("email_missing"), "{text}");
    }
}
