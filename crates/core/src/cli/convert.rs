//! `bar-live convert IN OUT [--to 1|2]`: rewrites a recording in the other format version. The frames,
//! receive times, connection numbers and header are kept exactly.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};

use crate::recording::{FORMAT_VERSION, Recorder, RecordingReader, SUPPORTED_VERSIONS};
use crate::replay::{self, Replay};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertReport {
    pub from_version: u32,
    pub to_version: u32,
    pub records: u64,
    pub input_bytes: u64,
    pub output_bytes: u64,
    /// The input was cut short: the output holds what loaded and reads as cut short too (v2: no
    /// trailer; v1 cannot say it).
    pub truncated: bool,
    /// The input had damaged data (skipped in the output).
    pub corrupt: Option<String>,
    pub output: PathBuf,
    /// The input was a BAR replay (`from_version` is then its demo file version).
    pub from_replay: bool,
}

/// Converts `input` to `to_version` (default: 2 for a v1 file, 1 for a v2 file) into `output`, written
/// to a temporary file beside it and renamed into place when complete. Refuses to write over `input`.
/// A BAR replay (`.sdfz`, told by its gzip magic) becomes a recording: see [`run_replay`].
pub fn run(input: &Path, output: &Path, to_version: Option<u32>) -> anyhow::Result<ConvertReport> {
    if same_file(input, output) {
        bail!(
            "refusing to overwrite the input {} (choose another output)",
            input.display()
        );
    }
    if replay::is_replay(input) {
        return run_replay(input, output, to_version);
    }
    let mut reader =
        RecordingReader::open(input).with_context(|| format!("cannot open {}", input.display()))?;
    let from_version = reader.version();
    let to_version = to_version.unwrap_or(if from_version == 1 { FORMAT_VERSION } else { 1 });
    if !SUPPORTED_VERSIONS.contains(&to_version) {
        bail!(
            "cannot write format version {to_version} (this build writes {SUPPORTED_VERSIONS:?})"
        );
    }
    let tmp = temp_path(output);
    let result = (|| -> anyhow::Result<u64> {
        let mut rec = Recorder::create_with_header(
            &tmp,
            reader.header().clone(),
            reader.header_json(),
            to_version,
        )
        .with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut records = 0;
        while let Some(r) = reader
            .next_record()
            .with_context(|| format!("reading {}", input.display()))?
        {
            rec.append_record(r.t_ms, r.conn, &r.payload)
                .with_context(|| format!("writing {}", tmp.display()))?;
            records += 1;
        }
        if reader.truncated() {
            // No trailer: the output reads as cut short, like the input.
            rec.sync()
                .with_context(|| format!("writing {}", tmp.display()))?;
            drop(rec);
        } else {
            rec.finish()
                .with_context(|| format!("writing {}", tmp.display()))?;
        }
        Ok(records)
    })();
    let records = keep_as(result, &tmp, output)?;
    Ok(ConvertReport {
        from_version,
        to_version,
        records,
        input_bytes: std::fs::metadata(input)?.len(),
        output_bytes: std::fs::metadata(output)?.len(),
        truncated: reader.truncated(),
        corrupt: reader.corrupt().map(str::to_owned),
        output: output.to_owned(),
        from_replay: false,
    })
}

/// Converts a BAR replay into a recording (format `to_version`, default 2) holding the replay's
/// messages ([`replay::messages`]): `hello`, `game_start`, one `update` per statistics record with
/// every team's `stats`, `game_over` with the winners; receive times are game times (as if received
/// at 1× speed from the game's start), `created_unix_ms` is the game's start. A replay without team
/// statistics is refused (the error says "no team statistics" and why) and no file is written.
pub fn run_replay(
    input: &Path,
    output: &Path,
    to_version: Option<u32>,
) -> anyhow::Result<ConvertReport> {
    let r = Replay::open(input)
        .with_context(|| format!("cannot read the replay {}", input.display()))?;
    let messages = replay::messages::widget_messages(&r).map_err(|why| {
        anyhow!(
            "{} has no team statistics to convert: {}",
            input.display(),
            why.note()
        )
    })?;
    let to_version = to_version.unwrap_or(FORMAT_VERSION);
    if !SUPPORTED_VERSIONS.contains(&to_version) {
        bail!(
            "cannot write format version {to_version} (this build writes {SUPPORTED_VERSIONS:?})"
        );
    }
    let name = input
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = temp_path(output);
    let result = (|| -> anyhow::Result<u64> {
        let mut rec = Recorder::create_with_version(
            &tmp,
            r.header.unix_time_s.saturating_mul(1000),
            &format!("{} {name}", replay::summary::SOURCE),
            to_version,
        )
        .with_context(|| format!("cannot create {}", tmp.display()))?;
        for (seq, m) in (1..).zip(&messages) {
            rec.append_record(m.t_ms, 1, &crate::protocol::encode_widget(&m.body, seq))
                .with_context(|| format!("writing {}", tmp.display()))?;
        }
        rec.finish()
            .with_context(|| format!("writing {}", tmp.display()))?;
        Ok(messages.len() as u64)
    })();
    let records = keep_as(result, &tmp, output)?;
    Ok(ConvertReport {
        from_version: u32::try_from(r.header.version).unwrap_or(0),
        to_version,
        records,
        input_bytes: r.file_bytes,
        output_bytes: std::fs::metadata(output)?.len(),
        truncated: r.truncated,
        corrupt: None,
        output: output.to_owned(),
        from_replay: true,
    })
}

/// The temporary file `tmp` becomes `output` when `written` succeeded; otherwise (or when the rename
/// fails) it is removed, so a failed conversion leaves no file behind.
fn keep_as<T>(written: anyhow::Result<T>, tmp: &Path, output: &Path) -> anyhow::Result<T> {
    let kept = written.and_then(|v| {
        std::fs::rename(tmp, output)
            .with_context(|| format!("cannot move {} to {}", tmp.display(), output.display()))?;
        Ok(v)
    });
    if kept.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    kept
}

fn temp_path(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    output.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Whether two paths name the same file (also through links or `./`).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
