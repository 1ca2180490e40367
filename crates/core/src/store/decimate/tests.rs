use std::collections::BTreeMap;

use super::*;

fn bits(p: &[[f64; 2]]) -> Vec<(u64, u64)> {
    p.iter().map(|q| (q[0].to_bits(), q[1].to_bits())).collect()
}

/// xorshift64: deterministic random cases.
fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

/// A random sorted time column (duplicates, gaps, uneven steps) and values (NaNs, repeats).
fn random_series(next: &mut impl FnMut() -> u64, n: usize) -> (Vec<f64>, Vec<f32>) {
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
    let v = (0..n)
        .map(|_| match next() % 20 {
            0 => f32::NAN,
            1 => 3.0,
            _ => (next() % 1000) as f32 * 0.25 - 50.0,
        })
        .collect();
    (t, v)
}

/// The definition, written the slow and obvious way: group every sample by `floor(t / w)`.
fn brute_force(t: &[f64], v: &[f32], t0: f64, t1: f64, columns: usize) -> Vec<[f64; 2]> {
    let n = t.len();
    let inside: Vec<usize> = (0..n).filter(|&i| t[i] >= t0 && t[i] <= t1).collect();
    let before = (0..n).rev().find(|&i| t[i] < t0);
    let after = (0..n).find(|&i| t[i] > t1);
    let mut view: Vec<usize> = before.into_iter().chain(inside).chain(after).collect();
    view.sort_unstable();
    let point = |i: usize| [t[i], f64::from(v[i])];
    if view.len() <= 2 * columns {
        return view
            .into_iter()
            .filter(|&i| !v[i].is_nan())
            .map(point)
            .collect();
    }
    let w = bucket_width(bucket_level(t0, t1, columns));
    let col = |i: usize| (t[i] / w).floor() as i64;
    let mut groups: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        groups.entry(col(i)).or_default().push(i);
    }
    // The buckets of the view's samples, and one more (with samples) on either side.
    let cols: Vec<i64> = groups.keys().copied().collect();
    let at = |c: i64| cols.binary_search(&c).expect("a sample's column");
    let lo = at(col(view[0])).saturating_sub(1);
    let hi = (at(col(view[view.len() - 1])) + 1).min(cols.len() - 1);
    groups.retain(|c, _| (cols[lo]..=cols[hi]).contains(c));
    let mut out = Vec::new();
    for members in groups.values() {
        let ok: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| !v[i].is_nan())
            .collect();
        let Some(&first) = ok.first() else { continue };
        let lo = ok
            .iter()
            .copied()
            .fold(first, |a, i| if v[i] < v[a] { i } else { a });
        let hi = ok
            .iter()
            .copied()
            .fold(first, |a, i| if v[i] > v[a] { i } else { a });
        out.push(point(lo.min(hi)));
        if lo != hi {
            out.push(point(lo.max(hi)));
        }
    }
    out
}

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
    for columns in [1, 37, 500, 1920] {
        decimate_minmax(&t, &v, 0.0, (n - 1) as f64, columns, &mut out);
        assert!(out.len() <= 2 * (columns + 5), "{} points", out.len());
        assert!(out.len() >= columns, "{} points for {columns}", out.len());
        assert!(out.iter().any(|p| p[1] == 1000.0));
        assert!(out.iter().any(|p| p[1] == -50.0));
        assert!(out.windows(2).all(|w| w[0][0] < w[1][0]), "time order kept");
    }
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

/// A zero-width view (every sample at one time) far from time 0: the smallest buckets must still hold
/// the samples (with 2^-40 s buckets, `t / w` passed 2^53 and the bucket edge rounded onto its start).
#[test]
fn zero_width_view_far_from_zero() {
    let mut t = vec![0.0];
    t.extend(std::iter::repeat_n(10_000.0, 100));
    let v: Vec<f32> = (0..t.len()).map(|i| i as f32).collect();
    let mut out = Vec::new();
    decimate_minmax(&t, &v, 10_000.0, 10_000.0, 10, &mut out);
    assert_eq!(out, brute_force(&t, &v, 10_000.0, 10_000.0, 10));
    assert_eq!(out, vec![[0.0, 0.0], [10_000.0, 1.0], [10_000.0, 100.0]]);
    // Far beyond any game: each time is its own bucket, nothing lost.
    let t: Vec<f64> = (0..50).map(|i| 1e20 + f64::from(i / 2) * 1e5).collect();
    let v: Vec<f32> = (0..50).map(|i| i as f32).collect();
    decimate_minmax(&t, &v, t[0], t[49], 5, &mut out);
    assert!(out.iter().any(|p| p[1] == 49.0) && out.iter().any(|p| p[1] == 0.0));
}

#[test]
fn bucket_is_one_to_two_columns_wide() {
    let mut next = rng(77);
    for _ in 0..10_000 {
        let t0 = (next() % 100_000) as f64 * 0.013;
        let span = (next() % 1_000_000) as f64 * 0.0071 + 1e-3;
        let columns = (next() % 4000) as usize + 1;
        let level = bucket_level(t0, t0 + span, columns);
        let px = span / columns as f64;
        assert!(bucket_width(level) >= px, "{span}/{columns}: level {level}");
        assert!(
            bucket_width(level - 1) < px,
            "{span}/{columns}: level {level}"
        );
    }
    assert_eq!(bucket_level(5.0, 5.0, 100), MIN_LEVEL);
    assert_eq!(bucket_level(0.0, 600.0, 600), 0);
    assert_eq!(bucket_level(0.0, 601.0, 600), 1);
}

#[test]
fn matches_brute_force() {
    let mut next = rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::new();
    for case in 0..300 {
        let n = (next() % 3000) as usize + 1;
        let (t, v) = random_series(&mut next, n);
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
        decimate_minmax(&t, &v, t0, t1, columns, &mut out);
        assert_eq!(
            bits(&out),
            bits(&brute_force(&t, &v, t0, t1, columns)),
            "case {case}: n {n}, [{t0}, {t1}], {columns} columns"
        );
    }
}

/// The cache follows a series that grows in uneven chunks and sometimes has its tail rewritten (as a
/// merged ally sum does), under views that follow the end, slide, zoom and jump between levels.
#[test]
fn cache_matches_fresh_while_growing_and_rewritten() {
    let mut next = rng(4242);
    let (all_t, all_v) = random_series(&mut next, 6000);
    let mut cache = BucketCache::default();
    let (mut t, mut v) = (Vec::new(), Vec::new());
    let (mut cached, mut fresh) = (Vec::new(), Vec::new());
    let mut step = 0;
    let mut pan = 0.0f64;
    while t.len() < all_t.len() {
        step += 1;
        let grow = [1, 1, 2, 17, 250][(next() % 5) as usize].min(all_t.len() - t.len());
        let n = t.len();
        t.extend_from_slice(&all_t[n..n + grow]);
        v.extend_from_slice(&all_v[n..n + grow]);
        if step % 7 == 0 && !v.is_empty() {
            // Rewrite the tail from k (and drop the last sample sometimes), as told to the cache.
            let k = (next() % v.len() as u64) as usize;
            for x in &mut v[k..] {
                *x = (next() % 1000) as f32 * 0.5;
            }
            if step % 14 == 0 {
                t.pop();
                v.pop();
            }
            cache.invalidate_from(k);
        }
        let Some(&end) = t.last() else { continue };
        pan = (pan + [-40.0, -7.0, 3.0, 20.0, 900.0][(next() % 5) as usize]).clamp(0.0, end);
        let views = [
            (0.0, end, 600),
            (0.0, end, 40),
            ((end - 300.0).max(0.0), end, 200),
            (end * 0.25, end * 0.5, 90),
            (
                end * (next() % 100) as f64 / 100.0,
                end,
                1 + (next() % 300) as usize,
            ),
            // Panning a zoomed view back and forth (the cache grows at either end, or jumps).
            (pan, pan + 150.0, 60),
        ];
        for (t0, t1, columns) in views {
            cache.decimate(&t, &v, t0, t1, columns, &mut cached);
            decimate_minmax(&t, &v, t0, t1, columns, &mut fresh);
            assert_eq!(
                bits(&cached),
                bits(&fresh),
                "step {step}, {} samples, [{t0}, {t1}] at {columns}",
                t.len()
            );
        }
        assert!(cache.levels.len() <= CACHED_LEVELS);
    }
}

/// After a live update only the last bucket is redone: the rest of the list is kept as it was.
#[test]
fn appending_redoes_only_the_last_bucket() {
    let t: Vec<f64> = (0..10_000).map(|i| f64::from(i) * 0.5).collect();
    let v: Vec<f32> = (0..10_000).map(|i| (i % 13) as f32).collect();
    let mut cache = BucketCache::default();
    let mut out = Vec::new();
    cache.decimate(&t[..9_000], &v[..9_000], 0.0, 4_500.0, 300, &mut out);
    let before = cache.levels[0].list.clone();
    let first_after = before.last().expect("buckets").first;
    cache.decimate(&t[..9_001], &v[..9_001], 0.0, 4_500.5, 300, &mut out);
    let after = &cache.levels[0].list;
    assert_eq!(after[..before.len() - 1], before[..before.len() - 1]);
    assert_eq!(after[before.len() - 1].first, first_after);
}

/// A zoomed view scans and keeps its own span, not the whole history, also after jumping elsewhere.
#[test]
fn zoomed_views_keep_only_their_span() {
    let t: Vec<f64> = (0..100_000).map(|i| f64::from(i) * 0.5).collect();
    let v: Vec<f32> = (0..100_000).map(|i| (i % 13) as f32).collect();
    let mut cache = BucketCache::default();
    let mut out = Vec::new();
    // Overlapping spans join (at most two spans' worth here); a jump starts over.
    for t0 in [0.0, 100.0, 24_000.0, 23_990.0, 5_000.0] {
        cache.decimate(&t, &v, t0, t0 + 200.0, 50, &mut out);
        let b = &cache.levels[0];
        assert!(b.list.len() <= 120, "{} buckets at {t0}", b.list.len());
        assert!(
            b.scanned - b.base <= 900,
            "scanned {}..{}",
            b.base,
            b.scanned
        );
        assert!(out.first().expect("points")[0] <= t0);
        assert!(out.last().expect("points")[0] >= t0 + 200.0);
    }
}
