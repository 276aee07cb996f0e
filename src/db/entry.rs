//! One keyspace entry in one allocation (dictEntry + key sds + robj in
//! Redis, three or four allocations there).
//!
//! A `KvEntry` is a thin pointer to a heap block laid out as:
//!
//! ```text
//! 0   next    Option<KvEntry>  the dict chain link
//! 8   meta    u32              LRU clock / LFU data (24 bits) + tag (8 bits)
//! 12  klen    LEB128 varint    key length
//!     key     klen bytes
//!     value   INT: i64 | EMB: varint len + bytes | OBJ: *mut Obj
//! ```
//!
//! With a 16-byte key and a 16-byte value this is 46 bytes, a 48-byte
//! jemalloc class, plus the 8-byte bucket: 56 bytes per key against
//! Redis's ~120. Integers and embedded strings are immutable; changing a
//! value's shape allocates a new block (`Dict::replace_with`), just as
//! Redis turns an embstr into a raw string on modification.

use crate::ds::dict::DictEntry;
use crate::object::{NewValue, Obj, ValueRef};
use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::ptr::{self, NonNull};

const KIND_INT: u8 = 0;
const KIND_EMB: u8 = 1;
const KIND_OBJ: u8 = 2;
const KIND_MASK: u8 = 0b11;
/// The integer would be a shared object in Redis (OBJECT REFCOUNT).
const FLAG_SHARED: u8 = 1 << 2;
/// The key has an entry in the expires table.
const FLAG_EXPIRE: u8 = 1 << 3;

const META_OFF: usize = 8;
const KLEN_OFF: usize = 12;
const LRU_MASK: u32 = 0x00ff_ffff;

pub struct KvEntry(NonNull<u8>);

// SAFETY: a KvEntry exclusively owns its block and boxed value (no shared
// state), so moving it to another thread, e.g. to free it lazily, is fine.
unsafe impl Send for KvEntry {}

fn varint_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// # Safety
/// `p` must have room for `varint_len(v)` bytes.
unsafe fn write_varint(p: *mut u8, mut v: u64) -> usize {
    let mut i = 0;
    while v >= 0x80 {
        *p.add(i) = (v as u8) | 0x80;
        v >>= 7;
        i += 1;
    }
    *p.add(i) = v as u8;
    i + 1
}

/// # Safety
/// `p` must point at a varint written by `write_varint`.
unsafe fn read_varint(p: *const u8) -> (u64, usize) {
    let mut v = 0u64;
    let mut i = 0;
    loop {
        let b = *p.add(i);
        v |= u64::from(b & 0x7f) << (7 * i);
        i += 1;
        if b & 0x80 == 0 {
            return (v, i);
        }
    }
}

fn layout_for(size: usize) -> Layout {
    match Layout::from_size_align(size, 8) {
        Ok(l) => l,
        // Only reachable with a key near isize::MAX bytes, which the
        // protocol limits make impossible; treat it as allocation failure.
        Err(_) => handle_alloc_error(Layout::new::<u64>()),
    }
}

impl KvEntry {
    /// Builds an entry for `key` holding `value`, with the given LRU clock.
    pub fn new(key: &[u8], value: NewValue<'_>, lru: u32) -> KvEntry {
        let klen = key.len();
        let (kind, payload) = match &value {
            NewValue::Int { .. } => (KIND_INT, 8),
            NewValue::Emb(b) => (KIND_EMB, varint_len(b.len() as u64) + b.len()),
            NewValue::Obj(_) => (KIND_OBJ, 8),
        };
        let size = KLEN_OFF + varint_len(klen as u64) + klen + payload;
        let layout = layout_for(size);
        // SAFETY: the layout has non-zero size; every byte written below is
        // inside the block, as computed in `size`.
        unsafe {
            let p = alloc(layout);
            if p.is_null() {
                handle_alloc_error(layout);
            }
            ptr::write(p as *mut Option<KvEntry>, None);
            let mut tag = kind;
            let mut off = KLEN_OFF + write_varint(p.add(KLEN_OFF), klen as u64);
            ptr::copy_nonoverlapping(key.as_ptr(), p.add(off), klen);
            off += klen;
            match value {
                NewValue::Int { v, shared } => {
                    if shared {
                        tag |= FLAG_SHARED;
                    }
                    ptr::write_unaligned(p.add(off) as *mut i64, v);
                }
                NewValue::Emb(b) => {
                    off += write_varint(p.add(off), b.len() as u64);
                    ptr::copy_nonoverlapping(b.as_ptr(), p.add(off), b.len());
                }
                NewValue::Obj(o) => {
                    ptr::write_unaligned(p.add(off) as *mut *mut Obj, Box::into_raw(o));
                }
            }
            ptr::write(p.add(META_OFF) as *mut u32, (lru & LRU_MASK) | (u32::from(tag) << 24));
            KvEntry(NonNull::new_unchecked(p))
        }
    }

    #[inline]
    fn meta(&self) -> u32 {
        // SAFETY: the block always holds an initialised u32 at META_OFF.
        unsafe { ptr::read(self.0.as_ptr().add(META_OFF) as *const u32) }
    }

    #[inline]
    fn set_meta(&mut self, m: u32) {
        // SAFETY: as in meta(); we hold `&mut self`.
        unsafe { ptr::write(self.0.as_ptr().add(META_OFF) as *mut u32, m) }
    }

    #[inline]
    fn tag(&self) -> u8 {
        (self.meta() >> 24) as u8
    }

    #[inline]
    fn kind(&self) -> u8 {
        self.tag() & KIND_MASK
    }

    /// (key length, offset of the key bytes).
    #[inline]
    fn key_pos(&self) -> (usize, usize) {
        // SAFETY: the varint at KLEN_OFF was written by `new`.
        let (klen, n) = unsafe { read_varint(self.0.as_ptr().add(KLEN_OFF)) };
        (klen as usize, KLEN_OFF + n)
    }

    #[inline]
    fn payload_ptr(&self) -> *mut u8 {
        let (klen, koff) = self.key_pos();
        // SAFETY: the payload follows the key inside the block.
        unsafe { self.0.as_ptr().add(koff + klen) }
    }

    #[inline]
    pub fn key(&self) -> &[u8] {
        let (klen, koff) = self.key_pos();
        // SAFETY: `klen` bytes of key live at `koff` for as long as self.
        unsafe { std::slice::from_raw_parts(self.0.as_ptr().add(koff), klen) }
    }

    #[inline]
    pub fn value(&self) -> ValueRef<'_> {
        let p = self.payload_ptr();
        // SAFETY: the payload matches the kind recorded in the tag.
        unsafe {
            match self.kind() {
                KIND_INT => ValueRef::Int(ptr::read_unaligned(p as *const i64)),
                KIND_EMB => {
                    let (len, n) = read_varint(p);
                    ValueRef::Emb(std::slice::from_raw_parts(p.add(n), len as usize))
                }
                _ => ValueRef::Obj(&*ptr::read_unaligned(p as *const *mut Obj)),
            }
        }
    }

    /// The boxed value, for in-place modification. None for integers and
    /// embedded strings (they are immutable: replace the entry instead).
    #[inline]
    pub fn obj_mut(&mut self) -> Option<&mut Obj> {
        if self.kind() != KIND_OBJ {
            return None;
        }
        // SAFETY: kind OBJ means the payload holds a Box<Obj> pointer that
        // this entry owns; `&mut self` makes the borrow exclusive.
        unsafe { Some(&mut *ptr::read_unaligned(self.payload_ptr() as *const *mut Obj)) }
    }

    /// Overwrites an integer value in place; false if not integer-encoded.
    pub fn set_int(&mut self, v: i64, shared: bool) -> bool {
        if self.kind() != KIND_INT {
            return false;
        }
        // SAFETY: kind INT means 8 payload bytes hold an i64.
        unsafe { ptr::write_unaligned(self.payload_ptr() as *mut i64, v) };
        let mut tag = self.tag() & !FLAG_SHARED;
        if shared {
            tag |= FLAG_SHARED;
        }
        let m = (self.meta() & LRU_MASK) | (u32::from(tag) << 24);
        self.set_meta(m);
        true
    }

    /// True when the value is a shared integer (OBJECT REFCOUNT).
    pub fn is_shared(&self) -> bool {
        self.kind() == KIND_INT && self.tag() & FLAG_SHARED != 0
    }

    #[inline]
    pub fn lru(&self) -> u32 {
        self.meta() & LRU_MASK
    }

    #[inline]
    pub fn set_lru(&mut self, lru: u32) {
        let m = (self.meta() & !LRU_MASK) | (lru & LRU_MASK);
        self.set_meta(m);
    }

    #[inline]
    pub fn has_expire(&self) -> bool {
        self.tag() & FLAG_EXPIRE != 0
    }

    pub(in crate::db) fn set_has_expire(&mut self, on: bool) {
        let m = if on {
            self.meta() | (u32::from(FLAG_EXPIRE) << 24)
        } else {
            self.meta() & !(u32::from(FLAG_EXPIRE) << 24)
        };
        self.set_meta(m);
    }

    /// The whole block's size, for MEMORY USAGE and layout on free.
    fn block_size(&self) -> usize {
        let (klen, koff) = self.key_pos();
        let payload = match self.kind() {
            KIND_EMB => {
                // SAFETY: the payload of an EMB entry starts with a varint.
                let (len, n) = unsafe { read_varint(self.payload_ptr()) };
                n + len as usize
            }
            _ => 8,
        };
        koff + klen + payload
    }

    /// Active defrag: moves the block, then the boxed value's `Obj` (not
    /// what the value owns), where `mv` finds it worth it. The chain link
    /// holding `self` is rewritten in place, so the dict stays intact.
    pub fn defrag_block(&mut self, mv: &mut crate::server::defrag::Mover) {
        let layout = layout_for(self.block_size());
        // SAFETY: the block was allocated in `new` with this layout and
        // only `self` points to it; `self.0` takes the new place at once.
        if let Some(new) = unsafe { mv.relocate(self.0.as_ptr(), layout) } {
            self.0 = new;
        }
        if self.kind() == KIND_OBJ {
            let slot = self.payload_ptr() as *mut *mut Obj;
            // SAFETY: kind OBJ: the payload holds the owned Box<Obj>
            // pointer; the new place is written back before any read.
            unsafe {
                let obj = ptr::read_unaligned(slot);
                if let Some(new) = mv.relocate(obj.cast(), Layout::new::<Obj>()) {
                    ptr::write_unaligned(slot, new.as_ptr().cast::<Obj>());
                }
            }
        }
    }

    /// Bytes used by the block itself (not counting a boxed value).
    pub fn alloc_size(&self) -> usize {
        self.block_size()
    }

    /// Moves the value into a new entry under `key` (RENAME, MOVE), keeping
    /// the LRU and flags. No deep copy of boxed values.
    pub fn rekey(self, key: &[u8]) -> KvEntry {
        let meta = self.meta();
        let new = match self.value() {
            ValueRef::Int(v) => KvEntry::new(
                key,
                NewValue::Int {
                    v,
                    shared: self.is_shared(),
                },
                meta,
            ),
            ValueRef::Emb(b) => KvEntry::new(key, NewValue::Emb(b), meta),
            ValueRef::Obj(_) => {
                // SAFETY: kind OBJ; ownership of the box moves to the new
                // entry, and the old block is freed below without it.
                let o = unsafe { Box::from_raw(ptr::read_unaligned(self.payload_ptr() as *const *mut Obj)) };
                let e = KvEntry::new(key, NewValue::Obj(o), meta);
                self.free_block_only();
                let mut e = e;
                e.set_meta(meta);
                return e;
            }
        };
        let mut new = new;
        new.set_meta(meta);
        new
    }

    /// A deep copy under `key` (COPY). The LRU is the given clock.
    pub fn duplicate(&self, key: &[u8], lru: u32) -> KvEntry {
        match self.value() {
            ValueRef::Int(v) => KvEntry::new(
                key,
                NewValue::Int {
                    v,
                    shared: self.is_shared(),
                },
                lru,
            ),
            ValueRef::Emb(b) => KvEntry::new(key, NewValue::Emb(b), lru),
            ValueRef::Obj(o) => KvEntry::new(key, NewValue::Obj(Box::new(o.clone())), lru),
        }
    }

    /// Frees the block without dropping a boxed value it points to.
    fn free_block_only(self) {
        let size = self.block_size();
        let p = self.0.as_ptr();
        std::mem::forget(self);
        // SAFETY: the block was allocated in `new` with this layout; its
        // next link is None for an unlinked entry and holds no resources.
        unsafe {
            let next = ptr::read(p as *mut Option<KvEntry>);
            drop(next);
            dealloc(p, layout_for(size));
        }
    }
}

impl Drop for KvEntry {
    fn drop(&mut self) {
        // Unlink iteratively so dropping a long chain cannot recurse deeply.
        let mut next = self.next_mut().take();
        while let Some(mut n) = next {
            next = n.next_mut().take();
        }
        let size = self.block_size();
        let p = self.0.as_ptr();
        // SAFETY: we own the block; a boxed value is owned through it and
        // freed exactly once here. The layout matches the one in `new`.
        unsafe {
            if self.kind() == KIND_OBJ {
                drop(Box::from_raw(ptr::read_unaligned(self.payload_ptr() as *const *mut Obj)));
            }
            dealloc(p, layout_for(size));
        }
    }
}

impl DictEntry for KvEntry {
    const EXPAND_LIMITED_BY_MAXMEMORY: bool = true;
    #[inline]
    fn key(&self) -> &[u8] {
        KvEntry::key(self)
    }

    #[inline]
    fn next(&self) -> &Option<Self> {
        // SAFETY: offset 0 of the block is an initialised Option<KvEntry>.
        unsafe { &*(self.0.as_ptr() as *const Option<KvEntry>) }
    }

    #[inline]
    fn next_mut(&mut self) -> &mut Option<Self> {
        // SAFETY: as above, exclusively borrowed through `&mut self`.
        unsafe { &mut *(self.0.as_ptr() as *mut Option<KvEntry>) }
    }
}

impl std::fmt::Debug for KvEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KvEntry")
            .field("key", &String::from_utf8_lossy(self.key()))
            .field("value", &self.value())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_roundtrip() {
        let e = KvEntry::new(b"key:000000000001", NewValue::Emb(b"0123456789abcdef"), 77);
        assert_eq!(e.key(), b"key:000000000001");
        assert!(matches!(e.value(), ValueRef::Emb(b"0123456789abcdef")));
        assert_eq!(e.lru(), 77);
        assert_eq!(e.alloc_size(), 46);

        let mut e = KvEntry::new(b"n", NewValue::Int { v: -5, shared: false }, 1);
        assert!(matches!(e.value(), ValueRef::Int(-5)));
        assert!(e.set_int(42, true));
        assert!(matches!(e.value(), ValueRef::Int(42)));
        assert!(e.is_shared());
        e.set_has_expire(true);
        assert!(e.has_expire());
        assert_eq!(e.lru(), 1);
        e.set_lru(0xffffff);
        assert!(e.has_expire());
        assert_eq!(e.lru(), 0xffffff);

        let big = vec![b'x'; 300];
        let mut e = KvEntry::new(&big, NewValue::Obj(Box::new(Obj::Str(b"hello".to_vec()))), 0);
        assert_eq!(e.key(), &big[..]);
        if let Some(Obj::Str(s)) = e.obj_mut() {
            s.extend_from_slice(b" world");
        }
        assert!(matches!(e.value(), ValueRef::Obj(Obj::Str(s)) if s == b"hello world"));
        let moved = e.rekey(b"other");
        assert_eq!(moved.key(), b"other");
        assert!(matches!(moved.value(), ValueRef::Obj(Obj::Str(s)) if s == b"hello world"));
        let copy = moved.duplicate(b"copy", 3);
        assert!(matches!(copy.value(), ValueRef::Obj(Obj::Str(s)) if s == b"hello world"));
    }

    #[test]
    fn empty_key_and_value() {
        let e = KvEntry::new(b"", NewValue::Emb(b""), 0);
        assert_eq!(e.key(), b"");
        assert!(matches!(e.value(), ValueRef::Emb(b"")));
    }
}
