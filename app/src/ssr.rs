//! Server-only code: state, database, entities, services, content loading and sessions.
//!
//! Compiled with the `ssr` feature only; the wasm build never sees any of it.

pub mod assets;
pub mod auth;
pub mod blocking;
pub mod content;
pub mod csv;
pub mod db;
pub mod entities;
pub mod error;
pub mod group_commit;
pub mod key_files;
pub mod limits;
pub mod mail;
pub mod outside_addresses;
pub mod records;
pub mod redirects;
pub mod secrets;
pub mod services;
pub mod session_store;
pub mod state;
