//! Quantiles of sorted values, for benchmarks and coaching.

/// The `p` quantile (0..=1) of ascending `sorted` values, interpolating linearly between the two nearest
/// ranks (as R's type 7 and numpy's default).
pub fn quantile(sorted: &[f32], p: f64) -> Option<f32> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p.clamp(0.0, 1.0);
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let a = f64::from(sorted[lo]);
    let b = f64::from(sorted[(lo + 1).min(last)]);
    Some((a + frac * (b - a)) as f32)
}
