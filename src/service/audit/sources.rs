//! Where the audit reads users from. Every source ends in the same
//! `Vec<DirectoryUser>` for the domain core: a CSV file, a Director over the
//! contract API (the simulator), Director's own web interface, or Director's
//! configuration database.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use crate::client::director::database::{self, DatabaseAddress, DatabaseError};
use crate::client::director::web::WebDirector;
use crate::client::director::{Director, HttpDirector};
use crate::client::http::ApiError;
use crate::contract::UserRecord;
use crate::domain::format::DirectoryUser;
use crate::domain::secret::Secret;

/// Reports `(read, total)` while a source reads.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Send + Sync);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    #[error("{0}")]
    Csv(String),
    #[error("reading users from Director failed: {0}")]
    Director(#[from] ApiError),
    #[error("{0}")]
    Database(#[from] DatabaseError),
}

/// Anything the audit can read Director's users from.
pub trait UserSource: Send + Sync {
    fn read_users(
        &self,
        progress: Progress<'_>,
    ) -> impl Future<Output = Result<Vec<DirectoryUser>, SourceError>> + Send;
}

/// A users CSV (see `users_csv`).
#[derive(Debug, Clone)]
pub struct CsvFile(pub PathBuf);

impl CsvFile {
    /// Every row as `T`; errors name the file (and the line).
    pub fn read_as<T>(&self, convert: impl FnMut(UserRecord) -> T) -> Result<Vec<T>, SourceError> {
        let path = &self.0;
        let file = std::fs::File::open(path)
            .map_err(|e| SourceError::Csv(format!("cannot open {}: {e}", path.display())))?;
        crate::service::audit::users_csv::read_users_as(std::io::BufReader::new(file), convert)
            .map_err(|e| SourceError::Csv(format!("{}: {e}", path.display())))
    }
}

impl UserSource for CsvFile {
    async fn read_users(&self, _progress: Progress<'_>) -> Result<Vec<DirectoryUser>, SourceError> {
        self.read_as(DirectoryUser::from)
    }
}

/// A Director speaking `docs/server-contract.md`, signed in.
impl UserSource for HttpDirector {
    async fn read_users(&self, progress: Progress<'_>) -> Result<Vec<DirectoryUser>, SourceError> {
        let records = self.users(progress).await?;
        Ok(records.into_iter().map(DirectoryUser::from).collect())
    }
}

/// Director's own web interface (login form + jqGrid), signed in.
impl UserSource for WebDirector {
    async fn read_users(&self, progress: Progress<'_>) -> Result<Vec<DirectoryUser>, SourceError> {
        Ok(self.users(progress).await?)
    }
}

/// Director's configuration database, read-only.
#[derive(Debug, Clone)]
pub struct ConfigDatabase {
    pub address: DatabaseAddress,
    pub password: Secret,
    pub timeout: Duration,
}

impl UserSource for ConfigDatabase {
    async fn read_users(&self, _progress: Progress<'_>) -> Result<Vec<DirectoryUser>, SourceError> {
        Ok(database::read_users(&self.address, &self.password, self.timeout).await?)
    }
}
