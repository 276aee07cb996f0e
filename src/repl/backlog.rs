//! The replication buffer (Redis 7.0's `repl_buffer_blocks` and
//! `repl_backlog` in replication.c): one list of blocks holding the
//! replication stream, shared by the backlog and every replica.
//!
//! The stream is written once. A replica does not get a copy: it has a
//! cursor (the offset of the next byte it must receive) and its socket is
//! written straight from the blocks. The backlog is the whole buffer: its
//! first byte is the first byte of the first block. Head blocks are
//! dropped while the history is longer than `repl-backlog-size` and no
//! replica's cursor is still inside them, so a slow replica makes the
//! backlog outgrow its configured size (and a replica that reconnects can
//! then continue from anywhere in it), and its disconnection lets the
//! buffer shrink again, a bounded number of blocks per call so freeing a
//! huge history never stalls the loop.
//!
//! Offsets are replication offsets: the byte at offset `o` is the `o`-th
//! byte of the stream since the history began (the first is offset 1).
//! A block is at least 16 KiB and at most a sixteenth of the backlog
//! size, so trimming stays fine-grained.

use std::collections::VecDeque;

/// Smallest block (`PROTO_REPLY_CHUNK_BYTES`).
const MIN_BLOCK: usize = 16 * 1024;

/// Smallest backlog size accepted (`CONFIG_REPL_BACKLOG_MIN_SIZE`).
pub const MIN_SIZE: usize = 16 * 1024;

/// Blocks one trim may free (`REPL_BACKLOG_TRIM_BLOCKS_PER_CALL`).
pub const TRIM_BLOCKS_PER_CALL: usize = 64;

/// Bookkeeping counted per block besides its bytes (Redis counts its
/// list node and block header).
pub const BLOCK_OVERHEAD: usize = 64;

struct Block {
    /// Offset of `data[0]`.
    start: i64,
    /// Filled up to `cap` (the capacity fixed at creation).
    data: Vec<u8>,
    cap: usize,
}

impl Block {
    fn end(&self) -> i64 {
        self.start + self.data.len() as i64
    }
}

pub struct Backlog {
    blocks: VecDeque<Block>,
    /// Offset of the first byte held (the next byte to be produced while
    /// the buffer is empty).
    pub offset: i64,
    /// Bytes held.
    pub histlen: i64,
    /// Block bytes plus overhead (`repl_buffer_mem`).
    mem: usize,
}

impl Backlog {
    /// An empty buffer whose first byte will be `master_repl_offset + 1`.
    pub fn new(master_repl_offset: i64) -> Backlog {
        Backlog {
            blocks: VecDeque::new(),
            offset: master_repl_offset + 1,
            histlen: 0,
            mem: 0,
        }
    }

    /// Memory held by the blocks (`mem_total_replication_buffers`).
    pub fn memory(&self) -> u64 {
        self.mem as u64
    }

    /// Offset of the next byte to be produced.
    pub fn end(&self) -> i64 {
        self.offset + self.histlen
    }

    /// Appends stream bytes. Returns true when a new block was started
    /// (the moment Redis checks replica limits and trims).
    pub fn append(&mut self, mut data: &[u8], size: usize) -> bool {
        let limit = (size.max(MIN_SIZE) / 16).max(MIN_BLOCK);
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
            let cap = data.len().max(MIN_BLOCK).min(limit);
            let mut b = Vec::with_capacity(cap);
            let n = cap.min(data.len());
            b.extend_from_slice(&data[..n]);
            let start = self.end();
            self.blocks.push_back(Block { start, data: b, cap });
            self.mem += cap + BLOCK_OVERHEAD;
            self.histlen += n as i64;
            data = &data[n..];
            new_block = true;
        }
        new_block
    }

    /// Drops head blocks while the rest still holds more than `size`
    /// bytes and no replica cursor (`oldest_cursor`, the smallest) is in
    /// them; at most `max_blocks` (`incrementalTrimReplicationBacklog`).
    /// The last block always stays.
    pub fn trim(&mut self, size: usize, oldest_cursor: Option<i64>, max_blocks: usize) {
        let size = size.max(MIN_SIZE) as i64;
        let mut freed = 0;
        while self.histlen > size && self.blocks.len() > 1 && freed < max_blocks {
            let first = &self.blocks[0];
            if oldest_cursor.is_some_and(|c| c < first.end()) {
                break;
            }
            let len = first.data.len() as i64;
            if self.histlen - len <= size {
                break;
            }
            self.mem -= first.cap + BLOCK_OVERHEAD;
            self.blocks.pop_front();
            self.histlen -= len;
            self.offset += len;
            freed += 1;
        }
    }

    /// The offsets continue from `master_repl_offset` (a master that
    /// loaded its history from an RDB): moves everything held so that
    /// its last byte is there (`rebaseReplicationBuffer`).
    pub fn rebase(&mut self, master_repl_offset: i64) {
        let delta = master_repl_offset + 1 - self.end();
        self.offset += delta;
        for b in self.blocks.iter_mut() {
            b.start += delta;
        }
    }

    /// True when a replica asking for `offset` (the first byte it lacks)
    /// can be served from here.
    pub fn covers(&self, offset: i64) -> bool {
        offset >= self.offset && offset <= self.end()
    }

    /// Index of the block holding `offset` (the last one for the end).
    fn block_at(&self, offset: i64) -> Option<usize> {
        if self.blocks.is_empty() || !self.covers(offset) {
            return None;
        }
        let i = self.blocks.partition_point(|b| b.start <= offset);
        Some(i.saturating_sub(1))
    }

    /// The bytes from `offset` to the end of the block holding it
    /// (empty at the end of the stream or outside the buffer).
    pub fn chunk_at(&self, offset: i64) -> &[u8] {
        match self.block_at(offset) {
            Some(i) => {
                let b = &self.blocks[i];
                let from = usize::try_from(offset - b.start).unwrap_or(usize::MAX).min(b.data.len());
                &b.data[from..]
            }
            None => &[],
        }
    }

    /// What a replica whose next byte is `cursor` holds of the buffer, as
    /// Redis counts a replica's output buffer: from the start of its block
    /// to the end of the last block's capacity, plus block overhead
    /// (`getClientOutputBufferMemoryUsage`).
    pub fn used_from(&self, cursor: i64) -> u64 {
        let (Some(i), Some(last)) = (self.block_at(cursor), self.blocks.back()) else {
            return 0;
        };
        let b = &self.blocks[i];
        let bytes = (last.start + last.cap as i64 - b.start).max(0) as u64;
        bytes + ((self.blocks.len() - i) * BLOCK_OVERHEAD) as u64
    }

    /// Appends the bytes from `offset` to the end to `out`; returns how
    /// many.
    pub fn copy_from(&self, offset: i64, out: &mut Vec<u8>) -> i64 {
        let mut at = offset.max(self.offset);
        let start = at;
        loop {
            let chunk = self.chunk_at(at);
            if chunk.is_empty() {
                break;
            }
            out.extend_from_slice(chunk);
            at += chunk.len() as i64;
        }
        at - start
    }

    /// The last `n` bytes held (for logging a broken stream).
    pub fn latest(&self, n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let start = self.offset + (self.histlen - n.min(self.histlen as usize) as i64);
        self.copy_from(start, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(size: usize, total: u32) -> (Backlog, Vec<u8>) {
        let mut b = Backlog::new(100);
        let mut all = Vec::new();
        for i in 0..total {
            let chunk = format!("cmd{i};").into_bytes();
            all.extend_from_slice(&chunk);
            if b.append(&chunk, size) {
                b.trim(size, None, TRIM_BLOCKS_PER_CALL);
            }
        }
        (b, all)
    }

    #[test]
    fn serves_any_offset_it_covers() {
        let (b, all) = filled(MIN_SIZE, 5000);
        // History is at least the configured size, at most one block more.
        assert!(b.histlen >= MIN_SIZE as i64);
        assert!(b.histlen <= (MIN_SIZE + MIN_BLOCK) as i64);
        assert_eq!(b.end(), 101 + all.len() as i64);
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
        assert!(b.chunk_at(first - 1).is_empty() && b.chunk_at(b.end()).is_empty());
    }

    #[test]
    fn big_appends_split_into_blocks() {
        let mut b = Backlog::new(0);
        let data = vec![7u8; 100_000];
        assert!(b.append(&data, 1 << 20));
        assert_eq!(b.histlen, 100_000);
        let mut out = Vec::new();
        b.copy_from(1, &mut out);
        assert_eq!(out, data);
        assert_eq!(b.latest(10), vec![7u8; 10]);
        b.trim(MIN_SIZE, None, usize::MAX);
        assert!(b.histlen >= MIN_SIZE as i64);
        assert_eq!(b.end(), 100_001);
    }

    #[test]
    fn a_lagging_cursor_keeps_history_and_its_release_shrinks_it() {
        let mut b = Backlog::new(0);
        let cursor = 1; // a replica that received nothing yet
        let chunk = vec![b'x'; 1000];
        for _ in 0..1000 {
            if b.append(&chunk, MIN_SIZE) {
                b.trim(MIN_SIZE, Some(cursor), TRIM_BLOCKS_PER_CALL);
            }
        }
        assert_eq!(b.offset, 1, "the replica's bytes stay");
        assert_eq!(b.histlen, 1_000_000);
        assert!(b.used_from(cursor) >= 1_000_000);
        assert!(b.memory() >= 1_000_000);
        // The replica catches up halfway: blocks before its cursor go.
        b.trim(MIN_SIZE, Some(500_001), usize::MAX);
        assert!(b.offset <= 500_001 && b.offset > 500_001 - MIN_BLOCK as i64);
        // It leaves: trimming is incremental, a bounded number per call.
        let before = b.histlen;
        b.trim(MIN_SIZE, None, 2);
        assert_eq!(before - b.histlen, 2 * MIN_BLOCK as i64);
        b.trim(MIN_SIZE, None, usize::MAX);
        assert!(b.histlen >= MIN_SIZE as i64 && b.histlen <= (MIN_SIZE + MIN_BLOCK) as i64);
        assert_eq!(b.end(), 1_000_001);
        let blocks = b.blocks.len();
        assert_eq!(b.memory(), (blocks * (MIN_BLOCK + BLOCK_OVERHEAD)) as u64);
    }

    #[test]
    fn rebase_moves_every_offset() {
        let (mut b, all) = filled(MIN_SIZE, 3000);
        let first_byte = all[(b.offset - 101) as usize];
        b.rebase(1_000_000);
        assert_eq!(b.end(), 1_000_001);
        assert_eq!(b.chunk_at(b.offset)[0], first_byte);
        assert_eq!(b.chunk_at(1_000_000).len(), 1);
    }
}
