//! Access-frequency bookkeeping for the LFU policy (evict.c). The 24 LRU
//! bits of an entry hold, under LFU, the last decrement time in minutes
//! (16 bits) and a logarithmic access counter (8 bits).

/// Counter given to new values, so they are not evicted at once.
pub const LFU_INIT_VAL: u32 = 5;

fn minutes(unixtime: i64) -> u32 {
    ((unixtime / 60) & 65535) as u32
}

fn minutes_elapsed(ldt: u32, unixtime: i64) -> u32 {
    let now = minutes(unixtime);
    if now >= ldt {
        now - ldt
    } else {
        65535 - ldt + now
    }
}

/// LFU data for a new value.
pub fn lfu_initial(unixtime: i64) -> u32 {
    (minutes(unixtime) << 8) | LFU_INIT_VAL
}

/// The counter after decay (`LFUDecrAndReturn`).
pub fn lfu_decayed_counter(data: u32, unixtime: i64, decay_time: i64) -> u32 {
    let ldt = data >> 8;
    let counter = data & 255;
    let periods = if decay_time > 0 {
        i64::from(minutes_elapsed(ldt, unixtime)) / decay_time
    } else {
        0
    };
    if periods > 0 {
        if periods as u64 > u64::from(counter) {
            0
        } else {
            counter - periods as u32
        }
    } else {
        counter
    }
}

/// Logarithmic increment (`LFULogIncr`): the higher the counter, the less
/// likely an access bumps it.
fn log_incr(counter: u32, log_factor: i64) -> u32 {
    if counter >= 255 {
        return 255;
    }
    let r = crate::util::rand_u64() as f64 / u64::MAX as f64;
    let base = (f64::from(counter) - f64::from(LFU_INIT_VAL)).max(0.0);
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if r < p {
        counter + 1
    } else {
        counter
    }
}

/// LFU data after one access (`updateLFU`).
pub fn lfu_touch(data: u32, unixtime: i64, log_factor: i64, decay_time: i64) -> u32 {
    let counter = log_incr(lfu_decayed_counter(data, unixtime, decay_time), log_factor);
    (minutes(unixtime) << 8) | counter
}
