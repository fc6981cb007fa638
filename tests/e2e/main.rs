//! briefbot end to end, in one binary: the real `briefbot` binary run against the fake Discord
//! (the `fake-discord` crate), and offline as an admin runs it (`cli`). `support` starts the bot
//! and reads its logs.
//!
//! The tests run as threads of one process, so none may change what the others rely on: the
//! current folder, a fixed port, an environment variable another test or the bot reads (the one
//! `bot_security` sets is read by nobody). Each test starts its own fake Discord and its own bot
//! process in its own temporary folder.

mod support;

mod bot_autocomplete;
mod bot_commands;
mod bot_digest_commands;
mod bot_digest_edit;
mod bot_digest_retry;
mod bot_digest_targets;
mod bot_digests;
mod bot_gateway_faults;
mod bot_hostile;
mod bot_lifecycle;
mod bot_rate_limits;
mod bot_replicas;
mod bot_replicas_faults;
mod bot_security;
mod bot_shards;
mod bot_wire;
mod check_permissions;
mod cli;
mod cli_postgres;
mod corrections;
mod feeds;
mod invite;
mod locales;
mod soak;
mod symlinks;
mod tags;
mod targets_forum;
mod targets_webhook;
