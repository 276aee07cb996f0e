//! Users from files: the ACL file (`aclfile`, ACL LOAD / ACL SAVE) and
//! `user` lines in redis.conf (`ACLAppendUserForLoading`,
//! `ACLLoadConfiguredUsers`, `ACLLoadFromFile`, `ACLSaveToFile`).
//!
//! An ACL file is read whole and checked line by line into a new user set;
//! any error leaves the current users untouched and reports every bad
//! line, numbered, in one message. ACL SAVE writes a temporary file next to
//! the target and renames it over, so readers see the old or the new file,
//! never half of one.

use super::user::{has_spaces, merge_selector_args, uflags, RuleEnv, RuleError, User};
use crate::client::Client;
use crate::server::Server;

/// `sdstrim`: drops the bytes of `set` at both ends.
fn trim<'a>(s: &'a [u8], set: &[u8]) -> &'a [u8] {
    let start = s.iter().position(|c| !set.contains(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|c| !set.contains(c)).map_or(start, |i| i + 1);
    &s[start..end.max(start)]
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Parses an ACL file into users, or returns every error found, in
/// Redis's words. `filename` is the `aclfile` setting, as the messages
/// name it.
pub fn parse_acl_file(env: RuleEnv, text: &[u8], filename: &str) -> Result<Vec<User>, String> {
    let mut errors = String::new();
    let mut users: Vec<User> = Vec::new();
    for (i, raw) in text.split(|&c| c == b'\n').enumerate() {
        let linenum = i + 1;
        let line = trim(raw, b" \t\r\n");
        if line.is_empty() {
            continue;
        }
        // Split on single spaces, not like a config line: no quoting.
        let argv: Vec<&[u8]> = line.split(|&c| c == b' ').collect();
        if argv[0] != b"user" || argv.len() < 2 {
            errors.push_str(&format!(
                "{filename}:{linenum} should start with user keyword followed by the username. "
            ));
            continue;
        }
        let name = argv[1];
        if has_spaces(name) {
            errors.push_str(&format!(
                "'{filename}:{linenum}: username '{}' contains invalid characters. ",
                lossy(name)
            ));
            continue;
        }
        if users.iter().any(|u| u.name == name) {
            errors.push_str(&format!("WARNING: Duplicate user '{}' found on line {linenum}. ", lossy(name)));
            continue;
        }
        let mut u = User::new(env, name);
        let rules: Vec<Vec<u8>> = argv[2..].iter().map(|a| a.to_vec()).collect();
        match merge_selector_args(&rules) {
            Err(_) => errors.push_str(&format!("{filename}:{linenum}: Unmatched parenthesis in selector definition.")),
            Ok(merged) => {
                let mut reported = false;
                for op in &merged {
                    let op = trim(op, b"\t\r\n");
                    match u.apply(env, op) {
                        Ok(()) => {}
                        // Unknown commands are named: that tells nothing secret.
                        Err(e @ RuleError::UnknownCommand) => errors.push_str(&format!(
                            "{filename}:{linenum}: Error in applying operation '{}': {}. ",
                            lossy(op),
                            e.message()
                        )),
                        // Other errors only once per line: the first may
                        // explain the rest.
                        Err(e) if !reported => {
                            errors.push_str(&format!("{filename}:{linenum}: {}. ", e.message()));
                            reported = true;
                        }
                        Err(_) => {}
                    }
                }
            }
        }
        users.push(u);
    }
    if errors.is_empty() {
        Ok(users)
    } else {
        errors.push_str("WARNING: ACL errors detected, no change to the previously active ACL rules was performed");
        Err(errors)
    }
}

/// Checks a `user name rule ...` line of redis.conf when it is read
/// (`ACLAppendUserForLoading`). `argv` starts with `user`. Commands that do
/// not exist are let through here (they fail when the users are loaded).
/// Returns the rules with selectors merged, or the index into `argv` that
/// Redis names in its message (it counts rules from `user`, so the word
/// shown for a bad rule is off by two, as in Redis) and the error.
pub fn check_config_user(env: RuleEnv, argv: &[Vec<u8>], seen: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, (usize, RuleError)> {
    if argv.len() < 2 {
        return Err((0, RuleError::Syntax));
    }
    if seen.contains(&argv[1]) {
        return Err((1, RuleError::DuplicateUser));
    }
    let merged = merge_selector_args(&argv[2..]).map_err(|j| (j, RuleError::Other))?;
    let mut fake = User::new(env, b"__fakeuser__");
    for (j, op) in merged.iter().enumerate() {
        match fake.apply(env, op) {
            Ok(()) | Err(RuleError::UnknownCommand) => {}
            Err(e) => return Err((j, e)),
        }
    }
    Ok(merged)
}

/// The message of a bad `user` line, as the config loader prints it.
pub fn config_user_error(argv: &[Vec<u8>], idx: usize, e: RuleError) -> String {
    let word = argv.get(idx).map(|w| lossy(w)).unwrap_or_default();
    format!("Error in user declaration '{word}': {}", e.message())
}

/// A checked `user` line of redis.conf: the name and its merged rules.
#[derive(Clone, Debug)]
pub struct ConfigUser {
    pub name: Vec<u8>,
    pub rules: Vec<Vec<u8>>,
}

impl Server {
    /// Loads the users of redis.conf and the ACL file once the server is
    /// set up (`ACLLoadUsersAtStartup`). On error the reason is logged
    /// and the caller exits.
    #[allow(clippy::result_unit_err)] // the reason is already logged, as Redis does
    pub fn acl_load_users_at_startup(&mut self, users: &[ConfigUser]) -> Result<(), ()> {
        if !self.cfg.aclfile.is_empty() && !users.is_empty() {
            log::warn!("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.");
            return Err(());
        }
        if let Err(e) = self.acl_load_config_users(users) {
            log::warn!("{e}");
            log::warn!("Critical error while loading ACLs. Exiting.");
            return Err(());
        }
        if !self.cfg.aclfile.is_empty() {
            let path = self.cfg.aclfile.clone();
            if let Err(errors) = self.acl_load_file(&path, None) {
                log::warn!("Aborting Redis startup because of ACL errors: {errors}");
                return Err(());
            }
        }
        Ok(())
    }

    /// `ACLLoadConfiguredUsers`: a `user default` line resets the default
    /// user before its rules apply.
    fn acl_load_config_users(&mut self, users: &[ConfigUser]) -> Result<(), String> {
        let all_channels = self.acl_all_channels_default();
        for cu in users {
            if has_spaces(&cu.name) {
                return Err("Spaces not allowed in ACL usernames".into());
            }
            let env = self.acl.env(all_channels);
            let mut u = match self.acl.lookup(&cu.name).and_then(|id| self.acl.user(id)) {
                Some(existing) => {
                    let mut u = existing.clone();
                    let _ = u.apply(env, b"reset");
                    u
                }
                None => User::new(env, &cu.name),
            };
            for op in &cu.rules {
                u.apply(env, op).map_err(|e| {
                    format!(
                        "Error loading ACL rule '{}' for the user named '{}': {}",
                        lossy(op),
                        lossy(&cu.name),
                        e.message()
                    )
                })?;
            }
            if u.has(uflags::DISABLED) {
                log::info!(
                    "The user '{}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.",
                    lossy(&cu.name)
                );
            }
            match self.acl.lookup(&cu.name) {
                Some(id) => {
                    if let Some(slot) = self.acl.user_mut(id) {
                        *slot = u;
                    }
                }
                None => {
                    self.acl.insert(u);
                }
            }
        }
        Ok(())
    }

    /// Replaces every user with those of the ACL file (`ACLLoadFromFile`).
    /// Clients of the users that were replaced are closed; those of the
    /// default user stay.
    pub fn acl_load_file(&mut self, path: &str, current: Option<&mut Client>) -> Result<(), String> {
        let text = std::fs::read(path).map_err(|e| format!("Error loading ACLs, opening file '{path}': {}", crate::util::strerror(&e)))?;
        let all_channels = self.acl_all_channels_default();
        let env = self.acl.env(all_channels);
        let mut users = parse_acl_file(env, &text, path)?;
        let new_default = match users.iter().position(|u| u.name == b"default") {
            Some(i) => users.remove(i),
            None => User::new_default(env),
        };
        let gone = self.acl.replace_all(users, new_default);
        self.acl_kill_clients_of(&gone, current);
        Ok(())
    }

    /// Writes every user to the ACL file (`ACLSaveToFile`). The error is
    /// the line to log.
    pub fn acl_save_file(&self, path: &str) -> Result<(), String> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut text = Vec::new();
        for (_, u) in self.acl.iter() {
            text.extend_from_slice(&super::commands::user_line(self, u));
            text.push(b'\n');
        }
        let tmp = format!("{path}.tmp-{}-{}", std::process::id(), crate::util::mstime());
        let strerror = |e: &std::io::Error| crate::util::strerror(e);
        let res = (|| {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o644)
                .open(&tmp)
                .map_err(|e| format!("Opening temp ACL file for ACL SAVE: {}", strerror(&e)))?;
            f.write_all(&text)
                .and_then(|_| f.sync_all())
                .map_err(|e| format!("Writing ACL file for ACL SAVE: {}", strerror(&e)))?;
            drop(f);
            std::fs::rename(&tmp, path).map_err(|e| format!("Renaming ACL file for ACL SAVE: {}", strerror(&e)))
        })();
        if res.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        res
    }

    /// The `user` lines CONFIG REWRITE writes: None when an ACL file holds
    /// the users (then redis.conf keeps none).
    pub fn acl_config_lines(&self) -> Option<Vec<String>> {
        if !self.cfg.aclfile.is_empty() {
            return None;
        }
        Some(
            self.acl
                .iter()
                .map(|(_, u)| {
                    let mut line = u.name.clone();
                    line.push(b' ');
                    line.extend_from_slice(&u.describe(&self.acl.table));
                    String::from_utf8_lossy(&line).into_owned()
                })
                .collect(),
        )
    }
}
