//! The alert beep: a tiny WAV made in code, played by the platform's own command-line player
//! (`paplay`/`aplay` on Linux, `afplay` on macOS, PowerShell's `Media.SoundPlayer` on Windows) in a child
//! process. Nothing here blocks the UI or fails the app: without a player or an audio device the beep is
//! simply not heard (logged once).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// 8 kHz, 8-bit mono: a 880 Hz beep of 0.18 s with a short fade in and out.
pub fn beep_wav() -> Vec<u8> {
    const RATE: u32 = 8000;
    let n = (RATE as f64 * 0.18) as u32;
    let samples: Vec<u8> = (0..n)
        .map(|i| {
            let t = f64::from(i) / f64::from(RATE);
            let fade = (f64::from(i).min(f64::from(n - i)) / 200.0).min(1.0);
            let x = (t * 880.0 * std::f64::consts::TAU).sin() * 0.6 * fade;
            (128.0 + 127.0 * x).round() as u8
        })
        .collect();
    let mut w = Vec::with_capacity(44 + samples.len());
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(36 + n).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&16u32.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes()); // PCM
    w.extend_from_slice(&1u16.to_le_bytes()); // mono
    w.extend_from_slice(&RATE.to_le_bytes());
    w.extend_from_slice(&RATE.to_le_bytes()); // bytes per second
    w.extend_from_slice(&1u16.to_le_bytes()); // block align
    w.extend_from_slice(&8u16.to_le_bytes()); // bits per sample
    w.extend_from_slice(b"data");
    w.extend_from_slice(&n.to_le_bytes());
    w.extend_from_slice(&samples);
    w
}

/// Plays the beep without waiting for it.
#[derive(Debug, Default)]
pub struct Beeper {
    file: Option<PathBuf>,
    playing: Vec<Child>,
    failed: bool,
}

impl Beeper {
    pub fn beep(&mut self) {
        // Reap finished players; skip a beep while two still play.
        self.playing
            .retain_mut(|c| matches!(c.try_wait(), Ok(None)));
        if self.failed || self.playing.len() >= 2 {
            return;
        }
        match self.spawn() {
            Ok(child) => self.playing.push(child),
            Err(e) => {
                self.failed = true;
                log::warn!("alert sound unavailable: {e}");
            }
        }
    }

    fn spawn(&mut self) -> std::io::Result<Child> {
        let file = match &self.file {
            Some(f) => f.clone(),
            None => {
                let f =
                    std::env::temp_dir().join(format!("bar-live-beep-{}.wav", std::process::id()));
                std::fs::write(&f, beep_wav())?;
                self.file = Some(f.clone());
                f
            }
        };
        let mut players: Vec<Command> = Vec::new();
        if cfg!(target_os = "windows") {
            let mut c = Command::new("powershell");
            c.args(["-NoProfile", "-NonInteractive", "-Command"])
                .arg(format!(
                    "(New-Object Media.SoundPlayer '{}').PlaySync()",
                    file.display()
                ));
            players.push(c);
        } else if cfg!(target_os = "macos") {
            let mut c = Command::new("afplay");
            c.arg(&file);
            players.push(c);
        } else {
            let mut c = Command::new("paplay");
            c.arg(&file);
            players.push(c);
            let mut c = Command::new("aplay");
            c.arg("-q").arg(&file);
            players.push(c);
        }
        let mut last = std::io::Error::other("no audio player");
        for mut c in players {
            match c
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
            {
                Ok(child) => return Ok(child),
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

impl Drop for Beeper {
    fn drop(&mut self) {
        for c in &mut self.playing {
            let _ = c.kill();
            let _ = c.wait();
        }
        if let Some(f) = &self.file {
            let _ = std::fs::remove_file(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_beep_is_a_valid_wav() {
        let w = beep_wav();
        assert_eq!(&w[..4], b"RIFF");
        assert_eq!(&w[8..16], b"WAVEfmt ");
        let data = u32::from_le_bytes(w[40..44].try_into().unwrap()) as usize;
        assert_eq!(w.len(), 44 + data);
        assert_eq!(
            u32::from_le_bytes(w[4..8].try_into().unwrap()) as usize,
            w.len() - 8
        );
    }

    #[test]
    fn beeping_never_blocks_or_panics() {
        // Whatever this machine has (no player, no audio device): returns at once.
        let start = std::time::Instant::now();
        let mut b = Beeper::default();
        for _ in 0..5 {
            b.beep();
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }
}
