//! Pub/Sub (pubsub.c): channel, pattern and shard-channel subscriptions,
//! message delivery, PUBSUB introspection.
//!
//! The server keeps channel -> subscribers (slab keys, in subscription
//! order) and pattern -> subscribers; each client keeps its own lists.
//! Messages are appended to subscribers' reply buffers: a publisher never
//! waits for a slow subscriber, whose output limit closes it instead.

use crate::client::{flags as cf, Client};
use crate::resp::ReplyBuf;
use crate::server::{CmdResult, Ctx, Server};
use crate::util::glob::glob_match;
use std::collections::HashMap;

/// Server-side subscription tables.
#[derive(Default)]
pub struct PubSub {
    pub channels: HashMap<Vec<u8>, Vec<usize>>,
    pub patterns: HashMap<Vec<u8>, Vec<usize>>,
    pub shard_channels: HashMap<Vec<u8>, Vec<usize>>,
}

/// A client's subscriptions.
#[derive(Default)]
pub struct ClientSubs {
    pub channels: Vec<Vec<u8>>,
    pub patterns: Vec<Vec<u8>>,
    pub shard_channels: Vec<Vec<u8>>,
}

impl ClientSubs {
    /// Channels plus patterns (`clientSubscriptionsCount`).
    pub fn count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    pub fn total(&self) -> usize {
        self.count() + self.shard_channels.len()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Normal,
    Shard,
}

impl Kind {
    fn sub_name(self) -> &'static [u8] {
        match self {
            Kind::Normal => b"subscribe",
            Kind::Shard => b"ssubscribe",
        }
    }
    fn unsub_name(self) -> &'static [u8] {
        match self {
            Kind::Normal => b"unsubscribe",
            Kind::Shard => b"sunsubscribe",
        }
    }
    fn message_name(self) -> &'static [u8] {
        match self {
            Kind::Normal => b"message",
            Kind::Shard => b"smessage",
        }
    }
}

/// The header of a pub/sub push: an array in RESP2, a push in RESP3.
fn push_header(r: &mut ReplyBuf, n: usize) {
    r.push_len(n);
}

/// A (un)subscribe confirmation for the running client. It is a push, so
/// it is delivered even when the client turned its replies off.
fn subscription_reply(srv: &mut Server, c: &mut Client, what: &[u8], name: Option<&[u8]>, count: usize) {
    if c.has(cf::REPLY_OFF | cf::REPLY_SKIP) {
        let mut tmp = ReplyBuf::new();
        tmp.resp = c.reply.resp;
        write_subscription(&mut tmp, what, name, count);
        srv.running.output.extend_from_slice(&tmp.buf);
    } else {
        write_subscription(&mut c.reply, what, name, count);
    }
}

fn write_subscription(r: &mut ReplyBuf, what: &[u8], name: Option<&[u8]>, count: usize) {
    push_header(r, 3);
    r.bulk(what);
    match name {
        Some(n) => r.bulk(n),
        None => r.null(),
    }
    r.int(count as i64);
}

impl Server {
    /// Runs `f` on a client's output, wherever the client is: in the slab,
    /// or running right now (then into the deferred output that is added to
    /// its buffer after its command).
    pub fn with_client_output(&mut self, key: usize, f: impl FnOnce(&mut ReplyBuf)) {
        match self.clients.get_mut(key) {
            Some(Some(c)) => {
                f(&mut c.reply);
                if !c.has(cf::PENDING_WRITE) {
                    c.flags |= cf::PENDING_WRITE;
                    self.pending_write.push(key);
                }
                let mut c = match self.clients.get_mut(key).and_then(|s| s.take()) {
                    Some(c) => c,
                    None => return,
                };
                self.check_output_limits(&mut c);
                // Output queued by someone else's command counts now.
                self.update_client_mem_and_bucket(&mut c);
                let close = c.has(cf::CLOSE_ASAP);
                self.clients[key] = Some(c);
                if close {
                    self.to_close.push(key);
                }
            }
            Some(None) => {
                let mut tmp = ReplyBuf::new();
                tmp.resp = self.running.resp;
                f(&mut tmp);
                self.running.output.extend_from_slice(&tmp.buf);
            }
            None => {}
        }
    }

    /// Delivers a message to every subscriber (`pubsubPublishMessage`).
    fn publish_kind(&mut self, channel: &[u8], message: &[u8], kind: Kind) -> usize {
        let mut receivers = 0;
        let table = match kind {
            Kind::Normal => &self.pubsub.channels,
            Kind::Shard => &self.pubsub.shard_channels,
        };
        let subscribers: Vec<usize> = table.get(channel).cloned().unwrap_or_default();
        for key in subscribers {
            self.with_client_output(key, |r| {
                push_header(r, 3);
                r.bulk(kind.message_name());
                r.bulk(channel);
                r.bulk(message);
            });
            receivers += 1;
        }
        if kind == Kind::Shard {
            return receivers;
        }
        let matching: Vec<(Vec<u8>, Vec<usize>)> = self
            .pubsub
            .patterns
            .iter()
            .filter(|(p, _)| glob_match(p, channel, false))
            .map(|(p, cs)| (p.clone(), cs.clone()))
            .collect();
        for (pattern, clients) in matching {
            for key in clients {
                self.with_client_output(key, |r| {
                    push_header(r, 4);
                    r.bulk(b"pmessage");
                    r.bulk(&pattern);
                    r.bulk(channel);
                    r.bulk(message);
                });
                receivers += 1;
            }
        }
        receivers
    }

    /// Publishes to a channel; returns how many clients received it.
    pub fn publish(&mut self, channel: &[u8], message: &[u8]) -> usize {
        self.publish_kind(channel, message, Kind::Normal)
    }

    fn subscribe_channel(&mut self, c: &mut Client, ch: &[u8], kind: Kind) {
        let (mine, table) = match kind {
            Kind::Normal => (&mut c.subs.channels, &mut self.pubsub.channels),
            Kind::Shard => (&mut c.subs.shard_channels, &mut self.pubsub.shard_channels),
        };
        if !mine.iter().any(|x| x == ch) {
            mine.push(ch.to_vec());
            table.entry(ch.to_vec()).or_default().push(c.key);
        }
        let count = if kind == Kind::Normal {
            c.subs.count()
        } else {
            c.subs.shard_channels.len()
        };
        subscription_reply(self, c, kind.sub_name(), Some(ch), count);
    }

    fn unsubscribe_channel(&mut self, c: &mut Client, ch: &[u8], notify: bool, kind: Kind) -> bool {
        let (mine, table) = match kind {
            Kind::Normal => (&mut c.subs.channels, &mut self.pubsub.channels),
            Kind::Shard => (&mut c.subs.shard_channels, &mut self.pubsub.shard_channels),
        };
        let mut removed = false;
        if let Some(i) = mine.iter().position(|x| x == ch) {
            mine.remove(i);
            removed = true;
            if let Some(list) = table.get_mut(ch) {
                list.retain(|&k| k != c.key);
                if list.is_empty() {
                    table.remove(ch);
                }
            }
        }
        if notify {
            let count = if kind == Kind::Normal {
                c.subs.count()
            } else {
                c.subs.shard_channels.len()
            };
            subscription_reply(self, c, kind.unsub_name(), Some(ch), count);
        }
        removed
    }

    fn unsubscribe_all_channels(&mut self, c: &mut Client, notify: bool, kind: Kind) -> usize {
        let list = match kind {
            Kind::Normal => c.subs.channels.clone(),
            Kind::Shard => c.subs.shard_channels.clone(),
        };
        let mut n = 0;
        for ch in list {
            if self.unsubscribe_channel(c, &ch, notify, kind) {
                n += 1;
            }
        }
        if notify && n == 0 {
            let count = if kind == Kind::Normal {
                c.subs.count()
            } else {
                c.subs.shard_channels.len()
            };
            subscription_reply(self, c, kind.unsub_name(), None, count);
        }
        n
    }

    fn subscribe_pattern(&mut self, c: &mut Client, p: &[u8]) {
        if !c.subs.patterns.iter().any(|x| x == p) {
            c.subs.patterns.push(p.to_vec());
            self.pubsub.patterns.entry(p.to_vec()).or_default().push(c.key);
        }
        let count = c.subs.count();
        subscription_reply(self, c, b"psubscribe", Some(p), count);
    }

    fn unsubscribe_pattern(&mut self, c: &mut Client, p: &[u8], notify: bool) -> bool {
        let mut removed = false;
        if let Some(i) = c.subs.patterns.iter().position(|x| x == p) {
            c.subs.patterns.remove(i);
            removed = true;
            if let Some(list) = self.pubsub.patterns.get_mut(p) {
                list.retain(|&k| k != c.key);
                if list.is_empty() {
                    self.pubsub.patterns.remove(p);
                }
            }
        }
        if notify {
            let count = c.subs.count();
            subscription_reply(self, c, b"punsubscribe", Some(p), count);
        }
        removed
    }

    fn unsubscribe_all_patterns(&mut self, c: &mut Client, notify: bool) -> usize {
        let mut n = 0;
        for p in c.subs.patterns.clone() {
            if self.unsubscribe_pattern(c, &p, notify) {
                n += 1;
            }
        }
        if notify && n == 0 {
            let count = c.subs.count();
            subscription_reply(self, c, b"punsubscribe", None, count);
        }
        n
    }

    /// Drops every subscription of a client (on RESET or disconnect).
    pub fn pubsub_unsubscribe_all(&mut self, c: &mut Client, notify: bool) {
        self.unsubscribe_all_channels(c, notify, Kind::Normal);
        self.unsubscribe_all_channels(c, notify, Kind::Shard);
        self.unsubscribe_all_patterns(c, notify);
        c.flags &= !cf::PUBSUB;
    }

    /// Number of channels with subscribers plus patterns (INFO).
    pub fn pubsub_counts(&self) -> (usize, usize, usize) {
        (
            self.pubsub.channels.len(),
            self.pubsub.patterns.len(),
            self.pubsub.shard_channels.len(),
        )
    }
}

fn update_pubsub_flag(c: &mut Client) {
    if c.subs.total() == 0 {
        c.flags &= !cf::PUBSUB;
    } else {
        c.flags |= cf::PUBSUB;
    }
}

/// `SUBSCRIBE channel [channel ...]`
pub fn subscribe_command(ctx: &mut Ctx) -> CmdResult {
    for &ch in &ctx.argv[1..] {
        ctx.srv.subscribe_channel(ctx.c, ch, Kind::Normal);
    }
    ctx.c.flags |= cf::PUBSUB;
    Ok(())
}

/// `UNSUBSCRIBE [channel ...]`
pub fn unsubscribe_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argc() == 1 {
        ctx.srv.unsubscribe_all_channels(ctx.c, true, Kind::Normal);
    } else {
        for &ch in &ctx.argv[1..] {
            ctx.srv.unsubscribe_channel(ctx.c, ch, true, Kind::Normal);
        }
    }
    update_pubsub_flag(ctx.c);
    Ok(())
}

/// `PSUBSCRIBE pattern [pattern ...]`
pub fn psubscribe_command(ctx: &mut Ctx) -> CmdResult {
    for &p in &ctx.argv[1..] {
        ctx.srv.subscribe_pattern(ctx.c, p);
    }
    ctx.c.flags |= cf::PUBSUB;
    Ok(())
}

/// `PUNSUBSCRIBE [pattern ...]`
pub fn punsubscribe_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argc() == 1 {
        ctx.srv.unsubscribe_all_patterns(ctx.c, true);
    } else {
        for &p in &ctx.argv[1..] {
            ctx.srv.unsubscribe_pattern(ctx.c, p, true);
        }
    }
    update_pubsub_flag(ctx.c);
    Ok(())
}

/// `SSUBSCRIBE shardchannel [shardchannel ...]`
pub fn ssubscribe_command(ctx: &mut Ctx) -> CmdResult {
    for &ch in &ctx.argv[1..] {
        ctx.srv.subscribe_channel(ctx.c, ch, Kind::Shard);
    }
    ctx.c.flags |= cf::PUBSUB;
    Ok(())
}

/// `SUNSUBSCRIBE [shardchannel ...]`
pub fn sunsubscribe_command(ctx: &mut Ctx) -> CmdResult {
    if ctx.argc() == 1 {
        ctx.srv.unsubscribe_all_channels(ctx.c, true, Kind::Shard);
    } else {
        for &ch in &ctx.argv[1..] {
            ctx.srv.unsubscribe_channel(ctx.c, ch, true, Kind::Shard);
        }
    }
    update_pubsub_flag(ctx.c);
    Ok(())
}

/// Messages a publisher sent to itself come before its reply, as in Redis.
fn flush_self_output(ctx: &mut Ctx) {
    if !ctx.srv.running.output.is_empty() {
        let out = std::mem::take(&mut ctx.srv.running.output);
        ctx.c.reply.raw(&out);
    }
}

/// `PUBLISH channel message`
pub fn publish_command(ctx: &mut Ctx) -> CmdResult {
    let n = ctx.srv.publish_kind(ctx.argv[1], ctx.argv[2], Kind::Normal);
    flush_self_output(ctx);
    ctx.c.reply.int(n as i64);
    ctx.force_propagate = true;
    Ok(())
}

/// `SPUBLISH shardchannel message`
pub fn spublish_command(ctx: &mut Ctx) -> CmdResult {
    let n = ctx.srv.publish_kind(ctx.argv[1], ctx.argv[2], Kind::Shard);
    flush_self_output(ctx);
    ctx.c.reply.int(n as i64);
    ctx.force_propagate = true;
    Ok(())
}

fn channel_list(ctx: &mut Ctx, shard: bool) -> CmdResult {
    let pat = ctx.argv.get(2).copied();
    let table = if shard {
        &ctx.srv.pubsub.shard_channels
    } else {
        &ctx.srv.pubsub.channels
    };
    let names: Vec<&Vec<u8>> = table.keys().filter(|ch| pat.is_none_or(|p| glob_match(p, ch, false))).collect();
    ctx.c.reply.array_len(names.len());
    for n in names {
        ctx.c.reply.bulk(n);
    }
    Ok(())
}

/// `PUBSUB CHANNELS [pattern]`
pub fn pubsub_channels_command(ctx: &mut Ctx) -> CmdResult {
    channel_list(ctx, false)
}

/// `PUBSUB SHARDCHANNELS [pattern]`
pub fn pubsub_shardchannels_command(ctx: &mut Ctx) -> CmdResult {
    channel_list(ctx, true)
}

fn numsub(ctx: &mut Ctx, shard: bool) -> CmdResult {
    let table = if shard {
        &ctx.srv.pubsub.shard_channels
    } else {
        &ctx.srv.pubsub.channels
    };
    let r = &mut ctx.c.reply;
    r.array_len((ctx.argv.len() - 2) * 2);
    for &ch in &ctx.argv[2..] {
        r.bulk(ch);
        r.int(table.get(ch).map(|l| l.len()).unwrap_or(0) as i64);
    }
    Ok(())
}

/// `PUBSUB NUMSUB [channel ...]`
pub fn pubsub_numsub_command(ctx: &mut Ctx) -> CmdResult {
    numsub(ctx, false)
}

/// `PUBSUB SHARDNUMSUB [shardchannel ...]`
pub fn pubsub_shardnumsub_command(ctx: &mut Ctx) -> CmdResult {
    numsub(ctx, true)
}

/// `PUBSUB NUMPAT`
pub fn pubsub_numpat_command(ctx: &mut Ctx) -> CmdResult {
    let n = ctx.srv.pubsub.patterns.len();
    ctx.c.reply.int(n as i64);
    Ok(())
}

/// `PUBSUB HELP`
pub fn pubsub_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        ctx.argv[0],
        &[
            "CHANNELS [<pattern>]",
            "    Return the channels with subscribers matching <pattern> (default '*').",
            "NUMPAT",
            "    Return how many pattern subscriptions exist.",
            "NUMSUB [<channel> ...]",
            "    Return the subscriber count of each channel (patterns not counted).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the shard channels with subscribers matching <pattern> (default '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the subscriber count of each shard channel.",
        ],
    );
    Ok(())
}
