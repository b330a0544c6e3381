//! `jixiao serve --demo` (演示模式): the demo organisation, the seed's three forms as drafts,
//! and the users `admin`, `finance`, `reviewer`, `filler` with the password `demo`.
//!
//! Refused on a database that has users other than the demo's; on a database already seeded
//! by an earlier `--demo` it does nothing.

use crate::repr;
use jixiao_core::Profile;
use jixiao_store::{NewUser, OrgKind, Role, Store, StoreError};

/// The seed's forms (上海市松江区社会保障服务中心 2023).
pub const SEED: &[u8] = include_bytes!("../../../fixtures/songjiang-2023.tsv");

pub const DEMO_PASSWORD: &str = "demo";
pub const DEMO_USERS: [(&str, Role, &str); 4] = [
    ("admin", Role::Admin, "系统管理员"),
    ("finance", Role::Finance, "财政局 王科长"),
    ("reviewer", Role::Reviewer, "人社局 李审核"),
    ("filler", Role::Filler, "社保中心 张填报"),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("数据库中已有其他用户，拒绝创建演示数据 (the database already has other users; demo data refused)")]
    OtherUsers,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `seed` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Seeded {
    Created { forms: usize },
    AlreadyThere,
}

pub async fn seed(store: &dyn Store, profile: &Profile) -> Result<Seeded, DemoError> {
    let users = store.list_users().await?;
    if !users.is_empty() {
        let demo_only = users
            .iter()
            .all(|u| DEMO_USERS.iter().any(|(name, _, _)| *name == u.username));
        return if demo_only {
            Ok(Seeded::AlreadyThere)
        } else {
            Err(DemoError::OtherUsers)
        };
    }
    let finance = store
        .create_org("上海市松江区财政局", OrgKind::Finance, None)
        .await?;
    let dept = store
        .create_org(
            "上海市松江区人力资源和社会保障局",
            OrgKind::Department,
            Some(finance.id),
        )
        .await?;
    let unit = store
        .create_org("上海市松江区社会保障服务中心", OrgKind::Unit, Some(dept.id))
        .await?;
    store
        .create_org("上海市松江区就业促进中心", OrgKind::Unit, Some(dept.id))
        .await?;
    let edu = store
        .create_org("上海市松江区教育局", OrgKind::Department, Some(finance.id))
        .await?;
    store
        .create_org("上海市松江区教育技术装备中心", OrgKind::Unit, Some(edu.id))
        .await?;
    let mut filler_id = 0;
    for (username, role, display_name) in DEMO_USERS {
        let org_id = match role {
            Role::Admin | Role::Finance => finance.id,
            Role::Reviewer => dept.id,
            Role::Filler => unit.id,
        };
        let user = store
            .create_user(
                NewUser {
                    username,
                    display_name,
                    password: DEMO_PASSWORD,
                    role,
                    org_id: Some(org_id),
                },
                None,
            )
            .await?;
        if role == Role::Filler {
            filler_id = user.id;
        }
    }
    let outcome = jixiao_formats::read_bytes(SEED);
    for form in &outcome.forms {
        let assessment = repr::assess_form(&form.evaluation, profile);
        store
            .create_evaluation(
                unit.id,
                &form.evaluation,
                &crate::derived::scored(&form.evaluation, &assessment, profile),
                filler_id,
            )
            .await?;
    }
    Ok(Seeded::Created {
        forms: outcome.forms.len(),
    })
}
