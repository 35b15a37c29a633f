//! boxoffice's tests, in one test binary. Each file here was a binary of its own, compiled
//! and linked against the whole library in release mode: 27 of them, half the compile time of
//! a cold CI build (12 min 36 s, now 8 min 3 s: benches/README.md "Session 15"). One module
//! per concern, as before; run one with `cargo test --release --test integration door::`.

mod common;

// The data layer against real PostgreSQL.
mod currencies;
mod dashboard;
mod data_layer;
mod door;
mod edits;
mod export;
mod filters;
mod forms;
mod migrations;
mod role_matrix;
mod search_plans;
mod sign_in_throttle;
mod ssh_keys;
mod time_zones;
mod trash;

// The built-in server, read replicas, and the words people see about them.
mod local_server;
mod plain_words;
mod replica;

// The app: its update logic without a database, its run loop, and its screens.
mod app_logic;
mod door_screens;
mod form_screens;
mod frames;
mod screens;
mod trash_screens;

// `boxoffice serve`, driven by russh's client.
mod serve;

// The release binary end to end: in tmux, over OpenSSH, with a replica.
mod e2e_replica;
mod e2e_ssh;
mod e2e_tmux;
