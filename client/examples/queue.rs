//! Reliable list queue and stream queue with dead-lettering:
//! `cargo run -p oxidis-client --example queue`.
use oxidis_client::patterns::queue::{ReliableQueue, StreamQueue};
use oxidis_client::Connection;
use std::time::Duration;

fn main() -> oxidis_client::Result<()> {
    let addr = std::env::var("OXIDIS_ADDR").unwrap_or_else(|_| "127.0.0.1:6379".into());
    let mut c = Connection::open(&addr)?;
    let q = ReliableQueue::new("example:jobs", Duration::from_secs(30));
    q.push(&mut c, b"resize image 42")?;
    if let Some(job) = q.receive(&mut c, Duration::from_secs(1))? {
        println!("working on {} ({})", String::from_utf8_lossy(&job.payload), job.id);
        q.ack(&mut c, &job)?;
    }
    println!("requeued after visibility timeout: {}", q.requeue_expired(&mut c)?);

    let s = StreamQueue::new("example:events", "workers", 5);
    s.create(&mut c)?;
    s.push(&mut c, b"user signed up")?;
    for m in s.receive(&mut c, "worker-1", 10, Duration::from_millis(100))? {
        println!("event {}: {}", m.id, String::from_utf8_lossy(&m.payload));
        s.ack(&mut c, &m.id)?;
    }
    let (claimed, dead) = s.reclaim(&mut c, "worker-1", Duration::from_secs(60), 10)?;
    println!("claimed {} stuck messages, {} dead-lettered", claimed.len(), dead);
    Ok(())
}
