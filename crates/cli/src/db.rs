//! `jixiao db backup|restore|check` (数据库备份、恢复与检查), thin over
//! `jixiao_store::backup`.
//!
//! SQLite is backed up online (`VACUUM INTO`, safe while `jixiao serve` runs) and restored
//! atomically after checking the file; PostgreSQL is backed up with `pg_dump` / `pg_restore`,
//! and these commands say so (exit 2) rather than half-do it.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use jixiao_store::backup::{self, Report};
use jixiao_store::DbUrl;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
    /// 数据库地址，同 serve (database URL, as for serve) [环境变量 env: JIXIAO_DATABASE]
    #[arg(long, global = true, env = "JIXIAO_DATABASE", default_value = crate::serve::DEFAULT_DATABASE, hide_env_values = true)]
    pub database: String,
}

#[derive(Subcommand, Debug)]
pub enum DbCommand {
    /// 在线备份 SQLite 数据库到一个新文件（服务运行时亦可）(back up the SQLite database to a new
    /// file, online: safe while the server runs)
    Backup {
        /// 备份文件（不得已存在）(the backup file; must not exist)
        #[arg(value_name = "OUT")]
        output: PathBuf,
    },
    /// 从备份文件恢复：先检查文件，再原子替换；目标有数据时须加 --force；须先停止服务
    /// (restore from a backup: the file is checked first, then replaces the database
    /// atomically; a target with data needs --force; stop the server first)
    Restore {
        /// 备份文件 (the backup file)
        #[arg(value_name = "IN")]
        input: PathBuf,
        /// 覆盖已有数据的目标数据库 (replace a target database that holds data)
        #[arg(long)]
        force: bool,
    },
    /// 检查数据库完整性与一致性 (check the database's integrity and consistency)
    Check,
}

fn print_report(report: &Report) {
    let rows: Vec<String> = report
        .rows
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    eprintln!(
        "结构版本 (schema version) {}; 行数 (rows): {}",
        report.schema_version,
        rows.join(", ")
    );
}

/// Run a `db` command; the exit code: 0 done / sound, 1 `check` found problems, 2 refused.
pub fn run(args: DbArgs) -> anyhow::Result<u8> {
    let url = DbUrl::new(&args.database);
    if url.is_postgres() && !matches!(args.command, DbCommand::Check) {
        eprintln!(
            "错误 (error): jixiao db backup/restore 只处理 SQLite (only handle SQLite).\n\n{}",
            backup::postgres_advice(&url)
        );
        return Ok(2);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match args.command {
            DbCommand::Backup { output } => {
                let report = backup::backup(&url, &output)
                    .await
                    .with_context(|| format!("备份失败 (backup failed): {url}"))?;
                print_report(&report);
                eprintln!(
                    "已备份到 {}，副本已通过完整性检查 (backed up; the copy passed its integrity check)",
                    output.display()
                );
                Ok(0)
            }
            DbCommand::Restore { input, force } => {
                let report = backup::restore(&input, &url, force)
                    .await
                    .with_context(|| format!("恢复失败 (restore failed): {}", input.display()))?;
                print_report(&report);
                eprintln!("已从 {} 恢复到 {url} (restored)", input.display());
                Ok(0)
            }
            DbCommand::Check => {
                let report = backup::check(&url)
                    .await
                    .with_context(|| format!("检查失败 (the check failed): {url}"))?;
                print_report(&report);
                if report.is_ok() {
                    eprintln!("数据库完好 (the database is sound)");
                    Ok(0)
                } else {
                    for p in &report.problems {
                        println!("{p}");
                    }
                    eprintln!("发现 {} 个问题 (problems found)", report.problems.len());
                    Ok(1)
                }
            }
        }
    })
}
