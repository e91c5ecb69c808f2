//! A real Director's users, read gently for watching: every check reads
//! the user list's pages (a page per 1,000 users) and fetches the document
//! only of users that are new or whose row changed; every document is read
//! again at most every [`FULL_READ_EVERY`] and when asked ("Check now").
//! Twenty admins' icons watching a 10,000-user Director every 15 minutes
//! then cost Director a dozen requests each, not ten thousand.
//!
//! The list has no client username: a username changed in Director with
//! nothing else on its row is seen at the next full read.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::client::director::web::{ListedUser, WebDirector};
use crate::client::http::ApiError;
use crate::domain::format::DirectoryUser;

/// Every user's document is read again this often.
pub const FULL_READ_EVERY: Duration = Duration::from_secs(6 * 60 * 60);
/// Document requests in flight at once for a background check: a Director
/// is a phone system first.
pub const BACKGROUND_REQUESTS: usize = 2;

/// The users last read, by their id in the web interface.
#[derive(Debug, Default)]
pub struct UserCache {
    known: HashMap<u64, (ListedUser, DirectoryUser)>,
    full_at: Option<Instant>,
}

/// What one read cost and found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadCost {
    /// Documents fetched (the list pages come on top).
    pub documents: usize,
    /// Every document was read.
    pub full: bool,
}

impl UserCache {
    /// Every user now, in the list's order. `full` reads every document
    /// (so does the first read, and one every [`FULL_READ_EVERY`]).
    pub async fn read(
        &mut self,
        director: &WebDirector,
        full: bool,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<(Vec<DirectoryUser>, ReadCost), ApiError> {
        let listed = director.user_list().await?;
        let full = full
            || self
                .full_at
                .is_none_or(|at| at.elapsed() >= FULL_READ_EVERY);
        let wanted: Vec<ListedUser> = listed
            .iter()
            .filter(|now| {
                full || self
                    .known
                    .get(&now.id)
                    .is_none_or(|(before, _)| before != *now)
            })
            .cloned()
            .collect();
        let documents = wanted.len();
        let mut fetched: HashMap<u64, DirectoryUser> = director
            .users_listed(wanted, progress)
            .await?
            .into_iter()
            .collect();
        let mut known = HashMap::with_capacity(listed.len());
        let mut users = Vec::with_capacity(listed.len());
        for row in listed {
            let user = match fetched.remove(&row.id) {
                Some(user) => user,
                None => match self.known.remove(&row.id) {
                    Some((_, user)) => user,
                    // Listed but not fetched nor known: cannot happen, as
                    // every new id is fetched; left out rather than guessed.
                    None => continue,
                },
            };
            users.push(user.clone());
            known.insert(row.id, (row, user));
        }
        self.known = known;
        if full {
            self.full_at = Some(Instant::now());
        }
        Ok((users, ReadCost { documents, full }))
    }

    /// When every document was last read.
    pub fn full_read_at(&self) -> Option<Instant> {
        self.full_at
    }
}
