//! Cache-aside with stampede protection, reading through a client-side
//! cache: `cargo run -p oxidis-client --example cache`.
use oxidis_client::patterns::cache::CacheAside;
use oxidis_client::tracking::{CachingClient, Mode};
use oxidis_client::ConnectOptions;
use std::time::Duration;

fn main() -> oxidis_client::Result<()> {
    let addr = std::env::var("OXIDIS_ADDR").unwrap_or_else(|_| "127.0.0.1:6379".into());
    let mut cc = CachingClient::connect(ConnectOptions::new(addr).resp3(), Mode::Default, 10_000)?;
    let cache = CacheAside::new(Duration::from_secs(60));
    for _ in 0..3 {
        let v = cache.get_or_load(&mut cc, b"example:user:1", || {
            println!("loading from the database");
            Ok(b"{\"name\":\"Ada\"}".to_vec())
        })?;
        println!("{}", String::from_utf8_lossy(&v));
    }
    println!("{:?}", cc.stats());
    Ok(())
}
