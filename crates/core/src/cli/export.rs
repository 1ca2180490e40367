//! `bar-live export FILE [--out PATH] [--format csv|json] [--table stats|build-order]`: the statistics
//! of a recording or a BAR replay as tidy rows, one per team per sample, for pandas and spreadsheets
//! (docs/REPLAYS.md); or a recording's build orders, one row per unit finished ([`BUILD_COLUMNS`]).
//!
//! Columns: `game_seconds, team_id, ally_team_id, name`, then the 19 counters of the engine's team
//! statistics under the protocol's names ([`STAT_COUNTERS`]). A recording's sample is an `update`:
//! its rows also carry the update's series the dashboard plots ([`UPDATE_COLUMNS`]: units and the
//! nine resource values of metal and energy); a replay's sample is a statistics record (one every
//! 15 s) and has no such columns. Empty cell (JSON `null`): no value.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::game::MilestoneFeed;
use crate::game::build_order::MAX_ITEMS_PER_TEAM;
use crate::protocol::{self, TeamInfo, TeamSample, WidgetMessage};
use crate::recording::RecordingReader;
use crate::replay::{self, FRAMES_PER_SECOND, Replay, STAT_COUNTERS};

/// Columns before the counters.
pub const KEY_COLUMNS: [&str; 4] = ["game_seconds", "team_id", "ally_team_id", "name"];

/// A recording's extra columns: from each `update`'s team sample (per-second figures are `_per_s`).
pub const UPDATE_COLUMNS: [&str; 19] = [
    "units",
    "metal_current",
    "metal_storage",
    "metal_pull_per_s",
    "metal_income_per_s",
    "metal_expense_per_s",
    "metal_share",
    "metal_sent_per_s",
    "metal_received_per_s",
    "metal_excess_per_s",
    "energy_current",
    "energy_storage",
    "energy_pull_per_s",
    "energy_income_per_s",
    "energy_expense_per_s",
    "energy_share",
    "energy_sent_per_s",
    "energy_received_per_s",
    "energy_excess_per_s",
];

/// The columns of `--table build-order`: one row per unit a team finished, in time order.
pub const BUILD_COLUMNS: [&str; 6] = [
    "game_seconds",
    "team_id",
    "ally_team_id",
    "name",
    "unit",
    "def",
];

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Table {
    /// The statistics, one row per team per sample.
    #[default]
    Stats,
    /// Every unit each team finished (recordings only: a replay has no unit counts).
    BuildOrder,
}

impl std::str::FromStr for Table {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "stats" => Ok(Table::Stats),
            "build-order" => Ok(Table::BuildOrder),
            _ => Err(format!(
                "unknown table '{s}' (expected stats or build-order)"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Csv,
    Json,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            _ => Err(format!("unknown format '{s}' (expected csv or json)")),
        }
    }
}

/// One cell. Floats keep the precision they came with (a replay's counters are 32-bit floats).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    F32(f32),
    F64(f64),
    U32(u32),
    Text(&'a str),
    Empty,
}

impl Cell<'_> {
    /// Writes the cell as text (nothing for no value).
    fn write_text(&self, out: &mut String) {
        use std::fmt::Write as _;
        out.clear();
        let _ = match *self {
            Cell::F32(x) if x.is_finite() => write!(out, "{x}"),
            Cell::F64(x) if x.is_finite() => write!(out, "{x}"),
            Cell::U32(x) => write!(out, "{x}"),
            Cell::Text(s) => write!(out, "{s}"),
            _ => Ok(()),
        };
    }

    /// Writes the cell as a JSON value (`null` for no value). Floats in their shortest decimal form
    /// (a 32-bit float is not widened to its binary f64 digits).
    fn write_json<W: Write>(&self, out: &mut W, text: &mut String) -> anyhow::Result<()> {
        match *self {
            Cell::F32(x) if x.is_finite() => {
                self.write_text(text);
                out.write_all(text.as_bytes())?;
            }
            Cell::F64(x) if x.is_finite() => {
                self.write_text(text);
                out.write_all(text.as_bytes())?;
            }
            Cell::U32(x) => write!(out, "{x}")?,
            Cell::Text(s) => serde_json::to_writer(&mut *out, s)?,
            _ => out.write_all(b"null")?,
        }
        Ok(())
    }
}

/// Where rows go.
trait Sink {
    fn row(&mut self, cells: &[Cell]) -> anyhow::Result<()>;
    fn end(&mut self) -> anyhow::Result<()>;
}

struct CsvSink<W: Write> {
    out: csv::Writer<W>,
    text: String,
}

impl<W: Write> Sink for CsvSink<W> {
    fn row(&mut self, cells: &[Cell]) -> anyhow::Result<()> {
        for c in cells {
            c.write_text(&mut self.text);
            self.out.write_field(&self.text)?;
        }
        self.out.write_record(None::<&[u8]>)?;
        Ok(())
    }
    fn end(&mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

struct JsonSink<W: Write> {
    out: W,
    /// `"name":` for each column, JSON-quoted once.
    keys: Vec<String>,
    text: String,
    rows: u64,
}

impl<W: Write> Sink for JsonSink<W> {
    fn row(&mut self, cells: &[Cell]) -> anyhow::Result<()> {
        self.out
            .write_all(if self.rows == 0 { b"[\n{" } else { b",\n{" })?;
        for (i, (key, c)) in self.keys.iter().zip(cells).enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
            }
            self.out.write_all(key.as_bytes())?;
            c.write_json(&mut self.out, &mut self.text)?;
        }
        self.out.write_all(b"}")?;
        self.rows += 1;
        Ok(())
    }
    fn end(&mut self) -> anyhow::Result<()> {
        self.out
            .write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()?;
        Ok(())
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    pub rows: u64,
    pub columns: Vec<&'static str>,
    /// The input was a BAR replay.
    pub from_replay: bool,
    /// `None`: stdout.
    pub output: Option<PathBuf>,
}

/// The columns of an export: replays have no update columns.
pub fn columns(from_replay: bool, table: Table) -> Vec<&'static str> {
    if table == Table::BuildOrder {
        return BUILD_COLUMNS.to_vec();
    }
    let mut c: Vec<&'static str> = KEY_COLUMNS.to_vec();
    c.extend(STAT_COUNTERS);
    if !from_replay {
        c.extend(UPDATE_COLUMNS);
    }
    c
}

/// Exports `input` (a recording or a replay) to `out` (stdout when `None`). A file is written beside
/// its target and renamed into place when complete.
pub fn run(
    input: &Path,
    out: Option<&Path>,
    format: Format,
    table: Table,
) -> anyhow::Result<ExportReport> {
    let Some(path) = out else {
        let stdout = std::io::stdout().lock();
        return match export(input, BufWriter::new(stdout), format, table) {
            Err(e) if is_broken_pipe(&e) => Ok(ExportReport {
                rows: 0,
                columns: columns(replay::is_replay(input), table),
                from_replay: replay::is_replay(input),
                output: None,
            }),
            r => r,
        };
    };
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        path.file_name()
            .map_or_else(|| "export".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    let result = File::create(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))
        .and_then(|f| export(input, BufWriter::new(f), format, table))
        .and_then(|report| {
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))?;
            Ok(report)
        });
    match result {
        Ok(mut report) => {
            report.output = Some(path.to_owned());
            Ok(report)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<csv::Error>().is_some_and(|e| {
                matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}

/// Writes the rows of `input` to `out` in `format`.
pub fn export<W: Write>(
    input: &Path,
    out: W,
    format: Format,
    table: Table,
) -> anyhow::Result<ExportReport> {
    let from_replay = replay::is_replay(input);
    if from_replay && table == Table::BuildOrder {
        bail!(
            "a BAR replay has no build order: it holds the players' commands, not unit counts \
             (export a recording bar-live made of the game)"
        );
    }
    let columns = columns(from_replay, table);
    let mut sink: Box<dyn Sink> = match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(&columns)?;
            Box::new(CsvSink {
                out: w,
                text: String::new(),
            })
        }
        Format::Json => Box::new(JsonSink {
            out,
            keys: columns
                .iter()
                .map(|c| format!("{}:", serde_json::Value::from(*c)))
                .collect(),
            text: String::new(),
            rows: 0,
        }),
    };
    let rows = if table == Table::BuildOrder {
        build_rows(input, sink.as_mut())?
    } else if from_replay {
        let r = Replay::open(input)
            .with_context(|| format!("cannot read the replay {}", input.display()))?;
        replay_rows(&r, sink.as_mut())?
    } else {
        recording_rows(input, sink.as_mut())?
    };
    sink.end()?;
    Ok(ExportReport {
        rows,
        columns,
        from_replay,
        output: None,
    })
}

/// A replay's rows: sample by sample, team by team. A replay without statistics has none (an error
/// saying why).
fn replay_rows(r: &Replay, sink: &mut dyn Sink) -> anyhow::Result<u64> {
    if !r.has_team_stats() {
        bail!(
            "the replay has no team statistics: {}",
            r.no_stats
                .as_ref()
                .map_or_else(|| "none in the file".into(), |n| n.note())
        );
    }
    let samples = r.team_records.iter().map(Vec::len).max().unwrap_or(0);
    let mut rows = 0;
    let mut cells: Vec<Cell> = Vec::with_capacity(KEY_COLUMNS.len() + STAT_COUNTERS.len());
    for i in 0..samples {
        for (k, records) in r.team_records.iter().enumerate() {
            let (Some(rec), Some(team)) = (records.get(i), r.stats_team(k)) else {
                continue;
            };
            cells.clear();
            cells.push(Cell::F64(
                f64::from(r.record_frame(k, i)) / f64::from(FRAMES_PER_SECOND),
            ));
            cells.push(Cell::U32(team.team_id));
            cells.push(Cell::U32(team.ally_team_id));
            cells.push(Cell::Text(&team.name));
            cells.extend(rec.counters.iter().enumerate().map(|(c, &x)| {
                if c < 12 {
                    Cell::F32(x as f32)
                } else {
                    Cell::F64(x)
                }
            }));
            sink.row(&cells)?;
            rows += 1;
        }
    }
    Ok(rows)
}

/// A recording's rows: update by update, team by team (names and ally teams from the last `hello`).
fn recording_rows(input: &Path, sink: &mut dyn Sink) -> anyhow::Result<u64> {
    let mut reader =
        RecordingReader::open(input).with_context(|| format!("cannot open {}", input.display()))?;
    let mut teams: BTreeMap<u32, TeamInfo> = BTreeMap::new();
    let mut rows = 0;
    while let Some(rec) = reader
        .next_record()
        .with_context(|| format!("reading {}", input.display()))?
    {
        let Ok(m) = protocol::decode_widget(&rec.payload) else {
            continue;
        };
        match m.body {
            WidgetMessage::Hello(h) => {
                for t in h.teams {
                    teams.insert(t.team_id, t);
                }
            }
            WidgetMessage::Update(u) => {
                // Borrows team names, so it lives no longer than this update (a later hello may
                // replace them).
                let mut cells: Vec<Cell> = Vec::new();
                for s in &u.teams {
                    let team = teams.get(&s.team_id);
                    cells.clear();
                    cells.push(Cell::F64(u.game_seconds));
                    cells.push(Cell::U32(s.team_id));
                    cells.push(team.map_or(Cell::Empty, |t| Cell::U32(t.ally_team_id)));
                    cells.push(team.map_or(Cell::Empty, |t| Cell::Text(&t.name)));
                    push_sample(&mut cells, s);
                    sink.row(&cells)?;
                    rows += 1;
                }
            }
            _ => {}
        }
    }
    Ok(rows)
}

/// A recording's build orders: every unit each team finished, in time order (ties in team order).
fn build_rows(input: &Path, sink: &mut dyn Sink) -> anyhow::Result<u64> {
    let mut reader =
        RecordingReader::open(input).with_context(|| format!("cannot open {}", input.display()))?;
    let mut feed = MilestoneFeed::default();
    let mut teams: BTreeMap<u32, TeamInfo> = BTreeMap::new();
    while let Some(rec) = reader
        .next_record()
        .with_context(|| format!("reading {}", input.display()))?
    {
        let Ok(m) = protocol::decode_widget(&rec.payload) else {
            continue;
        };
        if let WidgetMessage::Hello(h) = &m.body {
            teams.extend(h.teams.iter().map(|t| (t.team_id, t.clone())));
        }
        feed.ingest(&m.body);
    }
    let entries = feed.build_orders().entries(MAX_ITEMS_PER_TEAM);
    let mut cells: Vec<Cell> = Vec::with_capacity(BUILD_COLUMNS.len());
    for e in &entries {
        let team = teams.get(&e.team_id);
        cells.clear();
        cells.push(Cell::F64(e.game_seconds));
        cells.push(Cell::U32(e.team_id));
        cells.push(team.map_or(Cell::Empty, |t| Cell::U32(t.ally_team_id)));
        cells.push(team.map_or(Cell::Empty, |t| Cell::Text(&t.name)));
        cells.push(Cell::Text(&e.unit));
        cells.push(Cell::Text(&e.def));
        sink.row(&cells)?;
    }
    Ok(entries.len() as u64)
}

fn push_sample<'a>(cells: &mut Vec<Cell<'a>>, s: &TeamSample) {
    let stats = s.stats.unwrap_or_default();
    for name in STAT_COUNTERS {
        cells.push(Cell::F64(stat_field(&stats, name)));
    }
    cells.push(Cell::U32(s.units.total));
    for r in [&s.metal, &s.energy] {
        cells.extend(
            [
                r.current, r.storage, r.pull, r.income, r.expense, r.share, r.sent, r.received,
                r.excess,
            ]
            .map(Cell::F64),
        );
    }
}

fn stat_field(s: &protocol::TeamStats, name: &str) -> f64 {
    match name {
        "metal_used" => s.metal_used,
        "energy_used" => s.energy_used,
        "metal_produced" => s.metal_produced,
        "energy_produced" => s.energy_produced,
        "metal_excess" => s.metal_excess,
        "energy_excess" => s.energy_excess,
        "metal_received" => s.metal_received,
        "energy_received" => s.energy_received,
        "metal_sent" => s.metal_sent,
        "energy_sent" => s.energy_sent,
        "damage_dealt" => s.damage_dealt,
        "damage_received" => s.damage_received,
        "units_produced" => s.units_produced,
        "units_died" => s.units_died,
        "units_received" => s.units_received,
        "units_sent" => s.units_sent,
        "units_captured" => s.units_captured,
        "units_out_captured" => s.units_out_captured,
        "units_killed" => s.units_killed,
        _ => f64::NAN,
    }
}
