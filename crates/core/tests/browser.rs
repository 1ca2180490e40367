//! Every overlay page in a real browser (Debian's headless `chromium`, driven over the DevTools
//! protocol with tungstenite) against a simulated game: the numbers in the DOM must equal the store's.
//!
//! A page fed by a live stream never finishes loading, so the test does not wait for "load": it polls
//! the page's `data-state` until it is `live`, then reads the DOM. With `BAR_LIVE_SCREENSHOT_DIR` set it
//! also saves each page as a transparent PNG there (`scripts/screenshots.sh` composites them over a
//! game-like background). Without chromium the test is skipped, unless `BAR_LIVE_REQUIRE_CHROMIUM` is
//! set (`scripts/test.sh` sets it, so CI fails instead of skipping).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bar_live_core::live::{RecordPolicy, Session};
use bar_live_core::net::NetEvent;
use bar_live_core::protocol::{WidgetMessage, decode_widget, encode_widget};
use bar_live_core::sim::{SimGame, SimOptions};
use bar_live_core::web::snapshot::{self, Query, Snapshot};
use bar_live_core::web::{WebConfig, WebServer};
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

const CHROMIUM: &str = "/usr/bin/chromium";

/// A session holding a whole simulated game (6 teams in 3 ally teams), its updates spread over the
/// last minutes of wall time, so the pages show a settled game.
fn game_session() -> Arc<Mutex<Session>> {
    let mut s = Session::new(RecordPolicy {
        enabled: false,
        dir: "/nonexistent".into(),
        keep_last: 0,
    });
    let minutes = 8.0;
    let msgs: Vec<WidgetMessage> = SimGame::new(SimOptions {
        teams: 6,
        minutes,
        seed: 4,
        ..SimOptions::default()
    })
    .play_out();
    let now = bar_live_core::time::unix_ms();
    let mut game_s = 0.0;
    let mut actions = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        if let WidgetMessage::Update(u) = m {
            game_s = u.game_seconds;
        }
        let payload = encode_widget(m, i as u64 + 1);
        s.handle(
            NetEvent::Message {
                conn: 1,
                received_unix_ms: now - ((minutes * 60.0 - game_s) * 1000.0) as u64,
                payload: Arc::from(payload.as_slice()),
                message: Box::new(decode_widget(&payload).unwrap()),
            },
            &mut actions,
        );
    }
    Arc::new(Mutex::new(s))
}

struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    ws: WebSocket<TcpStream>,
    next_id: u64,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http_get(port: u16, path: &str, method: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default()
}

impl Browser {
    fn launch() -> Option<Browser> {
        if !Path::new(CHROMIUM).exists() {
            assert!(
                std::env::var_os("BAR_LIVE_REQUIRE_CHROMIUM").is_none(),
                "{CHROMIUM} is missing (apt-get install chromium)"
            );
            eprintln!("skipped: {CHROMIUM} is not installed");
            return None;
        }
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                "--window-size=800,450",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Chromium writes the port it chose into the profile.
        let port_file = profile.path().join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(30);
        let port: u16 = loop {
            if let Some(p) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|t| t.lines().next().and_then(|l| l.trim().parse().ok()))
            {
                break p;
            }
            assert!(Instant::now() < deadline, "chromium did not start");
            std::thread::sleep(Duration::from_millis(100));
        };
        let target: Value = serde_json::from_str(&http_get(port, "/json/new?about:blank", "PUT"))
            .expect("a new tab");
        let url = target["webSocketDebuggerUrl"].as_str().unwrap().to_owned();
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let (ws, _) = tungstenite::client(url, stream).unwrap();
        Some(Browser {
            child,
            _profile: profile,
            ws,
            next_id: 1,
        })
    }

    /// Sends one DevTools command and returns its result (events in between are skipped).
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({"id": id, "method": method, "params": params});
        self.ws.send(Message::text(msg.to_string())).unwrap();
        loop {
            if let Message::Text(t) = self.ws.read().unwrap() {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["id"] == id {
                    assert!(v["error"].is_null(), "{method}: {}", v["error"]);
                    return v["result"].clone();
                }
            }
        }
    }

    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    /// Opens `url` and waits until the page says it is live.
    fn open_live(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state = self.eval(
                "(document.getElementById('bl-root') || {getAttribute(){return null}}).getAttribute('data-state')",
            );
            if state == "live" {
                // One more update cycle, so every element has its value.
                std::thread::sleep(Duration::from_millis(1200));
                return;
            }
            assert!(Instant::now() < deadline, "{url} never went live ({state})");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn screenshot(&mut self, path: &Path) {
        self.call(
            "Emulation.setDefaultBackgroundColorOverride",
            json!({"color": {"r": 0, "g": 0, "b": 0, "a": 0}}),
        );
        let shot = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let png = base64_decode(shot["data"].as_str().unwrap());
        std::fs::write(path, png).unwrap();
    }
}

/// The overlay pages of `session` on a loopback port, without delay: the server and the pages' base URL.
fn serve(session: &Arc<Mutex<Session>>) -> (WebServer, String) {
    let web = WebServer::start(
        WebConfig {
            listen: "127.0.0.1:0".into(),
            default_delay_s: 0.0,
            user_css: None,
        },
        Arc::clone(session),
    )
    .unwrap();
    let base = format!("http://{}", web.local_addr());
    (web, base)
}

/// Where the pages' screenshots go (`BAR_LIVE_SCREENSHOT_DIR`, for scripts/screenshots.sh), if anywhere.
fn shots_dir() -> Option<PathBuf> {
    std::env::var_os("BAR_LIVE_SCREENSHOT_DIR").map(PathBuf::from)
}

/// The snapshot the pages show now, without delay.
fn snapshot_now(session: &Arc<Mutex<Session>>) -> Snapshot {
    let s = session.lock().unwrap();
    snapshot::build(
        &s,
        &Query::parse("delay=0", 0.0),
        bar_live_core::time::unix_ms(),
        false,
    )
}

/// Polls a DOM expression until it equals `want` (20 s at most).
fn wait_until(browser: &mut Browser, expression: &str, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = browser.eval(expression);
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{expression} stayed {got}, wanted {want}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = s.bytes().filter_map(val).collect();
    digits
        .chunks(4)
        .flat_map(|c| {
            let n = c.iter().fold(0u32, |acc, &d| (acc << 6) | u32::from(d)) << (6 * (4 - c.len()));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes[..c.len().saturating_sub(1)].to_vec()
        })
        .collect()
}

/// Every number the page shows: (team or ally, id, metric, value) from `[data-metric][data-value]`.
const READ_VALUES: &str = r#"JSON.stringify(Array.from(document.querySelectorAll('[data-metric][data-value]')).map(e => ({
  team: e.getAttribute('data-team'), ally: e.getAttribute('data-ally'),
  metric: e.getAttribute('data-metric'), value: e.getAttribute('data-value'),
  hidden: e.classList.contains('bl-hidden')})))"#;

/// The store's value for one DOM element, from the snapshot at the page's game time.
fn expected(snap: &Snapshot, el: &Value) -> Option<f64> {
    let metric = el["metric"].as_str().unwrap();
    if let Some(team) = el["team"].as_str() {
        let id: u32 = team.parse().unwrap();
        snap.teams.iter().find(|t| t.team_id == id).unwrap().values[metric]
    } else {
        let id: u32 = el["ally"].as_str().unwrap().parse().unwrap();
        snap.allies
            .iter()
            .find(|a| a.ally_team_id == id)
            .unwrap()
            .values[metric]
    }
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs Linux Chromium (/usr/bin/chromium); the pages it checks are served the same on Windows"
)]
fn every_page_shows_the_stores_values() {
    let session = game_session();
    let Some(mut browser) = Browser::launch() else {
        return;
    };
    let (web, base) = serve(&session);
    let shots = shots_dir();
    let pages = [
        ("team", "/team.html?team=me"),
        ("allies", "/allies.html"),
        (
            "graph",
            "/graph.html?metrics=army_value,metal_income&minutes=8",
        ),
        ("ahead", "/ahead.html"),
    ];
    let want = snapshot_now(&session);
    for (name, path) in pages {
        browser.open_live(&format!("{base}{path}"));
        let shown_t: f64 = browser
            .eval("document.getElementById('bl-root').getAttribute('data-game-seconds')")
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            shown_t, want.game_seconds,
            "{name} shows the store's game time"
        );
        let els: Vec<Value> =
            serde_json::from_str(browser.eval(READ_VALUES).as_str().unwrap()).unwrap();
        let visible: Vec<&Value> = els.iter().filter(|e| e["hidden"] != true).collect();
        assert!(!visible.is_empty(), "{name} shows numbers");
        for el in &visible {
            let shown = el["value"].as_str().unwrap();
            let store = expected(&want, el);
            match store {
                Some(v) => {
                    let got: f64 = shown.parse().unwrap_or(f64::NAN);
                    assert!(
                        (got - v).abs() <= 1e-6 * v.abs().max(1.0),
                        "{name}: {el} shows {shown}, the store has {v}"
                    );
                }
                None => assert_eq!(shown, "", "{name}: {el}"),
            }
        }
        if name == "ahead" {
            // Shares are each ally team's part of the total.
            let shares: Vec<Value> = serde_json::from_str(
                browser
                    .eval("JSON.stringify(Array.from(document.querySelectorAll('[data-share]')).map(e => [e.getAttribute('data-ally'), e.getAttribute('data-metric'), e.getAttribute('data-share')]))")
                    .as_str()
                    .unwrap(),
            )
            .unwrap();
            assert!(!shares.is_empty());
            for s in shares {
                let (ally, metric) = (s[0].as_str().unwrap(), s[1].as_str().unwrap());
                let share: f64 = s[2].as_str().unwrap().parse().unwrap();
                let value = |a: &bar_live_core::web::snapshot::AllyView| {
                    a.values[metric].unwrap_or(0.0).max(0.0)
                };
                let total: f64 = want.allies.iter().map(value).sum();
                let mine = want
                    .allies
                    .iter()
                    .find(|a| a.ally_team_id.to_string() == ally)
                    .map(value)
                    .unwrap();
                assert!((share - mine / total).abs() < 1e-5, "{ally} {metric}");
            }
        }
        // Transparent background: the page itself paints nothing behind its text.
        let bg = browser.eval("getComputedStyle(document.body).backgroundColor");
        assert!(
            bg == "rgba(0, 0, 0, 0)" || bg == "transparent",
            "{name} background {bg}"
        );
        // No tournament switch: no "DELAYED" badge.
        assert_eq!(
            browser.eval("document.querySelectorAll('.bl-delayed-badge, .bl-delayed').length"),
            0,
            "{name}"
        );
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir).unwrap();
            browser.screenshot(&dir.join(format!("overlay-{name}.png")));
        }
    }
    // The app restarts: the page notices, keeps its values, and comes back by itself.
    browser.open_live(&format!("{base}/team.html"));
    let addr = web.local_addr();
    drop(web);
    let state = "document.getElementById('bl-root').getAttribute('data-state')";
    wait_until(&mut browser, state, "connecting");
    let kept: Vec<Value> =
        serde_json::from_str(browser.eval(READ_VALUES).as_str().unwrap()).unwrap();
    assert!(
        kept.iter()
            .any(|e| e["value"].as_str().is_some_and(|v| !v.is_empty())),
        "the last values stay on screen while reconnecting"
    );
    let web = WebServer::start(
        WebConfig {
            listen: addr.to_string(),
            default_delay_s: 0.0,
            user_css: None,
        },
        Arc::clone(&session),
    )
    .unwrap();
    wait_until(&mut browser, state, "live");
    // Pages navigated away from close their socket; the server lets their threads go.
    let deadline = Instant::now() + Duration::from_secs(5);
    while web.ws_clients() > 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        web.ws_clients() <= 1,
        "{} pages still connected",
        web.ws_clients()
    );
}

/// Each build order column of `build.html`, with the game time the page shows, read in one go (the page
/// may apply an update between two reads).
const READ_BUILD: &str = r#"JSON.stringify({
  t: document.getElementById('bl-root').getAttribute('data-game-seconds'),
  cols: Array.from(document.querySelectorAll('.bl-build')).map(c => ({
    team: c.getAttribute('data-team-id'),
    total: c.getAttribute('data-total'),
    name: c.querySelector('.bl-team-name').textContent,
    color: c.style.getPropertyValue('--bl-team-color'),
    items: Array.from(c.querySelectorAll('.bl-build-item')).map(i => [i.getAttribute('data-part'),
      i.querySelector('.bl-build-time').textContent, i.querySelector('.bl-build-unit').textContent]),
    more: Array.from(c.querySelectorAll('.bl-build-more')).map(m => [m.getAttribute('data-more'), m.textContent]),
    headings: Array.from(c.querySelectorAll('.bl-build-heading')).map(h => h.textContent),
    empty: Array.from(c.querySelectorAll('.bl-build-empty')).map(e => e.textContent)}))})"#;

/// Game time as the pages write it: m:ss (h:mm:ss from an hour), whole seconds rounded down.
fn game_time(s: f64) -> String {
    let s = s.max(0.0).floor() as u64;
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{sec:02}")
    } else {
        format!("{m}:{sec:02}")
    }
}

/// What `build.html` must show for `team` at game time `g`, straight from the store's build orders:
/// (total, [(part, m:ss, unit name)], units between the opening and the latest).
fn expected_build(
    session: &Mutex<Session>,
    team: u32,
    g: f64,
    opening: usize,
    recent: usize,
) -> (usize, Vec<(String, String, String)>, usize) {
    let s = session.lock().unwrap();
    let orders = s.store.insight().build_orders();
    let done: Vec<_> = orders
        .team(team)
        .iter()
        .filter(|i| i.game_seconds <= g + 1e-9)
        .collect();
    let first = &done[..done.len().min(opening)];
    let rest = &done[first.len()..];
    let last = &rest[rest.len().saturating_sub(recent)..];
    let line = |part: &str, i: &&bar_live_core::game::BuildItem| {
        (
            part.to_owned(),
            game_time(i.game_seconds),
            orders.unit_name(i.def),
        )
    };
    let items = first
        .iter()
        .map(|i| line("opening", i))
        .chain(last.iter().map(|i| line("recent", i)))
        .collect();
    (done.len(), items, rest.len() - last.len())
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs Linux Chromium (/usr/bin/chromium); the pages it checks are served the same on Windows"
)]
fn the_build_order_page_shows_the_stores_build_orders() {
    let session = game_session();
    let Some(mut browser) = Browser::launch() else {
        return;
    };
    let (_web, base) = serve(&session);
    let shots = shots_dir();
    let now = snapshot_now(&session);
    // The teams with the longest build orders, so the lists overflow into "… N more".
    let mut ids: Vec<u32> = now.teams.iter().map(|t| t.team_id).collect();
    {
        let s = session.lock().unwrap();
        let orders = s.store.insight().build_orders();
        ids.sort_by_key(|&id| std::cmp::Reverse(orders.team(id).len()));
        assert!(
            orders.team(ids[1]).len() > 30,
            "the simulated teams build more than an opening and a latest list"
        );
    }
    // The largest delay at which the game is already shown: its first seconds, before any unit is finished.
    let early_delay = (0..=600u32)
        .rev()
        .find(|d| {
            let s = session.lock().unwrap();
            let q = Query::parse(&format!("delay={d}"), 0.0);
            snapshot::build(&s, &q, bar_live_core::time::unix_ms(), false).state == "live"
        })
        .unwrap();
    let (a, b) = (ids[0], ids[1]);
    let pages = [
        // (screenshot name, URL, teams shown, opening, latest); the delayed page first, while its
        // shown time is still seconds before the first unit.
        (
            "build-empty",
            format!("/build.html?team={b}&delay={early_delay}"),
            vec![b],
            12,
            6,
        ),
        ("build", format!("/build.html?team={a}"), vec![a], 12, 6),
        (
            "build-versus",
            format!("/build.html?team={a},{b}&opening=4&recent=3"),
            vec![a, b],
            4,
            3,
        ),
    ];
    let mut saw_empty = false;
    for (name, path, teams, opening, recent) in pages {
        browser.open_live(&format!("{base}{path}"));
        wait_until(
            &mut browser,
            "String(document.querySelectorAll('.bl-build-item, .bl-build-empty').length > 0)",
            "true",
        );
        let shown: Value =
            serde_json::from_str(browser.eval(READ_BUILD).as_str().unwrap()).unwrap();
        let g: f64 = shown["t"].as_str().unwrap().parse().unwrap();
        let cols = shown["cols"].as_array().unwrap();
        let ids: Vec<&str> = cols.iter().map(|c| c["team"].as_str().unwrap()).collect();
        let want_ids: Vec<String> = teams.iter().map(u32::to_string).collect();
        assert_eq!(
            ids, want_ids,
            "{path}: one column per team, in the URL's order"
        );
        for (col, &team) in cols.iter().zip(&teams) {
            let view = now.teams.iter().find(|t| t.team_id == team).unwrap();
            assert_eq!(col["name"], view.name.as_str(), "{path}: the team's name");
            assert_eq!(col["color"], view.color.as_str(), "{path}: in its colour");
            let (total, items, more) = expected_build(&session, team, g, opening, recent);
            assert_eq!(
                col["total"],
                total.to_string(),
                "{path}: team {team} at {g}"
            );
            let got: Vec<(String, String, String)> =
                serde_json::from_value(col["items"].clone()).unwrap();
            assert_eq!(got, items, "{path}: team {team}'s units at {g}");
            if total == 0 {
                saw_empty = true;
                assert_eq!(col["empty"], json!(["No units finished yet"]), "{path}");
                continue;
            }
            assert_eq!(col["empty"], json!([]), "{path}");
            let want_more = if more > 0 {
                json!([[more.to_string(), format!("\u{2026} {more} more")]])
            } else {
                json!([])
            };
            assert_eq!(col["more"], want_more, "{path}: team {team} at {g}");
            let latest = items.iter().any(|i| i.0 == "recent");
            let headings = if latest {
                json!(["Opening", "Latest"])
            } else {
                json!(["Opening"])
            };
            assert_eq!(col["headings"], headings, "{path}");
        }
        if name == "build" {
            // With delay 0 the page shows the newest game time, so its whole opening.
            assert_eq!(g, now.game_seconds);
            assert_eq!(cols[0]["items"].as_array().unwrap().len(), 12 + 6);
        }
        if name == "build-versus" {
            assert!(
                cols.iter().all(|c| c["more"] != json!([])),
                "opening=4&recent=3 reach the server: both teams have more than 7 units"
            );
        }
        let bg = browser.eval("getComputedStyle(document.body).backgroundColor");
        assert!(
            bg == "rgba(0, 0, 0, 0)" || bg == "transparent",
            "{path} background {bg}"
        );
        assert_eq!(
            browser.eval("document.querySelectorAll('.bl-delayed-badge, .bl-delayed').length"),
            0,
            "{path}: no tournament switch, no badge"
        );
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir).unwrap();
            browser.screenshot(&dir.join(format!("overlay-{name}.png")));
        }
    }
    assert!(
        saw_empty,
        "the delayed page showed the game before its first unit was finished"
    );
}

/// The tournament badge, its text and where it sits: `[text or null, badge above the content and inside
/// the page, root state]`.
const READ_BADGE: &str = r#"(() => {
  const root = document.getElementById('bl-root');
  const b = root.querySelector('.bl-delayed-badge');
  const c = root.querySelector('.bl-content');
  let clear = null;
  if (b) {
    const br = b.getBoundingClientRect();
    const first = c.firstElementChild;
    // nothing shown below it overlaps it, and it is on screen
    clear = br.height > 0 && br.top >= 0 && br.bottom <= innerHeight && br.right <= innerWidth &&
      (!first || first.getBoundingClientRect().top >= br.bottom - 0.5) &&
      Array.from(c.querySelectorAll('*')).every(e => { const r = e.getBoundingClientRect();
        return r.width === 0 || r.height === 0 || r.top >= br.bottom - 0.5; });
  }
  return JSON.stringify([b ? b.textContent : null, clear, root.getAttribute('data-state'),
    root.classList.contains('bl-delayed')]);
})()"#;

#[test]
#[cfg_attr(
    windows,
    ignore = "needs Linux Chromium (/usr/bin/chromium); the pages it checks are served the same on Windows"
)]
fn every_page_shows_the_tournament_badge_while_the_switch_is_on() {
    let session = game_session();
    // The tournament switch: every page is held 120 s behind and told so. The simulated game's updates
    // were received over the last 8 minutes (wall clock), so at 120 s the pages show a live game.
    session.lock().unwrap().set_delay_everything(Some(120.0));
    let Some(mut browser) = Browser::launch() else {
        return;
    };
    let (_web, base) = serve(&session);
    let shots = shots_dir();
    let badge = |browser: &mut Browser| -> Value {
        serde_json::from_str(browser.eval(READ_BADGE).as_str().unwrap()).unwrap()
    };
    for (name, path) in [
        ("team", "/team.html?team=me"),
        ("build", "/build.html?team=me"),
        ("allies", "/allies.html"),
        (
            "graph",
            "/graph.html?metrics=army_value,metal_income&minutes=8",
        ),
        ("ahead", "/ahead.html"),
    ] {
        browser.open_live(&format!("{base}{path}"));
        let b = badge(&mut browser);
        assert_eq!(b, json!(["DELAYED 2:00", true, "live", true]), "{path}");
        // The data is still there, below the badge: the page shows numbers (or units).
        let shown = browser.eval(
            "document.querySelectorAll('.bl-content [data-value], .bl-content .bl-build-item').length",
        );
        assert!(shown.as_u64().unwrap() > 0, "{path} shows its data");
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir).unwrap();
            browser.screenshot(&dir.join(format!("overlay-{name}-delayed.png")));
        }
    }
    // A page whose own delay is longer than the game so far waits, and says it is delayed meanwhile.
    for path in ["/team.html?delay=600", "/build.html?delay=600"] {
        browser.call("Page.navigate", json!({"url": format!("{base}{path}")}));
        wait_until(
            &mut browser,
            "document.getElementById('bl-root').getAttribute('data-state')",
            "waiting",
        );
        let b = badge(&mut browser);
        assert_eq!(b[0], "DELAYED 2:00", "{path} while waiting");
        assert_eq!(b[2], "waiting", "{path}");
        let waiting = browser.eval(
            "getComputedStyle(document.querySelector('.bl-waiting')).display + ' ' + document.querySelector('.bl-waiting').textContent",
        );
        assert_eq!(waiting, "block waiting for game", "{path}");
    }
    // Switched off while a page is open: the next update (the shown time jumps to now) drops the badge;
    // switched on again (time goes back: a new snapshot), it returns.
    browser.open_live(&format!("{base}/team.html"));
    let text = "String((document.querySelector('.bl-delayed-badge') || {}).textContent)";
    wait_until(&mut browser, text, "DELAYED 2:00");
    session.lock().unwrap().set_delay_everything(None);
    wait_until(&mut browser, text, "undefined");
    assert_eq!(
        browser.eval("document.getElementById('bl-root').classList.contains('bl-delayed')"),
        false
    );
    session.lock().unwrap().set_delay_everything(Some(90.0));
    wait_until(&mut browser, text, "DELAYED 1:30");
}

/// The "Army value by role" numbers a page shows: `[team or ally, id, role, data-value, text]`, and the
/// words of the blocks.
const READ_ROLES: &str = r#"JSON.stringify({
  values: Array.from(document.querySelectorAll('.bl-roles [data-role][data-value]')).map(e => [
    e.hasAttribute('data-team') ? 'team' : 'ally', e.getAttribute('data-team') || e.getAttribute('data-ally'),
    e.getAttribute('data-role'), e.getAttribute('data-value'), e.textContent]),
  words: Array.from(document.querySelectorAll('.bl-roles')).map(b => b.textContent),
  heads: Array.from(document.querySelectorAll('.bl-table th.bl-label')).map(h => h.textContent)})"#;

#[test]
#[cfg_attr(
    windows,
    ignore = "needs Linux Chromium (/usr/bin/chromium); the pages it checks are served the same on Windows"
)]
fn the_role_split_shows_army_and_defence_in_words() {
    let session = game_session();
    let Some(mut browser) = Browser::launch() else {
        return;
    };
    let (_web, base) = serve(&session);
    let shots = shots_dir();
    let want = snapshot_now(&session);
    // A role's value: the sum of its known tech levels (null when none is known).
    let sum = |values: &snapshot::Values, role: &str| -> Option<f64> {
        let keys = match role {
            "army" => ["army_t1_value", "army_t2_value", "army_t3_value"],
            "defence" => ["defense_t1_value", "defense_t2_value", "defense_t3_value"],
            _ => panic!("unknown role {role}"),
        };
        keys.iter()
            .filter_map(|k| values[k])
            .fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
    };
    // Without roles=1 the pages do not show the block.
    browser.open_live(&format!("{base}/team.html?team=me"));
    assert_eq!(
        browser.eval("document.querySelectorAll('.bl-roles').length"),
        0
    );
    for (name, path, blocks) in [
        ("team-roles", "/team.html?team=me&roles=1", 1),
        ("allies-roles", "/allies.html?roles=1", want.allies.len()),
    ] {
        browser.open_live(&format!("{base}{path}"));
        let shown: Value =
            serde_json::from_str(browser.eval(READ_ROLES).as_str().unwrap()).unwrap();
        let values = shown["values"].as_array().unwrap();
        assert_eq!(
            values.len(),
            2 * blocks,
            "{path}: army and defence per block"
        );
        let mut known = 0;
        for v in values {
            let (kind, id, role) = (
                v[0].as_str().unwrap(),
                v[1].as_str().unwrap(),
                v[2].as_str().unwrap(),
            );
            let id: u32 = id.parse().unwrap();
            let store = if kind == "team" {
                &want.teams.iter().find(|t| t.team_id == id).unwrap().values
            } else {
                &want
                    .allies
                    .iter()
                    .find(|a| a.ally_team_id == id)
                    .unwrap()
                    .values
            };
            match sum(store, role) {
                Some(x) => {
                    known += 1;
                    let got: f64 = v[3].as_str().unwrap().parse().unwrap_or(f64::NAN);
                    assert!(
                        (got - x).abs() <= 1e-6 * x.abs().max(1.0),
                        "{path}: {v} shows {got}, the store's sum is {x}"
                    );
                    assert_ne!(v[4], "\u{2013}", "{path}: {v} is written out");
                }
                None => assert_eq!(v[3], "", "{path}: {v}"),
            }
        }
        assert!(known > 0, "{path}: the simulated game has role values");
        if name == "team-roles" {
            let army = values.iter().find(|v| v[2] == "army").unwrap();
            assert!(
                army[3].as_str().unwrap().parse::<f64>().unwrap() > 0.0,
                "{path}: my team has an army"
            );
        }
        for words in shown["words"].as_array().unwrap() {
            let w = words.as_str().unwrap();
            for needed in ["Army value by role", "Army", "Defence"] {
                assert!(w.contains(needed), "{path}: {w:?} says {needed:?}");
            }
        }
        if name == "allies-roles" {
            // Column heads in words, not abbreviations.
            let heads = shown["heads"].as_array().unwrap();
            assert!(!heads.is_empty(), "{path}");
            for column in heads.chunks(4) {
                assert_eq!(
                    column,
                    ["Metal income", "Energy income", "Army value", "Units"],
                    "{path}"
                );
            }
        }
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir).unwrap();
            browser.screenshot(&dir.join(format!("overlay-{name}.png")));
        }
    }
}
