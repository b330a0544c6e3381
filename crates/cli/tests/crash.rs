//! Crashes (崩溃恢复), issue 5 item 3: the real `jixiao serve` on a fresh database imports
//! 1 000 forms through the HTTP API as a user would (log in, post text batches of 30 forms),
//! is killed with SIGKILL in the middle, restarted, and then:
//!
//! - every form is wholly there or wholly absent: one evaluation row at version 1 with the
//!   content that was sent (funds, goals, every indicator), exactly one history row and one
//!   audit-log line for it — never a row without its history or a form cut short;
//! - every form the server acknowledged (201) before the kill is there, and of the request in
//!   flight all forms or none (one transaction per request);
//! - the database passes its integrity check (SQLite `integrity_check` + `foreign_key_check`;
//!   on both backends Jixiao's consistency rules, `jixiao db check`);
//! - the restarted server finishes the import, and exactly 1 000 distinct forms are stored.
//!
//! Three kill points per backend (after 150, 450 and 800 acknowledged forms, 10, 25 and 40 ms
//! into the next batch of 30), on SQLite and (with `JIXIAO_TEST_POSTGRES_URL`;
//! mandatory in CI) PostgreSQL. Then, on SQLite, `jixiao db backup` of the live database while
//! the server imports, `jixiao db restore` into a new file, compared row by row.

use jixiao_core::Evaluation;
use jixiao_store::backup;
use jixiao_store::testing::{Backend, TestDb};
use jixiao_store::{SqlStore, Store};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const FORMS: usize = 1000;
/// Forms per import request.
const FORMS_PER_BATCH: usize = 30;

const SEED: &str = include_str!("../../../fixtures/songjiang-2023.tsv");
const PROJECTS: [&str; 3] = ["工伤鉴定", "网络信息系统运行与维护", "业务培训"];

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(database: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args([
            "serve",
            "--demo",
            "--addr",
            "127.0.0.1:0",
            "--database",
            database,
        ])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start jixiao serve");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("serve printed its address")
            .expect("stderr");
        if let Some(url) = line.split("http://").nth(1) {
            break url.trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

/// One HTTP/1.1 exchange on a new connection: (status, head, body); `None` when the
/// connection failed (the server is gone).
fn http(
    addr: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    ctype: &str,
    body: &[u8],
) -> Option<(u16, String, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(c) = cookie {
        head.push_str(&format!("Cookie: {c}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, head.to_owned(), body.to_owned()))
}

fn login(addr: &str) -> String {
    let (status, head, body) = http(
        addr,
        "POST",
        "/api/login",
        None,
        "application/json",
        br#"{"username":"filler","password":"demo"}"#,
    )
    .expect("login");
    assert_eq!(status, 200, "{body}");
    head.lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// The project name of form `n` (0-based): the seed's name with a number.
fn project(n: usize) -> String {
    format!("{}-{n:04}", PROJECTS[n % 3])
}

/// The text of form `n`: the seed's form `n % 3` (cut at the titles) with a numbered name.
fn form_text(n: usize) -> String {
    let lines: Vec<&str> = SEED.lines().collect();
    let titles: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("财政项目支出绩效自评表"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(titles.len(), 3, "the seed has three forms");
    let k = n % 3;
    let end = titles.get(k + 1).copied().unwrap_or(lines.len());
    let text = lines[titles[k]..end].join("\n");
    let name = PROJECTS[k];
    assert!(text.contains(&format!("项目名称\t{name}\t")));
    text.replacen(
        &format!("项目名称\t{name}\t"),
        &format!("项目名称\t{}\t", project(n)),
        1,
    ) + "\n\n"
}

/// The seed's forms, as the reader reads them: what each stored form must hold.
fn seed_forms() -> Vec<Evaluation> {
    jixiao_formats::read_bytes(SEED.as_bytes())
        .forms
        .into_iter()
        .map(|f| f.evaluation)
        .collect()
}

/// Import the forms `numbers` (in batches) until done or the server is gone; the names the
/// server acknowledged go to `acked`.
fn import(
    addr: &str,
    cookie: &str,
    numbers: &[usize],
    acked: &Mutex<BTreeSet<String>>,
    count: &AtomicUsize,
) -> bool {
    for chunk in numbers.chunks(FORMS_PER_BATCH) {
        let body: String = chunk.iter().map(|n| form_text(*n)).collect();
        let Some((status, _, reply)) = http(
            addr,
            "POST",
            "/api/evaluations",
            Some(cookie),
            "text/plain; charset=utf-8",
            body.as_bytes(),
        ) else {
            return false;
        };
        if status != 201 {
            return false;
        }
        let v: serde_json::Value = serde_json::from_str(&reply).expect("JSON");
        let created = v["created"].as_array().unwrap();
        assert_eq!(created.len(), chunk.len(), "every form of the batch read");
        let mut a = acked.lock().unwrap();
        for item in created {
            a.insert(item["project"].as_str().unwrap().to_owned());
            count.fetch_add(1, Ordering::SeqCst);
        }
    }
    true
}

/// Every stored form whole, every acknowledged form stored, the database sound. Returns the
/// stored forms' numbers.
async fn verify(db: &TestDb, acked: &BTreeSet<String>, what: &str) -> BTreeSet<usize> {
    let report = backup::check(&db.url).await.unwrap();
    assert!(report.is_ok(), "{what}: {:?}", report.problems);
    let store = SqlStore::connect(&db.url).await.unwrap();
    let seed = seed_forms();
    let all = store
        .list_evaluations(&jixiao_store::ListFilter {
            limit: Some(10_000),
            ..Default::default()
        })
        .await
        .unwrap();
    let audit = store.audit_log(1_000_000).await.unwrap();
    let mut created_lines: BTreeMap<String, usize> = BTreeMap::new();
    for e in audit.iter().filter(|e| e.action == "evaluation.create") {
        *created_lines.entry(e.target.clone()).or_default() += 1;
    }
    let mut numbers = BTreeSet::new();
    for s in &all {
        let name = s.project.clone().unwrap_or_default();
        if !name.contains('-') {
            // The demo's three drafts are not part of the run.
            assert!(
                PROJECTS.contains(&name.as_str()),
                "{what}: an unexpected form {name:?}"
            );
            continue;
        }
        let n: usize = name.rsplit('-').next().unwrap().parse().unwrap();
        assert!(numbers.insert(n), "{what}: form {n} stored twice");
        assert_eq!(s.version, 1, "{what}: {name}");
        let record = store.get_evaluation(s.id).await.unwrap().unwrap();
        let want = &seed[n % 3];
        let got = &record.form;
        assert_eq!(got.project.as_deref(), Some(name.as_str()));
        assert_eq!(
            got.funds.total.initial, want.funds.total.initial,
            "{what}: {name}"
        );
        assert_eq!(
            got.funds.total.executed, want.funds.total.executed,
            "{what}: {name}"
        );
        assert_eq!(got.goal_actual, want.goal_actual, "{what}: {name}");
        assert_eq!(
            got.indicators.len(),
            want.indicators.len(),
            "{what}: {name}"
        );
        for (a, b) in got.indicators.iter().zip(&want.indicators) {
            assert_eq!(
                (&a.name, &a.target, &a.actual, a.weight, a.score, &a.reason),
                (&b.name, &b.target, &b.actual, b.weight, b.score, &b.reason),
                "{what}: {name}"
            );
        }
        assert_eq!(got.total_score, want.total_score, "{what}: {name}");
        let history = store.history(s.id).await.unwrap();
        assert_eq!(history.len(), 1, "{what}: {name} history");
        assert_eq!(
            (history[0].version, history[0].action.as_str()),
            (1, "create")
        );
        assert_eq!(
            created_lines.get(&format!("evaluation:{}", s.id)),
            Some(&1),
            "{what}: {name}: one audit line"
        );
    }
    for name in acked {
        let n: usize = name.rsplit('-').next().unwrap().parse().unwrap();
        assert!(
            numbers.contains(&n),
            "{what}: {name} was acknowledged but is not stored"
        );
    }
    store.close().await;
    numbers
}

/// One crash run: import, kill after `kill_after` acknowledged forms (+ `extra_ms`), restart,
/// verify, finish, verify.
async fn crash_run(backend: Backend, kill_after: usize, extra_ms: u64) {
    let db = backend.fresh().await;
    let url = db.url.expose().to_owned();
    let what = format!("{backend:?}, kill after {kill_after} forms + {extra_ms} ms");
    let server = start(&url);
    let cookie = login(&server.addr);
    let acked = Arc::new(Mutex::new(BTreeSet::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let all: Vec<usize> = (0..FORMS).collect();
    let importer = {
        let (addr, acked, count) = (server.addr.clone(), acked.clone(), count.clone());
        std::thread::spawn(move || import(&addr, &cookie, &all, &acked, &count))
    };
    while count.load(Ordering::SeqCst) < kill_after {
        assert!(!importer.is_finished(), "{what}: the import ended early");
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(Duration::from_millis(extra_ms));
    let mut server = server;
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    let finished = importer.join().unwrap();
    assert!(
        !finished,
        "{what}: the server was killed after the import had finished"
    );
    let acked_at_kill = acked.lock().unwrap().clone();

    // Restart on the same database: it opens, and what is there is whole.
    let restarted = start(&url);
    let stored = verify(&db, &acked_at_kill, &what).await;
    let in_flight = stored.len() - acked_at_kill.len();
    eprintln!(
        "{what}: {} acknowledged, {} stored after the restart ({in_flight} committed but not \
         acknowledged), database sound",
        acked_at_kill.len(),
        stored.len()
    );
    assert!(stored.len() < FORMS, "{what}: killed in the middle");
    // A request is one transaction: what was committed without an answer is one whole
    // batch (the one in flight) or nothing, never part of one.
    assert!(
        in_flight == 0 || in_flight == FORMS_PER_BATCH || in_flight == FORMS % FORMS_PER_BATCH,
        "{what}: {in_flight} forms of an unanswered request stored: part of a batch"
    );

    // The restarted server finishes the import: the forms not stored.
    let cookie = login(&restarted.addr);
    let rest: Vec<usize> = (0..FORMS).filter(|n| !stored.contains(n)).collect();
    let done = import(&restarted.addr, &cookie, &rest, &acked, &count);
    assert!(done, "{what}: the restarted server took the rest");
    let acked_at_end = acked.lock().unwrap().clone();
    let stored = verify(&db, &acked_at_end, &what).await;
    assert_eq!(stored.len(), FORMS, "{what}: every form once");
    drop(restarted);
}

/// `jixiao db backup` of the live database while the server imports; `jixiao db restore` into
/// a new file; every table compared row by row.
async fn backup_while_serving() {
    let db = Backend::Sqlite.fresh().await;
    let url = db.url.expose().to_owned();
    let server = start(&url);
    let cookie = login(&server.addr);
    let acked = Arc::new(Mutex::new(BTreeSet::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let importer = {
        let (addr, acked, count, stop) = (
            server.addr.clone(),
            acked.clone(),
            count.clone(),
            stop.clone(),
        );
        std::thread::spawn(move || {
            let all: Vec<usize> = (0..FORMS).collect();
            for part in all.chunks(90) {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                import(&addr, &cookie, part, &acked, &count);
            }
        })
    };
    while count.load(Ordering::SeqCst) < 150 {
        std::thread::sleep(Duration::from_millis(2));
    }
    let dir = std::path::PathBuf::from(backup::sqlite_path(&db.url).unwrap().parent().unwrap());
    let out = dir.join("online-backup.db");
    let before = count.load(Ordering::SeqCst);
    let status = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["db", "backup", out.to_str().unwrap(), "--database", &url])
        .status()
        .unwrap();
    let during = count.load(Ordering::SeqCst) - before;
    assert!(status.success());
    stop.store(true, Ordering::SeqCst);
    importer.join().unwrap();
    assert!(
        !importer_finished_all(&count),
        "the backup was taken during the import"
    );
    let report = backup::check_file(&out).await.unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    // Restore: refused over the live database, fine into a new file.
    let refused = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(["db", "restore", out.to_str().unwrap(), "--database", &url])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    let target = dir.join("restored.db");
    let status = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args([
            "db",
            "restore",
            out.to_str().unwrap(),
            "--database",
            &format!("sqlite://{}", target.display()),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let live = backup::check(&db.url).await.unwrap();
    let forms = |r: &backup::Report| r.rows.iter().find(|(t, _)| t == "evaluations").unwrap().1;
    assert!(
        forms(&report) > 150 && forms(&report) <= forms(&live),
        "a snapshot taken in the middle: {} of {} forms",
        forms(&report),
        forms(&live)
    );
    let a = backup::dump_file(&out).await.unwrap();
    let b = backup::dump_file(&target).await.unwrap();
    let rows: usize = a.iter().map(|(_, r)| r.len()).sum();
    assert!(
        a == b,
        "the restored database equals the backup, row by row"
    );
    eprintln!(
        "online backup: {} forms in the snapshot ({during} acknowledged while it ran), {} when \
         the import stopped; {rows} rows restored and compared",
        forms(&report),
        forms(&live)
    );
    // PostgreSQL: the command explains pg_dump and exits 2.
    let pg = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args([
            "db",
            "backup",
            "x.dump",
            "--database",
            "postgres://u:secret@127.0.0.1:1/db",
        ])
        .output()
        .unwrap();
    assert_eq!(pg.status.code(), Some(2));
    let err = String::from_utf8_lossy(&pg.stderr);
    assert!(
        err.contains("pg_dump") && err.contains("pg_restore") && !err.contains("secret"),
        "{err}"
    );
    drop(server);
}

fn importer_finished_all(count: &AtomicUsize) -> bool {
    count.load(Ordering::SeqCst) >= FORMS
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_in_the_middle_of_an_import() {
    for backend in Backend::all() {
        for (kill_after, extra_ms) in [(150, 10), (450, 25), (800, 40)] {
            crash_run(backend, kill_after, extra_ms).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_backup_and_restore_with_the_cli() {
    backup_while_serving().await;
}
