//! The live link: what the widget streams, applied to a store, with the link's state and the recording.

pub mod session;

pub use session::{LinkState, RecordPolicy, Session};
