//! When each update of the current game arrived: maps wall-clock time to game time for the stream delay.

/// Receive times (Unix ms) and game seconds of the current game's updates, in arrival order.
///
/// Bounded: past [`Timeline::MAX_POINTS`] the oldest half is thinned to every other point, which keeps
/// the delay lookups within one update interval of exact for any delay a stream uses (≤ 600 s).
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    points: Vec<(u64, f64)>,
}

impl Timeline {
    /// About 7 hours of updates at 2 per second.
    pub const MAX_POINTS: usize = 50_000;

    pub fn clear(&mut self) {
        self.points.clear();
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Records an update; a receive time earlier than the last one (a clock step) is clamped to it.
    pub fn push(&mut self, received_unix_ms: u64, game_seconds: f64) {
        let t = self
            .points
            .last()
            .map_or(received_unix_ms, |&(last, _)| received_unix_ms.max(last));
        if self.points.len() >= Self::MAX_POINTS {
            let half = self.points.len() / 2;
            let mut i = 0;
            self.points.retain(|_| {
                i += 1;
                i > half || i % 2 == 0
            });
        }
        self.points.push((t, game_seconds));
    }

    /// The game time shown at `unix_ms`: that of the last update received at or before it.
    pub fn game_seconds_at(&self, unix_ms: u64) -> Option<f64> {
        let n = self.points.partition_point(|&(t, _)| t <= unix_ms);
        n.checked_sub(1).map(|i| self.points[i].1)
    }

    /// Receive time of the newest update.
    pub fn last_received_unix_ms(&self) -> Option<u64> {
        self.points.last().map(|&(t, _)| t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_up_the_update_shown_at_a_time() {
        let mut tl = Timeline::default();
        assert_eq!(tl.game_seconds_at(5), None);
        tl.push(1_000, 0.5);
        tl.push(1_500, 1.0);
        tl.push(2_000, 1.5);
        assert_eq!(tl.game_seconds_at(999), None);
        assert_eq!(tl.game_seconds_at(1_000), Some(0.5));
        assert_eq!(tl.game_seconds_at(1_499), Some(0.5));
        assert_eq!(tl.game_seconds_at(1_500), Some(1.0));
        assert_eq!(tl.game_seconds_at(99_999), Some(1.5));
        assert_eq!(tl.last_received_unix_ms(), Some(2_000));
    }

    #[test]
    fn a_clock_step_back_does_not_reorder() {
        let mut tl = Timeline::default();
        tl.push(2_000, 1.0);
        tl.push(1_000, 2.0);
        assert_eq!(tl.game_seconds_at(2_000), Some(2.0));
    }

    #[test]
    fn stays_bounded_and_keeps_recent_points_exact() {
        let mut tl = Timeline::default();
        for i in 0..(Timeline::MAX_POINTS as u64 * 3) {
            tl.push(i * 500, i as f64 * 0.5);
        }
        assert!(tl.len() <= Timeline::MAX_POINTS);
        let last = Timeline::MAX_POINTS as u64 * 3 - 1;
        // The newest points are all kept: a 600 s delay is exact.
        let at = last * 500 - 600_000;
        assert_eq!(tl.game_seconds_at(at), Some(at as f64 / 1000.0));
    }
}
