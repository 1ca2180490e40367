//! How the reader thread wakes whoever consumes its events, without depending on a UI.

/// Called after each event is queued. The GUI implements it with a throttled `request_repaint`.
pub trait Waker: Send + Sync + 'static {
    fn wake(&self);
}

/// For headless consumers and tests: nobody to wake.
pub struct NoWake;

impl Waker for NoWake {
    fn wake(&self) {}
}
