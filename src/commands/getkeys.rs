//! Key extraction for the commands whose key specs cannot describe every
//! key position (Redis's `get_keys_function`s, see `db.c`).
//!
//! Each function appends the positions of the keys in `argv` (argv[0] is the
//! command name) to `out`. The flags follow Redis: functions for commands
//! with complete key specs report 0 (callers take the flags from the specs),
//! the others report the access flags of each key. Malformed input never
//! panics; it just yields fewer keys (or none), and a position past the end
//! of `argv` is never reported.

use super::def::{keyflags, KeyPos};

/// Like C's `atoi`: optional leading whitespace and sign, then digits up to
/// the first non-digit; anything unparsable is 0. Saturates instead of
/// overflowing.
fn atoi(s: &[u8]) -> i64 {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let mut n: i64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        let d = (s[i] - b'0') as i64;
        n = if neg {
            n.saturating_mul(10).saturating_sub(d)
        } else {
            n.saturating_mul(10).saturating_add(d)
        };
        i += 1;
    }
    n
}

/// `strcasecmp(arg, word) == 0` as Redis does it: the comparison stops at
/// the first NUL byte of the argument.
fn is(arg: &[u8], word: &str) -> bool {
    let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
    arg[..end].eq_ignore_ascii_case(word.as_bytes())
}

fn push(argv: &[&[u8]], out: &mut Vec<KeyPos>, pos: usize, flags: u32) {
    if pos < argv.len() {
        out.push(KeyPos { pos, flags });
    }
}

/// `CMD [destkey] numkeys key [key ...] [options]`: `store` is the index of
/// the destination key (0 if none), `count` that of numkeys, `first` that of
/// the first key. Yields nothing if numkeys is not in 1..=keys available.
fn numkeys_form(argv: &[&[u8]], out: &mut Vec<KeyPos>, store: usize, count: usize, first: usize, step: usize) {
    let argc = argv.len();
    if count >= argc {
        return;
    }
    let num = atoi(argv[count]);
    if num < 1 || num > (argc as i64 - first as i64) / step as i64 {
        return;
    }
    for i in 0..num as usize {
        push(argv, out, first + i * step, 0);
    }
    if store != 0 {
        push(argv, out, store, 0);
    }
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
pub fn sintercard_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    numkeys_form(argv, out, 0, 1, 2, 1);
}

/// ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE destination numkeys key [key ...] ...
pub fn zunion_inter_diff_store_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    numkeys_form(argv, out, 1, 2, 3, 1);
}

/// ZUNION / ZINTER / ZDIFF / ZINTERCARD numkeys key [key ...] ...
pub fn zunion_inter_diff_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    numkeys_form(argv, out, 0, 1, 2, 1);
}

/// EVAL / EVALSHA (and _RO) script numkeys [key ...] [arg ...]
pub fn eval_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    numkeys_form(argv, out, 0, 2, 3, 1);
}

/// FCALL / FCALL_RO function numkeys [key ...] [arg ...]
pub fn function_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    numkeys_form(argv, out, 0, 2, 3, 1);
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
pub fn lmpop_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    numkeys_form(argv, out, 0, 1, 2, 1);
}

/// BLMPOP / BZMPOP timeout numkeys key [key ...] ...
pub fn blmpop_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    numkeys_form(argv, out, 0, 2, 3, 1);
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
pub fn zmpop_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    numkeys_form(argv, out, 0, 1, 2, 1);
}

/// SORT_RO key ...: only the sorted key; BY/GET patterns name keys that
/// depend on the data.
pub fn sort_ro_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    push(argv, out, 1, keyflags::RO | keyflags::ACCESS);
}

/// SORT key ... [STORE destination] ...: the sorted key, plus the key after
/// the last STORE found while skipping the arguments of LIMIT, GET and BY.
pub fn sort_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    push(argv, out, 1, keyflags::RO | keyflags::ACCESS);
    let argc = argv.len();
    let mut store = None;
    let mut i = 2;
    while i < argc {
        let a = argv[i];
        if is(a, "limit") {
            i += 2;
        } else if is(a, "get") || is(a, "by") {
            i += 1;
        } else if is(a, "store") && i + 1 < argc {
            // The destination itself is examined next, like Redis does.
            store = Some(i + 1);
        }
        i += 1;
    }
    if let Some(pos) = store {
        push(argv, out, pos, keyflags::OW | keyflags::UPDATE);
    }
}

/// MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw]
/// [AUTH2 user pw] [KEYS key [key ...]]
pub fn migrate_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    let argc = argv.len();
    let mut first = 3;
    let mut num = 1;
    if argc > 6 {
        let mut i = 6;
        while i < argc {
            let a = argv[i];
            if is(a, "keys") {
                if !argv[3].is_empty() {
                    // Syntax error (a key and KEYS together): no keys.
                    num = 0;
                } else {
                    first = i + 1;
                    num = argc - first;
                }
                break;
            }
            if is(a, "auth") {
                i += 1;
            } else if is(a, "auth2") {
                i += 2;
            }
            i += 1;
        }
    }
    for i in 0..num {
        push(argv, out, first + i, keyflags::RW | keyflags::ACCESS | keyflags::DELETE);
    }
}

/// GEORADIUS key lon lat radius unit ... / GEORADIUSBYMEMBER key member
/// radius unit ...: the source key and the last STORE/STOREDIST key.
pub fn georadius_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    let argc = argv.len();
    let mut stored = None;
    let mut i = 5;
    while i < argc {
        let a = argv[i];
        if (is(a, "store") || is(a, "storedist")) && i + 1 < argc {
            stored = Some(i + 1);
            i += 1;
        }
        i += 1;
    }
    push(argv, out, 1, 0);
    if let Some(pos) = stored {
        push(argv, out, pos, 0);
    }
}

/// XREAD / XREADGROUP [options] STREAMS key [key ...] id [id ...]: the
/// first half of the arguments after STREAMS.
pub fn xread_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    let argc = argv.len();
    let mut streams = None;
    let mut i = 1;
    while i < argc {
        let a = argv[i];
        if is(a, "block") || is(a, "count") {
            i += 1;
        } else if is(a, "group") {
            i += 2;
        } else if is(a, "noack") {
            // No argument.
        } else if is(a, "streams") {
            streams = Some(i);
            break;
        } else {
            break; // Syntax error.
        }
        i += 1;
    }
    let Some(sp) = streams else { return };
    let rest = argc - sp - 1;
    if rest == 0 || !rest.is_multiple_of(2) {
        return;
    }
    for pos in sp + 1..sp + 1 + rest / 2 {
        push(argv, out, pos, 0);
    }
}

/// SET key value [...]: the key is read too when GET is given.
pub fn set_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    let get = argv.iter().skip(3).any(|a| is(a, "get"));
    let flags = if get {
        keyflags::RW | keyflags::ACCESS | keyflags::UPDATE
    } else {
        keyflags::OW | keyflags::UPDATE
    };
    push(argv, out, 1, flags);
}

/// BITFIELD key [GET ...] [SET ...] [INCRBY ...] [OVERFLOW ...]: read-only
/// when every operation is a well-formed GET (or OVERFLOW).
pub fn bitfield_getkeys(argv: &[&[u8]], out: &mut Vec<KeyPos>) {
    let argc = argv.len();
    let mut readonly = true;
    let mut i = 2;
    while i < argc {
        let remaining = argc - i - 1;
        let a = argv[i];
        if is(a, "get") && remaining >= 2 {
            i += 2;
        } else if (is(a, "set") || is(a, "incrby")) && remaining >= 3 {
            readonly = false;
            break;
        } else if is(a, "overflow") && remaining >= 1 {
            i += 1;
        } else {
            readonly = false; // Syntax error: assume a write.
            break;
        }
        i += 1;
    }
    let flags = if readonly {
        keyflags::RO | keyflags::ACCESS
    } else {
        keyflags::RW | keyflags::ACCESS | keyflags::UPDATE
    };
    push(argv, out, 1, flags);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::def::keyflags::*;

    fn run(f: fn(&[&[u8]], &mut Vec<KeyPos>), args: &[&str]) -> Vec<(usize, u32)> {
        let argv: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        let mut out = Vec::new();
        f(&argv, &mut out);
        out.into_iter().map(|k| (k.pos, k.flags)).collect()
    }

    fn positions(f: fn(&[&[u8]], &mut Vec<KeyPos>), args: &[&str]) -> Vec<usize> {
        run(f, args).into_iter().map(|(p, _)| p).collect()
    }

    #[test]
    fn atoi_like_c() {
        assert_eq!(atoi(b"12"), 12);
        assert_eq!(atoi(b"  -3x"), -3);
        assert_eq!(atoi(b"+7"), 7);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b""), 0);
        assert_eq!(atoi(b"99999999999999999999999"), i64::MAX);
        assert_eq!(atoi(b"-99999999999999999999999"), i64::MIN);
    }

    #[test]
    fn is_stops_at_nul() {
        assert!(is(b"GeT", "get"));
        assert!(is(b"get\0junk", "get"));
        assert!(!is(b"gets", "get"));
        assert!(!is(b"ge", "get"));
    }

    #[test]
    fn sintercard() {
        let f = sintercard_getkeys;
        assert_eq!(run(f, &["sintercard", "2", "a", "b", "LIMIT", "1"]), vec![(2, 0), (3, 0)]);
        assert_eq!(positions(f, &["sintercard", "0", "a"]), Vec::<usize>::new());
        assert_eq!(positions(f, &["sintercard", "3", "a", "b"]), Vec::<usize>::new());
        assert_eq!(positions(f, &["sintercard", "x", "a"]), Vec::<usize>::new());
        assert_eq!(positions(f, &["sintercard"]), Vec::<usize>::new());
    }

    #[test]
    fn zunion_inter_diff_store() {
        let f = zunion_inter_diff_store_getkeys;
        assert_eq!(
            run(f, &["zunionstore", "dst", "2", "a", "b", "WEIGHTS", "1", "2"]),
            vec![(3, 0), (4, 0), (1, 0)]
        );
        assert_eq!(positions(f, &["zunionstore", "dst", "3", "a", "b"]), Vec::<usize>::new());
        assert_eq!(positions(f, &["zunionstore", "dst", "-1", "a"]), Vec::<usize>::new());
        assert_eq!(positions(f, &["zunionstore", "dst"]), Vec::<usize>::new());
    }

    #[test]
    fn zunion_inter_diff() {
        let f = zunion_inter_diff_getkeys;
        assert_eq!(positions(f, &["zinter", "2", "a", "b", "WITHSCORES"]), vec![2, 3]);
        assert_eq!(positions(f, &["zdiff", "1", "a"]), vec![2]);
        assert_eq!(positions(f, &["zdiff", "2", "a"]), Vec::<usize>::new());
    }

    #[test]
    fn eval_and_fcall() {
        assert_eq!(
            run(eval_getkeys, &["eval", "return 1", "2", "k1", "k2", "arg"]),
            vec![(3, 0), (4, 0)]
        );
        assert_eq!(positions(eval_getkeys, &["evalsha", "abc", "0"]), Vec::<usize>::new());
        assert_eq!(positions(eval_getkeys, &["eval", "s", "3", "k1", "k2"]), Vec::<usize>::new());
        assert_eq!(positions(function_getkeys, &["fcall", "f", "1", "k", "a", "b"]), vec![3]);
        assert_eq!(positions(function_getkeys, &["fcall", "f", "nope", "k"]), Vec::<usize>::new());
    }

    #[test]
    fn mpop_variants() {
        assert_eq!(positions(lmpop_getkeys, &["lmpop", "2", "a", "b", "LEFT"]), vec![2, 3]);
        assert_eq!(positions(lmpop_getkeys, &["lmpop", "4", "a", "b", "LEFT"]), Vec::<usize>::new());
        assert_eq!(positions(zmpop_getkeys, &["zmpop", "1", "z", "MIN", "COUNT", "2"]), vec![2]);
        assert_eq!(positions(blmpop_getkeys, &["blmpop", "0", "2", "a", "b", "RIGHT"]), vec![3, 4]);
        assert_eq!(positions(blmpop_getkeys, &["bzmpop", "1.5", "1", "z", "MAX"]), vec![3]);
        assert_eq!(positions(blmpop_getkeys, &["blmpop", "0", "0", "a", "LEFT"]), Vec::<usize>::new());
    }

    #[test]
    fn sort_ro() {
        assert_eq!(run(sort_ro_getkeys, &["sort_ro", "k", "BY", "w_*"]), vec![(1, RO | ACCESS)]);
        assert_eq!(run(sort_ro_getkeys, &["sort_ro"]), Vec::<(usize, u32)>::new());
    }

    #[test]
    fn sort() {
        let f = sort_getkeys;
        assert_eq!(run(f, &["sort", "k"]), vec![(1, RO | ACCESS)]);
        assert_eq!(
            run(f, &["sort", "k", "LIMIT", "0", "10", "STORE", "dst"]),
            vec![(1, RO | ACCESS), (6, OW | UPDATE)]
        );
        // The last STORE wins.
        assert_eq!(positions(f, &["sort", "k", "store", "d1", "STORE", "d2"]), vec![1, 5]);
        // Arguments of GET/BY/LIMIT are skipped, even if they read "store".
        assert_eq!(positions(f, &["sort", "k", "GET", "store", "x"]), vec![1]);
        assert_eq!(positions(f, &["sort", "k", "BY", "store"]), vec![1]);
        assert_eq!(positions(f, &["sort", "k", "LIMIT", "store", "store", "y"]), vec![1]);
        // STORE without a destination is ignored.
        assert_eq!(positions(f, &["sort", "k", "ALPHA", "STORE"]), vec![1]);
    }

    #[test]
    fn migrate() {
        let f = migrate_getkeys;
        let rw = RW | ACCESS | DELETE;
        assert_eq!(run(f, &["migrate", "h", "1", "key", "0", "5000"]), vec![(3, rw)]);
        assert_eq!(
            run(f, &["migrate", "h", "1", "", "0", "5000", "COPY", "KEYS", "a", "b"]),
            vec![(8, rw), (9, rw)]
        );
        // AUTH and AUTH2 arguments are skipped, so a password "keys" is not KEYS.
        assert_eq!(
            positions(f, &["migrate", "h", "1", "", "0", "5000", "AUTH", "keys", "KEYS", "a"]),
            vec![9]
        );
        assert_eq!(
            positions(f, &["migrate", "h", "1", "", "0", "5000", "AUTH2", "u", "keys", "KEYS", "a"]),
            vec![10]
        );
        // A key and KEYS together is a syntax error: no keys.
        assert_eq!(
            positions(f, &["migrate", "h", "1", "k", "0", "5000", "KEYS", "a"]),
            Vec::<usize>::new()
        );
        // Without KEYS the (possibly empty) key argument is the key.
        assert_eq!(positions(f, &["migrate", "h", "1", "k", "0", "5000", "REPLACE"]), vec![3]);
        assert_eq!(positions(f, &["migrate", "h"]), Vec::<usize>::new());
    }

    #[test]
    fn georadius() {
        let f = georadius_getkeys;
        assert_eq!(run(f, &["georadius", "k", "1", "2", "3", "km"]), vec![(1, 0)]);
        assert_eq!(run(f, &["georadius", "k", "1", "2", "3", "km", "STORE", "d"]), vec![(1, 0), (7, 0)]);
        assert_eq!(
            positions(f, &["georadius", "k", "1", "2", "3", "km", "STORE", "d1", "STOREDIST", "d2"]),
            vec![1, 9]
        );
        assert_eq!(
            positions(f, &["georadiusbymember", "k", "m", "3", "km", "storedist", "d"]),
            vec![1, 6]
        );
        assert_eq!(positions(f, &["georadius", "k", "1", "2", "3", "km", "STORE"]), vec![1]);
    }

    #[test]
    fn xread() {
        let f = xread_getkeys;
        assert_eq!(run(f, &["xread", "STREAMS", "a", "b", "0", "0"]), vec![(2, 0), (3, 0)]);
        assert_eq!(positions(f, &["xread", "COUNT", "2", "BLOCK", "0", "STREAMS", "s", "$"]), vec![6]);
        assert_eq!(
            positions(f, &["xreadgroup", "GROUP", "g", "streams", "NOACK", "STREAMS", "s1", ">"]),
            vec![6]
        );
        assert_eq!(positions(f, &["xread", "STREAMS", "a", "b", "0"]), Vec::<usize>::new());
        assert_eq!(positions(f, &["xread", "STREAMS"]), Vec::<usize>::new());
        assert_eq!(positions(f, &["xread", "BOGUS", "STREAMS", "a", "0"]), Vec::<usize>::new());
        assert_eq!(positions(f, &["xread", "COUNT"]), Vec::<usize>::new());
    }

    #[test]
    fn set() {
        let f = set_getkeys;
        assert_eq!(run(f, &["set", "k", "v"]), vec![(1, OW | UPDATE)]);
        assert_eq!(run(f, &["set", "k", "v", "EX", "10", "get"]), vec![(1, RW | ACCESS | UPDATE)]);
        // The value itself is not an option.
        assert_eq!(run(f, &["set", "k", "get"]), vec![(1, OW | UPDATE)]);
        assert_eq!(run(f, &["set", "k", "v", "GETX"]), vec![(1, OW | UPDATE)]);
    }

    #[test]
    fn bitfield() {
        let f = bitfield_getkeys;
        let ro = RO | ACCESS;
        let rw = RW | ACCESS | UPDATE;
        assert_eq!(run(f, &["bitfield", "k"]), vec![(1, ro)]);
        assert_eq!(run(f, &["bitfield", "k", "GET", "u8", "0", "get", "i4", "8"]), vec![(1, ro)]);
        assert_eq!(run(f, &["bitfield", "k", "OVERFLOW", "SAT", "GET", "u8", "0"]), vec![(1, ro)]);
        assert_eq!(run(f, &["bitfield", "k", "GET", "u8", "0", "SET", "u8", "0", "1"]), vec![(1, rw)]);
        assert_eq!(run(f, &["bitfield", "k", "INCRBY", "u8", "0", "1"]), vec![(1, rw)]);
        // Malformed input counts as a write.
        assert_eq!(run(f, &["bitfield", "k", "GET", "u8"]), vec![(1, rw)]);
        assert_eq!(run(f, &["bitfield", "k", "FOO"]), vec![(1, rw)]);
    }
}
