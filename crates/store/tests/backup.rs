//! Backup and restore (备份与恢复) of a SQLite database while it is being written, compared
//! table by table and row by row; the integrity check on both backends.

use jixiao_core::Evaluation;
use jixiao_store::backup::{self, check, dump_file};
use jixiao_store::testing::Backend;
use jixiao_store::{DbUrl, NewUser, OrgKind, Role, SqlStore, Status, Store};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

fn seed_forms() -> Vec<Evaluation> {
    let bytes = include_bytes!("../../../fixtures/songjiang-2023.tsv");
    jixiao_formats::read_bytes(bytes)
        .forms
        .into_iter()
        .map(|f| f.evaluation)
        .collect()
}

/// A unit, a filler, a reviewer and `n` forms with some history and comments.
async fn populate(store: &dyn Store, n: usize) -> (i64, i64, i64) {
    let dept = store
        .create_org("人社局", OrgKind::Department, None)
        .await
        .unwrap();
    let unit = store
        .create_org("社保中心", OrgKind::Unit, Some(dept.id))
        .await
        .unwrap();
    let user = |username, role, org| NewUser {
        username,
        display_name: username,
        password: "password1",
        role,
        org_id: Some(org),
    };
    let filler = store
        .create_user(user("filler", Role::Filler, unit.id), None)
        .await
        .unwrap();
    let reviewer = store
        .create_user(user("reviewer", Role::Reviewer, dept.id), None)
        .await
        .unwrap();
    let forms = seed_forms();
    for i in 0..n {
        let mut form = forms[i % forms.len()].clone();
        form.project = Some(format!("项目 {i} '; DROP TABLE x; --"));
        let r = store
            .create_evaluation(unit.id, &form, &Default::default(), filler.id)
            .await
            .unwrap();
        if i % 3 == 0 {
            store
                .transition(r.summary.id, None, Status::Submitted, filler.id, None)
                .await
                .unwrap();
            store
                .add_comment(r.summary.id, Some(0), reviewer.id, "请核实")
                .await
                .unwrap();
        }
    }
    (unit.id, filler.id, reviewer.id)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jixiao-backup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn backup_while_writing_then_restore_and_compare() {
    let dir = temp_dir("live");
    let url = DbUrl::new(format!("sqlite://{}", dir.join("live.db").display()));
    let store = Arc::new(SqlStore::connect(&url).await.unwrap());
    let (unit, filler, _) = populate(store.as_ref(), 200).await;

    // A writer keeps creating and editing forms the whole time.
    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (store, stop, writes) = (store.clone(), stop.clone(), writes.clone());
        tokio::spawn(async move {
            let forms = seed_forms();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let mut form = forms[i % forms.len()].clone();
                form.project = Some(format!("写入中 {i}"));
                let r = store
                    .create_evaluation(unit, &form, &Default::default(), filler)
                    .await
                    .unwrap();
                form.goal_actual = Some(format!("第 {i} 次修改"));
                store
                    .update_evaluation(r.summary.id, 1, &form, &Default::default(), filler)
                    .await
                    .unwrap();
                writes.fetch_add(2, Ordering::Relaxed);
                i += 1;
            }
        })
    };
    while writes.load(Ordering::Relaxed) < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let out = dir.join("backup.db");
    let before = writes.load(Ordering::Relaxed);
    let report = backup::backup(&url, &out).await.unwrap();
    let during = writes.load(Ordering::Relaxed) - before;
    // Let the writer go on a little after the backup, then stop it.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    eprintln!(
        "backup taken while {during} writes committed; {} rows of content",
        report.content_rows()
    );
    assert!(report.is_ok(), "{:?}", report.problems);
    // The snapshot is consistent: every form with its whole history (checked by `check`), and
    // the append-only tables are exact prefixes of the live ones.
    let snap = dump_file(&out).await.unwrap();
    let live = dump_file(&dir.join("live.db")).await.unwrap();
    for ((table, b), (_, l)) in snap.iter().zip(&live) {
        if [
            "evaluation_history",
            "audit_log",
            "comments",
            "orgs",
            "users",
        ]
        .contains(&table.as_str())
        {
            assert!(b.len() <= l.len(), "{table}");
            assert!(
                b[..] == l[..b.len()],
                "{table}: the backup is not a prefix of the live table"
            );
        }
    }
    let snap_forms = snap.iter().find(|(t, _)| t == "evaluations").unwrap();
    assert!(snap_forms.1.len() >= 200, "{}", snap_forms.1.len());
    // Refuses to overwrite.
    assert!(backup::backup(&url, &out).await.is_err());

    // Restore into a new database: every table, every row, equal.
    let restored_path = dir.join("restored.db");
    let restored = DbUrl::new(format!("sqlite://{}", restored_path.display()));
    let r = backup::restore(&out, &restored, false).await.unwrap();
    assert!(r.is_ok());
    let back = dump_file(&restored_path).await.unwrap();
    assert_eq!(back.len(), snap.len());
    let mut rows = 0;
    for ((t1, a), (t2, b)) in snap.iter().zip(&back) {
        assert_eq!(t1, t2);
        assert_eq!(a.len(), b.len(), "{t1}: row count");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(x == y, "{t1}: row {i} differs");
        }
        rows += a.len();
    }
    eprintln!("restored and compared {rows} rows in {} tables", back.len());

    // A quiescent backup equals the live database exactly.
    let quiet = dir.join("quiet.db");
    backup::backup(&url, &quiet).await.unwrap();
    assert!(
        dump_file(&quiet).await.unwrap() == live,
        "quiescent backup = live"
    );

    // The restored database serves: the store opens it, the forms and users are there.
    let s = SqlStore::connect(&restored).await.unwrap();
    assert_eq!(
        s.count_evaluations(&Default::default()).await.unwrap() as usize,
        snap_forms.1.len()
    );
    assert!(s
        .verify_password("filler", "password1")
        .await
        .unwrap()
        .is_some());
    s.close().await;

    // A non-empty target is replaced only with force; the target is untouched when refused.
    let e = backup::restore(&quiet, &restored, false).await.unwrap_err();
    assert!(e.to_string().contains("--force"), "{e}");
    assert!(
        dump_file(&restored_path).await.unwrap() == back,
        "untouched"
    );
    backup::restore(&quiet, &restored, true).await.unwrap();
    assert!(
        dump_file(&restored_path).await.unwrap() == live,
        "restored = live"
    );

    // A target in use (the live database, open by `store`) is refused even with force.
    let e = backup::restore(&quiet, &url, true).await.unwrap_err();
    assert!(e.to_string().contains("正被使用"), "{e}");
    store.close().await;

    // A damaged backup is refused and the target keeps its data.
    let mut bytes = std::fs::read(&quiet).unwrap();
    let damaged = dir.join("damaged.db");
    let len = bytes.len();
    for b in &mut bytes[len / 2..len / 2 + 4096] {
        *b = 0x5a;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    assert!(backup::restore(&damaged, &restored, true).await.is_err());
    std::fs::write(&damaged, &bytes[..len / 3]).unwrap();
    assert!(backup::restore(&damaged, &restored, true).await.is_err());
    std::fs::write(&damaged, b"not a database at all").unwrap();
    assert!(backup::restore(&damaged, &restored, true).await.is_err());
    assert!(
        dump_file(&restored_path).await.unwrap() == live,
        "restored = live"
    );
    // A SQLite file that is not Jixiao's.
    let other = dir.join("other.db");
    {
        use sqlx::Connection as _;
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=rwc", other.display()))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    }
    let e = backup::restore(&other, &restored, true).await.unwrap_err();
    assert!(e.to_string().contains("jixiao_migrations"), "{e}");
    assert!(
        dump_file(&restored_path).await.unwrap() == live,
        "restored = live"
    );
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The integrity check on every backend: a sound database passes; a broken history is named.
#[tokio::test]
async fn the_check_finds_what_is_wrong() {
    for backend in Backend::all() {
        let db = backend.fresh().await;
        populate(&db.store, 10).await;
        let report = check(&db.url).await.unwrap();
        assert!(report.is_ok(), "{backend:?}: {:?}", report.problems);
        assert!(report.schema_version >= 2);
        let forms = report
            .rows
            .iter()
            .find(|(t, _)| t == "evaluations")
            .unwrap()
            .1;
        assert_eq!(forms, 10);
        // Break one form's history behind the store's back.
        {
            use sqlx::Connection as _;
            sqlx::any::install_default_drivers();
            let mut c = sqlx::AnyConnection::connect(db.url.expose()).await.unwrap();
            sqlx::query("UPDATE evaluations SET version = version + 1 WHERE id = 3")
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
        }
        let report = check(&db.url).await.unwrap();
        assert!(!report.is_ok(), "{backend:?}");
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("history") && p.contains('3')),
            "{backend:?}: {:?}",
            report.problems
        );
    }
}
