//! The command reference, docs/commands.md, generated from the command
//! table: every command and subcommand the server serves, with its syntax
//! (rendered from the COMMAND DOCS arguments, or `ref_syntax` for module
//! commands), summary, version, complexity, ACL categories and flags.
//!
//! `make docs` rewrites the file; the test at the bottom fails when the
//! committed file differs from what the table renders, so a command added
//! or changed without `make docs` turns CI red.

use super::def::{acl, argflags, docflags, flags, Arg, ArgType, Group};
use super::{Command, Registry};
use std::fmt::Write as _;

/// Sections of the module commands, by name prefix.
const MODULE_SECTIONS: &[(&str, &str)] = &[
    ("json.", "JSON (RedisJSON 2.8)"),
    ("bf.", "Bloom filter (RedisBloom 2.8)"),
    ("cf.", "Cuckoo filter (RedisBloom 2.8)"),
    ("cms.", "Count-min sketch (RedisBloom 2.8)"),
    ("topk.", "Top-K (RedisBloom 2.8)"),
    ("tdigest.", "t-digest (RedisBloom 2.8)"),
    ("ts.", "Time series (RedisTimeSeries 1.12)"),
    // Vector sets register unprefixed names (VADD, VSIM ...).
    ("v", "Vector sets (Redis 8)"),
];

/// The order of the core groups, as redis.io lists them.
const CORE_GROUPS: &[Group] = &[
    Group::String,
    Group::List,
    Group::Set,
    Group::SortedSet,
    Group::Hash,
    Group::Stream,
    Group::Bitmap,
    Group::Hyperloglog,
    Group::Geo,
    Group::Pubsub,
    Group::Transactions,
    Group::Scripting,
    Group::Connection,
    Group::Generic,
    Group::Server,
    Group::Cluster,
    Group::Sentinel,
];

/// One argument as the usage line shows it: `[NX | XX]`,
/// `key [key ...]`, `[LIMIT offset count]`.
fn render_arg(a: &Arg) -> String {
    let optional = a.flags & argflags::OPTIONAL != 0;
    let multiple = a.flags & argflags::MULTIPLE != 0;
    let body = match a.typ {
        ArgType::PureToken => a.token.unwrap_or(a.name).to_string(),
        ArgType::OneOf => {
            let alts: Vec<String> = a.subargs.iter().map(render_arg).collect();
            let alts = alts.join(" | ");
            // An optional choice is bracketed below; anything else needs
            // its own grouping.
            if optional && a.token.is_none() && !multiple {
                alts
            } else {
                format!("<{alts}>")
            }
        }
        ArgType::Block => a.subargs.iter().map(render_arg).collect::<Vec<_>>().join(" "),
        _ => a.name.to_string(),
    };
    let token = match a.typ {
        ArgType::PureToken => None,
        _ => a.token,
    };
    let one = match token {
        Some(t) => format!("{t} {body}"),
        None => body.clone(),
    };
    let s = if !multiple {
        one
    } else if a.flags & argflags::MULTIPLE_TOKEN != 0 || token.is_none() {
        format!("{one} [{one} ...]")
    } else {
        format!("{one} [{body} ...]")
    };
    if optional {
        format!("[{s}]")
    } else {
        s
    }
}

/// The usage line of a command: `SET key value [NX | XX] ...`.
pub fn syntax(c: &Command) -> String {
    if !c.def.ref_syntax.is_empty() {
        return c.def.ref_syntax.to_string();
    }
    let mut s = c.fullname.replace('|', " ").to_uppercase();
    for a in c.def.args {
        s.push(' ');
        s.push_str(&render_arg(a));
    }
    s
}

/// Names of the bits set in `bits`, in the table's order.
fn bit_names<'a>(bits: u64, table: &'a [(u64, &'a str)]) -> Vec<&'a str> {
    table.iter().filter(|(f, _)| bits & f != 0).map(|&(_, n)| n).collect()
}

fn anchor(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => Some(c),
            ' ' => Some('-'),
            _ => None,
        })
        .collect()
}

fn render_command(out: &mut String, c: &Command) {
    let d = c.def;
    let _ = writeln!(out, "### {}\n", c.fullname.replace('|', " ").to_uppercase());
    let _ = writeln!(out, "```\n{}\n```\n", syntax(c));
    let summary = if d.summary.is_empty() { d.ref_summary } else { d.summary };
    if !summary.is_empty() {
        let _ = writeln!(out, "{summary}\n");
    }
    if !d.since.is_empty() {
        let _ = writeln!(out, "- Since: {}", d.since);
    }
    if !d.complexity.is_empty() {
        let _ = writeln!(out, "- Time complexity: {}", d.complexity);
    }
    let cats: Vec<String> = bit_names(c.acl, acl::NAMES).iter().map(|n| format!("`@{n}`")).collect();
    if !cats.is_empty() {
        let _ = writeln!(out, "- ACL categories: {}", cats.join(", "));
    }
    let fl = bit_names(c.flags, flags::REPLY_NAMES);
    if !fl.is_empty() {
        let _ = writeln!(out, "- Flags: {}", fl.join(", "));
    }
    if d.doc_flags & docflags::DEPRECATED != 0 || d.deprecated_since.is_some() {
        let since = d.deprecated_since.map(|v| format!(" since {v}")).unwrap_or_default();
        let by = d.replaced_by.map(|r| format!(", replaced by {r}")).unwrap_or_default();
        let _ = writeln!(out, "- Deprecated{since}{by}");
    }
    for (v, what) in d.history {
        let _ = writeln!(out, "- {v}: {what}");
    }
    out.push('\n');
}

/// Renders the whole reference.
pub fn render(reg: &Registry) -> String {
    let mut sections: Vec<(String, Vec<&Command>)> = Vec::new();
    let top: Vec<&Command> = reg.top_level().into_iter().filter(|c| reg.is_visible(c)).collect();
    for &g in CORE_GROUPS {
        let mut cmds: Vec<&Command> = top.iter().copied().filter(|c| c.def.group == g).collect();
        cmds.sort_by(|a, b| a.fullname.cmp(&b.fullname));
        if !cmds.is_empty() {
            sections.push((g.name().to_string(), cmds));
        }
    }
    let module: Vec<&Command> = top.iter().copied().filter(|c| c.def.group == Group::Module).collect();
    for (prefix, title) in MODULE_SECTIONS {
        let mut cmds: Vec<&Command> = module.iter().copied().filter(|c| c.fullname.starts_with(prefix)).collect();
        cmds.sort_by(|a, b| a.fullname.cmp(&b.fullname));
        if !cmds.is_empty() {
            sections.push((title.to_string(), cmds));
        }
    }
    let mut other: Vec<&Command> = module
        .iter()
        .copied()
        .filter(|c| !MODULE_SECTIONS.iter().any(|(p, _)| c.fullname.starts_with(p)))
        .collect();
    other.sort_by(|a, b| a.fullname.cmp(&b.fullname));
    if !other.is_empty() {
        sections.push(("Other module commands".to_string(), other));
    }

    let count: usize = sections
        .iter()
        .map(|(_, v)| v.iter().map(|c| 1 + reg.subs_of(c).len()).sum::<usize>())
        .sum();
    let mut out = String::new();
    out.push_str("# Command reference\n\n");
    out.push_str(
        "Generated from the command table by `make docs` (src/commands/reference.rs); do not edit by\n\
         hand: `cargo test` fails when this file and the table disagree. Replies, errors and options\n\
         are those of Redis 7.0.15 and of the Redis Stack 7.4 modules; the user guide lists the known\n\
         differences.\n\n",
    );
    let _ = writeln!(out, "{count} commands and subcommands.\n");
    for (title, cmds) in &sections {
        let _ = writeln!(out, "- [{title}](#{}) ({})", anchor(title), cmds.len());
    }
    out.push('\n');
    for (title, cmds) in &sections {
        let _ = writeln!(out, "## {title}\n");
        for c in cmds {
            render_command(&mut out, c);
            for s in reg.subs_of(c) {
                render_command(&mut out, s);
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg() -> Registry {
        Registry::build()
    }

    #[test]
    fn usage_lines_match_redis_docs() {
        let r = reg();
        let line = |name: &str| syntax(r.lookup_by_fullname(name.as_bytes()).expect(name));
        assert_eq!(
            line("set"),
            "SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]"
        );
        assert_eq!(line("del"), "DEL key [key ...]");
        assert_eq!(line("mset"), "MSET key value [key value ...]");
        assert_eq!(line("config|get"), "CONFIG GET parameter [parameter ...]");
        assert_eq!(
            line("json.get"),
            "JSON.GET key [INDENT indent] [NEWLINE newline] [SPACE space] [path [path ...]]"
        );
    }

    /// docs/commands.md is what the table renders (`make docs` rewrites
    /// it: OXIDIS_UPDATE_DOCS=1).
    #[test]
    fn reference_is_current() {
        let r = reg();
        // Every command needs a usage line and a summary.
        for c in r.cmds.iter().filter(|c| r.is_visible(c)) {
            let d = c.def;
            assert!(
                !(d.summary.is_empty() && d.ref_summary.is_empty()),
                "{} has no summary (set ref_summary for a module command)",
                c.fullname
            );
            if d.group == Group::Module {
                assert!(!d.ref_syntax.is_empty(), "{}: module commands need ref_syntax", c.fullname);
            }
        }
        let text = render(&r);
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/commands.md");
        if std::env::var_os("OXIDIS_UPDATE_DOCS").is_some() {
            std::fs::write(path, &text).expect("write docs/commands.md");
            return;
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(on_disk == text, "docs/commands.md is out of date: run `make docs`");
    }
}
