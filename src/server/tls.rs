//! The server's side of TLS (the TLS parts of config.c and server.c):
//! when contexts are built from the `tls-*` directives, and the CONFIG SET
//! hooks that rebuild them or rebind `tls-port`. The contexts and the
//! connections themselves are in `net/tls.rs`.

use super::Server;
use crate::net::tls::{Tls, TlsSettings};

/// CONFIG SET's error when a context cannot be built.
const UPDATE_FAILED: &str = "Unable to update TLS configuration. Check server logs.";

impl Server {
    /// TLS is in use: a TLS port, or TLS links to a master or cluster
    /// peers. Contexts are built (and a bad configuration refused) only
    /// then, as in Redis.
    pub fn tls_wanted(&self) -> bool {
        self.cfg.tls_port != 0 || self.cfg.tls_replication || self.cfg.tls_cluster
    }

    /// The directives a context is built from.
    fn tls_settings(&self) -> TlsSettings<'_> {
        let c = &self.cfg;
        TlsSettings {
            cert_file: &c.tls_cert_file,
            key_file: &c.tls_key_file,
            key_file_pass: &c.tls_key_file_pass,
            client_cert_file: &c.tls_client_cert_file,
            client_key_file: &c.tls_client_key_file,
            client_key_file_pass: &c.tls_client_key_file_pass,
            ca_cert_file: &c.tls_ca_cert_file,
            ca_cert_dir: &c.tls_ca_cert_dir,
            dh_params_file: &c.tls_dh_params_file,
            protocols: &c.tls_protocols,
            ciphers: &c.tls_ciphers,
            ciphersuites: &c.tls_ciphersuites,
            prefer_server_ciphers: c.tls_prefer_server_ciphers,
            session_caching: c.tls_session_caching,
            session_cache_size: c.tls_session_cache_size,
            session_cache_timeout: c.tls_session_cache_timeout,
            needs_ca: c.tls_auth_clients != 0 || c.tls_cluster || c.tls_replication,
        }
    }

    /// Builds new contexts from the configuration (`tlsConfigure`); on
    /// error the old ones stay and the reason is returned, to be logged.
    pub fn configure_tls(&mut self) -> Result<(), String> {
        let tls = Tls::configure(&self.tls_settings())?;
        self.tls = Some(tls);
        Ok(())
    }

    /// The context for an outgoing link that `tls-replication` (or
    /// `tls-cluster`) puts over TLS; Err when TLS is not configured.
    pub fn tls_for_link(&self, use_tls: bool) -> std::io::Result<Option<&Tls>> {
        if !use_tls {
            return Ok(None);
        }
        match self.tls.as_ref() {
            Some(t) => Ok(Some(t)),
            None => Err(std::io::Error::other("TLS is not configured")),
        }
    }
}

/// Apply hook of every `tls-*` directive that shapes the contexts
/// (`applyTlsCfg`): existing connections keep the context they were made
/// with; new ones get the rebuilt one.
pub fn apply_tls_cfg(srv: &mut Server) -> Result<(), String> {
    if !srv.tls_wanted() {
        return Ok(());
    }
    srv.configure_tls().map_err(|e| {
        log::warn!("{e}");
        UPDATE_FAILED.to_string()
    })
}

/// Apply hook of `tls-port` (`applyTLSPort`): contexts first if there are
/// none yet, then the listeners of the new port.
pub fn apply_tls_port(srv: &mut Server) -> Result<(), String> {
    if srv.tls.is_none() {
        srv.configure_tls().map_err(|e| {
            log::warn!("{e}");
            UPDATE_FAILED.to_string()
        })?;
    }
    srv.rebind_listeners(false, true).map_err(|e| {
        log::warn!("{e}");
        "Unable to listen on this port. Check server logs.".to_string()
    })
}
