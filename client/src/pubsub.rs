//! Pub/sub on a dedicated connection: channels, patterns and shard channels
//! (SSUBSCRIBE), over RESP2 (arrays) or RESP3 (push frames), and the
//! keyspace-notification listener built on it.
//!
//! Subscriptions are recorded in the connection's session, so a reconnection
//! subscribes again before the next message is read; messages published
//! while the connection was down are lost (pub/sub does not store them).

use crate::{cmd, ConnectOptions, Connection, Error, Result, Value};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Where a message came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Channel,
    Pattern,
    Shard,
}

/// One published message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub kind: Kind,
    pub channel: Vec<u8>,
    /// The matching pattern for [`Kind::Pattern`].
    pub pattern: Option<Vec<u8>>,
    pub payload: Vec<u8>,
}

/// A subscriber.
pub struct PubSub {
    conn: Connection,
    queued: VecDeque<Message>,
}

fn frame_items(v: Value) -> Option<Vec<Value>> {
    match v {
        Value::Array(a) | Value::Push(a) => Some(a),
        _ => None,
    }
}

fn bytes(v: &Value) -> Vec<u8> {
    v.as_bytes().map(<[u8]>::to_vec).unwrap_or_default()
}

/// A pub/sub frame as a message; `None` for confirmations and other frames.
pub fn parse_message(v: Value) -> Option<Message> {
    let items = frame_items(v)?;
    let kind = items.first()?.as_bytes()?.to_ascii_lowercase();
    match (kind.as_slice(), items.len()) {
        (b"message", 3) => Some(Message {
            kind: Kind::Channel,
            channel: bytes(&items[1]),
            pattern: None,
            payload: bytes(&items[2]),
        }),
        (b"smessage", 3) => Some(Message {
            kind: Kind::Shard,
            channel: bytes(&items[1]),
            pattern: None,
            payload: bytes(&items[2]),
        }),
        (b"pmessage", 4) => Some(Message {
            kind: Kind::Pattern,
            pattern: Some(bytes(&items[1])),
            channel: bytes(&items[2]),
            payload: bytes(&items[3]),
        }),
        _ => None,
    }
}

impl PubSub {
    pub fn connect(opts: ConnectOptions) -> Result<PubSub> {
        Ok(PubSub {
            conn: Connection::connect(opts)?,
            queued: VecDeque::new(),
        })
    }

    /// The underlying connection (generation, client id ...).
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }

    fn change(&mut self, verb: &str, names: &[&[u8]]) -> Result<()> {
        let s = &mut self.conn.session;
        for n in names {
            let set = match verb {
                "SUBSCRIBE" | "UNSUBSCRIBE" => &mut s.channels,
                "PSUBSCRIBE" | "PUNSUBSCRIBE" => &mut s.patterns,
                _ => &mut s.shard_channels,
            };
            if verb.contains("UNSUB") {
                set.remove(*n);
            } else {
                set.insert(n.to_vec());
            }
        }
        self.conn.ensure()?;
        self.conn.send(cmd(verb).args(names.iter()).as_args())?;
        // Wait for one confirmation per name, keeping messages that
        // arrive in between.
        let want = verb.to_ascii_lowercase().into_bytes();
        let mut left = names.len().max(1);
        let deadline = Instant::now() + self.conn.options().read_timeout.unwrap_or(Duration::from_secs(10));
        while left > 0 {
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::Other(format!("no {} confirmation", verb)));
            }
            let Some(v) = self.conn.poll_frame(deadline - now)? else { continue };
            if let Value::Error(e) = &v {
                return Err(Error::Server(String::from_utf8_lossy(e).into_owned()));
            }
            let is_confirm = v
                .as_items()
                .and_then(|i| i.first())
                .and_then(Value::as_bytes)
                .is_some_and(|k| k.eq_ignore_ascii_case(&want));
            if is_confirm {
                left -= 1;
            } else if let Some(m) = parse_message(v) {
                self.queued.push_back(m);
            }
        }
        Ok(())
    }

    pub fn subscribe(&mut self, channels: &[&[u8]]) -> Result<()> {
        self.change("SUBSCRIBE", channels)
    }
    pub fn psubscribe(&mut self, patterns: &[&[u8]]) -> Result<()> {
        self.change("PSUBSCRIBE", patterns)
    }
    /// Sharded pub/sub (Redis 7): channels of one call must share a slot
    /// in cluster mode.
    pub fn ssubscribe(&mut self, channels: &[&[u8]]) -> Result<()> {
        self.change("SSUBSCRIBE", channels)
    }
    pub fn unsubscribe(&mut self, channels: &[&[u8]]) -> Result<()> {
        self.change("UNSUBSCRIBE", channels)
    }
    pub fn punsubscribe(&mut self, patterns: &[&[u8]]) -> Result<()> {
        self.change("PUNSUBSCRIBE", patterns)
    }

    /// The next message, waiting up to `timeout`; `Ok(None)` on timeout.
    /// A lost connection is re-established (and re-subscribed) on the way.
    pub fn next_message(&mut self, timeout: Duration) -> Result<Option<Message>> {
        if let Some(m) = self.queued.pop_front() {
            return Ok(Some(m));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            match self.conn.poll_frame(deadline - now) {
                Ok(Some(v)) => {
                    if let Some(m) = parse_message(v) {
                        return Ok(Some(m));
                    }
                }
                Ok(None) => {}
                Err(e) if e.is_io() => self.conn.ensure()?,
                Err(e) => return Err(e),
            }
        }
    }
}

/// One keyspace notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyEvent {
    pub db: i64,
    pub key: Vec<u8>,
    /// `set`, `del`, `expired`, `lpush` ...
    pub event: String,
}

/// Yields typed keyspace events (`__keyspace@<db>__:<key>` channels).
pub struct KeyspaceListener {
    ps: PubSub,
}

impl KeyspaceListener {
    /// Listen to keys matching `key_pattern` in `db` (`None`: every db).
    /// With `enable = Some(flags)` the server's `notify-keyspace-events` is
    /// set first (e.g. `"KA"`); otherwise it must already be on.
    pub fn new(opts: ConnectOptions, enable: Option<&str>, db: Option<i64>, key_pattern: &[u8]) -> Result<KeyspaceListener> {
        if let Some(flags) = enable {
            let mut c = Connection::connect(opts.clone())?;
            c.call_args(&["CONFIG", "SET", "notify-keyspace-events", flags])?;
        }
        let mut ps = PubSub::connect(opts)?;
        let mut pat = match db {
            Some(d) => format!("__keyspace@{}__:", d).into_bytes(),
            None => b"__keyspace@*__:".to_vec(),
        };
        pat.extend_from_slice(key_pattern);
        ps.psubscribe(&[&pat])?;
        Ok(KeyspaceListener { ps })
    }

    /// The next event, waiting up to `timeout`.
    pub fn next_event(&mut self, timeout: Duration) -> Result<Option<KeyEvent>> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(m) = self.ps.next_message(left)? else { return Ok(None) };
            if let Some(e) = parse_keyspace(&m) {
                return Ok(Some(e));
            }
        }
    }
}

fn parse_keyspace(m: &Message) -> Option<KeyEvent> {
    let rest = m.channel.strip_prefix(b"__keyspace@")?;
    let end = rest.windows(3).position(|w| w == b"__:")?;
    let db = crate::resp::parse_int(&rest[..end]).ok()?;
    Some(KeyEvent {
        db,
        key: rest[end + 3..].to_vec(),
        event: String::from_utf8_lossy(&m.payload).into_owned(),
    })
}
