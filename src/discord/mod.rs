//! The Discord adapter, and the only place serenity and poise live: checking the token and the
//! gateway endpoint, connecting, registering and answering slash commands, and sending through
//! briefbot's own REST client (`rest`). It translates; what to answer is decided in the core
//! and what runs when is wired in `crate::app`.

mod bot;
mod commands;
mod events;
mod framework;
mod http;
mod language;
pub mod permissions;
mod poster;
mod ratelimit;
mod register;
mod reply;
mod rest;
mod shards;
mod state;

pub use bot::{
    application_id, digest_editor, digest_poster, resolve_digest_guilds, Api, Bot, Disconnector,
};
pub use rest::{Rest, RestError, RetryPolicy};
