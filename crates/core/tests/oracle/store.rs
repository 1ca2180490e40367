//! Test oracle for the store's derived series: the plain, from-scratch computations that the store's
//! incremental cache (`Store::with_derived`, `Store::decimated`) must reproduce bit for bit. Tests and
//! benches include it with `#[path]`; shipped code never does.

#![allow(dead_code)]

// The includer brings these into scope: `crate::store::…` in the core crate, `bar_live_core::store::…` elsewhere.
use super::{Kind, Metric, STATS_PERIOD_S, SeriesOf, Store, TeamSeries, ValueMode};

/// A series' metric in the requested view, values multiplied by `scale` unless it is 1.
pub fn series_values(
    store: &Store,
    of: SeriesOf,
    metric: Metric,
    mode: ValueMode,
    scale: f32,
) -> (Vec<f64>, Vec<f32>) {
    let (t, mut v) = match of {
        SeriesOf::Team(id) => team_values(store, id, metric, mode),
        SeriesOf::Ally(id) => ally_values(store, id, metric, mode),
    };
    if scale != 1.0 {
        v.iter_mut().for_each(|x| *x *= scale);
    }
    (t, v)
}

/// One team's metric in the requested view, as (time, value) columns.
pub fn team_values(
    store: &Store,
    team: u32,
    metric: Metric,
    mode: ValueMode,
) -> (Vec<f64>, Vec<f32>) {
    match store.series.get(&team) {
        Some(s) => (
            s.t.clone(),
            transform(&s.t, s.values(metric), metric.kind(), mode),
        ),
        None => (Vec::new(), Vec::new()),
    }
}

/// The sum of a metric over an ally team's members, aligned on sample times (a member missing at a
/// time, e.g. after it died, contributes nothing there; NaNs are skipped).
pub fn ally_values(
    store: &Store,
    ally: u32,
    metric: Metric,
    mode: ValueMode,
) -> (Vec<f64>, Vec<f32>) {
    let members: Vec<&TeamSeries> = store
        .teams
        .values()
        .filter(|t| t.ally_team_id == ally && !t.is_gaia)
        .filter_map(|t| store.series.get(&t.team_id))
        .collect();
    let (t, raw) = sum_aligned(&members, metric);
    let v = transform(&t, &raw, metric.kind(), mode);
    (t, v)
}

/// Sums columns of several series on the union of their sample times.
fn sum_aligned(members: &[&TeamSeries], metric: Metric) -> (Vec<f64>, Vec<f32>) {
    if let [only] = members {
        return (only.t.clone(), only.values(metric).to_vec());
    }
    let mut idx = vec![0usize; members.len()];
    let mut t_out = Vec::with_capacity(members.iter().map(|m| m.len()).max().unwrap_or(0));
    let mut v_out = Vec::with_capacity(t_out.capacity());
    loop {
        let next = members
            .iter()
            .zip(&idx)
            .filter_map(|(m, &i)| m.t.get(i).copied())
            .fold(f64::INFINITY, f64::min);
        if next == f64::INFINITY {
            break;
        }
        let mut sum = 0.0f32;
        let mut any = false;
        for (m, i) in members.iter().zip(idx.iter_mut()) {
            if m.t.get(*i) == Some(&next) {
                let x = m.values(metric)[*i];
                if !x.is_nan() {
                    sum += x;
                    any = true;
                }
                *i += 1;
            }
        }
        t_out.push(next);
        v_out.push(if any { sum } else { f32::NAN });
    }
    (t_out, v_out)
}

/// Converts raw values to the requested view: integrates rates, differentiates counters.
pub fn transform(t: &[f64], v: &[f32], kind: Kind, mode: ValueMode) -> Vec<f32> {
    match (kind, mode) {
        (Kind::Level, _)
        | (Kind::Rate, ValueMode::PerSecond)
        | (Kind::Counter, ValueMode::Cumulative) => v.to_vec(),
        (Kind::Rate, ValueMode::Cumulative) => {
            // Trapezoid rule; NaN samples contribute nothing.
            let mut out = Vec::with_capacity(v.len());
            let mut acc = 0.0f64;
            for i in 0..v.len() {
                if i > 0 {
                    let (a, b) = (v[i - 1], v[i]);
                    if !a.is_nan() && !b.is_nan() {
                        acc += (t[i] - t[i - 1]) * f64::from(a + b) / 2.0;
                    }
                }
                out.push(acc as f32);
            }
            out
        }
        (Kind::Counter, ValueMode::PerSecond) => {
            // Counters come from team statistics, which the engine refreshes every 15 s; samples in
            // between repeat the last value. The rate is taken between changes and held until the next
            // one, and counts as 0 once a full period passes without a change.
            let mut out = Vec::with_capacity(v.len());
            let mut last: Option<(f64, f32)> = None;
            let mut rate = f32::NAN;
            for i in 0..v.len() {
                let x = v[i];
                if x.is_nan() {
                    out.push(f32::NAN);
                    continue;
                }
                match last {
                    None => last = Some((t[i], x)),
                    Some((t0, x0)) if x != x0 => {
                        let dt = t[i] - t0;
                        rate = if dt > 0.0 {
                            ((f64::from(x) - f64::from(x0)) / dt) as f32
                        } else {
                            rate
                        };
                        last = Some((t[i], x));
                    }
                    Some((t0, _)) if t[i] - t0 > STATS_PERIOD_S + 1.0 => rate = 0.0,
                    Some(_) => {}
                }
                out.push(rate);
            }
            out
        }
    }
}
