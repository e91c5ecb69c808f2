//! The changes file of `fix --changes`: CSV with `user_dn` and
//! `client_username` and/or `email` (an empty cell leaves the value as it
//! is). The audit's CSV export is accepted as it is (its other columns are
//! ignored, its byte-order mark and the `'` it puts before formula-like
//! cells are taken off), and so is a file saved by a spreadsheet where the
//! list separator is `;` or a tab: the separator is read from the header.
//! It is read as a stream within the audit's limits (64 KB a line, 1,000
//! characters a field, 1 GB a file), and a file is checked whole before
//! anything of it is kept, so a refused file costs no memory.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::domain::fix::Wanted;
use crate::service::audit::users_csv::{CsvError, Limited, MAX_FIELD_CHARS, read_error, strip_bom};

/// Reads the changes file at `path`: checked whole first, then kept.
pub fn read_changes_file(path: &Path) -> Result<Vec<Wanted>, String> {
    let open =
        || std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()));
    let named = |e: CsvError| format!("{}: {e}", path.display());
    read_changes_with(open()?, |_| ()).map_err(named)?;
    read_changes(open()?).map_err(named)
}

/// Reads a changes file from `input`.
pub fn read_changes(input: impl Read) -> Result<Vec<Wanted>, CsvError> {
    read_changes_with(input, |w| w)
}

/// The separators a spreadsheet may save a CSV file with.
const SEPARATORS: [u8; 3] = [b',', b';', b'\t'];

/// The separator of a header line: the one it has most of, outside quotes
/// (a comma when none is there).
fn separator_of(header: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in header {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = SEPARATORS.iter().position(|&s| s == b) {
            counts[i] += 1;
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    SEPARATORS[best]
}

fn bad(line: u64, message: impl Into<String>) -> CsvError {
    CsvError::BadRow {
        line,
        message: message.into(),
    }
}

/// Every row as `keep` makes it; the first bad row stops the read with its
/// line.
fn read_changes_with<T>(
    input: impl Read,
    mut keep: impl FnMut(Wanted) -> T,
) -> Result<Vec<T>, CsvError> {
    let (limited, over) = Limited::new(strip_bom(input));
    let mut buffered = BufReader::new(limited);
    let mut header_line = Vec::new();
    if let Err(e) = buffered.read_until(b'\n', &mut header_line) {
        return Err(read_error(&over, 1, &csv::Error::from(e)));
    }
    if header_line.iter().all(u8::is_ascii_whitespace) {
        return Err(CsvError::Empty("user_dn,client_username,email".into()));
    }
    let separator = separator_of(&header_line);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(std::io::Cursor::new(header_line).chain(buffered));
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(read_error(&over, 1, &e)),
        None => return Err(CsvError::Empty("user_dn,client_username,email".into())),
    };
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let dn = find("user_dn").ok_or_else(|| {
        bad(
            1,
            format!(
                "the header has no user_dn column (read with {} between columns: {})",
                match separator {
                    b';' => "semicolons",
                    b'\t' => "tabs",
                    _ => "commas",
                },
                crate::domain::text::printable(&header.iter().collect::<Vec<_>>().join(", "))
            ),
        )
    })?;
    let (username, email) = (find("client_username"), find("email"));
    if username.is_none() && email.is_none() {
        return Err(bad(
            1,
            "the header needs a client_username or an email column (or both)",
        ));
    }
    let width = header.len();
    let mut kept = Vec::new();
    for (index, record) in records.enumerate() {
        let line = index as u64 + 2;
        let record = record.map_err(|e| read_error(&over, line, &e))?;
        let line = record.position().map_or(line, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue; // a blank line
        }
        if record.len() != width {
            return Err(bad(
                line,
                format!(
                    "{} field{} where the header has {width}: {}",
                    record.len(),
                    if record.len() == 1 { "" } else { "s" },
                    if record.len() < width {
                        "a field is missing"
                    } else {
                        "there is a field too many"
                    }
                ),
            ));
        }
        if let Some(i) = (0..width).find(|&i| {
            record
                .get(i)
                .is_some_and(|f| f.chars().count() > MAX_FIELD_CHARS)
        }) {
            return Err(bad(
                line,
                format!(
                    "the {} field is longer than {MAX_FIELD_CHARS} characters",
                    crate::domain::text::printable(header.get(i).unwrap_or_default().trim())
                ),
            ));
        }
        let cell = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .map(unspreadsheet)
                .filter(|v| !v.trim().is_empty())
        };
        let Some(user_dn) = cell(Some(dn)) else {
            return Err(bad(line, "user_dn is empty"));
        };
        kept.push(keep(Wanted {
            user_dn: user_dn.trim().to_string(),
            client_username: cell(username),
            email: cell(email),
            source: format!("line {line}"),
        }));
    }
    Ok(kept)
}

/// Takes off the `'` the export puts before a cell Excel would run.
fn unspreadsheet(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest)
            if rest
                .trim_start()
                .starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠'])
                || rest.starts_with(['\t', '\r', '\n']) =>
        {
            rest.to_string()
        }
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Wanted>, String> {
        read_changes(text.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn the_audit_export_is_a_changes_file_as_it_is() {
        let export = "\u{feff}user_dn,first_name,last_name,client_username,email,result,valid\n\
                      \"7\",\"Ann\",\"Lee\",\"ann@acme.example\",\"\",\"x\",\"false\"\n\
                      \"8\",\"Bo\",\"'=cmd()\",\"'-bo@acme.example\",\"bo@acme.example\",\"x\",\"true\"\n\n";
        let wanted = read(export).expect("read");
        assert_eq!(wanted.len(), 2);
        assert_eq!(
            wanted[0].client_username.as_deref(),
            Some("ann@acme.example")
        );
        assert_eq!(wanted[0].email, None, "an empty cell leaves it as it is");
        assert_eq!(
            wanted[1].client_username.as_deref(),
            Some("-bo@acme.example")
        );
        assert_eq!(wanted[1].source, "line 3");
    }

    #[test]
    fn semicolons_and_tabs_as_a_spreadsheet_saves_them() {
        for separator in [";", "\t"] {
            let text = format!(
                "\u{feff}user_dn{separator}client_username{separator}email\r\n\"7\"{separator}a@acme.example{separator}\r\n8{separator}{separator}b@acme.example\r\n"
            );
            let wanted = read(&text).expect(separator);
            assert_eq!(wanted.len(), 2, "{separator:?}");
            assert_eq!(wanted[0].client_username.as_deref(), Some("a@acme.example"));
            assert_eq!(wanted[1].email.as_deref(), Some("b@acme.example"));
        }
        // A comma inside a quoted header cell does not decide it.
        assert_eq!(separator_of(b"\"a,b,c\";user_dn;email\n"), b';');
        assert_eq!(separator_of(b"user_dn\n"), b',');
    }

    #[test]
    fn bad_files_name_the_line() {
        assert!(
            read("name,email\nx,y\n")
                .is_err_and(|e| e.starts_with("line 1: the header has no user_dn column")),
        );
        assert!(read("user_dn,first_name\n1,a\n").is_err_and(|e| e.contains("client_username")));
        assert_eq!(
            read("user_dn,email\n1,a@b.example\n,c@d.example\n"),
            Err("line 3: user_dn is empty".into())
        );
        assert_eq!(
            read("user_dn,client_username,email\n1,a@b.example,a@b.example\n2,c@d.example\n"),
            Err("line 3: 2 fields where the header has 3: a field is missing".into())
        );
        assert_eq!(
            read("user_dn,email\n1,a@b.example,x\n"),
            Err("line 2: 3 fields where the header has 2: there is a field too many".into())
        );
        let long = format!("user_dn,email\n1,{}\n", "x".repeat(1001));
        assert!(read(&long).is_err_and(|e| e.contains("line 2: the email field is longer")));
        let line = format!("user_dn,email\n1,\"{}\"\n", "x".repeat(70_000));
        assert!(read(&line).is_err_and(|e| e.starts_with("line 2: the line is longer than 64 KB")));
        assert!(read("").is_err_and(|e| e.contains("empty")));
    }
}
