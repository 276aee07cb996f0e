//! Diskless load (`repl-diskless-load on-empty-db|swapdb`): the RDB from
//! the master is parsed while it arrives, without a temp file and without
//! blocking the event loop.
//!
//! Received bytes are buffered; each run parses whole records with the
//! resumable `rdb::Loader`. A record that is not complete yet is parsed
//! again later from its first byte, once the buffer grew enough (at least
//! doubled since the failed try, so the work stays linear even for one
//! huge value). Data goes into a side dataset swapped in for the duration
//! of each run, so the current dataset stays untouched (and, for an async
//! load, served) until the whole transfer succeeded.

use crate::db::Db;
use crate::persist::rdb::codec::{LoadError, LoadResult, RdbReader, CRC64};
use crate::persist::rdb::{Loader, Step};
use crate::scripting::function::LibSet;
use crate::server::Server;
use std::io;
use std::time::{Duration, Instant};

/// What a run of the loader ended with.
#[derive(Debug, PartialEq, Eq)]
pub enum Progress {
    /// The RDB ended (EOF opcode and checksum).
    Done,
    /// The next record is not complete yet.
    NeedData,
    /// Time is up; more can be parsed right away.
    Budget,
}

/// A source over the buffered bytes that reports "would block" instead
/// of end of file, so a record cut short can be retried later.
struct Avail<'a> {
    data: &'a [u8],
    pos: usize,
}

impl io::Read for Avail<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let left = &self.data[self.pos..];
        if left.is_empty() && !out.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = left.len().min(out.len());
        out[..n].copy_from_slice(&left[..n]);
        self.pos += n;
        Ok(n)
    }
}

pub struct StreamLoad {
    buf: Vec<u8>,
    /// Bytes of `buf` already parsed.
    pos: usize,
    digest: crc::Digest<'static, u64>,
    read: u64,
    loader: Loader,
    /// The dataset being loaded (swapped into the server while parsing).
    target: Vec<Db>,
    /// With swapdb, the libraries being loaded, swapped in like `target`
    /// (otherwise the load adds to the current, emptied, libraries).
    libs: Option<LibSet>,
    /// Unparsed bytes at the last incomplete try (0: none).
    need: usize,
    done: bool,
}

impl StreamLoad {
    pub fn new(srv: &Server, swapdb: bool) -> StreamLoad {
        StreamLoad {
            buf: Vec::new(),
            pos: 0,
            digest: CRC64.digest(),
            read: 0,
            loader: Loader::new(srv),
            target: (0..srv.dbs.len()).map(Db::new).collect(),
            libs: swapdb.then(LibSet::default),
            need: 0,
            done: false,
        }
    }

    /// Adds received bytes.
    pub fn feed(&mut self, data: &[u8]) {
        if self.pos > 0 && self.pos * 2 >= self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Bytes received but not parsed yet.
    pub fn unparsed(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// True when parsing cannot progress before more bytes arrive (the
    /// record being parsed is bigger than what is buffered).
    pub fn starved(&self) -> bool {
        self.need > 0 && self.unparsed() < self.need.saturating_mul(2)
    }

    /// Takes the bytes after the RDB (the EOF mark, or stream bytes).
    pub fn take_rest(&mut self) -> Vec<u8> {
        let rest = self.buf.split_off(self.pos);
        self.buf.clear();
        self.pos = 0;
        rest
    }

    /// Parses what can be parsed within `budget`. `complete` says no more
    /// bytes will come, so an incomplete record is an error.
    pub fn run(&mut self, srv: &mut Server, budget: Duration, complete: bool) -> LoadResult<Progress> {
        if self.done {
            return Ok(Progress::Done);
        }
        if !complete && self.starved() {
            return Ok(Progress::NeedData);
        }
        let start = Instant::now();
        self.swap_into(srv);
        let res = self.parse(srv, start, budget, complete);
        self.swap_into(srv);
        res
    }

    /// Trades the loaded dataset (and libraries) with the server's.
    fn swap_into(&mut self, srv: &mut Server) {
        std::mem::swap(&mut srv.dbs, &mut self.target);
        if let Some(libs) = self.libs.as_mut() {
            srv.scripting.functions.swap_libs(libs);
        }
    }

    fn parse(&mut self, srv: &mut Server, start: Instant, budget: Duration, complete: bool) -> LoadResult<Progress> {
        loop {
            let mut src = Avail {
                data: &self.buf[self.pos..],
                pos: 0,
            };
            let mut r = RdbReader::resume(&mut src, self.digest.clone(), self.read);
            match self.loader.step(srv, &mut r) {
                Ok(step) => {
                    (self.digest, self.read) = r.position();
                    self.pos += src.pos;
                    self.need = 0;
                    if step == Step::Done {
                        self.done = true;
                        return Ok(Progress::Done);
                    }
                    if start.elapsed() >= budget {
                        return Ok(Progress::Budget);
                    }
                }
                Err(LoadError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                    if complete {
                        return Err(LoadError::Corrupt(
                            "Short read or OOM loading DB. Unrecoverable error, aborting now.".into(),
                        ));
                    }
                    self.need = self.unparsed().max(1);
                    return Ok(Progress::NeedData);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The loaded dataset and the load statistics, once done; with
    /// swapdb the loaded libraries become current and the old ones go.
    pub fn finish(self, srv: &mut Server) -> (Vec<Db>, crate::persist::rdb::LoadStats) {
        if let Some(mut libs) = self.libs {
            srv.scripting.functions.swap_libs(&mut libs);
            srv.scripting.functions.free_libs(libs);
        }
        (self.target, self.loader.stats)
    }

    /// Drops a load that failed or was cancelled (the libraries it made
    /// hold callbacks in the functions interpreter).
    pub fn discard(self, srv: &mut Server) {
        if let Some(libs) = self.libs {
            srv.scripting.functions.free_libs(libs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avail_reports_would_block_when_empty() {
        let data = b"abc";
        let mut a = Avail { data, pos: 0 };
        let mut out = [0u8; 2];
        assert_eq!(io::Read::read(&mut a, &mut out).unwrap(), 2);
        assert_eq!(io::Read::read(&mut a, &mut out).unwrap(), 1);
        let e = io::Read::read(&mut a, &mut out).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
    }
}
