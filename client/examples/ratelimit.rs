//! The four rate limiters side by side: `cargo run -p oxidis-client --example ratelimit`.
use oxidis_client::patterns::ratelimit::Limiter;
use oxidis_client::Connection;
use std::time::Duration;

fn main() -> oxidis_client::Result<()> {
    let addr = std::env::var("OXIDIS_ADDR").unwrap_or_else(|_| "127.0.0.1:6379".into());
    let mut c = Connection::open(&addr)?;
    let w = Duration::from_secs(10);
    let limiters = [
        ("fixed window", Limiter::FixedWindow { limit: 3, window: w }),
        ("sliding log", Limiter::SlidingLog { limit: 3, window: w }),
        ("sliding counter", Limiter::SlidingCounter { limit: 3, window: w }),
        ("GCRA", Limiter::Gcra { limit: 3, period: w }),
    ];
    for (name, lim) in limiters {
        let key = format!("example:rl:{}", name);
        for _ in 0..4 {
            let d = lim.check(&mut c, key.as_bytes())?;
            println!("{:16} allowed={} remaining={} reset={:?}", name, d.allowed, d.remaining, d.reset);
        }
    }
    Ok(())
}
