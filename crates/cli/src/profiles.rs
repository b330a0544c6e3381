//! `--profile NAME|FILE`: a built-in rule profile (规则配置) by name, or a TOML file.

use anyhow::{bail, Context as _};
use jixiao_core::{Profile, BUILTIN_PROFILES};
use std::path::Path;

/// Load the profile named on the command line; `None` is the default (central-2020).
pub fn load(arg: Option<&str>) -> anyhow::Result<Profile> {
    let Some(arg) = arg else {
        return Ok(Profile::default());
    };
    if let Some(profile) = Profile::builtin(arg) {
        return Ok(profile);
    }
    let path = Path::new(arg);
    if path.is_file() {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!("无法读取规则配置文件 {arg} (cannot read the profile file)")
        })?;
        let profile = Profile::from_toml_str(&text)
            .with_context(|| format!("规则配置文件 {arg} 无效 (invalid profile file)"))?;
        return Ok(profile);
    }
    bail!(
        "未知的规则配置「{arg}」：既不是内置配置，也不是文件；内置配置有 {} \
         (unknown profile {arg:?}: neither a built-in profile nor a file; built-in: {})",
        BUILTIN_PROFILES.join(", "),
        BUILTIN_PROFILES.join(", ")
    )
}
