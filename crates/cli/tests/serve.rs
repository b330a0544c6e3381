//! `jixiao serve` as a process: demo mode, graceful shutdown, and two processes on one
//! database behaving as one (a session made by one is honoured by the other).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

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

fn start(database: &str, demo: bool) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jixiao"));
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--database", database])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if demo {
        cmd.arg("--demo");
    }
    let mut child = cmd.spawn().expect("start jixiao serve");
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
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

/// A minimal HTTP/1.1 exchange; returns (status, headers, body).
fn http(addr: &str, request: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

#[test]
fn two_servers_on_one_database_share_sessions() {
    let dir = std::env::temp_dir().join(format!("jixiao-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("shared.db").display());
    let a = start(&db, true);
    let b = start(&db, false);

    let body = r#"{"username":"filler","password":"demo"}"#;
    let (status, head, _) = http(
        &a.addr,
        &format!(
            "POST /api/login HTTP/1.1\r\nHost: {0}\r\nOrigin: http://{0}\r\nContent-Type: application/json\r\nContent-Length: {1}\r\nConnection: close\r\n\r\n{body}",
            a.addr,
            body.len()
        ),
    );
    assert_eq!(status, 200, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();

    let (status, _, body) = http(
        &b.addr,
        &format!(
            "GET /api/evaluations HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n",
            b.addr
        ),
    );
    assert_eq!(status, 200, "the other process honours the session: {body}");
    assert!(body.contains("工伤鉴定"));

    let (status, _, body) = http(
        &b.addr,
        &format!(
            "GET /public/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            b.addr
        ),
    );
    assert_eq!(status, 200);
    assert!(body.contains("已公开"));
    drop(a);
    drop(b);
    let _ = std::fs::remove_dir_all(&dir);
}
