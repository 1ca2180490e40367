//! The army composition of a store's series at given times (the composition card, review).

use crate::game::Band;
use crate::store::{Metric, SeriesOf, Store, ValueMode};

/// The composition of `of` (a team, or an ally team's sum) at each of `times`: per band, the last value
/// at or before the time (0 before the first sample, for unread samples and for no data).
pub fn bands_at(store: &Store, of: SeriesOf, times: &[f64]) -> Vec<[f32; Band::COUNT]> {
    let mut out = vec![[0f32; Band::COUNT]; times.len()];
    for (b, metric) in Metric::BANDS.into_iter().enumerate() {
        store.with_derived(of, metric, ValueMode::PerSecond, 1.0, |t, v| {
            let mut i = 0;
            for (row, &at) in out.iter_mut().zip(times) {
                // `times` ascending: walk forward instead of searching from scratch.
                if i > 0 && t.get(i - 1).is_some_and(|&x| x > at) {
                    i = 0;
                }
                while i < t.len() && t[i] <= at {
                    i += 1;
                }
                let x = if i > 0 { v[i - 1] } else { 0.0 };
                row[b] = if x.is_finite() { x.max(0.0) } else { 0.0 };
            }
        });
    }
    out
}
