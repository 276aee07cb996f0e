//! JSON documents (RedisJSON 2.8's `ReJSON-RL` type): the value, its RDB
//! form and its place among the Stack types. `tape.rs` is the document
//! encoding, parser and printer; `path.rs` the JSONPath engine.
//!
//! RDB: encoding version 3 is the whole document as one string field of
//! compact JSON text, exactly what Redis Stack writes, so files and DUMP
//! payloads move both ways. Version 2 (the text, then an unsigned and, if
//! it is not 0, two strings of old RediSearch data) still loads; version 0
//! (RedisJSON 1.x's node-by-node form) is refused as RedisJSON 2.8 would
//! be unable to read it either... it reads it, we do not: such files are
//! from 2019 and older.

pub mod commands;
pub mod path;
pub mod tape;

use super::rdb::{FieldReader, FieldWriter};
use super::{ModuleDigest, StackType, TypeInfo};
use crate::persist::rdb::codec::{corrupt, LoadResult};
use std::io::{self, Read, Write};

/// A JSON document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Json {
    tape: Box<[u8]>,
}

impl Json {
    /// Parses client input (nesting limited to 127 levels).
    pub fn parse(text: &[u8]) -> Result<Json, tape::ParseError> {
        tape::parse(text, true).map(Json::from_tape)
    }

    pub fn from_tape(t: Vec<u8>) -> Json {
        Json {
            tape: t.into_boxed_slice(),
        }
    }

    pub fn tape(&self) -> &[u8] {
        &self.tape
    }

    /// The compact JSON text of the whole document.
    pub fn to_text(&self) -> Vec<u8> {
        tape::to_text(&self.tape, 0)
    }
}

impl StackType for Json {
    const INFO: TypeInfo = TypeInfo {
        name: "ReJSON-RL",
        encver: 3,
        module: "ReJSON",
    };

    fn save<W: Write>(&self, w: &mut FieldWriter<'_, W>) -> io::Result<()> {
        w.string(&self.to_text())
    }

    fn load<R: Read>(r: &mut FieldReader<'_, R>, encver: u32) -> LoadResult<Self> {
        let text = match encver {
            3 => r.string()?,
            2 => {
                let text = r.string()?;
                if r.unsigned()? > 0 {
                    r.string()?;
                    r.string()?;
                }
                text
            }
            v => return corrupt(format!("Can't load old RedisJSON RDB: {v}")),
        };
        if std::str::from_utf8(&text).is_err() {
            return corrupt("JSON document is not valid UTF-8");
        }
        match tape::parse(&text, false) {
            Ok(t) => Ok(Json::from_tape(t)),
            Err(e) => corrupt(e.0),
        }
    }

    fn rewrite(&self, key: &[u8]) -> Vec<Vec<Vec<u8>>> {
        vec![vec![b"JSON.SET".to_vec(), key.to_vec(), b"$".to_vec(), self.to_text()]]
    }

    fn digest(&self, d: &mut ModuleDigest) {
        d.add_string_buffer(&self.to_text());
        d.end_sequence();
    }

    fn mem_usage(&self) -> usize {
        crate::object::jemalloc_class(std::mem::size_of::<Json>()) + crate::object::jemalloc_class(self.tape.len())
    }

    #[cfg(test)]
    fn samples() -> Vec<Self> {
        [
            "null",
            "[]",
            r#"{"a":[1,2.5,-3,true,false,null,"x\n\u00e9"],"b":{"c":{}},"big":18446744073709551615}"#,
        ]
        .iter()
        .filter_map(|s| Json::parse(s.as_bytes()).ok())
        .chain(std::iter::once(
            Json::parse(format!("[{}]", r#""some text","#.repeat(40) + "1").as_bytes()).unwrap_or(Json::from_tape(vec![tape::NULL])),
        ))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::{Obj, ValueRef};
    use crate::persist::dump::dump_payload;
    use crate::persist::rdb::codec::{RdbReader, RdbWriter, TYPE_MODULE_2};
    use crate::stack::{rdb, StackValue};

    /// A Redis Stack DUMP-style body, built from the documented format:
    /// type 7, the ReJSON-RL id at encver 3, one STRING field, EOF.
    fn stack_payload(text: &str, encver: u32) -> Vec<u8> {
        let mut w = RdbWriter::new(Vec::new(), false, false);
        w.u8(TYPE_MODULE_2).unwrap();
        w.len(rdb::encode_type_id("ReJSON-RL", encver).unwrap()).unwrap();
        w.len(rdb::OPCODE_STRING).unwrap();
        w.string(text.as_bytes()).unwrap();
        if encver == 2 {
            w.len(rdb::OPCODE_UINT).unwrap();
            w.len(0).unwrap();
        }
        w.len(rdb::OPCODE_EOF).unwrap();
        w.into_parts().0
    }

    fn load(p: &[u8]) -> LoadResult<StackValue> {
        let mut r = RdbReader::new(&p[1..]);
        rdb::read_value(&mut r, p[0])
    }

    #[test]
    fn redis_stack_payloads_load_and_ours_match_them() {
        let text = r#"{"name":"x","n":[1,2.5,{"y":null}]}"#;
        let p = stack_payload(text, 3);
        let Ok(StackValue::Json(j)) = load(&p) else { panic!("not loaded") };
        assert_eq!(j.to_text(), text.as_bytes());
        // Our DUMP body is byte for byte the one Redis Stack writes.
        let ours = dump_payload(ValueRef::Obj(&Obj::Stack(StackValue::Json(j))), false);
        assert_eq!(&ours[..ours.len() - 10], &p[..]);
        let Ok(StackValue::Json(old)) = load(&stack_payload("[1]", 2)) else {
            panic!("encver 2")
        };
        assert_eq!(old.to_text(), b"[1]");
        assert!(load(&stack_payload("[1]", 0)).is_err());
        assert!(load(&stack_payload("{\"a\":", 3)).is_err());
    }
}
