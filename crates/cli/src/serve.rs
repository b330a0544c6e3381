//! `jixiao serve`: the web application (网页应用) on SQLite or PostgreSQL.

use anyhow::Context as _;
use clap::Args;
use jixiao_store::{DbUrl, SqlStore, Store};
use jixiao_web::{demo, AppState, Config};
use std::sync::Arc;

/// The default database: a file beside the current directory, created on first start.
pub const DEFAULT_DATABASE: &str = "sqlite://jixiao.db";

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// 监听地址 (address to listen on)
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// 数据库地址：sqlite://FILE（不存在则创建）或 postgres://… (database URL: sqlite://FILE,
    /// created if missing, or postgres://…) [环境变量 env: JIXIAO_DATABASE]
    #[arg(long, env = "JIXIAO_DATABASE", default_value = DEFAULT_DATABASE, hide_env_values = true)]
    pub database: String,
    /// 演示模式：创建演示机构、三张样例表和用户 admin/finance/reviewer/filler（密码 demo）
    /// (demo mode: the demo organisation, the seed's three forms, users with password `demo`)
    #[arg(long)]
    pub demo: bool,
    /// 会话 cookie 标记为 Secure（经 HTTPS 访问时）(mark the session cookie Secure, behind HTTPS)
    #[arg(long)]
    pub secure_cookies: bool,
    /// 评分规则 (rule profile) [默认 default: central-2020]
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
}

/// Structured logs on stderr; `RUST_LOG` overrides the level, `JIXIAO_LOG_FORMAT=json` gives
/// JSON lines.
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = if std::env::var("JIXIAO_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    init_logging();
    let profile = crate::profiles::load(args.profile.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时 (cannot start the async runtime)")?;
    runtime.block_on(async move {
        let url = DbUrl::new(&args.database);
        let store = SqlStore::connect(&url)
            .await
            .with_context(|| format!("无法打开数据库 {url} (cannot open the database)"))?;
        if args.demo {
            match demo::seed(&store, &profile).await? {
                demo::Seeded::Created { forms } => {
                    eprintln!("演示数据已创建：{forms} 张草稿 (demo data created: {forms} drafts)")
                }
                demo::Seeded::AlreadyThere => {
                    eprintln!("演示数据已存在 (demo data already there)")
                }
            }
            eprintln!(
                "演示用户 (demo users), 密码 password `{}`: {}",
                demo::DEMO_PASSWORD,
                demo::DEMO_USERS
                    .iter()
                    .map(|(u, r, _)| format!("{u} ({})", r.label_zh()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        } else if store.list_users().await?.is_empty() {
            eprintln!(
                "还没有用户。先创建管理员 (no users yet; create the first administrator): \
                 jixiao user add admin --role admin --database {url}"
            );
        }
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .with_context(|| format!("无法监听 {} (cannot listen)", args.addr))?;
        let local = listener.local_addr()?;
        eprintln!("Jixiao 已启动 (listening): http://{local}/");
        tracing::info!(addr = %local, database = %url, "serving");
        let config = Config {
            secure_cookies: args.secure_cookies,
            ..Config::default()
        };
        let store = Arc::new(store);
        let state = AppState::new(store.clone(), profile, config);
        jixiao_web::serve(listener, state, shutdown_signal()).await?;
        store.close().await;
        Ok(())
    })
}
