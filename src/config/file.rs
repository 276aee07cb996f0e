//! redis.conf: loading (`loadServerConfigFromString`), the command-line
//! options that are appended to it, and CONFIG REWRITE.

use super::{lookup, Config, SetOutcome};
use crate::resp::parser::split_args;

/// Directives that are accepted for compatibility and otherwise ignored.
const DEPRECATED: &[&str] = &["list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"];

/// A `rename-command old new` directive (applied once the command table
/// exists).
#[derive(Debug, Clone)]
pub struct Rename {
    pub from: Vec<u8>,
    pub to: Vec<u8>,
}

/// A `user name rule ...` directive, checked once the command table exists.
#[derive(Debug, Clone)]
pub struct UserLine {
    pub line_no: usize,
    pub line: String,
    /// The whole directive, `user` included.
    pub argv: Vec<Vec<u8>>,
}

/// Directives that are not parameters and need the server to act on them.
#[derive(Debug, Default)]
pub struct Extra {
    pub renames: Vec<Rename>,
    pub users: Vec<UserLine>,
    pub modules: Vec<Vec<Vec<u8>>>,
}

/// A fatal configuration error, printed Redis's way before exiting.
#[derive(Debug)]
pub struct LoadError {
    pub line_no: usize,
    pub line: String,
    pub msg: String,
}

impl LoadError {
    pub fn report(&self) -> String {
        let mut s = String::from("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n");
        if self.line_no > 0 {
            s.push_str(&format!("Reading the configuration file, at line {}\n", self.line_no));
            s.push_str(&format!(">>> '{}'\n", self.line));
        }
        s.push_str(&self.msg);
        s.push('\n');
        s
    }
}

/// Applies a whole configuration text. `base_dir` resolves `include`.
pub fn load_from_string(cfg: &mut Config, text: &str, extra: &mut Extra) -> Result<(), LoadError> {
    cfg.special.reading_config_file = true;
    let res = load_lines(cfg, text, extra);
    cfg.special.reading_config_file = false;
    res?;
    cfg.hz = cfg.hz.clamp(1, 500);
    if !cfg.logfile.is_empty() {
        if let Err(e) = std::fs::OpenOptions::new().create(true).append(true).open(&cfg.logfile) {
            return Err(LoadError {
                line_no: 0,
                line: String::new(),
                msg: format!("Can't open the log file: {}", crate::util::strerror(&e)),
            });
        }
    }
    Ok(())
}

fn load_lines(cfg: &mut Config, text: &str, extra: &mut Extra) -> Result<(), LoadError> {
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.trim_matches(|c| c == ' ' || c == '\t' || c == '\r' || c == '\n');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |msg: &str| LoadError {
            line_no: i + 1,
            line: line.to_string(),
            msg: msg.to_string(),
        };
        let Some(mut argv) = split_args(line.as_bytes()) else {
            return Err(fail("Unbalanced quotes in configuration line"));
        };
        if argv.is_empty() {
            continue;
        }
        argv[0].make_ascii_lowercase();
        if let Some(def) = lookup(&argv[0]) {
            let multi = def.flags & super::flags::MULTI_ARG != 0;
            if !multi && argv.len() != 2 {
                return Err(fail("wrong number of arguments"));
            }
            let args: Vec<Vec<u8>> = if multi && argv.len() == 2 && !argv[1].is_empty() {
                split_args(&argv[1]).ok_or_else(|| fail("Unbalanced quotes in configuration line"))?
            } else {
                argv[1..].to_vec()
            };
            def.set(cfg, &args).map_err(|e| fail(&e))?;
            continue;
        }
        let name = String::from_utf8_lossy(&argv[0]).into_owned();
        if DEPRECATED.contains(&name.as_str()) && argv.len() == 2 {
            continue;
        }
        match name.as_str() {
            "include" if argv.len() == 2 => {
                let path = String::from_utf8_lossy(&argv[1]).into_owned();
                let text = read_config_files(&path).map_err(|e| fail(&e))?;
                load_lines(cfg, &text, extra)?;
            }
            "rename-command" if argv.len() == 3 => extra.renames.push(Rename {
                from: argv[1].clone(),
                to: argv[2].clone(),
            }),
            "user" if argv.len() >= 2 => extra.users.push(UserLine {
                line_no: i + 1,
                line: line.to_string(),
                argv,
            }),
            "loadmodule" if argv.len() >= 2 => extra.modules.push(argv[1..].to_vec()),
            "sentinel" => {
                if argv.len() != 1 {
                    return Err(fail("sentinel directive while not in sentinel mode"));
                }
            }
            _ if name.contains('.') => {
                if argv.len() < 2 {
                    return Err(fail("Module config specified without value"));
                }
            }
            _ => return Err(fail("Bad directive or wrong number of arguments")),
        }
    }
    Ok(())
}

/// Reads a config file, or every file matching a glob pattern, like
/// `loadServerConfig`.
pub fn read_config_files(path: &str) -> Result<String, String> {
    let read = |p: &str| std::fs::read(p).map(|b| String::from_utf8_lossy(&b).into_owned());
    if path.contains(['*', '?', '[']) {
        let (dir, pat) = match path.rfind('/') {
            Some(i) => (&path[..i.max(1)], &path[i + 1..]),
            None => (".", path),
        };
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map_err(|e| format!("Fatal error, can't open config file '{path}': {}", crate::util::strerror(&e)))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| crate::util::glob::glob_match(pat.as_bytes(), n.as_bytes(), false))
            .collect();
        names.sort();
        let mut all = String::new();
        for n in names {
            let full = format!("{}/{}", dir.trim_end_matches('/'), n);
            all.push_str(&read(&full).map_err(|e| format!("Fatal error, can't open config file '{full}': {}", crate::util::strerror(&e)))?);
            all.push('\n');
        }
        Ok(all)
    } else {
        read(path).map_err(|e| format!("Fatal error, can't open config file '{path}': {}", crate::util::strerror(&e)))
    }
}

/// `sdscatrepr`: a quoted, escaped form that `split_args` parses back.
pub fn repr(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for &c in s {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            7 => out.push_str("\\a"),
            8 => out.push_str("\\b"),
            c if c.is_ascii_graphic() || c == b' ' => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push('"');
    out
}

/// Quotes a value for the config file when it would not survive
/// `split_args` unquoted (spaces, quotes, empty).
pub fn quote_if_needed(s: &str) -> String {
    if s.is_empty() || s.bytes().any(|c| !c.is_ascii_graphic() || c == b'"' || c == b'\'' || c == b'\\') {
        repr(s.as_bytes())
    } else {
        s.to_string()
    }
}

/// Turns command-line arguments (after the config file name) into config
/// text, as redis-server does: `--name v1 v2 --other v` become lines, and a
/// lone `-` means "read stdin".
pub fn options_from_args(args: &[String]) -> (String, bool) {
    let mut options = String::new();
    let mut from_stdin = false;
    let mut handled_last = true;
    let n = args.len();
    for (j, a) in args.iter().enumerate() {
        if a == "-" && (j == 0 || j == n - 1) {
            from_stdin = true;
        } else if handled_last && a.starts_with("--") {
            if !options.is_empty() {
                options.push('\n');
            }
            options.push_str(&a[2..]);
            options.push(' ');
            let parts = split_args(a.as_bytes()).unwrap_or_default();
            if parts.len() == 1 {
                handled_last = false;
                let next_is_opt = j + 1 < n && args[j + 1].starts_with("--");
                if a.eq_ignore_ascii_case("--save") && (next_is_opt || j == n - 1) {
                    options.push_str("\"\"");
                    handled_last = true;
                } else if a.eq_ignore_ascii_case("--sentinel") && (next_is_opt || j == n - 1) {
                    handled_last = true;
                }
            } else {
                handled_last = true;
            }
        } else {
            options.push_str(&repr(a.as_bytes()));
            options.push(' ');
            handled_last = true;
        }
    }
    (options, from_stdin)
}

/// The signature line CONFIG REWRITE puts before appended options.
const REWRITE_SIGNATURE: &str = "# Generated by CONFIG REWRITE";

/// Rewrites `path` to reflect `cfg` (`rewriteConfig`): lines of changed
/// options are replaced in place, duplicates dropped, new ones appended;
/// comments and unknown directives are kept.
///
/// With `force_all` (DEBUG CONFIG-REWRITE-FORCE-ALL) every option is
/// written, defaults included. `users` are the ACL users as `user` lines
/// (without the word `user`); None drops every `user` line (an ACL file
/// holds the users).
pub fn rewrite(path: &str, cfg: &Config, force_all: bool, users: Option<&[String]>) -> Result<(), String> {
    let old = match std::fs::read(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(crate::util::strerror(&e)),
    };
    let mut lines: Vec<Option<String>> = Vec::new();
    // option name -> indexes of its lines in the old file
    let mut by_option: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
    for raw in old.split('\n') {
        let line = raw.trim_end_matches('\r').to_string();
        if line.trim() == REWRITE_SIGNATURE {
            continue;
        }
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            if let Some(argv) = split_args(trimmed.as_bytes()) {
                if let Some(first) = argv.first() {
                    let mut name = String::from_utf8_lossy(first).to_ascii_lowercase();
                    if let Some(def) = lookup(name.as_bytes()) {
                        name = def.name.to_string();
                    }
                    by_option.entry(name).or_default().push(lines.len());
                }
            }
        }
        lines.push(Some(line));
    }
    while lines.last().is_some_and(|l| l.as_deref() == Some("")) {
        lines.pop();
    }
    let mut appended: Vec<String> = Vec::new();
    for def in super::all() {
        if def.flags & super::flags::HIDDEN != 0 && !by_option.contains_key(def.name) {
            continue;
        }
        let values = def.rewrite_value(cfg);
        let existing = by_option.remove(def.name).unwrap_or_default();
        let values = match values {
            Some(v) => v,
            None if force_all && matches!(def.kind, super::Kind::Special { .. }) => {
                let v = def.get(cfg);
                match def.name {
                    // Nothing to write for "no master".
                    "replicaof" => continue,
                    "dir" => vec![quote_if_needed(&v)],
                    _ if v.is_empty() => vec!["\"\"".to_string()],
                    _ => vec![v],
                }
            }
            None if force_all => vec![quote_if_needed(&def.get(cfg))],
            None if !existing.is_empty() => {
                // Present in the file: keep it, with the (default) value.
                if matches!(def.kind, super::Kind::Special { .. }) {
                    Vec::new()
                } else {
                    vec![quote_if_needed(&def.get(cfg))]
                }
            }
            None => continue,
        };
        let mut slots = existing.into_iter();
        for v in values {
            let text = format!("{} {}", def.name, v);
            match slots.next() {
                Some(i) => lines[i] = Some(text),
                None => appended.push(text),
            }
        }
        for i in slots {
            lines[i] = None;
        }
    }
    let mut slots = by_option.remove("user").unwrap_or_default().into_iter();
    for u in users.unwrap_or(&[]) {
        let text = format!("user {u}");
        match slots.next() {
            Some(i) => lines[i] = Some(text),
            None => appended.push(text),
        }
    }
    for i in slots {
        lines[i] = None;
    }
    // Directives we do not own (include, rename-command, ...) stay.
    let mut out: Vec<String> = lines.into_iter().flatten().collect();
    if !appended.is_empty() {
        out.push(REWRITE_SIGNATURE.to_string());
        out.extend(appended);
    }
    let mut text = out.join("\n");
    text.push('\n');
    let tmp = format!("{path}.tmp-{}", std::process::id());
    std::fs::write(&tmp, text.as_bytes()).map_err(|e| crate::util::strerror(&e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        crate::util::strerror(&e)
    })
}

/// Convenience for tests and start-up: set one parameter from text.
pub fn set_one(cfg: &mut Config, name: &str, value: &str) -> Result<SetOutcome, String> {
    let def = lookup(name.as_bytes()).ok_or_else(|| format!("unknown parameter {name}"))?;
    let args = if def.flags & super::flags::MULTI_ARG != 0 {
        split_args(value.as_bytes()).unwrap_or_default()
    } else {
        vec![value.as_bytes().to_vec()]
    };
    def.set(cfg, &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_like_redis_server() {
        let args: Vec<String> = ["--port", "6380", "--save", "--appendonly", "yes", "--bind", "1.2.3.4", "5.6.7.8"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (opts, stdin) = options_from_args(&args);
        assert!(!stdin);
        assert_eq!(
            opts,
            "port \"6380\" \nsave \"\"\nappendonly \"yes\" \nbind \"1.2.3.4\" \"5.6.7.8\" "
        );
        let mut cfg = Config::defaults();
        let mut extra = Extra::default();
        load_from_string(&mut cfg, &opts, &mut extra).unwrap();
        assert_eq!(cfg.port, 6380);
        assert!(cfg.special.save.is_empty());
        assert!(cfg.appendonly);
        assert_eq!(cfg.special.bind, vec!["1.2.3.4", "5.6.7.8"]);
    }

    #[test]
    fn file_errors() {
        let mut cfg = Config::defaults();
        let mut extra = Extra::default();
        let e = load_from_string(&mut cfg, "port 1\nnosuchthing 1\n", &mut extra).unwrap_err();
        assert_eq!(e.line_no, 2);
        assert_eq!(e.msg, "Bad directive or wrong number of arguments");
        let e = load_from_string(&mut cfg, "port 1 2\n", &mut extra).unwrap_err();
        assert_eq!(e.msg, "wrong number of arguments");
        let e = load_from_string(&mut cfg, "maxmemory lots\n", &mut extra).unwrap_err();
        assert_eq!(e.msg, "argument must be a memory value");
        load_from_string(
            &mut cfg,
            "save 900 1\nsave 300 10\nslaveof 127.0.0.1 6379\nhash-max-ziplist-entries 7",
            &mut extra,
        )
        .unwrap();
        assert_eq!(cfg.special.save, vec![(900, 1), (300, 10)]);
        assert_eq!(cfg.special.replicaof, Some(("127.0.0.1".to_string(), 6379)));
        assert_eq!(cfg.hash_max_listpack_entries, 7);
    }

    #[test]
    fn rewrite_keeps_comments() {
        let dir = std::env::temp_dir().join(format!("oxidis-rw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.conf");
        std::fs::write(&path, "# hello\nport 7000\nmaxmemory 10mb\nmaxmemory 20mb\n").unwrap();
        let mut cfg = Config::defaults();
        cfg.port = 7001;
        cfg.maxmemory = 0;
        cfg.hz = 20;
        rewrite(path.to_str().unwrap(), &cfg, false, None).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# hello\nport 7001\nmaxmemory 0\n# Generated by CONFIG REWRITE\n"),
            "{text}"
        );
        assert!(text.contains("\nhz 20\n"));
        assert!(text.contains("\ndir "));
        assert!(!text.contains("20mb"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
