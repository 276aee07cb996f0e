//! Scripting as job-queue and rate-limiter libraries use it: a BullMQ-style
//! queue written as a FUNCTION library plus EVALSHA scripts, and a
//! sliding-window rate limiter, each driven by many clients at once with
//! their invariants checked (no lost or duplicated job, the limit never
//! exceeded). Also the RESP <-> Lua conversions and errors such libraries
//! rely on, checked byte for byte against redis-server 7.0.15.

use redis_compat_tests::*;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::thread;

fn server() -> Server {
    Server::start(&[])
}

/// The job-queue library: add, take (wait -> active with a lock) and
/// complete (checks the lock, records the result exactly once).
const QUEUE_LIB: &str = r#"#!lua name=jobq
local function add(keys, args)
  -- keys: id counter, wait list; args: payload
  local id = redis.call('INCR', keys[1])
  redis.call('HSET', 'jobq:job:' .. id, 'data', args[1], 'state', 'wait')
  redis.call('LPUSH', keys[2], id)
  return id
end

local function take(keys, args)
  -- keys: wait list, active list; args: worker, lock ttl (ms)
  local id = redis.call('RPOPLPUSH', keys[1], keys[2])
  if not id then return false end
  redis.call('SET', 'jobq:lock:' .. id, args[1], 'PX', args[2])
  redis.call('HSET', 'jobq:job:' .. id, 'state', 'active', 'worker', args[1])
  return id
end

redis.register_function('jobq_add', add)
redis.register_function('jobq_take', take)
"#;

/// Completing a job, run with EVALSHA: keys active list, completed zset,
/// done set; args id, worker, result.
const COMPLETE: &str = r#"
local id = ARGV[1]
local owner = redis.call('GET', 'jobq:lock:' .. id)
if owner ~= ARGV[2] then
  return redis.error_reply('ERR lock lost for job ' .. id)
end
if redis.call('LREM', KEYS[1], 1, id) ~= 1 then
  return redis.error_reply('ERR job ' .. id .. ' not active')
end
redis.call('DEL', 'jobq:lock:' .. id)
local t = redis.call('TIME')
redis.call('ZADD', KEYS[2], tonumber(t[1]), id)
redis.call('HSET', 'jobq:job:' .. id, 'state', 'completed', 'result', ARGV[3])
return redis.call('SADD', KEYS[3], id)
"#;

#[test]
fn job_queue_no_lost_or_duplicated_job() {
    let s = server();
    let mut c = s.conn();
    assert_reply!(c, ["FUNCTION", "LOAD", QUEUE_LIB], b"$4\r\njobq\r\n");
    let sha = c.cmd(&[b"SCRIPT", b"LOAD", COMPLETE.as_bytes()]).str();
    assert_eq!(sha.len(), 40);

    const PRODUCERS: usize = 4;
    const JOBS_EACH: usize = 150;
    const WORKERS: usize = 6;
    let total = PRODUCERS * JOBS_EACH;
    let port = s.port();

    let mut handles = Vec::new();
    let added = Arc::new(Mutex::new(Vec::new()));
    for p in 0..PRODUCERS {
        let added = added.clone();
        handles.push(thread::spawn(move || {
            let mut c = Conn::connect(port);
            let mut mine = Vec::new();
            for j in 0..JOBS_EACH {
                let payload = format!("p{p}-j{j}");
                let r = c.cmd(&[b"FCALL", b"jobq_add", b"2", b"jobq:id", b"jobq:wait", payload.as_bytes()]);
                mine.push(r.int());
            }
            added.lock().unwrap().extend(mine);
        }));
    }
    let completed = Arc::new(Mutex::new(Vec::new()));
    for w in 0..WORKERS {
        let completed = completed.clone();
        let sha = sha.clone();
        handles.push(thread::spawn(move || {
            let mut c = Conn::connect(port);
            let worker = format!("worker-{w}");
            let mut mine = Vec::new();
            let mut idle = 0;
            // Producers may still be adding: stop after a run of empty takes
            // once the counter says everything was added and taken.
            loop {
                let r = c.cmd(&[
                    b"FCALL",
                    b"jobq_take",
                    b"2",
                    b"jobq:wait",
                    b"jobq:active",
                    worker.as_bytes(),
                    b"30000",
                ]);
                let id = match r {
                    Reply::Bulk(Some(b)) => String::from_utf8(b).unwrap(),
                    Reply::Bulk(None) => {
                        idle += 1;
                        let n = c.cmd(&[b"GET", b"jobq:id"]);
                        let produced = n.bytes().map_or(0, |b| std::str::from_utf8(b).unwrap().parse::<usize>().unwrap());
                        if produced == total && idle > 3 {
                            break;
                        }
                        thread::sleep(std::time::Duration::from_millis(2));
                        continue;
                    }
                    other => panic!("unexpected take reply {other:?}"),
                };
                idle = 0;
                let result = format!("done-by-{worker}");
                let r = c.cmd(&[
                    b"EVALSHA",
                    sha.as_bytes(),
                    b"3",
                    b"jobq:active",
                    b"jobq:completed",
                    b"jobq:done",
                    id.as_bytes(),
                    worker.as_bytes(),
                    result.as_bytes(),
                ]);
                assert_eq!(r.int(), 1, "job {id} completed twice");
                mine.push(id.parse::<i64>().unwrap());
            }
            completed.lock().unwrap().extend(mine);
        }));
    }
    for h in handles {
        h.join().unwrap();
    }

    let mut added = added.lock().unwrap().clone();
    added.sort();
    assert_eq!(added, (1..=total as i64).collect::<Vec<_>>(), "ids are unique and dense");
    let completed = completed.lock().unwrap().clone();
    assert_eq!(completed.len(), total, "every job completed once");
    let set: HashSet<i64> = completed.iter().copied().collect();
    assert_eq!(set.len(), total, "no job completed twice");

    assert_reply!(c, "LLEN jobq:wait", b":0\r\n");
    assert_reply!(c, "LLEN jobq:active", b":0\r\n");
    assert_eq!(c.cmd_str("ZCARD jobq:completed").int(), total as i64);
    assert_eq!(c.cmd_str("SCARD jobq:done").int(), total as i64);
    assert_reply!(c, "KEYS jobq:lock:*", b"*0\r\n");
    assert_reply!(c, "HGET jobq:job:1 state", b"$9\r\ncompleted\r\n");

    // Completing again fails with the script's error, unchanged.
    assert_reply!(
        c,
        [
            "EVALSHA",
            &sha,
            "3",
            "jobq:active",
            "jobq:completed",
            "jobq:done",
            "1",
            "worker-0",
            "x"
        ],
        b"-ERR lock lost for job 1\r\n"
    );
}

/// The sliding-window limiter: admits when fewer than ARGV[2] requests
/// were admitted in the last ARGV[1] microseconds; returns the admission
/// time (server clock, microseconds) or false.
const LIMITER: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
  return now
end
return false
"#;

#[test]
fn sliding_window_rate_limiter_never_exceeds_limit() {
    let s = server();
    let mut c = s.conn();
    let sha = c.cmd(&[b"SCRIPT", b"LOAD", LIMITER.as_bytes()]).str();
    const CLIENTS: usize = 8;
    const REQUESTS: usize = 300;
    const LIMIT: usize = 10;
    const WINDOW_US: i64 = 20_000;
    let port = s.port();
    let admitted = Arc::new(Mutex::new(Vec::new()));
    let mut handles = Vec::new();
    for t in 0..CLIENTS {
        let admitted = admitted.clone();
        let sha = sha.clone();
        handles.push(thread::spawn(move || {
            let mut c = Conn::connect(port);
            let mut mine = Vec::new();
            for r in 0..REQUESTS {
                let member = format!("c{t}-r{r}");
                let reply = c.cmd(&[
                    b"EVALSHA",
                    sha.as_bytes(),
                    b"1",
                    b"rl:api",
                    WINDOW_US.to_string().as_bytes(),
                    LIMIT.to_string().as_bytes(),
                    member.as_bytes(),
                ]);
                match reply {
                    Reply::Int(ts) => mine.push(ts),
                    Reply::Bulk(None) => {}
                    other => panic!("unexpected limiter reply {other:?}"),
                }
            }
            admitted.lock().unwrap().extend(mine);
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
    let mut ts = admitted.lock().unwrap().clone();
    ts.sort();
    assert!(ts.len() >= LIMIT, "some requests were admitted");
    assert!(ts.len() < CLIENTS * REQUESTS, "some requests were limited");
    // Any LIMIT+1 admissions span at least a whole window.
    for w in ts.windows(LIMIT + 1) {
        assert!(
            w[LIMIT] - w[0] >= WINDOW_US,
            "more than {LIMIT} admissions within {WINDOW_US}us: {:?}",
            w
        );
    }
    assert!(c.cmd_str("ZCARD rl:api").int() <= LIMIT as i64);
}

#[test]
fn conversions_and_errors() {
    let s = server();
    let mut c = s.conn();
    let eval = |c: &mut Conn, script: &str| c.cmd_raw(&[b"EVAL", script.as_bytes(), b"0"]);
    // Lua -> RESP: numbers truncate, tables stop at the first nil,
    // booleans, status and error tables.
    check_bytes(&eval(&mut c, "return 3.99"), b":3\r\n", "number");
    check_bytes(
        &eval(&mut c, "return {1,2,3,'x',nil,4}"),
        b"*4\r\n:1\r\n:2\r\n:3\r\n$1\r\nx\r\n",
        "table",
    );
    check_bytes(&eval(&mut c, "return true"), b":1\r\n", "true");
    check_bytes(&eval(&mut c, "return false"), b"$-1\r\n", "false");
    check_bytes(&eval(&mut c, "return {ok='fine'}"), b"+fine\r\n", "status");
    check_bytes(&eval(&mut c, "return {err='My Error'}"), b"-My Error\r\n", "error table");
    check_bytes(
        &eval(&mut c, "return redis.error_reply('OOPS bad')"),
        b"-OOPS bad\r\n",
        "error_reply",
    );
    check_bytes(&eval(&mut c, "return redis.status_reply('QUEUED')"), b"+QUEUED\r\n", "status_reply");
    // RESP -> Lua: nil bulk is false, errors from pcall are tables.
    check_bytes(&eval(&mut c, "return redis.call('get','nokey') == false"), b":1\r\n", "nil");
    assert_reply!(c, "SET s str", b"+OK\r\n");
    check_bytes(
        &eval(&mut c, "return redis.pcall('incr','s')['err']"),
        b"$43\r\nERR value is not an integer or out of range\r\n",
        "pcall",
    );
    check_bytes(
        &eval(&mut c, "return redis.call('incr','s')"),
        b"-ERR value is not an integer or out of range script: c243b9f46db13ba8f69da41b45a77708832babed, on @user_script:1.\r\n",
        "call error",
    );
    // RESP3 conversions with redis.setresp(3).
    c.cmd_str("HELLO 3");
    check_bytes(&eval(&mut c, "return {double=1.5}"), b",1.5\r\n", "double table");
    check_bytes(&eval(&mut c, "return {map={a=1}}"), b"%1\r\n$1\r\na\r\n:1\r\n", "map table");
    c.cmd_str("HELLO 2");
    // Sandbox and globals protection.
    check_bytes(
        &eval(&mut c, "x = 1"),
        b"-ERR user_script:1: Attempt to modify a readonly table script: 34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1.\r\n",
        "global write",
    );
    check_bytes(
        &eval(&mut c, "return os.time()"),
        b"-ERR user_script:1: Script attempted to access nonexistent global variable 'os' script: 13dea82ee9da896aebcd10f5e36f4a1eeb839b48, on @user_script:1.\r\n",
        "os",
    );
    assert_reply!(
        c,
        "EVALSHA ffffffffffffffffffffffffffffffffffffffff 0",
        b"-NOSCRIPT No matching script. Please use EVAL.\r\n"
    );
    // cjson and cmsgpack round trips.
    check_bytes(
        &eval(&mut c, r#"return cjson.encode(cjson.decode('[1,"a",{"k":true}]'))"#),
        b"$18\r\n[1,\"a\",{\"k\":true}]\r\n",
        "cjson",
    );
    check_bytes(
        &eval(&mut c, "return cmsgpack.unpack(cmsgpack.pack({1,2,'z'}))"),
        b"*3\r\n:1\r\n:2\r\n$1\r\nz\r\n",
        "cmsgpack",
    );
    check_bytes(
        &eval(&mut c, "return bit.band(0xff, 0x0f) + struct.unpack('>I2', '\\1\\2')"),
        b":273\r\n",
        "bit and struct",
    );
}

/// Libraries are data: they survive a restart through the AOF (as
/// FUNCTION LOAD) and through the RDB (function opcode), while EVAL's
/// script cache does not.
#[test]
fn functions_survive_restart_scripts_do_not() {
    for (tag, args) in [("aof", vec!["--appendonly", "yes"]), ("rdb", vec!["--save", "1 1"])] {
        let dir = Server::scratch_dir(&format!("functions-{tag}"));
        let sha;
        {
            let mut srv = Server::start_with(&server_bin(), Some(&dir), &args);
            let mut c = srv.conn();
            assert_reply!(c, ["FUNCTION", "LOAD", QUEUE_LIB], b"$4\r\njobq\r\n");
            sha = c.cmd(&[b"SCRIPT", b"LOAD", COMPLETE.as_bytes()]).str();
            assert_reply!(c, ["FCALL", "jobq_add", "2", "jobq:id", "jobq:wait", "payload"], b":1\r\n");
            if tag == "rdb" {
                assert_reply!(c, "SAVE", b"+OK\r\n");
            }
            srv.kill9();
        }
        let srv = Server::start_with(&server_bin(), Some(&dir), &args);
        let mut c = srv.conn();
        assert_reply!(
            c,
            ["FCALL", "jobq_take", "2", "jobq:wait", "jobq:active", "w", "1000"],
            b"$1\r\n1\r\n"
        );
        assert_reply!(c, ["FUNCTION", "LIST", "LIBRARYNAME", "jobq"], c.cmd_raw(&[b"FUNCTION", b"LIST"]));
        assert_reply!(c, ["SCRIPT", "EXISTS", &sha], b"*1\r\n:0\r\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Hostile nesting through the scripting bridge is an error, never a
/// crash: cjson.decode, cmsgpack.unpack and the conversion of a script's
/// result all stop at Lua's stack limit (10,000 levels here).
#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let mut s = server();
    let mut c = s.conn();
    let mut eval = |script: &str| c.cmd_raw(&[b"EVAL", script.as_bytes(), b"0"]);
    let deep_json = "string.rep('[', 10000) .. string.rep(']', 10000)";
    let cases = [
        (
            format!("return cjson.decode({deep_json})"),
            "-ERR user_script:1: Found too many nested data structures (1001) at character 1001 script: ",
        ),
        (
            format!("cjson.decode_max_depth(100000) return cjson.decode({deep_json})"),
            "-ERR user_script:1: Found too many nested data structures (",
        ),
        (
            "cjson.encode_max_depth(100000) local t = {} for i = 1, 10000 do t = {t} end return cjson.encode(t)".to_string(),
            "-ERR user_script:1: Cannot serialise, excessive nesting (",
        ),
        (
            "return cmsgpack.unpack(string.rep('\\145', 10000) .. '\\192')".to_string(),
            "-ERR user_script:1: stack overflow (in function mp_decode_to_lua_array) script: ",
        ),
        (
            "return cmsgpack.unpack(string.rep('\\129\\1', 10000) .. '\\192')".to_string(),
            "-ERR user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.) script: ",
        ),
        (
            "return cmsgpack.unpack('\\129\\192\\1')".to_string(),
            "-ERR table index is nil script: ",
        ),
    ];
    for (script, prefix) in &cases {
        let r = eval(script);
        assert!(r.starts_with(prefix.as_bytes()), "{script}: {}", escape(&r));
    }
    // A 10,000-deep result: nested arrays down to Lua's stack limit, then
    // the conversion's error (read on a thread with room to parse it).
    let port = s.port();
    let deep = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut c = Conn::connect(port);
            c.cmd_raw(&[b"EVAL", b"local t = {} for i = 1, 10000 do t = {t} end return t", b"0"])
        })
        .expect("thread")
        .join()
        .expect("deep reply");
    assert!(deep.starts_with(b"*1\r\n*1\r\n*1\r\n"));
    assert!(
        deep.ends_with(b"-ERR reached lua stack limit\r\n"),
        "{}",
        escape(&deep[deep.len().saturating_sub(80)..])
    );
    s.assert_alive();
}
