//! Keyspace notifications as typed events: `cargo run -p oxidis-client --example pubsub`.
use oxidis_client::pubsub::KeyspaceListener;
use oxidis_client::{cmd, ConnectOptions, Connection};
use std::time::Duration;

fn main() -> oxidis_client::Result<()> {
    let addr = std::env::var("OXIDIS_ADDR").unwrap_or_else(|_| "127.0.0.1:6379".into());
    let mut events = KeyspaceListener::new(ConnectOptions::new(addr.clone()), Some("KA"), Some(0), b"example:*")?;
    let mut c = Connection::open(&addr)?;
    let _: () = c.query(&cmd("SET").arg("example:k").arg("v"))?;
    let _: i64 = c.query(&cmd("DEL").arg("example:k"))?;
    while let Some(e) = events.next_event(Duration::from_millis(200))? {
        println!("db {} key {} event {}", e.db, String::from_utf8_lossy(&e.key), e.event);
    }
    Ok(())
}
