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
    // `floor(q) as i64`; truncation is the same for q ≥ 0 and much cheaper than `floor` (a libm call on
    // baseline x86-64).
    let column_of = |x: f64| -> i64 {
        let q = (x - t0) / width;
        if q >= 0.0 { q as i64 } else { q.floor() as i64 }
    };
    let mut i = start;
    while i < end {
        let j = column_end(t, i, end, t0, width, column_of);
        if let Some((a, b)) = min_max_in(v, i, j) {
            out.push([t[a], f64::from(v[a])]);
            if b != a {
                out.push([t[b], f64::from(v[b])]);
            }
        }
        i = j;
    }
}

/// The end (exclusive) of the run of samples from `i` that fall in the same column as `t[i]`.
///
/// The column of a sample is `column_of(t)`; it is monotonic in `t`, so the run is found with cheap
/// comparisons against the column's right edge and then corrected with `column_of` at the boundary, which
/// gives exactly the grouping of evaluating `column_of` on every sample (a division and a `floor` each).
fn column_end(
    t: &[f64],
    i: usize,
    end: usize,
    t0: f64,
    width: f64,
    column_of: impl Fn(f64) -> i64,
) -> usize {
    let col = column_of(t[i]);
    let edge = t0 + (col + 1) as f64 * width;
    let mut j = i + 1;
    while j < end && t[j] < edge {
        j += 1;
    }
    while j > i + 1 && column_of(t[j - 1]) != col {
        j -= 1;
    }
    while j < end && column_of(t[j]) == col {
        j += 1;
    }
    j
}

/// Indices of the first minimum and the first maximum of `v[i..j]` (NaNs skipped), in time order.
fn min_max_in(v: &[f32], i: usize, j: usize) -> Option<(usize, usize)> {
    let first = (i..j).find(|&k| !v[k].is_nan())?;
    let (mut lo, mut hi) = (first, first);
    let (mut lo_v, mut hi_v) = (v[first], v[first]);
    for (k, &x) in v.iter().enumerate().take(j).skip(first + 1) {
        // NaN compares false both ways, so it is skipped.
        if x < lo_v {
            lo = k;
            lo_v = x;
        }
        if x > hi_v {
            hi = k;
            hi_v = x;
        }
    }
    Some(if lo <= hi { (lo, hi) } else { (hi, lo) })
}

/// The previous implementation (a division and a `floor` per sample): the same output as
/// [`decimate_minmax`]; kept to check it against, and for the benchmark's before/after.
#[doc(hidden)]
pub fn decimate_minmax_reference(
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

    /// The fast column grouping gives exactly the reference output, also on awkward time columns
    /// (duplicates, gaps, non-integer steps, NaN values, ranges that cut the series).
    #[test]
    fn matches_reference() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for case in 0..300 {
            let n = (next() % 5000) as usize + 1;
            let mut t = Vec::with_capacity(n);
            let mut x = (next() % 100) as f64 * 0.37;
            for _ in 0..n {
                t.push(x);
                x += match next() % 10 {
                    0 => 0.0,
                    1 => (next() % 1000) as f64 * 0.1,
                    _ => 0.5 + (next() % 3) as f64 * 0.1,
                };
            }
            let v: Vec<f32> = (0..n)
                .map(|_| match next() % 20 {
                    0 => f32::NAN,
                    1 => 3.0,
                    _ => (next() % 1000) as f32 * 0.25 - 50.0,
                })
                .collect();
            let last = t[n - 1];
            let t0 = if case % 3 == 0 {
                0.0
            } else {
                last * (next() % 50) as f64 / 100.0
            };
            let t1 = if case % 4 == 0 {
                last
            } else {
                t0 + (last - t0) * (next() % 100 + 1) as f64 / 100.0
            };
            let columns = [1, 7, 50, 600, 1920][case % 5];
            let (mut fast, mut reference) = (Vec::new(), Vec::new());
            decimate_minmax(&t, &v, t0, t1, columns, &mut fast);
            decimate_minmax_reference(&t, &v, t0, t1, columns, &mut reference);
            let bits = |p: &[[f64; 2]]| {
                p.iter()
                    .map(|q| (q[0].to_bits(), q[1].to_bits()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                bits(&fast),
                bits(&reference),
                "case {case}: n {n}, [{t0}, {t1}], {columns} columns"
            );
        }
    }
}
