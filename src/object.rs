//! Values and their encodings (object.c).
//!
//! A string value lives inside its keyspace entry when it is small: as an
//! integer (encoding `int`) or as bytes (`embstr`, up to 44 bytes). Other
//! values are boxed [`Obj`]s: modified or long strings (`raw`) and the
//! collection types. `OBJECT ENCODING` names and the thresholds at which a
//! value changes encoding are Redis's, because clients and the Tcl suite
//! observe them.

/// Strings up to this length are stored embedded (`OBJ_ENCODING_EMBSTR_SIZE_LIMIT`).
pub const EMBSTR_SIZE_LIMIT: usize = 44;
/// Integers in `0..SHARED_INTEGERS` are shared objects in Redis; OBJECT
/// REFCOUNT reports them as such.
pub const SHARED_INTEGERS: i64 = 10000;
/// What OBJECT REFCOUNT says for a shared object (`OBJ_SHARED_REFCOUNT`).
pub const SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// A boxed value. Each collection type lives in its own module under
/// `types/`, which alone knows its encodings.
#[derive(Debug, Clone)]
pub enum Obj {
    /// A string that was modified in place or is too long to embed (`raw`).
    Str(Vec<u8>),
    List(crate::types::list::List),
    Hash(crate::types::hash::Hash),
    Set(crate::types::set::Set),
    ZSet(crate::types::zset::ZSet),
}

/// Redis's type of a value, as `TYPE` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    String,
    List,
    Set,
    ZSet,
    Hash,
    Stream,
}

impl ValueType {
    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::List => "list",
            ValueType::Set => "set",
            ValueType::ZSet => "zset",
            ValueType::Hash => "hash",
            ValueType::Stream => "stream",
        }
    }

    /// Parses a TYPE name as SCAN's TYPE option accepts it.
    pub fn from_name(name: &[u8]) -> Option<ValueType> {
        Some(match name.to_ascii_lowercase().as_slice() {
            b"string" => ValueType::String,
            b"list" => ValueType::List,
            b"set" => ValueType::Set,
            b"zset" => ValueType::ZSet,
            b"hash" => ValueType::Hash,
            b"stream" => ValueType::Stream,
            _ => return None,
        })
    }
}

impl Obj {
    pub fn value_type(&self) -> ValueType {
        match self {
            Obj::Str(_) => ValueType::String,
            Obj::List(_) => ValueType::List,
            Obj::Hash(_) => ValueType::Hash,
            Obj::Set(_) => ValueType::Set,
            Obj::ZSet(_) => ValueType::ZSet,
        }
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            Obj::Str(_) => "raw",
            Obj::List(l) => l.encoding_name(),
            Obj::Hash(h) => h.encoding_name(),
            Obj::Set(s) => s.encoding_name(),
            Obj::ZSet(z) => z.encoding_name(),
        }
    }
}

impl Obj {
    /// A rough RDB size for DEBUG OBJECT's serializedlength on collections.
    pub fn serialized_len_estimate(&self) -> usize {
        match self {
            Obj::Str(s) => s.len() + 5,
            Obj::List(l) => l.len() * 8,
            Obj::Hash(h) => h.len() * 16,
            Obj::Set(s) => s.len() * 8,
            Obj::ZSet(z) => z.len() * 16,
        }
    }
}

/// A value to store in a new entry.
#[derive(Debug)]
pub enum NewValue<'a> {
    /// An integer-encoded string; `shared` when Redis would use a shared
    /// integer object for it.
    Int {
        v: i64,
        shared: bool,
    },
    /// A short string, embedded in the entry.
    Emb(&'a [u8]),
    Obj(Box<Obj>),
}

/// A borrowed view of a stored value.
#[derive(Debug, Clone, Copy)]
pub enum ValueRef<'a> {
    Int(i64),
    Emb(&'a [u8]),
    Obj(&'a Obj),
}

impl<'a> ValueRef<'a> {
    pub fn value_type(&self) -> ValueType {
        match self {
            ValueRef::Int(_) | ValueRef::Emb(_) => ValueType::String,
            ValueRef::Obj(o) => o.value_type(),
        }
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            ValueRef::Int(_) => "int",
            ValueRef::Emb(_) => "embstr",
            ValueRef::Obj(o) => o.encoding_name(),
        }
    }

    /// The bytes of a string value; integers are formatted into `buf`.
    /// None for non-string types.
    pub fn as_bytes<'b>(&self, buf: &'b mut [u8; crate::util::num::LONG_STR_SIZE]) -> Option<&'b [u8]>
    where
        'a: 'b,
    {
        match *self {
            ValueRef::Int(v) => Some(crate::util::num::fmt_i64(v, buf)),
            ValueRef::Emb(b) => Some(b),
            ValueRef::Obj(Obj::Str(s)) => Some(s.as_slice()),
            ValueRef::Obj(_) => None,
        }
    }

    /// String length without formatting integers into a buffer.
    pub fn string_len(&self) -> Option<usize> {
        let mut buf = [0u8; crate::util::num::LONG_STR_SIZE];
        self.as_bytes(&mut buf).map(|b| b.len())
    }
}

/// Chooses the encoding Redis's `tryObjectEncoding` would give a string
/// value: `int` for a canonical integer, `embstr` when short, else `raw`.
pub fn string_value(bytes: &[u8], shared_ints_allowed: bool) -> NewValue<'_> {
    if bytes.len() <= 20 {
        if let Some(v) = crate::util::num::parse_i64(bytes) {
            let shared = shared_ints_allowed && (0..SHARED_INTEGERS).contains(&v);
            return NewValue::Int { v, shared };
        }
    }
    if bytes.len() <= EMBSTR_SIZE_LIMIT {
        NewValue::Emb(bytes)
    } else {
        NewValue::Obj(Box::new(Obj::Str(bytes.to_vec())))
    }
}

/// The value of an integer result (INCR and friends): Redis creates it
/// with `createStringObjectFromLongLongForValue`.
pub fn int_value(v: i64, shared_ints_allowed: bool) -> NewValue<'static> {
    NewValue::Int {
        v,
        shared: shared_ints_allowed && (0..SHARED_INTEGERS).contains(&v),
    }
}
