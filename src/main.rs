//! oxidis-server: argv and config file -> Server -> event loop (the `main`
//! of server.c). Invoked exactly like redis-server:
//! `oxidis-server [/path/redis.conf] [--name value ...] [-]`.

use oxidis::config::file::{load_from_string, options_from_args, read_config_files, Extra};
use oxidis::config::Config;
use oxidis::server::Server;
use std::io::Read;

#[global_allocator]
static GLOBAL: oxidis::alloc::CountingJemalloc = oxidis::alloc::CountingJemalloc;

fn usage() -> ! {
    eprintln!("Usage: ./oxidis-server [/path/to/redis.conf] [options] [-]");
    eprintln!("       ./oxidis-server - (read config from stdin)");
    eprintln!("       ./oxidis-server -v or --version");
    eprintln!("       ./oxidis-server -h or --help");
    eprintln!();
    eprintln!("Examples:");
    eprintln!("       ./oxidis-server (run the server with default conf)");
    eprintln!("       echo 'maxmemory 128mb' | ./oxidis-server -");
    eprintln!("       ./oxidis-server /etc/redis/6379.conf");
    eprintln!("       ./oxidis-server --port 7777");
    eprintln!("       ./oxidis-server --port 7777 --replicaof 127.0.0.1 8888");
    eprintln!("       ./oxidis-server /etc/myredis.conf --loglevel verbose -");
    eprintln!("       ./oxidis-server /etc/myredis.conf --loglevel verbose");
    std::process::exit(1);
}

fn absolute(path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    match std::env::current_dir() {
        Ok(d) => d.join(path).to_string_lossy().into_owned(),
        Err(_) => path.to_string(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // The argument text is about to become the process title's space.
    oxidis::proctitle::init();
    if let Some(a) = args.get(1) {
        match a.as_str() {
            "-v" | "--version" => {
                println!(
                    "Redis server v={} sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=0 oxidis={}",
                    oxidis::REDIS_VERSION,
                    oxidis::OXIDIS_VERSION
                );
                return;
            }
            "--help" | "-h" => usage(),
            _ => {}
        }
    }
    oxidis::util::log::init();
    // From here a panic anywhere writes Redis's bug report to the log and
    // ends the process (fork children included).
    oxidis::debug::crash::install_panic_hook();
    // SORT ... ALPHA collates with strcoll in the environment's locale, as
    // redis-server does.
    // SAFETY: called before any other thread exists; the argument is a
    // NUL-terminated literal.
    unsafe {
        libc::setlocale(libc::LC_COLLATE, c"".as_ptr());
    }
    let mut cfg = Config::defaults();
    let mut extra = Extra::default();
    let mut j = 1;
    let mut config_file = None;
    if let Some(first) = args.get(1) {
        if !first.starts_with('-') {
            config_file = Some(absolute(first));
            j = 2;
        }
    }
    let (options, from_stdin) = options_from_args(&args[j.min(args.len())..]);
    let mut text = String::new();
    if let Some(path) = &config_file {
        match read_config_files(path) {
            Ok(t) => text.push_str(&t),
            Err(e) => {
                log::warn!("{e}");
                std::process::exit(1);
            }
        }
    }
    if from_stdin {
        log::warn!("Reading config from stdin");
        let mut s = String::new();
        let _ = std::io::stdin().read_to_string(&mut s);
        text.push('\n');
        text.push_str(&s);
    }
    if !options.is_empty() {
        text.push('\n');
        text.push_str(&options);
    }
    if let Err(e) = load_from_string(&mut cfg, &text, &mut extra) {
        eprint!("{}", e.report());
        std::process::exit(1);
    }
    // Cluster mode is being built: a node starts and describes itself but
    // cannot join a cluster yet (no gossip, no redirects), so it stays
    // refused unless a developer asks for the preview.
    if cfg.cluster_enabled && std::env::var_os("OXIDIS_CLUSTER_PREVIEW").is_none() {
        eprint!(
            "\n*** FATAL CONFIG FILE ERROR (Redis {}) ***\n'cluster-enabled yes': Oxidis does not support cluster mode yet; run it standalone.\n",
            oxidis::REDIS_VERSION
        );
        std::process::exit(1);
    }
    let mut registry = oxidis::commands::Registry::build();
    for r in &extra.renames {
        if let Err(e) = registry.rename(&r.from, &r.to) {
            eprint!("\n*** FATAL CONFIG FILE ERROR (Redis {}) ***\n{}\n", oxidis::REDIS_VERSION, e);
            std::process::exit(1);
        }
    }
    let registry: &'static oxidis::commands::Registry = Box::leak(Box::new(registry));
    let config_users = check_config_users(&cfg, registry, &extra.users);
    oxidis::util::log::set_file(&cfg.logfile);
    oxidis::util::log::set_level(
        oxidis::config::enums::LOGLEVEL_ENUM
            .iter()
            .find(|(_, v)| *v == cfg.loglevel)
            .map(|(n, _)| *n)
            .unwrap_or("notice"),
    );
    oxidis::util::log::set_syslog(cfg.syslog_enabled);
    oxidis::debug::crash::configure(cfg.use_exit_on_panic, cfg.crash_log_enabled);
    oxidis::debug::sig::setup_crash_handlers(cfg.crash_log_enabled);
    // A supervised server stays in the foreground (`redisIsSupervised`).
    let supervised = oxidis::server::supervise::start(cfg.supervised);
    let background = cfg.daemonize && supervised == oxidis::server::supervise::NONE;
    if background {
        oxidis::server::run::daemonize();
    }
    log::warn!("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
    log::warn!(
        "Redis version={}, bits=64, commit=00000000, modified=0, pid={}, just started (oxidis {})",
        oxidis::REDIS_VERSION,
        std::process::id(),
        oxidis::OXIDIS_VERSION
    );
    if config_file.is_none() {
        log::warn!(
            "Warning: no config file specified, using the default config. In order to specify a config file use {} /path/to/redis.conf",
            args.first().map(String::as_str).unwrap_or("oxidis-server")
        );
    } else {
        log::warn!("Configuration loaded");
    }
    let exe = std::env::current_exe()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut srv = Server::new(cfg, registry, config_file, exe);
    srv.supervised_mode = supervised;
    let _ = oxidis::client::evict::apply_maxmemory_clients(&mut srv);
    let _ = oxidis::debug::sig::apply_crash_config(&mut srv);
    if srv.cfg.watchdog_period != 0 {
        let _ = oxidis::debug::sig::apply_watchdog_period(&mut srv);
    }
    if srv.listen().is_err() {
        std::process::exit(1);
    }
    if srv.cfg.cluster_enabled && srv.cluster_init().is_err() {
        std::process::exit(1);
    }
    if background || !srv.cfg.pidfile.is_empty() {
        srv.create_pid_file();
    }
    oxidis::server::info::banner(&srv);
    let _ = oxidis::proctitle::set(&srv.cfg, srv.config_file.as_deref(), None);
    log::warn!("Server initialized");
    let _ = srv.set_oom_score_adj(None);
    if let Err(e) = srv.init_event_loop() {
        log::warn!("Failed creating the event loop. Error message: '{e}'");
        std::process::exit(1);
    }
    if srv.acl_load_users_at_startup(&config_users).is_err() {
        std::process::exit(1);
    }
    srv.load_data_from_disk();
    log::info!("Ready to accept connections");
    if srv.supervised_mode == oxidis::server::supervise::SYSTEMD {
        use oxidis::server::supervise::notify;
        if !srv.is_replica() {
            notify("STATUS=Ready to accept connections\n");
        } else {
            notify("STATUS=Ready to accept connections in read-only mode. Waiting for MASTER <-> REPLICA sync\n");
        }
        notify("READY=1\n");
    }
    if let Err(e) = srv.run() {
        log::warn!("Event loop failed: {e}");
        std::process::exit(1);
    }
}

/// Checks the `user` lines of the configuration now that the command table
/// exists (Redis checks them as it reads them); a bad one is a fatal
/// configuration error.
fn check_config_users(
    cfg: &Config,
    registry: &'static oxidis::commands::Registry,
    lines: &[oxidis::config::file::UserLine],
) -> Vec<oxidis::acl::file::ConfigUser> {
    use oxidis::acl::file::{check_config_user, config_user_error, ConfigUser};
    let table = oxidis::acl::table::CmdTable::new(registry);
    let env = oxidis::acl::user::RuleEnv {
        t: &table,
        all_channels: cfg.acl_pubsub_default != 0,
    };
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut users = Vec::new();
    for l in lines {
        match check_config_user(env, &l.argv, &seen) {
            Ok(rules) => {
                seen.push(l.argv[1].clone());
                users.push(ConfigUser {
                    name: l.argv[1].clone(),
                    rules,
                });
            }
            Err((idx, e)) => {
                let err = oxidis::config::file::LoadError {
                    line_no: l.line_no,
                    line: l.line.clone(),
                    msg: config_user_error(&l.argv, idx, e),
                };
                eprint!("{}", err.report());
                std::process::exit(1);
            }
        }
    }
    users
}
