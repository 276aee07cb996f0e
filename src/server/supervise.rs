//! `supervised no|upstart|systemd|auto` (`redisIsSupervised`,
//! `redisCommunicateSystemd`): readiness and status reports to the
//! service manager.
//!
//! systemd's protocol is one datagram per message to the unix socket named
//! by `NOTIFY_SOCKET` (a path, or an abstract name written with a leading
//! `@`), which is all `sd_notify(0, msg)` does; we speak it directly
//! rather than link libsystemd. Upstart's is a SIGSTOP to ourselves once
//! ready to be continued. A supervised server does not daemonize.

use std::os::unix::net::UnixDatagram;

/// `SUPERVISED_*`, the values of the `supervised` enum.
pub const NONE: i32 = 0;
pub const UPSTART: i32 = 1;
pub const SYSTEMD: i32 = 2;
pub const AUTO: i32 = 3;

/// Sends one message to systemd (`sd_notify(0, msg)`): 0 when
/// NOTIFY_SOCKET is not set, 1 when sent, a negative errno on failure;
/// failures are logged as Redis logs them.
pub fn notify(msg: &str) -> i32 {
    let ret = send(msg);
    if ret == 0 {
        log::warn!("systemd supervision error: NOTIFY_SOCKET not found!");
    } else if ret < 0 {
        log::warn!("systemd supervision error: sd_notify: {ret}");
    }
    ret
}

fn send(msg: &str) -> i32 {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return 0;
    };
    let path = path.as_encoded_bytes();
    let errno = |e: std::io::Error| -e.raw_os_error().unwrap_or(libc::EIO);
    let sock = match UnixDatagram::unbound() {
        Ok(s) => s,
        Err(e) => return errno(e),
    };
    let sent = if let Some(name) = path.strip_prefix(b"@").filter(|n| !n.is_empty()) {
        use std::os::linux::net::SocketAddrExt;
        match std::os::unix::net::SocketAddr::from_abstract_name(name) {
            Ok(addr) => sock.send_to_addr(msg.as_bytes(), &addr),
            Err(e) => return errno(e),
        }
    } else if path.first() == Some(&b'/') && path.len() > 1 {
        use std::os::unix::ffi::OsStrExt;
        sock.send_to(msg.as_bytes(), std::ffi::OsStr::from_bytes(path))
    } else {
        // sd_notify accepts only absolute paths and abstract names (an
        // empty value included).
        return -libc::EINVAL;
    };
    match sent {
        Ok(_) => 1,
        Err(e) => errno(e),
    }
}

/// Decides the supervision at start-up (`redisIsSupervised`): returns the
/// mode in effect (NONE when not supervised).
pub fn start(mode: i32) -> i32 {
    let mut mode = mode;
    if mode == AUTO {
        if std::env::var_os("UPSTART_JOB").is_some() {
            log::debug!("Upstart supervision detected.");
            mode = UPSTART;
        } else if std::env::var_os("NOTIFY_SOCKET").is_some() {
            log::debug!("Systemd supervision detected.");
            mode = SYSTEMD;
        }
    }
    let ok = match mode {
        UPSTART => {
            if std::env::var_os("UPSTART_JOB").is_none() {
                log::warn!("upstart supervision requested, but UPSTART_JOB not found!");
                false
            } else {
                log::info!("supervised by upstart, will stop to signal readiness.");
                // SAFETY: raise() only sends a signal to this process.
                unsafe {
                    libc::raise(libc::SIGSTOP);
                }
                // Start-up is single-threaded here: no one reads the
                // environment concurrently.
                std::env::remove_var("UPSTART_JOB");
                true
            }
        }
        SYSTEMD => {
            if notify("STATUS=Redis is loading...\n") <= 0 {
                false
            } else {
                log::info!(
                    "Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit."
                );
                true
            }
        }
        _ => false,
    };
    if ok {
        mode
    } else {
        NONE
    }
}

/// INFO's `process_supervised`.
pub fn info_name(mode: i32) -> &'static str {
    match mode {
        UPSTART => "upstart",
        SYSTEMD => "systemd",
        NONE => "no",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Path and abstract sockets both receive the message; a relative path
    /// is refused as sd_notify refuses it. (One test: it sets the
    /// process-wide NOTIFY_SOCKET.)
    #[test]
    fn notify_reaches_path_and_abstract_sockets() {
        let dir = std::env::temp_dir().join(format!("oxidis-notify-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("notify.sock");
        let _ = std::fs::remove_file(&path);
        let rx = UnixDatagram::bind(&path).expect("bind");
        std::env::set_var("NOTIFY_SOCKET", &path);
        assert_eq!(notify("READY=1\n"), 1);
        let mut buf = [0u8; 64];
        let n = rx.recv(&mut buf).expect("recv");
        assert_eq!(&buf[..n], b"READY=1\n");

        use std::os::linux::net::SocketAddrExt;
        let name = format!("oxidis-notify-{}", std::process::id());
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).expect("abstract");
        let rx2 = UnixDatagram::bind_addr(&addr).expect("bind abstract");
        std::env::set_var("NOTIFY_SOCKET", format!("@{name}"));
        assert_eq!(notify("STOPPING=1\n"), 1);
        let n = rx2.recv(&mut buf).expect("recv abstract");
        assert_eq!(&buf[..n], b"STOPPING=1\n");

        std::env::set_var("NOTIFY_SOCKET", "relative.sock");
        assert_eq!(notify("READY=1\n"), -libc::EINVAL);
        std::env::set_var("NOTIFY_SOCKET", dir.join("missing.sock"));
        assert!(notify("READY=1\n") < 0);
        std::env::remove_var("NOTIFY_SOCKET");
        assert_eq!(notify("READY=1\n"), 0);
        assert_eq!(start(AUTO), NONE);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
