//! Helpers shared by the CLI's test binaries: the `jixiao` binary run as a user runs it, the
//! seed form, scratch folders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_jixiao");

/// `jixiao ARGS…` without colours, its exit status and output.
pub fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// A fresh scratch folder under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The seed's three forms (`fixtures/songjiang-2023.tsv`).
pub fn seed_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/songjiang-2023.tsv")
}

pub fn seed() -> String {
    std::fs::read_to_string(seed_path()).unwrap()
}
