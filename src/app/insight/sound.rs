//! The alert beep: a tiny WAV made in code. On Windows the platform API plays it from memory
//! (`PlaySoundW` with `SND_MEMORY | SND_ASYNC`: no file, no process, no console window); elsewhere the
//! platform's own command-line player (`paplay`/`aplay` on Linux, `afplay` on macOS) in a child process.
//! Nothing here blocks the UI or fails the app: without a player or an audio device the beep is simply
//! not heard (logged once).

use std::path::PathBuf;
use std::process::Child;
#[cfg(not(windows))]
use std::process::{Command, Stdio};

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

/// The beep, made once and kept for the life of the process: an asynchronous `PlaySoundW` reads the
/// memory while it plays.
pub fn beep_wav_static() -> &'static [u8] {
    static WAV: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    WAV.get_or_init(beep_wav)
}

/// The one place bar-live calls into Windows itself (`unsafe_code` is allowed here alone).
#[cfg(windows)]
#[allow(unsafe_code)]
mod windows_sound {
    use windows_sys::Win32::Media::Audio::{PlaySoundW, SND_ASYNC, SND_MEMORY, SND_NODEFAULT};

    /// Starts playing a WAV image held in memory and returns at once; a second call cuts the first.
    pub fn play_async(wav: &'static [u8]) -> std::io::Result<()> {
        // SAFETY: with SND_MEMORY the first argument points at a whole WAV image, not a string; the
        // image is 'static, so it outlives the asynchronous playback. No module handle is needed.
        let ok = unsafe {
            PlaySoundW(
                wav.as_ptr().cast(),
                std::ptr::null_mut(),
                SND_MEMORY | SND_ASYNC | SND_NODEFAULT,
            )
        };
        if ok == 0 {
            Err(std::io::Error::other(
                "PlaySoundW failed (no audio device?)",
            ))
        } else {
            Ok(())
        }
    }
}

/// Plays the beep without waiting for it.
#[derive(Debug, Default)]
pub struct Beeper {
    file: Option<PathBuf>,
    playing: Vec<Child>,
    failed: bool,
}

impl Beeper {
    #[cfg(windows)]
    pub fn beep(&mut self) {
        if self.failed {
            return;
        }
        if let Err(e) = windows_sound::play_async(beep_wav_static()) {
            self.failed = true;
            log::warn!("alert sound unavailable: {e}");
        }
    }

    #[cfg(not(windows))]
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

    #[cfg(not(windows))]
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
        if cfg!(target_os = "macos") {
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
    fn the_kept_beep_is_the_beep() {
        assert_eq!(beep_wav_static(), beep_wav().as_slice());
        assert!(
            std::ptr::eq(beep_wav_static(), beep_wav_static()),
            "made once"
        );
    }

    #[test]
    fn no_console_program_is_named_for_windows() {
        // The Windows beep is an API call: no console program (its window would flash) named anywhere here.
        let src = include_str!("sound.rs");
        let needle = ["power", "shell"].concat();
        assert!(!src.to_lowercase().contains(&needle));
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
