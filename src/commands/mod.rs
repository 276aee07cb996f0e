//! The command table at run time (server.c's `server.commands` dict plus
//! `populateCommandTable`): the static definitions of `table/`, filtered to
//! implemented commands, with derived flags (movablekeys), full ACL
//! categories, the legacy first/last/step triple, and case-insensitive
//! lookup. One key extractor serves COMMAND GETKEYS, ACL, cluster routing
//! and tracking.

pub mod def;
pub mod getkeys;
pub mod introspect;
pub mod reference;
pub mod table;

use def::{acl, flags, keyflags, BeginSearch, FindKeys};
pub use def::{CommandDef, Handler, KeyPos};
use std::collections::HashMap;

/// The commands the server itself must recognise (where Redis compares
/// `cmd->proc` with `execCommand` and friends). Resolved from the name once,
/// when the registry is built, so the command gate and `call` never compare
/// strings. A new identity is one more variant here and one more line in
/// `Kind::of`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Other,
    Exec,
    Discard,
    Multi,
    Watch,
    Quit,
    Reset,
    Ping,
    Subscribe,
    Ssubscribe,
    Psubscribe,
    Unsubscribe,
    Sunsubscribe,
    Punsubscribe,
    Publish,
    Spublish,
    Eval,
    EvalRo,
    Evalsha,
    EvalshaRo,
    Fcall,
    FcallRo,
    Blmove,
    Brpoplpush,
    /// Containers whose subcommands are recognised as a family.
    Client,
    Debug,
    Module,
}

impl Kind {
    /// The kind of a top-level command name (lower case).
    fn of(name: &str) -> Kind {
        match name {
            "exec" => Kind::Exec,
            "discard" => Kind::Discard,
            "multi" => Kind::Multi,
            "watch" => Kind::Watch,
            "quit" => Kind::Quit,
            "reset" => Kind::Reset,
            "ping" => Kind::Ping,
            "subscribe" => Kind::Subscribe,
            "ssubscribe" => Kind::Ssubscribe,
            "psubscribe" => Kind::Psubscribe,
            "unsubscribe" => Kind::Unsubscribe,
            "sunsubscribe" => Kind::Sunsubscribe,
            "punsubscribe" => Kind::Punsubscribe,
            "publish" => Kind::Publish,
            "spublish" => Kind::Spublish,
            "eval" => Kind::Eval,
            "eval_ro" => Kind::EvalRo,
            "evalsha" => Kind::Evalsha,
            "evalsha_ro" => Kind::EvalshaRo,
            "fcall" => Kind::Fcall,
            "fcall_ro" => Kind::FcallRo,
            "blmove" => Kind::Blmove,
            "brpoplpush" => Kind::Brpoplpush,
            "client" => Kind::Client,
            "debug" => Kind::Debug,
            "module" => Kind::Module,
            _ => Kind::Other,
        }
    }

    /// EVAL, EVALSHA and their _RO forms.
    pub fn is_eval(self) -> bool {
        matches!(self, Kind::Eval | Kind::EvalRo | Kind::Evalsha | Kind::EvalshaRo)
    }

    /// EVAL, FCALL and their variants: the gate takes their flags from the
    /// script they run.
    pub fn runs_script(self) -> bool {
        self.is_eval() || matches!(self, Kind::Fcall | Kind::FcallRo)
    }

    /// EVAL_RO, EVALSHA_RO, FCALL_RO: not tracked themselves; the commands
    /// the script runs are.
    pub fn is_read_only_script(self) -> bool {
        matches!(self, Kind::EvalRo | Kind::EvalshaRo | Kind::FcallRo)
    }

    /// What a RESP2 client in subscribed state may still run.
    pub fn allowed_in_resp2_pubsub(self) -> bool {
        matches!(
            self,
            Kind::Ping
                | Kind::Subscribe
                | Kind::Ssubscribe
                | Kind::Unsubscribe
                | Kind::Sunsubscribe
                | Kind::Psubscribe
                | Kind::Punsubscribe
                | Kind::Quit
                | Kind::Reset
        )
    }

    /// Run at once inside MULTI instead of being queued.
    pub fn runs_inside_multi(self) -> bool {
        matches!(
            self,
            Kind::Exec | Kind::Discard | Kind::Multi | Kind::Watch | Kind::Quit | Kind::Reset
        )
    }

    /// Never refused for memory while a transaction is open (everything
    /// else is, since queueing takes memory).
    pub fn ends_multi(self) -> bool {
        matches!(self, Kind::Exec | Kind::Discard | Kind::Quit | Kind::Reset)
    }
}

pub struct Command {
    pub def: &'static CommandDef,
    /// "get", or "config|get" for a subcommand.
    pub fullname: String,
    /// What the server recognises this command as (`Kind::Other` for
    /// subcommands and most commands).
    pub kind: Kind,
    /// The kind of its top-level command (itself, or its container).
    pub family: Kind,
    /// Index into the server's per-command stats.
    pub id: usize,
    /// The definition's flags plus derived ones (MOVABLE_KEYS).
    pub flags: u64,
    /// Explicit and implicit ACL categories.
    pub acl: u64,
    /// (firstkey, lastkey, step) for COMMAND INFO.
    pub legacy: (i32, i32, i32),
    pub parent: Option<usize>,
    /// Subcommands by lower-case name -> id.
    pub subs: HashMap<Vec<u8>, usize>,
    pub handler: Option<Handler>,
}

impl Command {
    #[inline]
    pub fn has(&self, f: u64) -> bool {
        self.flags & f != 0
    }

    pub fn is_container(&self) -> bool {
        !self.subs.is_empty()
    }
}

pub struct Registry {
    pub cmds: Vec<Command>,
    /// Top-level names (after rename-command) -> id.
    by_name: HashMap<Vec<u8>, usize, foldhash::fast::RandomState>,
}

/// ACL categories implied by flags (`setImplicitACLCategories`).
fn implicit_acl(f: u64, explicit: u64) -> u64 {
    let mut a = explicit;
    if f & flags::WRITE != 0 {
        a |= acl::WRITE;
    }
    if f & flags::READONLY != 0 && a & acl::SCRIPTING == 0 {
        a |= acl::READ;
    }
    if f & flags::ADMIN != 0 {
        a |= acl::ADMIN | acl::DANGEROUS;
    }
    if f & flags::PUBSUB != 0 {
        a |= acl::PUBSUB;
    }
    if f & flags::FAST != 0 {
        a |= acl::FAST;
    }
    if f & flags::BLOCKING != 0 {
        a |= acl::BLOCKING;
    }
    if a & acl::FAST == 0 {
        a |= acl::SLOW;
    }
    a
}

/// Derives the legacy key range and MOVABLE_KEYS
/// (`populateCommandLegacyRangeSpec`).
fn legacy_range(d: &CommandDef) -> ((i32, i32, i32), bool) {
    let specs = d.key_specs;
    // A native getkeys proc alone does not make a command movable; only
    // key specs that a fixed range cannot describe do.
    let mut movable = false;
    if specs.is_empty() {
        return ((0, 0, 0), movable);
    }
    let to_triple = |pos: i32, lastkey: i32, step: i32| {
        let last = if lastkey >= 0 { lastkey + pos } else { lastkey };
        (pos, last, step)
    };
    if specs.len() == 1 {
        if let (BeginSearch::Index(pos), FindKeys::Range { lastkey, step, .. }) = (specs[0].begin, specs[0].find) {
            if specs[0].flags & keyflags::INCOMPLETE != 0 {
                movable = true;
            }
            return (to_triple(pos, lastkey, step), movable);
        }
    }
    let mut first = i32::MAX;
    let mut last: u32 = 0;
    let mut prev_last: u32 = 0;
    for s in specs {
        let (BeginSearch::Index(pos), FindKeys::Range { lastkey, step, .. }) = (s.begin, s.find) else {
            movable = true;
            continue;
        };
        if step != 1 || (prev_last != 0 && prev_last != (pos - 1) as u32) {
            movable = true;
            continue;
        }
        if s.flags & keyflags::INCOMPLETE != 0 {
            movable = true;
        }
        first = first.min(pos);
        let abs = if lastkey >= 0 { lastkey + pos } else { lastkey };
        last = last.max(abs as u32);
        prev_last = last;
    }
    if first == i32::MAX {
        return ((0, 0, 0), true);
    }
    let last = last as i32;
    let rel = if last < 0 { last } else { last - first };
    (to_triple(first, rel, 1), movable)
}

impl Registry {
    /// Builds the table from the static definitions: every command with a
    /// handler, and every container with at least one implemented
    /// subcommand.
    pub fn build() -> Registry {
        let mut reg = Registry {
            cmds: Vec::new(),
            by_name: HashMap::default(),
        };
        for group in table::ALL {
            for d in group.iter() {
                let implemented_subs: Vec<&CommandDef> = d.subcommands.iter().filter(|s| s.handler.is_some()).collect();
                if d.handler.is_none() && implemented_subs.is_empty() {
                    continue;
                }
                let id = reg.add(d, None, d.name.to_string());
                for s in implemented_subs {
                    let sid = reg.add(s, Some(id), format!("{}|{}", d.name, s.name));
                    reg.cmds[id].subs.insert(s.name.as_bytes().to_vec(), sid);
                }
                reg.by_name.insert(d.name.as_bytes().to_vec(), id);
            }
        }
        reg
    }

    fn add(&mut self, d: &'static CommandDef, parent: Option<usize>, fullname: String) -> usize {
        let (legacy, movable) = legacy_range(d);
        let f = d.flags | if movable { flags::MOVABLE_KEYS } else { 0 };
        let id = self.cmds.len();
        let (kind, family) = match parent {
            Some(p) => (Kind::Other, self.cmds[p].family),
            None => {
                let k = Kind::of(&fullname);
                (k, k)
            }
        };
        self.cmds.push(Command {
            def: d,
            fullname,
            kind,
            family,
            id,
            flags: f,
            acl: implicit_acl(f, d.acl),
            legacy,
            parent,
            subs: HashMap::new(),
            handler: d.handler,
        });
        id
    }

    /// Applies `rename-command`: an empty new name removes the command.
    pub fn rename(&mut self, from: &[u8], to: &[u8]) -> Result<(), &'static str> {
        let id = self
            .by_name
            .remove(&from.to_ascii_lowercase())
            .ok_or("No such command in rename-command")?;
        if !to.is_empty() {
            let key = to.to_ascii_lowercase();
            if self.by_name.contains_key(&key) {
                return Err("Target command name already exists");
            }
            self.by_name.insert(key, id);
        }
        Ok(())
    }

    /// A top-level command by name, case-insensitively.
    #[inline]
    pub fn get(&self, name: &[u8]) -> Option<&Command> {
        let mut buf = [0u8; 64];
        if name.len() > buf.len() {
            return None;
        }
        let lower = &mut buf[..name.len()];
        lower.copy_from_slice(name);
        lower.make_ascii_lowercase();
        self.by_name.get(&lower[..]).map(|&i| &self.cmds[i])
    }

    /// Resolves argv to a command or subcommand (`lookupCommand`). For a
    /// container with an unknown subcommand, returns None.
    #[inline]
    pub fn lookup(&self, argv: &[&[u8]]) -> Option<&Command> {
        let base = self.get(argv.first()?)?;
        if argv.len() == 1 || base.subs.is_empty() {
            return Some(base);
        }
        let sub = argv[1].to_ascii_lowercase();
        base.subs.get(&sub).map(|&i| &self.cmds[i])
    }

    /// Resolves "name" or "container|sub" (COMMAND INFO/DOCS).
    pub fn lookup_by_fullname(&self, name: &[u8]) -> Option<&Command> {
        let mut parts = name.splitn(3, |&c| c == b'|');
        let first = parts.next()?;
        let base = self.get(first)?;
        match (parts.next(), parts.next()) {
            (None, _) => Some(base),
            (Some(sub), None) => base.subs.get(&sub.to_ascii_lowercase()).map(|&i| &self.cmds[i]),
            _ => None,
        }
    }

    /// Top-level commands in name order.
    pub fn top_level(&self) -> Vec<&Command> {
        let mut v: Vec<&Command> = self.cmds.iter().filter(|c| c.parent.is_none()).collect();
        v.sort_by(|a, b| a.fullname.cmp(&b.fullname));
        v
    }

    /// The subcommands of `c` in name order.
    pub fn subs_of(&self, c: &Command) -> Vec<&Command> {
        let mut v: Vec<&Command> = c.subs.values().map(|&i| &self.cmds[i]).collect();
        v.sort_by(|a, b| a.fullname.cmp(&b.fullname));
        v
    }

    /// The name of a top-level command as clients must call it now
    /// (rename-command may have changed it).
    pub fn is_visible(&self, c: &Command) -> bool {
        match c.parent {
            Some(p) => self.is_visible(&self.cmds[p]),
            None => self.by_name.values().any(|&i| i == c.id),
        }
    }
}

/// Key positions of `argv` for `cmd` (`getKeysFromCommandWithSpecs`).
pub fn get_keys(cmd: &Command, argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    out.clear();
    let specs = cmd.def.key_specs;
    let has_keyspec = specs.iter().any(|s| s.flags & keyflags::NOT_KEY == 0);
    let has_varflags = specs.iter().any(|s| s.flags & keyflags::VARIABLE_FLAGS != 0);
    if has_keyspec && !has_varflags && keys_from_specs(cmd, argv, out) {
        return;
    }
    out.clear();
    if let Some(f) = cmd.def.getkeys {
        f(argv, out);
    }
}

/// Applies key specs; false when a spec cannot be applied (invalid or
/// incomplete), in which case the caller falls back to the getkeys proc.
fn keys_from_specs(cmd: &Command, argv: &[&[u8]], out: &mut Vec<KeyPos>) -> bool {
    let argc = argv.len() as i64;
    for spec in cmd.def.key_specs {
        if spec.flags & keyflags::NOT_KEY != 0 {
            continue;
        }
        let first: i64 = match spec.begin {
            BeginSearch::Index(pos) => i64::from(pos),
            BeginSearch::Keyword { keyword, startfrom } => {
                let start = if startfrom > 0 {
                    i64::from(startfrom)
                } else {
                    argc + i64::from(startfrom)
                };
                let end = if startfrom > 0 { argc - 1 } else { 1 };
                let mut i = start;
                let mut found = 0;
                loop {
                    if i >= argc || i < 1 {
                        break;
                    }
                    if argv[i as usize].eq_ignore_ascii_case(keyword.as_bytes()) {
                        found = i + 1;
                        break;
                    }
                    if i == end {
                        break;
                    }
                    i = if start <= end { i + 1 } else { i - 1 };
                }
                if found == 0 {
                    continue;
                }
                found
            }
            BeginSearch::Unknown => return false,
        };
        let (mut first, last, step) = match spec.find {
            FindKeys::Range { lastkey, step, limit } => {
                let last = if lastkey >= 0 {
                    first + i64::from(lastkey)
                } else if limit == 0 {
                    argc + i64::from(lastkey)
                } else {
                    first + ((argc - first) / i64::from(limit) + i64::from(lastkey))
                };
                (first, last, i64::from(step))
            }
            FindKeys::Keynum { keynumidx, firstkey, step } => {
                let idx = first + i64::from(keynumidx);
                if i64::from(keynumidx) >= argc || idx >= argc {
                    return false;
                }
                let Some(n) = crate::util::num::parse_i64(argv[idx as usize]).filter(|n| *n >= 0) else {
                    return false;
                };
                let f = first + i64::from(firstkey);
                (f, f + n - 1, i64::from(step))
            }
            FindKeys::Unknown => return false,
        };
        if last >= argc || last < first || first >= argc {
            return false;
        }
        while first <= last {
            if first < argc {
                out.push(KeyPos {
                    pos: first as usize,
                    flags: spec.flags,
                });
            }
            first += step.max(1);
        }
        if spec.flags & keyflags::INCOMPLETE != 0 {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(reg: &Registry, args: &[&str]) -> Vec<usize> {
        let argv: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        let cmd = reg
            .cmds
            .iter()
            .find(|c| c.fullname == args[0].to_lowercase())
            .expect("command in table");
        let mut out = Vec::new();
        get_keys(cmd, &argv, &mut out);
        out.iter().map(|k| k.pos).collect()
    }

    /// The full table (as if every command were implemented) must derive
    /// what Redis derives.
    fn full_registry() -> Registry {
        let mut reg = Registry {
            cmds: Vec::new(),
            by_name: HashMap::default(),
        };
        for group in table::ALL {
            for d in group.iter() {
                let id = reg.add(d, None, d.name.to_string());
                for s in d.subcommands {
                    let sid = reg.add(s, Some(id), format!("{}|{}", d.name, s.name));
                    reg.cmds[id].subs.insert(s.name.as_bytes().to_vec(), sid);
                }
                reg.by_name.insert(d.name.as_bytes().to_vec(), id);
            }
        }
        reg
    }

    /// The hand-maintained tables (table/mod.rs): lowercase unique names
    /// in their group's file, a real arity, docs present, subcommands
    /// taking at least the container's name and their own.
    #[test]
    fn tables_are_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for group in table::ALL {
            let g = group.first().map(|d| d.group);
            for d in group.iter() {
                assert_eq!(Some(d.group), g, "{} is in another group's file", d.name);
                assert!(!d.name.is_empty() && d.name == d.name.to_ascii_lowercase(), "{}", d.name);
                assert!(seen.insert(d.name), "{} defined twice", d.name);
                assert!(d.arity != 0, "{} has arity 0", d.name);
                // Module commands carry no COMMAND DOCS in Redis (the Stack
                // modules do not set them).
                if d.group != crate::commands::def::Group::Module {
                    assert!(!d.summary.is_empty() && !d.since.is_empty(), "{} lacks docs", d.name);
                }
                let mut subs = std::collections::HashSet::new();
                for sub in d.subcommands {
                    assert!(subs.insert(sub.name), "{}|{} defined twice", d.name, sub.name);
                    assert!(sub.arity.abs() >= 2, "{}|{} arity {}", d.name, sub.name, sub.arity);
                    assert!(!sub.summary.is_empty(), "{}|{} lacks docs", d.name, sub.name);
                }
            }
        }
    }

    #[test]
    fn every_kind_names_one_command() {
        let reg = full_registry();
        let all = [
            Kind::Exec,
            Kind::Discard,
            Kind::Multi,
            Kind::Watch,
            Kind::Quit,
            Kind::Reset,
            Kind::Ping,
            Kind::Subscribe,
            Kind::Ssubscribe,
            Kind::Psubscribe,
            Kind::Unsubscribe,
            Kind::Sunsubscribe,
            Kind::Punsubscribe,
            Kind::Publish,
            Kind::Spublish,
            Kind::Eval,
            Kind::EvalRo,
            Kind::Evalsha,
            Kind::EvalshaRo,
            Kind::Fcall,
            Kind::FcallRo,
            Kind::Blmove,
            Kind::Brpoplpush,
            Kind::Client,
            Kind::Debug,
            Kind::Module,
        ];
        for k in all {
            let named: Vec<&str> = reg.cmds.iter().filter(|c| c.kind == k).map(|c| c.fullname.as_str()).collect();
            assert_eq!(named.len(), 1, "{k:?} resolves to {named:?}");
        }
        let caching = reg.lookup_by_fullname(b"client|caching").expect("client|caching");
        assert_eq!((caching.kind, caching.family), (Kind::Other, Kind::Client));
    }

    #[test]
    fn movablekeys_like_redis() {
        let reg = full_registry();
        let get = |n: &str| reg.lookup_by_fullname(n.as_bytes()).expect(n);
        for n in [
            "set",
            "get",
            "mset",
            "bitfield",
            "lmove",
            "lpop",
            "blpop",
            "ping",
            "memory",
            "memory|usage",
            "rename",
            "georadius_ro",
        ] {
            assert!(!get(n).has(flags::MOVABLE_KEYS), "{n} must not be movable");
        }
        for n in ["zunionstore", "xread", "eval", "sort", "sort_ro", "migrate", "georadius"] {
            assert!(get(n).has(flags::MOVABLE_KEYS), "{n} must be movable");
        }
        assert_eq!(get("mset").legacy, (1, -1, 2));
        assert_eq!(get("get").legacy, (1, 1, 1));
        assert_eq!(get("lmove").legacy, (1, 2, 1));
        assert_eq!(get("ping").legacy, (0, 0, 0));
    }

    #[test]
    fn key_extraction() {
        let reg = full_registry();
        assert_eq!(keys(&reg, &["get", "k"]), vec![1]);
        assert_eq!(keys(&reg, &["mset", "a", "1", "b", "2"]), vec![1, 3]);
        assert_eq!(keys(&reg, &["lcs", "k1", "k2"]), vec![1, 2]);
        assert_eq!(keys(&reg, &["eval", "return 1", "2", "a", "b", "c"]), vec![3, 4]);
        assert_eq!(keys(&reg, &["eval", "return 1", "0"]), Vec::<usize>::new());
        assert_eq!(keys(&reg, &["zunionstore", "dst", "2", "a", "b"]), vec![1, 3, 4]);
        assert_eq!(keys(&reg, &["sort", "k", "store", "d"]), vec![1, 3]);
        assert_eq!(keys(&reg, &["set", "k", "v"]), vec![1]);
        assert_eq!(keys(&reg, &["eval", "return 1", "99", "a"]), Vec::<usize>::new());
    }

    #[test]
    fn acl_categories_derived() {
        let reg = full_registry();
        let get = reg.lookup_by_fullname(b"get").unwrap();
        assert_eq!(get.acl, acl::READ | acl::STRING | acl::FAST);
        let set = reg.lookup_by_fullname(b"set").unwrap();
        assert_eq!(set.acl, acl::WRITE | acl::STRING | acl::SLOW);
    }
}
