//! Message queues.
//!
//! [`ReliableQueue`]: a list queue. `receive` moves a job atomically
//! (BLMOVE) from `<name>:pending` into `<name>:processing` and stamps a
//! visibility deadline in `<name>:deadlines`; `ack` removes it. `requeue_expired`
//! (run it periodically from any process) moves jobs whose deadline passed
//! back to the head of the pending list, so a crashed worker's jobs are
//! delivered again; a job that lost its stamp (crash between the move and the
//! stamp) gets one on the first sweep. Delivery is at-least-once.
//!
//! [`StreamQueue`]: a stream with a consumer group: XREADGROUP to receive,
//! XACK to acknowledge, XAUTOCLAIM to take over messages idle too long, and a
//! dead-letter stream `<stream>:dead` for messages delivered `max_deliveries`
//! times without an acknowledgement.

use crate::{cmd, Connection, Error, Result, Script, Value};
use std::time::Duration;

const STAMP: &str = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) \
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) return 1";
const ACK: &str = "local n = redis.call('LREM', KEYS[1], 1, ARGV[1]) redis.call('ZREM', KEYS[2], ARGV[1]) return n";
const REQUEUE: &str = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) \
    local moved = 0 \
    for _, item in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do \
      local d = redis.call('ZSCORE', KEYS[3], item) \
      if not d then redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), item) \
      elseif tonumber(d) <= now then \
        redis.call('LREM', KEYS[2], 1, item) redis.call('ZREM', KEYS[3], item) \
        redis.call('RPUSH', KEYS[1], item) moved = moved + 1 end end \
    return moved";

/// A job taken from a [`ReliableQueue`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// Unique per pushed job (the payload need not be).
    pub id: String,
    pub payload: Vec<u8>,
    raw: Vec<u8>,
}

/// A list-based queue with acknowledgements and re-delivery.
#[derive(Clone, Debug)]
pub struct ReliableQueue {
    pending: Vec<u8>,
    processing: Vec<u8>,
    deadlines: Vec<u8>,
    visibility: Duration,
}

fn ms(d: Duration) -> u64 {
    d.as_millis().clamp(1, u128::from(u64::MAX)) as u64
}

impl ReliableQueue {
    /// Jobs not acknowledged within `visibility` are delivered again.
    pub fn new(name: &str, visibility: Duration) -> ReliableQueue {
        ReliableQueue {
            pending: format!("{}:pending", name).into_bytes(),
            processing: format!("{}:processing", name).into_bytes(),
            deadlines: format!("{}:deadlines", name).into_bytes(),
            visibility,
        }
    }

    /// Enqueue; returns the job id.
    pub fn push(&self, conn: &mut Connection, payload: &[u8]) -> Result<String> {
        let id = crate::random_token();
        let mut raw = id.as_bytes().to_vec();
        raw.push(b':');
        raw.extend_from_slice(payload);
        let _: i64 = conn.query(&cmd("LPUSH").arg(&self.pending).arg(&raw))?;
        Ok(id)
    }

    /// Take the oldest job, waiting up to `block` for one.
    pub fn receive(&self, conn: &mut Connection, block: Duration) -> Result<Option<Job>> {
        let secs = format!("{:.3}", block.as_secs_f64().max(0.001));
        let c = cmd("BLMOVE")
            .arg(&self.pending)
            .arg(&self.processing)
            .arg("RIGHT")
            .arg("LEFT")
            .arg(&secs);
        let raw: Option<Vec<u8>> = conn.query_blocking(&c, block)?;
        let Some(raw) = raw else { return Ok(None) };
        let _: i64 = Script::new(STAMP).invoke(conn, &[&self.deadlines], &[&raw, &ms(self.visibility)])?;
        let split = raw.iter().position(|&b| b == b':').unwrap_or(raw.len());
        let id = String::from_utf8_lossy(&raw[..split]).into_owned();
        let payload = raw.get(split + 1..).unwrap_or_default().to_vec();
        Ok(Some(Job { id, payload, raw }))
    }

    /// Acknowledge; `Ok(false)` if the job was no longer ours (its
    /// visibility expired and it went back to the queue).
    pub fn ack(&self, conn: &mut Connection, job: &Job) -> Result<bool> {
        let n: i64 = Script::new(ACK).invoke(conn, &[&self.processing, &self.deadlines], &[&job.raw])?;
        Ok(n > 0)
    }

    /// Move expired jobs back to pending; returns how many.
    pub fn requeue_expired(&self, conn: &mut Connection) -> Result<i64> {
        Script::new(REQUEUE).invoke(conn, &[&self.pending, &self.processing, &self.deadlines], &[&ms(self.visibility)])
    }

    /// Jobs waiting / in flight.
    pub fn lengths(&self, conn: &mut Connection) -> Result<(i64, i64)> {
        Ok((
            conn.query(&cmd("LLEN").arg(&self.pending))?,
            conn.query(&cmd("LLEN").arg(&self.processing))?,
        ))
    }
}

/// A message from a [`StreamQueue`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamMessage {
    pub id: String,
    pub payload: Vec<u8>,
}

/// A stream + consumer group queue with dead-lettering.
#[derive(Clone, Debug)]
pub struct StreamQueue {
    stream: Vec<u8>,
    group: Vec<u8>,
    dead: Vec<u8>,
    max_deliveries: i64,
}

/// `[[id, [field, value ...]] ...]` (entries deleted meanwhile are nil).
fn entries(v: Value) -> Vec<StreamMessage> {
    let mut out = Vec::new();
    for e in v.into_items().unwrap_or_default() {
        let Some(mut parts) = e.into_items() else { continue };
        if parts.len() != 2 {
            continue;
        }
        let fields = parts.pop().and_then(Value::into_items).unwrap_or_default();
        let id = parts
            .pop()
            .and_then(|i| i.as_bytes().map(|b| String::from_utf8_lossy(b).into_owned()))
            .unwrap_or_default();
        let payload = fields
            .chunks(2)
            .find(|kv| kv[0].as_bytes() == Some(b"data"))
            .and_then(|kv| kv.get(1))
            .and_then(Value::as_bytes);
        out.push(StreamMessage {
            id,
            payload: payload.unwrap_or_default().to_vec(),
        });
    }
    out
}

impl StreamQueue {
    /// Messages delivered `max_deliveries` times go to `<stream>:dead`.
    pub fn new(stream: &str, group: &str, max_deliveries: i64) -> StreamQueue {
        StreamQueue {
            stream: stream.as_bytes().to_vec(),
            group: group.as_bytes().to_vec(),
            dead: format!("{}:dead", stream).into_bytes(),
            max_deliveries: max_deliveries.max(1),
        }
    }

    pub fn dead_letter_key(&self) -> &[u8] {
        &self.dead
    }

    /// Create the stream and group if missing.
    pub fn create(&self, conn: &mut Connection) -> Result<()> {
        match conn.query::<Value>(
            &cmd("XGROUP")
                .arg("CREATE")
                .arg(&self.stream)
                .arg(&self.group)
                .arg("0")
                .arg("MKSTREAM"),
        ) {
            Err(Error::Server(m)) if m.starts_with("BUSYGROUP") => Ok(()),
            r => r.map(|_| ()),
        }
    }

    pub fn push(&self, conn: &mut Connection, payload: &[u8]) -> Result<String> {
        conn.query(&cmd("XADD").arg(&self.stream).arg("*").arg("data").arg(payload))
    }

    /// New messages for `consumer`, waiting up to `block`.
    pub fn receive(&self, conn: &mut Connection, consumer: &str, count: usize, block: Duration) -> Result<Vec<StreamMessage>> {
        let c = cmd("XREADGROUP")
            .arg("GROUP")
            .arg(&self.group)
            .arg(consumer)
            .arg("COUNT")
            .arg(&count.max(1))
            .arg("BLOCK")
            .arg(&ms(block))
            .arg("STREAMS")
            .arg(&self.stream)
            .arg(">");
        let v: Value = conn.query_blocking(&c, block)?;
        // RESP2: [[stream, entries]]; RESP3: {stream: entries}.
        let items = v.into_items().unwrap_or_default();
        let mut out = Vec::new();
        let mut it = items.into_iter();
        while let Some(first) = it.next() {
            match first.into_items() {
                Some(mut pair) if pair.len() == 2 => out.extend(entries(pair.pop().unwrap_or(Value::Nil))),
                _ => out.extend(entries(it.next().unwrap_or(Value::Nil))),
            }
        }
        Ok(out)
    }

    pub fn ack(&self, conn: &mut Connection, id: &str) -> Result<bool> {
        let n: i64 = conn.query(&cmd("XACK").arg(&self.stream).arg(&self.group).arg(id))?;
        Ok(n == 1)
    }

    /// Dead-letter messages idle `min_idle` that were delivered
    /// `max_deliveries` times, then claim (XAUTOCLAIM) up to `count` other idle
    /// ones for `consumer`. Returns the claimed messages and how many went to
    /// the dead-letter stream.
    pub fn reclaim(&self, conn: &mut Connection, consumer: &str, min_idle: Duration, count: usize) -> Result<(Vec<StreamMessage>, usize)> {
        let pending: Value = conn.query(
            &cmd("XPENDING")
                .arg(&self.stream)
                .arg(&self.group)
                .arg("IDLE")
                .arg(&ms(min_idle))
                .arg("-")
                .arg("+")
                .arg(&count.max(1)),
        )?;
        let mut dead = 0;
        for p in pending.into_items().unwrap_or_default() {
            let f = p.into_items().unwrap_or_default();
            let (Some(id), Some(Value::Int(n))) = (f.first().and_then(Value::as_bytes), f.get(3)) else {
                continue;
            };
            if *n < self.max_deliveries {
                continue;
            }
            let id = String::from_utf8_lossy(id).into_owned();
            // Whoever acknowledges it first owns the dead-lettering.
            if !self.ack(conn, &id)? {
                continue;
            }
            let msg = entries(conn.query(&cmd("XRANGE").arg(&self.stream).arg(&id).arg(&id))?);
            let payload = msg.first().map(|m| m.payload.clone()).unwrap_or_default();
            let _: String = conn.query(
                &cmd("XADD")
                    .arg(&self.dead)
                    .arg("*")
                    .arg("id")
                    .arg(&id)
                    .arg("data")
                    .arg(&payload)
                    .arg("deliveries")
                    .arg(n),
            )?;
            dead += 1;
        }
        let v: Value = conn.query(
            &cmd("XAUTOCLAIM")
                .arg(&self.stream)
                .arg(&self.group)
                .arg(consumer)
                .arg(&ms(min_idle))
                .arg("0")
                .arg("COUNT")
                .arg(&count.max(1)),
        )?;
        let claimed = v
            .into_items()
            .and_then(|mut i| if i.len() >= 2 { Some(i.swap_remove(1)) } else { None });
        Ok((entries(claimed.unwrap_or(Value::Nil)), dead))
    }
}
