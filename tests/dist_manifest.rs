//! The widget folder for BAR's lobby Widgets manager, as `scripts/widget-folder.sh` writes it (and
//! `scripts/dist.sh` ships it): `Widgets/community/<id>/` with `<id>.lua`, `manifest.json`, `README.md`
//! and `cover.png`. The manifest's values are read here from the widget's source independently of the
//! script, so a manifest that drifts from the widget fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

const KEYS: [&str; 8] = [
    "id",
    "version",
    "display_name",
    "author",
    "discord_link",
    "github_link",
    "description",
    "last_updated",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the generator into `dest` with a clean environment for its inputs plus `envs`.
fn run_generator(dest: &Path, envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/widget-folder.sh")).arg(dest);
    for var in [
        "SOURCE_DATE_EPOCH",
        "WIDGET_SOURCE",
        "WIDGET_DISCORD_LINK",
        "WIDGET_GITHUB_LINK",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(envs.iter().copied());
    cmd.output().expect("bash runs")
}

fn generate(dest: &Path, envs: &[(&str, &str)]) -> PathBuf {
    let out = run_generator(dest, envs);
    assert!(
        out.status.success(),
        "widget-folder.sh failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    dest.join("Widgets/community/bar_live_export")
}

fn manifest(folder: &Path) -> Map<String, Value> {
    let text = std::fs::read_to_string(folder.join("manifest.json")).unwrap();
    match serde_json::from_str::<Value>(&text).expect("manifest.json is JSON") {
        Value::Object(map) => map,
        other => panic!("manifest.json is not an object: {other}"),
    }
}

fn string<'a>(m: &'a Map<String, Value>, key: &str) -> &'a str {
    m.get(key)
        .unwrap_or_else(|| panic!("manifest has no {key}"))
        .as_str()
        .unwrap_or_else(|| panic!("manifest's {key} is not a string: {}", m[key]))
}

/// The value of `local WIDGET_VERSION = "..."`.
fn lua_widget_version(source: &str) -> String {
    let line = source
        .lines()
        .find(|l| {
            let l = l.trim_start();
            l.starts_with("local ")
                && l["local ".len()..]
                    .trim_start()
                    .starts_with("WIDGET_VERSION")
        })
        .expect("the widget declares WIDGET_VERSION");
    let (_, rest) = line.split_once('=').expect("WIDGET_VERSION = ...");
    let rest = rest.trim();
    let inner = rest.strip_prefix('"').expect("WIDGET_VERSION is a string");
    inner[..inner.find('"').expect("closing quote")].to_string()
}

/// A string field (`key = "..."`) of the table `widget:GetInfo()` returns.
fn lua_getinfo(source: &str, key: &str) -> String {
    let start = source
        .find("function widget:GetInfo()")
        .expect("the widget has GetInfo");
    let body = &source[start..];
    let body = &body[..body.find("\nend").expect("GetInfo ends")];
    for line in body.lines() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if k.trim() != key {
            continue;
        }
        let v = v.trim().trim_end_matches(',');
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or_else(|| panic!("GetInfo's {key} is not a plain string: {v}"));
        return v.replace("\\\"", "\"").replace("\\\\", "\\");
    }
    panic!("GetInfo has no {key}");
}

/// Seconds since 1970 of an ISO 8601 date and time with a zone
/// (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`), or why it is not one.
fn parse_iso8601(s: &str) -> Result<i64, String> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Result<i64, String> {
        let part = s.get(from..from + len).ok_or("too short")?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return Err(format!("'{part}' is not a number"));
        }
        Ok(part.parse::<i64>().unwrap())
    };
    let sep = |at: usize, c: u8| -> Result<(), String> {
        if b.get(at) == Some(&c) {
            Ok(())
        } else {
            Err(format!("expected '{}' at {at}", c as char))
        }
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    sep(4, b'-')?;
    sep(7, b'-')?;
    sep(10, b'T')?;
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    sep(13, b':')?;
    sep(16, b':')?;
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Err("empty fraction".into());
        }
        i += digits;
    }
    let offset = match b.get(i) {
        Some(b'Z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if i + 6 == b.len() => {
            sep(i + 3, b':')?;
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if oh > 23 || om > 59 {
                return Err("bad zone offset".into());
            }
            let o = oh * 3600 + om * 60;
            if sign == b'+' { o } else { -o }
        }
        _ => return Err("no zone (Z or ±HH:MM) at the end".into()),
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month) {
        return Err(format!("month {month}"));
    }
    if day < 1 || day > days_in_month[(month - 1) as usize] {
        return Err(format!("day {day} of month {month}"));
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err(format!("time {hour}:{minute}:{second}"));
    }
    // Days since 1970-01-01 (the civil-from-days inverse, proleptic Gregorian).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn iso8601_parser_accepts_and_refuses() {
    assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Ok(0));
    assert_eq!(parse_iso8601("1970-01-01T00:00:00.000Z"), Ok(0));
    assert_eq!(parse_iso8601("2000-03-01T00:00:00Z"), Ok(951_868_800));
    assert_eq!(
        parse_iso8601("2026-08-01T02:00:00+02:00"),
        Ok(1_785_542_400)
    );
    for bad in [
        "",
        "2026-08-01",
        "2026-08-01 00:00:00Z",
        "2026-08-01T00:00:00",
        "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z",
        "2026-08-01T24:00:00Z",
        "2026-08-01T00:00:00.Z",
        "2026-08-01T00:00:00Zx",
        "2026-8-01T00:00:00Z",
    ] {
        assert!(parse_iso8601(bad).is_err(), "accepted {bad:?}");
    }
}

/// The folder made from the real widget: every file, and a manifest that agrees with the widget.
#[test]
fn the_widget_folder_matches_the_widget() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = generate(tmp.path(), &[]);
    let source_path = root().join("widget/bar_live_export.lua");
    let source = std::fs::read_to_string(&source_path).unwrap();

    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let id = folder.file_name().unwrap().to_str().unwrap();
    let mut expected = vec![
        format!("{id}.lua"),
        "README.md".to_string(),
        "cover.png".to_string(),
        "manifest.json".to_string(),
    ];
    expected.sort();
    assert_eq!(names, expected, "files in {}", folder.display());
    assert_eq!(
        folder.parent().unwrap(),
        tmp.path().join("Widgets/community"),
        "the folder sits in Widgets/community/"
    );

    // The widget is shipped byte for byte.
    assert_eq!(
        std::fs::read(folder.join(format!("{id}.lua"))).unwrap(),
        source.as_bytes(),
        "the shipped widget differs from widget/bar_live_export.lua"
    );

    let m = manifest(&folder);
    let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
    keys.sort();
    let mut want = KEYS.to_vec();
    want.sort();
    assert_eq!(keys, want, "the manifest's keys");
    for key in KEYS {
        string(&m, key);
    }
    assert_eq!(string(&m, "id"), id, "id is the folder's name");
    assert_eq!(
        Path::new(&format!("{}.lua", string(&m, "id"))),
        source_path.file_name().unwrap(),
        "id is the widget file's name"
    );
    let version = lua_widget_version(&source);
    assert_eq!(string(&m, "version"), version, "version is WIDGET_VERSION");
    let parts: Vec<&str> = version.split('.').collect();
    assert!(
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit())),
        "WIDGET_VERSION {version:?} is not MAJOR.MINOR.PATCH"
    );
    assert_eq!(
        string(&m, "display_name"),
        lua_getinfo(&source, "name"),
        "display_name is GetInfo's name"
    );
    assert_eq!(string(&m, "display_name"), "Live Data Export");
    assert_eq!(string(&m, "author"), lua_getinfo(&source, "author"));
    assert_eq!(string(&m, "description"), lua_getinfo(&source, "desc"));
    assert!(!string(&m, "author").is_empty());
    assert!(!string(&m, "description").is_empty());
    for key in ["discord_link", "github_link"] {
        let link = string(&m, key);
        assert!(
            link.is_empty() || link.starts_with("https://"),
            "{key} is neither empty nor a link: {link}"
        );
    }
    let t = parse_iso8601(string(&m, "last_updated"))
        .unwrap_or_else(|e| panic!("last_updated {:?}: {e}", string(&m, "last_updated")));
    assert!(
        t > parse_iso8601("2025-01-01T00:00:00Z").unwrap() && t <= now() + 60,
        "last_updated {} is not a plausible time",
        string(&m, "last_updated")
    );

    // The cover is a PNG of a sensible size and shape.
    let png = std::fs::read(folder.join("cover.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "cover.png is a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert!(
        (256..=1920).contains(&w) && h > 0 && w > h,
        "cover.png is {w}x{h}"
    );
    assert!(png.len() < 512 * 1024, "cover.png is {} bytes", png.len());
    let readme = std::fs::read_to_string(folder.join("README.md")).unwrap();
    assert!(readme.contains("Live Data Export") && readme.contains("bar-live"));
}

/// Another widget source: the manifest follows it, escapes what JSON needs, and takes the time and
/// the links it is given.
#[test]
fn the_manifest_follows_the_source_and_escapes() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("w.lua");
    std::fs::write(
        &src,
        concat!(
            "function widget:GetInfo()\n",
            "\treturn {\n",
            "\t\tname    = \"Odd \\\"Name\\\" \\\\ here\",\n",
            "\t\tdesc    = \"Tabs\tand quotes \\\"q\\\"\", -- a comment\n",
            "\t\tauthor  = \"Jürgen\",\n",
            "\t\tenabled = false,\n",
            "\t}\n",
            "end\n",
            "local WIDGET_VERSION   = \"7.8.9\"\n",
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let folder = generate(
        &out,
        &[
            ("WIDGET_SOURCE", src.to_str().unwrap()),
            ("SOURCE_DATE_EPOCH", "951868800"),
            (
                "WIDGET_GITHUB_LINK",
                "https://github.com/beyond-all-reason/BAR-Widgets/pull/1",
            ),
        ],
    );
    let m = manifest(&folder);
    assert_eq!(string(&m, "version"), "7.8.9");
    assert_eq!(string(&m, "display_name"), "Odd \"Name\" \\ here");
    assert_eq!(string(&m, "description"), "Tabs\tand quotes \"q\"");
    assert_eq!(string(&m, "author"), "Jürgen");
    assert_eq!(string(&m, "last_updated"), "2000-03-01T00:00:00.000Z");
    assert_eq!(
        string(&m, "github_link"),
        "https://github.com/beyond-all-reason/BAR-Widgets/pull/1"
    );
    assert_eq!(string(&m, "discord_link"), "");
    assert_eq!(
        std::fs::read(folder.join("bar_live_export.lua")).unwrap(),
        std::fs::read(&src).unwrap()
    );
}

/// A widget without WIDGET_VERSION or without a GetInfo name makes no folder and fails.
#[test]
fn a_widget_without_version_or_name_fails() {
    let tmp = tempfile::tempdir().unwrap();
    for (what, text) in [
        (
            "WIDGET_VERSION",
            "function widget:GetInfo()\n\treturn {\n\t\tname = \"N\",\n\t\tdesc = \"D\",\n\t\tauthor = \"A\",\n\t}\nend\n",
        ),
        (
            "name",
            "function widget:GetInfo()\n\treturn {\n\t\tdesc = \"D\",\n\t\tauthor = \"A\",\n\t}\nend\nlocal WIDGET_VERSION = \"1.0.0\"\n",
        ),
    ] {
        let src = tmp.path().join(format!("{what}.lua"));
        std::fs::write(&src, text).unwrap();
        let dest = tmp.path().join(format!("out-{what}"));
        let out = run_generator(&dest, &[("WIDGET_SOURCE", src.to_str().unwrap())]);
        assert!(
            !out.status.success(),
            "a widget without {what} was accepted"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(what), "the error does not name {what}: {err}");
        assert!(
            !dest
                .join("Widgets/community/bar_live_export/manifest.json")
                .exists(),
            "a manifest was written for a widget without {what}"
        );
    }
}
