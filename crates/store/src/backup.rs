//! Backup, restore and integrity checks (备份、恢复与完整性检查) — `jixiao db backup|restore|check`.
//!
//! - **Backup** (SQLite): `VACUUM INTO` a file beside the output, check it, rename it into place.
//!   `VACUUM INTO` reads one consistent snapshot in a read transaction, so it is safe while
//!   `jixiao serve` writes (WAL: writers go on meanwhile); the copy is compact and has no WAL.
//! - **Restore** (SQLite): the input is checked first (SQLite `integrity_check`,
//!   `foreign_key_check`, Jixiao's tables and a schema version this build knows), copied beside
//!   the target, checked again, synced and renamed over the target — a crash leaves either the
//!   old database or the new one, never half of each. A target holding any row is replaced only
//!   with `force`; a target another process has open is refused.
//! - **PostgreSQL** is backed up with its own tools (`pg_dump -Fc` / `pg_restore`), which take a
//!   consistent snapshot of a live database; [`postgres_advice`] says how.
//! - **Check** (both backends): the database's own checks (SQLite) and Jixiao's consistency
//!   rules: every form has one history row per version, the last one holding the form as
//!   stored; no history row or comment without its form.

use crate::migrate::MIGRATIONS;
use crate::{DbUrl, Result, StoreError};
use sqlx::{AnyConnection, AssertSqlSafe, Connection as _, Row as _};
use std::path::{Path, PathBuf};

/// The tables a Jixiao database has (besides `jixiao_migrations`).
pub const TABLES: &[&str] = &[
    "orgs",
    "users",
    "sessions",
    "login_failures",
    "evaluations",
    "evaluation_history",
    "evaluation_findings",
    "evaluation_counts",
    "comments",
    "audit_log",
];

/// What a check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The schema version (the highest migration applied).
    pub schema_version: i64,
    /// Rows per table, in [`TABLES`] order.
    pub rows: Vec<(String, i64)>,
    /// Everything wrong; empty when the database is sound.
    pub problems: Vec<String>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
    /// Rows in all tables but the sessions and the login throttle (which are not content).
    pub fn content_rows(&self) -> i64 {
        self.rows
            .iter()
            .filter(|(t, _)| t != "sessions" && t != "login_failures")
            .map(|(_, n)| n)
            .sum()
    }
}

/// The file of a `sqlite://FILE` (or `sqlite:FILE`) URL, without its `?options`.
pub fn sqlite_path(url: &DbUrl) -> Result<PathBuf> {
    let raw = url.expose();
    let rest = raw
        .strip_prefix("sqlite://")
        .or_else(|| raw.strip_prefix("sqlite:"))
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "不是 SQLite 数据库地址 (not a SQLite database URL): {url}"
            ))
        })?;
    let file = rest.split('?').next().unwrap_or_default();
    if file.is_empty() || file == ":memory:" {
        return Err(StoreError::Invalid(format!(
            "SQLite 地址须指向文件 (the SQLite URL must name a file): {url}"
        )));
    }
    Ok(PathBuf::from(file))
}

/// What to tell a user who asks to back up or restore PostgreSQL.
pub fn postgres_advice(url: &DbUrl) -> String {
    let shown = url.redacted();
    format!(
        "PostgreSQL 数据库请用其自带工具备份与恢复 (back up and restore PostgreSQL with its own tools):\n\
         \n  备份 (backup, a consistent snapshot of the live database):\n\
         \x20   pg_dump --format=custom --file=jixiao.dump '{shown}'\n\
         \n  恢复到一个新的空数据库 (restore into a new, empty database):\n\
         \x20   createdb jixiao_restored\n\
         \x20   pg_restore --no-owner --exit-on-error --dbname=postgres://…/jixiao_restored jixiao.dump\n\
         \x20   jixiao db check --database postgres://…/jixiao_restored\n\
         \n  （密码已隐去，请用您自己的地址；the password is hidden: use your own URL）"
    )
}

async fn open(path: &Path, read_only: bool) -> Result<AnyConnection> {
    sqlx::any::install_default_drivers();
    if !path.is_file() {
        return Err(StoreError::Invalid(format!(
            "没有这个数据库文件 (no such database file): {}",
            path.display()
        )));
    }
    let mode = if read_only { "ro" } else { "rw" };
    let url = format!("sqlite://{}?mode={mode}", path.display());
    AnyConnection::connect(&url).await.map_err(|e| {
        StoreError::Database(format!(
            "无法打开 {} (cannot open the database): {e}",
            path.display()
        ))
    })
}

async fn connect(url: &DbUrl) -> Result<AnyConnection> {
    if url.is_sqlite() {
        return open(&sqlite_path(url)?, true).await;
    }
    sqlx::any::install_default_drivers();
    AnyConnection::connect(url.expose())
        .await
        .map_err(|e| StoreError::Database(format!("无法连接 {url} (cannot connect): {e}")))
}

/// Check a database: the engine's own checks on SQLite, then Jixiao's consistency rules.
pub async fn check(url: &DbUrl) -> Result<Report> {
    let mut conn = connect(url).await?;
    let report = check_on(&mut conn, url.is_sqlite()).await;
    let _ = conn.close().await;
    report
}

/// Check a SQLite file (read-only).
pub async fn check_file(path: &Path) -> Result<Report> {
    let mut conn = open(path, true).await?;
    let report = check_on(&mut conn, true).await;
    let _ = conn.close().await;
    report
}

async fn check_on(conn: &mut AnyConnection, sqlite: bool) -> Result<Report> {
    let mut report = Report::default();
    if sqlite {
        let rows = sqlx::query("PRAGMA integrity_check")
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| {
                StoreError::Invalid(format!(
                    "不是有效的 SQLite 数据库 (not a valid SQLite database): {e}"
                ))
            })?;
        for row in rows {
            let line: String = row.try_get(0)?;
            if line != "ok" {
                report.problems.push(format!("integrity_check: {line}"));
            }
        }
        let rows = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            let table: String = row.try_get(0)?;
            let parent: String = row.try_get(2)?;
            report.problems.push(format!(
                "foreign_key_check: a row of {table} points to no {parent}"
            ));
        }
    }
    let version: Option<i64> =
        match sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM jixiao_migrations")
            .fetch_one(&mut *conn)
            .await
        {
            Ok(v) => v,
            Err(_) => {
                report.problems.push(
                    "不是 Jixiao 数据库：没有 jixiao_migrations 表 (not a Jixiao database: no \
                 jixiao_migrations table)"
                        .into(),
                );
                return Ok(report);
            }
        };
    report.schema_version = version.unwrap_or(0);
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if report.schema_version > known {
        report.problems.push(format!(
            "数据库的结构版本 {} 比本程序的 {known} 新，请用新版 jixiao (schema version {} is newer \
             than this build's {known}; use a newer jixiao)",
            report.schema_version, report.schema_version
        ));
    }
    for table in TABLES {
        match sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut *conn)
            .await
        {
            Ok(n) => report.rows.push((table.to_string(), n)),
            Err(_) => report
                .problems
                .push(format!("缺少表 {table} (table {table} is missing)")),
        }
    }
    if !report.problems.is_empty() {
        return Ok(report);
    }
    // Jixiao's rules: a form and its history are written in one transaction, so each form has
    // exactly the versions 1..=version in its history, the last holding the form as stored.
    let rules: [(&str, &str); 4] = [
        (
            "表的历史记录与版本号不一致 (a form's history does not match its version)",
            "SELECT e.id FROM evaluations e LEFT JOIN (SELECT evaluation_id, COUNT(*) AS n, \
             COUNT(DISTINCT version) AS d, MIN(version) AS lo, MAX(version) AS hi \
             FROM evaluation_history GROUP BY evaluation_id) h ON h.evaluation_id = e.id \
             WHERE h.n IS NULL OR h.n <> e.version OR h.d <> e.version OR h.lo <> 1 \
             OR h.hi <> e.version ORDER BY e.id",
        ),
        (
            "表的内容与最后一条历史记录不同 (a form differs from its last history row)",
            "SELECT e.id FROM evaluations e JOIN evaluation_history h \
             ON h.evaluation_id = e.id AND h.version = e.version \
             WHERE h.data <> e.data OR h.status <> e.status ORDER BY e.id",
        ),
        (
            "历史记录没有对应的表 (history rows of no form)",
            "SELECT DISTINCT h.evaluation_id FROM evaluation_history h \
             LEFT JOIN evaluations e ON e.id = h.evaluation_id WHERE e.id IS NULL",
        ),
        (
            "意见没有对应的表 (comments on no form)",
            "SELECT DISTINCT c.evaluation_id FROM comments c \
             LEFT JOIN evaluations e ON e.id = c.evaluation_id WHERE e.id IS NULL",
        ),
    ];
    for (what, sql) in rules {
        let ids: Vec<i64> = sqlx::query_scalar(sql).fetch_all(&mut *conn).await?;
        if !ids.is_empty() {
            let shown: Vec<String> = ids.iter().take(20).map(i64::to_string).collect();
            report.problems.push(format!(
                "{what}: {} ({} in all)",
                shown.join(", "),
                ids.len()
            ));
        }
    }
    Ok(report)
}

/// Every row of every table of a SQLite file, each value as SQLite's `quote()` prints it, in
/// primary-key order: two databases with the same dump hold the same data.
pub async fn dump_file(path: &Path) -> Result<Vec<(String, Vec<Vec<String>>)>> {
    let mut conn = open(path, true).await?;
    let mut out = Vec::new();
    let mut tables: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    tables.push("jixiao_migrations".into());
    for table in tables {
        let columns: Vec<String> =
            sqlx::query(AssertSqlSafe(format!("PRAGMA table_info({table})")))
                .fetch_all(&mut conn)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>(1))
                .collect::<std::result::Result<_, _>>()?;
        let select: Vec<String> = columns.iter().map(|c| format!("quote({c})")).collect();
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM {table} ORDER BY {}",
            select.join(", "),
            columns.first().map_or("1", String::as_str)
        )))
        .fetch_all(&mut conn)
        .await?;
        let rows = rows
            .iter()
            .map(|r| {
                (0..columns.len())
                    .map(|i| r.try_get::<String, _>(i))
                    .collect::<std::result::Result<Vec<_>, _>>()
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        out.push((table, rows));
    }
    let _ = conn.close().await;
    Ok(out)
}

/// A file beside `path`, for writing before the rename.
fn beside(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "jixiao.db".into());
    path.with_file_name(format!(".{name}.{what}-{}.tmp", std::process::id()))
}

fn io(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Database(format!("{what} {}: {e}", path.display()))
}

/// Sync a file and its folder, so that a rename is on disk before we report success.
fn sync(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("无法同步 (cannot sync)", path, e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Directories cannot be opened for syncing everywhere; on Linux they can.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// `VACUUM INTO` `to` from the SQLite file `from` (a consistent snapshot, safe while others
/// write), then check the copy. `to` must not exist.
async fn copy_checked(from: &Path, to: &Path) -> Result<Report> {
    let mut conn = open(from, true).await?;
    let done = sqlx::query("VACUUM INTO $1")
        .bind(to.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    if let Err(e) = done {
        let _ = std::fs::remove_file(to);
        return Err(StoreError::Database(format!(
            "复制失败 (VACUUM INTO failed): {e}"
        )));
    }
    let report = check_file(to).await;
    match report {
        Ok(r) if r.is_ok() => {
            sync(to)?;
            Ok(r)
        }
        Ok(r) => {
            let _ = std::fs::remove_file(to);
            Err(StoreError::Invalid(format!(
                "副本未通过检查 (the copy fails its check): {}",
                r.problems.join("; ")
            )))
        }
        Err(e) => {
            let _ = std::fs::remove_file(to);
            Err(e)
        }
    }
}

/// Back up the SQLite database at `url` to the file `out` (which must not exist), online.
pub async fn backup(url: &DbUrl, out: &Path) -> Result<Report> {
    let from = sqlite_path(url)?;
    if out.exists() {
        return Err(StoreError::Invalid(format!(
            "输出文件已存在，不覆盖 (the output file exists; not overwriting it): {}",
            out.display()
        )));
    }
    let source = check_file(&from).await?;
    if source.schema_version == 0 {
        return Err(StoreError::Invalid(format!(
            "{} 不是 Jixiao 数据库 (not a Jixiao database): {}",
            from.display(),
            source.problems.join("; ")
        )));
    }
    let tmp = beside(out, "backup");
    let _ = std::fs::remove_file(&tmp);
    let report = copy_checked(&from, &tmp).await?;
    std::fs::rename(&tmp, out).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io("无法写出 (cannot write)", out, e)
    })?;
    sync(out)?;
    Ok(report)
}

/// Restore the backup file `input` into the SQLite database at `url`. Refuses an input that
/// fails its check, a target that holds data (unless `force`), and a target in use.
pub async fn restore(input: &Path, url: &DbUrl, force: bool) -> Result<Report> {
    let target = sqlite_path(url)?;
    let incoming = check_file(input).await?;
    if !incoming.is_ok() {
        return Err(StoreError::Invalid(format!(
            "备份文件未通过检查，未恢复 (the backup fails its check; nothing restored): {}",
            incoming.problems.join("; ")
        )));
    }
    if target.exists() {
        // Fold the target's WAL into it and see that nobody else has it open: SQLite removes
        // the -wal and -shm files when the last connection closes.
        let existing = match open(&target, false).await {
            Ok(mut conn) => {
                let report = check_on(&mut conn, true).await;
                let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&mut conn)
                    .await;
                let _ = conn.close().await;
                report.ok()
            }
            Err(_) => None,
        };
        let holds_data = existing.as_ref().is_none_or(|r| r.content_rows() > 0);
        if holds_data && !force {
            return Err(StoreError::Invalid(format!(
                "目标数据库 {} 不是空的，未恢复；确认要覆盖请加 --force (the target database is \
                 not empty; nothing restored; add --force to replace it)",
                target.display()
            )));
        }
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", target.display()));
            if side.exists() {
                return Err(StoreError::Invalid(format!(
                    "目标数据库正被使用（存在 {}），请先停止 jixiao serve (the target database is \
                     in use; stop jixiao serve first)",
                    side.display()
                )));
            }
        }
    }
    let tmp = beside(&target, "restore");
    let _ = std::fs::remove_file(&tmp);
    let report = copy_checked(input, &tmp).await?;
    std::fs::rename(&tmp, &target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io("无法替换 (cannot replace)", &target, e)
    })?;
    sync(&target)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        let p = |u: &str| sqlite_path(&DbUrl::new(u));
        assert_eq!(
            p("sqlite://a/b.db?mode=rwc").unwrap(),
            PathBuf::from("a/b.db")
        );
        assert_eq!(p("sqlite:jixiao.db").unwrap(), PathBuf::from("jixiao.db"));
        assert_eq!(p("sqlite:///tmp/x.db").unwrap(), PathBuf::from("/tmp/x.db"));
        assert!(p("sqlite::memory:").is_err());
        assert!(p("postgres://h/db").is_err());
    }

    #[test]
    fn the_advice_hides_the_password() {
        let advice = postgres_advice(&DbUrl::new("postgres://u:s3cret@h/db"));
        assert!(advice.contains("pg_dump") && advice.contains("pg_restore"));
        assert!(!advice.contains("s3cret"));
    }
}
