//! Unit tests of users, rules, checks and ACL files against the real
//! command table.

use super::file::{check_config_user, parse_acl_file};
use super::table::CmdTable;
use super::user::*;
use super::*;
use crate::commands::Registry;
use std::sync::OnceLock;

fn registry() -> &'static Registry {
    static REG: OnceLock<&'static Registry> = OnceLock::new();
    REG.get_or_init(|| Box::leak(Box::new(Registry::build())))
}

fn table() -> &'static CmdTable {
    static T: OnceLock<CmdTable> = OnceLock::new();
    T.get_or_init(|| CmdTable::new(registry()))
}

fn env() -> RuleEnv<'static> {
    RuleEnv {
        t: table(),
        all_channels: false,
    }
}

fn user(rules: &str) -> User {
    let mut u = User::new(env(), b"u");
    for op in rules.split(' ').filter(|s| !s.is_empty()) {
        u.apply(env(), op.as_bytes()).unwrap_or_else(|e| panic!("{op}: {e:?}"));
    }
    u
}

fn describe(u: &User) -> String {
    String::from_utf8(u.describe(table())).unwrap()
}

fn check(u: &User, args: &[&str]) -> Result<(), Denied> {
    let argv: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let cmd = registry().lookup(&argv).expect("command exists");
    let mut keys = Vec::new();
    u.check_command(
        table(),
        cmd,
        &argv,
        &mut KeyCache {
            keys: &mut keys,
            ready: false,
        },
    )
}

#[test]
fn new_and_default_users_describe_like_redis() {
    assert_eq!(describe(&User::new(env(), b"x")), "off resetchannels -@all");
    assert_eq!(describe(&User::new_default(env())), "on nopass ~* &* +@all");
    let mut u = User::new_default(env());
    u.apply(env(), b"reset").unwrap();
    assert_eq!(describe(&u), "off sanitize-payload resetchannels -@all");
    let all = RuleEnv {
        t: table(),
        all_channels: true,
    };
    u.apply(all, b"reset").unwrap();
    assert_eq!(describe(&u), "off sanitize-payload &* -@all");
}

#[test]
fn passwords_are_hashed_and_removable() {
    let mut u = user("on >secret");
    assert!(u.password_ok(b"secret"));
    assert!(!u.password_ok(b"other"));
    assert_eq!(u.passwords[0], hash_password(b"secret"));
    // Known SHA-256 of "passwd4", from the Redis suite.
    let h = "34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e6";
    u.apply(env(), format!("#{h}").as_bytes()).unwrap();
    assert!(u.password_ok(b"passwd4"));
    assert_eq!(u.apply(env(), b"#abc"), Err(RuleError::BadHash));
    assert_eq!(u.apply(env(), format!("#{}", h.to_uppercase()).as_bytes()), Err(RuleError::BadHash));
    u.apply(env(), format!("!{h}").as_bytes()).unwrap();
    assert!(!u.password_ok(b"passwd4"));
    assert_eq!(u.apply(env(), b"<nothere"), Err(RuleError::NoSuchPassword));
    u.apply(env(), b"<secret").unwrap();
    assert!(!u.password_ok(b"secret"));
    u.apply(env(), b"nopass").unwrap();
    assert!(u.password_ok(b"anything"));
    u.apply(env(), b"off").unwrap();
    assert!(!u.password_ok(b"anything"), "disabled users cannot log in");
    // Binary passwords are hashed whole.
    u.apply(env(), b"on").unwrap();
    u.apply(env(), b"resetpass").unwrap();
    u.apply(env(), b">a\0b").unwrap();
    assert!(u.password_ok(b"a\0b"));
    assert!(!u.password_ok(b"a"));
}

#[test]
fn rule_errors() {
    let mut u = user("");
    assert_eq!(u.apply(env(), b"+nosuchcmd"), Err(RuleError::UnknownCommand));
    assert_eq!(u.apply(env(), b"+@nosuchcat"), Err(RuleError::UnknownCommand));
    assert_eq!(u.apply(env(), b"+config|nosuch"), Err(RuleError::UnknownCommand));
    assert_eq!(u.apply(env(), b"-get|key1|key2"), Err(RuleError::UnknownCommand));
    assert_eq!(u.apply(env(), b"+config|get|appendonly"), Err(RuleError::SubcommandFirstArg));
    assert_eq!(u.apply(env(), b"+select|"), Err(RuleError::Syntax));
    assert_eq!(u.apply(env(), b"%"), Err(RuleError::Syntax));
    assert_eq!(u.apply(env(), b"%~"), Err(RuleError::Syntax));
    assert_eq!(u.apply(env(), b"%X~a"), Err(RuleError::Syntax));
    assert_eq!(u.apply(env(), b"~a b"), Err(RuleError::Syntax));
    assert_eq!(u.apply(env(), b"bogus"), Err(RuleError::Syntax));
    assert_eq!(u.apply(env(), b"("), Err(RuleError::Syntax));
    assert_eq!(u.apply(env(), b")"), Err(RuleError::Syntax));
    assert_eq!(u.apply(env(), b"(this-is-invalid)"), Err(RuleError::Syntax));
    u.apply(env(), b"allkeys").unwrap();
    assert_eq!(u.apply(env(), b"~foo"), Err(RuleError::KeyAfterAll));
    u.apply(env(), b"allchannels").unwrap();
    assert_eq!(u.apply(env(), b"&foo"), Err(RuleError::ChannelAfterAll));
    assert_eq!(u.apply(env(), b"(&* &fail)"), Err(RuleError::ChannelAfterAll));
    // An empty rule does nothing; keywords ignore case.
    u.apply(env(), b"").unwrap();
    u.apply(env(), b"ON").unwrap();
    assert!(u.has(uflags::ENABLED));
    // `%RW` without `~` is accepted as an empty pattern, like Redis.
    u.apply(env(), b"resetkeys").unwrap();
    u.apply(env(), b"%RW").unwrap();
    assert_eq!(u.root.keys_text(), b"~");
}

#[test]
fn key_patterns_merge_permissions() {
    let u = user("%R~foo %W~foo %RW~bar %R~baz");
    assert_eq!(u.root.keys_text(), b"~foo ~bar %R~baz");
    assert_eq!(describe(&u), "off ~foo ~bar %R~baz resetchannels -@all");
}

#[test]
fn subcommand_rules_describe_back() {
    let u = user("+@all -client +client|id +client|setname");
    let cmds = u.root.describe_commands(table());
    assert!(cmds.starts_with("+@all -client "), "{cmds}");
    assert!(cmds.contains("+client|id") && cmds.contains("+client|setname"), "{cmds}");
    assert_eq!(user("+@all -client|kill").root.describe_commands(table()), "+@all -client|kill");
    assert_eq!(user("+memory|doctor").root.describe_commands(table()), "-@all +memory|doctor");
    assert_eq!(user("+memory|doctor +memory").root.describe_commands(table()), "-@all +memory");
    assert_eq!(user("+memory|doctor +@all +client|id").root.describe_commands(table()), "+@all");
    assert_eq!(user("+@all -memory").root.describe_commands(table()), "+@all -memory");
    let u = user("-@all +acl +select|0 +select|1 +select|0");
    assert_eq!(u.root.describe_commands(table()), "-@all +acl +select|0 +select|1");
}

#[test]
fn every_category_describes_as_itself() {
    for (_, name) in crate::commands::def::acl::NAMES {
        let u = user(&format!("+@all -@{name}"));
        assert_eq!(u.root.describe_commands(table()), format!("+@all -@{name}"));
        let u = user(&format!("-@all +@{name}"));
        assert_eq!(u.root.describe_commands(table()), format!("-@all +@{name}"));
    }
}

/// Describing a selector and applying the result gives the same bitmap.
#[test]
fn describe_round_trips() {
    let mut rng = crate::util::test_rng::Rng::new(7);
    let names: Vec<String> = table().top().iter().map(|&id| table().cmd(id).fullname.clone()).collect();
    let cats: Vec<&str> = crate::commands::def::acl::NAMES.iter().map(|(_, n)| *n).collect();
    for _ in 0..200 {
        let mut rules = String::from(if rng.below(2) == 0 { "+@all" } else { "-@all" });
        for _ in 0..rng.below(8) {
            let sign = if rng.below(2) == 0 { '+' } else { '-' };
            if rng.below(3) == 0 {
                rules.push_str(&format!(" {sign}@{}", cats[rng.below(cats.len() as u64) as usize]));
            } else {
                let id = table().top()[rng.below(names.len() as u64) as usize];
                let subs = table().subs(id);
                let target = if !subs.is_empty() && rng.below(2) == 0 {
                    subs[rng.below(subs.len() as u64) as usize]
                } else {
                    id
                };
                rules.push_str(&format!(" {sign}{}", table().cmd(target).fullname));
            }
        }
        let u = user(&rules);
        let described = u.root.describe_commands(table());
        let again = user(&described);
        for id in 0..=table().future_bit() {
            assert_eq!(u.root.bit(id), again.root.bit(id), "{rules} -> {described}: command {id}");
        }
    }
}

#[test]
fn command_key_and_channel_checks() {
    let u = user("+get +set +publish +subscribe +psubscribe ~foo:* &news.*");
    assert_eq!(check(&u, &["get", "foo:1"]), Ok(()));
    assert_eq!(check(&u, &["get", "bar"]), Err(Denied::Key(1)));
    assert_eq!(check(&u, &["incr", "foo:1"]), Err(Denied::Command));
    assert_eq!(check(&u, &["publish", "news.a", "x"]), Ok(()));
    assert_eq!(check(&u, &["publish", "sport", "x"]), Err(Denied::Channel(1)));
    assert_eq!(check(&u, &["subscribe", "news.a", "sport"]), Err(Denied::Channel(2)));
    // A pattern is compared literally with the allowed patterns.
    assert_eq!(check(&u, &["psubscribe", "news.*"]), Ok(()));
    assert_eq!(check(&u, &["psubscribe", "news.a"]), Err(Denied::Channel(1)));
    // AUTH and HELLO need no permission.
    assert_eq!(check(&u, &["auth", "a", "b"]), Ok(()));
}

#[test]
fn read_and_write_key_permissions() {
    let u = user("+@all %R~read* %W~write* %RW~rw*");
    assert_eq!(check(&u, &["get", "read"]), Ok(()));
    assert_eq!(check(&u, &["get", "write"]), Err(Denied::Key(1)));
    assert_eq!(check(&u, &["lpush", "write", "a"]), Ok(()));
    assert_eq!(check(&u, &["set", "write", "v"]), Ok(()));
    assert_eq!(check(&u, &["set", "write", "v", "get"]), Err(Denied::Key(1)));
    assert_eq!(check(&u, &["copy", "read", "write"]), Ok(()));
    assert_eq!(check(&u, &["copy", "write", "read"]), Err(Denied::Key(1)));
    // Existence tests and lengths need either permission.
    for cmd in ["exists", "type", "strlen", "llen"] {
        assert_eq!(check(&u, &[cmd, "read"]), Ok(()), "{cmd}");
        assert_eq!(check(&u, &[cmd, "write"]), Ok(()), "{cmd}");
        assert_eq!(check(&u, &[cmd, "nothing"]), Err(Denied::Key(1)), "{cmd}");
    }
    assert_eq!(check(&u, &["sort", "read", "store", "write"]), Ok(()));
    assert_eq!(check(&u, &["sort", "write", "store", "write"]), Err(Denied::Key(1)));
    assert_eq!(check(&u, &["eval", "", "1", "read"]), Err(Denied::Key(3)));
    assert_eq!(check(&u, &["eval_ro", "", "1", "read"]), Ok(()));
    assert_eq!(check(&u, &["eval", "", "0", "read"]), Ok(()));
}

#[test]
fn selectors_are_alternatives_and_the_last_failure_is_reported() {
    let mut u = user("on +mget ~key");
    u.apply(env(), b"(+mget ~key ~otherkey)").unwrap();
    assert_eq!(check(&u, &["get", "key"]), Err(Denied::Command));
    assert_eq!(check(&u, &["mget", "key", "otherkey"]), Ok(()));
    assert_eq!(check(&u, &["mget", "otherkey", "someotherkey"]), Err(Denied::Key(2)));
    assert_eq!(check(&u, &["mget", "key", "otherkey", "someotherkey"]), Err(Denied::Key(3)));
    // R and W on different selectors do not add up.
    let mut u = user("on");
    u.apply(env(), b"(%R~read* +@all)").unwrap();
    u.apply(env(), b"(%W~write* +@all)").unwrap();
    assert_eq!(check(&u, &["get", "readstr"]), Ok(()));
    assert_eq!(check(&u, &["lpush", "writelist", "1"]), Ok(()));
    assert!(check(&u, &["copy", "read", "write"]).is_err());
    assert_eq!(
        describe(&u),
        "on resetchannels -@all (%R~read* resetchannels +@all) (%W~write* resetchannels +@all)"
    );
    u.apply(env(), b"clearselectors").unwrap();
    assert!(u.selectors.is_empty());
}

#[test]
fn first_args() {
    let u = user("-@all +select|0 +debug|object");
    assert_eq!(check(&u, &["select", "0"]), Ok(()));
    assert_eq!(check(&u, &["select", "1"]), Err(Denied::Command));
    assert_eq!(check(&u, &["debug", "OBJECT", "k"]), Ok(()));
    assert_eq!(check(&u, &["debug", "segfault"]), Err(Denied::Command));
    // Allowing the whole command drops the first-args.
    let u = user("-@all +select|0 +select");
    assert_eq!(u.root.describe_commands(table()), "-@all +select");
}

#[test]
fn selector_arguments_are_merged() {
    let args = |v: &[&str]| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
    let m = merge_selector_args(&args(&["on", "(~key1", "+get", ")", "(~key2 +get)"])).unwrap();
    assert_eq!(m, args(&["on", "(~key1 +get )", "(~key2 +get)"]));
    assert_eq!(merge_selector_args(&args(&["on", "(+get", "~a"])), Err(1));
    // A new "(" restarts the selector, as in Redis.
    let m = merge_selector_args(&args(&["(a", "(b", "c)"])).unwrap();
    assert_eq!(m, args(&["(b c)"]));
    let mut u = user("on");
    for op in m {
        u.apply(env(), &op).unwrap_err();
    }
}

#[test]
fn matcher_agrees_with_glob() {
    let pats: &[&[u8]] = &[
        b"*", b"**", b"foo", b"foo*", b"foo**", b"", b"f?o*", b"*foo", b"[ab]*", b"a\\*", b"\\*",
    ];
    let keys: &[&[u8]] = &[b"", b"foo", b"foobar", b"fo", b"xfoo", b"a*", b"*", b"bcd", b"f\0o"];
    for p in pats {
        let pat = Pattern::new(p.to_vec());
        for k in keys {
            assert_eq!(
                pat.matches(k),
                crate::util::glob::glob_match(p, k, false),
                "pattern {:?} key {:?}",
                String::from_utf8_lossy(p),
                String::from_utf8_lossy(k)
            );
        }
    }
}

#[test]
fn acl_file_errors_are_numbered_and_complete() {
    let text = b"user alice on >p ~* +@all\n\nuser alice on\nbob on\nuser carol on +nosuch +@nosuch bad worse\nuser dave on (+get\n";
    let err = parse_acl_file(env(), text, "users.acl").unwrap_err();
    assert_eq!(
        err,
        "WARNING: Duplicate user 'alice' found on line 3. users.acl:4 should start with user keyword followed by the username. \
users.acl:5: Error in applying operation '+nosuch': Unknown command or category name in ACL. \
users.acl:5: Error in applying operation '+@nosuch': Unknown command or category name in ACL. \
users.acl:5: Syntax error. users.acl:6: Unmatched parenthesis in selector definition.\
WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
    );
    let users = parse_acl_file(env(), b"user alice on (+get ~rw*)\r\nuser bob on (+set %W~w*) (+get %R~r*)", "f").unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[1].selectors.len(), 2);
    assert_eq!(users[1].selectors[1].keys_text(), b"%R~r*");
}

#[test]
fn hostile_rules_and_files_never_panic() {
    let mut rng = crate::util::test_rng::Rng::new(11);
    let alphabet = b"()~%&+-@|<>#!RWrw* \t\r\n\0abcgetsl";
    for _ in 0..2000 {
        let len = rng.below(40) as usize;
        let op: Vec<u8> = (0..len).map(|_| alphabet[rng.below(alphabet.len() as u64) as usize]).collect();
        let mut u = user("on");
        let _ = u.apply(env(), &op);
        let _ = describe(&u);
        let _ = parse_acl_file(env(), &op, "f");
        let _ = check_config_user(env(), &[b"user".to_vec(), b"x".to_vec(), op], &[]);
    }
    // A 1 MB pattern and deeply nested parentheses.
    let mut big = b"~".to_vec();
    big.extend(std::iter::repeat_n(b'a', 1 << 20));
    let mut u = user("on");
    u.apply(env(), &big).unwrap();
    assert!(u.root.check_key(&big[1..], 0));
    let nested = format!("{}+get{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_eq!(u.apply(env(), nested.as_bytes()), Err(RuleError::Syntax));
    let stars = format!("~{}", "*a".repeat(50_000));
    u.apply(env(), stars.as_bytes()).unwrap();
    assert!(!u.root.check_key(&[b'b'; 1000], 0));
}

#[test]
fn config_users_are_checked_like_redis() {
    let argv = |s: &str| s.split(' ').map(|w| w.as_bytes().to_vec()).collect::<Vec<_>>();
    assert_eq!(
        check_config_user(env(), &argv("user foo on +nosuch ~*"), &[]).unwrap(),
        argv("on +nosuch ~*")
    );
    assert_eq!(
        check_config_user(env(), &argv("user foo on"), &[b"foo".to_vec()]),
        Err((1, RuleError::DuplicateUser))
    );
    assert_eq!(check_config_user(env(), &argv("user foo on bad"), &[]), Err((1, RuleError::Syntax)));
    let e = super::file::config_user_error(&argv("user foo on bad"), 1, RuleError::Syntax);
    assert_eq!(e, "Error in user declaration 'foo': Syntax error");
}

#[test]
fn user_table_ids_do_not_outlive_users() {
    let mut acl = Acl::new(registry());
    assert_eq!(acl.lookup(b"default"), Some(UserId::DEFAULT));
    let id = acl.insert(User::new(env(), b"a")).unwrap();
    assert!(acl.insert(User::new(env(), b"a")).is_none());
    assert_eq!(acl.remove(b"a"), Some(id));
    assert!(acl.user(id).is_none());
    let id2 = acl.insert(User::new(env(), b"b")).unwrap();
    assert_ne!(id, id2, "a reused slot gets a new generation");
    assert!(acl.user(id).is_none());
    assert_eq!(acl.remove(b"default"), None);
    let names: Vec<&[u8]> = acl.iter().map(|(_, u)| u.name.as_slice()).collect();
    assert_eq!(names, vec![b"b".as_slice(), b"default"]);
    let cmd = registry().lookup(&[b"get".as_slice(), b"k"]).unwrap();
    assert_eq!(acl.check(Some(id), cmd, &[b"get", b"k"]), Err(Denied::Command));
    assert_eq!(acl.check(None, cmd, &[b"get", b"k"]), Ok(()));
    assert_eq!(acl.check(Some(UserId::DEFAULT), cmd, &[b"get", b"k"]), Ok(()));
}
