//! Data structures owned by the server (dict.c and friends).

pub mod dict;
