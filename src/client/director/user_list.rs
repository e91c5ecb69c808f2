//! Limits on reading a user list page by page, against a Director — or
//! something posing as one — that never stops: a page that repeats users
//! already read ends the read, and so do more users, more bytes or more time
//! than any real Director needs. Each stop says what was reported and what
//! was read.

use std::collections::HashSet;
use std::time::Duration;

use crate::client::http::ApiError;

/// The most users read: the scale the program is built and measured for.
pub const MAX_USERS: usize = 1_000_000;
/// The most bytes of list pages read (a million users' rows fit easily).
pub const MAX_LIST_BYTES: usize = 1024 * 1024 * 1024;
/// The longest a whole read may take (a million users over the web
/// interface take a few minutes).
pub const READ_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// Counts the pages of one read.
#[derive(Debug)]
pub struct ListGuard {
    url: String,
    seen: HashSet<String>,
    bytes: usize,
    pages: u64,
    max_users: usize,
    max_bytes: usize,
}

impl ListGuard {
    pub fn new(url: &str) -> Self {
        ListGuard::with_limits(url, MAX_USERS, MAX_LIST_BYTES)
    }

    pub fn with_limits(url: &str, max_users: usize, max_bytes: usize) -> Self {
        ListGuard {
            url: url.to_string(),
            seen: HashSet::new(),
            bytes: 0,
            pages: 0,
            max_users,
            max_bytes,
        }
    }

    /// Takes a page of `bytes` holding users with these keys, of `reported`
    /// in all; answers whether to ask for the next page.
    pub fn page<'a>(
        &mut self,
        reported: u64,
        keys: impl IntoIterator<Item = &'a str>,
        bytes: usize,
    ) -> Result<bool, ApiError> {
        self.pages += 1;
        self.bytes = self.bytes.saturating_add(bytes);
        let mut rows = 0usize;
        let mut new = 0usize;
        for key in keys {
            rows += 1;
            if self.seen.insert(key.to_string()) {
                new += 1;
            }
        }
        let read = self.seen.len();
        if read > self.max_users {
            return Err(self.stop(
                reported,
                format!("this program reads at most {} users", self.max_users),
            ));
        }
        if self.bytes > self.max_bytes {
            return Err(self.stop(
                reported,
                format!("the list passed {} MB", self.max_bytes / (1024 * 1024)),
            ));
        }
        if rows > 0 && new == 0 {
            return Err(self.stop(
                reported,
                format!("page {} repeated users already read", self.pages),
            ));
        }
        // An empty page is the end, even if fewer users came than reported
        // (users deleted while reading).
        Ok(rows > 0 && (read as u64) < reported)
    }

    pub fn users_read(&self) -> usize {
        self.seen.len()
    }

    fn stop(&self, reported: u64, why: String) -> ApiError {
        ApiError::Protocol {
            url: self.url.clone(),
            detail: format!(
                "Director reported {reported} users but {why} ({} different users read in {} pages); \
                 the read was stopped",
                self.seen.len(),
                self.pages
            ),
        }
    }
}

/// Runs a whole read within `deadline`.
pub async fn within_deadline<T>(
    deadline: Duration,
    url: &str,
    read: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    tokio::time::timeout(deadline, read)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::Protocol {
                url: url.to_string(),
                detail: format!(
                    "reading the user list took longer than {} s; the read was stopped",
                    deadline.as_secs()
                ),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(range: std::ops::Range<u32>) -> Vec<String> {
        range.map(|i| i.to_string()).collect()
    }

    #[test]
    fn an_honest_list_ends_when_all_are_read_or_a_page_is_empty() {
        let mut guard = ListGuard::new("u");
        assert_eq!(
            guard.page(5, keys(0..3).iter().map(String::as_str), 10),
            Ok(true)
        );
        assert_eq!(
            guard.page(5, keys(3..5).iter().map(String::as_str), 10),
            Ok(false)
        );
        let mut shrinking = ListGuard::new("u");
        assert_eq!(
            shrinking.page(9, keys(0..3).iter().map(String::as_str), 10),
            Ok(true)
        );
        assert_eq!(shrinking.page(9, std::iter::empty(), 2), Ok(false));
    }

    #[test]
    fn a_repeating_list_stops_saying_what_was_reported() {
        let mut guard = ListGuard::new("http://d");
        let page = keys(0..500);
        assert_eq!(
            guard.page(u64::MAX, page.iter().map(String::as_str), 10),
            Ok(true)
        );
        let err = guard
            .page(u64::MAX, page.iter().map(String::as_str), 10)
            .expect_err("the same page again");
        let text = err.to_string();
        assert!(
            text.contains(&format!("Director reported {} users", u64::MAX)),
            "{text}"
        );
        assert!(text.contains("page 2 repeated users"), "{text}");
    }

    #[test]
    fn users_and_bytes_are_capped() {
        let mut guard = ListGuard::with_limits("u", 10, 1_000);
        assert_eq!(
            guard.page(1 << 62, keys(0..10).iter().map(String::as_str), 10),
            Ok(true)
        );
        let err = guard.page(1 << 62, keys(10..20).iter().map(String::as_str), 10);
        assert!(
            err.expect_err("cap")
                .to_string()
                .contains("at most 10 users")
        );
        let mut big = ListGuard::with_limits("u", 10, 1_000);
        let err = big.page(1 << 62, keys(0..2).iter().map(String::as_str), 2_000);
        assert!(err.expect_err("bytes").to_string().contains("passed 0 MB"));
    }
}
