//! Who may reach what (权限). One place for every rule, tested as a role × route matrix in
//! `tests/api.rs`.
//!
//! - 填报人 filler: the forms of their own unit: create, read, edit (draft / returned), submit.
//! - 审核人 reviewer: the forms of the units under their department once submitted (drafts
//!   stay with the unit): read, comment, return, approve.
//! - 财政 finance: every form: read, comment, spot-check approved forms, return approved forms.
//! - 管理员 admin: users and organisations; no access to the forms' content.
//!
//! A form the user may not read is answered 404, not 403, so that guessing ids reveals
//! nothing; a readable form with an action the role may not take is 403.

use jixiao_store::{EvaluationSummary, Org, Role, Status, User};

/// What a user can see of the evaluations: `None` = everything.
pub fn scope(user: &User, orgs: &[Org]) -> Option<Vec<i64>> {
    match user.role {
        Role::Finance => None,
        Role::Admin => Some(Vec::new()),
        Role::Filler => Some(user.org_id.into_iter().collect()),
        Role::Reviewer => {
            let Some(dept) = user.org_id else {
                return Some(Vec::new());
            };
            Some(descendants(dept, orgs))
        }
    }
}

/// The scope as a list filter: (`org_ids`, `within`) — a filler's unit, a reviewer's
/// department (everything under it, checked by the database through organisation paths),
/// nothing for an administrator, everything for finance.
pub fn scope_filter(user: &User) -> (Option<Vec<i64>>, Option<i64>) {
    match user.role {
        Role::Finance => (None, None),
        Role::Admin => (Some(Vec::new()), None),
        Role::Filler => (Some(user.org_id.into_iter().collect()), None),
        Role::Reviewer => match user.org_id {
            Some(dept) => (None, Some(dept)),
            None => (Some(Vec::new()), None),
        },
    }
}

/// An organisation and all below it.
pub fn descendants(root: i64, orgs: &[Org]) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            orgs.iter()
                .filter(|o| o.parent_id == Some(parent))
                .map(|o| o.id),
        );
        i += 1;
    }
    out
}

/// Statuses a role may see within its scope (`None` = all).
pub fn visible_statuses(role: Role) -> Option<Vec<Status>> {
    match role {
        Role::Reviewer => Some(vec![
            Status::Submitted,
            Status::Returned,
            Status::Approved,
            Status::SpotChecked,
        ]),
        _ => None,
    }
}

pub fn can_read(user: &User, ev: &EvaluationSummary, orgs: &[Org]) -> bool {
    let in_scope = match scope(user, orgs) {
        None => true,
        Some(ids) => ids.contains(&ev.org_id),
    };
    in_scope && visible_statuses(user.role).is_none_or(|s| s.contains(&ev.status))
}

/// [`can_read`] with the form's organisation path (`/1/2/3/`, from the store) instead of the
/// whole organisation list: one query less per page.
pub fn can_read_at(user: &User, ev: &EvaluationSummary, org_path: Option<&str>) -> bool {
    let in_scope = match user.role {
        Role::Finance => true,
        Role::Admin => false,
        Role::Filler => user.org_id == Some(ev.org_id),
        Role::Reviewer => match (user.org_id, org_path) {
            (Some(dept), Some(path)) => jixiao_store::path_contains(path, dept),
            (Some(dept), None) => dept == ev.org_id,
            (None, _) => false,
        },
    };
    in_scope && visible_statuses(user.role).is_none_or(|s| s.contains(&ev.status))
}

pub fn can_create(user: &User) -> bool {
    user.role == Role::Filler && user.org_id.is_some()
}

pub fn can_edit(user: &User, ev: &EvaluationSummary) -> bool {
    user.role == Role::Filler && user.org_id == Some(ev.org_id)
}

/// The workflow actions a role may take on a readable form (the state machine is checked by
/// the store).
pub fn can_transition(user: &User, ev: &EvaluationSummary, to: Status) -> bool {
    match to {
        Status::Submitted => can_edit(user, ev),
        Status::Approved => user.role == Role::Reviewer,
        Status::Returned => match user.role {
            Role::Reviewer => ev.status == Status::Submitted,
            Role::Finance => ev.status == Status::Approved,
            _ => false,
        },
        Status::SpotChecked => user.role == Role::Finance,
        Status::Draft => false,
    }
}

pub fn can_comment(user: &User) -> bool {
    matches!(user.role, Role::Reviewer | Role::Finance | Role::Filler)
}

pub fn is_admin(user: &User) -> bool {
    user.role == Role::Admin
}
