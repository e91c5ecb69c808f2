//! The users CSV that `audit --users-csv` and `sim --users` read:
//! header `user_dn,first_name,last_name,client_username,email`, optionally
//! followed by `did` and `escalation_delivery`. Columns may come in any
//! order; unknown extra columns are ignored (spreadsheets add them).

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use crate::contract::{EscalationDelivery, UserRecord};

/// The largest file read (a million users take about 80 MB).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024 * 1024;
/// The longest line (a user's row is a few hundred bytes).
pub const MAX_LINE_BYTES: u64 = 64 * 1024;
/// The longest field, in characters.
pub const MAX_FIELD_CHARS: usize = 1_000;

pub const REQUIRED_COLUMNS: [&str; 5] = [
    "user_dn",
    "first_name",
    "last_name",
    "client_username",
    "email",
];

/// A problem with the file, naming the line where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("line 1: the header is missing column(s) {missing}; expected {expected}")]
    BadHeader { missing: String, expected: String },
    #[error("the file is empty; expected a header line {0}")]
    Empty(String),
    #[error("line {line}: {message}")]
    BadRow { line: u64, message: String },
}

struct Columns {
    required: [usize; 5],
    did: Option<usize>,
    escalation: Option<usize>,
}

/// Reads every user; the first bad row stops the read with its line number.
pub fn read_users(input: impl Read) -> Result<Vec<UserRecord>, CsvError> {
    read_users_as(input, |user| user)
}

/// [`read_users`], turning each row into `T` as it is read (an audit of a
/// million users keeps only what it needs).
pub fn read_users_as<T>(
    input: impl Read,
    mut convert: impl FnMut(UserRecord) -> T,
) -> Result<Vec<T>, CsvError> {
    let (limited, over) = Limited::new(strip_bom(input));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(limited);
    let mut records = reader.records();
    // A limit that was hit explains the read error it caused.
    let failed = |line: u64, e: &csv::Error| read_error(&over, line, e);
    let header = match records.next() {
        None => return Err(CsvError::Empty(REQUIRED_COLUMNS.join(","))),
        Some(Err(e)) => return Err(failed(1, &e)),
        Some(Ok(h)) => h,
    };
    let columns = columns(&header)?;
    let width = header.len();
    let mut users = Vec::new();
    for (index, record) in records.enumerate() {
        let line = index as u64 + 2;
        let record = record.map_err(|e| failed(line, &e))?;
        let line = record.position().map_or(line, |p| p.line());
        if let Some((i, _)) = record
            .iter()
            .enumerate()
            .find(|(_, f)| f.chars().count() > MAX_FIELD_CHARS)
        {
            return Err(CsvError::BadRow {
                line,
                message: format!(
                    "field {} is longer than {MAX_FIELD_CHARS} characters",
                    header
                        .get(i)
                        .map_or_else(|| (i + 1).to_string(), |h| format!("\"{}\"", h.trim()))
                ),
            });
        }
        if record.len() == 1 && record.get(0).is_some_and(|f| f.trim().is_empty()) {
            continue; // a blank line
        }
        if record.len() != width {
            return Err(CsvError::BadRow {
                line,
                message: format!(
                    "expected {width} fields like the header, found {}",
                    record.len()
                ),
            });
        }
        let field = |i: usize| record.get(i).unwrap_or_default().to_string();
        let [dn, first, last, username, email] = columns.required;
        let user_dn = field(dn).trim().to_string();
        if user_dn.is_empty() {
            return Err(CsvError::BadRow {
                line,
                message: "user_dn is empty; every user needs its Director user DN".into(),
            });
        }
        let escalation_delivery = match columns.escalation.map(field) {
            None => EscalationDelivery::None,
            Some(text) => parse_escalation(&text).ok_or_else(|| CsvError::BadRow {
                line,
                message: format!(
                    "escalation_delivery is \"{text}\"; expected none, email or email_with_wav"
                ),
            })?,
        };
        users.push(convert(UserRecord {
            user_dn,
            first_name: field(first),
            last_name: field(last),
            client_username: field(username),
            email: field(email),
            did: columns.did.map(field).unwrap_or_default(),
            escalation_delivery,
        }));
    }
    Ok(users)
}

fn columns(header: &csv::StringRecord) -> Result<Columns, CsvError> {
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let found: Vec<Option<usize>> = REQUIRED_COLUMNS.iter().map(|c| find(c)).collect();
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        return Err(CsvError::BadHeader {
            missing: missing.join(", "),
            expected: REQUIRED_COLUMNS.join(","),
        });
    }
    let mut required = [0; 5];
    for (slot, index) in required.iter_mut().zip(found.into_iter().flatten()) {
        *slot = index;
    }
    Ok(Columns {
        required,
        did: find("did"),
        escalation: find("escalation_delivery"),
    })
}

fn parse_escalation(text: &str) -> Option<EscalationDelivery> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "none" => Some(EscalationDelivery::None),
        "email" => Some(EscalationDelivery::Email),
        "email_with_wav" => Some(EscalationDelivery::EmailWithWav),
        _ => None,
    }
}

/// The error for a row the csv reader could not read: the limit that was
/// passed, if one was, else the reader's own.
pub(crate) fn read_error(over: &Rc<Cell<Option<Over>>>, line: u64, e: &csv::Error) -> CsvError {
    match over.get() {
        Some(limit) => limit_error(limit),
        None => row_error(line, e),
    }
}

fn row_error(line: u64, error: &csv::Error) -> CsvError {
    let line = error.position().map_or(line, |p| p.line());
    let message = match error.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "the line is not valid UTF-8 text (save the file as UTF-8)".into()
        }
        csv::ErrorKind::Io(e) => format!("could not read the file: {e}"),
        _ => error.to_string(),
    };
    CsvError::BadRow { line, message }
}

/// Which limit a file went past, and on which line.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Over {
    Line(u64),
    File(u64),
}

fn limit_error(over: Over) -> CsvError {
    match over {
        Over::Line(line) => CsvError::BadRow {
            line,
            message: format!(
                "the line is longer than {} KB; is this a users CSV file?",
                MAX_LINE_BYTES / 1024
            ),
        },
        Over::File(line) => CsvError::BadRow {
            line,
            message: format!(
                "the file is larger than {} MB; split it, or read the users from Director",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        },
    }
}

/// Stops reading past the file and line limits, remembering which (the csv
/// reader only sees an I/O error), so `/dev/zero` or one endless line
/// cannot take the machine's memory.
pub(crate) struct Limited<R> {
    inner: R,
    over: Rc<Cell<Option<Over>>>,
    read: u64,
    line: u64,
    line_bytes: u64,
}

impl<R> Limited<R> {
    /// `inner` read within the limits, and where to find which was passed.
    pub(crate) fn new(inner: R) -> (Self, Rc<Cell<Option<Over>>>) {
        let over = Rc::new(Cell::new(None));
        let limited = Limited {
            inner,
            over: over.clone(),
            read: 0,
            line: 1,
            line_bytes: 0,
        };
        (limited, over)
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.line += 1;
                self.line_bytes = 0;
            } else {
                self.line_bytes += 1;
                if self.line_bytes > MAX_LINE_BYTES {
                    self.over.set(Some(Over::Line(self.line)));
                    return Err(std::io::Error::other("line too long"));
                }
            }
        }
        if self.read > MAX_FILE_BYTES {
            self.over.set(Some(Over::File(self.line)));
            return Err(std::io::Error::other("file too large"));
        }
        Ok(n)
    }
}

/// Excel writes UTF-8 CSV with a byte-order mark; skip it.
pub(crate) fn strip_bom(input: impl Read) -> impl Read {
    let mut input = input;
    let mut head = [0u8; 3];
    let mut filled = 0;
    while filled < 3 {
        match input.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
    let keep = if head[..filled] == [0xEF, 0xBB, 0xBF] {
        Vec::new()
    } else {
        head[..filled].to_vec()
    };
    std::io::Cursor::new(keep).chain(input)
}

/// Writes users in the same format, so a simulator's users can be exported
/// and audited.
pub fn write_users(users: &[UserRecord]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(
        REQUIRED_COLUMNS
            .iter()
            .chain(&["did", "escalation_delivery"]),
    )?;
    for u in users {
        let escalation = match u.escalation_delivery {
            EscalationDelivery::None => "none",
            EscalationDelivery::Email => "email",
            EscalationDelivery::EmailWithWav => "email_with_wav",
        };
        writer.write_record([
            &u.user_dn,
            &u.first_name,
            &u.last_name,
            &u.client_username,
            &u.email,
            &u.did,
            escalation,
        ])?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_line_stops_at_the_limit_naming_it() {
        let header = b"user_dn,first_name,last_name,client_username,email\n1,a,b,c,d\n".to_vec();
        let endless = std::io::repeat(b'x').take(MAX_LINE_BYTES * 4);
        let err = read_users(header.chain(endless)).expect_err("too long");
        assert_eq!(
            err.to_string(),
            "line 3: the line is longer than 64 KB; is this a users CSV file?"
        );
        // /dev/zero: no newline ever.
        let err = read_users(std::io::repeat(0).take(10 * MAX_LINE_BYTES)).expect_err("zeros");
        assert!(
            err.to_string().starts_with("line 1: the line is longer"),
            "{err}"
        );
    }

    #[test]
    fn a_long_field_is_named() {
        let text = format!(
            "user_dn,first_name,last_name,client_username,email\n1,{},b,c,d\n",
            "é".repeat(MAX_FIELD_CHARS + 1)
        );
        let err = read_users(text.as_bytes()).expect_err("too long");
        assert_eq!(
            err.to_string(),
            "line 2: field \"first_name\" is longer than 1000 characters"
        );
    }

    fn read(text: &str) -> Result<Vec<UserRecord>, CsvError> {
        read_users(text.as_bytes())
    }

    #[test]
    fn reads_quoted_fields_bom_and_any_column_order() {
        let text = "\u{feff}email,user_dn,first_name,last_name,client_username,extra\n\
                    \"a@x.com\",1,\"Smith, Jr\",Lee,\"a b\",zzz\n\n2@x.com,2,B,C,bc,\n";
        let users = read(text).expect("reads");
        assert_eq!(users.len(), 2);
        assert_eq!(users[0].first_name, "Smith, Jr");
        assert_eq!(users[0].client_username, "a b");
        assert_eq!(users[1].email, "2@x.com");
    }

    #[test]
    fn bad_header_names_missing_columns() {
        let err = read("user_dn,first_name,last_name,email\n1,a,b,c\n").expect_err("bad header");
        assert_eq!(
            err.to_string(),
            "line 1: the header is missing column(s) client_username; expected user_dn,first_name,last_name,client_username,email"
        );
        assert!(matches!(read(""), Err(CsvError::Empty(_))));
    }

    #[test]
    fn bad_rows_name_their_line() {
        let text = "user_dn,first_name,last_name,client_username,email\n1,a,b,c,d\n2,a,b\n";
        assert_eq!(
            read(text).expect_err("short row").to_string(),
            "line 3: expected 5 fields like the header, found 3"
        );
        let text = "user_dn,first_name,last_name,client_username,email\n ,a,b,c,d\n";
        assert!(
            read(text)
                .expect_err("no dn")
                .to_string()
                .starts_with("line 2: user_dn is empty")
        );
        let bytes = b"user_dn,first_name,last_name,client_username,email\n1,a,b,\xff,d\n";
        let err = read_users(&bytes[..]).expect_err("not utf-8");
        assert!(err.to_string().starts_with("line 2: "), "{err}");
    }

    #[test]
    fn optional_columns_and_round_trip() {
        let text = "user_dn,first_name,last_name,client_username,email,did,escalation_delivery\n\
                    1,A,B,ab,ab@x.com,+15550100,email_with_wav\n";
        let users = read(text).expect("reads");
        assert_eq!(
            users[0].escalation_delivery,
            EscalationDelivery::EmailWithWav
        );
        let written = write_users(&users).expect("writes");
        assert_eq!(read(&written).expect("reads back"), users);
        let bad = "user_dn,first_name,last_name,client_username,email,escalation_delivery\n1,A,B,ab,ab@x.com,fax\n";
        assert!(
            read(bad)
                .expect_err("bad value")
                .to_string()
                .contains("escalation_delivery")
        );
    }
}
