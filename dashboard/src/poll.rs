//! One poller thread per server: a snapshot of the last replies and a
//! bounded history of rates, shared with the HTTP side behind a mutex that
//! is only held to copy data in or out (never across network I/O).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use oxidis_client::{Backoff, ConnectOptions, Connection};

use crate::json;

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// INFO as `(section, key, value)` in the server's order.
pub type Info = Vec<(String, String, String)>;

pub fn parse_info(text: &str) -> Info {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(s) = line.strip_prefix('#') {
            section = s.trim().to_string();
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((section.clone(), k.to_string(), v.to_string()));
        }
    }
    out
}

/// `a=1,b=2` (cmdstat_*, db0, latency_percentiles_usec_*) as pairs.
pub fn fields(v: &str) -> Vec<(&str, &str)> {
    v.split(',').filter_map(|kv| kv.split_once('=')).collect()
}

pub fn field_f64(v: &str, name: &str) -> Option<f64> {
    fields(v).into_iter().find(|(k, _)| *k == name).and_then(|(_, x)| x.parse().ok())
}

/// What the page and /metrics read for one server.
pub struct Snapshot {
    pub addr: String,
    pub up: bool,
    pub error: String,
    /// Unix ms of the last successful poll (0: never).
    pub last_ok: u64,
    pub info: Info,
    /// JSON text of the replies (kept raw; the page lays them out).
    pub memory_stats: String,
    pub slowlog: String,
    pub latency: String,
    pub cluster_nodes: String,
    /// Pre-rendered JSON history points, oldest first.
    pub history: VecDeque<String>,
}

impl Snapshot {
    pub fn new(addr: &str) -> Snapshot {
        Snapshot {
            addr: addr.to_string(),
            up: false,
            error: "not polled yet".into(),
            last_ok: 0,
            info: Vec::new(),
            memory_stats: "null".into(),
            slowlog: "[]".into(),
            latency: "[]".into(),
            cluster_nodes: String::new(),
            history: VecDeque::new(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.info.iter().find(|(_, k, _)| k == key).map(|(_, _, v)| v.as_str())
    }

    pub fn push_json(&self, out: &mut String) {
        out.push_str("{\"addr\":");
        json::push_str(out, &self.addr);
        out.push_str(&format!(",\"up\":{},\"last_ok\":{},\"error\":", self.up, self.last_ok));
        json::push_str(out, &self.error);
        out.push_str(",\"info\":{");
        let mut sections: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
        for (s, k, v) in &self.info {
            sections.entry(s.as_str()).or_default().push((k, v));
        }
        for (i, (s, kvs)) in sections.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json::push_str(out, s);
            out.push_str(":{");
            for (j, (k, v)) in kvs.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                json::push_str(out, k);
                out.push(':');
                json::push_str(out, v);
            }
            out.push('}');
        }
        out.push_str("},\"memory_stats\":");
        out.push_str(&self.memory_stats);
        out.push_str(",\"slowlog\":");
        out.push_str(&self.slowlog);
        out.push_str(",\"latency\":");
        out.push_str(&self.latency);
        out.push_str(",\"cluster_nodes\":");
        json::push_str(out, &self.cluster_nodes);
        out.push_str(",\"history\":[");
        for (i, h) in self.history.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(h);
        }
        out.push_str("]}");
    }
}

/// Counters of the previous poll, for rates.
struct Prev {
    at: Instant,
    total: f64,
    net_in: f64,
    net_out: f64,
    hits: f64,
    misses: f64,
    cmds: BTreeMap<String, f64>,
}

fn counters(info: &Info) -> Prev {
    let g = |k: &str| {
        info.iter()
            .find(|(_, n, _)| n == k)
            .and_then(|(_, _, v)| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let cmds = info
        .iter()
        .filter_map(|(_, k, v)| Some((k.strip_prefix("cmdstat_")?.to_string(), field_f64(v, "calls")?)))
        .collect();
    Prev {
        at: Instant::now(),
        total: g("total_commands_processed"),
        net_in: g("total_net_input_bytes"),
        net_out: g("total_net_output_bytes"),
        hits: g("keyspace_hits"),
        misses: g("keyspace_misses"),
        cmds,
    }
}

/// One history point: rates since the previous poll plus a few gauges.
fn history_point(info: &Info, prev: Option<&Prev>, cur: &Prev) -> String {
    let g = |k: &str| {
        info.iter()
            .find(|(_, n, _)| n == k)
            .and_then(|(_, _, v)| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let keys: f64 = info
        .iter()
        .filter(|(s, k, _)| s == "Keyspace" && k.starts_with("db"))
        .filter_map(|(_, _, v)| field_f64(v, "keys"))
        .sum();
    let mut o = format!(
        "{{\"t\":{},\"used_memory\":{},\"rss\":{},\"clients\":{},\"keys\":{}",
        now_ms(),
        json::num(g("used_memory")),
        json::num(g("used_memory_rss")),
        json::num(g("connected_clients")),
        json::num(keys)
    );
    if let Some(p) = prev {
        let dt = cur.at.duration_since(p.at).as_secs_f64().max(1e-3);
        let rate = |a: f64, b: f64| ((a - b).max(0.0)) / dt;
        let dh = (cur.hits - p.hits).max(0.0);
        let dm = (cur.misses - p.misses).max(0.0);
        o.push_str(&format!(
            ",\"ops\":{},\"net_in\":{},\"net_out\":{},\"hit_ratio\":{}",
            json::num(rate(cur.total, p.total)),
            json::num(rate(cur.net_in, p.net_in)),
            json::num(rate(cur.net_out, p.net_out)),
            if dh + dm > 0.0 { json::num(dh / (dh + dm)) } else { "null".into() }
        ));
        o.push_str(",\"cmds\":{");
        let mut first = true;
        for (c, calls) in &cur.cmds {
            let r = rate(*calls, p.cmds.get(c).copied().unwrap_or(0.0));
            if r > 0.0 {
                if !first {
                    o.push(',');
                }
                first = false;
                json::push_str(&mut o, c);
                o.push(':');
                o.push_str(&json::num(r));
            }
        }
        o.push('}');
    }
    o.push('}');
    o
}

fn connect(addr: &str, cfg: &crate::Config) -> oxidis_client::Result<Connection> {
    let mut opts = ConnectOptions::new(addr)
        .read_timeout(Some(Duration::from_secs(3)))
        .name("oxidis-dashboard");
    if let Some(p) = &cfg.password {
        opts = opts.auth(cfg.user.as_deref(), p);
    }
    opts.connect_timeout = Duration::from_secs(2);
    opts.write_timeout = Some(Duration::from_secs(3));
    // The poller does its own backoff (and reports "down" meanwhile).
    opts.backoff = Backoff {
        attempts: 0,
        base: Duration::from_millis(0),
        max: Duration::from_millis(0),
    };
    Connection::connect(opts)
}

/// Optional commands: an error reply (unknown command, ACL) is shown as
/// such, not as the server being down.
fn optional(conn: &mut Connection, args: &[&str]) -> oxidis_client::Result<String> {
    match conn.call_args(args) {
        Ok(v) => Ok(json::value(&v)),
        Err(oxidis_client::Error::Server(e)) => Ok(format!("{{\"error\":{}}}", json::str_lit(&e))),
        Err(e) => Err(e),
    }
}

fn poll_once(conn: &mut Connection) -> oxidis_client::Result<(Info, String, String, String, String)> {
    let v = conn.call_args(&["INFO", "all"])?;
    let info = parse_info(&String::from_utf8_lossy(v.as_bytes().unwrap_or(b"")));
    let memory_stats = optional(conn, &["MEMORY", "STATS"])?;
    let slowlog = optional(conn, &["SLOWLOG", "GET", "32"])?;
    let latency = optional(conn, &["LATENCY", "LATEST"])?;
    let clustered = info.iter().any(|(_, k, v)| k == "cluster_enabled" && v == "1");
    let nodes = if clustered {
        match conn.call_args(&["CLUSTER", "NODES"]) {
            Ok(v) => String::from_utf8_lossy(v.as_bytes().unwrap_or(b"")).into_owned(),
            Err(oxidis_client::Error::Server(e)) => e,
            Err(e) => return Err(e),
        }
    } else {
        String::new()
    };
    Ok((info, memory_stats, slowlog, latency, nodes))
}

/// The poller loop (never returns).
pub fn run(state: crate::State, idx: usize, addr: String, cfg: crate::Config) {
    let period = Duration::from_millis(cfg.interval_ms);
    let mut conn: Option<Connection> = None;
    let mut prev: Option<Prev> = None;
    let mut backoff = Duration::from_millis(100);
    loop {
        let started = Instant::now();
        if conn.is_none() {
            match connect(&addr, &cfg) {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    mark_down(&state, idx, &e.to_string());
                    prev = None;
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                    continue;
                }
            }
        }
        let result = match conn.as_mut() {
            Some(c) => poll_once(c),
            None => continue,
        };
        match result {
            Ok((info, memory_stats, slowlog, latency, nodes)) => {
                backoff = Duration::from_millis(100);
                let cur = counters(&info);
                let point = history_point(&info, prev.as_ref(), &cur);
                prev = Some(cur);
                let mut s = state.servers[idx].lock().unwrap_or_else(|e| e.into_inner());
                s.up = true;
                s.error.clear();
                s.last_ok = now_ms();
                s.info = info;
                s.memory_stats = memory_stats;
                s.slowlog = slowlog;
                s.latency = latency;
                s.cluster_nodes = nodes;
                s.history.push_back(point);
                while s.history.len() > cfg.history {
                    s.history.pop_front();
                }
            }
            Err(e) => {
                mark_down(&state, idx, &e.to_string());
                conn = None;
                prev = None;
                continue;
            }
        }
        if let Some(rest) = period.checked_sub(started.elapsed()) {
            std::thread::sleep(rest);
        }
    }
}

fn mark_down(state: &crate::State, idx: usize, err: &str) {
    let mut s = state.servers[idx].lock().unwrap_or_else(|e| e.into_inner());
    s.up = false;
    s.error = err.to_string();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_sections_and_fields() {
        let i = parse_info("# Server\r\nredis_version:7.0.15\r\n\r\n# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\n");
        assert_eq!(i.len(), 2);
        assert_eq!(i[1].0, "Keyspace");
        assert_eq!(field_f64(&i[1].2, "expires"), Some(1.0));
        assert_eq!(field_f64("garbage", "x"), None);
    }
}
