//! Director's configuration database, read-only: the MySQL server Director
//! runs on port 4308 (database `shoreware`, account `st_configread`). One
//! query reads every user, where the web interface needs a request per user.
//!
//! Only `SELECT` statements are ever sent; `tests/database.rs` watches the
//! wire to prove it.

use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, OptsBuilder, Value};

use crate::domain::format::DirectoryUser;
use crate::domain::secret::Secret;

/// The port Director's configuration database listens on.
pub const DEFAULT_PORT: u16 = 4308;
/// The read-only account Director provides for reporting.
pub const DEFAULT_USER: &str = "st_configread";
pub const DEFAULT_DATABASE: &str = "shoreware";

/// The one statement sent to read users. `users.GuiLoginName` is the client
/// username; names and email live in `tabaddresses`. A user without an
/// address row still counts (its email is then missing).
pub const USERS_QUERY: &str = "SELECT u.UserDN, u.GuiLoginName, a.FirstName, a.LastName, \
     a.EmailAddress FROM users u LEFT JOIN tabaddresses a ON a.AddressID = u.AddressID \
     ORDER BY u.UserDN";

/// Director's build, as the `version` table keeps it (`Major`, `Minor`,
/// `SetByBuild`): the fallback when the Monitoring page cannot be read.
pub const BUILD_QUERY: &str = "SELECT SetByBuild FROM version";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseError {
    #[error(
        "\"{url}\" is not a database address; expected mysql://st_configread@HOST:4308/shoreware ({detail})"
    )]
    BadUrl { url: String, detail: String },
    #[error(
        "the database address contains a password; remove it and set HYBRID_DB_PASSWORD instead (a command line is visible to every user of the machine)"
    )]
    PasswordInUrl,
    #[error(
        "cannot reach the database at {address}: {reason}. Check the address, that Director's database listens on that port (4308 on a Director), and that no firewall between here and it blocks the port"
    )]
    Unreachable { address: String, reason: String },
    #[error(
        "the database at {address} did not answer within {secs} s. Check the address and the network; --timeout SECS allows longer"
    )]
    Timeout { address: String, secs: u64 },
    #[error(
        "the database refused the sign-in of \"{user}\": check the password (HYBRID_DB_PASSWORD, the keyring, or the prompt) — {message}"
    )]
    AccessDenied { user: String, message: String },
    #[error(
        "the database has no users/tabaddresses tables as Director's shoreware database does: {message}. Check the database name at the end of the address (shoreware on a Director)"
    )]
    NotDirector { message: String },
    #[error(
        "the database failed: {message}. Try again; if it persists, Director's database logs say more"
    )]
    Server { message: String },
}

/// Where to read from, parsed from `mysql://USER@HOST[:PORT]/DATABASE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseAddress {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub database: String,
}

impl DatabaseAddress {
    /// Parses the address; the port defaults to Director's 4308 (not MySQL's
    /// 3306), the user to `st_configread`, the database to `shoreware`.
    pub fn parse(url: &str) -> Result<Self, DatabaseError> {
        let bad = |detail: &str| DatabaseError::BadUrl {
            url: url.to_string(),
            detail: detail.to_string(),
        };
        let parsed = url::Url::parse(url.trim()).map_err(|e| bad(&e.to_string()))?;
        if parsed.scheme() != "mysql" {
            return Err(bad("the scheme must be mysql://"));
        }
        if parsed.password().is_some() {
            return Err(DatabaseError::PasswordInUrl);
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let user = match parsed.username() {
            "" => DEFAULT_USER.to_string(),
            user => percent_decode(user),
        };
        let database = match parsed.path().trim_start_matches('/') {
            "" => DEFAULT_DATABASE.to_string(),
            db if db.contains('/') => return Err(bad("the path must be just the database name")),
            db => percent_decode(db),
        };
        Ok(DatabaseAddress {
            host,
            port: parsed.port().unwrap_or(DEFAULT_PORT),
            user,
            database,
        })
    }

    /// `host:port`, for messages.
    pub fn endpoint(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The key the password is kept under in the keyring.
    pub fn keyring_key(&self) -> String {
        format!("db:{}@{}/{}", self.user, self.endpoint(), self.database)
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_string())
}

/// Reads every user from the configuration database. `timeout` bounds the
/// connection and the query each.
pub async fn read_users(
    address: &DatabaseAddress,
    password: &Secret,
    timeout: Duration,
) -> Result<Vec<DirectoryUser>, DatabaseError> {
    with_connection(address, password, timeout, |conn| {
        Box::pin(select_users(conn))
    })
    .await
}

/// Reads Director's build from the `version` table (the highest one there,
/// should it hold several rows).
pub async fn read_build(
    address: &DatabaseAddress,
    password: &Secret,
    timeout: Duration,
) -> Result<String, DatabaseError> {
    let builds: Vec<String> = with_connection(address, password, timeout, |conn| {
        Box::pin(conn.query(BUILD_QUERY))
    })
    .await?;
    builds
        .iter()
        .filter_map(|b| b.trim().parse::<crate::domain::version::BuildNumber>().ok())
        .max()
        .map(|b| b.to_string())
        .ok_or_else(|| DatabaseError::NotDirector {
            message: format!(
                "its version table holds no build number ({} rows)",
                builds.len()
            ),
        })
}

type Query<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, mysql_async::Error>> + Send + 'a>>;

/// Connects, runs `query`, and disconnects; `timeout` bounds the connection
/// and the query each.
async fn with_connection<T>(
    address: &DatabaseAddress,
    password: &Secret,
    timeout: Duration,
    query: impl for<'c> FnOnce(&'c mut Conn) -> Query<'c, T>,
) -> Result<T, DatabaseError> {
    let opts = OptsBuilder::from_opts(Opts::default())
        .ip_or_hostname(address.host.clone())
        .tcp_port(address.port)
        .user(Some(address.user.clone()))
        .pass(Some(password.expose().to_string()))
        .db_name(Some(address.database.clone()))
        // A Unix socket found through @@socket would bypass the address
        // the admin gave.
        .prefer_socket(false);
    let endpoint = address.endpoint();
    let timed_out = || DatabaseError::Timeout {
        address: endpoint.clone(),
        secs: timeout.as_secs(),
    };
    let mut conn = tokio::time::timeout(timeout, Conn::new(opts))
        .await
        .map_err(|_| timed_out())?
        .map_err(|e| classify(e, address))?;
    let read = tokio::time::timeout(timeout, query(&mut conn)).await;
    // Closing politely sends COM_QUIT; a failure to do so changes nothing.
    let _ = tokio::time::timeout(Duration::from_secs(2), conn.disconnect()).await;
    read.map_err(|_| timed_out())?
        .map_err(|e| classify(e, address))
}

async fn select_users(conn: &mut Conn) -> Result<Vec<DirectoryUser>, mysql_async::Error> {
    let mut result = conn.query_iter(USERS_QUERY).await?;
    let mut users = Vec::new();
    result
        .for_each(|row| {
            // `unwrap_raw` hands the columns over without a panic path.
            let mut values = row
                .unwrap_raw()
                .into_iter()
                .map(|value| value.map(text).unwrap_or_default());
            let mut next = || values.next().unwrap_or_default();
            users.push(DirectoryUser {
                user_dn: next().into(),
                client_username: next().into(),
                first_name: next().into(),
                last_name: next().into(),
                email: next().into(),
                has_did: None,
            });
        })
        .await?;
    Ok(users)
}

/// A column as text: NULL is empty; bytes that are not UTF-8 (a latin1
/// column) are kept readable rather than refused.
fn text(value: Value) -> String {
    match value {
        Value::NULL => String::new(),
        Value::Bytes(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
        },
        Value::Int(n) => n.to_string(),
        Value::UInt(n) => n.to_string(),
        other => other.as_sql(true).trim_matches('\'').to_string(),
    }
}

fn classify(error: mysql_async::Error, address: &DatabaseAddress) -> DatabaseError {
    match error {
        mysql_async::Error::Server(e) => match e.code {
            // ER_ACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR
            1045 | 1044 => DatabaseError::AccessDenied {
                user: address.user.clone(),
                message: e.message,
            },
            // ER_NO_SUCH_TABLE, ER_BAD_FIELD_ERROR, ER_BAD_DB_ERROR
            1146 | 1054 | 1049 => DatabaseError::NotDirector { message: e.message },
            _ => DatabaseError::Server { message: e.message },
        },
        mysql_async::Error::Io(e) => DatabaseError::Unreachable {
            address: address.endpoint(),
            reason: e.to_string(),
        },
        other => DatabaseError::Server {
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_defaults_to_directors_port_user_and_database() {
        let a = DatabaseAddress::parse("mysql://director.example.com").expect("parse");
        assert_eq!(a.port, 4308);
        assert_eq!(a.user, "st_configread");
        assert_eq!(a.database, "shoreware");
        let b = DatabaseAddress::parse("mysql://reader@[::1]:3307/other").expect("parse");
        assert_eq!(
            (
                b.host.as_str(),
                b.port,
                b.user.as_str(),
                b.database.as_str()
            ),
            ("::1", 3307, "reader", "other")
        );
        assert_eq!(b.endpoint(), "[::1]:3307");
    }

    #[test]
    fn address_refuses_passwords_and_other_schemes() {
        assert_eq!(
            DatabaseAddress::parse("mysql://st_configread:secret@h/shoreware"),
            Err(DatabaseError::PasswordInUrl)
        );
        for bad in ["http://h", "h:4308", "mysql:///shoreware", "mysql://h/a/b"] {
            let err = DatabaseAddress::parse(bad).expect_err(bad);
            assert!(matches!(err, DatabaseError::BadUrl { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn latin1_bytes_stay_readable() {
        assert_eq!(text(Value::Bytes(b"Jos\xe9".to_vec())), "José");
        assert_eq!(text(Value::NULL), "");
        assert_eq!(text(Value::Int(42)), "42");
    }
}
