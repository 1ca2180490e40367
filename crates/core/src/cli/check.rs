//! `bar-live check`: a validating test server for widget streams.
//!
//! Every frame is checked for framing, UTF-8, JSON, the JSON Schema, the typed decoder, and the stream
//! rules (hello first, `seq` continuity, unit defs before use). A ping after each hello measures the
//! round trip. Bad connections are reported and the server keeps serving.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, bounded};
use serde::Serialize;

use crate::net::{ConnId, Mode, NetEvent, NoWake, Server, ServerConfig};
use crate::protocol::schema::{Direction, SchemaValidator};
use crate::protocol::{self, AppMessage, ProtocolError, WidgetMessage};

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

/// Connections checked at once; more are refused until one closes.
const MAX_CONNECTIONS: usize = 64;
/// Frames waiting for the checker before the readers block.
const EVENT_CAPACITY: usize = 1024;

/// What the checker accumulates across connections.
struct Checker<'a> {
    report: CheckReport,
    validator: SchemaValidator,
    server: &'a Server,
    conns: HashMap<ConnId, ConnState>,
    pings: Vec<f64>,
    updates: u64,
    first_frame: Option<Instant>,
    last_frame: Option<Instant>,
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

/// Runs the check server until its stop condition; returns the report. The connections come from
/// the app's own listener in inspect mode (side by side, raw frames).
pub fn run(opts: &CheckOptions) -> anyhow::Result<CheckReport> {
    let (tx, rx) = bounded(EVENT_CAPACITY);
    let server = Server::start(
        ServerConfig {
            mode: Mode::Inspect {
                max_connections: MAX_CONNECTIONS,
            },
            ..ServerConfig::new(opts.listen.clone(), opts.max_frame_bytes)
        },
        tx,
        Arc::new(NoWake),
    )
    .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", opts.listen))?;
    let local = server
        .local_addr()
        .map_or_else(|| opts.listen.clone(), |a| a.to_string());
    log::info!("check: listening on {local}");
    let start = Instant::now();
    let mut c = Checker {
        report: CheckReport {
            listen: local,
            ..Default::default()
        },
        validator: SchemaValidator::new(Direction::WidgetToApp),
        server: &server,
        conns: HashMap::new(),
        pings: Vec::new(),
        updates: 0,
        first_frame: None,
        last_frame: None,
    };
    loop {
        if opts.duration.is_some_and(|d| start.elapsed() >= d)
            || opts
                .connections
                .is_some_and(|n| c.report.connections_closed >= n)
        {
            break;
        }
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(ev) => c.on_event(ev),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    // Close what is still open so every reader finishes, and count what they still had.
    let stopping = std::thread::scope(|scope| {
        let stop = scope.spawn(|| server.shutdown());
        while !stop.is_finished() || !rx.is_empty() {
            if let Ok(ev) = rx.recv_timeout(Duration::from_millis(20)) {
                c.on_event(ev);
            }
        }
        c
    });
    let mut report = stopping.report;
    report.duration_secs = start.elapsed().as_secs_f64();
    let active = match (stopping.first_frame, stopping.last_frame) {
        (Some(a), Some(b)) if b > a => (b - a).as_secs_f64(),
        _ => report.duration_secs,
    };
    let active = active.max(1e-3);
    report.updates_per_sec = stopping.updates as f64 / active;
    report.bytes_per_sec = report.bytes as f64 / active;
    let mut pings = stopping.pings;
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

impl Checker<'_> {
    fn on_event(&mut self, ev: NetEvent) {
        match ev {
            NetEvent::Connected { conn, peer } => {
                log::info!("check: connection {conn} from {peer}");
                self.report.connections += 1;
                self.conns.insert(conn, ConnState::default());
            }
            NetEvent::Frame { conn, payload, .. } => {
                let now = Instant::now();
                self.first_frame.get_or_insert(now);
                self.last_frame = Some(now);
                self.report.frames += 1;
                self.report.bytes += (payload.len() + protocol::frame::LEN_PREFIX_BYTES) as u64;
                let mut state = self.conns.remove(&conn).unwrap_or_default();
                self.check_message(conn, &payload, &mut state);
                self.conns.insert(conn, state);
            }
            NetEvent::ProtocolError { conn, error } => {
                // A framing error: the stream cannot be resynchronised, the listener dropped it.
                self.report.invalid += 1;
                self.report.error(conn, error.kind(), error.to_string());
            }
            NetEvent::Disconnected { conn, reason } => {
                self.report.connections_closed += 1;
                let n = self.conns.remove(&conn).map_or(0, |s| s.messages);
                log::info!("check: connection {conn} closed after {n} messages ({reason})");
            }
            NetEvent::Listening { .. }
            | NetEvent::ListenFailed { .. }
            | NetEvent::Message { .. } => {}
        }
    }

    fn check_message(&mut self, conn: ConnId, payload: &[u8], state: &mut ConnState) {
        let r = &mut self.report;
        let fail = |r: &mut CheckReport, e: ProtocolError| {
            r.invalid += 1;
            r.error(conn, e.kind(), e.to_string());
        };
        let text = match std::str::from_utf8(payload) {
            Ok(t) => t,
            Err(e) => return fail(r, ProtocolError::Utf8(e)),
        };
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return fail(r, ProtocolError::Json(e.into())),
        };
        if let Err(e) = self.validator.validate(&value) {
            // Name the type so a report line is actionable.
            let t = value.get("type").and_then(|t| t.as_str()).unwrap_or("?");
            return fail(r, ProtocolError::Schema(format!("{t}: {e}")));
        }
        let msg = match protocol::decode_widget(payload) {
            Ok(m) => m,
            Err(e) => return fail(r, e),
        };
        state.messages += 1;
        let type_name = msg.body.type_name().to_owned();
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
                let id = conn as i64 * 1000 + state.messages as i64;
                if self.server.send_to(conn, &AppMessage::Ping { id }).is_ok() {
                    state.ping_sent = Some((id, Instant::now()));
                    self.report.pings_sent += 1;
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
                self.updates += 1;
            }
            WidgetMessage::Pong(p) => {
                if let Some((id, sent)) = state.ping_sent
                    && id == p.id
                {
                    self.pings.push(sent.elapsed().as_secs_f64() * 1000.0);
                    state.ping_sent = None;
                }
            }
            _ => {}
        }
    }
}
