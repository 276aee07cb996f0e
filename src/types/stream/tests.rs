//! Unit tests of the stream type.

use super::*;
