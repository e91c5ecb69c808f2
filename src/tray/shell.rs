//! The icon in Windows' notification area (`Shell_NotifyIcon`): a hidden
//! window of our own on a thread of its own receives the icon's clicks and
//! keys; the async side hands it new views through a message.

use std::sync::{Arc, Mutex, mpsc as sync_mpsc};

use tokio::sync::mpsc::UnboundedSender;
use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, POINT, WPARAM};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::UI::Shell::{
    NIF_ICON, NIF_MESSAGE, NIF_SHOWTIP, NIF_TIP, NIM_ADD, NIM_DELETE, NIM_MODIFY, NIM_SETVERSION,
    NIN_SELECT, NINF_KEY, NOTIFYICON_VERSION_4, NOTIFYICONDATAW, Shell_NotifyIconW,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    AppendMenuW, CreateIcon, CreatePopupMenu, CreateWindowExW, DefWindowProcW, DestroyIcon,
    DestroyMenu, DestroyWindow, DispatchMessageW, GetCursorPos, GetMessageW, GetSystemMetrics,
    HICON, MF_CHECKED, MF_GRAYED, MF_SEPARATOR, MF_STRING, MSG, PostMessageW, PostQuitMessage,
    RegisterClassW, RegisterWindowMessageW, SM_CXSMICON, SetForegroundWindow, TPM_RETURNCMD,
    TPM_RIGHTBUTTON, TrackPopupMenu, TranslateMessage, WM_APP, WM_CONTEXTMENU, WM_DESTROY, WM_NULL,
    WNDCLASSW,
};

use super::{MenuLine, TrayCommand, TrayError, icon, menu_for};
use crate::domain::tray::{TrayView, shorten};

/// The shell's messages about our icon (clicks, keys, the menu key).
const WM_TRAY: u32 = WM_APP + 1;
/// "Show the view now in `Shared::view`".
const WM_SHOW_VIEW: u32 = WM_APP + 2;
/// "Take the icon away and end the thread".
const WM_REMOVE: u32 = WM_APP + 3;
/// Enter or Space on the icon (the Windows headers' NIN_KEYSELECT).
const NIN_KEYSELECT: u32 = NIN_SELECT | NINF_KEY;
/// Our one icon's id within our window.
const ICON_ID: u32 = 1;

/// What the window's thread and the async side share.
struct Shared {
    view: Mutex<TrayView>,
    commands: UnboundedSender<TrayCommand>,
}

/// The icon while it is shown; [`TrayIcon::remove`] takes it away.
pub struct TrayIcon {
    /// The hidden window's handle, as a number (a raw pointer is not `Send`).
    window: isize,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

thread_local! {
    /// The window thread's state (one icon per thread).
    static STATE: std::cell::RefCell<Option<WindowState>> = const { std::cell::RefCell::new(None) };
}

struct WindowState {
    shared: Arc<Shared>,
    icon: HICON,
    /// Explorer broadcasts this after a restart: the icon must be added again.
    taskbar_created: u32,
}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

impl TrayIcon {
    /// Puts the icon in the notification area; its menu's choices arrive on
    /// `commands`.
    pub async fn show(
        view: TrayView,
        commands: UnboundedSender<TrayCommand>,
    ) -> Result<Self, TrayError> {
        let shared = Arc::new(Shared {
            view: Mutex::new(view),
            commands,
        });
        let (ready_tx, ready) = sync_mpsc::channel();
        let for_thread = shared.clone();
        let thread = std::thread::Builder::new()
            .name("tray-icon".into())
            .spawn(move || window_thread(for_thread, ready_tx))
            .map_err(|e| TrayError::Bus(e.to_string()))?;
        let answer = tokio::task::spawn_blocking(move || ready.recv())
            .await
            .map_err(|e| TrayError::Bus(e.to_string()))?;
        match answer {
            Ok(Ok(window)) => Ok(TrayIcon {
                window,
                shared,
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => Err(TrayError::Bus("the icon's thread ended".into())),
        }
    }

    /// Shows `view` (the shell is told only when something changed).
    pub async fn update(&self, view: TrayView) {
        {
            let mut shown = self.shared.view.lock().unwrap_or_else(|e| e.into_inner());
            if *shown == view {
                return;
            }
            *shown = view;
        }
        // SAFETY: posting to our own window; a window gone already only
        // makes the call fail.
        unsafe { PostMessageW(self.window as HWND, WM_SHOW_VIEW, 0, 0) };
    }

    /// Takes the icon off the notification area.
    pub async fn remove(mut self) {
        // SAFETY: as in `update`.
        unsafe { PostMessageW(self.window as HWND, WM_REMOVE, 0, 0) };
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

/// Creates the hidden window and the icon, says so on `ready`, then runs
/// the window's messages until the icon is removed.
fn window_thread(shared: Arc<Shared>, ready: sync_mpsc::Sender<Result<isize, TrayError>>) {
    let class = wide("HybridSetupTrayWindow");
    // SAFETY: plain Win32 calls with valid, NUL-terminated strings; the
    // class's procedure is a valid `extern "system"` function.
    let window = unsafe {
        let instance = GetModuleHandleW(std::ptr::null());
        let wc = WNDCLASSW {
            lpfnWndProc: Some(window_proc),
            hInstance: instance,
            lpszClassName: class.as_ptr(),
            ..std::mem::zeroed()
        };
        RegisterClassW(&wc);
        let title = wide(crate::domain::APP_NAME);
        // A top-level window never shown (not a message-only one: those
        // miss Explorer's "TaskbarCreated" broadcast).
        CreateWindowExW(
            0,
            class.as_ptr(),
            title.as_ptr(),
            0,
            0,
            0,
            0,
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            instance,
            std::ptr::null(),
        )
    };
    if window.is_null() {
        let _ = ready.send(Err(TrayError::Bus(
            std::io::Error::last_os_error().to_string(),
        )));
        return;
    }
    let taskbar_created = unsafe { RegisterWindowMessageW(wide("TaskbarCreated").as_ptr()) };
    STATE.with_borrow_mut(|state| {
        *state = Some(WindowState {
            shared,
            icon: std::ptr::null_mut(),
            taskbar_created,
        })
    });
    if !add_icon(window) {
        // SAFETY: our own window, on its own thread.
        unsafe { DestroyWindow(window) };
        let _ = ready.send(Err(TrayError::NoNotificationArea));
        return;
    }
    let _ = ready.send(Ok(window as isize));
    // SAFETY: the standard message loop over this thread's messages.
    unsafe {
        let mut message: MSG = std::mem::zeroed();
        while GetMessageW(&mut message, std::ptr::null_mut(), 0, 0) > 0 {
            TranslateMessage(&message);
            DispatchMessageW(&message);
        }
    }
}

/// The icon's data for the current view: picture, tooltip, our messages.
fn icon_data(window: HWND, state: &mut WindowState) -> NOTIFYICONDATAW {
    let view = state
        .shared
        .view
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let picture = make_icon(&view);
    if !state.icon.is_null() {
        // SAFETY: an icon we created and no longer show.
        unsafe { DestroyIcon(state.icon) };
    }
    state.icon = picture;
    // SAFETY: NOTIFYICONDATAW is plain data; zero is its empty value.
    let mut data: NOTIFYICONDATAW = unsafe { std::mem::zeroed() };
    data.cbSize = std::mem::size_of::<NOTIFYICONDATAW>() as u32;
    data.hWnd = window;
    data.uID = ICON_ID;
    data.uFlags = NIF_ICON | NIF_TIP | NIF_MESSAGE | NIF_SHOWTIP;
    data.uCallbackMessage = WM_TRAY;
    data.hIcon = picture;
    // The tooltip holds 127 characters: the title, then the text below it.
    let room = data.szTip.len() - 1;
    let tip = shorten(&format!("{}\n{}", view.title, view.text), room);
    for (slot, unit) in data.szTip.iter_mut().zip(tip.encode_utf16().take(room)) {
        *slot = unit;
    }
    data
}

/// Adds the icon (at start, and again after Explorer restarted).
fn add_icon(window: HWND) -> bool {
    let Some(mut data) = current_data(window) else {
        return false;
    };
    // SAFETY: `data` is filled in and lives across the calls.
    unsafe {
        if Shell_NotifyIconW(NIM_ADD, &data) == 0 {
            return false;
        }
        // Version 4: keyboard selection and the menu key reach us too.
        data.Anonymous.uVersion = NOTIFYICON_VERSION_4;
        Shell_NotifyIconW(NIM_SETVERSION, &data);
    }
    true
}

/// [`icon_data`] for the window thread's state. The shell calls below may
/// dispatch messages to this window again, so the state is not borrowed
/// while they run.
fn current_data(window: HWND) -> Option<NOTIFYICONDATAW> {
    STATE.with_borrow_mut(|state| state.as_mut().map(|state| icon_data(window, state)))
}

/// The view's picture at the system's small-icon size.
fn make_icon(view: &TrayView) -> HICON {
    // SAFETY: GetSystemMetrics has no preconditions.
    let size = unsafe { GetSystemMetrics(SM_CXSMICON) }.clamp(16, 64) as u32;
    let picture = icon::pixmap_for(view, size);
    // ARGB (the D-Bus order) to the BGRA a 32-bit icon holds, top row first.
    let bgra: Vec<u8> = picture
        .argb
        .chunks_exact(4)
        .flat_map(|p| [p[3], p[2], p[1], p[0]])
        .collect();
    // The AND mask is unused with an alpha channel, but must be there:
    // one bit per pixel, rows padded to 16 bits.
    let mask = vec![0u8; (size.div_ceil(16) * 2 * size) as usize];
    // SAFETY: both buffers hold `size` rows of the stated formats.
    unsafe {
        CreateIcon(
            std::ptr::null_mut(),
            size as i32,
            size as i32,
            1,
            32,
            mask.as_ptr(),
            bgra.as_ptr(),
        )
    }
}

/// The menu at the cursor (or where the keyboard asked); its choice goes
/// out as a command.
fn show_menu(window: HWND, at: POINT) {
    let Some((entries, shared)) = STATE.with_borrow(|state| {
        state.as_ref().map(|s| {
            let view = s.shared.view.lock().unwrap_or_else(|e| e.into_inner());
            (menu_for(&view), s.shared.clone())
        })
    }) else {
        return;
    };
    // SAFETY: a menu we create, show and destroy here, on the window's thread.
    unsafe {
        let menu = CreatePopupMenu();
        if menu.is_null() {
            return;
        }
        for (index, line) in entries.iter().enumerate() {
            let (flags, label) = match line {
                MenuLine::Separator => (MF_SEPARATOR, ""),
                MenuLine::State(text) => (MF_STRING | MF_GRAYED, text.as_str()),
                MenuLine::Choice(entry) if entry.checked == Some(true) => {
                    (MF_STRING | MF_CHECKED, entry.label.as_str())
                }
                MenuLine::Choice(entry) => (MF_STRING, entry.label.as_str()),
            };
            AppendMenuW(menu, flags, index + 1, wide(label).as_ptr());
        }
        // Without this the menu would not close when clicking elsewhere.
        SetForegroundWindow(window);
        let chosen = TrackPopupMenu(
            menu,
            TPM_RETURNCMD | TPM_RIGHTBUTTON,
            at.x,
            at.y,
            0,
            window,
            std::ptr::null(),
        );
        PostMessageW(window, WM_NULL, 0, 0);
        DestroyMenu(menu);
        if chosen > 0
            && let Some(MenuLine::Choice(entry)) = entries.get(chosen as usize - 1)
        {
            let _ = shared.commands.send(entry.command);
        }
    }
}

fn send(command: TrayCommand) {
    STATE.with_borrow(|state| {
        if let Some(state) = state {
            let _ = state.shared.commands.send(command);
        }
    });
}

extern "system" fn window_proc(
    window: HWND,
    message: u32,
    wparam: WPARAM,
    lparam: LPARAM,
) -> LRESULT {
    match message {
        WM_TRAY => {
            // Version 4: the event in the low word of lparam, the anchor
            // point (screen coordinates) in wparam.
            let event = (lparam & 0xffff) as u32;
            let anchor = POINT {
                x: (wparam & 0xffff) as i16 as i32,
                y: ((wparam >> 16) & 0xffff) as i16 as i32,
            };
            match event {
                NIN_SELECT | NIN_KEYSELECT => send(TrayCommand::OpenStatus),
                WM_CONTEXTMENU => {
                    let mut at = anchor;
                    // SAFETY: a valid out pointer; on failure the anchor stays.
                    if anchor.x == 0 && anchor.y == 0 {
                        unsafe { GetCursorPos(&mut at) };
                    }
                    show_menu(window, at);
                }
                _ => {}
            }
            0
        }
        WM_SHOW_VIEW => {
            if let Some(data) = current_data(window) {
                // SAFETY: `data` is filled in.
                unsafe { Shell_NotifyIconW(NIM_MODIFY, &data) };
            }
            0
        }
        WM_REMOVE => {
            // SAFETY: our own window, on its own thread.
            unsafe { DestroyWindow(window) };
            0
        }
        WM_DESTROY => {
            if let Some(state) = STATE.with_borrow_mut(Option::take) {
                // SAFETY: removing our icon, then freeing its picture.
                unsafe {
                    let mut data: NOTIFYICONDATAW = std::mem::zeroed();
                    data.cbSize = std::mem::size_of::<NOTIFYICONDATAW>() as u32;
                    data.hWnd = window;
                    data.uID = ICON_ID;
                    Shell_NotifyIconW(NIM_DELETE, &data);
                    if !state.icon.is_null() {
                        DestroyIcon(state.icon);
                    }
                }
            }
            // SAFETY: ends this thread's message loop.
            unsafe { PostQuitMessage(0) };
            0
        }
        _ => {
            let restarted = STATE.with_borrow(|state| {
                state
                    .as_ref()
                    .is_some_and(|s| s.taskbar_created != 0 && s.taskbar_created == message)
            });
            if restarted {
                add_icon(window);
                return 0;
            }
            // SAFETY: the default handling of every other message.
            unsafe { DefWindowProcW(window, message, wparam, lparam) }
        }
    }
}
