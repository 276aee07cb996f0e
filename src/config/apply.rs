//! Side effects of changing a parameter at run time (the `apply` hooks of
//! config.c). Each runs after CONFIG SET stored the new value; an error
//! makes CONFIG SET restore the old values.

use crate::server::Server;

pub fn loglevel(srv: &mut Server) -> Result<(), String> {
    let name = super::enum_name(super::enums::LOGLEVEL_ENUM, srv.cfg.loglevel, false);
    crate::util::log::set_level(&name);
    Ok(())
}

pub fn hz(srv: &mut Server) -> Result<(), String> {
    srv.cfg.hz = srv.cfg.hz.clamp(1, 500);
    srv.hz = srv.cfg.hz;
    Ok(())
}

pub fn maxclients(srv: &mut Server) -> Result<(), String> {
    // Make sure the process may hold that many descriptors (plus a margin
    // for listeners and files, as Redis reserves 32).
    let want = srv.cfg.maxclients as u64 + 32;
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: `lim` is a valid out-pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 && lim.rlim_cur < want {
        let new = libc::rlimit {
            rlim_cur: want.min(lim.rlim_max),
            rlim_max: lim.rlim_max,
        };
        // SAFETY: `new` is a valid rlimit value.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &new) };
        if new.rlim_cur < want {
            return Err(format!(
                "The operating system is not able to handle the specified number of clients, try with {}",
                new.rlim_cur.saturating_sub(32)
            ));
        }
    }
    Ok(())
}

/// The default user's password follows `requirepass`; connections
/// already authenticated stay so, as in Redis.
pub fn requirepass(srv: &mut Server) -> Result<(), String> {
    srv.acl_update_default_password();
    Ok(())
}

pub fn proc_title(srv: &mut Server) -> Result<(), String> {
    crate::proctitle::set(&srv.cfg, srv.config_file.as_deref(), None)
}

pub fn oom_score_adj(srv: &mut Server) -> Result<(), String> {
    srv.set_oom_score_adj(None)
        .map_err(|_| "Failed to set current oom_score_adj. Check server logs.".to_string())
}

pub fn port(srv: &mut Server) -> Result<(), String> {
    srv.rebind_listeners(true, false).map_err(|e| {
        log::warn!("{e}");
        "Unable to listen on this port. Check server logs.".to_string()
    })
}

pub fn bind(srv: &mut Server) -> Result<(), String> {
    srv.rebind().map_err(|e| {
        log::warn!("{e}");
        "Failed to bind to specified addresses.".to_string()
    })
}

pub fn maxmemory(srv: &mut Server) -> Result<(), String> {
    let used = crate::alloc::used_memory() as u64;
    let max = srv.cfg.maxmemory as u64;
    if max != 0 && max < used {
        log::warn!("WARNING: the new maxmemory value set via CONFIG SET ({max}) is smaller than the current memory usage ({used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.");
    }
    crate::ds::dict::set_maxmemory(max);
    // Like startEvictionTimeProc: evict from the event loop, not inside
    // this command (which may be part of a MULTI).
    if max != 0 {
        srv.eviction_pool.running = true;
    }
    Ok(())
}

/// `activedefrag` (`isValidActiveDefrag`): refused only if this jemalloc
/// cannot tell how used a slab is (then the message is the one of a Redis
/// built without its modified jemalloc).
pub fn active_defrag(_cfg: &crate::config::Config, v: &str) -> Result<(), String> {
    if v == "yes" && !crate::server::defrag::supported() {
        return Err("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution".into());
    }
    Ok(())
}
