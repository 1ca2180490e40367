//! The overlay pages, embedded in the binary (no CDN, no web fonts: OBS may be offline). Served only by
//! exact name from this table, so no request path can reach anything else.

/// `(URL path, content type, bytes)`.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "/",
        HTML,
        include_bytes!("../../../../resources/web/index.html"),
    ),
    (
        "/index.html",
        HTML,
        include_bytes!("../../../../resources/web/index.html"),
    ),
    (
        "/team.html",
        HTML,
        include_bytes!("../../../../resources/web/team.html"),
    ),
    (
        "/allies.html",
        HTML,
        include_bytes!("../../../../resources/web/allies.html"),
    ),
    (
        "/graph.html",
        HTML,
        include_bytes!("../../../../resources/web/graph.html"),
    ),
    (
        "/ahead.html",
        HTML,
        include_bytes!("../../../../resources/web/ahead.html"),
    ),
    (
        "/build.html",
        HTML,
        include_bytes!("../../../../resources/web/build.html"),
    ),
    (
        "/static/overlay.js",
        JS,
        include_bytes!("../../../../resources/web/static/overlay.js"),
    ),
    (
        "/static/overlay.css",
        CSS,
        include_bytes!("../../../../resources/web/static/overlay.css"),
    ),
];

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
pub const CSS: &str = "text/css; charset=utf-8";

/// The overlay pages a streamer adds to OBS (for the app's URL builder and the tests).
pub const PAGES: [&str; 5] = [
    "/team.html",
    "/allies.html",
    "/graph.html",
    "/ahead.html",
    "/build.html",
];

/// The embedded file at `path`: its content type and bytes.
pub fn get(path: &str) -> Option<(&'static str, &'static [u8])> {
    ASSETS
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|&(_, ctype, bytes)| (ctype, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_embedded_and_nothing_else_is_reachable() {
        for p in PAGES {
            let (ctype, bytes) = get(p).unwrap();
            assert!(ctype.starts_with("text/html") && !bytes.is_empty(), "{p}");
            let text = String::from_utf8_lossy(bytes);
            assert!(text.contains("/static/overlay.css"), "{p} loads the style");
            assert!(
                text.contains("/user.css"),
                "{p} loads the user's style after it"
            );
            assert!(!text.contains("https://"), "{p} must not need the internet");
        }
        for bad in [
            "/../Cargo.toml",
            "/static/../index.html",
            "/static/",
            "//etc/passwd",
            "/static/overlay.js/",
            "/STATIC/overlay.js",
        ] {
            assert!(get(bad).is_none(), "{bad}");
        }
    }
}
