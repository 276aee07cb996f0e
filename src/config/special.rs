//! Parameters with their own syntax (`createSpecialConfig` in config.c):
//! dir, save, client-output-buffer-limit, oom-score-adj-values,
//! notify-keyspace-events, bind, replicaof, latency-tracking-info-percentiles.

use super::flags::*;
use super::{memory_with_unit, parse_memory, Config, ConfigDef, Kind};

/// Output buffer limits of one client class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientBufferLimit {
    pub hard: u64,
    pub soft: u64,
    pub soft_seconds: u64,
}

/// Client classes for output buffer limits, in Redis's order.
pub const OBUF_NORMAL: usize = 0;
pub const OBUF_REPLICA: usize = 1;
pub const OBUF_PUBSUB: usize = 2;
const OBUF_NAMES: [&str; 3] = ["normal", "slave", "pubsub"];

/// Keyspace notification classes (`NOTIFY_*`).
pub mod notify {
    pub const KEYSPACE: u32 = 1 << 0;
    pub const KEYEVENT: u32 = 1 << 1;
    pub const GENERIC: u32 = 1 << 2;
    pub const STRING: u32 = 1 << 3;
    pub const LIST: u32 = 1 << 4;
    pub const SET: u32 = 1 << 5;
    pub const HASH: u32 = 1 << 6;
    pub const ZSET: u32 = 1 << 7;
    pub const EXPIRED: u32 = 1 << 8;
    pub const EVICTED: u32 = 1 << 9;
    pub const STREAM: u32 = 1 << 10;
    pub const KEY_MISS: u32 = 1 << 11;
    pub const LOADED: u32 = 1 << 12;
    pub const MODULE: u32 = 1 << 13;
    pub const NEW: u32 = 1 << 14;
    pub const ALL: u32 = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;
}

pub struct Special {
    /// `save <seconds> <changes>` points.
    pub save: Vec<(i64, i64)>,
    /// True once a config file replaced the default save points (later
    /// `save` lines then append, as in Redis).
    pub save_from_file: bool,
    pub reading_config_file: bool,
    pub client_obuf_limits: [ClientBufferLimit; 3],
    pub oom_score_adj_values: [i32; 3],
    pub notify_keyspace_events: u32,
    pub bind: Vec<String>,
    pub replicaof: Option<(String, u16)>,
    pub latency_percentiles: Vec<f64>,
}

impl Default for Special {
    fn default() -> Self {
        Special {
            save: vec![(3600, 1), (300, 100), (60, 10000)],
            save_from_file: false,
            reading_config_file: false,
            client_obuf_limits: [
                ClientBufferLimit {
                    hard: 0,
                    soft: 0,
                    soft_seconds: 0,
                },
                ClientBufferLimit {
                    hard: 256 << 20,
                    soft: 64 << 20,
                    soft_seconds: 60,
                },
                ClientBufferLimit {
                    hard: 32 << 20,
                    soft: 8 << 20,
                    soft_seconds: 60,
                },
            ],
            oom_score_adj_values: [0, 200, 800],
            notify_keyspace_events: 0,
            bind: vec!["*".into(), "-::*".into()],
            replicaof: None,
            latency_percentiles: vec![50.0, 99.0, 99.9],
        }
    }
}

fn s(a: &[u8]) -> String {
    String::from_utf8_lossy(a).into_owned()
}

/// `strtoll(.., 10)` with the whole string consumed.
fn strtoll_full(a: &[u8]) -> Option<i64> {
    let t = std::str::from_utf8(a).ok()?;
    let t = t.trim_start();
    if t.is_empty() {
        // strtoll of "" gives 0 with the whole (empty) input consumed.
        return Some(0);
    }
    t.parse::<i64>().ok()
}

pub static SPECIAL_CONFIGS: &[ConfigDef] = &[
    ConfigDef {
        name: "dir",
        alias: None,
        flags: PROTECTED | DENY_LOADING,
        kind: Kind::Special {
            set: set_dir,
            get: get_dir,
            rewrite: rewrite_dir,
        },
        validate: None,
        apply: None,
    },
    ConfigDef {
        name: "save",
        alias: None,
        flags: MULTI_ARG,
        kind: Kind::Special {
            set: set_save,
            get: get_save,
            rewrite: rewrite_save,
        },
        validate: None,
        apply: None,
    },
    ConfigDef {
        name: "client-output-buffer-limit",
        alias: None,
        flags: MULTI_ARG,
        kind: Kind::Special {
            set: set_obuf,
            get: get_obuf,
            rewrite: rewrite_obuf,
        },
        validate: None,
        apply: None,
    },
    ConfigDef {
        name: "oom-score-adj-values",
        alias: None,
        flags: MULTI_ARG,
        kind: Kind::Special {
            set: set_oom,
            get: get_oom,
            rewrite: rewrite_oom,
        },
        validate: None,
        apply: Some(super::apply::oom_score_adj),
    },
    ConfigDef {
        name: "notify-keyspace-events",
        alias: None,
        flags: MODIFIABLE,
        kind: Kind::Special {
            set: set_notify,
            get: get_notify,
            rewrite: rewrite_notify,
        },
        validate: None,
        apply: None,
    },
    ConfigDef {
        name: "bind",
        alias: None,
        flags: MULTI_ARG,
        kind: Kind::Special {
            set: set_bind,
            get: get_bind,
            rewrite: rewrite_bind,
        },
        validate: None,
        apply: Some(super::apply::bind),
    },
    ConfigDef {
        name: "replicaof",
        alias: Some("slaveof"),
        flags: IMMUTABLE | MULTI_ARG,
        kind: Kind::Special {
            set: set_replicaof,
            get: get_replicaof,
            rewrite: rewrite_replicaof,
        },
        validate: None,
        apply: None,
    },
    ConfigDef {
        name: "latency-tracking-info-percentiles",
        alias: None,
        flags: MULTI_ARG,
        kind: Kind::Special {
            set: set_percentiles,
            get: get_percentiles,
            rewrite: rewrite_percentiles,
        },
        validate: None,
        apply: None,
    },
];

fn set_dir(_c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    if args.len() != 1 {
        return Err("wrong number of arguments".into());
    }
    std::env::set_current_dir(s(&args[0])).map_err(|e| crate::util::strerror(&e))
}

fn get_dir(_c: &Config) -> String {
    std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn rewrite_dir(c: &Config) -> Option<Vec<String>> {
    Some(vec![super::file::quote_if_needed(&get_dir(c))])
}

fn set_save(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    // A single "" means no save points at all, even after earlier `save`
    // lines of the same file.
    let reset = args.len() == 1 && args[0].is_empty();
    let args: &[Vec<u8>] = if reset { &[] } else { args };
    if args.len() % 2 == 1 {
        return Err("Invalid save parameters".into());
    }
    let mut points = Vec::new();
    for pair in args.chunks(2) {
        let secs = strtoll_full(&pair[0]).filter(|v| *v >= 1).ok_or("Invalid save parameters")?;
        let changes = strtoll_full(&pair[1]).filter(|v| *v >= 0).ok_or("Invalid save parameters")?;
        points.push((secs, changes));
    }
    let sp = &mut c.special;
    if reset {
        sp.save.clear();
    }
    if sp.reading_config_file && sp.save_from_file {
        sp.save.extend(points);
    } else {
        sp.save = points;
        sp.save_from_file = sp.reading_config_file;
    }
    Ok(())
}

fn get_save(c: &Config) -> String {
    c.special.save.iter().map(|(s, n)| format!("{s} {n}")).collect::<Vec<_>>().join(" ")
}

fn rewrite_save(c: &Config) -> Option<Vec<String>> {
    let d = Special::default();
    if c.special.save == d.save {
        return None;
    }
    if c.special.save.is_empty() {
        return Some(vec!["\"\"".into()]);
    }
    Some(c.special.save.iter().map(|(s, n)| format!("{s} {n}")).collect())
}

/// Applies `client-output-buffer-limit <class> <hard> <soft> <secs> ...`.
pub fn set_obuf(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    if !args.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut limits = c.special.client_obuf_limits;
    for g in args.chunks(4) {
        let class = match g[0].to_ascii_lowercase().as_slice() {
            b"normal" => OBUF_NORMAL,
            b"slave" | b"replica" => OBUF_REPLICA,
            b"pubsub" => OBUF_PUBSUB,
            _ => return Err("Invalid client class specified in buffer limit configuration.".into()),
        };
        let hard = parse_memory(&g[1]);
        let soft = parse_memory(&g[2]);
        let secs = strtoll_full(&g[3]).filter(|v| *v >= 0);
        match (hard, soft, secs) {
            (Some(hard), Some(soft), Some(secs)) => {
                limits[class] = ClientBufferLimit {
                    hard,
                    soft,
                    soft_seconds: secs as u64,
                };
            }
            _ => return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into()),
        }
    }
    c.special.client_obuf_limits = limits;
    Ok(())
}

fn get_obuf(c: &Config) -> String {
    let l = &c.special.client_obuf_limits;
    (0..3)
        .map(|i| format!("{} {} {} {}", OBUF_NAMES[i], l[i].hard, l[i].soft, l[i].soft_seconds))
        .collect::<Vec<_>>()
        .join(" ")
}

fn rewrite_obuf(c: &Config) -> Option<Vec<String>> {
    let d = Special::default();
    let l = &c.special.client_obuf_limits;
    let lines: Vec<String> = (0..3)
        .filter(|&i| l[i] != d.client_obuf_limits[i])
        .map(|i| {
            format!(
                "{} {} {} {}",
                OBUF_NAMES[i],
                memory_with_unit(l[i].hard as i64),
                memory_with_unit(l[i].soft as i64),
                l[i].soft_seconds
            )
        })
        .collect();
    (!lines.is_empty()).then_some(lines)
}

fn set_oom(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    if args.len() != 3 {
        return Err("wrong number of arguments".into());
    }
    let mut v = [0i32; 3];
    for (i, a) in args.iter().enumerate() {
        match strtoll_full(a) {
            Some(n) if (-2000..=2000).contains(&n) => v[i] = n as i32,
            _ => return Err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into()),
        }
    }
    c.special.oom_score_adj_values = v;
    Ok(())
}

fn get_oom(c: &Config) -> String {
    let v = c.special.oom_score_adj_values;
    format!("{} {} {}", v[0], v[1], v[2])
}

fn rewrite_oom(c: &Config) -> Option<Vec<String>> {
    (c.special.oom_score_adj_values != Special::default().oom_score_adj_values).then(|| vec![get_oom(c)])
}

/// Parses notification class letters; None on an unknown letter.
pub fn notify_flags_from_str(s: &[u8]) -> Option<u32> {
    let mut f = 0;
    for &c in s {
        f |= match c {
            b'A' => notify::ALL,
            b'g' => notify::GENERIC,
            b'$' => notify::STRING,
            b'l' => notify::LIST,
            b's' => notify::SET,
            b'h' => notify::HASH,
            b'z' => notify::ZSET,
            b'x' => notify::EXPIRED,
            b'e' => notify::EVICTED,
            b'K' => notify::KEYSPACE,
            b'E' => notify::KEYEVENT,
            b't' => notify::STREAM,
            b'm' => notify::KEY_MISS,
            b'd' => notify::MODULE,
            b'n' => notify::NEW,
            _ => return None,
        };
    }
    Some(f)
}

/// The letters CONFIG GET shows for notification flags.
pub fn notify_flags_to_string(f: u32) -> String {
    let mut out = String::new();
    if f & notify::ALL == notify::ALL {
        out.push('A');
    } else {
        for (bit, ch) in [
            (notify::GENERIC, 'g'),
            (notify::STRING, '$'),
            (notify::LIST, 'l'),
            (notify::SET, 's'),
            (notify::HASH, 'h'),
            (notify::ZSET, 'z'),
            (notify::EXPIRED, 'x'),
            (notify::EVICTED, 'e'),
            (notify::STREAM, 't'),
            (notify::MODULE, 'd'),
            (notify::NEW, 'n'),
        ] {
            if f & bit != 0 {
                out.push(ch);
            }
        }
    }
    for (bit, ch) in [(notify::KEYSPACE, 'K'), (notify::KEYEVENT, 'E'), (notify::KEY_MISS, 'm')] {
        if f & bit != 0 {
            out.push(ch);
        }
    }
    out
}

fn set_notify(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    if args.len() != 1 {
        return Err("wrong number of arguments".into());
    }
    c.special.notify_keyspace_events = notify_flags_from_str(&args[0]).ok_or("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")?;
    Ok(())
}

fn get_notify(c: &Config) -> String {
    notify_flags_to_string(c.special.notify_keyspace_events)
}

fn rewrite_notify(c: &Config) -> Option<Vec<String>> {
    (c.special.notify_keyspace_events != 0).then(|| vec![format!("\"{}\"", get_notify(c))])
}

fn set_bind(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    if args.len() > 16 {
        return Err("Too many bind addresses specified.".into());
    }
    let args: &[Vec<u8>] = if args.len() == 1 && args[0].is_empty() { &[] } else { args };
    c.special.bind = args.iter().map(|a| s(a)).collect();
    Ok(())
}

fn get_bind(c: &Config) -> String {
    c.special.bind.join(" ")
}

fn rewrite_bind(c: &Config) -> Option<Vec<String>> {
    if c.special.bind == Special::default().bind {
        return None;
    }
    if c.special.bind.is_empty() {
        return Some(vec!["\"\"".into()]);
    }
    Some(vec![get_bind(c)])
}

fn set_replicaof(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    if args.len() != 2 {
        return Err("wrong number of arguments".into());
    }
    if args[0].eq_ignore_ascii_case(b"no") && args[1].eq_ignore_ascii_case(b"one") {
        c.special.replicaof = None;
        return Ok(());
    }
    let port = strtoll_full(&args[1])
        .filter(|p| (0..=65535).contains(p))
        .ok_or("Invalid master port")?;
    c.special.replicaof = Some((s(&args[0]), port as u16));
    Ok(())
}

fn get_replicaof(c: &Config) -> String {
    match &c.special.replicaof {
        Some((h, p)) => format!("{h} {p}"),
        None => String::new(),
    }
}

fn rewrite_replicaof(c: &Config) -> Option<Vec<String>> {
    c.special.replicaof.as_ref().map(|(h, p)| vec![format!("{h} {p}")])
}

fn set_percentiles(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    let args: &[Vec<u8>] = if args.len() == 1 && args[0].is_empty() { &[] } else { args };
    let mut v = Vec::new();
    for a in args {
        match crate::util::num::parse_f64(a) {
            Some(p) if (0.0..=100.0).contains(&p) => v.push(p),
            _ => return Err("latency-tracking-info-percentiles must be between 0.0 and 100.0".into()),
        }
    }
    c.special.latency_percentiles = v;
    Ok(())
}

/// `%f` with trailing zeros (and a trailing dot) removed.
pub fn trim_double(p: f64) -> String {
    let mut s = format!("{p:.6}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

fn get_percentiles(c: &Config) -> String {
    c.special
        .latency_percentiles
        .iter()
        .map(|p| trim_double(*p))
        .collect::<Vec<_>>()
        .join(" ")
}

fn rewrite_percentiles(c: &Config) -> Option<Vec<String>> {
    if c.special.latency_percentiles == Special::default().latency_percentiles {
        return None;
    }
    if c.special.latency_percentiles.is_empty() {
        return Some(vec!["\"\"".into()]);
    }
    Some(vec![get_percentiles(c)])
}
