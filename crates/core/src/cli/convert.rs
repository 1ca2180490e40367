//! `bar-live convert IN OUT [--to 1|2]`: rewrites a recording in the other format version. The frames,
//! receive times, connection numbers and header are kept exactly.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::recording::{FORMAT_VERSION, Recorder, RecordingReader, SUPPORTED_VERSIONS};

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
}

/// Converts `input` to `to_version` (default: 2 for a v1 file, 1 for a v2 file) into `output`, written
/// to a temporary file beside it and renamed into place when complete. Refuses to write over `input`.
pub fn run(input: &Path, output: &Path, to_version: Option<u32>) -> anyhow::Result<ConvertReport> {
    if same_file(input, output) {
        bail!(
            "refusing to overwrite the input {} (choose another output)",
            input.display()
        );
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
            rec.flush()?;
            std::fs::File::open(&tmp)?.sync_all()?;
            drop(rec);
        } else {
            rec.finish()
                .with_context(|| format!("writing {}", tmp.display()))?;
        }
        Ok(records)
    })();
    let records = match result {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, output)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), output.display()))?;
    Ok(ConvertReport {
        from_version,
        to_version,
        records,
        input_bytes: std::fs::metadata(input)?.len(),
        output_bytes: std::fs::metadata(output)?.len(),
        truncated: reader.truncated(),
        corrupt: reader.corrupt().map(str::to_owned),
        output: output.to_owned(),
    })
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
