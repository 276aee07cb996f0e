//! Access control lists (acl.c): users, their selectors, the permission
//! check every command passes, ACL LOG, ACL files, and AUTH. See
//! DESIGN.md in this folder for the shape and the hot path.
//!
//! - `user.rs`: users, selectors, rules, checks, describe.
//! - `table.rs`: facts about the command table that rules and checks read.
//! - `log.rs`: the ACL LOG list.
//! - `file.rs`: `aclfile` (ACL LOAD / SAVE) and `user` lines in redis.conf.
//! - `commands.rs`: ACL and AUTH.
//!
//! A client refers to its user by `UserId`: a slot in the user table and
//! the slot's generation. Deleting a user bumps the generation, so a stale
//! id can never reach another user's permissions; the clients of a
//! deleted user are also switched to the default user and closed, as in
//! Redis.

pub mod commands;
pub mod file;
pub mod log;
pub mod table;
pub mod user;

use crate::client::{flags as cf, Client};
use crate::commands::{Command, KeyPos};
use crate::server::Server;
use std::cell::Cell;
use std::collections::BTreeMap;
use table::CmdTable;
use user::{uflags, Denied, KeyCache, RuleEnv, User};

/// A user as clients hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserId {
    slot: u32,
    gen: u32,
}

impl UserId {
    /// The default user never goes away (ACL LOAD rewrites it in place).
    pub const DEFAULT: UserId = UserId { slot: 0, gen: 0 };
}

struct Slot {
    gen: u32,
    user: Option<User>,
}

/// Every user and the ACL log (`Users`, `DefaultUser`, `ACLLog`).
pub struct Acl {
    pub table: CmdTable,
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// Name -> slot, in name order (ACL LIST, ACL USERS, ACL SAVE).
    by_name: BTreeMap<Vec<u8>, u32>,
    pub log: log::AclLog,
    /// Reused for the keys of the command being checked.
    keys: Cell<Vec<KeyPos>>,
}

impl Acl {
    pub fn new(reg: &'static crate::commands::Registry) -> Acl {
        let table = CmdTable::new(reg);
        let default = User::new_default(RuleEnv {
            t: &table,
            all_channels: false,
        });
        let mut acl = Acl {
            table,
            slots: Vec::new(),
            free: Vec::new(),
            by_name: BTreeMap::new(),
            log: Default::default(),
            keys: Cell::new(Vec::new()),
        };
        let id = acl.insert(default);
        debug_assert_eq!(id, Some(UserId::DEFAULT));
        acl
    }

    /// What rules need, with `acl-pubsub-default` as configured.
    pub fn env(&self, all_channels: bool) -> RuleEnv<'_> {
        RuleEnv {
            t: &self.table,
            all_channels,
        }
    }

    #[inline]
    pub fn user(&self, id: UserId) -> Option<&User> {
        let slot = self.slots.get(id.slot as usize)?;
        if slot.gen != id.gen {
            return None;
        }
        slot.user.as_ref()
    }

    pub fn user_mut(&mut self, id: UserId) -> Option<&mut User> {
        let slot = self.slots.get_mut(id.slot as usize)?;
        if slot.gen != id.gen {
            return None;
        }
        slot.user.as_mut()
    }

    pub fn default_user(&self) -> &User {
        // Slot 0 holds the default user from `new` on; nothing removes it.
        match self.slots.first().and_then(|s| s.user.as_ref()) {
            Some(u) => u,
            None => unreachable!("the default user is never removed"),
        }
    }

    fn id_of(&self, slot: u32) -> UserId {
        UserId {
            slot,
            gen: self.slots[slot as usize].gen,
        }
    }

    pub fn lookup(&self, name: &[u8]) -> Option<UserId> {
        self.by_name.get(name).map(|&s| self.id_of(s))
    }

    /// Adds a user; None if one with that name exists.
    pub fn insert(&mut self, u: User) -> Option<UserId> {
        if self.by_name.contains_key(&u.name) {
            return None;
        }
        let name = u.name.clone();
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize].user = Some(u);
                s
            }
            None => {
                self.slots.push(Slot { gen: 0, user: Some(u) });
                (self.slots.len() - 1) as u32
            }
        };
        self.by_name.insert(name, slot);
        Some(self.id_of(slot))
    }

    /// Removes a user by name (never the default user); returns the id
    /// its clients held.
    pub fn remove(&mut self, name: &[u8]) -> Option<UserId> {
        let &slot = self.by_name.get(name)?;
        if slot == UserId::DEFAULT.slot {
            return None;
        }
        self.by_name.remove(name);
        let id = self.id_of(slot);
        let s = &mut self.slots[slot as usize];
        s.user = None;
        s.gen = s.gen.wrapping_add(1);
        self.free.push(slot);
        Some(id)
    }

    /// Users in name order.
    pub fn iter(&self) -> impl Iterator<Item = (UserId, &User)> {
        self.by_name.values().filter_map(move |&s| {
            let id = self.id_of(s);
            self.user(id).map(|u| (id, u))
        })
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The name CLIENT LIST and ACL WHOAMI show for a client's user.
    pub fn name_of(&self, id: Option<UserId>) -> &[u8] {
        match id {
            None => b"(superuser)",
            Some(id) => self.user(id).map(|u| u.name.as_slice()).unwrap_or(b"default"),
        }
    }

    /// Replaces every user with `users` (ACL LOAD). The default user keeps
    /// its id and takes the rules of the `default` in `users` (or of a
    /// fresh default user). Returns the ids of the users that went away:
    /// all the others, even those the new set defines again.
    pub fn replace_all(&mut self, users: Vec<User>, new_default: User) -> Vec<UserId> {
        let old: Vec<Vec<u8>> = self.by_name.keys().filter(|n| n.as_slice() != b"default").cloned().collect();
        let gone = old.iter().filter_map(|n| self.remove(n)).collect();
        if let Some(d) = self.slots[0].user.as_mut() {
            *d = new_default;
        }
        for u in users {
            self.insert(u);
        }
        gone
    }

    /// The permission check (`ACLCheckAllUserCommandPerm`). No user
    /// (the master link, AOF loading) may run anything; so may a user
    /// whose root selector allows every command, key and channel, which
    /// costs one flag test.
    #[inline]
    pub fn check(&self, uid: Option<UserId>, cmd: &Command, argv: &[&[u8]]) -> Result<(), Denied> {
        let Some(id) = uid else {
            return Ok(());
        };
        match self.user(id) {
            Some(u) if u.root.is_unrestricted() => Ok(()),
            Some(u) => self.check_restricted(u, cmd, argv),
            None => Err(Denied::Command),
        }
    }

    #[inline(never)]
    fn check_restricted(&self, u: &User, cmd: &Command, argv: &[&[u8]]) -> Result<(), Denied> {
        let mut keys = self.keys.take();
        let res = u.check_command(
            &self.table,
            cmd,
            argv,
            &mut KeyCache {
                keys: &mut keys,
                ready: false,
            },
        );
        self.keys.set(keys);
        res
    }

    /// Whether a user may run `cmd` and reach every key with the access of
    /// `keyspec_flags` (SORT BY / GET).
    pub fn check_with_all_keys(&self, uid: Option<UserId>, cmd: &Command, argv: &[&[u8]], keyspec_flags: u32) -> bool {
        let Some(id) = uid else {
            return true;
        };
        let Some(u) = self.user(id) else {
            return false;
        };
        if u.root.is_unrestricted() {
            return true;
        }
        let mut keys = self.keys.take();
        let ok = u.check_command_with_all_keys(
            &self.table,
            cmd,
            argv,
            &mut KeyCache {
                keys: &mut keys,
                ready: false,
            },
            keyspec_flags,
        );
        self.keys.set(keys);
        ok
    }
}

/// The error the command gate replies with for a denial.
pub fn gate_error(d: Denied, cmd: &Command) -> crate::error::Error {
    crate::error::Error::msg(match d {
        Denied::Command => format!("NOPERM this user has no permissions to run the '{}' command", cmd.fullname),
        Denied::Key(_) => "NOPERM this user has no permissions to access one of the keys used as arguments".to_string(),
        Denied::Channel(_) => "NOPERM this user has no permissions to access one of the channels used as arguments".to_string(),
    })
}

/// The reason scripts and modules give for a denial (`getAclErrorMessage`).
pub fn denial_message(d: Denied) -> &'static str {
    match d {
        Denied::Command => "can't run this command or subcommand",
        Denied::Key(_) => "can't access at least one of the keys mentioned in the command arguments",
        Denied::Channel(_) => "can't publish to the channel mentioned in the command",
    }
}

impl Server {
    /// `acl-pubsub-default` as a selector flag.
    pub fn acl_all_channels_default(&self) -> bool {
        self.cfg.acl_pubsub_default != 0
    }

    /// Whether the client must AUTH first (`authRequired`): the default
    /// user has a password or is off, and the client has not
    /// authenticated.
    pub fn auth_required(&self, c: &Client) -> bool {
        let d = self.acl.default_user();
        (!d.has(uflags::NOPASS) || d.has(uflags::DISABLED)) && !c.authenticated
    }

    /// A new or reset connection is the default user, authenticated if
    /// that user needs no password (`clientSetDefaultAuth`).
    pub fn set_default_auth(&self, c: &mut Client) {
        let d = self.acl.default_user();
        c.user = Some(UserId::DEFAULT);
        c.authenticated = d.has(uflags::NOPASS) && !d.has(uflags::DISABLED);
    }

    /// The default user has no password: protected mode applies.
    pub fn default_user_nopass(&self) -> bool {
        self.acl.default_user().has(uflags::NOPASS)
    }

    /// `requirepass` as the default user's only password (or `nopass`
    /// when empty) (`ACLUpdateDefaultUserPassword`).
    pub fn acl_update_default_password(&mut self) {
        let pass = self.cfg.requirepass.clone();
        let env_all = self.acl_all_channels_default();
        let Acl { table, slots, .. } = &mut self.acl;
        let env = RuleEnv {
            t: table,
            all_channels: env_all,
        };
        if let Some(d) = slots.first_mut().and_then(|s| s.user.as_mut()) {
            let _ = d.apply(env, b"resetpass");
            if pass.is_empty() {
                let _ = d.apply(env, b"nopass");
            } else {
                let mut op = b">".to_vec();
                op.extend_from_slice(pass.as_bytes());
                let _ = d.apply(env, &op);
            }
        }
    }

    /// Authenticates `c` as `user` (`ACLAuthenticateUser`). A failure is
    /// logged in ACL LOG with `argv0` as the object.
    pub fn acl_authenticate(&mut self, c: &mut Client, user: &[u8], pass: &[u8], argv0: &[u8]) -> bool {
        let found = self
            .acl
            .lookup(user)
            .filter(|&id| self.acl.user(id).is_some_and(|u| u.password_ok(pass)));
        if let Some(id) = found {
            c.authenticated = true;
            c.user = Some(id);
            return true;
        }
        let context = if c.has(cf::MULTI) {
            log::Context::Multi
        } else {
            log::Context::Toplevel
        };
        self.acl_log_add(c, user.to_vec(), log::Reason::Auth, context, argv0.to_vec());
        false
    }

    /// Logs a denied command. `info_client` is the client the entry
    /// describes (a script's caller for commands the script ran).
    pub fn acl_log_denial(
        &mut self,
        info_client: &Client,
        user: Option<UserId>,
        d: Denied,
        context: log::Context,
        cmd: &Command,
        argv: &[&[u8]],
    ) {
        let (reason, object) = match d {
            Denied::Command => (log::Reason::Command, cmd.fullname.as_bytes().to_vec()),
            Denied::Key(p) => (log::Reason::Key, argv.get(p).map(|a| a.to_vec()).unwrap_or_default()),
            Denied::Channel(p) => (log::Reason::Channel, argv.get(p).map(|a| a.to_vec()).unwrap_or_default()),
        };
        let username = self.acl.name_of(user).to_vec();
        self.acl_log_add(info_client, username, reason, context, object);
    }

    fn acl_log_add(&mut self, c: &Client, username: Vec<u8>, reason: log::Reason, context: log::Context, object: Vec<u8>) {
        let entry = log::Entry {
            count: 1,
            reason,
            context,
            object,
            username,
            ctime: crate::util::mstime(),
            client_info: crate::client::commands::client_info_string(self, c),
        };
        let max = usize::try_from(self.cfg.acllog_max_len).unwrap_or(usize::MAX);
        self.acl.log.add(entry, max);
    }

    /// The command gate's ACL step: refuse, and log, what the client's
    /// user may not run.
    #[inline]
    pub fn acl_gate(&mut self, c: &Client, cmd: &Command, argv: &[&[u8]]) -> Result<(), crate::error::Error> {
        match self.acl.check(c.user, cmd, argv) {
            Ok(()) => Ok(()),
            Err(d) => {
                let context = if c.has(cf::MULTI) {
                    log::Context::Multi
                } else {
                    log::Context::Toplevel
                };
                self.acl_log_denial(c, c.user, d, context, cmd, argv);
                Err(gate_error(d, cmd))
            }
        }
    }

    /// The clients of users that went away are logged out and closed
    /// (`ACLFreeUserAndKillClients`); `current` (running the command that
    /// removed them) gets its reply first.
    pub fn acl_kill_clients_of(&mut self, gone: &[UserId], current: Option<&mut Client>) {
        if gone.is_empty() {
            return;
        }
        let victims: Vec<usize> = self
            .clients
            .iter()
            .filter_map(|(k, c)| c.as_deref().filter(|c| c.user.is_some_and(|u| gone.contains(&u))).map(|_| k))
            .collect();
        for key in victims {
            if let Some(Some(c)) = self.clients.get_mut(key) {
                c.user = Some(UserId::DEFAULT);
                c.authenticated = false;
            }
            self.close_client_async(key);
        }
        if let Some(current) = current.filter(|c| c.user.is_some_and(|u| gone.contains(&u))) {
            current.user = Some(UserId::DEFAULT);
            current.authenticated = false;
            current.flags |= cf::CLOSE_AFTER_REPLY;
        }
    }

    /// After a user's channel permissions changed, its pub/sub clients
    /// subscribed to what is no longer allowed are closed
    /// (`ACLKillPubsubClientsIfNeeded`). `new` is the user's new state,
    /// `id` the id its clients hold.
    pub fn acl_kill_pubsub_clients_if_needed(&mut self, new: &User, old: &User, id: UserId, current: &mut Client) {
        if new.all_selectors().any(|s| s.flags & user::sflags::ALLCHANNELS != 0) {
            return;
        }
        let upcoming: Vec<user::Pattern> = new.all_selectors().flat_map(|s| s.channels.iter().cloned()).collect();
        let kept = old
            .all_selectors()
            .all(|s| s.flags & user::sflags::ALLCHANNELS == 0 && s.channels.iter().all(|p| upcoming.iter().any(|u| u.text == p.text)));
        if kept {
            return;
        }
        let allowed = |c: &Client| {
            let ok = |ch: &[u8], pattern: bool| {
                upcoming.iter().any(|p| {
                    if pattern {
                        p.text.as_slice() == user::c_str(ch)
                    } else {
                        p.matches(ch)
                    }
                })
            };
            c.subs.patterns.iter().all(|p| ok(p, true))
                && c.subs.channels.iter().all(|ch| ok(ch, false))
                && c.subs.shard_channels.iter().all(|ch| ok(ch, false))
        };
        let is_victim = |c: &Client| c.user == Some(id) && c.client_type() == crate::client::ClientType::Pubsub && !allowed(c);
        let victims: Vec<usize> = self
            .clients
            .iter()
            .filter_map(|(k, c)| c.as_deref().filter(|c| is_victim(c)).map(|_| k))
            .collect();
        for key in victims {
            self.free_client(key);
        }
        if is_victim(current) {
            current.flags |= cf::CLOSE_AFTER_REPLY;
        }
    }
}

#[cfg(test)]
mod tests;
