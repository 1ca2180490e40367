//! Min/max decimation, so plotting cost depends on the plot's width, not on history length.
//!
//! Samples are grouped into buckets of absolute game time (`floor(t / w)`, `w` a power of two seconds,
//! the smallest at least one pixel column wide), and each bucket contributes its first minimum and first
//! maximum. Because the grid is absolute, not relative to the view's left edge, a growing series only
//! changes its last bucket: [`BucketCache`] keeps a series' buckets and extends them as samples arrive,
//! so the frame after each live update costs O(new samples + columns) instead of a scan of the whole
//! history. A bucket is 1 to 2 pixel columns wide, which keeps every spike and dip visible.

/// Buckets of `2^level` seconds; views narrower than `2^MIN_LEVEL` seconds (~1 µs) per column use that.
const MIN_LEVEL: i32 = -20;
const MAX_LEVEL: i32 = 60;
/// A [`BucketCache`] keeps this many levels (the views in use; zooming through levels evicts the oldest).
const CACHED_LEVELS: usize = 2;
/// `lo`/`hi` of a bucket whose samples are all NaN.
const NONE: u32 = u32::MAX;

/// The bucket level for a view of `[t0, t1]` over `columns` pixels: the smallest `level` with
/// `2^level ≥ (t1 − t0) / columns`.
pub fn bucket_level(t0: f64, t1: f64, columns: usize) -> i32 {
    let px = (t1 - t0) / columns.max(1) as f64;
    // Also NaN spans.
    if px.is_nan() || px <= 0.0 || px.is_infinite() {
        return MIN_LEVEL;
    }
    let mut level = (px.log2().ceil() as i32).clamp(MIN_LEVEL, MAX_LEVEL);
    // log2 may be off by an ulp; settle on the exact answer.
    while level < MAX_LEVEL && bucket_width(level) < px {
        level += 1;
    }
    while level > MIN_LEVEL && bucket_width(level - 1) >= px {
        level -= 1;
    }
    level
}

/// Width in seconds of a level's buckets (exact: a power of two).
pub fn bucket_width(level: i32) -> f64 {
    2f64.powi(level)
}

/// What a view needs: nothing, the raw samples `start..end`, or the buckets holding them.
enum Plan {
    Empty,
    Raw {
        start: usize,
        end: usize,
    },
    Buckets {
        level: i32,
        start: usize,
        end: usize,
    },
}

/// The samples of `[t0, t1]` plus the nearest one outside each edge (so lines reach the border); when
/// they are at most two per column they are drawn as they are.
fn plan(t: &[f64], v: &[f32], t0: f64, t1: f64, columns: usize) -> Plan {
    let n = t.len().min(v.len());
    if n == 0 || columns == 0 || t1.is_nan() || t0.is_nan() || t1 < t0 {
        return Plan::Empty;
    }
    let start = t[..n].partition_point(|&x| x < t0).saturating_sub(1);
    let end = (t[..n].partition_point(|&x| x <= t1) + 1).min(n);
    if start >= end {
        Plan::Empty
    } else if end - start <= 2 * columns {
        Plan::Raw { start, end }
    } else {
        Plan::Buckets {
            level: bucket_level(t0, t1, columns),
            start,
            end,
        }
    }
}

fn push_raw(t: &[f64], v: &[f32], start: usize, end: usize, out: &mut Vec<[f64; 2]>) {
    out.extend(
        (start..end)
            .filter(|&i| !v[i].is_nan())
            .map(|i| [t[i], f64::from(v[i])]),
    );
}

/// `(t, v)` over `[t0, t1]` decimated for `columns` pixel columns: at most two points per bucket (its
/// first minimum and first maximum, in time order) for every bucket holding a sample of the view or the
/// nearest sample beyond each edge, and for the bucket before and after those; NaN values are skipped.
/// `t` must be sorted ascending. Computed from scratch; a kept [`BucketCache`] gives the same points
/// incrementally.
pub fn decimate_minmax(
    t: &[f64],
    v: &[f32],
    t0: f64,
    t1: f64,
    columns: usize,
    out: &mut Vec<[f64; 2]>,
) {
    BucketCache::default().decimate(t, v, t0, t1, columns, out);
}

/// The bucket of time `x` at width `w`, as a float (`floor(x / w)`, exact for `w` a power of two).
fn column(x: f64, w: f64) -> f64 {
    (x / w).floor()
}

/// The right edge of `x`'s bucket. Where `x / w` is 2^53 or more, `column + 1` rounds back to `column`;
/// every such `x` is then a bucket of its own (`floor(x / w)` differs for every representable `x`).
fn bucket_edge(x: f64, w: f64) -> f64 {
    ((column(x, w) + 1.0) * w).max(x.next_up())
}

/// The samples `first..last` of the whole buckets holding samples `start..end`, and of the bucket on
/// either side: those lie wholly beyond the view's edges, so the lines reach its borders.
fn bucket_span(t: &[f64], v: &[f32], level: i32, start: usize, end: usize) -> (usize, usize) {
    let n = t.len().min(v.len());
    let t = &t[..n];
    let w = bucket_width(level);
    let bucket_start = |i: usize| t.partition_point(|&x| x < column(t[i], w) * w);
    let bucket_end = |i: usize| t.partition_point(|&x| x < bucket_edge(t[i], w));
    let first = match bucket_start(start) {
        0 => 0,
        f => bucket_start(f - 1),
    };
    let last = match bucket_end(end - 1) {
        l if l == n => n,
        l => bucket_end(l),
    };
    (first, last)
}

/// One bucket: the index of its first sample, and of its first minimum and first maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bucket {
    first: u32,
    lo: u32,
    hi: u32,
}

/// A series' buckets at one level, for the samples `base..scanned` (the views seen so far).
#[derive(Debug, Clone)]
struct Buckets {
    level: i32,
    list: Vec<Bucket>,
    /// The first sample of the first bucket.
    base: usize,
    /// The end of the last bucket.
    scanned: usize,
    /// Samples unchanged since the last scan.
    valid: usize,
}

impl Buckets {
    fn new(level: i32) -> Buckets {
        Buckets {
            level,
            list: Vec::new(),
            base: 0,
            scanned: 0,
            valid: 0,
        }
    }

    /// Appends the buckets of samples `from..to`; `from` must start a bucket.
    fn scan(&mut self, t: &[f64], v: &[f32], from: usize, to: usize) {
        let w = bucket_width(self.level);
        let mut i = from;
        while i < to {
            // Sorted times: the bucket runs while t < its right edge (exact: w is a power of two).
            let edge = bucket_edge(t[i], w);
            let mut j = i + 1;
            while j < to && t[j] < edge {
                j += 1;
            }
            let (lo, hi) = min_max_in(v, i, j).map_or((NONE, NONE), |(a, b)| (a as u32, b as u32));
            self.list.push(Bucket {
                first: i as u32,
                lo,
                hi,
            });
            i = j;
        }
        self.scanned = to;
    }

    /// Makes the list hold the buckets of samples `first..last` (a [`bucket_span`] of `(t, v)`), scanning
    /// only what it lacks: samples appended or changed since, and the parts of the span not seen before.
    fn ensure(&mut self, t: &[f64], v: &[f32], first: usize, last: usize) {
        let n = t.len().min(v.len());
        let valid = self.valid.min(n);
        self.valid = n;
        if valid < self.scanned {
            // Drop the buckets touching changed samples, and the one before (it may continue past them).
            let keep = self.list.partition_point(|b| (b.first as usize) < valid);
            self.scanned = match keep {
                0 => self.base,
                k => self.list[k - 1].first as usize,
            };
            self.list.truncate(keep.saturating_sub(1));
        }
        if self.list.is_empty() || first > self.scanned || last < self.base {
            // Nothing kept, or a span apart from it (a jump): start over there.
            self.list.clear();
            self.base = first;
            self.scanned = first;
        }
        if first < self.base {
            let mut front = Buckets::new(self.level);
            front.scan(t, v, first, self.base);
            front.list.append(&mut self.list);
            self.list = front.list;
            self.base = first;
        }
        if last > self.scanned {
            // The last bucket may have grown (new samples in its column): redo it.
            if let Some(b) = self.list.pop() {
                self.scanned = b.first as usize;
            }
            self.scan(t, v, self.scanned, last);
        }
    }

    /// Appends the points of the buckets of samples `first..last` (a [`bucket_span`]).
    fn emit(&self, t: &[f64], v: &[f32], first: usize, last: usize, out: &mut Vec<[f64; 2]>) {
        let i0 = self.list.partition_point(|b| (b.first as usize) < first);
        let i1 = self.list.partition_point(|b| (b.first as usize) < last);
        for b in self.list.get(i0..i1).unwrap_or_default() {
            if b.lo == NONE {
                continue;
            }
            let (a, z) = (b.lo.min(b.hi) as usize, b.lo.max(b.hi) as usize);
            out.push([t[a], f64::from(v[a])]);
            if z != a {
                out.push([t[z], f64::from(v[z])]);
            }
        }
    }
}

/// A series' buckets for the levels in use, kept up to date incrementally: [`BucketCache::decimate`]
/// equals [`decimate_minmax`] on the same columns.
#[derive(Debug, Clone, Default)]
pub struct BucketCache {
    /// Most recently used first.
    levels: Vec<Buckets>,
}

impl BucketCache {
    /// Samples from `index` on changed (or were removed); the affected buckets are redone when next used.
    pub fn invalidate_from(&mut self, index: usize) {
        for b in &mut self.levels {
            b.valid = b.valid.min(index);
        }
    }

    /// [`decimate_minmax`] of `(t, v)`, which must extend the series the cache saw, apart from samples
    /// passed to [`BucketCache::invalidate_from`] since.
    pub fn decimate(
        &mut self,
        t: &[f64],
        v: &[f32],
        t0: f64,
        t1: f64,
        columns: usize,
        out: &mut Vec<[f64; 2]>,
    ) {
        out.clear();
        match plan(t, v, t0, t1, columns) {
            Plan::Empty => {}
            Plan::Raw { start, end } => push_raw(t, v, start, end, out),
            Plan::Buckets { level, start, end } => {
                let mut buckets = match self.levels.iter().position(|b| b.level == level) {
                    Some(i) => self.levels.remove(i),
                    None => Buckets::new(level),
                };
                let (first, last) = bucket_span(t, v, level, start, end);
                buckets.ensure(t, v, first, last);
                buckets.emit(t, v, first, last, out);
                self.levels.insert(0, buckets);
                self.levels.truncate(CACHED_LEVELS);
            }
        }
    }
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
    Some((lo, hi))
}

#[cfg(test)]
mod tests;
