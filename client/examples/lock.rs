//! Distributed lock with fencing tokens: `cargo run -p oxidis-client --example lock`
//! (server at $OXIDIS_ADDR, default 127.0.0.1:6379).
use oxidis_client::patterns::lock::Lock;
use oxidis_client::Connection;
use std::time::Duration;

fn main() -> oxidis_client::Result<()> {
    let addr = std::env::var("OXIDIS_ADDR").unwrap_or_else(|_| "127.0.0.1:6379".into());
    let mut c = Connection::open(&addr)?;
    match Lock::acquire(&mut c, b"example:lock", Duration::from_secs(10), Duration::from_secs(2))? {
        Some(mut lock) => {
            println!("holding the lock, fencing token {}", lock.fence());
            lock.extend(&mut c, Duration::from_secs(10))?;
            println!("released: {}", lock.release(&mut c)?);
        }
        None => println!("someone else holds it"),
    }
    Ok(())
}
