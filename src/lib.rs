//! briefbot serves news briefings on Discord.
//!
//! Data flows one way: `config` reads `config.toml`; `briefing` loads the briefings folder into
//! an immutable `Library`; `render` turns briefings into Discord message payloads within
//! Discord's limits; `schedule` computes digest fire times. None of these modules knows about
//! Discord's client library, so each is tested with plain values.

pub mod briefing;
pub mod cli;
pub mod config;
pub mod content;
pub mod discord;
pub mod metrics;
pub mod ops;
pub mod query;
pub mod render;
pub mod schedule;
pub mod search;
pub mod watch;
