//! What ACL needs to know about the command table, computed once from it:
//! the order rules walk commands in, subcommands, which commands name
//! keys (`doesCommandHaveKeys`) and which name channels
//! (`commands_with_channels` in db.c).
//!
//! Rules look commands up by their original names, so `rename-command`
//! does not change what an ACL means (Redis's `server.orig_commands`).

use crate::commands::def::keyflags as kf;
use crate::commands::{Command, Kind, Registry};
use std::collections::HashMap;

/// The channel arguments of a pub/sub command.
#[derive(Clone, Copy, Debug)]
pub struct ChannelSpec {
    /// PUBLISH / SPUBLISH.
    pub publish: bool,
    /// (S|P)SUBSCRIBE.
    pub subscribe: bool,
    /// The arguments are patterns (PSUBSCRIBE, PUNSUBSCRIBE).
    pub pattern: bool,
    start: usize,
    /// How many channels; None: every argument from `start` on.
    count: Option<usize>,
}

impl ChannelSpec {
    /// Only publishing and subscribing are checked; unsubscribing is
    /// always allowed.
    pub fn checked(&self) -> bool {
        self.publish || self.subscribe
    }

    /// The argv indexes holding channels.
    pub fn positions(&self, argc: usize) -> std::ops::Range<usize> {
        let stop = match self.count {
            Some(n) => (self.start + n).min(argc),
            None => argc,
        };
        self.start.min(stop)..stop
    }
}

pub struct CmdTable {
    reg: &'static Registry,
    /// Top-level command ids in name order.
    top: Vec<usize>,
    /// Subcommand ids of each command, in name order.
    subs: Vec<Vec<usize>>,
    /// Original top-level names (lower case) -> id.
    by_name: HashMap<Vec<u8>, usize>,
    has_keys: Vec<bool>,
    channels: Vec<Option<ChannelSpec>>,
}

impl CmdTable {
    pub fn new(reg: &'static Registry) -> CmdTable {
        let n = reg.cmds.len();
        let mut top: Vec<usize> = reg.cmds.iter().filter(|c| c.parent.is_none()).map(|c| c.id).collect();
        top.sort_by(|&a, &b| reg.cmds[a].fullname.cmp(&reg.cmds[b].fullname));
        let subs = reg
            .cmds
            .iter()
            .map(|c| {
                let mut v: Vec<usize> = c.subs.values().copied().collect();
                v.sort_by(|&a, &b| reg.cmds[a].fullname.cmp(&reg.cmds[b].fullname));
                v
            })
            .collect();
        let by_name = top.iter().map(|&id| (reg.cmds[id].fullname.as_bytes().to_vec(), id)).collect();
        let has_keys = reg.cmds.iter().map(command_has_keys).collect();
        let channels = reg.cmds.iter().map(|c| channel_spec(c.kind)).collect();
        debug_assert_eq!(n, reg.cmds.len());
        CmdTable {
            reg,
            top,
            subs,
            by_name,
            has_keys,
            channels,
        }
    }

    #[inline]
    pub fn cmd(&self, id: usize) -> &'static Command {
        &self.reg.cmds[id]
    }

    pub fn registry(&self) -> &'static Registry {
        self.reg
    }

    pub fn top(&self) -> &[usize] {
        &self.top
    }

    pub fn subs(&self, id: usize) -> &[usize] {
        self.subs.get(id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The bit that stands for commands that do not exist yet: set by
    /// `+@all`, it makes the rules start from `+@all` when described.
    pub fn future_bit(&self) -> usize {
        self.reg.cmds.len()
    }

    /// u64 words in a selector's command bitmap.
    pub fn words(&self) -> usize {
        (self.reg.cmds.len() + 1).div_ceil(64)
    }

    #[inline]
    pub fn has_keys(&self, id: usize) -> bool {
        self.has_keys.get(id).copied().unwrap_or(false)
    }

    #[inline]
    pub fn channels(&self, id: usize) -> Option<ChannelSpec> {
        self.channels.get(id).copied().flatten()
    }

    /// A command or `container|sub` by original name, case-insensitively
    /// (`ACLLookupCommand`).
    pub fn lookup(&self, name: &[u8]) -> Option<usize> {
        let name = super::user::c_str(name);
        let mut parts = name.split(|&c| c == b'|');
        let base = parts.next()?.to_ascii_lowercase();
        let id = *self.by_name.get(&base)?;
        match (parts.next(), parts.next()) {
            (None, _) => Some(id),
            (Some(sub), None) => self.cmd(id).subs.get(&sub.to_ascii_lowercase()).copied(),
            _ => None,
        }
    }
}

/// `doesCommandHaveKeys`: a key-extraction function, or a key spec that
/// is not NOT_KEY.
fn command_has_keys(c: &Command) -> bool {
    c.def.getkeys.is_some() || c.def.key_specs.iter().any(|s| s.flags & kf::NOT_KEY == 0)
}

fn channel_spec(kind: Kind) -> Option<ChannelSpec> {
    let spec = |publish, subscribe, pattern, count| {
        Some(ChannelSpec {
            publish,
            subscribe,
            pattern,
            start: 1,
            count,
        })
    };
    match kind {
        Kind::Subscribe | Kind::Ssubscribe => spec(false, true, false, None),
        Kind::Psubscribe => spec(false, true, true, None),
        Kind::Unsubscribe | Kind::Sunsubscribe => spec(false, false, false, None),
        Kind::Punsubscribe => spec(false, false, true, None),
        Kind::Publish | Kind::Spublish => spec(true, false, false, Some(1)),
        _ => None,
    }
}
