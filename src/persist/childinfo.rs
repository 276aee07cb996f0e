//! Progress reports from fork children to the parent (childinfo.c): keys
//! saved so far and copy-on-write memory, sent through a pipe about once a
//! second and when the child finishes. The parent reads them in the cron
//! and shows them in INFO persistence (`current_cow_size`,
//! `current_save_keys_processed`, `current_fork_perc`, `rdb_last_cow_size`,
//! `aof_last_cow_size`).

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};

/// What a report is about (`childInfoType`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InfoType {
    /// Progress while the child runs.
    Current = 0,
    /// Final copy-on-write size of an AOF rewrite.
    AofCow = 1,
    /// Final copy-on-write size of an RDB save.
    RdbCow = 2,
}

/// One report, a fixed 32-byte record (the pipe writes it atomically).
#[derive(Clone, Copy, Debug)]
pub struct Report {
    pub kind: InfoType,
    pub keys: u64,
    pub cow: u64,
    /// Monotonic µs when `cow` was measured.
    pub cow_updated_us: u64,
}

const RECORD: usize = 32;

impl Report {
    fn encode(&self) -> [u8; RECORD] {
        let mut b = [0u8; RECORD];
        b[0..8].copy_from_slice(&(self.kind as u64).to_le_bytes());
        b[8..16].copy_from_slice(&self.keys.to_le_bytes());
        b[16..24].copy_from_slice(&self.cow.to_le_bytes());
        b[24..32].copy_from_slice(&self.cow_updated_us.to_le_bytes());
        b
    }

    fn decode(b: &[u8]) -> Option<Report> {
        let word = |i: usize| b.get(i..i + 8).and_then(|s| s.try_into().ok()).map(u64::from_le_bytes);
        let kind = match word(0)? {
            0 => InfoType::Current,
            1 => InfoType::AofCow,
            2 => InfoType::RdbCow,
            _ => return None,
        };
        Some(Report {
            kind,
            keys: word(8)?,
            cow: word(16)?,
            cow_updated_us: word(24)?,
        })
    }
}

/// The parent's end of the pipe plus what it learnt.
#[derive(Default)]
pub struct ChildInfo {
    read: Option<OwnedFd>,
    pending: Vec<u8>,
    /// Keys in the dataset when the child started.
    pub keys_total: u64,
    pub keys_processed: u64,
    pub cow: u64,
    pub cow_peak: u64,
    /// Monotonic µs of the latest `cow` measurement (0 = none yet).
    pub cow_updated_us: u64,
}

/// Write end in a child (-1 in the parent).
static CHILD_FD: AtomicI32 = AtomicI32::new(-1);
/// The child's job name for log lines ("RDB", "AOF rewrite").
static CHILD_NAME: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// A pipe made before fork: the parent keeps the read end, the child the
/// write end.
pub struct Pipe {
    read: OwnedFd,
    write: OwnedFd,
}

/// Opens the pipe (`openChildInfoPipe`); None if the OS refuses, in which
/// case the child simply reports nothing.
pub fn open_pipe() -> Option<Pipe> {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 returns.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
        return None;
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and ours.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    Some(Pipe { read, write })
}

impl Pipe {
    /// In the child: keep the write end for `report`; `pname` names the
    /// job in log lines.
    pub fn into_child(self, pname: &'static str) {
        let fd = self.write.as_raw_fd();
        std::mem::forget(self.write);
        CHILD_FD.store(fd, Ordering::Relaxed);
        let _ = CHILD_NAME.set(pname);
    }

    /// In the parent: start listening for a child over `keys_total` keys.
    pub fn into_parent(self, info: &mut ChildInfo, keys_total: u64) {
        *info = ChildInfo {
            read: Some(self.read),
            keys_total,
            ..Default::default()
        };
    }
}

/// Copy-on-write memory of this process: its private dirty pages
/// (`zmalloc_get_private_dirty`).
pub fn private_dirty() -> u64 {
    let text = std::fs::read_to_string("/proc/self/smaps_rollup")
        .or_else(|_| std::fs::read_to_string("/proc/self/smaps"))
        .unwrap_or_default();
    text.lines()
        .filter_map(|l| l.strip_prefix("Private_Dirty:"))
        .filter_map(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .sum::<u64>()
        * 1024
}

/// Child-side throttling state (statics in a child are its own).
struct Meter {
    updated_us: u64,
    cost_us: u64,
    cow: u64,
    peak: u64,
    sum: u64,
    samples: u64,
    last_report_ms: i64,
}

static METER: std::sync::Mutex<Meter> = std::sync::Mutex::new(Meter {
    updated_us: 0,
    cost_us: 0,
    cow: 0,
    peak: 0,
    sum: 0,
    samples: 0,
    last_report_ms: 0,
});

/// Measuring copy-on-write is expensive: a new measurement waits ten
/// times as long as the last one took (`CHILD_COW_DUTY_CYCLE`).
const COW_DUTY_CYCLE: u64 = 100;

/// Sends a report from the child (`sendChildInfoGeneric`).
pub fn report(kind: InfoType, keys: u64) {
    let fd = CHILD_FD.load(Ordering::Relaxed);
    if fd < 0 {
        return;
    }
    let pname = CHILD_NAME.get().copied().unwrap_or("child");
    let Ok(mut m) = METER.lock() else { return };
    let now = crate::util::monotonic_us();
    if kind != InfoType::Current || m.updated_us == 0 || now - m.updated_us > m.cost_us * COW_DUTY_CYCLE {
        m.cow = private_dirty();
        m.updated_us = crate::util::monotonic_us();
        m.cost_us = m.updated_us - now;
        m.peak = m.peak.max(m.cow);
        m.sum += m.cow;
        m.samples += 1;
        let msg = format!(
            "Fork CoW for {pname}: current {} MB, peak {} MB, average {} MB",
            m.cow >> 20,
            m.peak >> 20,
            (m.sum / m.samples) >> 20
        );
        if kind != InfoType::Current {
            log::info!("{msg}");
        } else if m.cow != 0 {
            log::debug!("{msg}");
        }
    }
    let rec = Report {
        kind,
        keys,
        cow: m.cow,
        cow_updated_us: m.updated_us,
    }
    .encode();
    // SAFETY: `fd` is the pipe's write end, owned by this child process.
    let n = unsafe { libc::write(fd, rec.as_ptr().cast(), rec.len()) };
    if n != rec.len() as isize {
        // The parent is gone (or the pipe is full of unread reports): a
        // missing progress report is harmless, keep saving.
        log::debug!("Child failed reporting info to parent");
    }
}

/// Called by the save loop for every key: reports progress about once a
/// second, checking the clock every 1024 keys.
pub fn key_done(keys: u64) {
    if keys & 1023 != 0 || CHILD_FD.load(Ordering::Relaxed) < 0 {
        return;
    }
    let now = crate::util::mstime();
    let due = METER.lock().map(|mut m| {
        let due = now - m.last_report_ms >= 1000;
        if due {
            m.last_report_ms = now;
        }
        due
    });
    if due.unwrap_or(false) {
        report(InfoType::Current, keys);
    }
}

impl ChildInfo {
    /// Reads every complete report waiting in the pipe
    /// (`receiveChildInfo`). Returns the final copy-on-write report, if
    /// one came.
    pub fn receive(&mut self) -> Option<Report> {
        let fd = self.read.as_ref()?.as_raw_fd();
        let mut buf = [0u8; RECORD * 16];
        loop {
            // SAFETY: reading into a local buffer of the given length from
            // our own non-blocking descriptor.
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                break;
            }
            self.pending.extend_from_slice(&buf[..n as usize]);
        }
        let mut last_final = None;
        let mut used = 0;
        while self.pending.len() - used >= RECORD {
            if let Some(r) = Report::decode(&self.pending[used..used + RECORD]) {
                self.cow = r.cow;
                self.cow_updated_us = r.cow_updated_us;
                self.cow_peak = self.cow_peak.max(r.cow);
                if r.kind == InfoType::Current {
                    self.keys_processed = r.keys;
                } else {
                    last_final = Some(r);
                }
            }
            used += RECORD;
        }
        self.pending.drain(..used);
        last_final
    }

    /// The child is gone: read what is left and close (`closeChildInfoPipe`).
    pub fn close(&mut self) -> Option<Report> {
        let last = self.receive();
        *self = ChildInfo::default();
        last
    }

    /// `current_fork_perc`.
    pub fn fork_perc(&self) -> f64 {
        if self.keys_total == 0 {
            0.0
        } else {
            self.keys_processed as f64 / self.keys_total as f64 * 100.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_the_pipe() {
        let pipe = open_pipe().expect("pipe");
        let mut info = ChildInfo::default();
        let write = pipe.write.as_raw_fd();
        let r1 = Report {
            kind: InfoType::Current,
            keys: 1024,
            cow: 8192,
            cow_updated_us: 5,
        }
        .encode();
        let r2 = Report {
            kind: InfoType::RdbCow,
            keys: 3000,
            cow: 4096,
            cow_updated_us: 9,
        }
        .encode();
        for r in [r1, r2] {
            // SAFETY: writing a local buffer to the pipe we just opened.
            assert_eq!(unsafe { libc::write(write, r.as_ptr().cast(), r.len()) }, RECORD as isize);
        }
        let Pipe { read, write: _w } = pipe;
        info.read = Some(read);
        info.keys_total = 2048;
        let last = info.receive().expect("final report");
        assert_eq!(last.kind, InfoType::RdbCow);
        assert_eq!(last.cow, 4096);
        assert_eq!(info.keys_processed, 1024);
        assert_eq!(info.cow_peak, 8192);
        assert_eq!(info.fork_perc(), 50.0);
        assert!(private_dirty() > 0);
    }
}
