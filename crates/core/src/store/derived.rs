//! Derived series for the plots (ally sums, cumulative/per-second transforms, rate scaling) and their
//! decimated lines, cached in the [`Store`] and extended incrementally as samples arrive.
//!
//! Every result equals the fresh computation ([`Store::team_values`] / [`Store::ally_values`], scaled,
//! then [`decimate_minmax`](super::decimate_minmax)) bit for bit. An entry remembers, per member series, how many samples it
//! consumed and the last of them (time and value bits); series only grow, so a shorter series or a
//! different last sample means the history was replaced, and the entry is rebuilt from scratch.
//! Views that need no derivation (a team's levels, rates per second at factor 1, …) borrow the store's
//! columns and are never copied.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::decimate::BucketCache;
use super::{Kind, Metric, STATS_PERIOD_S, Store, TeamSeries, ValueMode};

/// Which series: one team, or the sum over an ally team's members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeriesOf {
    Team(u32),
    Ally(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    of: SeriesOf,
    metric: Metric,
    cumulative: bool,
    scale_bits: u32,
}

/// What [`Store::decimated_cached`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cached {
    /// The decimation of this request, up to date.
    Current,
    /// An older decimation of the same series (another range, or before the latest samples).
    Stale,
    /// Nothing yet.
    Missing,
}

/// The cache of derived series. Lives in the store (a new store, or [`Store::clear`], starts empty).
#[derive(Debug, Default)]
pub struct DerivedCache {
    entries: Mutex<HashMap<Key, Entry>>,
}

impl DerivedCache {
    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops every cached series (the next request recomputes from the store).
    pub fn invalidate(&self) {
        self.lock().clear();
    }

    /// Number of cached series.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What an entry saw of one member series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mark {
    team: u32,
    len: usize,
    last_t: u64,
    last_v: u32,
}

#[derive(Debug, Clone, PartialEq)]
struct DecimKey {
    t0: u64,
    t1: u64,
    columns: usize,
}

#[derive(Debug)]
struct LastDecimation {
    key: DecimKey,
    points: Vec<[f64; 2]>,
    /// No samples arrived since it was made.
    fresh: bool,
}

#[derive(Debug)]
struct Entry {
    marks: Vec<Mark>,
    /// Ally sums of several members: samples before `bound` are final (later samples of any member come
    /// at or after it); the merged tail from `stable` on is redone when members grow.
    bound: f64,
    merged_t: Vec<f64>,
    merged_raw: Vec<f32>,
    stable: usize,
    /// Per member, the index of its first sample at or after `bound` (where the merge resumes).
    resume: Vec<usize>,
    /// Transformed and scaled values (empty when the view is the raw column itself).
    values: Vec<f32>,
    /// Transform state after `stable` inputs.
    tf_at_stable: Transform,
    /// Min/max buckets of the view's values, extended as they grow.
    buckets: BucketCache,
    /// The last decimation: returned again while nothing changes (`fresh`), and kept after new samples
    /// arrive (no longer fresh) for frames out of time ([`Store::decimated_cached`]).
    decimated: Option<LastDecimation>,
}

impl Entry {
    fn new(kind: Kind, mode: ValueMode) -> Entry {
        Entry {
            marks: Vec::new(),
            bound: f64::NEG_INFINITY,
            merged_t: Vec::new(),
            merged_raw: Vec::new(),
            stable: 0,
            resume: Vec::new(),
            values: Vec::new(),
            tf_at_stable: Transform::new(kind, mode),
            buckets: BucketCache::default(),
            decimated: None,
        }
    }
}

/// [`super::transform`], one sample at a time (same arithmetic, so the same results).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Transform {
    Identity,
    /// Trapezoid integral of a rate; NaN samples contribute nothing.
    Integrate {
        acc: f64,
        prev: Option<(f64, f32)>,
    },
    /// Rate of change of a counter, held between changes (see [`super::transform`]).
    Differentiate {
        last: Option<(f64, f32)>,
        rate: f32,
    },
}

impl Transform {
    pub(crate) fn new(kind: Kind, mode: ValueMode) -> Transform {
        match (kind, mode) {
            (Kind::Level, _)
            | (Kind::Rate, ValueMode::PerSecond)
            | (Kind::Counter, ValueMode::Cumulative) => Transform::Identity,
            (Kind::Rate, ValueMode::Cumulative) => Transform::Integrate {
                acc: 0.0,
                prev: None,
            },
            (Kind::Counter, ValueMode::PerSecond) => Transform::Differentiate {
                last: None,
                rate: f32::NAN,
            },
        }
    }

    pub(crate) fn push(&mut self, t: f64, x: f32) -> f32 {
        match self {
            Transform::Identity => x,
            Transform::Integrate { acc, prev } => {
                if let Some((tp, a)) = *prev
                    && !a.is_nan()
                    && !x.is_nan()
                {
                    *acc += (t - tp) * f64::from(a + x) / 2.0;
                }
                *prev = Some((t, x));
                *acc as f32
            }
            Transform::Differentiate { last, rate } => {
                if x.is_nan() {
                    return f32::NAN;
                }
                match *last {
                    None => *last = Some((t, x)),
                    Some((t0, x0)) if x != x0 => {
                        let dt = t - t0;
                        if dt > 0.0 {
                            *rate = ((f64::from(x) - f64::from(x0)) / dt) as f32;
                        }
                        *last = Some((t, x));
                    }
                    Some((t0, _)) if t - t0 > STATS_PERIOD_S + 1.0 => *rate = 0.0,
                    Some(_) => {}
                }
                *rate
            }
        }
    }
}

fn mark(team: u32, s: &TeamSeries, metric: Metric) -> Mark {
    let len = s.len();
    let (last_t, last_v) = match len {
        0 => (0, 0),
        n => (s.t[n - 1].to_bits(), s.values(metric)[n - 1].to_bits()),
    };
    Mark {
        team,
        len,
        last_t,
        last_v,
    }
}

/// Whether `s` still starts with what `m` saw (series only grow; anything else is a new history).
fn still_extends(m: &Mark, s: &TeamSeries, metric: Metric) -> bool {
    s.len() >= m.len
        && (m.len == 0
            || (s.t[m.len - 1].to_bits() == m.last_t
                && s.values(metric)[m.len - 1].to_bits() == m.last_v))
}

impl Store {
    /// The series behind `of`: the team's, or the ally team's non-Gaia members' (as in `ally_values`).
    fn members_of(&self, of: SeriesOf) -> Vec<(u32, &TeamSeries)> {
        match of {
            SeriesOf::Team(id) => self.series.get(&id).map(|s| (id, s)).into_iter().collect(),
            SeriesOf::Ally(ally) => self
                .teams
                .values()
                .filter(|t| t.ally_team_id == ally && !t.is_gaia)
                .filter_map(|t| self.series.get(&t.team_id).map(|s| (t.team_id, s)))
                .collect(),
        }
    }

    /// Calls `f` with the (time, value) columns of `of`'s `metric` in view `mode`, values multiplied by
    /// `scale` unless it is 1: the same numbers as `team_values`/`ally_values` (then scaled), borrowed from
    /// the store or from its cache of derived series, which is brought up to date first.
    /// `f` must not call back into this store's derived-series methods.
    pub fn with_derived<R>(
        &self,
        of: SeriesOf,
        metric: Metric,
        mode: ValueMode,
        scale: f32,
        f: impl FnOnce(&[f64], &[f32]) -> R,
    ) -> R {
        let mut entries = self.derived.lock();
        let members = self.members_of(of);
        let key = key(of, metric, mode, scale);
        let entry = entries
            .entry(key)
            .or_insert_with(|| Entry::new(metric.kind(), mode));
        refresh(entry, &members, metric, mode, scale);
        let (t, v) = view(entry, &members, metric, mode, scale);
        f(t, v)
    }

    /// [`decimate_minmax`](super::decimate_minmax) of [`Store::with_derived`]'s columns over `[t0, t1]` at
    /// `columns`, from the entry's min/max buckets (extended by the new samples only); the same request
    /// with no new samples returns the previous result.
    #[allow(clippy::too_many_arguments)]
    pub fn decimated(
        &self,
        of: SeriesOf,
        metric: Metric,
        mode: ValueMode,
        scale: f32,
        t0: f64,
        t1: f64,
        columns: usize,
        out: &mut Vec<[f64; 2]>,
    ) {
        let mut entries = self.derived.lock();
        let members = self.members_of(of);
        let key = key(of, metric, mode, scale);
        let entry = entries
            .entry(key)
            .or_insert_with(|| Entry::new(metric.kind(), mode));
        refresh(entry, &members, metric, mode, scale);
        let dk = DecimKey {
            t0: t0.to_bits(),
            t1: t1.to_bits(),
            columns,
        };
        if let Some(last) = &entry.decimated
            && last.fresh
            && last.key == dk
        {
            out.clear();
            out.extend_from_slice(&last.points);
            return;
        }
        let mut buckets = std::mem::take(&mut entry.buckets);
        let (t, v) = view(entry, &members, metric, mode, scale);
        buckets.decimate(t, v, t0, t1, columns, out);
        entry.buckets = buckets;
        entry.decimated = Some(LastDecimation {
            key: dk,
            points: out.clone(),
            fresh: true,
        });
    }

    /// What [`Store::decimated`] would return, but only from what is cached, computing nothing (for
    /// frames out of time): the decimation of this request if it is up to date ([`Cached::Current`]),
    /// else the last one made for this series, possibly of another range or fewer samples
    /// ([`Cached::Stale`]), else nothing ([`Cached::Missing`], `out` empty).
    #[allow(clippy::too_many_arguments)]
    pub fn decimated_cached(
        &self,
        of: SeriesOf,
        metric: Metric,
        mode: ValueMode,
        scale: f32,
        t0: f64,
        t1: f64,
        columns: usize,
        out: &mut Vec<[f64; 2]>,
    ) -> Cached {
        out.clear();
        let entries = self.derived.lock();
        let Some(entry) = entries.get(&key(of, metric, mode, scale)) else {
            return Cached::Missing;
        };
        let Some(last) = &entry.decimated else {
            return Cached::Missing;
        };
        out.extend_from_slice(&last.points);
        let members = self.members_of(of);
        let current = last.fresh
            && entry.marks.len() == members.len()
            && entry
                .marks
                .iter()
                .zip(&members)
                .all(|(m, (id, s))| *m == mark(*id, s, metric))
            && last.key
                == (DecimKey {
                    t0: t0.to_bits(),
                    t1: t1.to_bits(),
                    columns,
                });
        if current {
            Cached::Current
        } else {
            Cached::Stale
        }
    }

    /// The cache behind [`Store::with_derived`] and [`Store::decimated`].
    pub fn derived_cache(&self) -> &DerivedCache {
        &self.derived
    }
}

fn key(of: SeriesOf, metric: Metric, mode: ValueMode, scale: f32) -> Key {
    Key {
        of,
        metric,
        cumulative: mode == ValueMode::Cumulative,
        scale_bits: scale.to_bits(),
    }
}

/// Whether the view of one member is its raw column (nothing to compute or store).
fn is_raw(members: usize, kind: Kind, mode: ValueMode, scale: f32) -> bool {
    members <= 1 && scale == 1.0 && Transform::new(kind, mode) == Transform::Identity
}

fn view<'a>(
    entry: &'a Entry,
    members: &[(u32, &'a TeamSeries)],
    metric: Metric,
    mode: ValueMode,
    scale: f32,
) -> (&'a [f64], &'a [f32]) {
    match members {
        [] => (&[], &[]),
        [(_, s)] if is_raw(1, metric.kind(), mode, scale) => (&s.t, s.values(metric)),
        [(_, s)] => (&s.t, &entry.values),
        _ => {
            let raw = scale == 1.0 && Transform::new(metric.kind(), mode) == Transform::Identity;
            (
                &entry.merged_t,
                if raw {
                    &entry.merged_raw
                } else {
                    &entry.values
                },
            )
        }
    }
}

/// Brings `entry` up to date with `members`.
fn refresh(
    entry: &mut Entry,
    members: &[(u32, &TeamSeries)],
    metric: Metric,
    mode: ValueMode,
    scale: f32,
) {
    let merged = members.len() > 1;
    let same_members = entry.marks.len() == members.len()
        && entry.marks.iter().zip(members).all(|(m, (id, s))| {
            m.team == *id
                && still_extends(m, s, metric)
                // Samples already merged as final must stay before any new one.
                && (!merged || s.len() == m.len || s.t[m.len] >= entry.bound)
        });
    if !same_members {
        *entry = Entry::new(metric.kind(), mode);
        entry.marks = members
            .iter()
            .map(|(id, _)| Mark {
                team: *id,
                len: 0,
                last_t: 0,
                last_v: 0,
            })
            .collect();
        entry.resume = vec![0; members.len()];
    } else if entry
        .marks
        .iter()
        .zip(members)
        .all(|(m, (_, s))| m.len == s.len())
    {
        return;
    }
    if let Some(last) = &mut entry.decimated {
        last.fresh = false;
    }
    let transform_from = if merged {
        let from = entry.stable;
        merge_from_stable(entry, members, metric);
        from
    } else {
        entry.marks.first().map_or(0, |m| m.len)
    };
    // Values from `transform_from` on are recomputed (ally sums: redone; single series: appended).
    entry.buckets.invalidate_from(transform_from);
    let (t, raw): (&[f64], &[f32]) = match members {
        [] => (&[], &[]),
        [(_, s)] => (&s.t, s.values(metric)),
        _ => (&entry.merged_t, &entry.merged_raw),
    };
    let identity = Transform::new(metric.kind(), mode) == Transform::Identity;
    if !(identity && scale == 1.0) {
        // Single members are append-only: everything so far is stable.
        let stable = if merged { entry.stable } else { t.len() };
        entry.values.truncate(transform_from);
        let mut tf = entry.tf_at_stable;
        for k in transform_from..t.len() {
            if k == stable {
                entry.tf_at_stable = tf;
            }
            let x = tf.push(t[k], raw[k]);
            entry.values.push(if scale == 1.0 { x } else { x * scale });
        }
        if stable == t.len() {
            entry.tf_at_stable = tf;
        }
    }
    entry.marks = members.iter().map(|(id, s)| mark(*id, s, metric)).collect();
}

/// Redoes the merged (summed) tail of an ally series from its last final sample.
/// The same k-way merge as the store's `sum_aligned`.
fn merge_from_stable(entry: &mut Entry, members: &[(u32, &TeamSeries)], metric: Metric) {
    entry.merged_t.truncate(entry.stable);
    entry.merged_raw.truncate(entry.stable);
    let mut idx = entry.resume.clone();
    let bound = members
        .iter()
        .filter_map(|(_, s)| s.t.last().copied())
        .fold(f64::NEG_INFINITY, f64::max);
    if merge_prefix_aligned(entry, members, metric, bound) {
        return;
    }
    let mut snapshot: Option<(usize, Vec<usize>)> = None;
    loop {
        let next = members
            .iter()
            .zip(&idx)
            .filter_map(|((_, s), &i)| s.t.get(i).copied())
            .fold(f64::INFINITY, f64::min);
        if next == f64::INFINITY {
            break;
        }
        if snapshot.is_none() && next >= bound {
            snapshot = Some((entry.merged_t.len(), idx.clone()));
        }
        let mut sum = 0.0f32;
        let mut any = false;
        for ((_, s), i) in members.iter().zip(idx.iter_mut()) {
            if s.t.get(*i) == Some(&next) {
                let x = s.values(metric)[*i];
                if !x.is_nan() {
                    sum += x;
                    any = true;
                }
                *i += 1;
            }
        }
        entry.merged_t.push(next);
        entry.merged_raw.push(if any { sum } else { f32::NAN });
    }
    let (stable, resume) = snapshot.unwrap_or((entry.merged_t.len(), idx));
    entry.stable = stable;
    entry.resume = resume;
    entry.bound = bound;
}

/// The usual case of [`merge_from_stable`], column-wise: every member's remaining times are a prefix of
/// the longest one's (one update carries every team; a team that died stops early). The merge then pairs
/// samples by position, so the sums are accumulated member by member, in member order like the k-way
/// merge (same additions, so the same bits). Returns false, touching nothing, when the times differ.
fn merge_prefix_aligned(
    entry: &mut Entry,
    members: &[(u32, &TeamSeries)],
    metric: Metric,
    bound: f64,
) -> bool {
    fn rest(s: &TeamSeries, from: usize) -> &[f64] {
        &s.t[from.min(s.len())..]
    }
    let Some(longest) = members
        .iter()
        .zip(&entry.resume)
        .map(|((_, s), &i)| rest(s, i))
        .max_by_key(|t| t.len())
    else {
        return false;
    };
    if !members
        .iter()
        .zip(&entry.resume)
        .all(|((_, s), &i)| *rest(s, i) == longest[..rest(s, i).len()])
    {
        return false;
    }
    let from = entry.merged_t.len();
    entry.merged_t.extend_from_slice(longest);
    let mut sum = vec![0.0f32; longest.len()];
    let mut any = vec![false; longest.len()];
    for ((_, s), &i) in members.iter().zip(&entry.resume) {
        let values = &s.values(metric)[i.min(s.len())..];
        for ((acc, seen), &x) in sum.iter_mut().zip(any.iter_mut()).zip(values) {
            if !x.is_nan() {
                *acc += x;
                *seen = true;
            }
        }
    }
    entry.merged_raw.extend(
        sum.iter()
            .zip(&any)
            .map(|(&x, &seen)| if seen { x } else { f32::NAN }),
    );
    // Where the k-way merge would take its snapshot: the first merged time at or after `bound`.
    let k = longest.partition_point(|&x| x < bound);
    entry.stable = from + k;
    for ((_, s), r) in members.iter().zip(entry.resume.iter_mut()) {
        let len = s.len().saturating_sub(*r);
        *r += k.min(len);
    }
    entry.bound = bound;
    true
}

#[cfg(test)]
mod tests;
