//! Headless-browser check: the page, loaded in chromium while
//! redis-benchmark runs, renders what INFO says. Skipped (with a message)
//! when chromium, redis-benchmark or the server binary is absent.

use std::process::{Command, Stdio};
use std::time::Duration;

use redis_compat_tests::{free_port, server_bin, Server};

fn which(names: &[&str]) -> Option<String> {
    for n in names {
        for dir in ["/usr/bin", "/usr/local/bin", "/snap/bin"] {
            let p = format!("{}/{}", dir, n);
            if std::path::Path::new(&p).exists() {
                return Some(p);
            }
        }
    }
    None
}

struct Kill(std::process::Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The text of the `<b id="NAME">` element in the dumped DOM.
fn by_id<'a>(dom: &'a str, id: &str) -> Option<&'a str> {
    let start = dom.find(&format!("id=\"{}\">", id))? + id.len() + 6;
    let rest = &dom[start..];
    Some(&rest[..rest.find('<')?])
}

#[test]
fn page_renders_info_numbers_under_load() {
    let (Some(chrome), Some(bench)) = (
        which(&["chromium", "chromium-browser", "google-chrome"]),
        which(&["redis-benchmark"]),
    ) else {
        eprintln!("skipping: chromium or redis-benchmark not installed (apt-get install chromium)");
        return;
    };
    if !server_bin().exists() {
        eprintln!("skipping: {:?} not built", server_bin());
        return;
    }
    let srv = Server::start(&[]);
    let addr = format!("127.0.0.1:{}", srv.port());
    let mut c = oxidis_client::Connection::open(&addr).unwrap();
    for i in 0..123 {
        c.call_args(&["SET", &format!("k{}", i), "v"]).unwrap();
    }
    for i in 0..7 {
        c.call_args(&["EXPIRE", &format!("k{}", i), "1000"]).unwrap();
    }
    let port = free_port();
    let _dash = Kill(
        Command::new(env!("CARGO_BIN_EXE_oxidis-dashboard"))
            .args([
                "--listen",
                &format!("127.0.0.1:{}", port),
                "--server",
                &addr,
                "--interval-ms",
                "250",
            ])
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn dashboard"),
    );
    // Load in db 3 so db0's numbers stay exact.
    let _bench = Kill(
        Command::new(bench)
            .args([
                "-p",
                &srv.port().to_string(),
                "--dbnum",
                "3",
                "-n",
                "100000000",
                "-c",
                "4",
                "-t",
                "set,get",
                "-q",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-benchmark"),
    );
    std::thread::sleep(Duration::from_secs(2));
    let out = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=4000",
            "--dump-dom",
            &format!("http://127.0.0.1:{}/", port),
        ])
        .stderr(Stdio::null())
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert_eq!(by_id(&dom, "state"), Some("UP"), "{}", dom);
    assert!(dom.contains("<td>db0</td><td>123</td><td>7</td>"), "keyspace row missing:\n{}", dom);
    let ops: f64 = by_id(&dom, "ops").and_then(|s| s.parse().ok()).unwrap_or(0.0);
    assert!(ops > 0.0, "no ops/s rendered under load:\n{}", dom);
    let shown: f64 = by_id(&dom, "total_commands").and_then(|s| s.parse().ok()).unwrap_or(-1.0);
    let info: String = String::from_utf8_lossy(c.call_args(&["INFO", "stats"]).unwrap().as_bytes().unwrap_or(b"")).into_owned();
    let now: f64 = info
        .lines()
        .find_map(|l| l.strip_prefix("total_commands_processed:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    assert!(shown > 123.0 && shown <= now, "rendered total {} vs INFO {}", shown, now);
}
