//! briefbot serves news briefings on Discord.
//!
//! Data flows one way. `config` reads `config.toml`. `briefings` loads the briefings folder into
//! an immutable library with its search index, and answers members' commands as plain values.
//! `render` turns briefings into Discord message payloads within Discord's limits. `digests`
//! computes fire times, chooses what each delivery carries and runs one timer over every
//! digest, recording each delivery in `store` (SQLite) so none is lost or doubled. `answer`
//! holds what every answer shares (refusals, choices, tags); `locales` the words it says them
//! with, per language. `app` wires the running bot: start-up, reload, signals and the ops
//! endpoint. `feeds` reads RSS/Atom/JSON feeds into briefing files the library loads. `discord` is the only module that knows serenity and poise; everything else is
//! tested with plain values. `permissions` and `invite` say what the bot must be
//! granted in a server, and why. `cli` is the command line.

pub mod answer;
pub mod app;
pub mod briefings;
pub mod cli;
pub mod config;
pub mod digests;
pub mod discord;
pub mod feeds;
pub mod invite;
pub mod locales;
pub mod metrics;
pub mod permissions;
pub mod render;
pub mod store;
