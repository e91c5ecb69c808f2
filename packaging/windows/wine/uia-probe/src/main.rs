//! Dumps the UI Automation tree of a window (what a Windows screen reader
//! reads), to check AccessKit's tree under Wine.
//!
//! cargo build --release --target x86_64-pc-windows-gnu, then, with the
//! program's window open: wine64 uia-probe.exe ["Connect HYBRID Setup"]
use windows::Win32::System::Com::*;
use windows::Win32::UI::Accessibility::*;
use windows::Win32::UI::WindowsAndMessaging::FindWindowW;
use windows::core::{HSTRING, Interface};

fn dump(w: &IUIAutomationTreeWalker, e: &IUIAutomationElement, depth: usize) {
    let name = unsafe { e.CurrentName() }
        .map(|n| n.to_string())
        .unwrap_or_default();
    let kind = unsafe { e.CurrentControlType() }.map(|t| t.0).unwrap_or(0);
    let focusable = unsafe { e.CurrentIsKeyboardFocusable() }
        .map(|b| b.as_bool())
        .unwrap_or(false);
    println!(
        "{:indent$}{kind} {name:?}{}",
        "",
        if focusable { " (focusable)" } else { "" },
        indent = depth * 2
    );
    if depth > 30 {
        return;
    }
    let mut child = unsafe { w.GetFirstChildElement(e) }.ok();
    while let Some(c) = child {
        dump(w, &c, depth + 1);
        child = unsafe { w.GetNextSiblingElement(&c) }.ok();
    }
}

fn main() {
    let title = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Connect HYBRID Setup".into());
    unsafe {
        let _ = CoInitializeEx(None, COINIT_MULTITHREADED);
        let mut hwnd = None;
        for _ in 0..60 {
            if let Ok(h) = FindWindowW(None, &HSTRING::from(title.as_str())) {
                if !h.is_invalid() {
                    hwnd = Some(h);
                    break;
                }
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
        let Some(hwnd) = hwnd else {
            println!("no window titled {title}");
            std::process::exit(2);
        };
        std::thread::sleep(std::time::Duration::from_secs(3));
        let uia: IUIAutomation = match CoCreateInstance(&CUIAutomation, None, CLSCTX_INPROC_SERVER)
        {
            Ok(u) => u,
            Err(e) => {
                println!("CUIAutomation: {e}");
                msaa(hwnd);
                std::process::exit(3);
            }
        };
        let root = match uia.ElementFromHandle(hwnd) {
            Ok(r) => r,
            Err(e) => {
                println!("ElementFromHandle: {e}");
                std::process::exit(4);
            }
        };
        let walker = match uia.RawViewWalker() {
            Ok(w) => w,
            Err(e) => {
                println!("RawViewWalker: {e}");
                std::process::exit(5);
            }
        };
        dump(&walker, &root, 0);
    }
}

/// The MSAA view (oleacc), for where the UI Automation client is missing.
unsafe fn msaa(hwnd: windows::Win32::Foundation::HWND) {
    use windows::Win32::System::Variant::VARIANT;
    let mut object: Option<IAccessible> = None;
    let hr = unsafe {
        AccessibleObjectFromWindow(
            hwnd,
            windows::Win32::UI::WindowsAndMessaging::OBJID_CLIENT.0 as u32,
            &IAccessible::IID,
            &mut object as *mut _ as *mut _,
        )
    };
    println!("AccessibleObjectFromWindow: {hr:?}");
    let Some(acc) = object else { return };
    let me = VARIANT::from(0i32);
    let name = unsafe { acc.get_accName(&me) }.map(|n| n.to_string());
    let count = unsafe { acc.accChildCount() };
    println!("client object: name {name:?}, children {count:?}");
}
