//! One program, one monitor: the first process of a kind (the window, the
//! notification-area icon) listens on a local socket in the user's own
//! settings folder (on Windows a named pipe named after that folder); a
//! second one of the same kind tells it "open" and exits. A socket left
//! behind by a crash answers nobody and is taken over (a named pipe goes
//! with its process).

use std::path::{Path, PathBuf};

/// Which running program a launch may be: one of each at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Window,
    Tray,
}

impl Kind {
    #[cfg_attr(windows, allow(dead_code))]
    fn file(self) -> &'static str {
        match self {
            Kind::Window => "window.sock",
            Kind::Tray => "tray.sock",
        }
    }
}

/// What the message says: bring the window forward (or open it).
const OPEN: &str = "open";

/// The outcome of a launch's claim.
pub enum Claim {
    /// This is the first: it listens, and [`Listener::on_open`] hears later launches.
    First(Listener),
    /// Another one runs and was told to open its window; this launch ends.
    AlreadyRunning,
}

/// The first process's socket (or pipe); removed when dropped.
pub struct Listener {
    #[cfg(unix)]
    socket: std::os::unix::net::UnixListener,
    #[cfg(windows)]
    pipe: std::os::windows::io::OwnedHandle,
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

/// The named pipe for `kind` in `dir`: pipes are machine-wide, so the name
/// carries a digest of the (per-user) settings folder.
#[cfg(windows)]
fn pipe_name(dir: &Path, kind: Kind) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(dir.to_string_lossy().as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let kind = match kind {
        Kind::Window => "window",
        Kind::Tray => "tray",
    };
    format!(r"\\.\pipe\hybrid-setup-{hex}-{kind}")
}

/// [`claim`], asking a running one to open its window only when `ask`.
#[cfg(windows)]
pub fn claim_asking(dir: &Path, kind: Kind, ask: bool) -> std::io::Result<Claim> {
    use std::io::Write;
    use windows_sys::Win32::Foundation::{ERROR_ACCESS_DENIED, ERROR_PIPE_BUSY};
    let name = pipe_name(dir, kind);
    let is = |e: &std::io::Error, code: u32| e.raw_os_error() == Some(code as i32);
    for _ in 0..100 {
        match windows_pipe::create_first(&name) {
            Ok(pipe) => {
                return Ok(Claim::First(Listener {
                    pipe,
                    path: PathBuf::from(name),
                }));
            }
            // Another process has it: tell that one below.
            Err(e) if is(&e, ERROR_ACCESS_DENIED) || is(&e, ERROR_PIPE_BUSY) => {}
            Err(e) => return Err(e),
        }
        match std::fs::OpenOptions::new().write(true).open(&name) {
            Ok(mut running) => {
                if ask {
                    running.write_all(format!("{OPEN}\n").as_bytes())?;
                }
                return Ok(Claim::AlreadyRunning);
            }
            // Busy with another launch's message, or it just ended: again.
            Err(e) if is(&e, ERROR_PIPE_BUSY) || e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Err(std::io::Error::other(
        "another launch keeps claiming the same pipe",
    ))
}

#[cfg(windows)]
mod windows_pipe {
    //! The named pipe's Win32 calls.
    use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
    use windows_sys::Win32::Foundation::{
        ERROR_PIPE_CONNECTED, GetLastError, INVALID_HANDLE_VALUE,
    };
    use windows_sys::Win32::Storage::FileSystem::{
        FILE_FLAG_FIRST_PIPE_INSTANCE, PIPE_ACCESS_INBOUND, ReadFile,
    };
    use windows_sys::Win32::System::Pipes::{
        ConnectNamedPipe, CreateNamedPipeW, DisconnectNamedPipe, PIPE_REJECT_REMOTE_CLIENTS,
        PIPE_TYPE_BYTE, PIPE_WAIT,
    };

    /// The pipe's first instance: fails (access denied) when another
    /// process already has one, so exactly one launch is first.
    pub fn create_first(name: &str) -> std::io::Result<OwnedHandle> {
        let wide: Vec<u16> = name.encode_utf16().chain(std::iter::once(0)).collect();
        // SAFETY: a NUL-terminated name; default security (this user).
        let handle = unsafe {
            CreateNamedPipeW(
                wide.as_ptr(),
                PIPE_ACCESS_INBOUND | FILE_FLAG_FIRST_PIPE_INSTANCE,
                PIPE_TYPE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                1,
                0,
                512,
                0,
                std::ptr::null(),
            )
        };
        if handle == INVALID_HANDLE_VALUE {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: a handle we own from here on.
        Ok(unsafe { OwnedHandle::from_raw_handle(handle) })
    }

    /// Waits for the next launch and returns what it wrote (until it closed).
    pub fn next_message(pipe: &OwnedHandle) -> std::io::Result<String> {
        let handle = pipe.as_raw_handle();
        // SAFETY: our open pipe handle; no overlapped I/O.
        unsafe {
            if ConnectNamedPipe(handle, std::ptr::null_mut()) == 0
                && GetLastError() != ERROR_PIPE_CONNECTED
            {
                return Err(std::io::Error::last_os_error());
            }
            let mut message = Vec::new();
            let mut buffer = [0u8; 64];
            loop {
                let mut read = 0u32;
                let ok = ReadFile(
                    handle,
                    buffer.as_mut_ptr(),
                    buffer.len() as u32,
                    &mut read,
                    std::ptr::null_mut(),
                );
                if ok == 0 || read == 0 || message.len() > 256 {
                    break;
                }
                message.extend_from_slice(&buffer[..read as usize]);
            }
            DisconnectNamedPipe(handle);
            Ok(String::from_utf8_lossy(&message).into_owned())
        }
    }
}

/// The most a later launch's message is read (it is one word).
#[cfg(unix)]
const MAX_MESSAGE_BYTES: u64 = 4096;
/// How long a later launch may take to say it.
#[cfg(unix)]
const MESSAGE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

impl Listener {
    /// Calls `open` (on a thread of its own) each time a later launch asks.
    pub fn on_open(self, open: impl Fn() + Send + 'static) {
        #[cfg(unix)]
        std::thread::spawn(move || {
            use std::io::{BufRead, BufReader, Read};
            for stream in self.socket.incoming().flatten() {
                // One short line, soon: a caller that sends megabytes or
                // nothing is cut off, and the next launch is still heard.
                let _ = stream.set_read_timeout(Some(MESSAGE_WAIT));
                let mut line = String::new();
                let read = BufReader::new(stream.take(MAX_MESSAGE_BYTES)).read_line(&mut line);
                if read.is_ok() && line.trim() == OPEN {
                    open();
                }
            }
            drop(self);
        });
        #[cfg(windows)]
        std::thread::spawn(move || {
            while let Ok(message) = windows_pipe::next_message(&self.pipe) {
                if message.trim() == OPEN {
                    open();
                }
            }
        });
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

    /// A caller that sends 10 MB without a newline is cut off after 4 KB
    /// (its write fails: nothing more is read), one that says nothing is
    /// given up on, and the next launch is still heard.
    #[test]
    fn a_flood_or_silence_on_the_socket_is_cut_off() {
        use std::io::Write;
        let dir = tempfile::tempdir().expect("dir");
        let Claim::First(first) = claim(dir.path(), Kind::Tray).expect("claim") else {
            panic!("the first launch is first");
        };
        let path = first.path().to_path_buf();
        let (tx, opened) = mpsc::channel();
        first.on_open(move || {
            let _ = tx.send(());
        });
        let _silent = std::os::unix::net::UnixStream::connect(&path).expect("connect");
        let mut flood = std::os::unix::net::UnixStream::connect(&path).expect("connect");
        // Longer than the listener waits for the silent one.
        flood
            .set_write_timeout(Some(Duration::from_secs(6)))
            .expect("timeout");
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0usize;
        let mut cut_off = false;
        for _ in 0..160 {
            match flood.write_all(&chunk) {
                Ok(()) => sent += chunk.len(),
                Err(e) => {
                    // Closed by the listener; a time-out means nobody read.
                    cut_off = matches!(
                        e.kind(),
                        std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
                    );
                    break;
                }
            }
        }
        assert!(cut_off, "the listener read all {sent} bytes");
        assert!(sent < 1024 * 1024, "{sent} bytes taken before the cut");
        assert!(matches!(
            claim(dir.path(), Kind::Tray).expect("claim"),
            Claim::AlreadyRunning
        ));
        opened
            .recv_timeout(Duration::from_secs(10))
            .expect("the next launch was still heard");
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
