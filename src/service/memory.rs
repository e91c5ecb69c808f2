//! The allocator, tuned for programs that stay running and mostly wait on
//! the network — the notification-area icon above all, which sits beside
//! every other icon all day (docs/PERFORMANCE.md: the icon watching a
//! 10,000-user Director stays under 30 MB). glibc only; elsewhere these do
//! nothing.

/// One allocator arena for every thread. glibc gives each thread its own,
/// and each kept a check's freed working set apart: the icon grew from 24
/// to 34 MB over its first checks. glibc fixes the number of arenas when a
/// second thread first allocates: call before any thread starts.
pub fn keep_one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes glibc's allocator.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Hands the pages a finished piece of work freed back to the system
/// (glibc keeps them otherwise, and the resident size only grows).
pub fn give_back_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of glibc's allocator.
    unsafe {
        libc::malloc_trim(0);
    }
}
