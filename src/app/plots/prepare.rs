//! Line preparation for the dashboard: decimated lines from the store's caches, within a frame's time.

use std::time::{Duration, Instant};

use super::{PreparedLine, ViewOptions, dashboard_for, series_color, value_scale};
use bar_live_core::store::derived::Cached;
use bar_live_core::store::{Metric, Store};

/// A frame's time for preparing lines. Lines already up to date are copied from the cache; past the
/// deadline the others are drawn from whatever is cached (an older range or fewer samples, or nothing)
/// and the frame is marked incomplete, so the caller asks for another. Every frame brings at least one
/// line up to date, so the lines always catch up.
#[derive(Debug, Clone)]
pub struct PrepBudget {
    deadline: Option<Instant>,
    progressed: bool,
    complete: bool,
}

impl PrepBudget {
    pub fn unlimited() -> PrepBudget {
        PrepBudget {
            deadline: None,
            progressed: false,
            complete: true,
        }
    }

    pub fn until(deadline: Instant) -> PrepBudget {
        PrepBudget {
            deadline: Some(deadline),
            ..PrepBudget::unlimited()
        }
    }

    /// Whether every line prepared under this budget was up to date.
    pub fn complete(&self) -> bool {
        self.complete
    }

    fn out_of_time(&self) -> bool {
        self.progressed && self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// Time for the dashboard's line preparation per frame: the plot frame budget is 4 ms, and the line that
/// crosses the deadline still finishes (an ally team's first k-way merge takes up to ~0.7 ms here).
pub const PREP_BUDGET: Duration = Duration::from_micros(2500);

/// Decimated lines for a set of metrics over `[t0, t1]`, `columns` pixels wide.
/// The second metric of a pair (expense, storage, received) is drawn dashed.
pub fn prepare_lines(
    store: &Store,
    metrics: &[Metric],
    view: &ViewOptions,
    t0: f64,
    t1: f64,
    columns: usize,
) -> Vec<PreparedLine> {
    prepare_lines_within(
        store,
        metrics,
        view,
        (t0, t1),
        columns,
        &mut PrepBudget::unlimited(),
    )
}

/// [`prepare_lines`] within a frame's [`PrepBudget`].
pub fn prepare_lines_within(
    store: &Store,
    metrics: &[Metric],
    view: &ViewOptions,
    range: (f64, f64),
    columns: usize,
    budget: &mut PrepBudget,
) -> Vec<PreparedLine> {
    unfilled_lines(store, metrics, view)
        .into_iter()
        .map(|(m, mut line)| {
            fill_line(store, &mut line, m, view, range, columns, budget);
            line
        })
        .collect()
}

/// The lines of `metrics` (every shown series × metric), named and coloured, without points yet.
pub fn unfilled_lines(
    store: &Store,
    metrics: &[Metric],
    view: &ViewOptions,
) -> Vec<(Metric, PreparedLine)> {
    let mut out = Vec::new();
    for e in store.series_list(view.per_ally) {
        if view.hidden.contains(&e) {
            continue;
        }
        let name = store.series_name(e);
        let color = series_color(store, e, view.dark);
        for (i, &m) in metrics.iter().enumerate() {
            let label = if metrics.len() > 1 {
                format!("{name} — {}", m.label())
            } else {
                name.clone()
            };
            let line = PreparedLine {
                of: e,
                name: label,
                color,
                dashed: i > 0,
                points: Vec::new(),
            };
            out.push((m, line));
        }
    }
    out
}

/// Fills a line's points: copied when the cache has them up to date, else computed while the budget lasts,
/// else (out of time) whatever the cache last had.
fn fill_line(
    store: &Store,
    line: &mut PreparedLine,
    metric: Metric,
    view: &ViewOptions,
    (t0, t1): (f64, f64),
    columns: usize,
    budget: &mut PrepBudget,
) {
    let (of, scale, mode) = (line.of, value_scale(metric, view), view.mode);
    let points = &mut line.points;
    if store.decimated_cached(of, metric, mode, scale, t0, t1, columns, points) == Cached::Current {
        return;
    }
    if budget.out_of_time() {
        budget.complete = false;
    } else {
        store.decimated(of, metric, mode, scale, t0, t1, columns, points);
        budget.progressed = true;
    }
}

/// Every card's lines of the game's dashboard ([`dashboard_for`]) within `budget`. Lines are brought up to date starting at line
/// `*from_line` (counting through all cards' lines, wrapping around), which is then moved to the first
/// line that ran out of time: under sustained load every line still gets its turn.
pub fn prepare_dashboard(
    store: &Store,
    view: &ViewOptions,
    range: (f64, f64),
    columns: usize,
    budget: &mut PrepBudget,
    from_line: &mut usize,
) -> Vec<Vec<PreparedLine>> {
    let mut cards: Vec<Vec<(Metric, PreparedLine)>> = dashboard_for(store)
        .iter()
        .map(|card| unfilled_lines(store, card.metrics, view))
        .collect();
    let mut all: Vec<&mut (Metric, PreparedLine)> = cards.iter_mut().flatten().collect();
    let total = all.len();
    let start = if total == 0 { 0 } else { *from_line % total };
    let mut ran_out_at = None;
    for k in 0..total {
        let g = (start + k) % total;
        let (m, line) = &mut *all[g];
        fill_line(store, line, *m, view, range, columns, budget);
        if !budget.complete() && ran_out_at.is_none() {
            ran_out_at = Some(g);
        }
    }
    *from_line = ran_out_at.unwrap_or(start);
    cards
        .into_iter()
        .map(|lines| lines.into_iter().map(|(_, line)| line).collect())
        .collect()
}
