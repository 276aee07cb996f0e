//! The data types, one file each, holding the type's API and its commands.

pub mod string;
