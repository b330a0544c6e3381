//! The `jixiao` command (命令行工具), thin over `jixiao-core` and `jixiao-formats`.
//!
//! The library target holds the commands so that the benchmark crate can drive the same code
//! path as `jixiao check`; `main.rs` only parses arguments and maps results to exit codes.
#![forbid(unsafe_code)]

pub mod audit;
pub mod check;
pub mod convert;
pub mod db;
pub mod gen;
pub mod human;
pub mod inputs;
pub mod profiles;
pub mod serve;
pub mod show;
pub mod user;
