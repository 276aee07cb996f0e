//! Helpers shared by the wire-level tests.
