//! The username audit report: the invalid users (or every user) under the
//! chosen options, why, how to fix it, and what each formatting option would
//! make of them; as JSON, CSV (opens cleanly in Excel) or text.

use std::io::{self, Write};

use serde::Serialize;

use crate::contract::UserRecord;
use crate::domain::format::{
    self, DirectoryUser, FormatOptions, InvalidCount, Outcome, most_common_email_domain,
};
use crate::domain::text::printable;
use crate::domain::username::Reason;

/// What one formatting option would make of a user's client username.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionResult {
    pub username: String,
    /// `None` when that username would be valid.
    pub reason: Option<&'static str>,
}

/// The four ways the Synchronization page's two check boxes can be set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnderEachOption {
    pub as_is: OptionResult,
    pub use_email: OptionResult,
    pub append_domain: OptionResult,
    pub both: OptionResult,
}

/// One user of the report; the JSON shape is a contract scripts rely on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub user_dn: String,
    pub first_name: String,
    pub last_name: String,
    pub client_username: String,
    pub email: String,
    /// The username synced under the chosen options.
    pub result: String,
    pub valid: bool,
    pub reason: Option<&'static str>,
    pub description: Option<String>,
    pub hint: Option<&'static str>,
    pub under_each_option: UnderEachOption,
}

/// Invalid users per reason, most frequent first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub reason: &'static str,
    pub count: usize,
    pub hint: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub total: usize,
    pub invalid: usize,
    pub options: FormatOptions,
    /// The domain used for the "append domain" columns: the chosen one, or
    /// the most common email domain of the directory.
    pub append_domain_used: Option<String>,
    pub by_reason: Vec<ReasonCount>,
    /// Only the invalid users unless the report was built with every user.
    pub users: Vec<AuditRow>,
}

/// The CSV header, in order.
pub const CSV_COLUMNS: [&str; 18] = [
    "user_dn",
    "first_name",
    "last_name",
    "client_username",
    "email",
    "result",
    "valid",
    "reason",
    "description",
    "hint",
    "as_is",
    "as_is_reason",
    "use_email",
    "use_email_reason",
    "append_domain",
    "append_domain_reason",
    "both",
    "both_reason",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Json,
    Csv,
    Text,
}

impl ReportFormat {
    /// The format a file name asks for (`.json`, `.txt`); CSV otherwise.
    pub fn for_file_name(name: &str) -> Self {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            ReportFormat::Json
        } else if lower.ends_with(".txt") {
            ReportFormat::Text
        } else {
            ReportFormat::Csv
        }
    }
}

/// Which users the report lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    InvalidOnly,
    All,
}

impl AuditReport {
    pub fn build(users: &[DirectoryUser], options: &FormatOptions, rows: Rows) -> Self {
        let chosen = format::format(users, options);
        Self::from_outcomes(users, options, &chosen, rows)
    }

    /// The report for outcomes already computed under `options`.
    pub fn from_outcomes(
        users: &[DirectoryUser],
        options: &FormatOptions,
        chosen: &[Outcome<'_>],
        rows: Rows,
    ) -> Self {
        let count = InvalidCount::of(chosen);
        let listed: Vec<usize> = (0..users.len())
            .filter(|&i| rows == Rows::All || !chosen[i].valid())
            .collect();
        let domain = options
            .append_domain
            .as_deref()
            .map(format::normalize_domain)
            .or_else(|| most_common_email_domain(users.iter().map(|u| u.email.as_str())));
        // One formatting run per option setting, keeping only the listed
        // users' results, so a million users cost one run's memory at a time.
        let under = |use_email: bool, append: bool| -> Vec<OptionResult> {
            let variant = FormatOptions {
                use_email,
                append_domain: if append { domain.clone() } else { None },
            };
            let keep = |o: &Outcome<'_>| OptionResult {
                username: o.result.to_string(),
                reason: o.reason.map(Reason::code),
            };
            if append && variant.append_domain.is_none() {
                // No domain to append: the option cannot be tried.
                return listed
                    .iter()
                    .map(|_| OptionResult {
                        username: String::new(),
                        reason: Some("no_domain"),
                    })
                    .collect();
            }
            if &variant == options {
                return listed.iter().map(|&i| keep(&chosen[i])).collect();
            }
            let outcomes = format::format(users, &variant);
            listed.iter().map(|&i| keep(&outcomes[i])).collect()
        };
        let (as_is, use_email, append_domain, both) = (
            under(false, false),
            under(true, false),
            under(false, true),
            under(true, true),
        );
        let users_listed = listed
            .iter()
            .zip(as_is.into_iter().zip(use_email))
            .zip(append_domain.into_iter().zip(both))
            .map(|((&i, (as_is, use_email)), (append_domain, both))| {
                let user = &users[i];
                let outcome = &chosen[i];
                AuditRow {
                    user_dn: user.user_dn.to_string(),
                    first_name: user.first_name.to_string(),
                    last_name: user.last_name.to_string(),
                    client_username: user.client_username.to_string(),
                    email: user.email.to_string(),
                    result: outcome.result.to_string(),
                    valid: outcome.valid(),
                    reason: outcome.reason.map(Reason::code),
                    description: outcome.reason.map(Reason::describe),
                    hint: outcome.reason.map(Reason::hint),
                    under_each_option: UnderEachOption {
                        as_is,
                        use_email,
                        append_domain,
                        both,
                    },
                }
            })
            .collect();
        let by_reason = format::summarize_reasons(chosen.iter().filter_map(|o| o.reason))
            .into_iter()
            .map(|(reason, count)| ReasonCount {
                reason: reason.code(),
                count,
                hint: reason.hint(),
            })
            .collect();
        AuditReport {
            total: count.total,
            invalid: count.invalid,
            options: options.clone(),
            append_domain_used: domain,
            by_reason,
            users: users_listed,
        }
    }

    pub fn write(&self, format: ReportFormat, out: &mut impl Write) -> io::Result<()> {
        match format {
            ReportFormat::Json => {
                serde_json::to_writer_pretty(&mut *out, self)?;
                writeln!(out)
            }
            ReportFormat::Csv => self.write_csv(out),
            ReportFormat::Text => self.write_text(out),
        }
    }

    pub fn render(&self, format: ReportFormat) -> String {
        let mut bytes = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = self.write(format, &mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// RFC 4180 CSV in UTF-8 with a byte-order mark, so Excel opens it with
    /// the right encoding. Cells that a spreadsheet would run as a formula
    /// are prefixed with `'`.
    fn write_csv(&self, out: &mut impl Write) -> io::Result<()> {
        out.write_all("\u{feff}".as_bytes())?;
        writeln!(out, "{}", CSV_COLUMNS.join(","))?;
        // Every data cell quoted: where Excel splits on semicolons (many
        // European settings), `a;=1+1` stays one cell instead of a formula.
        let mut writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .from_writer(out);
        for r in &self.users {
            let each = &r.under_each_option;
            let mut record = vec![
                spreadsheet_safe(&r.user_dn),
                spreadsheet_safe(&r.first_name),
                spreadsheet_safe(&r.last_name),
                spreadsheet_safe(&r.client_username),
                spreadsheet_safe(&r.email),
                spreadsheet_safe(&r.result),
                r.valid.to_string(),
                r.reason.unwrap_or_default().to_string(),
                r.description.clone().unwrap_or_default(),
                r.hint.unwrap_or_default().to_string(),
            ];
            for option in [
                &each.as_is,
                &each.use_email,
                &each.append_domain,
                &each.both,
            ] {
                record.push(spreadsheet_safe(&option.username));
                record.push(option.reason.unwrap_or_default().to_string());
            }
            writer.write_record(&record)?;
        }
        writer.flush()
    }

    fn write_text(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "{} of {} client usernames are invalid.",
            self.invalid, self.total
        )?;
        if !self.by_reason.is_empty() {
            writeln!(out, "\nBy reason:")?;
            for r in &self.by_reason {
                writeln!(out, "  {:>7}  {:<16} {}", r.count, r.reason, r.hint)?;
            }
        }
        if self.users.is_empty() {
            return Ok(());
        }
        let domain = self.append_domain_used.as_deref().unwrap_or("no domain");
        writeln!(
            out,
            "\nUsers (result under: as is | use email | append @{domain} | both):"
        )?;
        for row in &self.users {
            let each = &row.under_each_option;
            let show = |o: &OptionResult| match o.reason {
                None => printable(&o.username).into_owned(),
                Some(reason) if o.username.is_empty() => format!("({reason})"),
                Some(reason) => format!("{} ({reason})", printable(&o.username)),
            };
            // Names come from Director or a file: no terminal escapes.
            writeln!(
                out,
                "  {} \"{}\" -> \"{}\": {}\n      {}\n      {} | {} | {} | {}",
                printable(&row.user_dn),
                printable(&row.client_username),
                printable(&row.result),
                row.reason.unwrap_or("ok"),
                row.hint.unwrap_or("Valid."),
                show(&each.as_is),
                show(&each.use_email),
                show(&each.append_domain),
                show(&each.both),
            )?;
        }
        Ok(())
    }
}

/// Excel runs a cell starting with = + - @ as a formula — also after
/// leading spaces or line breaks, and in their fullwidth forms (＝ ＋ － ＠);
/// a user name is data, so such a cell gets a leading `'`.
fn spreadsheet_safe(value: &str) -> String {
    const FORMULA: [char; 8] = ['=', '+', '-', '@', '＝', '＋', '－', '＠'];
    let first = value.trim_start_matches(|c: char| c.is_whitespace() || c.is_control());
    if first.starts_with(FORMULA) || value.starts_with(['\t', '\r', '\n']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// Builds the audit report and writes it atomically in the format the file
/// name asks for (`.csv`, `.json`, else text) — the window's Export.
pub fn write_report_file(
    users: &[UserRecord],
    options: &FormatOptions,
    rows: Rows,
    path: &std::path::Path,
) -> Result<(), String> {
    let directory = crate::contract::directory_users(users);
    let report = AuditReport::build(&directory, options, rows);
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let contents = report.render(ReportFormat::for_file_name(name));
    crate::store::atomic_file::write_atomic(path, contents.as_bytes())
        .map_err(|e| format!("Could not write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fifty_users() -> Vec<UserRecord> {
        (0..50)
            .map(|i| UserRecord {
                user_dn: format!("{i}"),
                first_name: "Pat".into(),
                last_name: format!("User{i}"),
                // Every fifth has a bare login name Connect Sync refuses.
                client_username: if i % 5 == 0 {
                    format!("puser{i}")
                } else {
                    format!("pat.user{i}@acme.example")
                },
                email: format!("pat.user{i}@acme.example"),
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn export_format_follows_the_file_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let options = FormatOptions::default();
        for (name, starts) in [
            ("a.csv", "\u{feff}user_dn,"),
            ("a.json", "{"),
            ("a.txt", ""),
        ] {
            let path = dir.path().join(name);
            write_report_file(&fifty_users(), &options, Rows::InvalidOnly, &path).expect("written");
            let text = std::fs::read_to_string(&path).expect("read");
            assert!(text.starts_with(starts), "{name}: {text}");
            assert!(text.contains("missing_at"), "{name}");
        }
        let text = std::fs::read_to_string(dir.path().join("a.txt")).expect("read");
        assert!(
            text.contains("10 of 50 client usernames are invalid"),
            "{text}"
        );
    }

    #[test]
    fn export_lists_all_users_when_the_table_does() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("all.json");
        write_report_file(&fifty_users(), &FormatOptions::default(), Rows::All, &path)
            .expect("written");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        assert_eq!(json["users"].as_array().map(Vec::len), Some(50));
    }

    #[test]
    fn export_to_an_unwritable_place_says_where() {
        // A folder that cannot exist: its parent is a file.
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("file");
        std::fs::write(&file, "x").expect("write");
        let path = file.join("x.csv");
        let err = write_report_file(&fifty_users(), &FormatOptions::default(), Rows::All, &path)
            .expect_err("cannot write");
        assert!(err.contains(&path.display().to_string()), "{err}");
    }

    fn user(dn: &str, username: &str, email: &str) -> DirectoryUser {
        DirectoryUser {
            user_dn: dn.into(),
            client_username: username.into(),
            email: email.into(),
            ..Default::default()
        }
    }

    fn users() -> Vec<DirectoryUser> {
        vec![
            user("1", "jsmith", "j.smith@acme.com"),
            user("2", "=cmd()", ""),
            user("3", "ann@acme.com", "ann@acme.com"),
        ]
    }

    #[test]
    fn json_lists_invalid_users_with_every_option() {
        let report = AuditReport::build(&users(), &FormatOptions::default(), Rows::InvalidOnly);
        let value: serde_json::Value =
            serde_json::from_str(&report.render(ReportFormat::Json)).expect("json");
        assert_eq!(value["total"], 3);
        assert_eq!(value["invalid"], 2);
        assert_eq!(value["users"].as_array().map(Vec::len), Some(2));
        let first = &value["users"][0];
        assert_eq!(first["reason"], "missing_at");
        let each = &first["under_each_option"];
        assert_eq!(each["as_is"]["username"], "jsmith");
        assert_eq!(each["use_email"]["username"], "j.smith@acme.com");
        assert_eq!(each["use_email"]["reason"], serde_json::Value::Null);
        // The most common email domain stands in for an unchosen domain.
        assert_eq!(value["append_domain_used"], "acme.com");
        assert_eq!(each["append_domain"]["username"], "jsmith@acme.com");
        assert_eq!(value["by_reason"][0]["reason"], "missing_at");
        assert_eq!(value["by_reason"][0]["count"], 2);
    }

    #[test]
    fn every_row_when_asked() {
        let report = AuditReport::build(&users(), &FormatOptions::default(), Rows::All);
        assert_eq!(report.users.len(), 3);
        assert!(report.users[2].valid);
    }

    #[test]
    fn csv_has_bom_all_columns_and_no_formulas() {
        let report = AuditReport::build(&users(), &FormatOptions::default(), Rows::InvalidOnly);
        let csv = report.render(ReportFormat::Csv);
        assert!(csv.starts_with(&format!("\u{feff}{}\n", CSV_COLUMNS.join(","))));
        assert!(csv.contains("'=cmd()"), "{csv}");
        assert!(
            csv.contains("\"Tick \"\"Use the email address\"\""),
            "{csv}"
        );
        let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        for record in reader.records() {
            assert_eq!(record.expect("row").len(), CSV_COLUMNS.len());
        }
    }

    #[test]
    fn formula_tricks_are_neutralised() {
        for (value, safe) in [
            ("=1+1", "'=1+1"),
            ("  =1+1", "'  =1+1"),
            ("\n=1+1", "'\n=1+1"),
            ("\r\n+cmd", "'\r\n+cmd"),
            ("＝1+1", "'＝1+1"),
            ("＠SUM(A1)", "'＠SUM(A1)"),
            ("－2", "'－2"),
            ("a;=1+1", "a;=1+1"),
            ("pat@acme.example", "pat@acme.example"),
        ] {
            assert_eq!(spreadsheet_safe(value), safe, "{value:?}");
        }
        // `a;=1+1` is quoted, so a semicolon-splitting Excel keeps it whole.
        let mut users = users();
        users[0].client_username = "a;=1+1".into();
        let report = AuditReport::build(&users, &FormatOptions::default(), Rows::All);
        let csv = report.render(ReportFormat::Csv);
        assert!(csv.contains("\"a;=1+1\""), "{csv}");
    }

    #[test]
    fn text_summarises_reasons_and_options() {
        let report = AuditReport::build(
            &users(),
            &FormatOptions {
                use_email: true,
                append_domain: None,
            },
            Rows::InvalidOnly,
        );
        let text = report.render(ReportFormat::Text);
        assert!(
            text.starts_with("1 of 3 client usernames are invalid."),
            "{text}"
        );
        assert!(text.contains("email_missing"), "{text}");
        assert!(text.contains("=cmd()@acme.com (local_bad_char)"), "{text}");
    }

    #[test]
    fn file_name_picks_the_format() {
        assert_eq!(ReportFormat::for_file_name("a.JSON"), ReportFormat::Json);
        assert_eq!(ReportFormat::for_file_name("a.txt"), ReportFormat::Text);
        assert_eq!(ReportFormat::for_file_name("a.csv"), ReportFormat::Csv);
    }
}
