//! Connection commands (networking.c, acl.c): QUIT, RESET, HELLO, AUTH and
//! CLIENT with its subcommands.

use super::{flags as cf, Client, ClientType, REPLY_CHUNK_BYTES};
use crate::error::Error;
use crate::server::{CmdResult, Ctx, PauseKind, Server};
use crate::util::num::parse_i64;

/// One line of CLIENT LIST / CLIENT INFO (`catClientInfoString`).
pub fn client_info_string(srv: &Server, c: &Client) -> String {
    let (_, mut total) = c.memory_usage();
    // Redis keeps the first 16 KiB of a reply in a static buffer (obl) and
    // the rest in a list of 16 KiB blocks (oll, omem).
    let pending = c.reply.pending();
    let mut obl = pending.min(REPLY_CHUNK_BYTES);
    let mut omem = pending - obl;
    let oll = omem.div_ceil(REPLY_CHUNK_BYTES);
    if c.client_type() == ClientType::Replica {
        // A replica's output is its part of the shared replication buffer.
        omem = srv.client_obuf_used(c) as usize;
        obl = 0;
        total += omem;
    }
    let name = c.name.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
    let multi = if c.has(cf::MULTI) { c.mstate.commands.len() as i64 } else { -1 };
    let events = if srv.client_has_pending_output(c) { "rw" } else { "r" };
    let cmd = c.last_cmd.map(|x| x.fullname.as_str()).unwrap_or("NULL");
    let redir = crate::tracking::redirect_of(c);
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} oll={} omem={} tot-mem={} events={} cmd={} user={} redir={} resp={}",
        c.id,
        c.addr,
        c.laddr,
        c.fd,
        name,
        srv.unixtime - c.ctime,
        srv.unixtime - c.last_interaction,
        c.flags_string(),
        c.db,
        c.subs.channels.len(),
        c.subs.patterns.len(),
        c.subs.shard_channels.len(),
        multi,
        c.querybuf.len() + c.qbuf_in_flight.0,
        (c.querybuf.capacity() + c.qbuf_in_flight.1) - (c.querybuf.len() + c.qbuf_in_flight.0),
        c.argv_len_sum,
        c.mstate.argv_bytes,
        c.reply_buf_size,
        c.reply_peak,
        obl,
        oll,
        omem,
        total,
        events,
        cmd,
        String::from_utf8_lossy(srv.acl.name_of(c.user)),
        redir,
        c.reply.resp
    )
}

fn client_type_by_name(name: &[u8]) -> Option<ClientType> {
    match name.to_ascii_lowercase().as_slice() {
        b"normal" => Some(ClientType::Normal),
        b"slave" | b"replica" => Some(ClientType::Replica),
        b"pubsub" => Some(ClientType::Pubsub),
        b"master" => Some(ClientType::Master),
        _ => None,
    }
}

fn unknown_type(name: &[u8]) -> Error {
    Error::msg(format!("ERR Unknown client type '{}'", String::from_utf8_lossy(name)))
}

/// `QUIT`
pub fn quit_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.ok();
    ctx.c.flags |= cf::CLOSE_AFTER_REPLY;
    Ok(())
}

/// `RESET`
pub fn reset_command(ctx: &mut Ctx) -> CmdResult {
    let mut flags = ctx.c.flags;
    if flags & cf::MONITOR != 0 {
        flags &= !(cf::MONITOR | cf::SLAVE);
    }
    if flags & (cf::SLAVE | cf::MASTER) != 0 {
        return Err(Error::err("ERR can only reset normal client connections"));
    }
    ctx.srv.clear_client_state(ctx.c);
    ctx.c.reply.status(b"RESET");
    Ok(())
}

impl Server {
    /// Back to a fresh connection's state (`clearClientConnectionState`).
    pub fn clear_client_state(&mut self, c: &mut Client) {
        if c.has(cf::MONITOR) {
            self.monitors.retain(|&k| k != c.key);
            c.flags &= !(cf::MONITOR | cf::SLAVE);
        }
        if c.has(cf::MULTI) {
            self.discard_transaction(c);
        }
        self.unwatch_all_keys(c);
        self.pubsub_unsubscribe_all(c, false);
        if c.has(cf::TRACKING) {
            self.disable_tracking(c);
        }
        c.db = 0;
        c.reply.resp = 2;
        c.name = None;
        self.set_default_auth(c);
        c.flags &= !(cf::MONITOR
            | cf::ASKING
            | cf::READONLY
            | cf::PUBSUB
            | cf::REPLY_OFF
            | cf::REPLY_SKIP_NEXT
            | cf::NO_EVICT
            | cf::MULTI
            | cf::DIRTY_CAS
            | cf::DIRTY_EXEC);
    }
}

/// Validates a client name (`clientSetNameOrReply`): printable, no spaces.
fn valid_name(name: &[u8]) -> Result<(), Error> {
    if name.iter().any(|&ch| !(b'!'..=b'~').contains(&ch)) {
        return Err(Error::err(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    Ok(())
}

/// `HELLO [protover [AUTH username password] [SETNAME clientname]]`
pub fn hello_command(ctx: &mut Ctx) -> CmdResult {
    let mut ver = 0;
    let mut next = 1;
    if ctx.argc() >= 2 {
        ver = parse_i64(ctx.argv[1]).ok_or(Error::err("ERR Protocol version is not an integer or out of range"))?;
        next = 2;
        if !(2..=3).contains(&ver) {
            return Err(Error::err("NOPROTO unsupported protocol version"));
        }
    }
    let mut setname: Option<&[u8]> = None;
    let mut j = next;
    while j < ctx.argc() {
        let more = ctx.argc() - 1 - j;
        let opt = ctx.argv[j];
        if opt.eq_ignore_ascii_case(b"auth") && more >= 2 {
            // Authenticated as soon as the option is read, as in Redis,
            // even if a later option is refused.
            if !ctx.srv.acl_authenticate(ctx.c, ctx.argv[j + 1], ctx.argv[j + 2], ctx.argv[0]) {
                return Err(crate::acl::commands::wrongpass());
            }
            j += 2;
        } else if opt.eq_ignore_ascii_case(b"setname") && more >= 1 {
            valid_name(ctx.argv[j + 1])?;
            setname = Some(ctx.argv[j + 1]);
            j += 1;
        } else {
            return Err(Error::msg(format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(opt)
            )));
        }
        j += 1;
    }
    if !ctx.c.authenticated {
        return Err(Error::err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"));
    }
    if let Some(name) = setname {
        ctx.c.name = if name.is_empty() { None } else { Some(name.to_vec()) };
    }
    if ver != 0 {
        ctx.c.reply.resp = ver as u8;
    }
    let mode: &[u8] = if ctx.srv.cfg.cluster_enabled { b"cluster" } else { b"standalone" };
    let role: &[u8] = if ctx.srv.cfg.special.replicaof.is_some() {
        b"replica"
    } else {
        b"master"
    };
    let (id, resp) = (ctx.c.id, ctx.c.reply.resp);
    let r = &mut ctx.c.reply;
    r.map_len(7);
    r.bulk(b"server");
    r.bulk(b"redis");
    r.bulk(b"version");
    r.bulk(crate::REDIS_VERSION.as_bytes());
    r.bulk(b"proto");
    r.int(i64::from(resp));
    r.bulk(b"id");
    r.int(id as i64);
    r.bulk(b"mode");
    r.bulk(mode);
    r.bulk(b"role");
    r.bulk(role);
    r.bulk(b"modules");
    r.array_len(0);
    Ok(())
}

/// `CLIENT ID`
pub fn client_id_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.int(ctx.c.id as i64);
    Ok(())
}

/// `CLIENT INFO`
pub fn client_info_command(ctx: &mut Ctx) -> CmdResult {
    let mut s = client_info_string(ctx.srv, ctx.c);
    s.push('\n');
    ctx.c.reply.verbatim(s.as_bytes(), b"txt");
    Ok(())
}

/// `CLIENT LIST [TYPE type] [ID id ...]`
pub fn client_list_command(ctx: &mut Ctx) -> CmdResult {
    let mut out = String::new();
    if ctx.argc() == 4 && ctx.argv[2].eq_ignore_ascii_case(b"type") {
        let t = client_type_by_name(ctx.argv[3]).ok_or_else(|| unknown_type(ctx.argv[3]))?;
        for c in ctx.srv.clients_sorted(Some(ctx.c)) {
            if c.client_type() == t {
                out.push_str(&client_info_string(ctx.srv, c));
                out.push('\n');
            }
        }
    } else if ctx.argc() > 3 && ctx.argv[2].eq_ignore_ascii_case(b"id") {
        let mut ids = Vec::new();
        for a in &ctx.argv[3..] {
            ids.push(parse_i64(a).ok_or(Error::err("ERR Invalid client ID"))?);
        }
        let all = ctx.srv.clients_sorted(Some(ctx.c));
        for id in ids {
            if let Some(c) = all.iter().find(|c| c.id as i64 == id) {
                out.push_str(&client_info_string(ctx.srv, c));
                out.push('\n');
            }
        }
    } else if ctx.argc() != 2 {
        return Err(Error::Syntax);
    } else {
        for c in ctx.srv.clients_sorted(Some(ctx.c)) {
            out.push_str(&client_info_string(ctx.srv, c));
            out.push('\n');
        }
    }
    ctx.c.reply.verbatim(out.as_bytes(), b"txt");
    Ok(())
}

/// `CLIENT SETNAME connection-name`
pub fn client_setname_command(ctx: &mut Ctx) -> CmdResult {
    let name = ctx.argv[2];
    valid_name(name)?;
    ctx.c.name = if name.is_empty() { None } else { Some(name.to_vec()) };
    ctx.c.reply.ok();
    Ok(())
}

/// `CLIENT GETNAME`
pub fn client_getname_command(ctx: &mut Ctx) -> CmdResult {
    match &ctx.c.name {
        Some(n) => ctx.c.reply.bulk(n),
        None => ctx.c.reply.null(),
    }
    Ok(())
}

/// `CLIENT REPLY ON|OFF|SKIP`
pub fn client_reply_command(ctx: &mut Ctx) -> CmdResult {
    match ctx.argv[2].to_ascii_lowercase().as_slice() {
        b"on" => {
            ctx.c.flags &= !(cf::REPLY_SKIP | cf::REPLY_OFF);
            ctx.c.reply.ok();
        }
        b"off" => ctx.c.flags |= cf::REPLY_OFF,
        b"skip" => {
            if !ctx.c.has(cf::REPLY_OFF) {
                ctx.c.flags |= cf::REPLY_SKIP_NEXT;
            }
        }
        _ => return Err(Error::Syntax),
    }
    Ok(())
}

/// `CLIENT NO-EVICT ON|OFF`
pub fn client_no_evict_command(ctx: &mut Ctx) -> CmdResult {
    match ctx.argv[2].to_ascii_lowercase().as_slice() {
        b"on" => ctx.c.flags |= cf::NO_EVICT,
        b"off" => ctx.c.flags &= !cf::NO_EVICT,
        _ => return Err(Error::Syntax),
    }
    ctx.c.reply.ok();
    Ok(())
}

/// `CLIENT KILL addr` or `CLIENT KILL [ID id] [TYPE type] [USER user]
/// [ADDR addr] [LADDR laddr] [SKIPME yes|no] ...`
pub fn client_kill_command(ctx: &mut Ctx) -> CmdResult {
    let mut addr: Option<&[u8]> = None;
    let mut laddr: Option<&[u8]> = None;
    let mut user: Option<crate::acl::UserId> = None;
    let mut typ = None;
    let mut id = 0u64;
    let mut skipme = true;
    let old_form = ctx.argc() == 3;
    if old_form {
        addr = Some(ctx.argv[2]);
        skipme = false;
    } else {
        let mut i = 2;
        while i < ctx.argc() {
            let has_value = i + 1 < ctx.argc();
            let opt = ctx.argv[i].to_ascii_lowercase();
            let val = if has_value { ctx.argv[i + 1] } else { b"" as &[u8] };
            match opt.as_slice() {
                b"id" if has_value => {
                    id = parse_i64(val)
                        .filter(|v| *v >= 1)
                        .ok_or(Error::err("ERR client-id should be greater than 0"))? as u64;
                }
                b"type" if has_value => typ = Some(client_type_by_name(val).ok_or_else(|| unknown_type(val))?),
                b"addr" if has_value => addr = Some(val),
                b"laddr" if has_value => laddr = Some(val),
                b"user" if has_value => {
                    let Some(id) = ctx.srv.acl.lookup(val) else {
                        return Err(Error::msg(format!("ERR No such user '{}'", String::from_utf8_lossy(val))));
                    };
                    user = Some(id);
                }
                b"skipme" if has_value => {
                    skipme = match val.to_ascii_lowercase().as_slice() {
                        b"yes" => true,
                        b"no" => false,
                        _ => return Err(Error::Syntax),
                    }
                }
                _ => return Err(Error::Syntax),
            }
            i += 2;
        }
    }
    let matches = |c: &Client| {
        addr.is_none_or(|a| c.addr.as_bytes() == a)
            && laddr.is_none_or(|a| c.laddr.as_bytes() == a)
            && typ.is_none_or(|t| c.client_type() == t)
            && (id == 0 || c.id == id)
            && user.is_none_or(|u| c.user == Some(u))
    };
    let mut killed = 0;
    let victims: Vec<usize> = ctx
        .srv
        .clients
        .iter()
        .filter_map(|(k, c)| c.as_deref().filter(|c| matches(c)).map(|_| k))
        .collect();
    for key in victims {
        ctx.srv.free_client(key);
        killed += 1;
    }
    if matches(ctx.c) && !skipme {
        ctx.c.flags |= cf::CLOSE_AFTER_REPLY;
        killed += 1;
    }
    if old_form {
        if killed == 0 {
            return Err(Error::err("ERR No such client"));
        }
        ctx.c.reply.ok();
    } else {
        ctx.c.reply.int(killed);
    }
    Ok(())
}

/// `CLIENT PAUSE timeout [WRITE|ALL]`
pub fn client_pause_command(ctx: &mut Ctx) -> CmdResult {
    let mut kind = PauseKind::All;
    if ctx.argc() == 4 {
        kind = match ctx.argv[3].to_ascii_lowercase().as_slice() {
            b"write" => PauseKind::Write,
            b"all" => PauseKind::All,
            _ => return Err(Error::err("ERR CLIENT PAUSE mode must be WRITE or ALL")),
        };
    }
    let ms = parse_i64(ctx.argv[2]).ok_or(Error::err("ERR timeout is not an integer or out of range"))?;
    if ms < 0 {
        return Err(Error::err("ERR timeout is negative"));
    }
    let end = crate::util::mstime().saturating_add(ms);
    // A stronger or longer pause is never weakened by a new one.
    if kind == PauseKind::All || ctx.srv.pause == PauseKind::None {
        ctx.srv.pause = kind;
    }
    ctx.srv.pause_end_ms = ctx.srv.pause_end_ms.max(end);
    ctx.c.reply.ok();
    Ok(())
}

/// `CLIENT UNPAUSE`
pub fn client_unpause_command(ctx: &mut Ctx) -> CmdResult {
    ctx.srv.unpause();
    ctx.c.reply.ok();
    Ok(())
}

/// `CLIENT HELP`
pub fn client_help_command(ctx: &mut Ctx) -> CmdResult {
    ctx.c.reply.help(
        ctx.argv[0],
        &[
            "CACHING (YES|NO)",
            "    In OPTIN/OPTOUT tracking, track (or not) the keys the next command reads.",
            "GETNAME",
            "    Return the name of this connection.",
            "GETREDIR",
            "    Return the id invalidation messages are redirected to (-1: tracking off).",
            "ID",
            "    Return the id of this connection.",
            "INFO",
            "    Return information about this connection.",
            "KILL <ip:port>",
            "    Close the connection from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Close every connection matching all the filters:",
            "    * ADDR (<ip:port>|<unixsocket>:0): peer address.",
            "    * LADDR (<ip:port>|<unixsocket>:0): local address.",
            "    * ID <client-id>: connection id.",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB): connection type.",
            "    * USER <username>: authenticated user.",
            "    * SKIPME (YES|NO): whether to spare this connection (default yes).",
            "LIST [options ...]",
            "    Return information about connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB): only connections of this type.",
            "    * ID <client-id> [...]: only these connections.",
            "NO-EVICT (ON|OFF)",
            "    Protect this connection from client eviction.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Hold back commands of all clients for <timeout> milliseconds:",
            "    * WRITE: only commands that may write.",
            "    * ALL: every command (the default).",
            "REPLY (ON|OFF|SKIP)",
            "    Turn replies off or on, or skip the reply to the next command.",
            "SETNAME <name>",
            "    Name this connection.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Turn server-assisted client-side caching on or off.",
            "TRACKINGINFO",
            "    Report the tracking state of this connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Wake up a client blocked in a blocking command.",
            "UNPAUSE",
            "    End a CLIENT PAUSE.",
        ],
    );
    Ok(())
}
