//! Configuration: one table line per parameter (config.c's
//! `static_configs[]`).
//!
//! `table.rs` lists every Redis 7.0 directive once: name, alias, flags,
//! type, default, bounds and an optional apply hook. The `define_configs!`
//! macro turns those lines into the typed [`Config`] struct the server reads
//! (`srv.cfg.maxclients`) and into the [`CONFIGS`] table that the
//! redis.conf parser, `--name value` options, CONFIG GET/SET/REWRITE read.
//! Parameters whose value is not a single scalar (save, bind,
//! client-output-buffer-limit, ...) are in `special.rs`.

pub mod apply;
pub mod command;
pub mod enums;
pub mod file;
pub mod special;
mod table;

pub use special::{ClientBufferLimit, Special};
pub use table::{Config, CONFIGS};

use crate::server::Server;

/// Config flags (`*_CONFIG` in config.c).
pub mod flags {
    pub const MODIFIABLE: u32 = 0;
    pub const IMMUTABLE: u32 = 1 << 0;
    pub const SENSITIVE: u32 = 1 << 1;
    pub const DEBUG: u32 = 1 << 2;
    pub const MULTI_ARG: u32 = 1 << 3;
    pub const HIDDEN: u32 = 1 << 4;
    pub const PROTECTED: u32 = 1 << 5;
    pub const DENY_LOADING: u32 = 1 << 6;
    pub const VOLATILE: u32 = 1 << 7;
}

/// String parameters: whether an empty value means "not set".
pub const EMPTY_NULL: bool = true;
pub const ALLOW_EMPTY: bool = false;

/// How an integer parameter is written and parsed.
pub mod intfmt {
    pub const INT: u32 = 0;
    /// Accepts 1k, 1kb, 1m, 1mb, 1g, 1gb; rewritten with a unit.
    pub const MEMORY: u32 = 1 << 0;
    /// Accepts "N%", stored as -N.
    pub const PERCENT: u32 = 1 << 1;
    /// Parsed and printed in octal.
    pub const OCTAL: u32 = 1 << 2;
    /// An unsigned 64-bit value (stored as the same bits in an i64): no
    /// upper bound, printed unsigned.
    pub const UNSIGNED: u32 = 1 << 3;
}

/// Called after a parameter changed through CONFIG SET; an error rolls the
/// change back.
pub type ApplyFn = fn(&mut Server) -> Result<(), String>;
/// A directive's extra validation (`isValid*` in Redis's config table).
pub type ValidateFn = fn(&Config, &str) -> Result<(), String>;

pub enum Kind {
    Bool {
        default: bool,
        get: fn(&Config) -> bool,
        set: fn(&mut Config, bool),
    },
    Int {
        default: i64,
        min: i64,
        max: i64,
        fmt: u32,
        get: fn(&Config) -> i64,
        set: fn(&mut Config, i64),
    },
    Enum {
        default: &'static str,
        values: &'static [(&'static str, i32)],
        get: fn(&Config) -> i32,
        set: fn(&mut Config, i32),
    },
    Str {
        default: &'static str,
        empty_is_null: bool,
        get: fn(&Config) -> &str,
        set: fn(&mut Config, String),
    },
    Special {
        /// Parses the arguments (already split) into the config.
        set: fn(&mut Config, &[Vec<u8>]) -> Result<(), String>,
        /// The value as CONFIG GET shows it.
        get: fn(&Config) -> String,
        /// The lines CONFIG REWRITE writes (values only, one per line);
        /// None means "same as default, omit".
        rewrite: fn(&Config) -> Option<Vec<String>>,
    },
}

pub struct ConfigDef {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u32,
    pub kind: Kind,
    pub validate: Option<ValidateFn>,
    pub apply: Option<ApplyFn>,
}

/// Declares the [`Config`] struct and its table from one line per
/// parameter. Grammar, one of:
///
/// ```text
/// bool   field = "name" [| "alias"], FLAGS, default [=> apply(f)] [=> valid(f)];
/// int    field = "name" [| "alias"], FLAGS, default, min, max, FMT [...];
/// enum   field = "name" [| "alias"], FLAGS, enums::TABLE, "default" [...];
/// string field = "name" [| "alias"], FLAGS, "default", EMPTY_NULL|ALLOW_EMPTY [...];
/// ```
macro_rules! define_configs {
    (@ty bool) => { bool };
    (@ty int) => { i64 };
    (@ty enum) => { i32 };
    (@ty string) => { String };

    (@kind bool, $field:ident, $default:expr) => {
        $crate::config::Kind::Bool { default: $default, get: |c| c.$field, set: |c, v| c.$field = v }
    };
    (@kind int, $field:ident, $default:expr, $min:expr, $max:expr, $fmt:expr) => {
        $crate::config::Kind::Int { default: $default, min: $min, max: $max, fmt: $fmt, get: |c| c.$field, set: |c, v| c.$field = v }
    };
    (@kind enum, $field:ident, $values:expr, $default:expr) => {
        $crate::config::Kind::Enum { default: $default, values: $values, get: |c| c.$field, set: |c, v| c.$field = v }
    };
    (@kind string, $field:ident, $default:expr, $empty:expr) => {
        $crate::config::Kind::Str {
            default: $default,
            empty_is_null: $empty,
            get: |c| c.$field.as_str(),
            set: |c, v| c.$field = v,
        }
    };

    (@opt_apply) => { None };
    (@opt_apply $f:path) => { Some($f) };

    ($( $kind:ident $field:ident = $name:literal $(| $alias:literal)?, $flags:expr, $($arg:expr),+
        $(=> apply($apply:path))? $(=> valid($valid:path))? ;)*) => {
        /// Every configuration parameter, typed. Read it as `srv.cfg.<name>`.
        pub struct Config {
            $( pub $field: define_configs!(@ty $kind), )*
            /// Parameters with custom parsing (save, bind, ...).
            pub special: $crate::config::Special,
        }

        /// The table, in declaration order.
        pub static CONFIGS: &[$crate::config::ConfigDef] = &[
            $( $crate::config::ConfigDef {
                name: $name,
                alias: define_configs!(@alias $($alias)?),
                flags: $flags,
                kind: define_configs!(@kind $kind, $field, $($arg),+),
                validate: define_configs!(@opt_apply $($valid)?),
                apply: define_configs!(@opt_apply $($apply)?),
            }, )*
        ];

        /// A Config with zero values, before defaults are applied.
        pub(crate) fn empty_config() -> Config {
            Config {
                $( $field: Default::default(), )*
                special: $crate::config::Special::default(),
            }
        }
    };
    (@alias) => { None };
    (@alias $a:literal) => { Some($a) };
}
pub(crate) use define_configs;

/// Finds a parameter by name or alias (case-insensitive).
pub fn lookup(name: &[u8]) -> Option<&'static ConfigDef> {
    let lower = name.to_ascii_lowercase();
    let all = CONFIGS.iter().chain(special::SPECIAL_CONFIGS.iter());
    all.into_iter()
        .find(|c| c.name.as_bytes() == lower.as_slice() || c.alias.is_some_and(|a| a.as_bytes() == lower.as_slice()))
}

/// Every parameter: the scalar table, then the specials.
pub fn all() -> impl Iterator<Item = &'static ConfigDef> {
    CONFIGS.iter().chain(special::SPECIAL_CONFIGS.iter())
}

fn yes_no(v: &[u8]) -> Option<bool> {
    if v.eq_ignore_ascii_case(b"yes") {
        Some(true)
    } else if v.eq_ignore_ascii_case(b"no") {
        Some(false)
    } else {
        None
    }
}

/// `memtoull`: a byte count with an optional unit (b, k, kb, m, mb, g, gb).
/// Like `strtoull`, too many digits saturate; an empty number is 0.
pub fn parse_memory(v: &[u8]) -> Option<u64> {
    if v.first() == Some(&b'-') {
        return None;
    }
    let digits = v.iter().take_while(|c| c.is_ascii_digit()).count();
    let saturating = v[..digits]
        .iter()
        .fold(0u64, |acc, &c| acc.saturating_mul(10).saturating_add(u64::from(c - b'0')));
    let unit = v[digits..].to_ascii_lowercase();
    let mul: u64 = match unit.as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    Some(saturating.wrapping_mul(mul))
}

/// What setting a parameter did.
#[derive(Debug, PartialEq, Eq)]
pub enum SetOutcome {
    Changed,
    Unchanged,
}

impl ConfigDef {
    /// Parses `args` and stores the value. Error texts are Redis's.
    pub fn set(&self, cfg: &mut Config, args: &[Vec<u8>]) -> Result<SetOutcome, String> {
        if let Kind::Special { set, get, .. } = &self.kind {
            let before = get(cfg);
            set(cfg, args)?;
            return Ok(if get(cfg) == before && self.flags & flags::VOLATILE == 0 {
                SetOutcome::Unchanged
            } else {
                SetOutcome::Changed
            });
        }
        let v: &[u8] = args.first().map(|a| a.as_slice()).unwrap_or(b"");
        let changed = match &self.kind {
            Kind::Bool { get, set, .. } => {
                let b = yes_no(v).ok_or("argument must be 'yes' or 'no'")?;
                if let Some(valid) = self.validate {
                    valid(cfg, if b { "yes" } else { "no" })?;
                }
                let changed = get(cfg) != b;
                set(cfg, b);
                changed
            }
            Kind::Int {
                min, max, fmt, get, set, ..
            } => {
                let n = parse_int(v, *fmt)?;
                if *fmt & intfmt::UNSIGNED != 0 {
                    // Any u64 is in range.
                } else if *fmt & intfmt::PERCENT != 0 && n < 0 {
                    if n < *min {
                        return Err(format!("percentage argument must be less or equal to {}", -min));
                    }
                } else if n < *min || n > *max {
                    return Err(if *fmt & intfmt::OCTAL != 0 {
                        format!("argument must be between {min:o} and {max:o} inclusive")
                    } else {
                        format!("argument must be between {min} and {max} inclusive")
                    });
                }
                if let Some(valid) = self.validate {
                    valid(cfg, &n.to_string())?;
                }
                let changed = get(cfg) != n;
                set(cfg, n);
                changed
            }
            Kind::Enum { values, get, set, .. } => {
                let multi = self.flags & flags::MULTI_ARG != 0;
                let n = parse_enum(values, args, multi).ok_or_else(|| {
                    let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
                    format!("argument(s) must be one of the following: {}", names.join(", "))
                })?;
                if let Some(valid) = self.validate {
                    valid(cfg, &enum_name(values, n, multi))?;
                }
                let changed = get(cfg) != n;
                set(cfg, n);
                changed
            }
            Kind::Str { get, set, .. } => {
                let s = String::from_utf8_lossy(v).into_owned();
                if let Some(valid) = self.validate {
                    valid(cfg, &s)?;
                }
                let changed = get(cfg) != s;
                set(cfg, s);
                changed
            }
            Kind::Special { .. } => unreachable!("handled above"),
        };
        Ok(if changed || self.flags & flags::VOLATILE != 0 {
            SetOutcome::Changed
        } else {
            SetOutcome::Unchanged
        })
    }

    /// The value as CONFIG GET shows it.
    pub fn get(&self, cfg: &Config) -> String {
        match &self.kind {
            Kind::Bool { get, .. } => (if get(cfg) { "yes" } else { "no" }).to_string(),
            Kind::Int { fmt, get, .. } => format_int(get(cfg), *fmt, false),
            Kind::Enum { values, get, .. } => enum_name(values, get(cfg), self.flags & flags::MULTI_ARG != 0),
            Kind::Str { get, .. } => get(cfg).to_string(),
            Kind::Special { get, .. } => get(cfg),
        }
    }

    /// Resets to the default value (used to build the initial config).
    pub fn set_default(&self, cfg: &mut Config) {
        match &self.kind {
            Kind::Bool { default, set, .. } => set(cfg, *default),
            Kind::Int { default, set, .. } => set(cfg, *default),
            Kind::Enum { default, values, set, .. } => set(cfg, values.iter().find(|(n, _)| n == default).map(|(_, v)| *v).unwrap_or(0)),
            Kind::Str { default, set, .. } => set(cfg, default.to_string()),
            Kind::Special { .. } => {}
        }
    }

    /// The value as CONFIG REWRITE writes it, or None when it equals the
    /// default (Redis then leaves the line out).
    pub fn rewrite_value(&self, cfg: &Config) -> Option<Vec<String>> {
        match &self.kind {
            Kind::Bool { default, get, .. } => (get(cfg) != *default).then(|| vec![self.get(cfg)]),
            Kind::Int { default, fmt, get, .. } => (get(cfg) != *default).then(|| vec![format_int(get(cfg), *fmt, true)]),
            Kind::Enum { default, values, get, .. } => {
                let name = enum_name(values, get(cfg), self.flags & flags::MULTI_ARG != 0);
                (name != *default).then(|| vec![name])
            }
            Kind::Str { default, get, .. } => (get(cfg) != *default).then(|| vec![file::quote_if_needed(get(cfg))]),
            Kind::Special { rewrite, .. } => rewrite(cfg),
        }
    }
}

fn parse_int(v: &[u8], fmt: u32) -> Result<i64, String> {
    if fmt & intfmt::MEMORY != 0 {
        if let Some(n) = parse_memory(v) {
            if fmt & intfmt::UNSIGNED != 0 {
                return Ok(n as i64);
            }
            if n > i64::MAX as u64 {
                return Ok(i64::MAX);
            }
            return Ok(n as i64);
        }
    }
    if fmt & intfmt::PERCENT != 0 && v.len() > 1 && v.last() == Some(&b'%') {
        if let Some(n) = crate::util::num::parse_i64(&v[..v.len() - 1]) {
            if n >= 0 {
                return Ok(-n);
            }
        }
    }
    if fmt & intfmt::OCTAL != 0 {
        if let Some(n) = std::str::from_utf8(v).ok().and_then(|s| i64::from_str_radix(s, 8).ok()) {
            return Ok(n);
        }
    }
    if fmt == intfmt::INT {
        if let Some(n) = crate::util::num::parse_i64(v) {
            return Ok(n);
        }
    }
    Err(if fmt & intfmt::MEMORY != 0 && fmt & intfmt::PERCENT != 0 {
        "argument must be a memory or percent value".into()
    } else if fmt & intfmt::MEMORY != 0 {
        "argument must be a memory value".into()
    } else if fmt & intfmt::OCTAL != 0 {
        "argument couldn't be parsed as an octal number".into()
    } else {
        "argument couldn't be parsed into an integer".into()
    })
}

/// Formats an integer parameter; `rewrite` picks the unit form Redis
/// writes into the config file (e.g. "1gb").
pub fn format_int(v: i64, fmt: u32, rewrite: bool) -> String {
    if fmt & intfmt::UNSIGNED != 0 {
        if rewrite {
            memory_with_unit_u64(v as u64)
        } else {
            (v as u64).to_string()
        }
    } else if fmt & intfmt::PERCENT != 0 && v < 0 {
        format!("{}%", -v)
    } else if fmt & intfmt::OCTAL != 0 {
        format!("{v:o}")
    } else if fmt & intfmt::MEMORY != 0 && rewrite {
        memory_with_unit(v)
    } else {
        v.to_string()
    }
}

fn memory_with_unit_u64(v: u64) -> String {
    match i64::try_from(v) {
        Ok(s) => memory_with_unit(s),
        Err(_) => v.to_string(),
    }
}

/// `rewriteConfigFormatMemory`: the largest exact binary unit.
pub fn memory_with_unit(v: i64) -> String {
    const GB: i64 = 1024 * 1024 * 1024;
    const MB: i64 = 1024 * 1024;
    const KB: i64 = 1024;
    if v != 0 && v % GB == 0 {
        format!("{}gb", v / GB)
    } else if v != 0 && v % MB == 0 {
        format!("{}mb", v / MB)
    } else if v != 0 && v % KB == 0 {
        format!("{}kb", v / KB)
    } else {
        v.to_string()
    }
}

fn parse_enum(values: &[(&str, i32)], args: &[Vec<u8>], multi: bool) -> Option<i32> {
    let find = |a: &[u8]| values.iter().find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(a)).map(|(_, v)| *v);
    if !multi {
        return find(args.first()?.as_slice());
    }
    if args.is_empty() {
        return None;
    }
    // Bit flags: OR every named value; a zero-valued name only alone.
    let mut acc = 0;
    for a in args {
        let v = find(a)?;
        if v == 0 && args.len() > 1 {
            return None;
        }
        acc |= v;
    }
    Some(acc)
}

/// The name(s) of an enum value. For bit-flag enums, every set flag's
/// name separated by spaces (or the zero name).
pub fn enum_name(values: &[(&str, i32)], v: i32, multi: bool) -> String {
    if !multi {
        return values.iter().find(|(_, x)| *x == v).map(|(n, _)| n.to_string()).unwrap_or_default();
    }
    if v == 0 {
        return values.iter().find(|(_, x)| *x == 0).map(|(n, _)| n.to_string()).unwrap_or_default();
    }
    let mut out = Vec::new();
    let mut rest = v;
    for (n, x) in values {
        if *x != 0 && rest & x == *x {
            out.push(*n);
            rest &= !x;
        }
    }
    out.join(" ")
}

impl Config {
    /// Every parameter at its default.
    pub fn defaults() -> Config {
        let mut c = table::empty_config();
        for def in CONFIGS {
            def.set_default(&mut c);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_unique_and_defaults_roundtrip() {
        let mut names = std::collections::HashSet::new();
        for d in all() {
            assert!(names.insert(d.name), "duplicate {}", d.name);
            if let Some(a) = d.alias {
                assert!(names.insert(a), "duplicate alias {a}");
            }
        }
        let c = Config::defaults();
        assert_eq!(lookup(b"maxclients").map(|d| d.get(&c)).as_deref(), Some("10000"));
        assert_eq!(lookup(b"SLAVEOF").map(|d| d.name), Some("replicaof"));
        assert_eq!(lookup(b"hash-max-ziplist-entries").map(|d| d.get(&c)).as_deref(), Some("512"));
        for d in CONFIGS {
            assert!(d.rewrite_value(&c).is_none(), "{} differs from its default", d.name);
        }
    }

    #[test]
    fn parse_values() {
        let mut c = Config::defaults();
        let set = |c: &mut Config, n: &str, v: &str| lookup(n.as_bytes()).unwrap().set(c, &[v.as_bytes().to_vec()]);
        assert_eq!(set(&mut c, "maxmemory", "1gb"), Ok(SetOutcome::Changed));
        assert_eq!(c.maxmemory, 1024 * 1024 * 1024);
        assert_eq!(set(&mut c, "maxmemory", "1gb"), Ok(SetOutcome::Unchanged));
        assert_eq!(set(&mut c, "maxmemory", "-1").unwrap_err(), "argument must be a memory value");
        assert_eq!(set(&mut c, "hz", "abc").unwrap_err(), "argument couldn't be parsed into an integer");
        assert_eq!(
            set(&mut c, "port", "70000").unwrap_err(),
            "argument must be between 0 and 65535 inclusive"
        );
        assert_eq!(
            set(&mut c, "activerehashing", "maybe").unwrap_err(),
            "argument must be 'yes' or 'no'"
        );
        assert_eq!(set(&mut c, "maxmemory-clients", "10%"), Ok(SetOutcome::Changed));
        assert_eq!(lookup(b"maxmemory-clients").unwrap().get(&c), "10%");
        assert!(set(&mut c, "loglevel", "loud")
            .unwrap_err()
            .starts_with("argument(s) must be one of the following: debug, verbose"));
        let shut = lookup(b"shutdown-on-sigterm").unwrap();
        assert!(shut.set(&mut c, &[b"nosave".to_vec(), b"now".to_vec()]).is_ok());
        assert_eq!(shut.get(&c), "nosave now");
        assert_eq!(memory_with_unit(3 * 1024 * 1024), "3mb");
    }
}
