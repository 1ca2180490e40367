//! Min/max decimation per pixel column, so plotting cost depends on the plot's width, not on history length.

/// Points of `(t, v)` within `[t0, t1]` reduced to at most two per column (the column's min and max, in
/// time order), plus the nearest point outside each edge so lines reach the border. NaN values are skipped.
/// `t` must be sorted ascending.
pub fn decimate_minmax(
    t: &[f64],
    v: &[f32],
    t0: f64,
    t1: f64,
    columns: usize,
    out: &mut Vec<[f64; 2]>,
) {
    out.clear();
    let n = t.len().min(v.len());
    if n == 0 || columns == 0 || t1 < t0 {
        return;
    }
    let start = t[..n].partition_point(|&x| x < t0).saturating_sub(1);
    let end = (t[..n].partition_point(|&x| x <= t1) + 1).min(n);
    if start >= end {
        return;
    }
    if end - start <= 2 * columns {
        out.extend(
            (start..end)
                .filter(|&i| !v[i].is_nan())
                .map(|i| [t[i], f64::from(v[i])]),
        );
        return;
    }
    let width = (t1 - t0).max(f64::MIN_POSITIVE) / columns as f64;
    let column_of = |x: f64| -> i64 { ((x - t0) / width).floor() as i64 };
    let mut i = start;
    while i < end {
        let col = column_of(t[i]);
        let (mut lo, mut hi) = (usize::MAX, usize::MAX);
        while i < end && column_of(t[i]) == col {
            let x = v[i];
            if !x.is_nan() {
                if lo == usize::MAX || x < v[lo] {
                    lo = i;
                }
                if hi == usize::MAX || x > v[hi] {
                    hi = i;
                }
            }
            i += 1;
        }
        if lo == usize::MAX {
            continue;
        }
        let (a, b) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        out.push([t[a], f64::from(v[a])]);
        if b != a {
            out.push([t[b], f64::from(v[b])]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_inputs_pass_through() {
        let t = [0.0, 1.0, 2.0];
        let v = [1.0, f32::NAN, 3.0];
        let mut out = Vec::new();
        decimate_minmax(&t, &v, 0.0, 2.0, 100, &mut out);
        assert_eq!(out, vec![[0.0, 1.0], [2.0, 3.0]]);
    }

    #[test]
    fn keeps_extremes_and_bounds_point_count() {
        let n = 100_000;
        let t: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let mut v: Vec<f32> = (0..n).map(|i| (i % 7) as f32).collect();
        v[54_321] = 1000.0; // a spike must survive
        v[12_345] = -50.0; // and a dip
        let mut out = Vec::new();
        decimate_minmax(&t, &v, 0.0, (n - 1) as f64, 500, &mut out);
        assert!(out.len() <= 2 * 501 + 2, "{} points", out.len());
        assert!(out.iter().any(|p| p[1] == 1000.0));
        assert!(out.iter().any(|p| p[1] == -50.0));
        assert!(
            out.windows(2).all(|w| w[0][0] <= w[1][0]),
            "time order kept"
        );
    }

    #[test]
    fn window_includes_one_point_beyond_each_edge() {
        let t: Vec<f64> = (0..10).map(f64::from).collect();
        let v: Vec<f32> = (0..10).map(|i| i as f32).collect();
        let mut out = Vec::new();
        decimate_minmax(&t, &v, 3.5, 5.5, 100, &mut out);
        assert_eq!(out.first().unwrap()[0], 3.0);
        assert_eq!(out.last().unwrap()[0], 6.0);
    }
}
