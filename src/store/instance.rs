//! One program, one monitor: the first process of a kind (the window, the
//! notification-area icon) listens on a local socket in the user's own
//! settings folder; a second one of the same kind tells it "open" and
//! exits. A socket left behind by a crash answers nobody and is taken over.

use std::path::{Path, PathBuf};

/// Which running program a launch may be: one of each at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Window,
    Tray,
}

impl Kind {
    fn file(self) -> &'static str {
        match self {
            Kind::Window => "window.sock",
            Kind::Tray => "tray.sock",
        }
    }
}

/// What the message says: bring the window forward (or open it).
#[cfg(unix)]
const OPEN: &str = "open";

/// The outcome of a launch's claim.
pub enum Claim {
    /// This is the first: it listens, and [`Listener::on_open`] hears later launches.
    First(Listener),
    /// Another one runs and was told to open its window; this launch ends.
    AlreadyRunning,
}

/// The first process's socket; removed when dropped.
pub struct Listener {
    #[cfg(unix)]
    socket: std::os::unix::net::UnixListener,
    path: PathBuf,
}

/// Claims `kind` for this process in `dir` (the settings folder, this
/// user's alone); a running one is asked to open its window.
pub fn claim(dir: &Path, kind: Kind) -> std::io::Result<Claim> {
    claim_asking(dir, kind, true)
}

/// [`claim`], asking a running one to open its window only when `ask`.
#[cfg(unix)]
pub fn claim_asking(dir: &Path, kind: Kind, ask: bool) -> std::io::Result<Claim> {
    use std::io::Write;
    use std::os::unix::net::{UnixListener, UnixStream};
    let path = dir.join(kind.file());
    for _ in 0..3 {
        if let Ok(mut running) = UnixStream::connect(&path) {
            if ask {
                running.write_all(format!("{OPEN}\n").as_bytes())?;
            }
            return Ok(Claim::AlreadyRunning);
        }
        // Nobody answers: a crash left the socket behind, or there is none.
        let _ = std::fs::remove_file(&path);
        match UnixListener::bind(&path) {
            Ok(socket) => return Ok(Claim::First(Listener { socket, path })),
            // Another launch bound it between our two calls: ask it instead.
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(
        "another launch keeps claiming the same socket",
    ))
}

/// Not yet on this system: every launch is a first one.
#[cfg(not(unix))]
pub fn claim_asking(dir: &Path, kind: Kind, _ask: bool) -> std::io::Result<Claim> {
    Ok(Claim::First(Listener {
        path: dir.join(kind.file()),
    }))
}

impl Listener {
    /// Calls `open` (on a thread of its own) each time a later launch asks.
    pub fn on_open(self, open: impl Fn() + Send + 'static) {
        #[cfg(unix)]
        std::thread::spawn(move || {
            use std::io::{BufRead, BufReader};
            for stream in self.socket.incoming().flatten() {
                let mut line = String::new();
                if BufReader::new(stream).read_line(&mut line).is_ok() && line.trim() == OPEN {
                    open();
                }
            }
            drop(self);
        });
        #[cfg(not(unix))]
        let _ = open;
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        #[cfg(unix)]
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_second_launch_tells_the_first_and_ends() {
        let dir = tempfile::tempdir().expect("dir");
        let Claim::First(first) = claim(dir.path(), Kind::Tray).expect("claim") else {
            panic!("the first launch is first");
        };
        let (tx, opened) = mpsc::channel();
        first.on_open(move || {
            let _ = tx.send(());
        });
        assert!(matches!(
            claim(dir.path(), Kind::Tray).expect("claim"),
            Claim::AlreadyRunning
        ));
        opened
            .recv_timeout(Duration::from_secs(5))
            .expect("the first was told to open its window");
        // The other kind is free.
        assert!(matches!(
            claim(dir.path(), Kind::Window).expect("claim"),
            Claim::First(_)
        ));
    }

    #[test]
    fn a_socket_left_by_a_crash_is_taken_over() {
        let dir = tempfile::tempdir().expect("dir");
        // A bound socket whose process is gone: the file stays, nobody listens.
        let stale = dir.path().join(Kind::Window.file());
        drop(std::os::unix::net::UnixListener::bind(&stale).expect("bind"));
        assert!(stale.exists());
        assert!(matches!(
            claim(dir.path(), Kind::Window).expect("claim"),
            Claim::First(_)
        ));
    }

    #[test]
    fn the_socket_goes_with_the_first() {
        let dir = tempfile::tempdir().expect("dir");
        let Claim::First(first) = claim(dir.path(), Kind::Window).expect("claim") else {
            panic!("first");
        };
        let path = first.path().to_path_buf();
        assert!(path.exists());
        drop(first);
        assert!(!path.exists());
    }
}
