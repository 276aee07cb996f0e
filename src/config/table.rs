//! Every Redis 7.0 configuration parameter with a scalar value, one line
//! each: name, alias, flags, default and bounds. See `define_configs!` in
//! mod.rs for the grammar, and `special.rs` for parameters with custom
//! syntax. A trailing "redis has" comment names Redis's apply/validate hook
//! for parameters whose side effect is not implemented yet.

#![cfg_attr(rustfmt, rustfmt::skip)]

use super::define_configs;
use super::enums;
use super::flags::*;
use super::intfmt::*;
use super::{ALLOW_EMPTY, EMPTY_NULL};
#[allow(unused_imports)]
use super::apply;

define_configs! {
    bool   rdbchecksum = "rdbchecksum", IMMUTABLE, true;
    bool   daemonize = "daemonize", IMMUTABLE, false;
    bool   io_threads_do_reads = "io-threads-do-reads", DEBUG | IMMUTABLE, false;
    bool   always_show_logo = "always-show-logo", IMMUTABLE, false;
    bool   protected_mode = "protected-mode", MODIFIABLE, true;
    bool   rdbcompression = "rdbcompression", MODIFIABLE, true;
    bool   rdb_del_sync_files = "rdb-del-sync-files", MODIFIABLE, false;
    bool   activerehashing = "activerehashing", MODIFIABLE, true;
    bool   stop_writes_on_bgsave_error = "stop-writes-on-bgsave-error", MODIFIABLE, true;
    bool   set_proc_title = "set-proc-title", IMMUTABLE, true;
    bool   dynamic_hz = "dynamic-hz", MODIFIABLE, true;
    bool   lazyfree_lazy_eviction = "lazyfree-lazy-eviction", DEBUG, false;
    bool   lazyfree_lazy_expire = "lazyfree-lazy-expire", DEBUG, false;
    bool   lazyfree_lazy_server_del = "lazyfree-lazy-server-del", DEBUG, false;
    bool   lazyfree_lazy_user_del = "lazyfree-lazy-user-del", DEBUG, false;
    bool   lazyfree_lazy_user_flush = "lazyfree-lazy-user-flush", DEBUG, false;
    bool   repl_disable_tcp_nodelay = "repl-disable-tcp-nodelay", MODIFIABLE, false;
    bool   repl_diskless_sync = "repl-diskless-sync", DEBUG, true;
    bool   aof_rewrite_incremental_fsync = "aof-rewrite-incremental-fsync", MODIFIABLE, true;
    bool   no_appendfsync_on_rewrite = "no-appendfsync-on-rewrite", MODIFIABLE, false;
    bool   cluster_require_full_coverage = "cluster-require-full-coverage", MODIFIABLE, true;
    bool   rdb_save_incremental_fsync = "rdb-save-incremental-fsync", MODIFIABLE, true;
    bool   aof_load_truncated = "aof-load-truncated", MODIFIABLE, true;
    bool   aof_use_rdb_preamble = "aof-use-rdb-preamble", MODIFIABLE, true;
    bool   aof_timestamp_enabled = "aof-timestamp-enabled", MODIFIABLE, false;
    bool   cluster_replica_no_failover = "cluster-replica-no-failover" | "cluster-slave-no-failover", MODIFIABLE, false;  // redis has: apply:updateClusterFlags
    bool   replica_lazy_flush = "replica-lazy-flush" | "slave-lazy-flush", MODIFIABLE, false;
    bool   replica_serve_stale_data = "replica-serve-stale-data" | "slave-serve-stale-data", MODIFIABLE, true;
    bool   replica_read_only = "replica-read-only" | "slave-read-only", DEBUG, true;
    bool   replica_ignore_maxmemory = "replica-ignore-maxmemory" | "slave-ignore-maxmemory", MODIFIABLE, true;
    bool   jemalloc_bg_thread = "jemalloc-bg-thread", MODIFIABLE, true;  // redis has: apply:updateJemallocBgThread
    bool   activedefrag = "activedefrag", DEBUG, false => valid(crate::config::apply::active_defrag);
    bool   syslog_enabled = "syslog-enabled", IMMUTABLE, false;
    bool   cluster_enabled = "cluster-enabled", IMMUTABLE, false;
    bool   appendonly = "appendonly", DENY_LOADING, false => apply(crate::persist::aof::apply_appendonly);
    bool   cluster_allow_reads_when_down = "cluster-allow-reads-when-down", MODIFIABLE, false;
    bool   cluster_allow_pubsubshard_when_down = "cluster-allow-pubsubshard-when-down", MODIFIABLE, true;
    bool   crash_log_enabled = "crash-log-enabled", MODIFIABLE, true => apply(crate::debug::sig::apply_crash_config);
    bool   crash_memcheck_enabled = "crash-memcheck-enabled", MODIFIABLE, true => apply(crate::debug::sig::apply_crash_config);
    bool   use_exit_on_panic = "use-exit-on-panic", HIDDEN, false => apply(crate::debug::sig::apply_crash_config);
    bool   disable_thp = "disable-thp", IMMUTABLE, true;
    bool   cluster_allow_replica_migration = "cluster-allow-replica-migration", MODIFIABLE, true;
    bool   replica_announced = "replica-announced", MODIFIABLE, true;
    bool   latency_tracking = "latency-tracking", MODIFIABLE, true;
    bool   aof_disable_auto_gc = "aof-disable-auto-gc", MODIFIABLE, false => apply(crate::persist::aof::apply_auto_gc);
    bool   replica_ignore_disk_write_errors = "replica-ignore-disk-write-errors", MODIFIABLE, false;
    bool   lua_enable_deprecated_api = "lua-enable-deprecated-api", IMMUTABLE | HIDDEN, false;
    string aclfile = "aclfile", IMMUTABLE, "", ALLOW_EMPTY;
    string unixsocket = "unixsocket", IMMUTABLE, "", EMPTY_NULL;
    string pidfile = "pidfile", IMMUTABLE, "", EMPTY_NULL;
    string replica_announce_ip = "replica-announce-ip" | "slave-announce-ip", MODIFIABLE, "", EMPTY_NULL;
    string masteruser = "masteruser", SENSITIVE, "", EMPTY_NULL;
    string cluster_announce_ip = "cluster-announce-ip", MODIFIABLE, "", EMPTY_NULL;  // redis has: apply:updateClusterIp
    string cluster_config_file = "cluster-config-file", IMMUTABLE, "nodes.conf", ALLOW_EMPTY;
    string cluster_announce_hostname = "cluster-announce-hostname", MODIFIABLE, "", EMPTY_NULL;  // redis has: valid:isValidAnnouncedHostname, apply:updateClusterHostname
    string syslog_ident = "syslog-ident", IMMUTABLE, "redis", ALLOW_EMPTY;
    string dbfilename = "dbfilename", PROTECTED, "dump.rdb", ALLOW_EMPTY;  // redis has: valid:isValidDBfilename
    string appendfilename = "appendfilename", IMMUTABLE, "appendonly.aof", ALLOW_EMPTY;  // redis has: valid:isValidAOFfilename
    string appenddirname = "appenddirname", IMMUTABLE, "appendonlydir", ALLOW_EMPTY;  // redis has: valid:isValidAOFdirname
    string server_cpulist = "server_cpulist", IMMUTABLE, "", EMPTY_NULL;
    string bio_cpulist = "bio_cpulist", IMMUTABLE, "", EMPTY_NULL;
    string aof_rewrite_cpulist = "aof_rewrite_cpulist", IMMUTABLE, "", EMPTY_NULL;
    string bgsave_cpulist = "bgsave_cpulist", IMMUTABLE, "", EMPTY_NULL;
    string ignore_warnings = "ignore-warnings", MODIFIABLE, "", ALLOW_EMPTY;
    string proc_title_template = "proc-title-template", MODIFIABLE, "{title} {listen-addr} {server-mode}", ALLOW_EMPTY => apply(apply::proc_title) => valid(crate::proctitle::validate_template);
    string bind_source_addr = "bind-source-addr", MODIFIABLE, "", EMPTY_NULL;
    string logfile = "logfile", IMMUTABLE, "", ALLOW_EMPTY;
    string masterauth = "masterauth", SENSITIVE, "", EMPTY_NULL;
    string requirepass = "requirepass", SENSITIVE, "", EMPTY_NULL => apply(apply::requirepass);
    enum   supervised = "supervised", IMMUTABLE, enums::SUPERVISED_MODE_ENUM, "no";
    enum   syslog_facility = "syslog-facility", IMMUTABLE, enums::SYSLOG_FACILITY_ENUM, "local0";
    enum   repl_diskless_load = "repl-diskless-load", DEBUG | DENY_LOADING, enums::REPL_DISKLESS_LOAD_ENUM, "disabled";
    enum   loglevel = "loglevel", MODIFIABLE, enums::LOGLEVEL_ENUM, "notice" => apply(apply::loglevel);
    enum   maxmemory_policy = "maxmemory-policy", MODIFIABLE, enums::MAXMEMORY_POLICY_ENUM, "noeviction";
    enum   appendfsync = "appendfsync", MODIFIABLE, enums::AOF_FSYNC_ENUM, "everysec";
    enum   oom_score_adj = "oom-score-adj", MODIFIABLE, enums::OOM_SCORE_ADJ_ENUM, "no" => apply(apply::oom_score_adj);
    enum   acl_pubsub_default = "acl-pubsub-default", MODIFIABLE, enums::ACL_PUBSUB_DEFAULT_ENUM, "resetchannels";
    enum   sanitize_dump_payload = "sanitize-dump-payload", DEBUG, enums::SANITIZE_DUMP_PAYLOAD_ENUM, "no";
    enum   enable_protected_configs = "enable-protected-configs", IMMUTABLE, enums::PROTECTED_ACTION_ENUM, "no";
    enum   enable_debug_command = "enable-debug-command", IMMUTABLE, enums::PROTECTED_ACTION_ENUM, "no";
    enum   enable_module_command = "enable-module-command", IMMUTABLE, enums::PROTECTED_ACTION_ENUM, "no";
    enum   cluster_preferred_endpoint_type = "cluster-preferred-endpoint-type", MODIFIABLE, enums::CLUSTER_PREFERRED_ENDPOINT_TYPE_ENUM, "ip";
    enum   propagation_error_behavior = "propagation-error-behavior", MODIFIABLE, enums::PROPAGATION_ERROR_BEHAVIOR_ENUM, "ignore";
    enum   shutdown_on_sigint = "shutdown-on-sigint", MULTI_ARG, enums::SHUTDOWN_ON_SIG_ENUM, "default";  // redis has: valid:isValidShutdownOnSigFlags
    enum   shutdown_on_sigterm = "shutdown-on-sigterm", MULTI_ARG, enums::SHUTDOWN_ON_SIG_ENUM, "default";  // redis has: valid:isValidShutdownOnSigFlags
    int    databases = "databases", IMMUTABLE, 16, 1, 2147483647, INT;
    int    port = "port", MODIFIABLE, 6379, 0, 65535, INT => apply(apply::port);
    int    io_threads = "io-threads", DEBUG | IMMUTABLE, 1, 1, 128, INT;
    int    auto_aof_rewrite_percentage = "auto-aof-rewrite-percentage", MODIFIABLE, 100, 0, 2147483647, INT;
    int    cluster_replica_validity_factor = "cluster-replica-validity-factor" | "cluster-slave-validity-factor", MODIFIABLE, 10, 0, 2147483647, INT;
    int    list_max_listpack_size = "list-max-listpack-size" | "list-max-ziplist-size", MODIFIABLE, -2, -2147483648, 2147483647, INT;
    int    tcp_keepalive = "tcp-keepalive", MODIFIABLE, 300, 0, 2147483647, INT;
    int    cluster_migration_barrier = "cluster-migration-barrier", MODIFIABLE, 1, 0, 2147483647, INT;
    int    active_defrag_cycle_min = "active-defrag-cycle-min", MODIFIABLE, 1, 1, 99, INT;
    int    active_defrag_cycle_max = "active-defrag-cycle-max", MODIFIABLE, 25, 1, 99, INT;
    int    active_defrag_threshold_lower = "active-defrag-threshold-lower", MODIFIABLE, 10, 0, 1000, INT;
    int    active_defrag_threshold_upper = "active-defrag-threshold-upper", MODIFIABLE, 100, 0, 1000, INT;
    int    lfu_log_factor = "lfu-log-factor", MODIFIABLE, 10, 0, 2147483647, INT;
    int    lfu_decay_time = "lfu-decay-time", MODIFIABLE, 1, 0, 2147483647, INT;
    int    replica_priority = "replica-priority" | "slave-priority", MODIFIABLE, 100, 0, 2147483647, INT;
    int    repl_diskless_sync_delay = "repl-diskless-sync-delay", MODIFIABLE, 5, 0, 2147483647, INT;
    int    maxmemory_samples = "maxmemory-samples", MODIFIABLE, 5, 1, 2147483647, INT;
    int    maxmemory_eviction_tenacity = "maxmemory-eviction-tenacity", MODIFIABLE, 10, 0, 100, INT;
    int    timeout = "timeout", MODIFIABLE, 0, 0, 2147483647, INT;
    int    replica_announce_port = "replica-announce-port" | "slave-announce-port", MODIFIABLE, 0, 0, 65535, INT;
    int    tcp_backlog = "tcp-backlog", IMMUTABLE, 511, 0, 2147483647, INT;
    int    cluster_port = "cluster-port", IMMUTABLE, 0, 0, 65535, INT;
    int    cluster_announce_bus_port = "cluster-announce-bus-port", MODIFIABLE, 0, 0, 65535, INT;  // redis has: apply:updateClusterAnnouncedPort
    int    cluster_announce_port = "cluster-announce-port", MODIFIABLE, 0, 0, 65535, INT;  // redis has: apply:updateClusterAnnouncedPort
    int    cluster_announce_tls_port = "cluster-announce-tls-port", MODIFIABLE, 0, 0, 65535, INT;  // redis has: apply:updateClusterAnnouncedPort
    int    repl_timeout = "repl-timeout", MODIFIABLE, 60, 1, 2147483647, INT;
    int    repl_ping_replica_period = "repl-ping-replica-period" | "repl-ping-slave-period", MODIFIABLE, 10, 1, 2147483647, INT;
    int    list_compress_depth = "list-compress-depth", DEBUG, 0, 0, 2147483647, INT;
    int    rdb_key_save_delay = "rdb-key-save-delay", HIDDEN, 0, -2147483648, 2147483647, INT;
    int    key_load_delay = "key-load-delay", HIDDEN, 0, -2147483648, 2147483647, INT;
    int    active_expire_effort = "active-expire-effort", MODIFIABLE, 1, 1, 10, INT;
    int    busy_poll_us = "busy-poll-us", MODIFIABLE, 0, 0, 100000, INT;  // oxidis only, opt-in: see server/busypoll.rs
    int    hz = "hz", MODIFIABLE, 10, 0, 2147483647, INT => apply(apply::hz);  // redis has: apply:updateHZ
    int    min_replicas_to_write = "min-replicas-to-write" | "min-slaves-to-write", MODIFIABLE, 0, 0, 2147483647, INT;  // redis has: apply:updateGoodSlaves
    int    min_replicas_max_lag = "min-replicas-max-lag" | "min-slaves-max-lag", MODIFIABLE, 10, 0, 2147483647, INT;  // redis has: apply:updateGoodSlaves
    int    watchdog_period = "watchdog-period", HIDDEN, 0, 0, 2147483647, INT => apply(crate::debug::sig::apply_watchdog_period);
    int    shutdown_timeout = "shutdown-timeout", MODIFIABLE, 10, 0, 2147483647, INT;
    int    repl_diskless_sync_max_replicas = "repl-diskless-sync-max-replicas", MODIFIABLE, 0, 0, 2147483647, INT;
    int    maxclients = "maxclients", MODIFIABLE, 10000, 1, 4294967295, INT => apply(apply::maxclients);  // redis has: apply:updateMaxclients
    int    unixsocketperm = "unixsocketperm", IMMUTABLE, 0, 0, 511, OCTAL;
    int    socket_mark_id = "socket-mark-id", IMMUTABLE, 0, 0, 4294967295, INT;
    int    active_defrag_max_scan_fields = "active-defrag-max-scan-fields", MODIFIABLE, 1000, 1, i64::MAX, INT;
    int    slowlog_max_len = "slowlog-max-len", MODIFIABLE, 128, 0, i64::MAX, INT;
    int    acllog_max_len = "acllog-max-len", MODIFIABLE, 128, 0, i64::MAX, INT;
    int    busy_reply_threshold = "busy-reply-threshold" | "lua-time-limit", MODIFIABLE, 5000, 0, i64::MAX, INT;
    int    cluster_node_timeout = "cluster-node-timeout", MODIFIABLE, 15000, 0, i64::MAX, INT;
    int    slowlog_log_slower_than = "slowlog-log-slower-than", MODIFIABLE, 10000, -1, i64::MAX, INT;
    int    latency_monitor_threshold = "latency-monitor-threshold", MODIFIABLE, 0, 0, i64::MAX, INT;
    int    proto_max_bulk_len = "proto-max-bulk-len", DEBUG, 536870912, 1048576, i64::MAX, MEMORY;
    int    stream_node_max_entries = "stream-node-max-entries", MODIFIABLE, 100, 0, i64::MAX, INT;
    int    repl_backlog_size = "repl-backlog-size", MODIFIABLE, 1048576, 1, i64::MAX, MEMORY => apply(crate::repl::apply_backlog_size);
    int    maxmemory = "maxmemory", MODIFIABLE, 0, 0, i64::MAX, MEMORY | UNSIGNED => apply(apply::maxmemory);
    int    cluster_link_sendbuf_limit = "cluster-link-sendbuf-limit", MODIFIABLE, 0, 0, i64::MAX, MEMORY | UNSIGNED;
    int    hash_max_listpack_entries = "hash-max-listpack-entries" | "hash-max-ziplist-entries", MODIFIABLE, 512, 0, i64::MAX, INT;
    int    set_max_intset_entries = "set-max-intset-entries", MODIFIABLE, 512, 0, i64::MAX, INT;
    int    zset_max_listpack_entries = "zset-max-listpack-entries" | "zset-max-ziplist-entries", MODIFIABLE, 128, 0, i64::MAX, INT;
    int    active_defrag_ignore_bytes = "active-defrag-ignore-bytes", MODIFIABLE, 104857600, 1, i64::MAX, MEMORY;
    int    hash_max_listpack_value = "hash-max-listpack-value" | "hash-max-ziplist-value", MODIFIABLE, 64, 0, i64::MAX, MEMORY;
    int    stream_node_max_bytes = "stream-node-max-bytes", MODIFIABLE, 4096, 0, i64::MAX, MEMORY;
    int    zset_max_listpack_value = "zset-max-listpack-value" | "zset-max-ziplist-value", MODIFIABLE, 64, 0, i64::MAX, MEMORY;
    int    hll_sparse_max_bytes = "hll-sparse-max-bytes", MODIFIABLE, 3000, 0, i64::MAX, MEMORY;
    int    tracking_table_max_keys = "tracking-table-max-keys", MODIFIABLE, 1000000, 0, i64::MAX, INT;
    int    client_query_buffer_limit = "client-query-buffer-limit", DEBUG, 1073741824, 1048576, i64::MAX, MEMORY;
    int    maxmemory_clients = "maxmemory-clients", MODIFIABLE, 0, -100, i64::MAX, MEMORY | PERCENT => apply(crate::client::evict::apply_maxmemory_clients);
    int    repl_backlog_ttl = "repl-backlog-ttl", MODIFIABLE, 3600, 0, i64::MAX, INT;
    int    auto_aof_rewrite_min_size = "auto-aof-rewrite-min-size", MODIFIABLE, 67108864, 0, i64::MAX, MEMORY;
    int    loading_process_events_interval_bytes = "loading-process-events-interval-bytes", HIDDEN, 2097152, 1024, 2147483647, INT;
    int    tls_port = "tls-port", MODIFIABLE, 0, 0, 65535, INT => apply(crate::server::tls::apply_tls_port);
    int    tls_session_cache_size = "tls-session-cache-size", MODIFIABLE, 20480, 0, 2147483647, INT => apply(crate::server::tls::apply_tls_cfg);
    int    tls_session_cache_timeout = "tls-session-cache-timeout", MODIFIABLE, 300, 0, 2147483647, INT => apply(crate::server::tls::apply_tls_cfg);
    bool   tls_cluster = "tls-cluster", MODIFIABLE, false => apply(crate::server::tls::apply_tls_cfg);
    bool   tls_replication = "tls-replication", MODIFIABLE, false => apply(crate::server::tls::apply_tls_cfg);
    enum   tls_auth_clients = "tls-auth-clients", MODIFIABLE, enums::TLS_AUTH_CLIENTS_ENUM, "yes";
    bool   tls_prefer_server_ciphers = "tls-prefer-server-ciphers", MODIFIABLE, false => apply(crate::server::tls::apply_tls_cfg);
    bool   tls_session_caching = "tls-session-caching", MODIFIABLE, true => apply(crate::server::tls::apply_tls_cfg);
    string tls_cert_file = "tls-cert-file", VOLATILE, "", EMPTY_NULL => apply(crate::server::tls::apply_tls_cfg);
    string tls_key_file = "tls-key-file", VOLATILE, "", EMPTY_NULL => apply(crate::server::tls::apply_tls_cfg);
    string tls_key_file_pass = "tls-key-file-pass", MODIFIABLE, "", EMPTY_NULL => apply(crate::server::tls::apply_tls_cfg);
    string tls_client_cert_file = "tls-client-cert-file", VOLATILE, "", EMPTY_NULL => apply(crate::server::tls::apply_tls_cfg);
    string tls_client_key_file = "tls-client-key-file", VOLATILE, "", EMPTY_NULL => apply(crate::server::tls::apply_tls_cfg);
    string tls_client_key_file_pass = "tls-client-key-file-pass", MODIFIABLE, "", EMPTY_NULL => apply(crate::server::tls::apply_tls_cfg);
    string tls_dh_params_file = "tls-dh-params-file", VOLATILE, "", EMPTY_NULL => apply(crate::server::tls::apply_tls_cfg);
    string tls_ca_cert_file = "tls-ca-cert-file", VOLATILE, "", EMPTY_NULL => apply(crate::server::tls::apply_tls_cfg);
    string tls_ca_cert_dir = "tls-ca-cert-dir", VOLATILE, "", EMPTY_NULL => apply(crate::server::tls::apply_tls_cfg);
    string tls_protocols = "tls-protocols", MODIFIABLE, "", EMPTY_NULL => apply(crate::server::tls::apply_tls_cfg);
    string tls_ciphers = "tls-ciphers", MODIFIABLE, "", EMPTY_NULL => apply(crate::server::tls::apply_tls_cfg);
    string tls_ciphersuites = "tls-ciphersuites", MODIFIABLE, "", EMPTY_NULL => apply(crate::server::tls::apply_tls_cfg);
}
