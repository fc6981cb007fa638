//! The fake Discord tested on its own, in one binary: the gateway frame by frame, the REST side,
//! messages, every payload read back with serenity's model types, several shards and the identify
//! limits, forum posts, threads, webhooks and channel permissions, and a bare serenity + poise
//! bot driven through it.

mod bare_bot;
mod gateway;
mod limits;
mod messages;
mod payloads_deserialize;
mod rest;
mod shards;
mod targets;
mod targets_faults;
mod targets_permissions;
mod targets_rules;
