//! Prometheus text exposition (format 0.0.4) with redis_exporter's metric
//! names, types and labels (`cmd="get"`, `db="db0"`). With several servers
//! every sample also carries `instance="host:port"`.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::poll::{field_f64, Snapshot};

/// INFO field -> (metric, type, help). Counters end in `_total` as in
/// redis_exporter; `*_usec`/`*_ms` fields are converted to seconds.
const SIMPLE: &[(&str, &str, &str, f64)] = &[
    ("uptime_in_seconds", "redis_uptime_in_seconds", "gauge", 1.0),
    ("connected_clients", "redis_connected_clients", "gauge", 1.0),
    ("blocked_clients", "redis_blocked_clients", "gauge", 1.0),
    ("maxclients", "redis_max_clients", "gauge", 1.0),
    ("used_memory", "redis_memory_used_bytes", "gauge", 1.0),
    ("used_memory_rss", "redis_memory_used_rss_bytes", "gauge", 1.0),
    ("used_memory_peak", "redis_memory_used_peak_bytes", "gauge", 1.0),
    ("used_memory_lua", "redis_memory_used_lua_bytes", "gauge", 1.0),
    ("maxmemory", "redis_memory_max_bytes", "gauge", 1.0),
    ("mem_fragmentation_ratio", "redis_mem_fragmentation_ratio", "gauge", 1.0),
    ("total_connections_received", "redis_connections_received_total", "counter", 1.0),
    ("rejected_connections", "redis_rejected_connections_total", "counter", 1.0),
    ("total_commands_processed", "redis_commands_processed_total", "counter", 1.0),
    ("instantaneous_ops_per_sec", "redis_instantaneous_ops_per_sec", "gauge", 1.0),
    ("total_net_input_bytes", "redis_net_input_bytes_total", "counter", 1.0),
    ("total_net_output_bytes", "redis_net_output_bytes_total", "counter", 1.0),
    ("expired_keys", "redis_expired_keys_total", "counter", 1.0),
    ("evicted_keys", "redis_evicted_keys_total", "counter", 1.0),
    ("keyspace_hits", "redis_keyspace_hits_total", "counter", 1.0),
    ("keyspace_misses", "redis_keyspace_misses_total", "counter", 1.0),
    ("pubsub_channels", "redis_pubsub_channels", "gauge", 1.0),
    ("pubsub_patterns", "redis_pubsub_patterns", "gauge", 1.0),
    ("latest_fork_usec", "redis_latest_fork_seconds", "gauge", 1e-6),
    ("total_forks", "redis_forks_total", "counter", 1.0),
    ("rdb_changes_since_last_save", "redis_rdb_changes_since_last_save", "gauge", 1.0),
    ("rdb_bgsave_in_progress", "redis_rdb_bgsave_in_progress", "gauge", 1.0),
    ("rdb_last_save_time", "redis_rdb_last_save_timestamp_seconds", "gauge", 1.0),
    ("rdb_last_bgsave_time_sec", "redis_rdb_last_bgsave_duration_sec", "gauge", 1.0),
    ("aof_enabled", "redis_aof_enabled", "gauge", 1.0),
    ("aof_rewrite_in_progress", "redis_aof_rewrite_in_progress", "gauge", 1.0),
    ("connected_slaves", "redis_connected_slaves", "gauge", 1.0),
    ("master_repl_offset", "redis_master_repl_offset", "gauge", 1.0),
    ("repl_backlog_size", "redis_replication_backlog_bytes", "gauge", 1.0),
    ("used_cpu_sys", "redis_cpu_sys_seconds_total", "counter", 1.0),
    ("used_cpu_user", "redis_cpu_user_seconds_total", "counter", 1.0),
];

/// Metric name -> (type, samples "labels value").
type Families = BTreeMap<String, (&'static str, Vec<String>)>;

fn label_value(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn add(f: &mut Families, name: &str, ty: &'static str, labels: &[(&str, &str)], v: f64) {
    let mut l = String::new();
    if !labels.is_empty() {
        l.push('{');
        for (i, (k, val)) in labels.iter().enumerate() {
            if i > 0 {
                l.push(',');
            }
            let _ = write!(l, "{}=\"{}\"", k, label_value(val));
        }
        l.push('}');
    }
    let val = if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{}", v)
    };
    f.entry(name.to_string())
        .or_insert((ty, Vec::new()))
        .1
        .push(format!("{}{} {}", name, l, val));
}

fn server(f: &mut Families, s: &Snapshot, instance: Option<&str>) {
    let with = |extra: &[(&'static str, String)]| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = instance.map(|i| vec![("instance".to_string(), i.to_string())]).unwrap_or_default();
        v.extend(extra.iter().map(|(k, x)| (k.to_string(), x.clone())));
        v
    };
    let put = |f: &mut Families, name: &str, ty: &'static str, extra: &[(&'static str, String)], v: f64| {
        let ls = with(extra);
        let refs: Vec<(&str, &str)> = ls.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        add(f, name, ty, &refs, v);
    };
    put(f, "redis_up", "gauge", &[], if s.up { 1.0 } else { 0.0 });
    if !s.up {
        return;
    }
    for (field, name, ty, scale) in SIMPLE {
        if let Some(v) = s.get(field).and_then(|v| v.parse::<f64>().ok()) {
            put(f, name, ty, &[], v * scale);
        }
    }
    if let Some(role) = s.get("role") {
        put(
            f,
            "redis_instance_info",
            "gauge",
            &[
                ("role", role.to_string()),
                ("redis_version", s.get("redis_version").unwrap_or("").to_string()),
            ],
            1.0,
        );
    }
    if let Some(v) = s.get("master_last_io_seconds_ago").and_then(|v| v.parse::<f64>().ok()) {
        put(f, "redis_master_last_io_seconds_ago", "gauge", &[], v);
    }
    if let Some(v) = s.get("master_link_status") {
        put(f, "redis_master_link_up", "gauge", &[], if v == "up" { 1.0 } else { 0.0 });
    }
    for (sec, k, v) in &s.info {
        if let Some(cmd) = k.strip_prefix("cmdstat_") {
            let c = [("cmd", cmd.to_string())];
            if let Some(n) = field_f64(v, "calls") {
                put(f, "redis_commands_total", "counter", &c, n);
            }
            if let Some(u) = field_f64(v, "usec") {
                put(f, "redis_commands_duration_seconds_total", "counter", &c, u / 1e6);
            }
            if let Some(n) = field_f64(v, "rejected_calls") {
                put(f, "redis_commands_rejected_calls_total", "counter", &c, n);
            }
            if let Some(n) = field_f64(v, "failed_calls") {
                put(f, "redis_commands_failed_calls_total", "counter", &c, n);
            }
        } else if let Some(cmd) = k.strip_prefix("latency_percentiles_usec_") {
            for (q, x) in crate::poll::fields(v) {
                if let (Some(q), Ok(x)) = (q.strip_prefix('p'), x.parse::<f64>()) {
                    let quantile = q.parse::<f64>().map(|p| format!("{}", p / 100.0)).unwrap_or_default();
                    put(
                        f,
                        "redis_latency_percentiles_usec",
                        "summary",
                        &[("cmd", cmd.to_string()), ("quantile", quantile)],
                        x,
                    );
                }
            }
        } else if sec == "Keyspace" && k.starts_with("db") {
            let d = [("db", k.clone())];
            if let Some(n) = field_f64(v, "keys") {
                put(f, "redis_db_keys", "gauge", &d, n);
            }
            if let Some(n) = field_f64(v, "expires") {
                put(f, "redis_db_keys_expiring", "gauge", &d, n);
            }
            if let Some(n) = field_f64(v, "avg_ttl") {
                put(f, "redis_db_avg_ttl_seconds", "gauge", &d, n / 1000.0);
            }
        } else if let Some(e) = k.strip_prefix("errorstat_") {
            if let Some(n) = field_f64(v, "count") {
                put(f, "redis_errors_total", "counter", &[("err", e.to_string())], n);
            }
        }
    }
}

/// The whole `/metrics` body.
pub fn render(st: &crate::Shared) -> String {
    let mut f = Families::new();
    let several = st.servers.len() > 1;
    for m in &st.servers {
        let s = m.lock().unwrap_or_else(|e| e.into_inner());
        let inst = s.addr.clone();
        server(&mut f, &s, if several { Some(&inst) } else { None });
    }
    let mut out = String::new();
    for (name, (ty, samples)) in &f {
        let _ = writeln!(out, "# HELP {} {}", name, name.trim_start_matches("redis_").replace('_', " "));
        let _ = writeln!(out, "# TYPE {} {}", name, ty);
        for s in samples {
            out.push_str(s);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poll::parse_info;

    #[test]
    fn names_and_labels() {
        let mut s = Snapshot::new("h:1");
        s.up = true;
        s.info = parse_info(
            "# Stats\r\nkeyspace_hits:5\r\n# Commandstats\r\ncmdstat_get:calls=4,usec=2000000,usec_per_call=1.0\r\n# Keyspace\r\ndb3:keys=7,expires=2,avg_ttl=0\r\n",
        );
        let st = crate::Shared {
            servers: vec![std::sync::Mutex::new(s)],
        };
        let m = render(&st);
        assert!(
            m.contains("# TYPE redis_keyspace_hits_total counter\nredis_keyspace_hits_total 5\n"),
            "{}",
            m
        );
        assert!(m.contains("redis_commands_total{cmd=\"get\"} 4\n"), "{}", m);
        assert!(m.contains("redis_commands_duration_seconds_total{cmd=\"get\"} 2\n"), "{}", m);
        assert!(m.contains("redis_db_keys{db=\"db3\"} 7\n"), "{}", m);
        assert!(m.contains("redis_db_keys_expiring{db=\"db3\"} 2\n"), "{}", m);
        assert!(m.contains("redis_up 1\n"), "{}", m);
    }

    #[test]
    fn instance_label_with_several() {
        let st = crate::Shared {
            servers: vec![
                std::sync::Mutex::new(Snapshot::new("a:1")),
                std::sync::Mutex::new(Snapshot::new("b\"x:2")),
            ],
        };
        let m = render(&st);
        assert!(m.contains("redis_up{instance=\"a:1\"} 0\n"), "{}", m);
        assert!(m.contains("redis_up{instance=\"b\\\"x:2\"} 0\n"), "{}", m);
    }
}
