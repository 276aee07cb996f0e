//! Redis Cluster. Oxidis runs standalone only: start-up refuses
//! `cluster-enabled yes` (see `main.rs`), and the cluster commands answer
//! as Redis does on a standalone instance.

use crate::error::Error;
use crate::server::{CmdResult, Ctx};

/// CLUSTER (every subcommand), READONLY, READWRITE and ASKING on a server
/// without cluster support enabled.
pub fn cluster_disabled_command(_ctx: &mut Ctx) -> CmdResult {
    Err(Error::err("ERR This instance has cluster support disabled"))
}
