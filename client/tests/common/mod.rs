//! Test servers: Oxidis (OXIDIS_BIN or target/release/oxidis-server) and,
//! when installed, /usr/bin/redis-server; each test runs against both.
#![allow(dead_code)]

use oxidis_client::ConnectOptions;
pub use redis_compat_tests::Server;
use std::path::PathBuf;

pub fn binaries() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let ox = redis_compat_tests::server_bin();
    if ox.exists() {
        out.push(("oxidis".to_string(), ox));
    }
    let redis = PathBuf::from("/usr/bin/redis-server");
    if redis.exists() && std::env::var("OXIDIS_CLIENT_NO_REDIS").is_err() {
        out.push(("redis".to_string(), redis));
    }
    assert!(!out.is_empty(), "no server binary: build oxidis-server or set OXIDIS_BIN");
    out
}

pub fn start(bin: &std::path::Path, args: &[&str]) -> Server {
    Server::start_with(bin, None, args)
}

pub fn opts(s: &Server) -> ConnectOptions {
    ConnectOptions::new(format!("127.0.0.1:{}", s.port()))
}

/// Run `f` once per server binary, each with a fresh server.
pub fn each(args: &[&str], f: impl Fn(&str, &Server)) {
    for (name, bin) in binaries() {
        let s = start(&bin, args);
        f(&name, &s);
    }
}
