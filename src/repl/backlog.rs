//! The replication backlog (`repl_backlog` in replication.c): the last
//! `repl-backlog-size` bytes of the replication stream, kept so a replica
//! that reconnects can continue with PSYNC from where it stopped.
//!
//! Like Redis 7.0 the bytes live in a list of blocks, and only whole
//! blocks are dropped from the head, so the history can be up to one
//! block longer than the configured size. A block is at least 16 KiB and
//! at most a sixteenth of the backlog, so trimming stays fine-grained.

use std::collections::VecDeque;

/// Smallest block (`PROTO_REPLY_CHUNK_BYTES`).
const MIN_BLOCK: usize = 16 * 1024;

/// Smallest backlog size accepted (`CONFIG_REPL_BACKLOG_MIN_SIZE`).
pub const MIN_SIZE: usize = 16 * 1024;

struct Block {
    data: Vec<u8>,
    /// Bytes this block may hold.
    cap: usize,
}

pub struct Backlog {
    blocks: VecDeque<Block>,
    /// Replication offset of the first byte held (the next byte to be
    /// produced while the backlog is empty).
    pub offset: i64,
    /// Bytes held.
    pub histlen: i64,
}

impl Backlog {
    /// An empty backlog whose first byte will be `master_repl_offset + 1`.
    pub fn new(master_repl_offset: i64) -> Backlog {
        Backlog {
            blocks: VecDeque::new(),
            offset: master_repl_offset + 1,
            histlen: 0,
        }
    }

    /// Bytes the backlog holds allocated.
    pub fn memory(&self) -> u64 {
        self.blocks.iter().map(|b| b.data.capacity() as u64).sum()
    }

    /// Appends stream bytes, then trims to about `size` bytes.
    pub fn append(&mut self, mut data: &[u8], size: usize) {
        let size = size.max(MIN_SIZE);
        let mut new_block = false;
        while !data.is_empty() {
            if let Some(tail) = self.blocks.back_mut() {
                let room = tail.cap - tail.data.len();
                if room > 0 {
                    let n = room.min(data.len());
                    tail.data.extend_from_slice(&data[..n]);
                    self.histlen += n as i64;
                    data = &data[n..];
                    continue;
                }
            }
            let cap = data.len().max(MIN_BLOCK).min((size / 16).max(MIN_BLOCK));
            let mut b = Vec::with_capacity(cap);
            let n = cap.min(data.len());
            b.extend_from_slice(&data[..n]);
            self.blocks.push_back(Block { data: b, cap });
            self.histlen += n as i64;
            data = &data[n..];
            new_block = true;
        }
        if new_block {
            self.trim(size);
        }
    }

    /// Drops whole head blocks while the rest still holds at least `size`
    /// bytes (`incrementalTrimReplicationBacklog`).
    pub fn trim(&mut self, size: usize) {
        let size = size.max(MIN_SIZE) as i64;
        while self.histlen > size && self.blocks.len() > 1 {
            let first = self.blocks[0].data.len() as i64;
            if self.histlen - first <= size {
                break;
            }
            self.blocks.pop_front();
            self.histlen -= first;
            self.offset += first;
        }
    }

    /// True when a replica asking for `offset` (the first byte it lacks)
    /// can be served from here.
    pub fn covers(&self, offset: i64) -> bool {
        offset >= self.offset && offset <= self.offset + self.histlen
    }

    /// Appends the bytes from `offset` to the end to `out`; returns how
    /// many (`addReplyReplicationBacklog`).
    pub fn copy_from(&self, offset: i64, out: &mut Vec<u8>) -> i64 {
        let mut skip = (offset - self.offset).max(0) as usize;
        let mut n = 0;
        for b in &self.blocks {
            if skip >= b.data.len() {
                skip -= b.data.len();
                continue;
            }
            out.extend_from_slice(&b.data[skip..]);
            n += b.data.len() - skip;
            skip = 0;
        }
        n as i64
    }

    /// The last `n` bytes held (for logging a broken stream).
    pub fn latest(&self, n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let start = self.offset + (self.histlen - n.min(self.histlen as usize) as i64);
        self.copy_from(start, &mut out);
        out
    }

    /// Memory held, for INFO.
    pub fn mem(&self) -> usize {
        self.blocks.iter().map(|b| b.cap).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_any_offset_it_covers() {
        let mut b = Backlog::new(100);
        let mut all = Vec::new();
        for i in 0..5000u32 {
            let chunk = format!("cmd{i};").into_bytes();
            all.extend_from_slice(&chunk);
            b.append(&chunk, MIN_SIZE);
        }
        // History is at least the configured size, at most one block more.
        assert!(b.histlen >= MIN_SIZE as i64);
        assert!(b.histlen <= (MIN_SIZE + MIN_BLOCK) as i64);
        assert_eq!(b.offset + b.histlen, 101 + all.len() as i64);
        let first = b.offset;
        for off in [first, first + 7, first + b.histlen] {
            let mut out = Vec::new();
            let n = b.copy_from(off, &mut out);
            assert_eq!(n as usize, out.len());
            let from = (off - 101) as usize;
            assert_eq!(out, &all[from..]);
        }
        assert!(b.covers(first) && b.covers(first + b.histlen));
        assert!(!b.covers(first - 1) && !b.covers(first + b.histlen + 1));
    }

    #[test]
    fn big_appends_split_into_blocks() {
        let mut b = Backlog::new(0);
        let data = vec![7u8; 100_000];
        b.append(&data, 1 << 20);
        assert_eq!(b.histlen, 100_000);
        let mut out = Vec::new();
        b.copy_from(1, &mut out);
        assert_eq!(out, data);
        assert_eq!(b.latest(10), vec![7u8; 10]);
        b.trim(MIN_SIZE);
        assert!(b.histlen >= MIN_SIZE as i64);
        assert_eq!(b.offset + b.histlen, 100_001);
    }
}
