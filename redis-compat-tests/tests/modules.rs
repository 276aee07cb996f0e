//! MODULE and INFO `# Modules`: what clients see of the built-in Redis
//! Stack modules. Replies that do not depend on which modules are loaded
//! are compared with a real redis-server 7.0.15 (no modules) when one is
//! installed; the module listing is checked against the Redis Stack
//! modules' names and versions.

use redis_compat_tests::*;
use std::path::Path;

const REDIS_SERVER: &str = "/usr/bin/redis-server";

const ARGS: &[&str] = &["--enable-module-command", "yes"];

/// Commands whose replies must be Redis's, byte for byte.
const SAME_AS_REDIS: &[&[&str]] = &[
    &["MODULE", "HELP"],
    &["MODULE", "LOAD", "/nonexistent/module.so"],
    &["MODULE", "LOAD", "/nonexistent/module.so", "arg1", "arg2"],
    &["MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "a", "b", "ARGS", "x"],
    &["MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "a"],
    &["MODULE", "UNLOAD", "nosuchmodule"],
    &["MODULE", "NOSUCHSUB"],
    &["MODULE", "LIST", "extra"],
    &["MODULE", "UNLOAD"],
    &["MODULE"],
];

fn raw(c: &mut Conn, args: &[&str]) -> Vec<u8> {
    let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
    c.cmd_raw(&a)
}

#[test]
fn module_command_errors_and_help() {
    let ours = Server::start(ARGS);
    let mut c = ours.conn();
    assert_reply!(
        c,
        "MODULE LOAD /nonexistent/module.so",
        b"-ERR Error loading the extension. Please check the server logs.\r\n"
    );
    assert_reply!(
        c,
        "MODULE UNLOAD nosuchmodule",
        b"-ERR Error unloading module: no such module with that name\r\n"
    );
    assert_reply!(c, "MODULE FOO", b"-ERR unknown subcommand 'FOO'. Try MODULE HELP.\r\n");
    let help = c.cmd_str("MODULE HELP");
    assert_eq!(help.array().len(), 11);
    assert!(help.array()[0].str().starts_with("MODULE <subcommand>"));
    // Refused unless enable-module-command allows it.
    let locked = Server::start(&[]);
    let mut l = locked.conn();
    assert_reply_glob!(
        l,
        "MODULE LOAD /x.so",
        "-ERR MODULE command not allowed. If the enable-module-command option*"
    );
    assert_reply!(l, "MODULE LIST", raw(&mut c, &["MODULE", "LIST"]));
}

#[test]
fn module_replies_match_redis() {
    if !Path::new(REDIS_SERVER).exists() {
        eprintln!("skipped: {REDIS_SERVER} not installed");
        return;
    }
    let ours = Server::start(ARGS);
    let real = Server::start_with(Path::new(REDIS_SERVER), None, ARGS);
    let (mut a, mut b) = (ours.conn(), real.conn());
    for cmd in SAME_AS_REDIS {
        let want = raw(&mut b, cmd);
        check_bytes(&raw(&mut a, cmd), &want, &cmd.join(" "));
    }
    for proto in ["2", "3"] {
        raw(&mut a, &["HELLO", proto]);
        raw(&mut b, &["HELLO", proto]);
        let want = raw(&mut b, &["MODULE", "HELP"]);
        check_bytes(&raw(&mut a, &["MODULE", "HELP"]), &want, "MODULE HELP");
    }
}

/// The `module:` lines of INFO, whichever section name asks for them.
fn module_lines(c: &mut Conn, section: &str) -> Vec<String> {
    let info = c.cmd_str(&format!("INFO {section}")).str();
    assert!(info.contains("# Modules\r\n"), "INFO {section}: {info}");
    info.lines().filter(|l| l.starts_with("module:")).map(str::to_string).collect()
}

#[test]
fn info_and_module_list_agree() {
    let ours = Server::start(ARGS);
    let mut c = ours.conn();
    let lines = module_lines(&mut c, "modules");
    assert_eq!(lines, module_lines(&mut c, "module_list"));
    assert_eq!(lines, module_lines(&mut c, "everything"));
    let list = c.cmd_str("MODULE LIST");
    assert_eq!(list.array().len(), lines.len());
    for (m, line) in list.array().iter().zip(&lines) {
        let name = m.field("name").map(|v| v.str()).unwrap_or_default();
        let ver = m.field("ver").map(|v| v.int()).unwrap_or_default();
        assert!(
            line.starts_with(&format!(
                "module:name={name},ver={ver},api=1,filters=0,usedby=[],using=[],options=["
            )),
            "{line}"
        );
        assert_eq!(m.field("path").map(|v| v.str()), Some(String::new()));
        assert_eq!(m.field("args").map(|v| v.array().len()), Some(0));
        // Built-in modules export data types: they never unload.
        assert_reply!(
            c,
            ["MODULE", "UNLOAD", name.as_str()],
            b"-ERR Error unloading module: the module exports one or more module-side data types, can't unload\r\n"
        );
    }
}
