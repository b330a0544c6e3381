//! The store's story (存储全流程): one test body, written once, run on SQLite always and on
//! PostgreSQL when `JIXIAO_TEST_POSTGRES_URL` is set (mandatory when `CI=true`).

use jixiao_core::{assess, Evaluation, Profile};
use jixiao_store::testing::{postgres_url, Backend};
use jixiao_store::{
    ListFilter, NewUser, OrgKind, Role, Scored, SqlStore, Status, Store, StoreError,
};

fn seed_forms() -> Vec<Evaluation> {
    let bytes = include_bytes!("../../../fixtures/songjiang-2023.tsv");
    let outcome = jixiao_formats::read_bytes(bytes);
    outcome.forms.into_iter().map(|f| f.evaluation).collect()
}

fn scored(form: &Evaluation) -> Scored {
    let a = assess(form, &Profile::default());
    let mut codes: Vec<(String, i64)> = Vec::new();
    for f in &a.findings {
        match codes.iter_mut().find(|(c, _)| *c == f.code) {
            Some((_, n)) => *n += 1,
            None => codes.push((f.code.to_string(), 1)),
        }
    }
    let card = a.scorecard;
    Scored {
        total: card.total.map(|c| c.value.normalize().to_string()),
        grade: card.grade.map(|g| g.grade),
        errors: 0,
        warnings: a.findings.len() as i64,
        codes,
        derived: Some("{\"view\":1}".into()),
        profile: Some("test-profile".into()),
    }
}

async fn story(backend: Backend) {
    let db = backend.fresh().await;
    let store: &dyn Store = &db.store;

    // Organisations: 财政局 → 人社局 → 社会保障服务中心, and a second unit.
    let finance = store
        .create_org("松江区财政局", OrgKind::Finance, None)
        .await
        .unwrap();
    let dept = store
        .create_org(
            "松江区人力资源和社会保障局",
            OrgKind::Department,
            Some(finance.id),
        )
        .await
        .unwrap();
    let unit = store
        .create_org("松江区社会保障服务中心", OrgKind::Unit, Some(dept.id))
        .await
        .unwrap();
    let other = store
        .create_org("松江区就业促进中心", OrgKind::Unit, Some(dept.id))
        .await
        .unwrap();
    let orgs = store.list_orgs().await.unwrap();
    assert_eq!(orgs.len(), 4);
    assert_eq!(orgs[2].parent_id, Some(dept.id));
    // Paths name every ancestor: a scope check needs no walk of the tree.
    assert_eq!(
        orgs[2].path,
        format!("/{}/{}/{}/", finance.id, dept.id, unit.id)
    );
    assert!(orgs[2].is_under(dept.id) && orgs[2].is_under(unit.id));
    assert!(!orgs[2].is_under(other.id));

    // Users, argon2 passwords, duplicates refused.
    let new = |username: &'static str, role, org_id| NewUser {
        username,
        display_name: username,
        password: "demo",
        role,
        org_id: Some(org_id),
    };
    let filler = store
        .create_user(new("filler", Role::Filler, unit.id), None)
        .await
        .unwrap();
    let reviewer = store
        .create_user(new("reviewer", Role::Reviewer, dept.id), None)
        .await
        .unwrap();
    let fin = store
        .create_user(new("finance", Role::Finance, finance.id), None)
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_user(new("filler", Role::Admin, unit.id), None)
            .await,
        Err(StoreError::Duplicate(_))
    ));
    assert_eq!(store.list_users().await.unwrap().len(), 3);
    assert_eq!(
        store.verify_password("filler", "demo").await.unwrap(),
        Some(filler.clone())
    );
    assert_eq!(
        store.verify_password("filler", "wrong").await.unwrap(),
        None
    );
    assert_eq!(store.verify_password("nobody", "demo").await.unwrap(), None);
    store
        .set_password("filler", "n3w-pass", Some(filler.id))
        .await
        .unwrap();
    assert_eq!(store.verify_password("filler", "demo").await.unwrap(), None);
    assert!(store
        .verify_password("filler", "n3w-pass")
        .await
        .unwrap()
        .is_some());
    assert!(matches!(
        store.set_password("nobody", "x", None).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.get_user(reviewer.id).await.unwrap(),
        Some(reviewer.clone())
    );

    // Login throttling counts failures by key and time.
    store.record_login_failure("filler", 1_000).await.unwrap();
    store.record_login_failure("filler", 2_000).await.unwrap();
    assert_eq!(
        store.login_failures_since("filler", 1_500).await.unwrap(),
        1
    );
    assert_eq!(store.login_failures_since("filler", 0).await.unwrap(), 2);
    store.clear_login_failures("filler").await.unwrap();
    assert_eq!(store.login_failures_since("filler", 0).await.unwrap(), 0);

    // Sessions live in the database: a second store on the same database (a second `serve`
    // process) sees them.
    assert!(store
        .session_create("s1", "{\"u\":1}", 2_000, Some(filler.id))
        .await
        .unwrap());
    assert!(!store.session_create("s1", "{}", 2_000, None).await.unwrap());
    let second = SqlStore::connect(&db.url).await.unwrap();
    // The session and its user in one query.
    let (data, user) = second.session_load("s1", 1_000).await.unwrap().unwrap();
    assert_eq!(data, "{\"u\":1}");
    assert_eq!(user.map(|u| u.username).as_deref(), Some("filler"));
    second
        .session_save("s1", "{\"u\":2}", 3_000, None)
        .await
        .unwrap();
    assert_eq!(
        store.session_load("s1", 2_500).await.unwrap(),
        Some(("{\"u\":2}".to_owned(), None))
    );
    assert_eq!(
        store.session_load("s1", 3_000).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(store.delete_expired_sessions(3_000).await.unwrap(), 1);
    store.session_save("s2", "{}", 9_000, None).await.unwrap();
    store.session_delete("s2").await.unwrap();
    assert_eq!(store.session_load("s2", 0).await.unwrap(), None);
    second.close().await;

    // 停用: a disabled user cannot log in and their sessions end; enabling restores the login.
    store
        .session_save("s3", "{}", 9_000, Some(reviewer.id))
        .await
        .unwrap();
    let change = jixiao_store::UserChange {
        disabled: Some(true),
        display_name: Some("李审核".into()),
        ..Default::default()
    };
    let changed = store
        .update_user(reviewer.id, &change, fin.id)
        .await
        .unwrap();
    assert!(changed.disabled);
    assert_eq!(changed.display_name, "李审核");
    assert_eq!(store.session_load("s3", 0).await.unwrap(), None);
    assert_eq!(
        store.verify_password("reviewer", "demo").await.unwrap(),
        None
    );
    let change = jixiao_store::UserChange {
        disabled: Some(false),
        ..Default::default()
    };
    store
        .update_user(reviewer.id, &change, fin.id)
        .await
        .unwrap();
    let reviewer = store
        .verify_password("reviewer", "demo")
        .await
        .unwrap()
        .expect("enabled again");
    let bad_org = jixiao_store::UserChange {
        org_id: Some(Some(999_999)),
        ..Default::default()
    };
    assert!(matches!(
        store.update_user(reviewer.id, &bad_org, fin.id).await,
        Err(StoreError::Invalid(_))
    ));

    // Evaluations: the seed's three forms as drafts, stored exactly.
    let forms = seed_forms();
    assert_eq!(forms.len(), 3);
    let mut ids = Vec::new();
    for form in &forms {
        let rec = store
            .create_evaluation(unit.id, form, &scored(form), filler.id)
            .await
            .unwrap();
        assert_eq!(rec.summary.status, Status::Draft);
        assert_eq!(rec.summary.version, 1);
        assert_eq!(
            &rec.form, form,
            "the form reads back identically (exact money)"
        );
        ids.push(rec.summary.id);
    }
    let first = store.get_evaluation(ids[0]).await.unwrap().unwrap();
    assert_eq!(first.summary.project.as_deref(), Some("工伤鉴定"));

    // The form page with its session in one statement: the page comes only with a live user,
    // and it is the page `evaluation_page` reads.
    store
        .session_save("page", "{\"k\":1}", 9_000, Some(filler.id))
        .await
        .unwrap();
    let (data, user, page) = store
        .session_evaluation_page("page", 1_000, ids[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(data, "{\"k\":1}");
    assert_eq!(user.map(|u| u.id), Some(filler.id));
    assert_eq!(page, store.evaluation_page(ids[0]).await.unwrap());
    assert!(page.is_some());
    let (_, _, none) = store
        .session_evaluation_page("page", 1_000, 999_999)
        .await
        .unwrap()
        .unwrap();
    assert!(none.is_none(), "no such form");
    let filter = ListFilter {
        org_ids: Some(vec![unit.id]),
        limit: Some(2),
        ..Default::default()
    };
    let (data, user, list) = store
        .session_list_page("page", 1_000, &filter)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(data, "{\"k\":1}");
    assert_eq!(user.map(|u| u.id), Some(filler.id));
    assert_eq!(list, Some(store.list_page(&filter).await.unwrap()));
    store.session_save("page", "{}", 9_000, None).await.unwrap();
    assert_eq!(
        store
            .session_evaluation_page("page", 1_000, ids[0])
            .await
            .unwrap(),
        Some(("{}".to_owned(), None, None)),
        "no user, no form"
    );
    assert_eq!(
        store
            .session_list_page("page", 1_000, &filter)
            .await
            .unwrap(),
        Some(("{}".to_owned(), None, None)),
        "no user, no list"
    );
    assert_eq!(
        store
            .session_evaluation_page("page", 9_000, ids[0])
            .await
            .unwrap(),
        None,
        "expired"
    );
    store.session_delete("page").await.unwrap();
    assert_eq!(first.summary.year, Some(2023));
    assert_eq!(
        first
            .form
            .funds
            .total
            .initial
            .map(|d| d.to_string())
            .as_deref(),
        Some("507500.00")
    );
    assert!(first.summary.total.is_some());
    assert_eq!(store.get_evaluation(999_999).await.unwrap(), None);

    // Lists: filters by year, status, text and organisation scope.
    let all = ListFilter::default();
    assert_eq!(store.list_evaluations(&all).await.unwrap().len(), 3);
    assert_eq!(store.count_evaluations(&all).await.unwrap(), 3);
    let f = ListFilter {
        q: Some("培训".into()),
        ..ListFilter::default()
    };
    let found = store.list_evaluations(&f).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].project.as_deref(), Some("业务培训"));
    let f = ListFilter {
        q: Some("100%_".into()),
        ..ListFilter::default()
    };
    assert!(
        store.list_evaluations(&f).await.unwrap().is_empty(),
        "LIKE escaped"
    );
    let f = ListFilter {
        year: Some(2022),
        ..ListFilter::default()
    };
    assert!(store.list_evaluations(&f).await.unwrap().is_empty());
    let f = ListFilter {
        org_ids: Some(vec![other.id]),
        ..ListFilter::default()
    };
    assert!(store.list_evaluations(&f).await.unwrap().is_empty());
    let f = ListFilter {
        org_ids: Some(vec![unit.id, other.id]),
        year: Some(2023),
        status: Some(Status::Draft),
        limit: Some(2),
        ..ListFilter::default()
    };
    assert_eq!(store.list_evaluations(&f).await.unwrap().len(), 2);
    assert_eq!(store.count_evaluations(&f).await.unwrap(), 3);

    // Counts, grades and finding codes come from the verdicts kept at save time.
    let counts = store.count_by_status(&f).await.unwrap();
    assert_eq!((counts.total(), counts.of(Status::Draft)), (3, 3));
    let grades = store.count_by_grade(&all).await.unwrap();
    assert_eq!(grades.iter().map(|(_, n)| n).sum::<i64>(), 3);
    let expected: Vec<(Option<String>, i64)> = {
        let mut g: Vec<Option<String>> = forms.iter().map(|f| scored(f).grade).collect();
        g.sort();
        let mut out: Vec<(Option<String>, i64)> = Vec::new();
        for x in g {
            match out.last_mut() {
                Some((y, n)) if *y == x => *n += 1,
                _ => out.push((x, 1)),
            }
        }
        out
    };
    assert_eq!(grades, expected);
    assert_eq!(store.years(&all).await.unwrap(), vec![2023]);
    let top = store.top_codes(&all, 10).await.unwrap();
    let with_findings = forms.iter().filter(|f| !scored(f).codes.is_empty()).count();
    assert!(with_findings > 0, "the seed has findings");
    let (code, n) = top[0].clone();
    let having = forms
        .iter()
        .filter(|f| scored(f).codes.iter().any(|(c, _)| *c == code))
        .count() as i64;
    assert_eq!(n, having, "{code}");
    let f = ListFilter {
        code: Some(code.clone()),
        ..ListFilter::default()
    };
    assert_eq!(store.count_evaluations(&f).await.unwrap(), having);
    let f = ListFilter {
        grade: Some(expected[0].0.clone().unwrap_or_default()),
        ..ListFilter::default()
    };
    assert_eq!(store.count_evaluations(&f).await.unwrap(), expected[0].1);
    let f = ListFilter {
        under: vec![dept.id],
        ..ListFilter::default()
    };
    assert_eq!(store.count_evaluations(&f).await.unwrap(), 3);
    let f = ListFilter {
        under: vec![other.id],
        ..ListFilter::default()
    };
    assert_eq!(store.count_evaluations(&f).await.unwrap(), 0);
    // Sorting: by the exact total, by name, and stable paging.
    let mut totals: Vec<rust_decimal::Decimal> = forms
        .iter()
        .filter_map(|f| scored(f).total)
        .map(|t| t.parse().unwrap())
        .collect();
    totals.sort();
    let f = ListFilter {
        sort: jixiao_store::Sort::Total,
        ascending: true,
        ..ListFilter::default()
    };
    let listed: Vec<rust_decimal::Decimal> = store
        .list_evaluations(&f)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|s| s.total)
        .map(|t| t.parse().unwrap())
        .collect();
    assert_eq!(listed, totals);
    let f = ListFilter {
        sort: jixiao_store::Sort::Project,
        ascending: true,
        limit: Some(1),
        offset: Some(1),
        ..ListFilter::default()
    };
    let mut names: Vec<String> = forms.iter().filter_map(|f| f.project.clone()).collect();
    names.sort();
    let page = store.list_evaluations(&f).await.unwrap();
    assert_eq!(page[0].project.as_ref(), Some(&names[1]));
    assert!(page[0].warnings.is_some());
    let rec = store.get_evaluation(ids[0]).await.unwrap().unwrap();
    assert_eq!(rec.derived.as_deref(), Some("{\"view\":1}"));
    assert_eq!(rec.derived_profile.as_deref(), Some("test-profile"));
    assert_eq!(rec.org_path, Some(orgs[2].path.clone()));
    assert_eq!(
        store.needs_derive("test-profile", 0, 10).await.unwrap(),
        Vec::<i64>::new()
    );
    assert_eq!(store.needs_derive("other", 0, 10).await.unwrap().len(), 3);
    let fresh = Scored {
        profile: Some("other".into()),
        ..scored(&forms[0])
    };
    assert!(store.set_derived(ids[0], 1, &fresh).await.unwrap());
    assert!(
        !store.set_derived(ids[0], 7, &fresh).await.unwrap(),
        "stale"
    );
    assert_eq!(store.needs_derive("other", 0, 10).await.unwrap().len(), 2);

    // Optimistic locking: a save at the current version wins; a stale one is a conflict.
    let id = ids[0];
    let mut edited = first.form.clone();
    edited.indicators[3].score = Some(7.into());
    let rec = store
        .update_evaluation(id, 1, &edited, &scored(&edited), filler.id)
        .await
        .unwrap();
    assert_eq!(rec.summary.version, 2);
    assert_eq!(rec.form, edited);
    let stale = store
        .update_evaluation(id, 1, &first.form, &scored(&first.form), filler.id)
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { current: 2 })),
        "{stale:?}"
    );
    assert!(matches!(
        store
            .update_evaluation(999_999, 1, &edited, &Scored::default(), filler.id)
            .await,
        Err(StoreError::NotFound)
    ));

    // The workflow: submit; a submitted form cannot be edited; return with a reason;
    // resubmit; approve; spot-check. Each step is checked against the state machine.
    let rec = store
        .transition(id, Some(2), Status::Submitted, filler.id, None)
        .await
        .unwrap();
    assert_eq!(
        (rec.summary.status, rec.summary.version),
        (Status::Submitted, 3)
    );
    assert!(matches!(
        store
            .update_evaluation(id, 3, &edited, &scored(&edited), filler.id)
            .await,
        Err(StoreError::NotEditable {
            status: Status::Submitted
        })
    ));
    assert!(matches!(
        store
            .transition(id, Some(2), Status::Approved, reviewer.id, None)
            .await,
        Err(StoreError::Conflict { current: 3 })
    ));
    assert!(matches!(
        store
            .transition(id, None, Status::SpotChecked, fin.id, None)
            .await,
        Err(StoreError::InvalidTransition {
            from: Status::Submitted,
            to: Status::SpotChecked
        })
    ));
    store
        .transition(
            id,
            None,
            Status::Returned,
            reviewer.id,
            Some("满意度得分依据不足"),
        )
        .await
        .unwrap();
    let rec = store
        .update_evaluation(id, 4, &first.form, &scored(&first.form), filler.id)
        .await
        .unwrap();
    assert_eq!(rec.summary.version, 5);
    store
        .transition(id, Some(5), Status::Submitted, filler.id, None)
        .await
        .unwrap();
    store
        .transition(id, None, Status::Approved, reviewer.id, None)
        .await
        .unwrap();
    let rec = store
        .transition(id, None, Status::SpotChecked, fin.id, Some("抽查无误"))
        .await
        .unwrap();
    assert_eq!(
        (rec.summary.status, rec.summary.version),
        (Status::SpotChecked, 8)
    );

    let public = ListFilter {
        statuses: Some(vec![Status::Approved, Status::SpotChecked]),
        ..ListFilter::default()
    };
    let listed = store.list_evaluations(&public).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);

    // History: who, when, why, and the form at each version.
    let history = store.history(id).await.unwrap();
    let actions: Vec<(&str, i64, Option<&str>)> = history
        .iter()
        .map(|h| (h.action.as_str(), h.version, h.actor.as_deref()))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("create", 1, Some("filler")),
            ("update", 2, Some("filler")),
            ("submitted", 3, Some("filler")),
            ("returned", 4, Some("reviewer")),
            ("update", 5, Some("filler")),
            ("submitted", 6, Some("filler")),
            ("approved", 7, Some("reviewer")),
            ("spot_checked", 8, Some("finance")),
        ]
    );
    assert_eq!(history[3].reason.as_deref(), Some("满意度得分依据不足"));
    assert_eq!(history[1].form, edited);
    assert_eq!(history[4].form, first.form);
    assert!(history.windows(2).all(|w| w[0].at <= w[1].at));
    // The kept counts follow every create, save and transition.
    let counts = store.count_by_status(&all).await.unwrap();
    for s in Status::ALL {
        let f = ListFilter {
            status: Some(s),
            ..ListFilter::default()
        };
        assert_eq!(
            counts.of(s),
            store.count_evaluations(&f).await.unwrap(),
            "{s}"
        );
    }
    let by_grade = store.count_by_grade(&all).await.unwrap();
    for (grade, n) in &by_grade {
        let f = ListFilter {
            grade: Some(grade.clone().unwrap_or_default()),
            ..ListFilter::default()
        };
        assert_eq!(*n, store.count_evaluations(&f).await.unwrap(), "{grade:?}");
    }
    assert_eq!(by_grade.iter().map(|(_, n)| n).sum::<i64>(), 3);
    // The lines without the forms carry each save's changes, kept when it was saved.
    let lines = store.history_lines(id).await.unwrap();
    assert_eq!(lines.len(), history.len());
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(
            (line.version, &line.action, &line.reason),
            (history[i].version, &history[i].action, &history[i].reason)
        );
        let expected = match i.checked_sub(1) {
            Some(p) => jixiao_store::diff::diff(&history[p].form, &history[i].form),
            None => Vec::new(),
        };
        assert_eq!(line.changes, expected, "entry {i}");
    }
    assert!(!lines[1].changes.is_empty(), "the edit shows");

    // Comments on a form and on one indicator.
    store
        .add_comment(id, Some(3), reviewer.id, "得分与完成值不符 <b>")
        .await
        .unwrap();
    store
        .add_comment(id, None, filler.id, "已修改")
        .await
        .unwrap();
    let comments = store.comments(id).await.unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0].indicator, Some(3));
    assert_eq!(comments[0].author, "reviewer");
    assert_eq!(comments[0].body, "得分与完成值不符 <b>");
    assert!(matches!(
        store.add_comment(999_999, None, filler.id, "x").await,
        Err(StoreError::NotFound)
    ));

    // The pages' one-query reads give what the separate reads give.
    let page = store.evaluation_page(id).await.unwrap().unwrap();
    assert_eq!(
        page.record,
        store.get_evaluation(id).await.unwrap().unwrap()
    );
    assert_eq!(page.comments, comments);
    assert_eq!(page.history, store.history_lines(id).await.unwrap());
    assert_eq!(store.evaluation_page(999_999).await.unwrap(), None);
    for filter in [
        ListFilter::default(),
        ListFilter {
            within: Some(dept.id),
            statuses: Some(vec![Status::Submitted, Status::SpotChecked]),
            sort: jixiao_store::Sort::Total,
            limit: Some(2),
            ..ListFilter::default()
        },
        ListFilter {
            q: Some("培训".into()),
            status: Some(Status::Draft),
            ..ListFilter::default()
        },
        ListFilter {
            within: Some(other.id),
            ..ListFilter::default()
        },
    ] {
        let page = store.list_page(&filter).await.unwrap();
        assert_eq!(page.items, store.list_evaluations(&filter).await.unwrap());
        assert_eq!(page.counts, store.count_by_status(&filter).await.unwrap());
        assert_eq!(page.orgs, store.list_orgs().await.unwrap());
    }
    let within = ListFilter {
        within: Some(dept.id),
        ..ListFilter::default()
    };
    assert_eq!(store.list_page(&within).await.unwrap().counts.total(), 3);

    // The audit log has a line for every write, newest first.
    store
        .audit(Some(filler.id), "login", "user:filler", None)
        .await
        .unwrap();
    let log = store.audit_log(100).await.unwrap();
    assert_eq!(log[0].action, "login");
    for action in [
        "org.create",
        "user.create",
        "user.passwd",
        "evaluation.create",
        "evaluation.update",
        "evaluation.submitted",
        "evaluation.returned",
        "evaluation.approved",
        "evaluation.spot_checked",
        "comment.create",
    ] {
        assert!(log.iter().any(|e| e.action == action), "audit {action}");
    }

    // Migrations are idempotent: connecting again to a migrated database is fine.
    let again = SqlStore::connect(&db.url).await.unwrap();
    assert_eq!(again.list_orgs().await.unwrap().len(), 4);
    again.close().await;
}

#[tokio::test]
async fn story_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn story_postgres() {
    if postgres_url().is_none() {
        return; // the reason was printed; in CI postgres_url() has already failed the test
    }
    story(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_file_is_created_in_wal_mode() {
    let dir = std::env::temp_dir().join(format!("jixiao-wal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("new.db");
    let url = jixiao_store::DbUrl::new(format!("sqlite://{}", path.display()));
    let store = SqlStore::connect(&url).await.unwrap();
    assert!(path.exists());
    store.close().await;
    let header = std::fs::read(&path).unwrap();
    // Bytes 18 and 19 of the SQLite header are 2 in WAL mode.
    assert_eq!((header[18], header[19]), (2, 2));
    std::fs::remove_dir_all(&dir).unwrap();
}
