//! Module values in RDB (rdb.c's `RDB_TYPE_MODULE*` branches and module.c's
//! `RM_Save*` / `RM_Load*`), so our files and DUMP payloads line up with
//! Redis Stack's.
//!
//! A value is the RDB type byte `RDB_TYPE_MODULE_2` (7), then the 64-bit
//! module type id as an RDB length, then the module's fields, each an
//! opcode (an RDB length) followed by its data, then the EOF opcode (0).
//! The id packs the 9-character type name at 6 bits per character (in the
//! alphabet `A-Z a-z 0-9 - _`) and a 10-bit encoding version
//! (`moduleTypeEncodeId`). `RDB_TYPE_MODULE` (6), written by Redis 4.0,
//! has the same fields without opcodes and without the EOF mark; it still
//! loads.
//!
//! Field opcodes: UINT 2 (an RDB length; `RM_SaveSigned` writes the two's
//! complement bits under this opcode too, so SINT 1 is never written),
//! FLOAT 3 (4 bytes little-endian), DOUBLE 4 (8 bytes little-endian),
//! STRING 5 (an RDB string, integer-encoded or LZF-compressed like any).

use super::{StackKind, StackValue};
use crate::persist::rdb::codec::{corrupt, is_short_read, LoadError, LoadResult, RdbReader, RdbWriter, TYPE_MODULE_2};
use std::io::{self, Read, Write};

pub const OPCODE_EOF: u64 = 0;
pub const OPCODE_SINT: u64 = 1;
pub const OPCODE_UINT: u64 = 2;
pub const OPCODE_FLOAT: u64 = 3;
pub const OPCODE_DOUBLE: u64 = 4;
pub const OPCODE_STRING: u64 = 5;

/// The 64 characters a module type name may use, in id order.
const NAME_CHARSET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The 64-bit id of a type name and encoding version
/// (`moduleTypeEncodeId`); None for a name that is not 9 characters of
/// the charset or a version past 1023.
pub const fn encode_type_id(name: &str, encver: u32) -> Option<u64> {
    let b = name.as_bytes();
    if b.len() != 9 || encver > 1023 {
        return None;
    }
    let mut id: u64 = 0;
    let mut j = 0;
    while j < 9 {
        let mut pos = 0;
        while pos < 64 && NAME_CHARSET[pos] != b[j] {
            pos += 1;
        }
        if pos == 64 {
            return None;
        }
        id = (id << 6) | pos as u64;
        j += 1;
    }
    Some((id << 10) | encver as u64)
}

/// The type name an id carries (`moduleTypeNameByID`), for messages.
pub fn type_name_of_id(id: u64) -> String {
    let mut name = [0u8; 9];
    let mut v = id >> 10;
    for c in name.iter_mut().rev() {
        *c = NAME_CHARSET[(v & 63) as usize];
        v >>= 6;
    }
    String::from_utf8_lossy(&name).into_owned()
}

/// Writes a value's fields (`RedisModuleIO` for saving).
pub struct FieldWriter<'a, W: Write> {
    w: &'a mut RdbWriter<W>,
}

impl<W: Write> FieldWriter<'_, W> {
    /// `RedisModule_SaveUnsigned`.
    pub fn unsigned(&mut self, v: u64) -> io::Result<()> {
        self.w.len(OPCODE_UINT)?;
        self.w.len(v)
    }

    /// `RedisModule_SaveSigned`: the bits of `v` as an unsigned field.
    pub fn signed(&mut self, v: i64) -> io::Result<()> {
        self.unsigned(v as u64)
    }

    /// `RedisModule_SaveDouble`.
    pub fn double(&mut self, v: f64) -> io::Result<()> {
        self.w.len(OPCODE_DOUBLE)?;
        self.w.binary_double(v)
    }

    /// `RedisModule_SaveFloat`.
    pub fn float(&mut self, v: f32) -> io::Result<()> {
        self.w.len(OPCODE_FLOAT)?;
        self.w.raw(&v.to_le_bytes())
    }

    /// `RedisModule_SaveStringBuffer`.
    pub fn string(&mut self, s: &[u8]) -> io::Result<()> {
        self.w.len(OPCODE_STRING)?;
        self.w.string(s)
    }
}

/// Reads a value's fields (`RedisModuleIO` for loading). Every read
/// checks the opcode first (`RDB_TYPE_MODULE_2`); a field of another kind
/// than expected fails the load.
pub struct FieldReader<'a, R: Read> {
    r: &'a mut RdbReader<R>,
    /// `RDB_TYPE_MODULE_2`: fields carry opcodes.
    v2: bool,
}

impl<R: Read> FieldReader<'_, R> {
    fn opcode(&mut self, want: u64) -> LoadResult<()> {
        if self.v2 {
            let op = self.r.len()?;
            if op != want {
                return corrupt(format!("module value field of opcode {op} where {want} was expected"));
            }
        }
        Ok(())
    }

    /// `RedisModule_LoadUnsigned`.
    pub fn unsigned(&mut self) -> LoadResult<u64> {
        self.opcode(OPCODE_UINT)?;
        self.r.len()
    }

    /// `RedisModule_LoadSigned`.
    pub fn signed(&mut self) -> LoadResult<i64> {
        Ok(self.unsigned()? as i64)
    }

    /// `RedisModule_LoadDouble`.
    pub fn double(&mut self) -> LoadResult<f64> {
        self.opcode(OPCODE_DOUBLE)?;
        self.r.binary_double()
    }

    /// `RedisModule_LoadFloat`.
    pub fn float(&mut self) -> LoadResult<f32> {
        self.opcode(OPCODE_FLOAT)?;
        let mut b = [0u8; 4];
        self.r.exact(&mut b)?;
        Ok(f32::from_le_bytes(b))
    }

    /// `RedisModule_LoadStringBuffer`.
    pub fn string(&mut self) -> LoadResult<Vec<u8>> {
        self.opcode(OPCODE_STRING)?;
        self.r.string()
    }
}

/// Writes the payload of a module value: id, fields, EOF
/// (`rdbSaveObject`'s `OBJ_MODULE` branch). The type byte is the caller's.
pub fn write_value<W: Write>(w: &mut RdbWriter<W>, v: &StackValue) -> io::Result<()> {
    w.len(v.type_id())?;
    v.save_fields(&mut FieldWriter { w })?;
    w.len(OPCODE_EOF)
}

/// Reads the payload of a module value of RDB type `t` (6 or 7): the
/// `rdbLoadObject` branch for modules, with its error messages.
pub fn read_value<R: Read>(r: &mut RdbReader<R>, t: u8) -> LoadResult<StackValue> {
    let id = r.len()?;
    let Some(kind) = StackKind::by_type_id(id) else {
        return corrupt(format!(
            "The RDB file contains module data I can't load: no matching module type '{}'",
            type_name_of_id(id)
        ));
    };
    let v2 = t == TYPE_MODULE_2;
    let encver = (id & 1023) as u32;
    let loaded = kind.load(&mut FieldReader { r, v2 }, encver);
    let loaded = match loaded {
        Err(LoadError::Corrupt(m)) if is_short_read(&m) => return Err(LoadError::Corrupt(m)),
        Err(LoadError::Io(e)) => return Err(LoadError::Io(e)),
        other => other,
    };
    // As in Redis, the EOF mark is checked before whether the type could
    // use what it read.
    if v2 && r.len()? != OPCODE_EOF {
        return corrupt(format!(
            "The RDB file contains module data for the module '{}' that is not terminated by the proper module value EOF marker",
            kind.info().module
        ));
    }
    match loaded {
        Ok(v) => Ok(v),
        Err(LoadError::Corrupt(why)) => {
            log::warn!("{} value could not be loaded: {why}", kind.type_name());
            corrupt(format!(
                "The RDB file contains module data for the module type '{}', that the responsible module is not able to load. Check for modules log above for additional clues.",
                kind.info().module
            ))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_ids_match_redis_encoding() {
        // "ReJSON-RL" at encver 3: each character's index in the charset,
        // 6 bits each, then the version in 10 bits.
        let id = encode_type_id("ReJSON-RL", 3).unwrap();
        let mut want: u64 = 0;
        for c in "ReJSON-RL".bytes() {
            let pos = NAME_CHARSET.iter().position(|&x| x == c).unwrap() as u64;
            want = (want << 6) | pos;
        }
        assert_eq!(id, (want << 10) | 3);
        assert_eq!(id & 1023, 3);
        assert_eq!(type_name_of_id(id), "ReJSON-RL");
        for name in ["MBbloom--", "MBbloomCF", "CMSk-TYPE", "TopK-TYPE", "TDIS-TYPE", "TSDB-TYPE"] {
            let id = encode_type_id(name, 1023).unwrap();
            assert_eq!(type_name_of_id(id), name);
        }
        assert_eq!(encode_type_id("short", 0), None);
        assert_eq!(encode_type_id("ReJSON.RL", 0), None);
        assert_eq!(encode_type_id("ReJSON-RL", 1024), None);
    }

    #[test]
    fn fields_round_trip_with_opcodes() {
        let mut w = RdbWriter::new(Vec::new(), false, true);
        {
            let mut f = FieldWriter { w: &mut w };
            f.unsigned(u64::MAX).unwrap();
            f.signed(-5).unwrap();
            f.double(1.5).unwrap();
            f.float(-2.25).unwrap();
            f.string(b"12345").unwrap();
            f.string(&b"abc".repeat(100)).unwrap();
        }
        let buf = w.into_parts().0;
        // UINT opcode, then u64::MAX as a 9-byte length.
        assert_eq!(&buf[..2], &[2, 0x81]);
        let mut r = RdbReader::new(&buf[..]);
        let mut f = FieldReader { r: &mut r, v2: true };
        assert_eq!(f.unsigned().unwrap(), u64::MAX);
        assert_eq!(f.signed().unwrap(), -5);
        assert_eq!(f.double().unwrap(), 1.5);
        assert_eq!(f.float().unwrap(), -2.25);
        assert_eq!(f.string().unwrap(), b"12345");
        assert_eq!(f.string().unwrap(), b"abc".repeat(100));
        assert!(f.unsigned().is_err());
    }

    #[test]
    fn wrong_opcode_is_refused() {
        let mut w = RdbWriter::new(Vec::new(), false, false);
        FieldWriter { w: &mut w }.double(3.0).unwrap();
        let buf = w.into_parts().0;
        let mut r = RdbReader::new(&buf[..]);
        assert!(FieldReader { r: &mut r, v2: true }.string().is_err());
    }

    #[test]
    fn unknown_type_is_named_in_the_error() {
        let mut w = RdbWriter::new(Vec::new(), false, false);
        w.len(encode_type_id("Unknown-T", 1).unwrap()).unwrap();
        w.len(OPCODE_EOF).unwrap();
        let buf = w.into_parts().0;
        let mut r = RdbReader::new(&buf[..]);
        match read_value(&mut r, TYPE_MODULE_2) {
            Err(LoadError::Corrupt(m)) => {
                assert_eq!(
                    m,
                    "The RDB file contains module data I can't load: no matching module type 'Unknown-T'"
                )
            }
            other => panic!("loaded {:?}", other.map(|v| v.kind())),
        }
    }
}
