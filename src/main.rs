// A double-click on Windows must not open a console window; when run from a
// console, the subcommands attach to it to print (see `attach_console`).
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    attach_console();
    hybrid_setup::launch::run()
}

/// A GUI-subsystem program has no console of its own; attach to the one it
/// was started from, if any, so `hybrid-setup status` prints there.
#[cfg(windows)]
fn attach_console() {
    use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};
    // SAFETY: AttachConsole takes a process id and has no memory effects;
    // failure (no parent console, e.g. a double-click) is fine to ignore.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

#[cfg(not(windows))]
fn attach_console() {}
