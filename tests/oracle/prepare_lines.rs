//! Test oracle for the dashboard's line preparation: every line computed fresh (copies, transforms, ally
//! sums and decimation from scratch), with no cache. The cached production path must give the same lines.
//! Included with `#[path]` by the plot tests and the plot bench, beside the store oracle
//! (`crates/core/tests/oracle/store.rs`, as the sibling module `store_oracle`).

use super::store_oracle::series_values;
use bar_live_app::app::plots::{PreparedLine, ViewOptions, unfilled_lines, value_scale};
use bar_live_core::store::{Metric, Store, decimate_minmax};

/// [`bar_live_app::app::plots::prepare_lines`] without the store's caches.
pub fn prepare_lines_reference(
    store: &Store,
    metrics: &[Metric],
    view: &ViewOptions,
    t0: f64,
    t1: f64,
    columns: usize,
) -> Vec<PreparedLine> {
    unfilled_lines(store, metrics, view)
        .into_iter()
        .map(|(m, mut line)| {
            let (t, v) = series_values(store, line.of, m, view.mode, value_scale(m, view));
            decimate_minmax(&t, &v, t0, t1, columns, &mut line.points);
            line
        })
        .collect()
}
