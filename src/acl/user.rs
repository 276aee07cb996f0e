//! ACL users and their selectors (the data half of acl.c): the rules that
//! change them (`ACLSetUser`, `ACLSetSelector`), the checks a command's
//! command bit, keys and channels go through (`ACLSelectorCheckCmd`), and
//! the text forms ACL LIST, ACL GETUSER and ACL SAVE print
//! (`ACLDescribeUser`).
//!
//! A selector allows commands by id in a bitmap (one bit per entry of the
//! command table, plus one "future commands" bit that only `+@all` sets),
//! keys by pattern with read/write permissions, channels by pattern. A
//! user has a root selector and any number of added ones; a command runs
//! if one selector allows all of it.

use super::table::CmdTable;
use crate::commands::def::{acl as cat, flags as f, keyflags as kf, KeyPos};
use crate::commands::Command;
use crate::util::glob::glob_match;

/// User flags (`USER_FLAG_*`).
pub mod uflags {
    pub const ENABLED: u8 = 1 << 0;
    pub const DISABLED: u8 = 1 << 1;
    pub const NOPASS: u8 = 1 << 2;
    pub const SANITIZE_PAYLOAD: u8 = 1 << 3;
    pub const SANITIZE_PAYLOAD_SKIP: u8 = 1 << 4;

    /// In the order ACL LIST and ACL GETUSER print them.
    pub const NAMES: &[(u8, &str)] = &[
        (ENABLED, "on"),
        (DISABLED, "off"),
        (NOPASS, "nopass"),
        (SANITIZE_PAYLOAD_SKIP, "skip-sanitize-payload"),
        (SANITIZE_PAYLOAD, "sanitize-payload"),
    ];
}

/// Selector flags (`SELECTOR_FLAG_*`).
pub mod sflags {
    pub const ROOT: u8 = 1 << 0;
    pub const ALLKEYS: u8 = 1 << 1;
    pub const ALLCOMMANDS: u8 = 1 << 2;
    pub const ALLCHANNELS: u8 = 1 << 3;
    /// A selector that lets everything through.
    pub const UNRESTRICTED: u8 = ALLKEYS | ALLCOMMANDS | ALLCHANNELS;
}

/// Key permissions of a key pattern (`ACL_*_PERMISSION`).
pub const KEY_READ: u8 = 1 << 0;
pub const KEY_WRITE: u8 = 1 << 1;
pub const KEY_ALL: u8 = KEY_READ | KEY_WRITE;

/// Length of a password hash: SHA-256 in lower-case hex.
pub const HASH_LEN: usize = 64;

/// Why a rule was refused (the errno values of `ACLSetUser`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleError {
    /// ENOENT: unknown command or category.
    UnknownCommand,
    /// EINVAL
    Syntax,
    /// EEXIST: a key pattern after `allkeys`.
    KeyAfterAll,
    /// EISDIR: a channel pattern after `allchannels`.
    ChannelAfterAll,
    /// ENODEV: removing a password the user does not have.
    NoSuchPassword,
    /// EBADMSG: a `#hash` that is not 64 lower-case hex digits.
    BadHash,
    /// EALREADY: a user declared twice in the configuration.
    DuplicateUser,
    /// ECHILD: `+cmd|sub|arg`.
    SubcommandFirstArg,
    /// Anything else (`Wrong format`).
    Other,
}

impl RuleError {
    /// `ACLSetUserStringError`.
    pub fn message(self) -> &'static str {
        match self {
            RuleError::UnknownCommand => "Unknown command or category name in ACL",
            RuleError::Syntax => "Syntax error",
            RuleError::KeyAfterAll => "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
            RuleError::ChannelAfterAll => "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
            RuleError::NoSuchPassword => "The password you are trying to remove from the user does not exist",
            RuleError::BadHash => "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
            RuleError::DuplicateUser => "Duplicate user found. A user can only be defined once in config files",
            RuleError::SubcommandFirstArg => "Allowing first-arg of a subcommand is not supported",
            RuleError::Other => "Wrong format",
        }
    }
}

/// The bytes of `s` up to its first NUL: what C's string functions see.
pub fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(i) => &s[..i],
        None => s,
    }
}

/// `strcasecmp(op, word) == 0`.
fn is(op: &[u8], word: &str) -> bool {
    c_str(op).eq_ignore_ascii_case(word.as_bytes())
}

/// True if `s` has whitespace or NUL bytes (`ACLStringHasSpaces`): such
/// names and patterns could not be written back to an ACL file.
pub fn has_spaces(s: &[u8]) -> bool {
    s.iter().any(|&c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0))
}

/// SHA-256 of a password in lower-case hex (`ACLHashPassword`).
pub fn hash_password(clear: &[u8]) -> [u8; HASH_LEN] {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(clear);
    let mut hex = [0u8; HASH_LEN];
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in digest.iter().enumerate() {
        hex[i * 2] = DIGITS[usize::from(b >> 4)];
        hex[i * 2 + 1] = DIGITS[usize::from(b & 0xf)];
    }
    hex
}

/// A `#hash` argument as a stored hash, if it is one.
fn parse_hash(s: &[u8]) -> Option<[u8; HASH_LEN]> {
    if s.len() != HASH_LEN || !s.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut h = [0u8; HASH_LEN];
    h.copy_from_slice(s);
    Some(h)
}

/// Equality that takes the same time wherever the first difference is
/// (`time_independent_strcmp`): a failed AUTH tells nothing about how
/// much of a hash matched.
pub fn constant_time_eq(a: &[u8; HASH_LEN], b: &[u8; HASH_LEN]) -> bool {
    let mut diff = 0u8;
    for i in 0..HASH_LEN {
        diff |= a[i] ^ b[i];
    }
    diff == 0
}

/// How a pattern is matched, decided once when it is added: most key
/// patterns are a literal or a literal prefix followed by `*`, which need
/// no glob engine on the hot path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Matcher {
    /// No special characters: the name must be equal.
    Exact,
    /// `literal*` (any run of trailing stars): the name must start with the
    /// literal and not be empty (the glob engine matches nothing against
    /// an empty string).
    Prefix(usize),
    Glob,
}

impl Matcher {
    fn of(pattern: &[u8]) -> Matcher {
        let special = |c: &u8| matches!(c, b'*' | b'?' | b'[' | b'\\');
        let body_len = pattern.iter().rposition(|&c| c != b'*').map_or(0, |i| i + 1);
        let (body, stars) = pattern.split_at(body_len);
        if body.iter().any(special) {
            Matcher::Glob
        } else if stars.is_empty() {
            Matcher::Exact
        } else {
            Matcher::Prefix(body_len)
        }
    }
}

/// A glob-style pattern with its precomputed matcher.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub text: Vec<u8>,
    m: Matcher,
}

impl Pattern {
    pub fn new(text: Vec<u8>) -> Pattern {
        let m = Matcher::of(&text);
        Pattern { text, m }
    }

    /// `stringmatchlen(pattern, name, nocase=0)`.
    #[inline]
    pub fn matches(&self, name: &[u8]) -> bool {
        match self.m {
            Matcher::Exact => name == self.text.as_slice(),
            Matcher::Prefix(n) => !name.is_empty() && name.starts_with(&self.text[..n]),
            Matcher::Glob => glob_match(&self.text, name, false),
        }
    }
}

/// A key pattern and the access it grants (`keyPattern`).
#[derive(Clone, Debug)]
pub struct KeyPattern {
    pub perms: u8,
    pub pattern: Pattern,
}

impl KeyPattern {
    /// `~pat`, `%R~pat` or `%W~pat` (`sdsCatPatternString`).
    fn write_rule(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(match self.perms {
            KEY_READ => b"%R~".as_slice(),
            KEY_WRITE => b"%W~".as_slice(),
            _ => b"~".as_slice(),
        });
        out.extend_from_slice(&self.pattern.text);
    }
}

/// The access a key spec's flags ask for (`ACLSelectorCheckKey`): reads
/// need R, inserts, deletes and updates need W; a spec with neither (an
/// existence test, a length) is satisfied by any pattern that matches.
pub fn key_access_needed(keyspec_flags: u32) -> u8 {
    let mut need = 0;
    if keyspec_flags & kf::ACCESS != 0 {
        need |= KEY_READ;
    }
    if keyspec_flags & (kf::INSERT | kf::DELETE | kf::UPDATE) != 0 {
        need |= KEY_WRITE;
    }
    need
}

/// What a selector denied, with the argv index of the key or channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    Command,
    Key(usize),
    Channel(usize),
}

impl Denied {
    /// The `ACL_DENIED_*` value: when every selector refuses, the highest
    /// one wins (`ACLCheckAllUserCommandPerm`).
    pub fn rank(self) -> u8 {
        match self {
            Denied::Command => 1,
            Denied::Key(_) => 2,
            Denied::Channel(_) => 4,
        }
    }

    pub fn pos(self) -> usize {
        match self {
            Denied::Command => 0,
            Denied::Key(p) | Denied::Channel(p) => p,
        }
    }
}

/// Keys of the command being checked, extracted once for all selectors.
pub struct KeyCache<'a> {
    pub keys: &'a mut Vec<KeyPos>,
    pub ready: bool,
}

/// A set of permissions (`aclSelector`).
#[derive(Clone, Debug)]
pub struct Selector {
    pub flags: u8,
    /// Bit `id` allows the command with that id; the last bit stands for
    /// commands added later (set only by `+@all`).
    allowed: Box<[u64]>,
    /// First arguments allowed for commands whose bit is clear
    /// (`+select|0`), by command id.
    firstargs: Vec<(usize, Vec<Vec<u8>>)>,
    pub patterns: Vec<KeyPattern>,
    pub channels: Vec<Pattern>,
}

impl Selector {
    /// An empty selector: no commands, no keys; channels as
    /// `acl-pubsub-default` says (`ACLCreateSelector`).
    pub fn new(t: &CmdTable, flags: u8, all_channels: bool) -> Selector {
        Selector {
            flags: flags | if all_channels { sflags::ALLCHANNELS } else { 0 },
            allowed: vec![0u64; t.words()].into_boxed_slice(),
            firstargs: Vec::new(),
            patterns: Vec::new(),
            channels: Vec::new(),
        }
    }

    /// Lets everything through: the root selector of the default user.
    pub fn is_unrestricted(&self) -> bool {
        self.flags & sflags::UNRESTRICTED == sflags::UNRESTRICTED
    }

    #[inline]
    pub fn bit(&self, id: usize) -> bool {
        self.allowed.get(id / 64).is_some_and(|w| w & (1 << (id % 64)) != 0)
    }

    /// Clearing a bit also clears ALLCOMMANDS (`ACLSetSelectorCommandBit`).
    fn set_bit(&mut self, id: usize, on: bool) {
        let Some(w) = self.allowed.get_mut(id / 64) else {
            return;
        };
        if on {
            *w |= 1 << (id % 64);
        } else {
            *w &= !(1 << (id % 64));
            self.flags &= !sflags::ALLCOMMANDS;
        }
    }

    /// Allows or blocks a command and all its subcommands
    /// (`ACLChangeSelectorPerm`).
    fn change_perm(&mut self, t: &CmdTable, id: usize, allow: bool) {
        self.set_bit(id, allow);
        self.firstargs.retain(|(i, _)| *i != id);
        for &sub in t.subs(id) {
            self.set_bit(sub, allow);
        }
    }

    /// `+@cat` / `-@cat` (`ACLSetSelectorCommandBitsForCategoryLogic`).
    fn set_category(&mut self, t: &CmdTable, cflag: u64, allow: bool) {
        for &id in t.top() {
            let cmd = t.cmd(id);
            if cmd.has(f::MODULE) {
                continue;
            }
            if cmd.acl & cflag != 0 {
                self.change_perm(t, id, allow);
            }
            for &sub in t.subs(id) {
                if t.cmd(sub).acl & cflag != 0 {
                    self.change_perm(t, sub, allow);
                }
            }
        }
    }

    /// Commands of a category allowed and denied (`ACLCountCategoryBitsForSelector`).
    fn count_category(&self, t: &CmdTable, cflag: u64) -> (u64, u64) {
        let (mut on, mut off) = (0, 0);
        for &id in t.top() {
            for i in std::iter::once(id).chain(t.subs(id).iter().copied()) {
                if t.cmd(i).acl & cflag != 0 {
                    if self.bit(i) {
                        on += 1;
                    } else {
                        off += 1;
                    }
                }
            }
        }
        (on, off)
    }

    fn set_all_commands(&mut self, allow: bool) {
        let fill = if allow { u64::MAX } else { 0 };
        self.allowed.iter_mut().for_each(|w| *w = fill);
        if allow {
            self.flags |= sflags::ALLCOMMANDS;
        } else {
            self.flags &= !sflags::ALLCOMMANDS;
        }
        self.firstargs.clear();
    }

    fn add_firstarg(&mut self, id: usize, arg: &[u8]) {
        let list = match self.firstargs.iter_mut().find(|(i, _)| *i == id) {
            Some((_, l)) => l,
            None => {
                self.firstargs.push((id, Vec::new()));
                let last = self.firstargs.len() - 1;
                &mut self.firstargs[last].1
            }
        };
        if !list.iter().any(|a| a.eq_ignore_ascii_case(arg)) {
            list.push(arg.to_vec());
        }
    }

    fn firstargs_of(&self, id: usize) -> Option<&[Vec<u8>]> {
        self.firstargs.iter().find(|(i, _)| *i == id).map(|(_, l)| l.as_slice())
    }

    /// Applies one selector rule (`ACLSetSelector`).
    pub fn apply(&mut self, t: &CmdTable, op: &[u8]) -> Result<(), RuleError> {
        if is(op, "allkeys") || is(op, "~*") {
            self.flags |= sflags::ALLKEYS;
            self.patterns.clear();
        } else if is(op, "resetkeys") {
            self.flags &= !sflags::ALLKEYS;
            self.patterns.clear();
        } else if is(op, "allchannels") || is(op, "&*") {
            self.flags |= sflags::ALLCHANNELS;
            self.channels.clear();
        } else if is(op, "resetchannels") {
            self.flags &= !sflags::ALLCHANNELS;
            self.channels.clear();
        } else if is(op, "allcommands") || is(op, "+@all") {
            self.set_all_commands(true);
        } else if is(op, "nocommands") || is(op, "-@all") {
            self.set_all_commands(false);
        } else if op.first().is_some_and(|&c| c == b'~' || c == b'%') {
            self.add_key_pattern(op)?;
        } else if op.first() == Some(&b'&') {
            if self.flags & sflags::ALLCHANNELS != 0 {
                return Err(RuleError::ChannelAfterAll);
            }
            let pat = &op[1..];
            if has_spaces(pat) {
                return Err(RuleError::Syntax);
            }
            if !self.channels.iter().any(|p| p.text == pat) {
                self.channels.push(Pattern::new(pat.to_vec()));
            }
            self.flags &= !sflags::ALLCHANNELS;
        } else if op.first() == Some(&b'+') && op.get(1) != Some(&b'@') {
            self.allow_command(t, &op[1..])?;
        } else if op.first() == Some(&b'-') && op.get(1) != Some(&b'@') {
            let id = t.lookup(&op[1..]).ok_or(RuleError::UnknownCommand)?;
            self.change_perm(t, id, false);
        } else if op.len() >= 2 && (op[0] == b'+' || op[0] == b'-') && op[1] == b'@' {
            let cflag = category_flag(&op[2..]).ok_or(RuleError::UnknownCommand)?;
            self.set_category(t, cflag, op[0] == b'+');
        } else {
            return Err(RuleError::Syntax);
        }
        Ok(())
    }

    /// `~pattern`, `%R~pattern`, `%W~pattern`, `%RW~pattern`.
    fn add_key_pattern(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if self.flags & sflags::ALLKEYS != 0 {
            return Err(RuleError::KeyAfterAll);
        }
        let mut perms = 0;
        let mut offset = 1;
        if op[0] == b'%' {
            let mut ok = true;
            while offset < op.len() {
                let c = op[offset].to_ascii_uppercase();
                if c == b'R' && perms & KEY_READ == 0 {
                    perms |= KEY_READ;
                } else if c == b'W' && perms & KEY_WRITE == 0 {
                    perms |= KEY_WRITE;
                } else if op[offset] == b'~' {
                    offset += 1;
                    break;
                } else {
                    ok = false;
                    break;
                }
                offset += 1;
            }
            if perms == 0 || !ok {
                return Err(RuleError::Syntax);
            }
        } else {
            perms = KEY_ALL;
        }
        let pat = &op[offset.min(op.len())..];
        if has_spaces(pat) {
            return Err(RuleError::Syntax);
        }
        match self.patterns.iter_mut().find(|p| p.pattern.text == pat) {
            Some(existing) => existing.perms |= perms,
            None => self.patterns.push(KeyPattern {
                perms,
                pattern: Pattern::new(pat.to_vec()),
            }),
        }
        self.flags &= !sflags::ALLKEYS;
        Ok(())
    }

    /// `+cmd`, `+container|sub`, or `+cmd|firstarg`.
    fn allow_command(&mut self, t: &CmdTable, name: &[u8]) -> Result<(), RuleError> {
        let name = c_str(name);
        let Some(bar) = name.iter().rposition(|&c| c == b'|') else {
            let id = t.lookup(name).ok_or(RuleError::UnknownCommand)?;
            self.change_perm(t, id, true);
            return Ok(());
        };
        let (base, sub) = (&name[..bar], &name[bar + 1..]);
        let id = t.lookup(base).ok_or(RuleError::UnknownCommand)?;
        if t.cmd(id).parent.is_some() {
            return Err(RuleError::SubcommandFirstArg);
        }
        if sub.is_empty() {
            return Err(RuleError::Syntax);
        }
        if !t.subs(id).is_empty() {
            let sid = t.lookup(name).ok_or(RuleError::UnknownCommand)?;
            self.change_perm(t, sid, true);
        } else {
            log::warn!(
                "Deprecation warning: Allowing a first arg of an otherwise blocked command is a misuse of ACL and may get disabled in the future (offender: +{})",
                String::from_utf8_lossy(name)
            );
            self.add_firstarg(id, sub);
        }
        Ok(())
    }

    /// Whether this selector lets `key` be used with the given key-spec
    /// flags (`ACLSelectorCheckKey`).
    #[inline]
    pub fn check_key(&self, key: &[u8], keyspec_flags: u32) -> bool {
        if self.flags & sflags::ALLKEYS != 0 {
            return true;
        }
        let need = key_access_needed(keyspec_flags);
        self.patterns.iter().any(|p| p.perms & need == need && p.pattern.matches(key))
    }

    /// Whether a `*` pattern grants every key the access `keyspec_flags`
    /// asks for (`ACLSelectorHasUnrestrictedKeyAccess`).
    pub fn unrestricted_key_access(&self, keyspec_flags: u32) -> bool {
        if self.flags & sflags::ALLKEYS != 0 {
            return true;
        }
        let need = key_access_needed(keyspec_flags);
        self.patterns.iter().any(|p| p.perms & need == need && p.pattern.text == b"*")
    }

    /// `ACLCheckChannelAgainstList` plus ALLCHANNELS: a channel name is
    /// matched against the patterns; a pattern (PSUBSCRIBE) only equals one.
    pub fn check_channel(&self, channel: &[u8], is_pattern: bool) -> bool {
        self.flags & sflags::ALLCHANNELS != 0 || channel_allowed(&self.channels, channel, is_pattern)
    }

    /// Checks one command against this selector (`ACLSelectorCheckCmd`).
    pub fn check_command(&self, t: &CmdTable, cmd: &Command, argv: &[&[u8]], keys: &mut KeyCache) -> Result<(), Denied> {
        if self.flags & sflags::ALLCOMMANDS == 0 && !cmd.has(f::NO_AUTH) && !self.bit(cmd.id) {
            // Maybe allowed with this first argument only.
            let list = self.firstargs_of(cmd.id).ok_or(Denied::Command)?;
            let idx = if cmd.parent.is_some() { 2 } else { 1 };
            let arg = argv.get(idx).ok_or(Denied::Command)?;
            if !list.iter().any(|a| c_str(arg).eq_ignore_ascii_case(a)) {
                return Err(Denied::Command);
            }
        }
        if self.flags & sflags::ALLKEYS == 0 && t.has_keys(cmd.id) {
            if !keys.ready {
                crate::commands::get_keys(cmd, argv, keys.keys);
                keys.ready = true;
            }
            for k in keys.keys.iter() {
                if !self.check_key(argv[k.pos], k.flags) {
                    return Err(Denied::Key(k.pos));
                }
            }
        }
        if self.flags & sflags::ALLCHANNELS == 0 {
            if let Some(spec) = t.channels(cmd.id).filter(|s| s.checked()) {
                for pos in spec.positions(argv.len()) {
                    if !channel_allowed(&self.channels, argv[pos], spec.pattern) {
                        return Err(Denied::Channel(pos));
                    }
                }
            }
        }
        Ok(())
    }

    /// Key patterns as ACL GETUSER shows them.
    pub fn keys_text(&self) -> Vec<u8> {
        if self.flags & sflags::ALLKEYS != 0 {
            return b"~*".to_vec();
        }
        let mut out = Vec::new();
        for (i, p) in self.patterns.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            p.write_rule(&mut out);
        }
        out
    }

    /// Channel patterns as ACL GETUSER shows them.
    pub fn channels_text(&self) -> Vec<u8> {
        if self.flags & sflags::ALLCHANNELS != 0 {
            return b"&*".to_vec();
        }
        let mut out = Vec::new();
        for (i, p) in self.channels.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            out.push(b'&');
            out.extend_from_slice(&p.text);
        }
        out
    }

    /// The rules that rebuild this selector (`ACLDescribeSelector`).
    pub fn describe(&self, t: &CmdTable) -> Vec<u8> {
        let mut out = Vec::new();
        if self.flags & sflags::ALLKEYS != 0 {
            out.extend_from_slice(b"~* ");
        } else {
            for p in &self.patterns {
                p.write_rule(&mut out);
                out.push(b' ');
            }
        }
        if self.flags & sflags::ALLCHANNELS != 0 {
            out.extend_from_slice(b"&* ");
        } else {
            out.extend_from_slice(b"resetchannels ");
            for p in &self.channels {
                out.push(b'&');
                out.extend_from_slice(&p.text);
                out.push(b' ');
            }
        }
        out.extend_from_slice(self.describe_commands(t).as_bytes());
        out
    }

    /// The command rules that rebuild this selector's bitmap
    /// (`ACLDescribeSelectorCommandRules`): `+@all` or `-@all`, then the
    /// categories that fit best, then single commands. The rules are
    /// applied to a scratch selector as they are chosen, so the result
    /// rebuilds exactly this bitmap.
    pub fn describe_commands(&self, t: &CmdTable) -> String {
        let mut rules = String::new();
        let additive = !self.bit(t.future_bit());
        let mut fake = Selector::new(t, 0, false);
        fake.set_all_commands(!additive);
        rules.push_str(if additive { "-@all " } else { "+@all " });
        // `temp` starts as this bitmap; each chosen category is undone in
        // it so the next round looks at what is left to explain.
        let mut temp = Selector::new(t, 0, false);
        temp.allowed.copy_from_slice(&self.allowed);
        let mut applied = [false; cat::NAMES.len()];
        loop {
            let mut best = None;
            let (mut mindiff, mut maxsame) = (u64::MAX, 0u64);
            for (j, &(cflag, _)) in cat::NAMES.iter().enumerate() {
                if applied[j] {
                    continue;
                }
                let (on, off) = temp.count_category(t, cflag);
                let (diff, same) = if additive { (off, on) } else { (on, off) };
                if same > diff && (diff < mindiff || (diff == mindiff && same > maxsame)) {
                    best = Some(j);
                    mindiff = diff;
                    maxsame = same;
                }
            }
            let Some(j) = best else {
                break;
            };
            let (cflag, name) = cat::NAMES[j];
            fake.set_category(t, cflag, additive);
            temp.set_category(t, cflag, !additive);
            rules.push_str(if additive { "+@" } else { "-@" });
            rules.push_str(name);
            rules.push(' ');
            applied[j] = true;
        }
        self.describe_single_commands(t, &mut fake, t.top(), &mut rules);
        rules.pop();
        if fake.allowed != self.allowed {
            // Cannot happen: the single-command pass fixes every bit. Say
            // so loudly rather than hand out rules that differ.
            log::warn!("CRITICAL ERROR: User ACLs don't match final bitmap: '{rules}'");
        }
        rules
    }

    fn describe_single_commands(&self, t: &CmdTable, fake: &mut Selector, ids: &[usize], rules: &mut String) {
        for &id in ids {
            let userbit = self.bit(id);
            if userbit != fake.bit(id) {
                rules.push(if userbit { '+' } else { '-' });
                rules.push_str(&t.cmd(id).fullname);
                rules.push(' ');
                fake.change_perm(t, id, userbit);
            }
            let subs = t.subs(id);
            if !subs.is_empty() {
                self.describe_single_commands(t, fake, subs, rules);
            }
            if !userbit {
                for arg in self.firstargs_of(id).unwrap_or(&[]) {
                    rules.push('+');
                    rules.push_str(&t.cmd(id).fullname);
                    rules.push('|');
                    rules.push_str(&String::from_utf8_lossy(arg));
                    rules.push(' ');
                }
            }
        }
    }
}

/// A channel against a list of channel patterns.
fn channel_allowed(list: &[Pattern], channel: &[u8], is_pattern: bool) -> bool {
    list.iter().any(|p| {
        if is_pattern {
            p.text.as_slice() == c_str(channel)
        } else {
            p.matches(channel)
        }
    })
}

/// The flag of a category name, case-insensitively.
pub fn category_flag(name: &[u8]) -> Option<u64> {
    let name = c_str(name);
    cat::NAMES
        .iter()
        .find(|(_, n)| n.as_bytes().eq_ignore_ascii_case(name))
        .map(|&(fl, _)| fl)
}

/// An ACL user (`user` in server.h).
#[derive(Clone, Debug)]
pub struct User {
    pub name: Vec<u8>,
    pub flags: u8,
    /// SHA-256 hashes in hex, in the order they were added.
    pub passwords: Vec<[u8; HASH_LEN]>,
    pub root: Selector,
    /// Selectors added with `(...)`.
    pub selectors: Vec<Selector>,
}

/// What rules need besides the command table.
#[derive(Clone, Copy)]
pub struct RuleEnv<'a> {
    pub t: &'a CmdTable,
    /// `acl-pubsub-default allchannels`: new selectors get every channel.
    pub all_channels: bool,
}

impl User {
    /// A new user: disabled, no passwords, nothing allowed (`ACLCreateUser`).
    pub fn new(env: RuleEnv, name: &[u8]) -> User {
        User {
            name: name.to_vec(),
            flags: uflags::DISABLED,
            passwords: Vec::new(),
            root: Selector::new(env.t, sflags::ROOT, env.all_channels),
            selectors: Vec::new(),
        }
    }

    /// The default user as Redis creates it: everything allowed, no
    /// password (`ACLCreateDefaultUser`).
    pub fn new_default(env: RuleEnv) -> User {
        let mut u = User::new(env, b"default");
        for op in ["+@all", "~*", "&*", "on", "nopass"] {
            // These rules are known good.
            let _ = u.apply(env, op.as_bytes());
        }
        u
    }

    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// The root selector followed by the added ones.
    pub fn all_selectors(&self) -> impl Iterator<Item = &Selector> {
        std::iter::once(&self.root).chain(self.selectors.iter())
    }

    /// Applies one rule (`ACLSetUser`). An empty rule does nothing.
    pub fn apply(&mut self, env: RuleEnv, op: &[u8]) -> Result<(), RuleError> {
        if op.is_empty() {
            return Ok(());
        }
        if is(op, "on") {
            self.flags = (self.flags | uflags::ENABLED) & !uflags::DISABLED;
        } else if is(op, "off") {
            self.flags = (self.flags | uflags::DISABLED) & !uflags::ENABLED;
        } else if is(op, "skip-sanitize-payload") {
            self.flags = (self.flags | uflags::SANITIZE_PAYLOAD_SKIP) & !uflags::SANITIZE_PAYLOAD;
        } else if is(op, "sanitize-payload") {
            self.flags = (self.flags | uflags::SANITIZE_PAYLOAD) & !uflags::SANITIZE_PAYLOAD_SKIP;
        } else if is(op, "nopass") {
            self.flags |= uflags::NOPASS;
            self.passwords.clear();
        } else if is(op, "resetpass") {
            self.flags &= !uflags::NOPASS;
            self.passwords.clear();
        } else if op[0] == b'>' || op[0] == b'#' {
            let hash = if op[0] == b'>' {
                hash_password(&op[1..])
            } else {
                parse_hash(&op[1..]).ok_or(RuleError::BadHash)?
            };
            if !self.passwords.contains(&hash) {
                self.passwords.push(hash);
            }
            self.flags &= !uflags::NOPASS;
        } else if op[0] == b'<' || op[0] == b'!' {
            let hash = if op[0] == b'<' {
                hash_password(&op[1..])
            } else {
                parse_hash(&op[1..]).ok_or(RuleError::BadHash)?
            };
            let i = self.passwords.iter().position(|h| *h == hash).ok_or(RuleError::NoSuchPassword)?;
            self.passwords.remove(i);
        } else if op[0] == b'(' && op[op.len() - 1] == b')' {
            let sel = selector_from_opset(env, &op[1..op.len() - 1])?;
            self.selectors.push(sel);
        } else if is(op, "clearselectors") {
            self.selectors.clear();
        } else if is(op, "reset") {
            self.reset(env);
        } else {
            self.root.apply(env.t, op)?;
        }
        Ok(())
    }

    /// `reset`: back to a new user's state, plus `sanitize-payload`.
    fn reset(&mut self, env: RuleEnv) {
        self.flags &= !uflags::NOPASS;
        self.passwords.clear();
        self.root.flags &= !(sflags::ALLKEYS | sflags::ALLCHANNELS);
        self.root.patterns.clear();
        self.root.channels.clear();
        if env.all_channels {
            self.root.flags |= sflags::ALLCHANNELS;
        }
        self.flags = (self.flags | uflags::DISABLED) & !uflags::ENABLED;
        self.flags = (self.flags | uflags::SANITIZE_PAYLOAD) & !uflags::SANITIZE_PAYLOAD_SKIP;
        self.selectors.clear();
        self.root.set_all_commands(false);
    }

    /// The user's rules as ACL LIST and ACL SAVE write them, after the
    /// name (`ACLDescribeUser`).
    pub fn describe(&self, t: &CmdTable) -> Vec<u8> {
        let mut out = Vec::new();
        for &(flag, name) in uflags::NAMES {
            if self.has(flag) {
                out.extend_from_slice(name.as_bytes());
                out.push(b' ');
            }
        }
        for h in &self.passwords {
            out.push(b'#');
            out.extend_from_slice(h);
            out.push(b' ');
        }
        out.extend_from_slice(&self.root.describe(t));
        for s in &self.selectors {
            out.extend_from_slice(b" (");
            out.extend_from_slice(&s.describe(t));
            out.push(b')');
        }
        out
    }

    /// Whether `pass` authenticates this user (`ACLCheckUserCredentials`,
    /// once the user is found).
    pub fn password_ok(&self, pass: &[u8]) -> bool {
        if self.has(uflags::DISABLED) {
            return false;
        }
        if self.has(uflags::NOPASS) {
            return true;
        }
        let hashed = hash_password(pass);
        self.passwords.iter().any(|h| constant_time_eq(h, &hashed))
    }

    /// `ACLCheckAllUserCommandPerm` for a user that is not unrestricted:
    /// the first selector that allows the command wins; otherwise the most
    /// relevant denial (the highest kind, then the furthest argument).
    pub fn check_command(&self, t: &CmdTable, cmd: &Command, argv: &[&[u8]], keys: &mut KeyCache) -> Result<(), Denied> {
        let mut relevant = Denied::Command;
        for s in self.all_selectors() {
            match s.check_command(t, cmd, argv, keys) {
                Ok(()) => return Ok(()),
                Err(d) => {
                    if d.rank() > relevant.rank() || (d.rank() == relevant.rank() && d.pos() > relevant.pos()) {
                        relevant = d;
                    }
                }
            }
        }
        Err(relevant)
    }

    /// `ACLUserCheckCmdWithUnrestrictedKeyAccess`: SORT's BY and GET
    /// options need a selector that allows the command and every key.
    pub fn check_command_with_all_keys(
        &self,
        t: &CmdTable,
        cmd: &Command,
        argv: &[&[u8]],
        keys: &mut KeyCache,
        keyspec_flags: u32,
    ) -> bool {
        self.all_selectors()
            .any(|s| s.check_command(t, cmd, argv, keys).is_ok() && s.unrestricted_key_access(keyspec_flags))
    }

    /// Whether any selector lets this user use the channel
    /// (`ACLUserCheckChannelPerm`).
    pub fn check_channel(&self, channel: &[u8], is_pattern: bool) -> bool {
        self.all_selectors().any(|s| s.check_channel(channel, is_pattern))
    }

    /// Whether any selector lets this user use the key with these flags
    /// (`ACLUserCheckKeyPerm`).
    pub fn check_key(&self, key: &[u8], keyspec_flags: u32) -> bool {
        self.all_selectors().any(|s| s.check_key(key, keyspec_flags))
    }
}

/// A selector from the inside of `(...)` (`aclCreateSelectorFromOpSet`):
/// the rules are split like a config line; unbalanced quotes leave none.
fn selector_from_opset(env: RuleEnv, inner: &[u8]) -> Result<Selector, RuleError> {
    let mut s = Selector::new(env.t, 0, env.all_channels);
    let ops = crate::resp::parser::split_args(inner).unwrap_or_default();
    for op in &ops {
        s.apply(env.t, op)?;
    }
    Ok(s)
}

/// Joins selector rules spread over several arguments: `(~a` `+get)`
/// become `(~a +get)` (`ACLMergeSelectorArguments`). On an unmatched
/// `(`, returns the index of the argument that opened it.
pub fn merge_selector_args(args: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, usize> {
    let mut out = Vec::with_capacity(args.len());
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (j, op) in args.iter().enumerate() {
        // A new `(` restarts the selector, even inside an open one.
        if op.first() == Some(&b'(') && op.last() != Some(&b')') {
            open = Some((j, op.clone()));
            continue;
        }
        if let Some((_, sel)) = open.as_mut() {
            sel.push(b' ');
            sel.extend_from_slice(op);
            if op.last() == Some(&b')') {
                if let Some((_, sel)) = open.take() {
                    out.push(sel);
                }
            }
            continue;
        }
        out.push(op.clone());
    }
    match open {
        Some((j, _)) => Err(j),
        None => Ok(out),
    }
}
