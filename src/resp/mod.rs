//! RESP, both directions: the resumable request parser and the reply
//! builder. No I/O happens here.

pub mod parser;
pub mod reply;

pub use parser::{ParseLimits, Parsed, ProtoError, RequestParser};
pub use reply::{Deferred, ReplyBuf};
