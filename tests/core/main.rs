//! briefbot's library tested directly, in one binary, without a network or the `briefbot`
//! process: the example config, hostile input, the parser on `tests/fixtures`, snapshots of the
//! rendered payloads (`snapshots/`, named `core__render_snapshots__*`), the ranking of `/search`
//! (`search_relevance`, over `tests/fixtures/search`), and the scheduler against
//! an in-memory Discord (`scheduler_support`), mostly on tokio's paused clock.
//!
//! The tests run as threads of one process: each builds its own library, store and scheduler, so
//! none depends on another's state.

mod scheduler_support;
mod store_contract;
mod store_postgres;

mod config_example;
mod feeds;
mod hostile_input;
mod parse_fixtures;
mod readme_targets;
mod render_snapshots;
mod scheduler_config;
mod scheduler_corrections;
mod scheduler_delivery;
mod scheduler_replicas;
mod scheduler_restart;
mod scheduler_retry;
mod search_relevance;
