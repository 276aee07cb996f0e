//! `oxidis-dashboard`: polls Oxidis / redis-server 7 instances and serves
//! a monitoring page, its JSON feed and a Prometheus `/metrics` endpoint.
//!
//! * [`poll`]: one thread per server runs INFO all, MEMORY STATS, SLOWLOG
//!   GET, LATENCY LATEST (and CLUSTER NODES when clustered) once a second,
//!   keeps the last snapshot and a bounded history of rates; a server that
//!   goes away is marked down and reconnected with backoff.
//! * [`http`]: a small std-only HTTP/1.0-style server (one short-lived
//!   thread per connection, capped; bounded request head; GET/HEAD only).
//! * [`metrics`]: the Prometheus text exposition, with redis_exporter's
//!   metric names and types.
//! * [`json`]: the page's feed (`/api/state`).

pub mod http;
pub mod json;
pub mod metrics;
pub mod poll;

use std::sync::{Arc, Mutex};

/// Everything the HTTP side reads: one entry per polled server, in the
/// order given on the command line.
pub struct Shared {
    pub servers: Vec<Mutex<poll::Snapshot>>,
}

pub type State = Arc<Shared>;

/// Command-line settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: String,
    pub servers: Vec<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    /// Poll period in milliseconds.
    pub interval_ms: u64,
    /// History points kept per server.
    pub history: usize,
}

impl Config {
    pub fn parse(args: &[String]) -> Result<Config, String> {
        let mut c = Config {
            listen: "127.0.0.1:8080".into(),
            servers: Vec::new(),
            user: None,
            password: None,
            interval_ms: 1000,
            history: 600,
        };
        let mut i = 0;
        while i < args.len() {
            let flag = args[i].as_str();
            let val = args.get(i + 1).cloned().ok_or_else(|| format!("{} needs a value", flag))?;
            match flag {
                "--listen" => c.listen = val,
                "--server" => c.servers.push(val),
                "--user" => c.user = Some(val),
                "--password" => c.password = Some(val),
                "--interval-ms" => {
                    c.interval_ms = val.parse().ok().filter(|&n| n > 0).ok_or("bad --interval-ms")?;
                }
                "--history" => c.history = val.parse().ok().filter(|&n| n > 0).ok_or("bad --history")?,
                _ => return Err(format!("unknown option {}", flag)),
            }
            i += 2;
        }
        if c.servers.is_empty() {
            c.servers.push("127.0.0.1:6379".into());
        }
        Ok(c)
    }
}

/// Start the pollers and serve HTTP on `cfg.listen` (does not return
/// unless the listener fails).
pub fn run(cfg: Config) -> std::io::Result<()> {
    let listener = std::net::TcpListener::bind(&cfg.listen)?;
    let state = start_pollers(&cfg);
    http::serve(listener, state)
}

pub fn start_pollers(cfg: &Config) -> State {
    let state: State = Arc::new(Shared {
        servers: cfg.servers.iter().map(|a| Mutex::new(poll::Snapshot::new(a))).collect(),
    });
    for (i, addr) in cfg.servers.iter().enumerate() {
        let st = state.clone();
        let cfg = cfg.clone();
        let addr = addr.clone();
        std::thread::spawn(move || poll::run(st, i, addr, cfg));
    }
    state
}
