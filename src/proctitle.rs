//! The process title shown by `ps` and in `/proc/<pid>/cmdline`
//! (`redisSetProcTitle`, `set-proc-title`, `proc-title-template`).
//!
//! Linux has no call for it: like setproctitle(3) we overwrite the memory
//! that holds the program's arguments. The environment strings usually
//! follow them, so they are copied elsewhere first and the whole span
//! becomes ours. The argument pointers are captured before `main` through
//! `.init_array`, which glibc calls with (argc, argv, envp).

use crate::config::Config;
use std::ffi::{c_char, c_int, CStr};
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

static ARGC: AtomicUsize = AtomicUsize::new(0);
static ARGV: AtomicPtr<*mut c_char> = AtomicPtr::new(std::ptr::null_mut());
/// The writable span [start, start + len) once `init` ran.
static AREA_START: AtomicPtr<c_char> = AtomicPtr::new(std::ptr::null_mut());
static AREA_LEN: AtomicUsize = AtomicUsize::new(0);
/// argv[0] as invoked, saved before the area is overwritten.
static ARGV0: std::sync::OnceLock<String> = std::sync::OnceLock::new();

extern "C" fn capture(argc: c_int, argv: *mut *mut c_char, _envp: *mut *mut c_char) {
    ARGC.store(argc.max(0) as usize, Ordering::Relaxed);
    ARGV.store(argv, Ordering::Relaxed);
}

#[used]
#[link_section = ".init_array"]
static CAPTURE_ARGS: extern "C" fn(c_int, *mut *mut c_char, *mut *mut c_char) = capture;

extern "C" {
    static mut environ: *mut *mut c_char;
}

/// Claims the argument area, moving the environment out of it. Call once,
/// early in `main`, before other threads exist and after the arguments
/// were read (their text is overwritten by the first `set`).
pub fn init() {
    let argc = ARGC.load(Ordering::Relaxed);
    let argv = ARGV.load(Ordering::Relaxed);
    if argv.is_null() || argc == 0 || !AREA_START.load(Ordering::Relaxed).is_null() {
        return;
    }
    // SAFETY: glibc passed a valid argv of `argc` NUL-terminated strings
    // and a NULL-terminated environ; we are single-threaded at start-up,
    // so nobody reads or changes environ while it is replaced. The copies
    // are leaked on purpose: environ must stay valid for the process life.
    unsafe {
        let start = *argv;
        if start.is_null() {
            return;
        }
        let _ = ARGV0.set(CStr::from_ptr(start).to_string_lossy().into_owned());
        let mut end = start.add(CStr::from_ptr(start).to_bytes().len() + 1);
        for i in 1..argc {
            let a = *argv.add(i);
            if a.is_null() || a != end {
                break;
            }
            end = a.add(CStr::from_ptr(a).to_bytes().len() + 1);
        }
        let env = environ;
        if !env.is_null() {
            let mut n = 0;
            while !(*env.add(n)).is_null() {
                n += 1;
            }
            let copy = libc::malloc((n + 1) * std::mem::size_of::<*mut c_char>()) as *mut *mut c_char;
            if copy.is_null() {
                return;
            }
            for i in 0..n {
                let s = *env.add(i);
                if s == end {
                    end = s.add(CStr::from_ptr(s).to_bytes().len() + 1);
                }
                let dup = libc::strdup(s);
                *copy.add(i) = if dup.is_null() { s } else { dup };
            }
            *copy.add(n) = std::ptr::null_mut();
            environ = copy;
        }
        AREA_START.store(start, Ordering::Relaxed);
        AREA_LEN.store(end.offset_from(start) as usize, Ordering::Relaxed);
    }
}

/// Shows `title` as the whole command line (truncated to the area).
pub fn set_raw(title: &str) {
    let start = AREA_START.load(Ordering::Relaxed);
    let len = AREA_LEN.load(Ordering::Relaxed);
    if start.is_null() || len < 2 {
        return;
    }
    let n = title.len().min(len - 1);
    // SAFETY: [start, start + len) is the argument/environment span that
    // `init` claimed; nothing else in the process refers to it any more.
    unsafe {
        std::ptr::copy_nonoverlapping(title.as_ptr(), start.cast::<u8>(), n);
        std::ptr::write_bytes(start.add(n), 0, len - n);
    }
}

/// The values template variables expand to.
pub struct Vars<'a> {
    pub cfg: &'a Config,
    pub config_file: Option<&'a str>,
}

impl Vars<'_> {
    fn get(&self, name: &str, title: &str) -> Option<String> {
        let cfg = self.cfg;
        Some(match name {
            "title" => title.to_string(),
            "listen-addr" => {
                if cfg.port != 0 || cfg.tls_port != 0 {
                    let addr = cfg.special.bind.first().map(String::as_str).unwrap_or("*");
                    let port = if cfg.port != 0 { cfg.port } else { cfg.tls_port };
                    format!("{addr}:{port}")
                } else {
                    format!("unixsocket:{}", cfg.unixsocket)
                }
            }
            "server-mode" => {
                if cfg.cluster_enabled {
                    "[cluster]".to_string()
                } else {
                    String::new()
                }
            }
            "config-file" => self.config_file.unwrap_or("-").to_string(),
            "port" => cfg.port.to_string(),
            "tls-port" => cfg.tls_port.to_string(),
            "unixsocket" => cfg.unixsocket.clone(),
            _ => return None,
        })
    }
}

/// Expands `{var}` references (`{{` is a literal `{`), trimming spaces at
/// both ends (`sdstemplate` + `sdstrim`). None for an unknown variable or
/// an unterminated reference.
pub fn expand(template: &str, title: &str, vars: &Vars) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if after.is_empty() {
            return None;
        }
        if let Some(r) = after.strip_prefix('{') {
            out.push('{');
            rest = r;
            continue;
        }
        let close = after.find('}')?;
        out.push_str(&vars.get(&after[..close], title)?);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out.trim_matches(' ').to_string())
}

/// `isValidProcTitleTemplate`: expands and is not empty.
pub fn validate_template(cfg: &Config, template: &str) -> Result<(), String> {
    let vars = Vars { cfg, config_file: None };
    match expand(template, "", &vars) {
        Some(s) if !s.is_empty() => Ok(()),
        _ => Err("template format is invalid or contains unknown variables".into()),
    }
}

/// Sets the title from the template; `title` None means the executable
/// as invoked (argv[0]).
pub fn set(cfg: &Config, config_file: Option<&str>, title: Option<&str>) -> Result<(), String> {
    if !cfg.set_proc_title {
        return Ok(());
    }
    let vars = Vars { cfg, config_file };
    let argv0 = ARGV0.get().map(String::as_str).unwrap_or("redis-server");
    let text = expand(&cfg.proc_title_template, title.unwrap_or(argv0), &vars).ok_or("failed to set process title")?;
    set_raw(&text);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_expansion() {
        let cfg = crate::config::Config::defaults();
        let vars = Vars {
            cfg: &cfg,
            config_file: Some("/etc/redis.conf"),
        };
        assert_eq!(
            expand("{title} {listen-addr} {server-mode}", "redis-server", &vars).as_deref(),
            Some("redis-server *:6379")
        );
        assert_eq!(expand("a {{x} {port}", "", &vars).as_deref(), Some("a {x} 6379"));
        assert_eq!(expand("{config-file}", "", &vars).as_deref(), Some("/etc/redis.conf"));
        assert_eq!(expand("{invalid-var}", "", &vars), None);
        assert_eq!(expand("{title", "", &vars), None);
        assert_eq!(expand("x {", "", &vars), None);
        assert!(validate_template(&cfg, "{title}").is_err());
        assert!(validate_template(&cfg, "TEST {title}").is_ok());
    }
}
