//! briefbot serves news briefings on Discord.
//!
//! Data flows one way: `config` reads `config.toml`; `briefing` loads the briefings folder into
//! an immutable `Library`; `render` turns briefings into Discord message payloads within
//! Discord's limits; `schedule` computes digest fire times; `store` keeps runtime digests and the
//! delivery ledger in SQLite; `digest` builds digest specs and chooses their content; `scheduler`
//! runs one timer over all digests and posts through a `Poster` that `discord` implements.
//! `query` answers members' commands as plain values. Only `discord` knows serenity and poise;
//! everything else is tested with plain values.

pub mod briefing;
pub mod cli;
pub mod config;
pub mod content;
pub mod cooldown;
pub mod digest;
pub mod digest_answers;
pub mod discord;
pub mod metrics;
pub mod ops;
pub mod query;
pub mod render;
pub mod schedule;
pub mod scheduler;
pub mod search;
pub mod store;
pub mod watch;
