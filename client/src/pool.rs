//! A small bounded pool of blocking connections.
//!
//! `get` hands out an idle connection or opens a new one while fewer than
//! `max` exist, otherwise waits (up to the pool's wait timeout) for one to
//! come back. A connection returns to the pool when its guard drops, unless it
//! lost its socket or was left in a state a stranger should not inherit
//! (another database than the options' one).

use crate::{ConnectOptions, Connection, Error, Result};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

struct Shared {
    idle: Vec<Connection>,
    open: usize,
}

struct Inner {
    opts: ConnectOptions,
    max: usize,
    wait: Duration,
    state: Mutex<Shared>,
    freed: Condvar,
}

/// Cheap to clone: clones share the connections.
#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

/// A connection on loan from a [`Pool`].
pub struct Pooled {
    conn: Option<Connection>,
    pool: Arc<Inner>,
}

impl Pool {
    pub fn new(opts: ConnectOptions, max: usize) -> Pool {
        Pool {
            inner: Arc::new(Inner {
                opts,
                max: max.max(1),
                wait: Duration::from_secs(5),
                state: Mutex::new(Shared { idle: Vec::new(), open: 0 }),
                freed: Condvar::new(),
            }),
        }
    }

    /// Connections open now (idle or on loan).
    pub fn open_count(&self) -> usize {
        self.inner.state.lock().map(|s| s.open).unwrap_or(0)
    }

    pub fn get(&self) -> Result<Pooled> {
        let poisoned = |_| Error::Other("pool lock poisoned".into());
        let mut st = self.inner.state.lock().map_err(poisoned)?;
        loop {
            if let Some(c) = st.idle.pop() {
                return Ok(Pooled {
                    conn: Some(c),
                    pool: self.inner.clone(),
                });
            }
            if st.open < self.inner.max {
                st.open += 1;
                drop(st);
                return match Connection::connect(self.inner.opts.clone()) {
                    Ok(c) => Ok(Pooled {
                        conn: Some(c),
                        pool: self.inner.clone(),
                    }),
                    Err(e) => {
                        if let Ok(mut st) = self.inner.state.lock() {
                            st.open -= 1;
                        }
                        self.inner.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let (g, t) = self
                .inner
                .freed
                .wait_timeout(st, self.inner.wait)
                .map_err(|_| Error::Other("pool lock poisoned".into()))?;
            st = g;
            if t.timed_out() && st.idle.is_empty() && st.open >= self.inner.max {
                return Err(Error::Other("pool exhausted: no connection came back in time".into()));
            }
        }
    }
}

impl Deref for Pooled {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        // Always Some until drop.
        self.conn.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let Some(c) = self.conn.take() else { return };
        let reusable = c.is_connected() && c.session.db.is_none_or(|d| d == self.pool.opts.db) && c.session.channels.is_empty();
        if let Ok(mut st) = self.pool.state.lock() {
            if reusable {
                st.idle.push(c);
            } else {
                st.open -= 1;
            }
        }
        self.pool.freed.notify_one();
    }
}
