//! Server-assisted client-side caching (`tracking.c`): CLIENT TRACKING and
//! the invalidation messages.
//!
//! In the default mode the server remembers, per key, which clients read
//! it (the tracking table) and tells them once when it changes, then
//! forgets. In BCAST mode clients subscribe to key prefixes instead and
//! get, once per event-loop cycle, every changed key under their prefixes.
//!
//! Messages go to the tracking client itself as RESP3 pushes, or to the
//! client it redirects to (a RESP3 push, or in RESP2 a pub/sub message on
//! `__redis__:invalidate`). The client running a command gets its
//! invalidations after its reply, through `Server::with_client_output`.
//!
//! Tracking state of a client lives in its flags (for CLIENT LIST and
//! TRACKINGINFO) and, for lookup while the client is running, in
//! `Tracking::clients`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::client::{flags as cf, Client};
use crate::commands::def::flags as f;
use crate::error::Error;
use crate::resp::ReplyBuf;
use crate::server::{CmdResult, Ctx, Server};

/// The pub/sub channel RESP2 redirect clients receive invalidations on.
pub const CHANNEL: &[u8] = b"__redis__:invalidate";

/// Flags of a tracking client that the sender needs.
const MODE_FLAGS: u64 = cf::TRACKING | cf::TRACKING_BCAST | cf::TRACKING_NOLOOP;

/// What the server knows about one tracking client.
struct Tracker {
    /// Slab key of the client.
    key: usize,
    flags: u64,
    /// Client id invalidations go to, or 0.
    redirect: u64,
    /// BCAST prefixes.
    prefixes: BTreeSet<Vec<u8>>,
}

/// One BCAST prefix: who listens, and which keys under it changed in this
/// event-loop cycle (with the slab key of the client that changed each, for
/// NOLOOP).
#[derive(Default)]
struct Prefix {
    clients: BTreeSet<u64>,
    keys: BTreeMap<Vec<u8>, Option<usize>>,
}

#[derive(Default)]
pub struct Tracking {
    /// Key -> ids of the clients that may have it cached.
    table: HashMap<Vec<u8>, Vec<u64>, foldhash::fast::RandomState>,
    /// Sum of the id lists' lengths (`tracking_total_items`).
    total_items: u64,
    prefixes: BTreeMap<Vec<u8>, Prefix>,
    /// Tracking clients by id.
    clients: HashMap<u64, Tracker, foldhash::fast::RandomState>,
    /// Rounds the table stayed above `tracking-table-max-keys`.
    limit_rounds: u32,
}

impl Tracking {
    /// No tracking client and nothing remembered: key changes need not
    /// be looked at (the test `tracking_invalidate_key` starts with).
    #[inline]
    pub fn is_idle(&self) -> bool {
        self.clients.is_empty() && self.table.is_empty()
    }

    /// Number of clients with tracking on (INFO `tracking_clients`).
    pub fn num_clients(&self) -> usize {
        self.clients.len()
    }
    pub fn total_keys(&self) -> usize {
        self.table.len()
    }
    pub fn total_items(&self) -> u64 {
        self.total_items
    }
    /// The BCAST prefixes of client `id` (its memory accounting).
    pub fn client_prefixes(&self, id: u64) -> usize {
        self.clients.get(&id).map_or(0, |t| t.prefixes.len())
    }

    pub fn total_prefixes(&self) -> usize {
        self.prefixes.len()
    }
}

/// The value part of an invalidation message.
enum Payload<'a> {
    /// One key.
    Key(&'a [u8]),
    /// Keys already encoded as a RESP array.
    Array(&'a [u8]),
    /// Everything (after a flush): a null.
    All,
}

impl Server {
    /// Turns tracking on for `c` (`enableTracking`). Options are checked by
    /// the caller.
    fn enable_tracking(&mut self, c: &mut Client, redirect: u64, options: u64, prefixes: &[&[u8]]) {
        c.flags |= cf::TRACKING;
        c.flags &= !(cf::TRACKING_BROKEN_REDIR | cf::TRACKING_BCAST | cf::TRACKING_OPTIN | cf::TRACKING_OPTOUT | cf::TRACKING_NOLOOP);
        c.flags |= options & (cf::TRACKING_BCAST | cf::TRACKING_OPTIN | cf::TRACKING_OPTOUT | cf::TRACKING_NOLOOP);
        c.tracking_redirect = redirect;
        let t = &mut self.tracking;
        let tr = t.clients.entry(c.id).or_insert_with(|| Tracker {
            key: c.key,
            flags: 0,
            redirect: 0,
            prefixes: BTreeSet::new(),
        });
        tr.flags = c.flags & MODE_FLAGS;
        tr.redirect = redirect;
        if options & cf::TRACKING_BCAST != 0 {
            let wanted: Vec<&[u8]> = if prefixes.is_empty() { vec![b""] } else { prefixes.to_vec() };
            for p in wanted {
                if tr.prefixes.insert(p.to_vec()) {
                    t.prefixes.entry(p.to_vec()).or_default().clients.insert(c.id);
                }
            }
        }
    }

    /// Turns tracking off for `c` (`disableTracking`).
    pub fn disable_tracking(&mut self, c: &mut Client) {
        if let Some(tr) = self.tracking.clients.remove(&c.id) {
            for p in tr.prefixes {
                if let Some(pf) = self.tracking.prefixes.get_mut(&p) {
                    pf.clients.remove(&c.id);
                    if pf.clients.is_empty() {
                        self.tracking.prefixes.remove(&p);
                    }
                }
            }
        }
        c.flags &= !(cf::TRACKING
            | cf::TRACKING_BROKEN_REDIR
            | cf::TRACKING_BCAST
            | cf::TRACKING_OPTIN
            | cf::TRACKING_OPTOUT
            | cf::TRACKING_CACHING
            | cf::TRACKING_NOLOOP);
        c.tracking_redirect = 0;
    }

    /// After a read-only command: remember that `c` may now cache the
    /// keys it read (`trackingRememberKeys`).
    pub fn tracking_remember_keys(&mut self, c: &Client, cmd: &crate::commands::Command, argv: &[&[u8]]) {
        let optin = c.has(cf::TRACKING_OPTIN);
        let optout = c.has(cf::TRACKING_OPTOUT);
        let caching = c.has(cf::TRACKING_CACHING);
        if (optin && !caching) || (optout && caching) || cmd.has(f::PUBSUB) {
            return;
        }
        let mut keys = Vec::new();
        crate::commands::get_keys(cmd, argv, &mut keys);
        let keys: Vec<&[u8]> = keys.iter().map(|k| argv[k.pos]).collect();
        self.tracking_remember_key_list(c, &keys);
    }

    /// Remembers that `c` may cache `keys` (the caller of a script: the
    /// keys it declared, `trackingRememberKeys` on the script caller).
    pub fn tracking_remember_key_list(&mut self, c: &Client, keys: &[&[u8]]) {
        let optin = c.has(cf::TRACKING_OPTIN);
        let optout = c.has(cf::TRACKING_OPTOUT);
        let caching = c.has(cf::TRACKING_CACHING);
        if (optin && !caching) || (optout && caching) {
            return;
        }
        for &key in keys {
            let ids = match self.tracking.table.get_mut(key) {
                Some(ids) => ids,
                None => self.tracking.table.entry(key.to_vec()).or_default(),
            };
            if !ids.contains(&c.id) {
                ids.push(c.id);
                self.tracking.total_items += 1;
            }
        }
    }

    /// A key changed (or left the tracking table): tell the clients that
    /// may cache it (`trackingInvalidateKey`). `bcast` also queues it for
    /// BCAST clients (not done for table evictions, where the key did not
    /// change). `by` is the client that changed it, if any (for NOLOOP).
    pub fn tracking_invalidate_key(&mut self, key: &[u8], bcast: bool, by: Option<usize>) {
        if self.tracking.clients.is_empty() && self.tracking.table.is_empty() {
            return;
        }
        if bcast && !self.tracking.prefixes.is_empty() {
            for (p, pf) in self.tracking.prefixes.iter_mut() {
                if key.starts_with(p) {
                    pf.keys.insert(key.to_vec(), by);
                }
            }
        }
        let Some(ids) = self.tracking.table.remove(key) else { return };
        self.tracking.total_items -= ids.len() as u64;
        for id in ids {
            let Some(tr) = self.tracking.clients.get(&id) else { continue };
            if tr.flags & cf::TRACKING_BCAST != 0 {
                continue;
            }
            if tr.flags & cf::TRACKING_NOLOOP != 0 && Some(tr.key) == self.running.key {
                continue;
            }
            self.send_tracking_message(id, Payload::Key(key));
        }
    }

    /// Every key is gone (FLUSHDB/FLUSHALL/SWAPDB...): every tracking client
    /// gets a null invalidation and the table is emptied
    /// (`trackingInvalidateKeysOnFlush`).
    pub fn tracking_invalidate_all(&mut self) {
        let ids: Vec<u64> = self.tracking.clients.keys().copied().collect();
        for id in ids {
            self.send_tracking_message(id, Payload::All);
        }
        self.tracking.table = Default::default();
        self.tracking.total_items = 0;
    }

    /// Sends one invalidation for tracking client `id`
    /// (`sendTrackingMessage`).
    fn send_tracking_message(&mut self, id: u64, payload: Payload<'_>) {
        let Some(tr) = self.tracking.clients.get(&id) else { return };
        let (mut to, redirect) = (tr.key, tr.redirect);
        let mut redirected = false;
        if redirect != 0 {
            match self.client_by_id.get(&redirect) {
                Some(&k) => {
                    to = k;
                    redirected = true;
                }
                None => {
                    let own = tr.key;
                    self.add_client_flags(own, cf::TRACKING_BROKEN_REDIR);
                    if self.client_resp_and_pubsub(own).is_some_and(|(resp, _)| resp > 2) {
                        self.with_client_output(own, |r| {
                            r.push_len(2);
                            r.bulk(b"tracking-redir-broken");
                            r.int(redirect as i64);
                        });
                    }
                    return;
                }
            }
        }
        let Some((resp, pubsub)) = self.client_resp_and_pubsub(to) else {
            return;
        };
        let as_message = if resp > 2 {
            false
        } else if redirected && pubsub {
            true
        } else {
            // RESP2 without redirection has no way to carry a push.
            return;
        };
        self.with_client_output(to, |r: &mut ReplyBuf| {
            if as_message {
                r.push_len(3);
                r.bulk(b"message");
                r.bulk(CHANNEL);
            } else {
                r.push_len(2);
                r.bulk(b"invalidate");
            }
            match payload {
                Payload::Key(k) => {
                    r.array_len(1);
                    r.bulk(k);
                }
                Payload::Array(raw) => r.raw(raw),
                Payload::All => r.null(),
            }
        });
    }

    /// The protocol and pub/sub state of a client, running or not.
    fn client_resp_and_pubsub(&self, key: usize) -> Option<(u8, bool)> {
        match self.clients.get(key) {
            Some(Some(c)) => Some((c.reply.resp, c.has(cf::PUBSUB))),
            Some(None) => Some((self.running.resp, self.running.pubsub)),
            None => None,
        }
    }

    /// Keeps the tracking table within `tracking-table-max-keys` by
    /// invalidating keys, with more effort each time it stays above
    /// (`trackingLimitUsedSlots`).
    #[inline]
    pub fn tracking_limit_used_slots(&mut self) {
        // Before every command: one test while nothing is tracked.
        if self.cfg.tracking_table_max_keys <= 0 || self.tracking.table.is_empty() {
            return;
        }
        self.tracking_limit_used_slots_run();
    }

    fn tracking_limit_used_slots_run(&mut self) {
        let max = self.cfg.tracking_table_max_keys as usize;
        if self.tracking.table.len() <= max {
            self.tracking.limit_rounds = 0;
            return;
        }
        let effort = 100 * (self.tracking.limit_rounds as usize + 1);
        // The hash map's order is as good as a random walk for picking victims.
        let victims: Vec<Vec<u8>> = self.tracking.table.keys().take(effort).cloned().collect();
        for k in victims {
            self.tracking_invalidate_key(&k, false, None);
            if self.tracking.table.len() <= max {
                self.tracking.limit_rounds = 0;
                return;
            }
        }
        self.tracking.limit_rounds += 1;
    }

    /// Sends BCAST clients the keys changed under their prefixes in this
    /// event-loop cycle (`trackingBroadcastInvalidationMessages`).
    #[inline]
    pub fn tracking_broadcast(&mut self) {
        if !self.tracking.prefixes.is_empty() {
            self.tracking_broadcast_run();
        }
    }

    fn tracking_broadcast_run(&mut self) {
        if self.tracking.prefixes.values().all(|p| p.keys.is_empty()) {
            return;
        }
        let mut sends: Vec<(u64, Vec<u8>)> = Vec::new();
        for pf in self.tracking.prefixes.values_mut() {
            if pf.keys.is_empty() {
                continue;
            }
            let keys = std::mem::take(&mut pf.keys);
            let all = encode_keys(&keys, None);
            for &id in &pf.clients {
                let Some(tr) = self.tracking.clients.get(&id) else { continue };
                if tr.flags & cf::TRACKING_NOLOOP != 0 {
                    if let Some(own) = encode_keys(&keys, Some(tr.key)) {
                        sends.push((id, own));
                    }
                } else if let Some(a) = &all {
                    sends.push((id, a.clone()));
                }
            }
        }
        for (id, proto) in sends {
            self.send_tracking_message(id, Payload::Array(&proto));
        }
    }
}

/// The RESP array of `keys`, leaving out those last changed by `skip`
/// (NOLOOP); None when that leaves nothing.
fn encode_keys(keys: &BTreeMap<Vec<u8>, Option<usize>>, skip: Option<usize>) -> Option<Vec<u8>> {
    let picked: Vec<&Vec<u8>> = keys.iter().filter(|(_, m)| skip.is_none() || **m != skip).map(|(k, _)| k).collect();
    if picked.is_empty() {
        return None;
    }
    let mut r = ReplyBuf::new();
    r.array_len(picked.len());
    for k in picked {
        r.bulk(k);
    }
    Some(r.buf)
}

/// Two prefixes overlap when one starts with the other.
fn overlaps(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// `CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN]
/// [OPTOUT] [NOLOOP]`
pub fn client_tracking_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut options = 0u64;
    let mut redirect = 0u64;
    let mut prefixes: Vec<&[u8]> = Vec::new();
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        let opt = argv[j].to_ascii_lowercase();
        match opt.as_slice() {
            b"redirect" if more => {
                j += 1;
                if redirect != 0 {
                    return Err(Error::err("ERR A client can only redirect to a single other client"));
                }
                let id = crate::util::num::parse_i64(argv[j]).ok_or(Error::NotInteger)?;
                let exists = id as u64 == ctx.c.id || ctx.srv.client_by_id.contains_key(&(id as u64));
                if id <= 0 || !exists {
                    return Err(Error::err("ERR The client ID you want redirect to does not exist"));
                }
                redirect = id as u64;
            }
            b"bcast" => options |= cf::TRACKING_BCAST,
            b"optin" => options |= cf::TRACKING_OPTIN,
            b"optout" => options |= cf::TRACKING_OPTOUT,
            b"noloop" => options |= cf::TRACKING_NOLOOP,
            b"prefix" if more => {
                j += 1;
                prefixes.push(argv[j]);
            }
            _ => return Err(Error::Syntax),
        }
        j += 1;
    }
    let c = &mut *ctx.c;
    match argv[2].to_ascii_lowercase().as_slice() {
        b"on" => {
            if options & cf::TRACKING_BCAST == 0 && !prefixes.is_empty() {
                return Err(Error::err("ERR PREFIX option requires BCAST mode to be enabled"));
            }
            if c.has(cf::TRACKING) && c.has(cf::TRACKING_BCAST) != (options & cf::TRACKING_BCAST != 0) {
                return Err(Error::err(
                    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
                ));
            }
            if options & cf::TRACKING_BCAST != 0 && options & (cf::TRACKING_OPTIN | cf::TRACKING_OPTOUT) != 0 {
                return Err(Error::err("ERR OPTIN and OPTOUT are not compatible with BCAST"));
            }
            if options & cf::TRACKING_OPTIN != 0 && options & cf::TRACKING_OPTOUT != 0 {
                return Err(Error::err("ERR You can't specify both OPTIN mode and OPTOUT mode"));
            }
            if (options & cf::TRACKING_OPTIN != 0 && c.has(cf::TRACKING_OPTOUT))
                || (options & cf::TRACKING_OPTOUT != 0 && c.has(cf::TRACKING_OPTIN))
            {
                return Err(Error::err(
                    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
                ));
            }
            if options & cf::TRACKING_BCAST != 0 {
                check_prefix_collisions(&ctx.srv.tracking, c.id, &prefixes)?;
            }
            ctx.srv.enable_tracking(c, redirect, options, &prefixes);
        }
        b"off" => ctx.srv.disable_tracking(c),
        _ => return Err(Error::Syntax),
    }
    ctx.c.reply.ok();
    Ok(())
}

/// `checkPrefixCollisionsOrReply`: new prefixes may not overlap the
/// client's existing ones nor each other.
fn check_prefix_collisions(t: &Tracking, id: u64, prefixes: &[&[u8]]) -> Result<(), Error> {
    let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    for (i, p) in prefixes.iter().enumerate() {
        if let Some(tr) = t.clients.get(&id) {
            if let Some(old) = tr.prefixes.iter().find(|old| overlaps(old, p)) {
                return Err(Error::msg(format!(
                    "ERR Prefix '{}' overlaps with an existing prefix '{}'. Prefixes for a single client must not overlap.",
                    lossy(p),
                    lossy(old)
                )));
            }
        }
        if let Some(other) = prefixes[i + 1..].iter().find(|o| overlaps(p, o)) {
            return Err(Error::msg(format!(
                "ERR Prefix '{}' overlaps with another provided prefix '{}'. Prefixes for a single client must not overlap.",
                lossy(p),
                lossy(other)
            )));
        }
    }
    Ok(())
}

/// `CLIENT CACHING YES|NO`
pub fn client_caching_command(ctx: &mut Ctx) -> CmdResult {
    let c = &mut *ctx.c;
    if !c.has(cf::TRACKING) {
        return Err(Error::err(
            "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
        ));
    }
    match ctx.argv[2].to_ascii_lowercase().as_slice() {
        b"yes" if c.has(cf::TRACKING_OPTIN) => c.flags |= cf::TRACKING_CACHING,
        b"yes" => {
            return Err(Error::err(
                "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            ))
        }
        b"no" if c.has(cf::TRACKING_OPTOUT) => c.flags |= cf::TRACKING_CACHING,
        b"no" => {
            return Err(Error::err(
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            ))
        }
        _ => return Err(Error::Syntax),
    }
    c.reply.ok();
    Ok(())
}

/// The redirect id CLIENT GETREDIR and CLIENT LIST show: -1 when tracking
/// is off.
pub fn redirect_of(c: &Client) -> i64 {
    if c.has(cf::TRACKING) {
        c.tracking_redirect as i64
    } else {
        -1
    }
}

/// `CLIENT GETREDIR`
pub fn client_getredir_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.int(redirect_of(ctx.c));
    Ok(())
}

/// `CLIENT TRACKINGINFO`
pub fn client_trackinginfo_command(ctx: &mut Ctx) -> CmdResult {
    let c = &*ctx.c;
    let mut flags: Vec<&[u8]> = vec![if c.has(cf::TRACKING) { b"on" } else { b"off" }];
    if c.has(cf::TRACKING_BCAST) {
        flags.push(b"bcast");
    }
    if c.has(cf::TRACKING_OPTIN) {
        flags.push(b"optin");
        if c.has(cf::TRACKING_CACHING) {
            flags.push(b"caching-yes");
        }
    }
    if c.has(cf::TRACKING_OPTOUT) {
        flags.push(b"optout");
        if c.has(cf::TRACKING_CACHING) {
            flags.push(b"caching-no");
        }
    }
    if c.has(cf::TRACKING_NOLOOP) {
        flags.push(b"noloop");
    }
    if c.has(cf::TRACKING_BROKEN_REDIR) {
        flags.push(b"broken_redirect");
    }
    let prefixes: Vec<Vec<u8>> = ctx
        .srv
        .tracking
        .clients
        .get(&c.id)
        .map(|t| t.prefixes.iter().cloned().collect())
        .unwrap_or_default();
    let redirect = redirect_of(c);
    let r = &mut ctx.c.reply;
    r.map_len(3);
    r.bulk(b"flags");
    r.set_len(flags.len());
    for fl in flags {
        r.bulk(fl);
    }
    r.bulk(b"redirect");
    r.int(redirect);
    r.bulk(b"prefixes");
    r.array_len(prefixes.len());
    for p in &prefixes {
        r.bulk(p);
    }
    Ok(())
}
