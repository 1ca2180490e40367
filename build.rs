//! Build script of the app: the git commit for `--version`, and on Windows targets the exe's icon and
//! version resource, made from the one source image `resources/icon.png` (the window icon uses it too).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rustc-env=BAR_LIVE_GIT_COMMIT={}", git_commit());
    println!("cargo:rerun-if-changed=resources/icon.png");
    println!("cargo:rerun-if-env-changed=BAR_LIVE_GIT_COMMIT");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        windows_resources();
    }
}

/// The short commit, `BAR_LIVE_GIT_COMMIT` when set (a source tarball), else "unknown" without git.
fn git_commit() -> String {
    if let Ok(c) = std::env::var("BAR_LIVE_GIT_COMMIT") {
        return c;
    }
    // Rebuild when HEAD moves: a checkout changes .git/HEAD, a commit the branch's ref file.
    if let Ok(head) = std::fs::read_to_string(".git/HEAD") {
        println!("cargo:rerun-if-changed=.git/HEAD");
        if let Some(r) = head.trim().strip_prefix("ref: ") {
            for f in [format!(".git/{r}"), ".git/packed-refs".to_owned()] {
                if Path::new(&f).exists() {
                    println!("cargo:rerun-if-changed={f}");
                }
            }
        }
    }
    let out = Command::new("git")
        .args(["rev-parse", "--short=10", "HEAD"])
        .output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        _ => "unknown".to_owned(),
    }
}

fn windows_resources() {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let png = std::fs::read("resources/icon.png").expect("resources/icon.png");
    let ico = out_dir.join("bar-live.ico");
    std::fs::write(&ico, ico_from_png(&png)).expect("write the .ico");
    let mut res = winresource::WindowsResource::new();
    res.set_icon(ico.to_str().expect("OUT_DIR is UTF-8"))
        .set("ProductName", "bar-live")
        .set(
            "FileDescription",
            "bar-live: live game data from Beyond All Reason",
        )
        .set("LegalCopyright", "MIT License, the bar-live developers");
    if let Err(e) = res.compile() {
        // The exe still works without its icon; say so loudly instead of failing the build.
        println!("cargo:warning=no icon in the exe: the resource compiler failed: {e}");
    }
}

/// An .ico holding one PNG image (Windows Vista and later read PNG entries; 256 px is stored as 0).
fn ico_from_png(png: &[u8]) -> Vec<u8> {
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "icon.png is not a PNG"
    );
    let be = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    let (w, h) = (be(16), be(20));
    assert!(w <= 256 && h <= 256, "icon.png is larger than 256 px");
    let dim = |v: u32| if v == 256 { 0 } else { v as u8 };
    let mut ico = Vec::with_capacity(22 + png.len());
    ico.extend_from_slice(&[0, 0, 1, 0, 1, 0]); // reserved, type 1 (icon), one image
    ico.extend_from_slice(&[dim(w), dim(h), 0, 0]); // size, no palette, reserved
    ico.extend_from_slice(&1u16.to_le_bytes()); // colour planes
    ico.extend_from_slice(&32u16.to_le_bytes()); // bits per pixel
    ico.extend_from_slice(&(png.len() as u32).to_le_bytes());
    ico.extend_from_slice(&22u32.to_le_bytes()); // offset of the image
    ico.extend_from_slice(png);
    ico
}
