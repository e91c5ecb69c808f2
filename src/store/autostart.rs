//! "Start at login": the notification-area icon (`hybrid-setup --tray`)
//! started when the user signs in — opt-in, and gone again when turned off.
//! Linux: an XDG autostart entry in `~/.config/autostart/`; Windows: a
//! value under the per-user `Run` key (HKCU), behind [`RunKey`] so the
//! logic is tested anywhere.

use std::path::{Path, PathBuf};

/// The autostart entry's file name (the desktop file's id).
pub const DESKTOP_FILE: &str = "org.hybridsetup.HybridSetup.desktop";
/// The `Run` key's value name on Windows.
pub const RUN_VALUE: &str = "Connect HYBRID Setup";
/// What the entry starts: the icon only.
pub const TRAY_ARG: &str = "--tray";

#[derive(Debug, thiserror::Error)]
pub enum AutostartError {
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("cannot remove {path}: {reason}")]
    Remove { path: String, reason: String },
    #[error("there is no folder for per-user settings on this system")]
    NoConfigFolder,
}

/// Start at login, on or off.
pub trait Autostart: Send + Sync {
    fn is_on(&self) -> bool;
    /// Starts `exe --tray` at login from now on.
    fn turn_on(&self, exe: &Path) -> Result<(), AutostartError>;
    fn turn_off(&self) -> Result<(), AutostartError>;
}

/// This system's way of starting a program at login.
pub fn for_this_system() -> Result<Box<dyn Autostart>, AutostartError> {
    #[cfg(windows)]
    {
        Ok(Box::new(RunKeyAutostart(windows_run_key::Hkcu)))
    }
    #[cfg(not(windows))]
    {
        let folder = dirs::config_dir().ok_or(AutostartError::NoConfigFolder)?;
        Ok(Box::new(DesktopAutostart::new(folder.join("autostart"))))
    }
}

/// The XDG autostart entry (GNOME, KDE, XFCE, Cinnamon all read it).
pub struct DesktopAutostart {
    folder: PathBuf,
}

impl DesktopAutostart {
    /// Entries in `folder` (`$XDG_CONFIG_HOME/autostart`).
    pub fn new(folder: PathBuf) -> Self {
        DesktopAutostart { folder }
    }

    pub fn path(&self) -> PathBuf {
        self.folder.join(DESKTOP_FILE)
    }
}

/// The program's installed path: Linux names a running program whose file
/// a package upgrade replaced `… (deleted)`; the new file is at the old path.
pub fn installed_path(exe: &Path) -> PathBuf {
    let text = exe.to_string_lossy();
    match text.strip_suffix(" (deleted)") {
        Some(path) => PathBuf::from(path),
        None => exe.to_path_buf(),
    }
}

/// A string value as the Desktop Entry spec escapes it: `\\`, `\n`, `\t`,
/// `\r` (its general rule, applied after any quoting).
fn escape_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// One argument of `Exec`: quoted, with `"`, `` ` ``, `$` and `\` escaped
/// inside the quotes and `%` doubled (field codes), then the value's own
/// escaping on top — so a `$` becomes `\\$` and a `\` four of them.
fn exec_argument(arg: &str) -> String {
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' | '`' | '$' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            '%' => quoted.push_str("%%"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    escape_value(&quoted)
}

/// The entry for `exe`. `TryExec` makes desktops skip it once the program
/// is gone (a removed package leaves nothing that runs).
pub fn desktop_entry(exe: &Path) -> String {
    let exe = installed_path(exe).display().to_string();
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name={name}\n\
         Comment=The Connect Sync state in the notification area\n\
         Exec={exec} {TRAY_ARG}\n\
         TryExec={try_exec}\n\
         Icon=org.hybridsetup.HybridSetup\n\
         Terminal=false\n\
         NoDisplay=true\n\
         X-GNOME-Autostart-enabled=true\n",
        name = crate::domain::APP_NAME,
        exec = exec_argument(&exe),
        try_exec = escape_value(&exe),
    )
}

impl Autostart for DesktopAutostart {
    fn is_on(&self) -> bool {
        self.path().is_file()
    }

    fn turn_on(&self, exe: &Path) -> Result<(), AutostartError> {
        let write = |reason: std::io::Error| AutostartError::Write {
            path: self.path().display().to_string(),
            reason: reason.to_string(),
        };
        std::fs::create_dir_all(&self.folder).map_err(write)?;
        super::atomic_file::write_atomic(&self.path(), desktop_entry(exe).as_bytes()).map_err(write)
    }

    fn turn_off(&self) -> Result<(), AutostartError> {
        match std::fs::remove_file(self.path()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(AutostartError::Remove {
                path: self.path().display().to_string(),
                reason: e.to_string(),
            }),
        }
    }
}

/// The per-user `Run` key: one string value per program.
pub trait RunKey: Send + Sync {
    fn get(&self, name: &str) -> Option<String>;
    fn set(&self, name: &str, command: &str) -> std::io::Result<()>;
    fn delete(&self, name: &str) -> std::io::Result<()>;
}

/// Start at login through a [`RunKey`].
pub struct RunKeyAutostart<K: RunKey>(pub K);

/// The `Run` value for `exe`: the path quoted (it has spaces, under
/// Program Files), then `--tray`.
pub fn run_command(exe: &Path) -> String {
    format!("\"{}\" {TRAY_ARG}", exe.display())
}

impl<K: RunKey> Autostart for RunKeyAutostart<K> {
    fn is_on(&self) -> bool {
        self.0.get(RUN_VALUE).is_some()
    }

    fn turn_on(&self, exe: &Path) -> Result<(), AutostartError> {
        self.0
            .set(RUN_VALUE, &run_command(exe))
            .map_err(|e| AutostartError::Write {
                path: format!("HKCU\\{RUN_KEY_PATH}\\{RUN_VALUE}"),
                reason: e.to_string(),
            })
    }

    fn turn_off(&self) -> Result<(), AutostartError> {
        match self.0.delete(RUN_VALUE) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(AutostartError::Remove {
                path: format!("HKCU\\{RUN_KEY_PATH}\\{RUN_VALUE}"),
                reason: e.to_string(),
            }),
        }
    }
}

/// Where the `Run` key is under HKEY_CURRENT_USER.
pub const RUN_KEY_PATH: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";

#[cfg(windows)]
mod windows_run_key {
    //! The real `Run` key (HKEY_CURRENT_USER), through the registry API.
    use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, ERROR_SUCCESS};
    use windows_sys::Win32::System::Registry::{
        HKEY, HKEY_CURRENT_USER, KEY_READ, KEY_SET_VALUE, REG_SZ, RRF_RT_REG_SZ, RegCloseKey,
        RegDeleteValueW, RegGetValueW, RegOpenKeyExW, RegSetValueExW,
    };

    pub struct Hkcu;

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(std::iter::once(0)).collect()
    }

    fn open(access: u32) -> std::io::Result<HKEY> {
        let mut key: HKEY = std::ptr::null_mut();
        let path = wide(super::RUN_KEY_PATH);
        // SAFETY: valid NUL-terminated path and out pointer.
        let status =
            unsafe { RegOpenKeyExW(HKEY_CURRENT_USER, path.as_ptr(), 0, access, &mut key) };
        if status == ERROR_SUCCESS {
            Ok(key)
        } else {
            Err(std::io::Error::from_raw_os_error(status as i32))
        }
    }

    impl super::RunKey for Hkcu {
        fn get(&self, name: &str) -> Option<String> {
            let key = open(KEY_READ).ok()?;
            let name = wide(name);
            let mut buffer = vec![0u16; 2048];
            let mut bytes = (buffer.len() * 2) as u32;
            // SAFETY: the buffer holds `bytes` bytes; the key is open.
            let status = unsafe {
                RegGetValueW(
                    key,
                    std::ptr::null(),
                    name.as_ptr(),
                    RRF_RT_REG_SZ,
                    std::ptr::null_mut(),
                    buffer.as_mut_ptr().cast(),
                    &mut bytes,
                )
            };
            // SAFETY: opened above.
            unsafe { RegCloseKey(key) };
            (status == ERROR_SUCCESS).then(|| {
                let len = (bytes as usize / 2).saturating_sub(1);
                String::from_utf16_lossy(&buffer[..len.min(buffer.len())])
            })
        }

        fn set(&self, name: &str, command: &str) -> std::io::Result<()> {
            let key = open(KEY_SET_VALUE)?;
            let name = wide(name);
            let data = wide(command);
            // SAFETY: data is NUL-terminated UTF-16 of the given byte length.
            let status = unsafe {
                RegSetValueExW(
                    key,
                    name.as_ptr(),
                    0,
                    REG_SZ,
                    data.as_ptr().cast(),
                    (data.len() * 2) as u32,
                )
            };
            // SAFETY: opened above.
            unsafe { RegCloseKey(key) };
            if status == ERROR_SUCCESS {
                Ok(())
            } else {
                Err(std::io::Error::from_raw_os_error(status as i32))
            }
        }

        fn delete(&self, name: &str) -> std::io::Result<()> {
            let key = open(KEY_SET_VALUE)?;
            let name = wide(name);
            // SAFETY: the key is open; the name is NUL-terminated.
            let status = unsafe { RegDeleteValueW(key, name.as_ptr()) };
            // SAFETY: opened above.
            unsafe { RegCloseKey(key) };
            match status {
                ERROR_SUCCESS => Ok(()),
                ERROR_FILE_NOT_FOUND => Err(std::io::ErrorKind::NotFound.into()),
                other => Err(std::io::Error::from_raw_os_error(other as i32)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    #[test]
    fn the_desktop_entry_is_written_and_removed() {
        let dir = tempfile::tempdir().expect("dir");
        let autostart = DesktopAutostart::new(dir.path().join("autostart"));
        assert!(!autostart.is_on());
        autostart.turn_off().expect("off when already off");
        let exe = Path::new("/opt/Hybrid $etup/hybrid-setup");
        autostart.turn_on(exe).expect("on");
        assert!(autostart.is_on());
        let entry = std::fs::read_to_string(autostart.path()).expect("entry");
        assert!(
            entry.contains("Exec=\"/opt/Hybrid \\\\$etup/hybrid-setup\" --tray\n"),
            "{entry}"
        );
        assert!(
            entry.contains("TryExec=/opt/Hybrid $etup/hybrid-setup\n"),
            "{entry}"
        );
        assert!(entry.starts_with("[Desktop Entry]\nType=Application\n"));
        autostart.turn_off().expect("off");
        assert!(!autostart.is_on());
        assert!(!autostart.path().exists());
    }

    /// The entry read back by GLib's own desktop-entry parser (through
    /// Python's `gi`, as GNOME reads it) for paths with a space, `$`, `"`,
    /// `\`, `` ` `` and `%`: the program and its one argument come back
    /// exactly, and TryExec finds the file.
    #[cfg(target_os = "linux")]
    #[test]
    fn glib_reads_the_entry_back_for_awkward_paths() {
        // GLib's key file reader undoes the value escapes, its shell parser
        // the Exec quoting; `%%` is a field code for `%`. GDesktopAppInfo
        // itself (which also checks the program exists before expanding
        // `%%`) is asked where the path has no `%`.
        const READ: &str = "import sys, os, gi\n\
gi.require_version('Gio', '2.0')\n\
from gi.repository import Gio, GLib\n\
kf = GLib.KeyFile(); kf.load_from_file(sys.argv[1], GLib.KeyFileFlags.NONE)\n\
exec_ = kf.get_string('Desktop Entry', 'Exec')\n\
try_exec = kf.get_string('Desktop Entry', 'TryExec')\n\
if not os.access(try_exec, os.X_OK):\n    print('TryExec not found: ' + try_exec); sys.exit(1)\n\
if '%' not in try_exec and Gio.DesktopAppInfo.new_from_filename(sys.argv[1]) is None:\n    print('REFUSED'); sys.exit(1)\n\
ok, argv = GLib.shell_parse_argv(exec_)\n\
print('\\0'.join(a.replace('%%', '%') for a in argv), end='')\n";
        let python = Path::new("/usr/bin/python3");
        let usable = std::process::Command::new(python)
            .args(["-c", "import gi"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !usable {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI installs python3-gi for this test"
            );
            eprintln!("skipped: no /usr/bin/python3 with gi (apt-get install python3-gi)");
            return;
        }
        let root = tempfile::tempdir().expect("dir");
        for folder in [
            "Hybrid Setup",
            "Hybrid $etup",
            "say \"hi\"",
            "back\\slash",
            "100% `sure`",
        ] {
            let dir = root.path().join(folder);
            std::fs::create_dir_all(&dir).expect("dir");
            let exe = dir.join("hybrid-setup");
            std::fs::write(&exe, "#!/bin/sh\n").expect("exe");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).expect("x");
            let entry = root.path().join("entry.desktop");
            std::fs::write(&entry, desktop_entry(&exe)).expect("entry");
            let out = std::process::Command::new(python)
                .args(["-c", READ])
                .arg(&entry)
                .output()
                .expect("python");
            let argv = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                out.status.success(),
                "{folder}: {argv} {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let expected = format!("{}\0{TRAY_ARG}", exe.display());
            assert_eq!(argv, expected, "{folder}");
        }
    }

    #[test]
    fn a_replaced_program_is_named_by_its_installed_path() {
        let entry = desktop_entry(Path::new("/usr/bin/hybrid-setup (deleted)"));
        assert!(
            entry.contains("Exec=\"/usr/bin/hybrid-setup\" --tray\n"),
            "{entry}"
        );
        assert!(entry.contains("TryExec=/usr/bin/hybrid-setup\n"), "{entry}");
    }

    /// The `Run` key as a map, to check the logic without Windows.
    #[derive(Default)]
    struct FakeRunKey(Mutex<HashMap<String, String>>);

    impl RunKey for FakeRunKey {
        fn get(&self, name: &str) -> Option<String> {
            self.0.lock().expect("map").get(name).cloned()
        }
        fn set(&self, name: &str, command: &str) -> std::io::Result<()> {
            self.0
                .lock()
                .expect("map")
                .insert(name.into(), command.into());
            Ok(())
        }
        fn delete(&self, name: &str) -> std::io::Result<()> {
            match self.0.lock().expect("map").remove(name) {
                Some(_) => Ok(()),
                None => Err(std::io::ErrorKind::NotFound.into()),
            }
        }
    }

    #[test]
    fn the_run_key_value_is_set_quoted_and_deleted() {
        let autostart = RunKeyAutostart(FakeRunKey::default());
        assert!(!autostart.is_on());
        autostart.turn_off().expect("off when already off");
        let exe = Path::new(r"C:\Program Files\Connect HYBRID Setup\hybrid-setup.exe");
        autostart.turn_on(exe).expect("on");
        assert_eq!(
            autostart.0.get(RUN_VALUE).as_deref(),
            Some(r#""C:\Program Files\Connect HYBRID Setup\hybrid-setup.exe" --tray"#)
        );
        assert!(autostart.is_on());
        autostart.turn_off().expect("off");
        assert!(!autostart.is_on());
    }
}
