//! Data structures owned by the server (dict.c, listpack.c, intset.c,
//! quicklist.c, the skiplist of t_zset.c, lzf).

pub mod dict;
pub mod intset;
pub mod listpack;
pub mod lzf;
pub mod quicklist;
pub mod skiplist;
pub mod zbtree;
pub mod ziplist;
pub mod zipmap;
