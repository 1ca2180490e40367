//! Shared by the fuzz targets: a global allocator that remembers the largest single allocation and the
//! peak of live bytes, so a target can assert "no allocation above the frame cap".

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Tracking;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

fn note(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
    LARGEST.fetch_max(size, Ordering::Relaxed);
}

// SAFETY: forwards every call to `System` unchanged and only updates counters.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocation figures measured since the last [`reset`].
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// Largest single allocation, bytes.
    pub largest: usize,
    /// Most bytes live at once above the level at `reset`.
    pub peak_above_start: usize,
}

static START: AtomicUsize = AtomicUsize::new(0);

pub fn reset() {
    let live = LIVE.load(Ordering::Relaxed);
    START.store(live, Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    LARGEST.store(0, Ordering::Relaxed);
}

pub fn usage() -> Usage {
    Usage {
        largest: LARGEST.load(Ordering::Relaxed),
        peak_above_start: PEAK
            .load(Ordering::Relaxed)
            .saturating_sub(START.load(Ordering::Relaxed)),
    }
}
