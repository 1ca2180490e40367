//! Repaints when data arrives, at most 10 times a second, so an idle app uses ~0 CPU and a fast stream
//! does not force continuous repaints.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use bar_live_core::net::Waker;

/// Shortest time between data-driven repaints.
pub const MIN_REPAINT_INTERVAL: Duration = Duration::from_millis(100);

pub struct ThrottledWaker {
    ctx: egui::Context,
    last: Mutex<Option<Instant>>,
}

impl ThrottledWaker {
    pub fn new(ctx: egui::Context) -> Self {
        ThrottledWaker {
            ctx,
            last: Mutex::new(None),
        }
    }
}

impl Waker for ThrottledWaker {
    fn wake(&self) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match *last {
            Some(t) if now.duration_since(t) < MIN_REPAINT_INTERVAL => {
                // egui keeps the earliest pending request, so this coalesces bursts into one repaint.
                self.ctx
                    .request_repaint_after(MIN_REPAINT_INTERVAL - now.duration_since(t));
            }
            _ => {
                *last = Some(now);
                self.ctx.request_repaint();
            }
        }
    }
}
