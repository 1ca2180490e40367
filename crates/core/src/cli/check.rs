//! `bar-live check`: a validating test server for widget streams.
//!
//! Every frame is checked for framing, UTF-8, JSON, the JSON Schema, the typed decoder, and the stream
//! rules (hello first, `seq` continuity, unit defs before use). A ping after each hello measures the
//! round trip. Bad connections are reported and the server keeps serving.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::protocol::schema::{Direction, SchemaValidator};
use crate::protocol::{self, AppMessage, ProtocolError, WidgetMessage, frame::encode_frame};

/// Errors listed in the report beyond this many are counted but not listed.
const MAX_LISTED_ERRORS: usize = 200;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub listen: String,
    pub connections: Option<u64>,
    pub duration: Option<Duration>,
    pub max_frame_bytes: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CheckError {
    pub connection: u64,
    pub kind: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct CheckReport {
    pub listen: String,
    pub connections: u64,
    pub connections_closed: u64,
    pub frames: u64,
    pub bytes: u64,
    pub valid: u64,
    pub invalid: u64,
    pub by_type: BTreeMap<String, u64>,
    pub unknown_types: BTreeMap<String, u64>,
    pub hellos: u64,
    pub seq_gaps: u64,
    pub seq_missing: u64,
    pub errors: Vec<CheckError>,
    pub errors_total: u64,
    pub duration_secs: f64,
    pub updates_per_sec: f64,
    pub bytes_per_sec: f64,
    pub ping_ms: Option<f64>,
    pub pings_sent: u64,
    pub pongs: u64,
}

impl CheckReport {
    pub fn clean(&self) -> bool {
        self.invalid == 0 && self.errors_total == 0
    }

    fn error(&mut self, connection: u64, kind: &str, detail: impl Into<String>) {
        self.errors_total += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(CheckError {
                connection,
                kind: kind.into(),
                detail: detail.into(),
            });
        }
    }

    /// The human report.
    pub fn human(&self) -> String {
        let mut s = String::new();
        let verdict = if self.clean() {
            "CLEAN"
        } else {
            "PROBLEMS FOUND"
        };
        s.push_str(&format!("bar-live check on {}: {verdict}\n", self.listen));
        s.push_str(&format!(
            "  connections {} (closed {}), frames {}, bytes {}, valid {}, invalid {}\n",
            self.connections,
            self.connections_closed,
            self.frames,
            self.bytes,
            self.valid,
            self.invalid
        ));
        let types: Vec<String> = self
            .by_type
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        s.push_str(&format!("  by type: {}\n", types.join(", ")));
        if !self.unknown_types.is_empty() {
            s.push_str(&format!(
                "  unknown types (skipped): {:?}\n",
                self.unknown_types
            ));
        }
        s.push_str(&format!(
            "  seq gaps {} ({} messages missing)\n",
            self.seq_gaps, self.seq_missing
        ));
        s.push_str(&format!(
            "  {:.1} updates/s, {:.0} bytes/s over {:.1} s; ping {}\n",
            self.updates_per_sec,
            self.bytes_per_sec,
            self.duration_secs,
            self.ping_ms.map_or("n/a".into(), |p| format!("{p:.2} ms"))
        ));
        for e in &self.errors {
            s.push_str(&format!(
                "  error: connection {} [{}] {}\n",
                e.connection, e.kind, e.detail
            ));
        }
        if self.errors_total > self.errors.len() as u64 {
            s.push_str(&format!(
                "  … and {} more errors\n",
                self.errors_total - self.errors.len() as u64
            ));
        }
        s
    }
}

struct Shared {
    report: Mutex<CheckReport>,
    pings: Mutex<Vec<f64>>,
    updates: Mutex<u64>,
    first_frame: Mutex<Option<Instant>>,
    last_frame: Mutex<Option<Instant>>,
    validator: SchemaValidator,
    max_frame_bytes: u32,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs [`run`] and prints the report (with `json`, a JSON line last); success when the stream was clean.
pub fn main(opts: &CheckOptions, json: bool) -> anyhow::Result<super::Outcome> {
    let report = run(opts)?;
    print!("{}", report.human());
    if json {
        println!("{}", serde_json::to_string(&report)?);
    }
    Ok(super::Outcome::from_ok(report.clean()))
}

/// Runs the check server until its stop condition; returns the report.
pub fn run(opts: &CheckOptions) -> anyhow::Result<CheckReport> {
    let listener = TcpListener::bind(&opts.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", opts.listen))?;
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    log::info!("check: listening on {local}");
    let shared = Arc::new(Shared {
        report: Mutex::new(CheckReport {
            listen: local.to_string(),
            ..Default::default()
        }),
        pings: Mutex::new(Vec::new()),
        updates: Mutex::new(0),
        first_frame: Mutex::new(None),
        last_frame: Mutex::new(None),
        validator: SchemaValidator::new(Direction::WidgetToApp),
        max_frame_bytes: opts.max_frame_bytes,
    });
    let start = Instant::now();
    let mut threads = Vec::new();
    let mut streams: Vec<TcpStream> = Vec::new();
    let mut next_conn = 1u64;
    loop {
        if opts.duration.is_some_and(|d| start.elapsed() >= d) {
            break;
        }
        if opts
            .connections
            .is_some_and(|n| lock(&shared.report).connections_closed >= n)
        {
            break;
        }
        match listener.accept() {
            Ok((stream, peer)) => {
                let conn = next_conn;
                next_conn += 1;
                log::info!("check: connection {conn} from {peer}");
                lock(&shared.report).connections += 1;
                stream.set_nonblocking(false)?;
                let _ = stream.set_nodelay(true);
                if let Ok(s) = stream.try_clone() {
                    streams.push(s);
                }
                let sh = Arc::clone(&shared);
                threads.push(
                    std::thread::Builder::new()
                        .name(format!("bar-live-check-{conn}"))
                        .spawn(move || serve(conn, stream, &sh))?,
                );
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(e) => {
                log::warn!("check: accept failed: {e}");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
    // Close what is still open so every reader finishes and reports.
    for s in &streams {
        let _ = s.shutdown(std::net::Shutdown::Both);
    }
    for t in threads {
        let _ = t.join();
    }
    let mut report = lock(&shared.report).clone();
    report.duration_secs = start.elapsed().as_secs_f64();
    let active = match (*lock(&shared.first_frame), *lock(&shared.last_frame)) {
        (Some(a), Some(b)) if b > a => (b - a).as_secs_f64(),
        _ => report.duration_secs,
    };
    let active = active.max(1e-3);
    report.updates_per_sec = *lock(&shared.updates) as f64 / active;
    report.bytes_per_sec = report.bytes as f64 / active;
    let mut pings = lock(&shared.pings).clone();
    pings.sort_by(f64::total_cmp);
    report.pongs = pings.len() as u64;
    report.ping_ms = pings.get(pings.len() / 2).copied();
    Ok(report)
}

/// Per-connection stream rules.
#[derive(Default)]
struct ConnState {
    messages: u64,
    last_seq: Option<u64>,
    defs: HashSet<u32>,
    ping_sent: Option<(i64, Instant)>,
}

fn serve(conn: u64, stream: TcpStream, shared: &Shared) {
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(e) => {
            lock(&shared.report).error(conn, "io", e.to_string());
            return;
        }
    };
    let mut reader = BufReader::with_capacity(64 * 1024, &stream);
    let mut state = ConnState::default();
    let mut buf = Vec::new();
    loop {
        match protocol::read_frame(&mut reader, shared.max_frame_bytes, &mut buf) {
            Ok(false) => break,
            Ok(true) => {
                let now = Instant::now();
                lock(&shared.first_frame).get_or_insert(now);
                *lock(&shared.last_frame) = Some(now);
                {
                    let mut r = lock(&shared.report);
                    r.frames += 1;
                    r.bytes += (buf.len() + protocol::frame::LEN_PREFIX_BYTES) as u64;
                }
                check_message(conn, &buf, &mut state, &mut writer, shared);
            }
            Err(protocol::FrameError::Io(e)) => {
                log::info!("check: connection {conn}: {e}");
                break;
            }
            Err(e) => {
                // The stream cannot be resynchronised after a framing error: report and drop it.
                let mut r = lock(&shared.report);
                r.invalid += 1;
                r.error(conn, e.kind(), e.to_string());
                break;
            }
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    lock(&shared.report).connections_closed += 1;
    log::info!(
        "check: connection {conn} closed after {} messages",
        state.messages
    );
}

fn check_message(
    conn: u64,
    payload: &[u8],
    state: &mut ConnState,
    writer: &mut TcpStream,
    shared: &Shared,
) {
    let fail = |e: ProtocolError| {
        let mut r = lock(&shared.report);
        r.invalid += 1;
        r.error(conn, e.kind(), e.to_string());
    };
    let text = match std::str::from_utf8(payload) {
        Ok(t) => t,
        Err(e) => return fail(ProtocolError::Utf8(e)),
    };
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return fail(ProtocolError::Json(e.into())),
    };
    if let Err(e) = shared.validator.validate(&value) {
        // Name the type so a report line is actionable.
        let t = value.get("type").and_then(|t| t.as_str()).unwrap_or("?");
        return fail(ProtocolError::Schema(format!("{t}: {e}")));
    }
    let msg = match protocol::decode_widget(payload) {
        Ok(m) => m,
        Err(e) => return fail(e),
    };
    state.messages += 1;
    let type_name = msg.body.type_name().to_owned();
    let mut r = lock(&shared.report);
    r.valid += 1;
    *r.by_type.entry(type_name.clone()).or_default() += 1;
    if let WidgetMessage::Unknown(t) = &msg.body {
        *r.unknown_types.entry(t.clone()).or_default() += 1;
    }
    // Stream rules.
    if state.messages == 1 && !matches!(msg.body, WidgetMessage::Hello(_)) {
        r.error(
            conn,
            "order",
            format!("first message is '{type_name}', expected 'hello'"),
        );
    }
    let seq = msg.seq.unwrap_or(0);
    match state.last_seq {
        None if seq != 1 => r.error(conn, "seq", format!("first seq is {seq}, expected 1")),
        Some(last) if seq <= last => r.error(conn, "seq", format!("seq {seq} after {last}")),
        Some(last) if seq > last + 1 => {
            r.seq_gaps += 1;
            r.seq_missing += seq - last - 1;
        }
        _ => {}
    }
    state.last_seq = Some(seq);
    match &msg.body {
        WidgetMessage::Hello(_) => {
            r.hellos += 1;
            drop(r);
            let id = conn as i64 * 1000 + state.messages as i64;
            let frame = encode_frame(&protocol::encode_app(&AppMessage::Ping { id }));
            if let Ok(frame) = frame
                && writer.write_all(&frame).is_ok()
            {
                state.ping_sent = Some((id, Instant::now()));
                lock(&shared.report).pings_sent += 1;
            }
        }
        WidgetMessage::UnitDefs(d) => state.defs.extend(d.defs.iter().map(|d| d.id)),
        WidgetMessage::Update(u) => {
            let mut missing: Vec<u32> = u
                .teams
                .iter()
                .filter_map(|t| t.units.by_def.as_ref())
                .flat_map(|b| b.0.iter().map(|x| x.0))
                .chain(u.units.iter().flatten().map(|x| x.def))
                .filter(|d| !state.defs.contains(d))
                .collect();
            missing.sort_unstable();
            missing.dedup();
            if !missing.is_empty() {
                r.error(
                    conn,
                    "unknown_def",
                    format!(
                        "update at frame {} uses undescribed defs {missing:?}",
                        u.game_frame
                    ),
                );
            }
            drop(r);
            *lock(&shared.updates) += 1;
        }
        WidgetMessage::Pong(p) => {
            drop(r);
            if let Some((id, sent)) = state.ping_sent
                && id == p.id
            {
                lock(&shared.pings).push(sent.elapsed().as_secs_f64() * 1000.0);
                state.ping_sent = None;
            }
        }
        _ => {}
    }
}
