//! Game insight, headless: analysis of stores and past games (docs/INSIGHT.md). What is derived from the
//! stream as it arrives (milestones, composition, unit-def meanings) is in [`crate::game`].
//!
//! - [`bands`]: the composition bands of a store's series at given times.
//! - [`alerts`]: the alert rules over the live store.
//! - [`profile`], [`benchmark`], [`splits`]: past games per minute, the p25–median–p75 band of the last N,
//!   time to reach each step against the personal best; [`worker`] computes them off the UI thread.
//! - [`ghost`]: a past game's lines on the current game's time axis.
//! - [`build_coach`]: the player's opening against their median time for each unit over past games.

pub mod alerts;
pub mod bands;
pub mod benchmark;
pub mod build_coach;
pub mod ghost;
pub mod profile;
pub mod quantile;
pub mod splits;
pub mod worker;
