//! `oom-score-adj` / `oom-score-adj-values` (`setOOMScoreAdj`): the
//! kernel's OOM-killer preference for this process, by role (master,
//! replica, fork child). Relative values add to the score the process had
//! before we first touched it; turning the feature off restores that score.

use super::Server;

/// Process classes, indexes into `oom-score-adj-values`.
pub const OOM_MASTER: usize = 0;
pub const OOM_REPLICA: usize = 1;
pub const OOM_BGCHILD: usize = 2;

const OOM_NO: i32 = 0;
const OOM_RELATIVE: i32 = 1;

/// What we changed, so it can be undone.
#[derive(Default)]
pub struct OomState {
    /// We have written the score at least once since it was last restored.
    adjusted: bool,
    /// The score from before our first adjustment.
    base: i32,
}

const PROC_FILE: &str = "/proc/self/oom_score_adj";

impl Server {
    /// Sets this process's score for `class` (None: master or replica,
    /// as the process is now). Err (logged) when /proc cannot be used.
    pub fn set_oom_score_adj(&mut self, class: Option<usize>) -> Result<(), String> {
        let class = class.unwrap_or(if self.cfg.special.replicaof.is_some() {
            OOM_REPLICA
        } else {
            OOM_MASTER
        });
        let val = if self.cfg.oom_score_adj != OOM_NO {
            if !self.oom.adjusted {
                let base = std::fs::read_to_string(PROC_FILE).map_err(|e| {
                    let msg = format!("Unable to read oom_score_adj: {}", crate::util::strerror(&e));
                    log::warn!("{msg}");
                    msg
                })?;
                self.oom.adjusted = true;
                self.oom.base = base.trim().parse().unwrap_or(0);
            }
            let mut v = self.cfg.special.oom_score_adj_values[class];
            if self.cfg.oom_score_adj == OOM_RELATIVE {
                v += self.oom.base;
            }
            v.clamp(-1000, 1000)
        } else if self.oom.adjusted {
            self.oom.adjusted = false;
            self.oom.base
        } else {
            return Ok(());
        };
        std::fs::write(PROC_FILE, format!("{val}\n")).map_err(|e| {
            let msg = format!("Unable to write oom_score_adj: {}", crate::util::strerror(&e));
            log::warn!("{msg}");
            msg
        })
    }
}
