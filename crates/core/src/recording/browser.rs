//! The recordings browser's former names, kept for the app: [`Browser`] is the
//! [`RecordingIndex`](super::RecordingIndex) (same `refresh`, `entries`, `error`, `delete`), [`Entry`]
//! its [`IndexEntry`](super::IndexEntry) (same `path`, `modified`, `size`, `summary`).

pub use super::index::{IndexEntry as Entry, RecordingIndex as Browser};
