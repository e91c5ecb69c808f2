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
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::director::web::{ListedUser, WebDirector};
use crate::client::http::{ApiError, ClientOptions};
use crate::domain::format::DirectoryUser;
use crate::domain::secret::Secret;

/// Every user's document is read again this often.
pub const FULL_READ_EVERY: Duration = Duration::from_secs(6 * 60 * 60);
/// Document requests in flight at once for a background check: a Director
/// is a phone system first.
pub const BACKGROUND_REQUESTS: usize = 2;

/// A real Director's web interface read for watching — the one reader of
/// the drift watch (window, icon, `status --watch`) and the exporter: one
/// session kept (the client renews it every 20 minutes and when Director
/// ends it), 2 requests in flight, the users through a [`UserCache`].
/// Deciding whether to sign in at all (a refused password) is the caller's,
/// with `domain::sign_in`.
#[derive(Debug)]
pub struct WebReader {
    url: String,
    client: ClientOptions,
    list_limits: Option<(usize, usize)>,
    session: Option<WebDirector>,
    users: UserCache,
}

impl WebReader {
    pub fn new(url: &str, client: ClientOptions) -> Self {
        WebReader {
            url: url.to_string(),
            client,
            list_limits: None,
            session: None,
            users: UserCache::default(),
        }
    }

    /// Reads at most `max_users` users and `max_bytes` of list.
    pub fn with_list_limits(mut self, max_users: usize, max_bytes: usize) -> Self {
        self.list_limits = Some((max_users, max_bytes));
        self
    }

    /// Signs in, unless a session is kept.
    pub async fn sign_in(&mut self, login: &str, password: &Secret) -> Result<(), ApiError> {
        if self.session.is_none() {
            let mut director = WebDirector::sign_in(&self.url, self.client, login, password)
                .await?
                .with_concurrency(BACKGROUND_REQUESTS);
            if let Some((users, bytes)) = self.list_limits {
                director = director.with_list_limits(users, bytes);
            }
            self.session = Some(director);
        }
        Ok(())
    }

    /// Director's build (Monitoring > Services), in the kept session.
    pub async fn build(&self) -> Result<String, ApiError> {
        Ok(self.signed_in()?.build().await?.to_string())
    }

    /// Every user now (see [`UserCache::read`]). A failure ends the session:
    /// it may be what failed.
    pub async fn users(
        &mut self,
        full: bool,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<Arc<Vec<DirectoryUser>>, ApiError> {
        let director = self.signed_in()?.clone();
        let read = self.users.read(&director, full, progress).await;
        if read.is_err() {
            self.end_session();
        }
        read.map(|(users, _)| users)
    }

    /// The next read signs in anew.
    pub fn end_session(&mut self) {
        self.session = None;
    }

    fn signed_in(&self) -> Result<&WebDirector, ApiError> {
        self.session.as_ref().ok_or_else(|| ApiError::Protocol {
            url: self.url.clone(),
            detail: "not signed in".into(),
        })
    }
}

/// The users last read, in the list's order and shared with whoever reads
/// them (no copy per check), each with a digest of its list row (to tell a
/// changed row without keeping it).
#[derive(Debug, Default)]
pub struct UserCache {
    users: Arc<Vec<DirectoryUser>>,
    /// By id in the web interface: the row's digest and the user's place in
    /// `users`.
    known: HashMap<u64, (u64, usize)>,
    full_at: Option<Instant>,
}

/// A list row's digest: equal rows, equal digests (a collision only delays
/// a re-read to the next full one).
fn digest(row: &ListedUser) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    row.row.hash(&mut hasher);
    hasher.finish()
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
    ) -> Result<(Arc<Vec<DirectoryUser>>, ReadCost), ApiError> {
        let listed = director.user_list().await?;
        let full = full
            || self
                .full_at
                .is_none_or(|at| at.elapsed() >= FULL_READ_EVERY);
        // The list's order, and each row's digest; the rows themselves move
        // into the request for documents (no copy of ten thousand rows).
        let order: Vec<(u64, u64)> = listed.iter().map(|l| (l.id, digest(l))).collect();
        let wanted: Vec<ListedUser> = listed
            .into_iter()
            .zip(&order)
            .filter(|(now, (_, digest))| {
                full || self
                    .known
                    .get(&now.id)
                    .is_none_or(|(before, _)| before != digest)
            })
            .map(|(now, _)| now)
            .collect();
        let documents = wanted.len();
        // In the list's order, as `wanted` was.
        let fetched = director.users_listed(wanted, progress).await?;
        let unchanged = fetched.is_empty()
            && order.len() == self.users.len()
            && order
                .iter()
                .enumerate()
                .all(|(at, (id, _))| self.known.get(id).is_some_and(|(_, was)| *was == at));
        if !unchanged {
            self.rebuild(&order, fetched);
        }
        if full {
            self.full_at = Some(Instant::now());
        }
        Ok((Arc::clone(&self.users), ReadCost { documents, full }))
    }

    /// The users in `order`: each fetched one as read, the others as kept.
    fn rebuild(&mut self, order: &[(u64, u64)], fetched: Vec<(u64, DirectoryUser)>) {
        let mut fetched = fetched.into_iter().peekable();
        let mut users = Vec::with_capacity(order.len());
        let mut known = HashMap::with_capacity(order.len());
        for (id, digest) in order {
            let user = match fetched.next_if(|(fetched_id, _)| fetched_id == id) {
                Some((_, user)) => user,
                // Listed but neither fetched nor known cannot happen (every
                // new id is fetched); such a row is left out, not guessed.
                None => match self.known.get(id) {
                    Some((_, at)) => self.users[*at].clone(),
                    None => continue,
                },
            };
            known.insert(*id, (*digest, users.len()));
            users.push(user);
        }
        self.users = Arc::new(users);
        self.known = known;
    }

    /// When every document was last read.
    pub fn full_read_at(&self) -> Option<Instant> {
        self.full_at
    }
}
