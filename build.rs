//! Embeds the icon and version information in the Windows executable.

fn main() {
    println!("cargo:rerun-if-changed=assets/icon.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let mut resource = winresource::WindowsResource::new();
    resource
        .set_icon("assets/icon.ico")
        .set("FileDescription", "Connect HYBRID Setup")
        .set("ProductName", "Connect HYBRID Setup")
        .set("OriginalFilename", "hybrid-setup.exe")
        .set("LegalCopyright", "MIT licence");
    if let Err(e) = resource.compile() {
        // Without windres the program still builds, only without its icon.
        println!("cargo:warning=cannot embed the Windows icon and version: {e}");
    }
}
