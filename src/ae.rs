//! The event loop's tokens (the file-event half of ae.c): what each
//! registration with the mio poller stands for.
//!
//! The loop itself (poll, `before_sleep`, dispatch, the cron) lives in
//! `server/run.rs`; this file only defines [`Tok`], the one vocabulary in
//! which sources are registered and events dispatched. `poll_and_dispatch`
//! decodes every event's token with [`Tok::from_token`] and `match`es on
//! it, so a token can neither collide with another kind's nor be misread.
//!
//! # Encoding
//!
//! A `mio::Token` is a `usize`. The low [`TAG_BITS`] bits hold the kind,
//! the rest the kind's index (a client's slab key, a listener's position):
//! `Token(index << TAG_BITS | tag)`. The encoding is loss-free for every
//! index up to [`MAX_INDEX`], far above any slab key (a slab of that many
//! entries could not be allocated). Kinds without an index use 0.
//!
//! # Adding a peer kind
//!
//! A new kind of source (a cluster bus link, a TLS handshake helper's
//! waker) gets a variant here, e.g. `ClusterBus(link_id)`, with the next
//! free tag in `tag`/`from_token` and a round-trip case in the tests;
//! registration sites write `Tok::ClusterBus(id).into()`, and the compiler
//! then points at the `match` in `poll_and_dispatch` that must handle it.
//! Tag 7 is free.

use mio::Token;

/// What a registered event source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A client connection, by slab key (our master and our replicas are
    /// clients too).
    Client(usize),
    /// A listening socket, by position in `Server::listeners`.
    Listener(usize),
    /// The signal self-pipe.
    Signal,
    /// The link to our master during connect, handshake and RDB transfer
    /// (it becomes a `Client` afterwards).
    ReplTransfer,
    /// The pipe a diskless-sync snapshot child writes the RDB into.
    RdbPipe,
    /// A cluster bus listener, by position in the cluster state's list.
    ClusterBus(usize),
    /// A cluster bus link, by slab key in the cluster state.
    ClusterLink(usize),
}

/// Bits of a token that hold the kind.
pub const TAG_BITS: u32 = 3;
const TAG_MASK: usize = (1 << TAG_BITS) - 1;
/// The largest index a token can carry.
pub const MAX_INDEX: usize = usize::MAX >> TAG_BITS;

const TAG_CLIENT: usize = 0;
const TAG_LISTENER: usize = 1;
const TAG_SIGNAL: usize = 2;
const TAG_REPL_TRANSFER: usize = 3;
const TAG_RDB_PIPE: usize = 4;
const TAG_CLUSTER_BUS: usize = 5;
const TAG_CLUSTER_LINK: usize = 6;

impl Tok {
    /// The mio token for this source.
    #[inline]
    pub fn token(self) -> Token {
        let (index, tag) = match self {
            Tok::Client(k) => (k, TAG_CLIENT),
            Tok::Listener(i) => (i, TAG_LISTENER),
            Tok::Signal => (0, TAG_SIGNAL),
            Tok::ReplTransfer => (0, TAG_REPL_TRANSFER),
            Tok::RdbPipe => (0, TAG_RDB_PIPE),
            Tok::ClusterBus(i) => (i, TAG_CLUSTER_BUS),
            Tok::ClusterLink(k) => (k, TAG_CLUSTER_LINK),
        };
        debug_assert!(index <= MAX_INDEX, "token index {index} out of range");
        Token(index << TAG_BITS | tag)
    }

    /// The source a token was made from; None for a token no `Tok`
    /// encodes to.
    #[inline]
    pub fn from_token(t: Token) -> Option<Tok> {
        // Clients are nearly every event: test for them first, and keep
        // the other kinds out of line so this stays two instructions
        // rather than a jump table.
        if t.0 & TAG_MASK == TAG_CLIENT {
            return Some(Tok::Client(t.0 >> TAG_BITS));
        }
        Tok::from_other_token(t)
    }

    #[cold]
    #[inline(never)]
    fn from_other_token(t: Token) -> Option<Tok> {
        let index = t.0 >> TAG_BITS;
        Some(match t.0 & TAG_MASK {
            TAG_LISTENER => Tok::Listener(index),
            TAG_SIGNAL if index == 0 => Tok::Signal,
            TAG_REPL_TRANSFER if index == 0 => Tok::ReplTransfer,
            TAG_RDB_PIPE if index == 0 => Tok::RdbPipe,
            TAG_CLUSTER_BUS => Tok::ClusterBus(index),
            TAG_CLUSTER_LINK => Tok::ClusterLink(index),
            _ => return None,
        })
    }
}

impl From<Tok> for Token {
    #[inline]
    fn from(t: Tok) -> Token {
        t.token()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips() {
        let all = [
            Tok::Client(0),
            Tok::Client(1),
            Tok::Client(12345),
            Tok::Client(MAX_INDEX),
            Tok::Listener(0),
            Tok::Listener(63),
            Tok::Listener(64),
            Tok::Listener(MAX_INDEX),
            Tok::Signal,
            Tok::ReplTransfer,
            Tok::RdbPipe,
            Tok::ClusterBus(0),
            Tok::ClusterBus(MAX_INDEX),
            Tok::ClusterLink(0),
            Tok::ClusterLink(7),
            Tok::ClusterLink(MAX_INDEX),
        ];
        for t in all {
            assert_eq!(Tok::from_token(t.token()), Some(t), "{t:?}");
        }
    }

    #[test]
    fn kinds_never_share_a_token() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..1000 {
            assert!(seen.insert(Tok::Client(i).token()));
            assert!(seen.insert(Tok::Listener(i).token()));
            assert!(seen.insert(Tok::ClusterBus(i).token()));
            assert!(seen.insert(Tok::ClusterLink(i).token()));
        }
        for t in [Tok::Signal, Tok::ReplTransfer, Tok::RdbPipe] {
            assert!(seen.insert(t.token()), "{t:?}");
        }
    }

    #[test]
    fn unused_tags_and_indexed_singletons_decode_to_nothing() {
        assert_eq!(Tok::from_token(Token(7)), None);
        assert_eq!(Tok::from_token(Token(7 | 8)), None);
        assert_eq!(Tok::from_token(Token(1 << TAG_BITS | TAG_SIGNAL)), None);
        assert_eq!(Tok::from_token(Token(usize::MAX)), None);
    }
}
