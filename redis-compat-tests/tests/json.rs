//! JSON.* commands (RedisJSON 2.8, built in). Expected replies are the
//! ones RedisJSON's own test suite (tests/pytest on its 2.8 branch) and
//! documentation give, in RESP2 and RESP3; a reply is rendered as a short
//! text (`'bulk'`, `:int`, `nil`, `[..]`, `{k: v}`, `!error`, `+status`,
//! `,double`, `#t`) so a case reads as one line.

use redis_compat_tests::*;

fn resp3(c: &mut Conn) {
    assert!(!run(c, &["HELLO", "3"]).is_error());
}

const NESTED: &str = r#"{"a":1,"nested":{"a":2,"b":3}}"#;

#[test]
fn set_get_nx_xx_and_paths() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["JSON.SET", "doc", "$", NESTED, "XX"], "nil"),
            (&["JSON.SET", "doc", "$", NESTED, "NX"], "+OK"),
            (&["JSON.SET", "doc", "$", NESTED, "NX"], "nil"),
            (&["JSON.GET", "doc"], r#"'{"a":1,"nested":{"a":2,"b":3}}'"#),
            (&["JSON.GET", "doc", "$"], r#"'[{"a":1,"nested":{"a":2,"b":3}}]'"#),
            (&["JSON.GET", "doc", "$..a"], "'[1,2]'"),
            (&["JSON.GET", "doc", "..a"], "'1'"),
            (&["JSON.GET", "doc", "$.nope"], "'[]'"),
            (&["JSON.GET", "doc", ".nope"], "!ERR Path '$.nope' does not exist"),
            (&["JSON.GET", "nokey", "$"], "nil"),
            // Several paths: an object keyed by the paths as given.
            (&["JSON.GET", "doc", "$..a", "$.nested.b"], r#"'{"$..a":[1,2],"$.nested.b":[3]}'"#),
            (&["JSON.GET", "doc", "..a", ".nested.b"], r#"'{"..a":1,".nested.b":3}'"#),
            (&["JSON.GET", "doc", "..a", "$.nested.b"], r#"'{"..a":[1,2],"$.nested.b":[3]}'"#),
            (&["JSON.GET", "doc", "..a", ".zz"], "!ERR Path '.zz' does not exist"),
            (
                &["JSON.GET", "doc", "INDENT", "\t", "NEWLINE", "\n", "SPACE", " ", "$..a", "$..a"],
                "'{\n\t\"$..a\": [\n\t\t1,\n\t\t2\n\t]\n}'",
            ),
            (
                &["JSON.GET", "doc", "INDENT", "  ", "NEWLINE", "\n", "SPACE", " ", ".nested"],
                "'{\n  \"a\": 2,\n  \"b\": 3\n}'",
            ),
            (&["JSON.GET", "doc", "SPACE", " ", ".nested"], r#"'{"a": 2,"b": 3}'"#),
            // Setting through paths: several matches, a new key, NX/XX.
            (&["JSON.SET", "doc", "$..a", "4.2"], "+OK"),
            (&["JSON.GET", "doc", "$"], r#"'[{"a":4.2,"nested":{"a":4.2,"b":3}}]'"#),
            (&["JSON.SET", "doc", "$.c", "[]", "XX"], "nil"),
            (&["JSON.SET", "doc", "$.c", "[]", "NX"], "+OK"),
            (&["JSON.SET", "doc", "$.c", "true", "NX"], "nil"),
            (&["JSON.SET", "doc", ".nested.d", r#""x""#], "+OK"),
            (&["JSON.GET", "doc", "."], r#"'{"a":4.2,"nested":{"a":4.2,"b":3,"d":"x"},"c":[]}'"#),
            (&["JSON.SET", "doc", "$.x.y", "1"], "nil"),
            (&["JSON.SET", "doc", "$.c[5]", "1"], "!ERR array index out of range"),
            (&["JSON.SET", "nokey", "$.a", "1"], "!ERR new objects must be created at the root"),
            (&["JSON.SET", "doc", "$", "1", "NX", "XX"], "!ERR syntax error"),
            (&["JSON.SET", "doc", "$"], "!ERR wrong number of arguments for 'JSON.SET' command"),
            // serde's and the path compiler's messages reach the client as they are.
            (&["JSON.SET", "doc", "$", "{bad"], "!key must be a string at line 1 column 2"),
            (&["JSON.SET", "doc", "$", "[1,]"], "!trailing comma at line 1 column 4"),
            (&["JSON.SET", "doc", "$", "1 2"], "!trailing characters at line 1 column 3"),
            (
                &["JSON.GET", "doc", "$."],
                "!Error occurred at position 2, Error at position 2: expected one of the following: <string>, '*', '['",
            ),
            (&["JSON.SET", "s", "$", r#""inizio""#], "+OK"),
            (&["JSON.GET", "s"], r#"'"inizio"'"#),
        ],
    );
    // A key of another type.
    check(
        &mut c,
        &[
            (&["SET", "str", "x"], "+OK"),
            (&["JSON.GET", "str", "$"], "!Existing key has wrong Redis type"),
            (&["JSON.SET", "str", "$", "1"], "!Existing key has wrong Redis type"),
            (&["TYPE", "doc"], "+ReJSON-RL"),
        ],
    );
}

#[test]
fn del_forget_type_mget() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["JSON.SET", "d1", "$", r#"{"a": 1, "nested": {"a": 2, "b": 3}}"#], "+OK"),
            (&["JSON.DEL", "d1", "$..a"], ":2"),
            (&["JSON.GET", "d1", "$"], r#"'[{"nested":{"b":3}}]'"#),
            // Only the top of a nested hierarchy goes; the object's last
            // pair takes the freed place (ijson's removal order).
            (
                &[
                    "JSON.SET",
                    "d2",
                    "$",
                    r#"{"a": {"a": 2, "b": 3}, "b": ["a", "b"], "nested": {"b":[true, "a","b"]}}"#,
                ],
                "+OK",
            ),
            (&["JSON.FORGET", "d2", "$..a"], ":1"),
            (&["JSON.GET", "d2", "$"], r#"'[{"nested":{"b":[true,"a","b"]},"b":["a","b"]}]'"#),
            (&["JSON.SET", "d3", "$", "[1, 2, 3]"], "+OK"),
            (&["JSON.DEL", "d3", "$[1,2,0]"], ":3"),
            (&["JSON.GET", "d3"], "'[]'"),
            (&["JSON.SET", "d3", "$", "[[1],[1,2,3]]"], "+OK"),
            (&["JSON.DEL", "d3", "$..[0]"], ":2"),
            (&["JSON.GET", "d3", "$"], "'[[[2,3]]]'"),
            (&["JSON.SET", "d3", "$", "[ true, { \"answer\": 42}, null ]"], "+OK"),
            (&["JSON.DEL", "d3", "[-1]"], ":1"),
            (&["JSON.GET", "d3"], r#"'[true,{"answer":42}]'"#),
            (&["JSON.DEL", "d3"], ":1"),
            (&["EXISTS", "d3"], ":0"),
            (&["JSON.DEL", "nokey", "..a"], ":0"),
            (&["JSON.DEL", "d1", "$.zz"], ":0"),
        ],
    );
    // Matches at indexes 1 and 10..12 are all deleted (numbers compare as
    // numbers, not as text).
    let arr: Vec<String> = (1..=12).map(|i| format!("{{\"x\":{i}}}")).collect();
    let arr = format!("[{}]", arr.join(","));
    check(
        &mut c,
        &[
            (&["JSON.SET", "k", "$", &arr], "+OK"),
            (&["JSON.DEL", "k", "$[?(@.x>0)]"], ":12"),
            (&["JSON.GET", "k"], "'[]'"),
        ],
    );
    let types = r#"{"object":{},"array":[],"string":"str","integer":42,"number":1.2,"boolean":false,"null":null}"#;
    check(
        &mut c,
        &[
            (&["JSON.SET", "t", "$", types], "+OK"),
            (&["JSON.TYPE", "t"], "'object'"),
            (&["JSON.TYPE", "t", ".integer"], "'integer'"),
            (&["JSON.TYPE", "t", ".nowhere"], "nil"),
            (
                &["JSON.TYPE", "t", "$.*"],
                "['object', 'array', 'string', 'integer', 'number', 'boolean', 'null']",
            ),
            (&["JSON.TYPE", "t", "$.nowhere"], "[]"),
            (&["JSON.TYPE", "nokey", "$"], "nil"),
            (
                &[
                    "JSON.SET",
                    "{doc}:1",
                    "$",
                    r#"{"a":1, "b": 2, "nested1": {"a": 3}, "c": null, "nested2": {"a": null}}"#,
                ],
                "+OK",
            ),
            (
                &[
                    "JSON.SET",
                    "{doc}:2",
                    "$",
                    r#"{"a":4, "b": 5, "nested3": {"a": 6}, "c": null, "nested4": {"a": [null]}}"#,
                ],
                "+OK",
            ),
            (&["SET", "{doc}:str", "x"], "+OK"),
            (
                &["JSON.MGET", "{doc}:1", "{doc}:str", "{doc}:2", "{doc}:none", "$..a"],
                "['[1,3,null]', nil, '[4,6,[null]]', nil]",
            ),
            (&["JSON.MGET", "{doc}:1", "{doc}:2", "$.nested1.a"], "['[3]', '[]']"),
            (&["JSON.MGET", "{doc}:1", "{doc}:2", "..a"], "['1', '4']"),
            (&["JSON.MGET", "{doc}:1", "{doc}:2", ".nested1.a"], "['3', nil]"),
            (&["JSON.MGET", "{doc}:1"], "!ERR wrong number of arguments for 'JSON.MGET' command"),
        ],
    );
}

#[test]
fn resp3_replies() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    resp3(&mut c);
    let doc = r#"{"a1":{"b":{"c":true,"d":null}},"a2":{"b":{"c":2}}}"#;
    check(
        &mut c,
        &[
            (&["JSON.SET", "r", "$", doc], "+OK"),
            (
                &["JSON.GET", "r", "FORMAT", "EXPAND1", "$..b"],
                r#"[['{"c":true,"d":null}', '{"c":2}']]"#,
            ),
            (
                &["JSON.GET", "r", "FORMAT", "EXPAND1", "$.a1", "$.a3"],
                r#"[['{"b":{"c":true,"d":null}}'], []]"#,
            ),
            (&["JSON.GET", "r", "FORMAT", "EXPAND", "$..b"], "[[{'c': #t, 'd': nil}, {'c': :2}]]"),
            (&["JSON.GET", "r", "FORMAT", "STRING", "$..c"], "'[true,2]'"),
            (&["JSON.GET", "r", "$..c"], "'[true,2]'"),
            (&["JSON.GET", "r", "FORMAT", "XML", "$"], "!ERR wrong reply format"),
            (&["JSON.GET", "nokey", "$.a3"], "nil"),
            (&["JSON.TYPE", "r", "$..c"], "[['boolean', 'integer']]"),
            (&["JSON.TYPE", "r"], "['object']"),
            (&["JSON.SET", "n", "$", r#"{"a":"b","b":[{"a":2}, {"a":5.0}, {"a":"c"}]}"#], "+OK"),
            (&["JSON.NUMINCRBY", "n", "$..a", "2"], "[nil, :4, ,7, nil]"),
            (&["JSON.NUMMULTBY", "n", "$..a", "2"], "[nil, :8, ,14, nil]"),
            (&["JSON.NUMINCRBY", "n", ".b[0].a", "1"], "[:9]"),
            (&["JSON.SET", "p", "$", "[[1,2,[3]],{\"x\":[4]}]"], "+OK"),
            (&["JSON.ARRPOP", "p", "FORMAT", "EXPAND", "$[0]"], "[[:3]]"),
            (&["JSON.ARRPOP", "p", "FORMAT", "EXPAND1", "$[0]"], "[:2]"),
            (&["JSON.ARRPOP", "p", "FORMAT", "STRING", "$[0]"], "!ERR wrong reply format"),
        ],
    );
    let mut c2 = srv.conn();
    check(
        &mut c2,
        &[
            (
                &["JSON.GET", "r", "FORMAT", "EXPAND", "$"],
                "!ERR FORMAT argument is not supported on RESP2",
            ),
            (
                &["JSON.ARRPOP", "p", "FORMAT", "EXPAND", "$"],
                "!ERR FORMAT argument is not supported on RESP2",
            ),
        ],
    );
}

#[test]
fn numbers_and_strings() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["JSON.SET", "n", "$", r#"{"a":"b","b":[{"a":2}, {"a":5.0}, {"a":"c"}]}"#], "+OK"),
            (&["JSON.NUMINCRBY", "n", "$..a", "2"], "'[null,4,7.0,null]'"),
            (&["JSON.NUMINCRBY", "n", "$..a", "2.5"], "'[null,6.5,9.5,null]'"),
            (&["JSON.NUMINCRBY", "n", "$.b[1].a", "2"], "'[11.5]'"),
            (&["JSON.NUMINCRBY", "n", "$.b[2].a", "2"], "'[null]'"),
            (&["JSON.NUMINCRBY", "n", "$.b[1].a", "3.5"], "'[15.0]'"),
            (&["JSON.NUMINCRBY", "n", ".b[1].a", "1"], "'16.0'"),
            (
                &["JSON.NUMINCRBY", "n", ".a", "1"],
                "!ERR Path '$.a' does not exist or does not contains a number",
            ),
            (&["JSON.NUMINCRBY", "n", "$.b[1].a", "x"], "!ERR expected value at line 1 column 1"),
            (&["JSON.NUMINCRBY", "n", "$.b[1].a", "\"1\""], "!bad input number"),
            (
                &["JSON.NUMINCRBY", "nokey", "$", "1"],
                "!ERR could not perform this operation on a key that doesn't exist",
            ),
            (&["JSON.SET", "m", "$", r#"{"a":"b","b":[{"a":2}, {"a":5.0}, {"a":"c"}]}"#], "+OK"),
            (&["JSON.NUMMULTBY", "m", "$..a", "2"], "'[null,4,10.0,null]'"),
            (&["JSON.NUMMULTBY", "m", "$..a", "2.5"], "'[null,10.0,25.0,null]'"),
            (&["JSON.SET", "w", "$", "9223372036854775807"], "+OK"),
            // Integer overflow wraps, as RedisJSON's i64 arithmetic.
            (&["JSON.NUMINCRBY", "w", "$", "1"], "'[-9223372036854775808]'"),
            (&["JSON.SET", "f", "$", "1.5e308"], "+OK"),
            (&["JSON.NUMMULTBY", "f", "$", "10"], "!result is not a number"),
        ],
    );
    check(
        &mut c,
        &[
            (
                &[
                    "JSON.SET",
                    "s",
                    "$",
                    r#"{"a":"foo", "nested1": {"a": "hello"}, "nested2": {"a": 31}}"#,
                ],
                "+OK",
            ),
            (&["JSON.STRAPPEND", "s", "$..a", "\"bar\""], "[:6, :8, nil]"),
            (
                &["JSON.GET", "s", "$"],
                r#"'[{"a":"foobar","nested1":{"a":"hellobar"},"nested2":{"a":31}}]'"#,
            ),
            (&["JSON.STRLEN", "s", "$..a"], "[:6, :8, nil]"),
            (&["JSON.STRLEN", "s", "..a"], ":6"),
            (&["JSON.STRAPPEND", "s", ".*.a", "\"baz\""], ":11"),
            (
                &["JSON.STRAPPEND", "s", ".nested2.a", "\"x\""],
                "!ERR Path '$.nested2.a' does not exist or not a string",
            ),
            (&["JSON.STRAPPEND", "s", "$.a", "x"], "!ERR expected value at line 1 column 1"),
            (
                &["JSON.STRAPPEND", "s", "$.a", "1"],
                "!WRONGTYPE wrong type of path value - expected string but found 1",
            ),
            (
                &["JSON.STRAPPEND", "nokey", "$..a", "\"x\""],
                "!ERR could not perform this operation on a key that doesn't exist",
            ),
            (
                &["JSON.STRLEN", "nokey", "$..a"],
                "!ERR could not perform this operation on a key that doesn't exist",
            ),
            (&["JSON.SET", "r", "$", r#""abcd""#], "+OK"),
            (&["JSON.STRAPPEND", "r", "\"piu\""], ":7"),
            (&["JSON.STRAPPEND", "r", "\"\\u00e9\\n\""], ":10"),
            // serde_json prints non-ASCII as it is and escapes control characters.
            (&["JSON.GET", "r"], "'\"abcdpiu\u{e9}\\n\"'"),
            (&["JSON.STRLEN", "r"], ":10"),
        ],
    );
}

#[test]
fn arrays_and_objects() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let base = r#"{"a":["foo"], "nested1": {"a": ["hello", null, "world"]}, "nested2": {"a": 31}}"#;
    check(
        &mut c,
        &[
            (&["JSON.SET", "a", "$", base], "+OK"),
            (&["JSON.ARRAPPEND", "a", "$..a", "\"bar\"", "\"racuda\""], "[:3, :5, nil]"),
            (&["JSON.ARRLEN", "a", "$..a"], "[:3, :5, nil]"),
            (&["JSON.ARRLEN", "a", "..a"], ":3"),
            (&["JSON.ARRINDEX", "a", "$..a", "\"bar\""], "[:1, :3, nil]"),
            (&["JSON.ARRINDEX", "a", "$..a", "\"bar\"", "2"], "[:-1, :3, nil]"),
            (&["JSON.ARRINSERT", "a", "$..a", "1", "\"x\""], "[:4, :6, nil]"),
            (&["JSON.ARRINSERT", "a", "$.a", "99", "\"x\""], "!ERR index out of bounds"),
            (&["JSON.ARRINSERT", "a", "$.a", "-1", "\"y\""], "[:5]"),
            (&["JSON.GET", "a", "$.a"], r#"'[["foo","x","bar","y","racuda"]]'"#),
            (&["JSON.ARRPOP", "a", "$..a"], r#"['"racuda"', '"racuda"', nil]"#),
            (&["JSON.ARRPOP", "a", "$..a", "0"], r#"['"foo"', '"hello"', nil]"#),
            (&["JSON.ARRTRIM", "a", "$..a", "1", "1"], "[:1, :1, nil]"),
            (
                &["JSON.GET", "a", "$"],
                r#"'[{"a":["bar"],"nested1":{"a":[null]},"nested2":{"a":31}}]'"#,
            ),
            (
                &["JSON.ARRAPPEND", "a", ".nested2.a", "1"],
                "!ERR Path '.nested2.a' does not exist or not an array",
            ),
            (
                &["JSON.ARRAPPEND", "nokey", "$..a", "1"],
                "!ERR could not perform this operation on a key that doesn't exist",
            ),
            (
                &["JSON.ARRAPPEND", "a", "$..a"],
                "!ERR wrong number of arguments for 'JSON.ARRAPPEND' command",
            ),
            (&["JSON.SET", "b", "$", r#"{"a":[[1,2,3],[4,5,6]]}"#], "+OK"),
            // Nested matches mutate deepest and highest index first;
            // replies stay in match order.
            (
                &["JSON.ARRPOP", "b", "$..*", "-1"],
                "['[4,5]', '3', '6', nil, nil, nil, nil, nil, nil]",
            ),
            (&["JSON.GET", "b"], r#"'{"a":[[1,2]]}'"#),
            (&["JSON.SET", "b", "$", "[1,[2,3],4]"], "+OK"),
            (&["JSON.ARRTRIM", "b", "$", "1", "-1"], "[:2]"),
            (&["JSON.ARRTRIM", "b", "$", "5", "10"], "[:0]"),
            (&["JSON.GET", "b"], "'[]'"),
            (&["JSON.ARRPOP", "b"], "nil"),
            (
                &["JSON.ARRINDEX", "b", "$", "[1"],
                "!ERR EOF while parsing a list at line 1 column 2",
            ),
        ],
    );
    check(
        &mut c,
        &[
            (
                &[
                    "JSON.SET",
                    "o",
                    "$",
                    r#"{"nested1": {"a": {"foo": 10, "bar": 20}}, "a":["foo"], "nested2": {"a": {"baz":50}}}"#,
                ],
                "+OK",
            ),
            (&["JSON.OBJKEYS", "o", "$..a"], "[nil, ['foo', 'bar'], ['baz']]"),
            (&["JSON.OBJLEN", "o", "$..a"], "[nil, :2, :1]"),
            (&["JSON.OBJKEYS", "o", ".nested1.a"], "['foo', 'bar']"),
            (&["JSON.OBJLEN", "o", ".nested1.a"], ":2"),
            (&["JSON.OBJKEYS", "o", "$.nowhere"], "[]"),
            (&["JSON.OBJKEYS", "o"], "['nested1', 'a', 'nested2']"),
            (&["JSON.OBJLEN", "o"], ":3"),
            (&["JSON.OBJLEN", "nokey", ".a"], "nil"),
        ],
    );
}

#[test]
fn mset_merge_clear_toggle_resp_debug() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&["JSON.MSET", "{m}1", "$", r#"{"a":1}"#, "{m}2", "$", "[1]"], "+OK"),
            (&["JSON.MSET", "{m}1", "$.b", "2", "{m}2", "$[0]", "3"], "+OK"),
            (&["JSON.MGET", "{m}1", "{m}2", "$"], r#"['[{"a":1,"b":2}]', '[[3]]']"#),
            // All triples are checked before any is applied.
            (
                &["JSON.MSET", "{m}1", "$.c", "1", "{m}3", "$.a", "1"],
                "!ERR new objects must be created at the root",
            ),
            (&["JSON.GET", "{m}1", "$.c"], "'[]'"),
            (
                &["JSON.MSET", "{m}1", "$"],
                "!ERR wrong number of arguments for 'JSON.MSET' command",
            ),
            (&["JSON.SET", "g", "$", r#"{"a":{"b":1,"c":2},"d":[1]}"#], "+OK"),
            (&["JSON.MERGE", "g", "$", r#"{"a":{"b":null,"e":3},"d":{"x":1}}"#], "+OK"),
            (&["JSON.GET", "g"], r#"'{"a":{"c":2,"e":3},"d":{"x":1}}'"#),
            (&["JSON.MERGE", "g", "$.a.f", "5"], "+OK"),
            (&["JSON.MERGE", "g", "$.a", "null"], "+OK"),
            (&["JSON.GET", "g"], r#"'{"a":null,"d":{"x":1}}'"#),
            (&["JSON.MERGE", "nokey", "$.a", "1"], "!ERR new objects must be created at the root"),
        ],
    );
    check(
        &mut c,
        &[
            (
                &[
                    "JSON.SET",
                    "c",
                    "$",
                    r#"{"nested1": {"a": {"foo": 10, "bar": 20}}, "a":["foo"], "nested2": {"a": "baz"}, "n": 3.5, "z": 0}"#,
                ],
                "+OK",
            ),
            (&["JSON.CLEAR", "c", "$..a"], ":2"),
            (&["JSON.CLEAR", "c", "$.n"], ":1"),
            (&["JSON.CLEAR", "c", "$.z"], ":0"),
            (
                &["JSON.GET", "c", "$"],
                r#"'[{"nested1":{"a":{}},"a":[],"nested2":{"a":"baz"},"n":0,"z":0}]'"#,
            ),
            (&["JSON.CLEAR", "c"], ":1"),
            (&["JSON.GET", "c"], "'{}'"),
            (
                &["JSON.CLEAR", "nokey"],
                "!ERR could not perform this operation on a key that doesn't exist",
            ),
            (
                &[
                    "JSON.SET",
                    "t",
                    "$",
                    r#"{"a":["foo"], "nested1": {"a": false}, "nested2": {"a": 31}, "nested3": {"a": true}}"#,
                ],
                "+OK",
            ),
            (&["JSON.TOGGLE", "t", "$..a"], "[nil, :1, nil, :0]"),
            (&["JSON.GET", "t", "$..a"], r#"'[["foo"],true,31,false]'"#),
            (&["JSON.TOGGLE", "t", ".nested1.a"], "'false'"),
            (&["JSON.TOGGLE", "t", ".a"], "!ERR Path '$.a' does not exist or not a bool"),
            (&["JSON.SET", "r", "$", r#"{"a":[1,"x",true,null,{"b":2.5}]}"#], "+OK"),
            (&["JSON.RESP", "r"], "[+{, 'a', [+[, :1, 'x', +true, nil, [+{, 'b', '2.5']]]"),
            (&["JSON.RESP", "r", "$.a[4]"], "[[+{, 'b', '2.5']]"),
            (&["JSON.RESP", "r", ".a[2]"], "+true"),
            (&["JSON.DEBUG", "MEMORY", "r", "$.a[1]"], "[:9]"),
            (&["JSON.DEBUG", "MEMORY", "r", ".a[0]"], ":8"),
            (&["JSON.DEBUG", "MEMORY", "nokey"], ":0"),
            (
                &["JSON.DEBUG", "HELP"],
                "['MEMORY <key> [path] - reports memory usage', 'HELP                - this message']",
            ),
        ],
    );
    // RESP3 doubles in JSON.RESP.
    resp3(&mut c);
    check(&mut c, &[(&["JSON.RESP", "r", "$.a[4].b"], "[,2.5]")]);
}

#[test]
fn writes_notify_propagate_and_touch_watch() {
    let srv = Server::start(&["--notify-keyspace-events", "KEA"]);
    let mut c = srv.conn();
    let mut sub = srv.conn();
    sub.cmd_str("PSUBSCRIBE __keyevent@0__:*");
    check(
        &mut c,
        &[
            (&["JSON.SET", "k", "$", r#"{"a":[1],"b":true,"n":1}"#], "+OK"),
            (&["JSON.ARRAPPEND", "k", "$.a", "2"], "[:2]"),
            (&["JSON.TOGGLE", "k", "$.b"], "[:0]"),
            (&["JSON.NUMINCRBY", "k", "$.n", "1"], "'[2]'"),
            (&["JSON.DEL", "k", "$.a"], ":1"),
            // Nothing changed: no event.
            (&["JSON.DEL", "k", "$.zz"], ":0"),
            (&["JSON.DEL", "k"], ":1"),
        ],
    );
    for ev in [
        "json.set",
        "json.arrappend",
        "json.toggle",
        "json.numincrby",
        "json.del",
        "json.del",
    ] {
        let msg = sub.read_reply();
        assert_eq!(msg.array()[2].str(), format!("__keyevent@0__:{ev}"), "{msg:?}");
        assert_eq!(msg.array()[3].str(), "k");
    }
    // WATCH sees a JSON write.
    let mut w = srv.conn();
    check(
        &mut w,
        &[
            (&["JSON.SET", "x", "$", "[]"], "+OK"),
            (&["WATCH", "x"], "+OK"),
            (&["MULTI"], "+OK"),
        ],
    );
    check(&mut c, &[(&["JSON.ARRAPPEND", "x", "$", "1"], "[:1]")]);
    check(&mut w, &[(&["GET", "x"], "+QUEUED"), (&["EXEC"], "nil")]);
    // A write dirties the dataset (one change per command).
    let dirty = |c: &mut Conn| -> i64 {
        let info = run(c, &["INFO", "persistence"]).str();
        info.lines()
            .find_map(|l| l.strip_prefix("rdb_changes_since_last_save:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1)
    };
    let before = dirty(&mut c);
    check(
        &mut c,
        &[(&["JSON.ARRAPPEND", "x", "$", "2", "3"], "[:3]"), (&["JSON.GET", "x"], "'[1,2,3]'")],
    );
    assert_eq!(dirty(&mut c), before + 1);
}

#[test]
fn hostile_input() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    let deep_obj = "{\"a\":".repeat(10_000) + "1" + &"}".repeat(10_000);
    // serde_json's limit: the 128th level fails, where its text starts.
    for (text, col) in [(deep.as_str(), 128), (deep_obj.as_str(), 636)] {
        let r = show(&run(&mut c, &["JSON.SET", "deep", "$", text]));
        assert_eq!(r, format!("!recursion limit exceeded at line 1 column {col}"));
    }
    check(&mut c, &[(&["EXISTS", "deep"], ":0")]);
    check(
        &mut c,
        &[
            (
                &[
                    "JSON.SET",
                    "k",
                    "$",
                    r#"{"a":[1,2,3],"s":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"}"#,
                ],
                "+OK",
            ),
            (&["JSON.GET", "k", "$.a[99999999999999999999]"], "'[]'"),
            (&["JSON.GET", "k", "$.a[-9223372036854775808]"], "'[1]'"),
            (&["JSON.GET", "k", "$.a[9223372036854775807]"], "'[]'"),
            (
                &["JSON.ARRINSERT", "k", "$.a", "-9223372036854775808", "1"],
                "!ERR index out of bounds",
            ),
            (&["JSON.ARRTRIM", "k", "$.a", "-9223372036854775808", "9223372036854775807"], "[:3]"),
            (&["JSON.ARRPOP", "k", "$.a", "-9223372036854775808"], "['1']"),
            (
                &["JSON.ARRINDEX", "k", "$.a", "3", "-9223372036854775808", "9223372036854775807"],
                "[:1]",
            ),
            (&["JSON.GET", "k", "$[?(@.s =~ \"(a+)+$\")]"], "'[]'"),
            (
                &["JSON.GET", "k", "$..[?(@ =~ \"(a|aa)+!\")]"],
                r#"'["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"]'"#,
            ),
            (&["JSON.SET", "k", "$", "\u{0}"], "!expected value at line 1 column 1"),
            (&["JSON.SET", "k", "$", "1e999"], "!number out of range at line 1 column 5"),
        ],
    );
    // A path nested too deep, filters nested too deep, non-UTF-8 input.
    let deep_path = "$".to_string() + &"[0]".repeat(100_000);
    assert!(!run(&mut c, &["JSON.GET", "k", &deep_path]).is_error());
    let deep_filter = "$[?(".to_string() + &"(".repeat(5_000) + "@.a==1" + &")".repeat(5_000) + ")]";
    assert!(run(&mut c, &["JSON.GET", "k", &deep_filter]).is_error());
    assert!(run(&mut c, &["JSON.SET", "k", "$", "\"\\ud800\""]).is_error());
    let bad: &[&[u8]] = &[b"JSON.SET", b"k", b"$", b"\"\xff\""];
    assert_eq!(show(&c.cmd(bad)), "!Couldn't parse as UTF-8 string");
    check(&mut c, &[(&["PING"], "+PONG")]);
}

#[test]
fn persistence_dump_restore_reload() {
    let srv = Server::start(&["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    let text = r#"{"name":"x\u00e9\n","n":[1,2.50,-3e5,18446744073709551615],"o":{"t":true,"f":false,"z":null}}"#;
    check(&mut c, &[(&["JSON.SET", "j", "$", text], "+OK")]);
    let printed = show(&run(&mut c, &["JSON.GET", "j"]));
    let dump = c.cmd(&[b"DUMP", b"j"]);
    let payload = dump.bytes().expect("dump payload").to_vec();
    let restore: &[&[u8]] = &[b"RESTORE", b"j2", b"0", &payload];
    assert_eq!(show(&c.cmd(restore)), "+OK");
    assert_eq!(show(&run(&mut c, &["JSON.GET", "j2"])), printed);
    check(&mut c, &[(&["DEBUG", "RELOAD"], "+OK")]);
    assert_eq!(show(&run(&mut c, &["JSON.GET", "j"])), printed);
    assert_eq!(show(&run(&mut c, &["TYPE", "j2"])), "+ReJSON-RL");
}

#[test]
fn listed_as_the_rejson_module() {
    let srv = Server::start(&[]);
    let mut c = srv.conn();
    let info = run(&mut c, &["INFO", "modules"]).str();
    assert!(
        info.contains("module:name=ReJSON,ver=20808,api=1,filters=0,usedby=[],using=[],options=[handle-io-errors]\r\n"),
        "{info}"
    );
    let list = run(&mut c, &["MODULE", "LIST"]);
    assert!(list
        .array()
        .iter()
        .any(|m| m.field("name").map(|v| v.str()) == Some("ReJSON".into()) && m.field("ver").map(|v| v.int()) == Some(20808)));
    // COMMAND INFO: a module command with one key.
    let ci = run(&mut c, &["COMMAND", "INFO", "json.set"]);
    let entry = &ci.array()[0];
    assert_eq!(entry.array()[0].str(), "json.set");
    assert_eq!(entry.array()[1].int(), -1);
    let flags: Vec<String> = entry.array()[2].strings();
    assert!(
        flags.contains(&"write".to_string()) && flags.contains(&"module".to_string()),
        "{flags:?}"
    );
    assert_eq!((entry.array()[3].int(), entry.array()[4].int(), entry.array()[5].int()), (1, 1, 1));
    let keys = run(&mut c, &["COMMAND", "GETKEYS", "JSON.MSET", "a", "$", "1", "b", "$", "2"]);
    assert_eq!(keys.strings(), vec!["a", "b"]);
}

/// A mix of JSON writes, each propagated as the command it was.
fn json_writes(c: &mut Conn, tag: &str) {
    let k = format!("j:{tag}");
    let cmds: Vec<Vec<String>> = [
        vec!["JSON.SET", &k, "$", r#"{"a":[1,2,3],"s":"x","n":1,"b":true,"o":{"p":{"q":1}}}"#],
        vec!["JSON.ARRAPPEND", &k, "$.a", "4", r#"{"z":null}"#],
        vec!["JSON.ARRINSERT", &k, "$.a", "0", "0"],
        vec!["JSON.ARRPOP", &k, "$.a", "1"],
        vec!["JSON.ARRTRIM", &k, "$.a", "0", "3"],
        vec!["JSON.NUMINCRBY", &k, "$.n", "2.5"],
        vec!["JSON.NUMMULTBY", &k, "$.n", "3"],
        vec!["JSON.STRAPPEND", &k, "$.s", r#""\u00e9""#],
        vec!["JSON.TOGGLE", &k, "$.b"],
        vec!["JSON.MERGE", &k, "$.o", r#"{"p":{"q":null,"r":[1]},"t":2}"#],
        vec!["JSON.DEL", &k, "$.o.t"],
        vec!["JSON.CLEAR", &k, "$.o.p"],
        vec!["JSON.MSET", &k, "$.m", "[]", &format!("{k}:2"), "$", "7"],
        vec!["JSON.SET", &k, "$.a[0]", "-1", "XX"],
    ]
    .iter()
    .map(|v| v.iter().map(|s| s.to_string()).collect())
    .collect();
    for cmd in cmds {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        assert!(!run(c, &args).is_error(), "{args:?}");
    }
}

fn json_state(c: &mut Conn, tags: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for tag in tags {
        for k in [format!("j:{tag}"), format!("j:{tag}:2")] {
            out.push(show(&run(c, &["JSON.GET", &k])));
        }
    }
    out.push(show(&run(c, &["DEBUG", "DIGEST"])));
    out
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !cond() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn info_has(c: &mut Conn, section: &str, line: &str) -> bool {
    run(c, &["INFO", section]).str().lines().any(|l| l == line)
}

#[test]
fn aof_rewrite_save_and_restart_keep_documents() {
    let dir = Server::scratch_dir("json-persist");
    let aof = [
        "--enable-debug-command",
        "yes",
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--aof-use-rdb-preamble",
        "no",
    ];
    let want = {
        let srv = Server::start_with(&server_bin(), Some(&dir), &aof);
        let mut c = srv.conn();
        json_writes(&mut c, "before");
        check(&mut c, &[(&["BGREWRITEAOF"], "+Background append only file rewriting started")]);
        wait_until("the AOF rewrite", || info_has(&mut c, "persistence", "aof_rewrite_in_progress:0"));
        json_writes(&mut c, "after");
        json_state(&mut c, &["before", "after"])
    };
    assert!(want[0].starts_with("'{\"a\":[-1,"), "{want:?}");
    // Restart from the AOF (the rewrite's JSON.SETs, then the commands).
    {
        let srv = Server::start_with(&server_bin(), Some(&dir), &aof);
        let mut c = srv.conn();
        assert_eq!(json_state(&mut c, &["before", "after"]), want);
        check(&mut c, &[(&["SAVE"], "+OK")]);
    }
    // Restart from the RDB alone.
    let srv = Server::start_with(&server_bin(), Some(&dir), &["--enable-debug-command", "yes"]);
    let mut c = srv.conn();
    assert_eq!(json_state(&mut c, &["before", "after"]), want);
}

#[test]
fn replica_gets_documents_by_full_sync_and_by_stream() {
    let master = Server::start(&["--enable-debug-command", "yes"]);
    let replica = Server::start(&["--enable-debug-command", "yes"]);
    let mut m = master.conn();
    let mut r = replica.conn();
    json_writes(&mut m, "sync");
    let port = master.port().to_string();
    check(&mut r, &[(&["REPLICAOF", "127.0.0.1", &port], "+OK")]);
    wait_until("the link", || info_has(&mut r, "replication", "master_link_status:up"));
    json_writes(&mut m, "stream");
    let offset = |c: &mut Conn, f: &str| {
        run(c, &["INFO", "replication"])
            .str()
            .lines()
            .find_map(|l| l.strip_prefix(f).map(str::to_string))
    };
    wait_until("the replica to catch up", || {
        offset(&mut m, "master_repl_offset:") == offset(&mut r, "slave_repl_offset:")
    });
    assert_eq!(json_state(&mut r, &["sync", "stream"]), json_state(&mut m, &["sync", "stream"]));
    check(
        &mut r,
        &[(
            &["JSON.SET", "x", "$", "1"],
            "!READONLY You can't write against a read only replica.",
        )],
    );
}
