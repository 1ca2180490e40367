//! The live link: what the widget streams, applied to a store, with the link's status and the recording.
//!
//! - [`link`]: [`LiveLink`], the threads (listener, link, recorder) and the commands the UI sends them.
//! - [`session`]: [`Session`], the state they produce (pure, tested without sockets).
//! - [`moving`]: a coordinated move of the widget to another address (pure state).
//! - [`recorder`]: the recorder thread (auto-recordings, flush and sync off the UI).
//! - [`timeline`]: when each update arrived, for the stream delay.
//! - [`feed`]: the demo recording replayed into the link when no game runs.

pub mod delayed;
pub mod feed;
pub mod link;
pub mod moving;
pub mod recorder;
pub mod session;
pub mod timeline;

pub use delayed::DelayedView;
pub use link::{LinkCommand, LinkConfig, LinkError, LiveLink};
pub use moving::{MOVE_TIMEOUT, MoveStatus, WidgetMove};
pub use session::{Action, LinkState, RecordPolicy, RecorderEvent, Session};
pub use timeline::Timeline;
