//! `bar-live card` through the binary: a 1200×630 PNG from the demo recording; a bad file gets a clear
//! error and leaves no file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

mod common;

fn card(args: &[&str]) -> std::process::Output {
    common::run(&[&["card"], args].concat())
}

#[test]
fn card_writes_a_1200_by_630_png() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cards/demo.png");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/demo.barlive");
    let o = card(&[demo.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let png = std::fs::read(&out).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, at bytes 16..24.
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((w, h), (1200, 630));
    assert_eq!(
        std::fs::read_dir(out.parent().unwrap()).unwrap().count(),
        1,
        "no temporary left"
    );
}

#[test]
fn a_bad_file_gets_a_clear_error_and_no_card() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("garbage.barlive");
    std::fs::write(&bad, b"not a recording at all").unwrap();
    let out = dir.path().join("x.png");
    let o = card(&[bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("garbage.barlive"), "{err}");
    assert!(!out.exists());
}
