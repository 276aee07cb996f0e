//! The data types, one file each, holding the type's API and its commands.

pub mod bitops;
pub mod geo;
pub mod hash;
pub mod hyperloglog;
pub mod list;
pub mod set;
pub mod sort;
pub mod stream;
pub mod string;
pub mod zset;
