//! Vectors: the HNSW engine (`hnsw.rs`, ids and a distance space, no keys)
//! and its distance kernels (`kernels.rs`).

pub mod hnsw;
pub mod kernels;
