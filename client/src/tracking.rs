//! Client-side caching with server-assisted invalidation (CLIENT TRACKING).
//!
//! RESP3: invalidations arrive as `>invalidate` pushes on the data
//! connection itself. RESP2: a second connection subscribes to
//! `__redis__:invalidate` and the data connection tracks with `REDIRECT <its
//! id>`. Modes: default (the server remembers the keys we read), BCAST
//! (prefixes, no per-key memory on the server) and OPTIN (only reads preceded
//! by `CLIENT CACHING yes`).
//!
//! The no-stale-read rule: before any answer from the local cache, every
//! invalidation that has already reached our socket(s) is applied; a value
//! whose key was invalidated while its GET was in flight is returned but not
//! cached. Either connection reconnecting flushes the cache and re-enables
//! tracking (the server forgot our tracking state with the old connection).

use crate::{cmd, ConnectOptions, Connection, Protocol, Result, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Which CLIENT TRACKING mode to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Default,
    /// Broadcast invalidations for keys with these prefixes (empty: all).
    Bcast(Vec<Vec<u8>>),
    OptIn,
}

/// Hit / miss / invalidation counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub hits: u64,
    pub misses: u64,
    pub invalidations: u64,
    pub flushes: u64,
}

/// A GET-through cache kept coherent by the server.
pub struct CachingClient {
    data: Connection,
    redirect: Option<Connection>,
    mode: Mode,
    max_entries: usize,
    entries: HashMap<Vec<u8>, (Option<Vec<u8>>, u64)>,
    by_age: BTreeMap<u64, Vec<u8>>,
    tick: u64,
    in_flight: HashSet<Vec<u8>>,
    poisoned: HashSet<Vec<u8>>,
    seen_gen: (u64, u64),
    stats: Stats,
}

impl CachingClient {
    /// Connect and enable tracking; at most `max_entries` keys are cached
    /// (least recently used evicted first).
    pub fn connect(opts: ConnectOptions, mode: Mode, max_entries: usize) -> Result<CachingClient> {
        let redirect = match opts.protocol {
            Protocol::Resp3 => None,
            Protocol::Resp2 => Some(Connection::connect(opts.clone())?),
        };
        let mut c = CachingClient {
            data: Connection::connect(opts)?,
            redirect,
            mode,
            max_entries: max_entries.max(1),
            entries: HashMap::new(),
            by_age: BTreeMap::new(),
            tick: 0,
            in_flight: HashSet::new(),
            poisoned: HashSet::new(),
            seen_gen: (0, 0),
            stats: Stats::default(),
        };
        c.setup()?;
        Ok(c)
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The data connection, for commands that do not go through the cache
    /// (writes through it invalidate our own entries too).
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.data
    }

    fn gens(&self) -> (u64, u64) {
        (self.data.generation(), self.redirect.as_ref().map_or(0, Connection::generation))
    }

    /// (Re-)enable tracking on fresh connections and drop the cache.
    fn setup(&mut self) -> Result<()> {
        self.flush();
        let mut c = cmd("CLIENT").arg("TRACKING").arg("ON");
        if let Some(r) = &mut self.redirect {
            // A subscribed RESP2 connection cannot run CLIENT ID: leave
            // subscribed state first (reconnects also come back subscribed).
            r.session.channels.clear();
            r.disconnect();
            r.ensure()?;
            let id = r.client_id()?;
            r.session.channels.insert(b"__redis__:invalidate".to_vec());
            r.send(&["SUBSCRIBE", "__redis__:invalidate"])?;
            let _confirm = r.read_frame()?;
            c = c.arg("REDIRECT").arg(&id);
        }
        match &self.mode {
            Mode::Default => {}
            Mode::Bcast(prefixes) => {
                c = c.arg("BCAST");
                for p in prefixes {
                    c = c.arg("PREFIX").arg(p);
                }
            }
            Mode::OptIn => c = c.arg("OPTIN"),
        }
        self.data.query::<Value>(&c)?;
        self.seen_gen = self.gens();
        Ok(())
    }

    /// Drop every cached entry.
    pub fn flush(&mut self) {
        self.entries.clear();
        self.by_age.clear();
        self.stats.flushes += 1;
    }

    fn invalidate(&mut self, keys: Option<Vec<Value>>) {
        self.stats.invalidations += 1;
        let Some(keys) = keys else {
            // FLUSHALL / FLUSHDB: everything goes.
            self.flush();
            let pending: Vec<_> = self.in_flight.iter().cloned().collect();
            self.poisoned.extend(pending);
            return;
        };
        for k in keys {
            let Some(k) = k.as_bytes() else { continue };
            self.remove(k);
            if self.in_flight.contains(k) {
                self.poisoned.insert(k.to_vec());
            }
        }
    }

    fn remove(&mut self, k: &[u8]) {
        if let Some((_, t)) = self.entries.remove(k) {
            self.by_age.remove(&t);
        }
    }

    /// RESP3 pushes from the data connection.
    fn handle(&mut self, frames: Vec<Value>) {
        for f in frames {
            let Value::Push(items) = f else { continue };
            let is_inv = items.first().and_then(Value::as_bytes).is_some_and(|k| k == b"invalidate");
            if is_inv {
                match items.into_iter().nth(1) {
                    Some(Value::Nil) | None => self.invalidate(None),
                    Some(v) => self.invalidate(v.into_items()),
                }
            }
        }
    }

    /// Apply every invalidation that has already arrived; redo the setup
    /// after a reconnection.
    fn drain(&mut self) -> Result<()> {
        if self.gens() != self.seen_gen || !self.data.is_connected() || self.redirect.as_ref().is_some_and(|r| !r.is_connected()) {
            self.data.ensure()?;
            if let Some(r) = &mut self.redirect {
                r.ensure()?;
            }
            return self.setup();
        }
        let pushes = self.data.take_pushes();
        self.handle(pushes);
        let frames = match self.data.drain_available() {
            Ok(f) => f,
            Err(e) if e.is_io() => return self.drain(),
            Err(e) => return Err(e),
        };
        self.handle(frames);
        if let Some(r) = &mut self.redirect {
            let frames = match r.drain_available() {
                Ok(f) => f,
                Err(e) if e.is_io() => return self.drain(),
                Err(e) => return Err(e),
            };
            for f in frames {
                // ["message", "__redis__:invalidate", keys | nil]
                let Some(items) = f.into_items() else { continue };
                let mut it = items.into_iter();
                let (kind, ch, keys) = (it.next(), it.next(), it.next());
                let ok = kind.as_ref().and_then(Value::as_bytes) == Some(b"message")
                    && ch.as_ref().and_then(Value::as_bytes) == Some(b"__redis__:invalidate");
                if ok {
                    match keys {
                        Some(Value::Nil) | None => self.invalidate(None),
                        Some(v) => self.invalidate(v.into_items()),
                    }
                }
            }
        }
        Ok(())
    }

    /// GET through the cache.
    pub fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.drain()?;
        if let Some((v, t)) = self.entries.get_mut(key) {
            self.tick += 1;
            let old = std::mem::replace(t, self.tick);
            let v = v.clone();
            self.by_age.remove(&old);
            self.by_age.insert(self.tick, key.to_vec());
            self.stats.hits += 1;
            return Ok(v);
        }
        self.stats.misses += 1;
        self.in_flight.insert(key.to_vec());
        let gen = self.gens();
        let r = self.fetch(key);
        // Invalidations that arrived with or just after the reply (the key
        // stays in flight until they are applied, so they poison it).
        let drained = if r.is_ok() { self.drain() } else { Ok(()) };
        self.in_flight.remove(key);
        let v = r?;
        let poisoned = self.poisoned.remove(key);
        drained?;
        if !poisoned && gen == self.gens() {
            self.insert(key, v.clone());
        }
        self.poisoned.clear();
        Ok(v)
    }

    fn fetch(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if self.mode == Mode::OptIn {
            let mut p = crate::Pipeline::new();
            p.add(cmd("CLIENT").arg("CACHING").arg("yes")).add(cmd("GET").arg(key));
            let mut r = p.run(&mut self.data)?;
            return crate::FromValue::from_value(r.pop().unwrap_or(Value::Nil));
        }
        self.data.query(&cmd("GET").arg(key))
    }

    fn insert(&mut self, key: &[u8], v: Option<Vec<u8>>) {
        while self.entries.len() >= self.max_entries {
            let Some((_, k)) = self.by_age.pop_first() else { break };
            self.entries.remove(&k);
        }
        self.tick += 1;
        self.entries.insert(key.to_vec(), (v, self.tick));
        self.by_age.insert(self.tick, key.to_vec());
    }
}
