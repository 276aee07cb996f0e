//! The ACL security log (ACL LOG): recent denials and failed AUTHs, newest
//! first. A denial like one of the last few (same reason, context, object
//! and user within a minute) bumps that entry's count instead of adding a
//! new one (`addACLLogEntry`).

use std::collections::VecDeque;

/// Entries within this many ms of each other may be merged.
const GROUPING_MAX_DELTA_MS: i64 = 60_000;
/// How many recent entries are looked at for a merge.
const GROUPING_SCAN: usize = 10;

/// Why an entry was logged (`ACL_DENIED_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Command,
    Key,
    Channel,
    Auth,
}

impl Reason {
    pub fn name(self) -> &'static str {
        match self {
            Reason::Command => "command",
            Reason::Key => "key",
            Reason::Channel => "channel",
            Reason::Auth => "auth",
        }
    }
}

/// Where the denied command ran (`ACL_LOG_CTX_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Toplevel,
    Multi,
    Lua,
}

impl Context {
    pub fn name(self) -> &'static str {
        match self {
            Context::Toplevel => "toplevel",
            Context::Multi => "multi",
            Context::Lua => "lua",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub count: u64,
    pub reason: Reason,
    pub context: Context,
    /// The command, key, channel or (for AUTH) the command name.
    pub object: Vec<u8>,
    pub username: Vec<u8>,
    /// When it last happened (ms).
    pub ctime: i64,
    /// CLIENT LIST line of the client, the last time it happened.
    pub client_info: String,
}

impl Entry {
    fn same_event(&self, other: &Entry) -> bool {
        self.reason == other.reason
            && self.context == other.context
            && (self.ctime - other.ctime).abs() <= GROUPING_MAX_DELTA_MS
            && self.object == other.object
            && self.username == other.username
    }
}

#[derive(Default)]
pub struct AclLog {
    /// Newest first.
    entries: VecDeque<Entry>,
}

impl AclLog {
    /// Records an event; `max_len` is `acllog-max-len`.
    pub fn add(&mut self, e: Entry, max_len: usize) {
        let found = self.entries.iter().take(GROUPING_SCAN).position(|old| old.same_event(&e));
        if let Some(i) = found {
            if let Some(mut old) = self.entries.remove(i) {
                old.client_info = e.client_info;
                old.ctime = e.ctime;
                old.count += 1;
                self.entries.push_front(old);
            }
            return;
        }
        self.entries.push_front(e);
        self.entries.truncate(max_len);
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(object: &str, ctime: i64) -> Entry {
        Entry {
            count: 1,
            reason: Reason::Command,
            context: Context::Toplevel,
            object: object.as_bytes().to_vec(),
            username: b"u".to_vec(),
            ctime,
            client_info: format!("at {ctime}"),
        }
    }

    #[test]
    fn similar_events_are_grouped_and_moved_first() {
        let mut log = AclLog::default();
        log.add(entry("get", 1000), 128);
        log.add(entry("set", 1001), 128);
        log.add(entry("get", 2000), 128);
        assert_eq!(log.len(), 2);
        let first = log.iter().next().unwrap();
        assert_eq!((first.object.as_slice(), first.count, first.ctime), (b"get".as_slice(), 2, 2000));
        assert_eq!(first.client_info, "at 2000");
        // More than a minute later it is a new event.
        log.add(entry("get", 2000 + GROUPING_MAX_DELTA_MS + 1), 128);
        assert_eq!(log.len(), 3);
    }

    #[test]
    fn only_recent_entries_are_scanned_and_the_log_is_capped() {
        let mut log = AclLog::default();
        log.add(entry("old", 0), 128);
        for i in 0..GROUPING_SCAN {
            log.add(entry(&format!("c{i}"), 0), 128);
        }
        log.add(entry("old", 0), 128);
        assert_eq!(log.len(), GROUPING_SCAN + 2);
        log.add(entry("new", 0), 5);
        assert_eq!(log.len(), 5);
        assert_eq!(log.iter().next().unwrap().object, b"new");
        log.reset();
        assert!(log.is_empty());
    }
}
