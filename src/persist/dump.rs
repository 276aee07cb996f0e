//! DUMP and RESTORE (cluster.c): a value's RDB payload, followed by the
//! RDB version (2 bytes) and a CRC-64 of everything before it (8 bytes).

use super::rdb::codec::{is_short_read, report, LoadError, RdbReader, RdbWriter, CRC64, RDB_VERSION};
use super::rdb::{read_value, store_value, value_type_byte, write_payload};
use crate::db::change::ev;
use crate::error::Error;
use crate::object::ValueRef;
use crate::server::{CmdResult, Ctx, Server};
use crate::util::num::parse_i64;

/// Values of `sanitize-dump-payload` (SANITIZE_DUMP_PAYLOAD_ENUM).
const SANITIZE_NO: i32 = 0;
const SANITIZE_CLIENTS: i32 = 2;

/// Serializes a value as DUMP does (`createDumpPayload`).
pub fn dump_payload(v: ValueRef, compress: bool) -> Vec<u8> {
    let mut w = RdbWriter::new(Vec::new(), false, compress);
    // Writing to a Vec cannot fail.
    let _ = w.u8(value_type_byte(v));
    let _ = write_payload(&mut w, v);
    let (mut buf, _) = w.into_parts();
    buf.extend_from_slice(&(RDB_VERSION as u16).to_le_bytes());
    let crc = CRC64.checksum(&buf);
    buf.extend_from_slice(&crc.to_le_bytes());
    buf
}

/// Checks the version and checksum footer (`verifyDumpPayload`).
pub fn verify_payload(srv: &Server, p: &[u8]) -> bool {
    if p.len() < 10 {
        return false;
    }
    let footer = &p[p.len() - 10..];
    let ver = u16::from_le_bytes([footer[0], footer[1]]);
    if u32::from(ver) > RDB_VERSION {
        return false;
    }
    if srv.skip_checksum_validation {
        return true;
    }
    CRC64.checksum(&p[..p.len() - 8]).to_le_bytes() == footer[2..]
}

/// `DUMP key`
pub fn dump_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let compress = ctx.srv.cfg.rdbcompression;
    match ctx.srv.lookup_read(db, ctx.argv[1]) {
        None => ctx.c.reply.null(),
        Some(e) => {
            let p = dump_payload(e.value(), compress);
            ctx.c.reply.bulk(&p);
        }
    }
    Ok(())
}

/// `RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]`
pub fn restore_command(ctx: &mut Ctx) -> CmdResult {
    let (mut replace, mut absttl) = (false, false);
    let (mut idle, mut freq): (i64, i64) = (-1, -1);
    let mut j = 4;
    while j < ctx.argc() {
        let more = ctx.argc() - j - 1;
        let opt = ctx.argv[j].to_ascii_lowercase();
        match opt.as_slice() {
            b"replace" => replace = true,
            b"absttl" => absttl = true,
            b"idletime" if more >= 1 && freq == -1 => {
                idle = parse_i64(ctx.argv[j + 1]).ok_or(Error::NotInteger)?;
                if idle < 0 {
                    return Err(Error::err("ERR Invalid IDLETIME value, must be >= 0"));
                }
                j += 1;
            }
            b"freq" if more >= 1 && idle == -1 => {
                freq = parse_i64(ctx.argv[j + 1]).ok_or(Error::NotInteger)?;
                if !(0..=255).contains(&freq) {
                    return Err(Error::err("ERR Invalid FREQ value, must be >= 0 and <= 255"));
                }
                j += 1;
            }
            _ => return Err(Error::Syntax),
        }
        j += 1;
    }
    let db = ctx.dbi();
    let key = ctx.argv[1];
    if !replace && ctx.srv.lookup_write(db, key).is_some() {
        return Err(Error::BusyKey);
    }
    let mut ttl = parse_i64(ctx.argv[2]).ok_or(Error::NotInteger)?;
    if ttl < 0 {
        return Err(Error::err("ERR Invalid TTL value, must be >= 0"));
    }
    let payload = ctx.argv[3];
    if !verify_payload(ctx.srv, payload) {
        return Err(Error::err("ERR DUMP payload version or checksum are wrong"));
    }
    let body = &payload[..payload.len() - 10];
    let mut r = RdbReader::new(body);
    // With `sanitize-dump-payload clients`, what the master sends is
    // trusted (`rdbLoadObject`), and so are users with
    // `skip-sanitize-payload`: the deep checks are left out for them.
    let mode = ctx.srv.cfg.sanitize_dump_payload;
    let from_master = ctx.c.has(crate::client::flags::MASTER);
    let user_skips = ctx
        .c
        .user
        .and_then(|id| ctx.srv.acl.user(id))
        .is_some_and(|u| u.has(crate::acl::user::uflags::SANITIZE_PAYLOAD_SKIP));
    if mode == SANITIZE_CLIENTS && (from_master || user_skips) {
        ctx.srv.cfg.sanitize_dump_payload = SANITIZE_NO;
    }
    let loaded = match r.u8() {
        Ok(t) => read_value(ctx.srv, &mut r, t),
        Err(e) => Err(e),
    };
    ctx.srv.cfg.sanitize_dump_payload = mode;
    let value = match loaded {
        Ok(v) if r.read == body.len() as u64 => v,
        Ok(_) => return Err(Error::err("ERR Bad data format")),
        Err(e) => {
            // In a RESTORE, corruption is only worth a verbose log line
            // (`rdbReportError` in the restore context); short reads of
            // the payload are silent, as there.
            if let LoadError::Corrupt(msg) = &e {
                if !is_short_read(msg) {
                    log::debug!("{}", report(msg));
                }
            }
            return Err(Error::err("ERR Bad data format"));
        }
    };
    let deleted = replace && ctx.srv.db_delete(db, key);
    if ttl != 0 && !absttl {
        ttl = ttl.saturating_add(crate::util::mstime());
    }
    if ttl != 0 && ttl <= crate::util::mstime() && ctx.srv.cfg.special.replicaof.is_none() {
        if deleted {
            ctx.propagate_as(vec![b"DEL".to_vec(), key.to_vec()]);
            ctx.key_modified(key, ev::DEL);
        }
        ctx.c.reply.ok();
        return Ok(());
    }
    if !store_value(ctx.srv, db, key, value) {
        return Err(Error::err("ERR Bad data format"));
    }
    if ttl != 0 {
        ctx.srv.dbs[db].set_expire(key, ttl);
        if !absttl {
            let mut argv: Vec<Vec<u8>> = ctx.argv.iter().map(|a| a.to_vec()).collect();
            argv[2] = ttl.to_string().into_bytes();
            argv.push(b"ABSTTL".to_vec());
            ctx.propagate_as(argv);
        }
    }
    let (clock, unixtime) = (ctx.srv.lru_clock(), ctx.srv.unixtime);
    if let Some(e) = ctx.srv.dbs[db].find_mut(key) {
        if freq >= 0 {
            e.set_lru((crate::db::evict::lfu_initial(unixtime) & !255) | freq as u32);
        } else if idle >= 0 {
            let ticks = (idle * 1000 / crate::db::LRU_CLOCK_RESOLUTION) as u32;
            e.set_lru(clock.wrapping_sub(ticks) & crate::db::LRU_CLOCK_MAX);
        }
    }
    ctx.key_modified(key, ev::RESTORE);
    ctx.c.reply.ok();
    Ok(())
}
