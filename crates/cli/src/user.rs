//! `jixiao user add|passwd|list`: users on the command line (用户管理), also the first-run path
//! to the first administrator.

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand};
use jixiao_store::{DbUrl, NewUser, Role, SqlStore, Store};
use std::io::BufRead as _;

#[derive(Args, Debug)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
    /// 数据库地址 (database URL) [环境变量 env: JIXIAO_DATABASE]
    #[arg(long, global = true, env = "JIXIAO_DATABASE", default_value = crate::serve::DEFAULT_DATABASE, hide_env_values = true)]
    pub database: String,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// 新建用户；密码从标准输入的第一行读取 (add a user; the password is read from the first line
    /// of stdin)
    Add {
        /// 用户名 (user name)
        username: String,
        /// 角色 (role): filler 填报人 | reviewer 审核人 | finance 财政 | admin 管理员
        #[arg(long)]
        role: String,
        /// 所属机构编号 (organisation id; see `jixiao user list`)
        #[arg(long)]
        org: Option<i64>,
        /// 显示名 (display name)
        #[arg(long)]
        display_name: Option<String>,
    },
    /// 修改密码；新密码从标准输入的第一行读取 (change a password, read from stdin)
    Passwd {
        /// 用户名 (user name)
        username: String,
    },
    /// 列出机构与用户 (list organisations and users)
    List,
}

fn read_password() -> anyhow::Result<String> {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("密码 (password, echoed): ");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("无法读取密码 (cannot read the password)")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.chars().count() < 8 {
        bail!("密码至少 8 个字符 (the password needs at least 8 characters)");
    }
    Ok(password)
}

pub fn run(args: UserArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let url = DbUrl::new(&args.database);
        let store = SqlStore::connect(&url)
            .await
            .with_context(|| format!("无法打开数据库 {url} (cannot open the database)"))?;
        match args.command {
            UserCommand::Add {
                username,
                role,
                org,
                display_name,
            } => {
                let role = Role::parse(&role).with_context(|| {
                    format!("未知角色 {role} (unknown role): filler|reviewer|finance|admin")
                })?;
                if let Some(org) = org {
                    if !store.list_orgs().await?.iter().any(|o| o.id == org) {
                        bail!("没有编号为 {org} 的机构 (no organisation {org})");
                    }
                }
                let password = read_password()?;
                let user = store
                    .create_user(
                        NewUser {
                            username: &username,
                            display_name: display_name.as_deref().unwrap_or(&username),
                            password: &password,
                            role,
                            org_id: org,
                        },
                        None,
                    )
                    .await?;
                println!(
                    "已创建用户 {} ({}) (user created)",
                    user.username,
                    user.role.label_zh()
                );
            }
            UserCommand::Passwd { username } => {
                let password = read_password()?;
                store.set_password(&username, &password, None).await?;
                println!("已修改 {username} 的密码 (password changed)");
            }
            UserCommand::List => {
                println!("机构 (organisations):");
                let orgs = store.list_orgs().await?;
                for o in &orgs {
                    println!(
                        "  {:>4}  {:<10} {}{}",
                        o.id,
                        o.kind.as_str(),
                        o.name,
                        o.parent_id
                            .map(|p| format!("  (上级 parent {p})"))
                            .unwrap_or_default()
                    );
                }
                println!("用户 (users):");
                for u in store.list_users().await? {
                    let org = u
                        .org_id
                        .and_then(|id| orgs.iter().find(|o| o.id == id))
                        .map(|o| o.name.as_str())
                        .unwrap_or("—");
                    println!(
                        "  {:>4}  {:<16} {:<8} {}",
                        u.id,
                        u.username,
                        u.role.label_zh(),
                        org
                    );
                }
            }
        }
        store.close().await;
        Ok(())
    })
}
