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

/// The entry for `exe`. `TryExec` makes desktops skip it once the program
/// is gone (a removed package leaves nothing that runs).
pub fn desktop_entry(exe: &Path) -> String {
    let exe = exe.display().to_string();
    // Exec's quoting rules: a quoted argument escapes `"`, `` ` ``, `$`, `\`.
    let quoted: String = exe
        .chars()
        .flat_map(|c| match c {
            '"' | '`' | '$' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name={name}\n\
         Comment=The Connect Sync state in the notification area\n\
         Exec=\"{quoted}\" {TRAY_ARG}\n\
         TryExec={exe}\n\
         Icon=org.hybridsetup.HybridSetup\n\
         Terminal=false\n\
         NoDisplay=true\n\
         X-GNOME-Autostart-enabled=true\n",
        name = crate::domain::APP_NAME,
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
            entry.contains("Exec=\"/opt/Hybrid \\$etup/hybrid-setup\" --tray\n"),
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
