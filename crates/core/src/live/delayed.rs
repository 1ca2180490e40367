//! The tournament switch: "delay everything I show by S seconds". Tournaments require a stream delay
//! (usually 2 minutes); a caster who captures the app's window must not show the game sooner than that.
//!
//! While it is on, every message the widget sends is applied to the live store as always (the recording
//! is written in real time) and queued here with its receive time; it reaches the [`DelayedView`]'s own
//! store once it is `delay` old. The app's views (dashboard, desktop overlay, milestones, build order,
//! alerts) draw that store ([`super::Session::shown_store`]); the overlay pages are held to at least the
//! same delay ([`super::Session::delay_everything_s`]).
//!
//! Switched on mid-game, the delayed store starts empty: it shows only what arrives after the switch,
//! `delay` later. It never shows anything sooner than the delay, even when its queue is full: then the
//! oldest queued sample (update, event, stats) is dropped, never released early.

use std::collections::VecDeque;

use crate::protocol::WidgetMessage;
use crate::store::Store;

/// Longest delay, seconds (as the overlay pages' [`crate::web::snapshot::MAX_DELAY_S`]).
pub const MAX_DELAY_EVERYTHING_S: f64 = 600.0;
/// Default of the setting: tournaments' usual two minutes.
pub const DEFAULT_DELAY_EVERYTHING_S: f64 = 120.0;
/// Most messages held back (10 minutes of a widget sending every frame is 18 000 updates).
pub const MAX_QUEUED_MESSAGES: usize = 40_000;
/// Most payload bytes held back.
pub const MAX_QUEUED_BYTES: usize = 512 * 1024 * 1024;

/// The game as it was `delay` ago: its own store, fed from a queue of the messages received since.
#[derive(Debug)]
pub struct DelayedView {
    delay_ms: u64,
    /// (received at, payload bytes, message), oldest first.
    queue: VecDeque<(u64, usize, WidgetMessage)>,
    queued_bytes: usize,
    /// Updates dropped because the queue was full.
    pub dropped: u64,
    pub store: Store,
}

impl DelayedView {
    /// A view `delay_s` behind (clamped to 1–[`MAX_DELAY_EVERYTHING_S`]).
    pub fn new(delay_s: f64) -> DelayedView {
        DelayedView {
            delay_ms: delay_ms(delay_s),
            queue: VecDeque::new(),
            queued_bytes: 0,
            dropped: 0,
            store: Store::new(),
        }
    }

    pub fn delay_s(&self) -> f64 {
        self.delay_ms as f64 / 1000.0
    }

    /// Holds `message` (received at `received_unix_ms`, `bytes` long on the wire) back.
    pub fn push(&mut self, received_unix_ms: u64, bytes: usize, message: WidgetMessage) {
        while self.queue.len() >= MAX_QUEUED_MESSAGES
            || self.queued_bytes + bytes > MAX_QUEUED_BYTES
        {
            // Drop the oldest sample (update, event, stats); the messages that describe the game
            // (hello, unit defs) stay unless nothing else is left.
            let i = self
                .queue
                .iter()
                .position(|(_, _, m)| {
                    !matches!(m, WidgetMessage::Hello(_) | WidgetMessage::UnitDefs(_))
                })
                .unwrap_or(0);
            let Some((_, b, _)) = self.queue.remove(i) else {
                break;
            };
            self.queued_bytes -= b;
            self.dropped += 1;
            if self.dropped == 1 {
                log::warn!("delayed view: the queue is full; dropping the oldest samples");
            }
        }
        self.queued_bytes += bytes;
        self.queue.push_back((received_unix_ms, bytes, message));
    }

    /// Applies every message that is `delay` old at `now_unix_ms`. True when any was applied.
    pub fn release(&mut self, now_unix_ms: u64) -> bool {
        let due = now_unix_ms.saturating_sub(self.delay_ms);
        let mut any = false;
        while self.queue.front().is_some_and(|(at, _, _)| *at <= due) {
            if let Some((_, bytes, m)) = self.queue.pop_front() {
                self.queued_bytes -= bytes;
                self.store.ingest(&m);
                any = true;
            }
        }
        any
    }

    /// Messages held back now.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }
}

fn delay_ms(delay_s: f64) -> u64 {
    let d = if delay_s.is_finite() { delay_s } else { 0.0 };
    (d.clamp(1.0, MAX_DELAY_EVERYTHING_S) * 1000.0) as u64
}

/// "DELAYED 2:00": the badge every view shows while the switch is on.
pub fn badge(delay_s: f64) -> String {
    let s = delay_s.round().max(0.0) as u64;
    format!("DELAYED {}:{:02}", s / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{SimGame, SimOptions};

    fn game() -> Vec<WidgetMessage> {
        SimGame::new(SimOptions {
            teams: 2,
            minutes: 3.0,
            ..SimOptions::default()
        })
        .play_out()
    }

    #[test]
    fn messages_reach_the_view_only_once_they_are_delay_old() {
        let mut v = DelayedView::new(120.0);
        let msgs = game();
        // One message every 100 ms from t = 1 000 000 ms.
        for (i, m) in msgs.iter().enumerate() {
            v.push(1_000_000 + 100 * i as u64, 100, m.clone());
        }
        assert!(!v.release(1_000_000 + 119_999), "nothing is 120 s old yet");
        assert_eq!(v.store.updates, 0);
        assert!(v.release(1_000_000 + 120_000 + 100 * 9));
        assert_eq!(v.queued(), msgs.len() - 10, "the first ten are due");
        let mut live = Store::new();
        msgs[..10].iter().for_each(|m| live.ingest(m));
        assert_eq!(v.store.updates, live.updates);
        assert_eq!(v.store.last_game_seconds, live.last_game_seconds);
        v.release(u64::MAX);
        assert_eq!(v.queued(), 0);
        assert_eq!(v.dropped, 0);
    }

    #[test]
    fn a_full_queue_drops_old_updates_and_never_releases_early() {
        let mut v = DelayedView::new(60.0);
        let msgs = game();
        let big = MAX_QUEUED_BYTES / 8;
        for (i, m) in msgs.iter().enumerate() {
            v.push(1 + i as u64, big, m.clone());
        }
        assert!(v.queued() <= 8 && v.dropped > 0);
        assert!(
            v.queue
                .iter()
                .any(|(_, _, m)| matches!(m, WidgetMessage::Hello(_))),
            "the hello stays"
        );
        assert!(!v.release(60_000), "still nothing due");
        assert_eq!(v.store.updates, 0);
    }

    #[test]
    fn the_badge_reads_minutes_and_seconds() {
        assert_eq!(badge(120.0), "DELAYED 2:00");
        assert_eq!(badge(95.4), "DELAYED 1:35");
        assert_eq!(DelayedView::new(f64::NAN).delay_s(), 1.0);
        assert_eq!(DelayedView::new(9999.0).delay_s(), MAX_DELAY_EVERYTHING_S);
    }
}
