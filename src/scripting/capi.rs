//! The Lua 5.1 C API behind a safe handle, and the only place where Rust
//! code raises Lua errors (the role lauxlib plays for Redis's C).
//!
//! Everything else in `scripting/` reaches the interpreter through
//! [`Lua`], a handle on one interpreter's stack. The release build of Lua
//! checks nothing its API leaves to the caller, so the handle does: stack
//! indexes are in range, pushes have room, table operations get a table,
//! a `pcall` has its function and arguments. A mistake in our code panics
//! here instead of corrupting memory. Byte slices read from the stack
//! borrow the handle, so the borrow checker keeps them from outliving the
//! value: anything that removes stack values takes `&mut self`.
//!
//! ## Raising errors
//!
//! Lua reports errors with `longjmp`, which skips Rust destructors (a
//! leak at best: crossing a frame that owns values with destructors is
//! undefined behaviour). So no Rust code calls an API function that may
//! raise while it owns anything. The structure that guarantees it:
//!
//! - Every C function registered with Lua is a thin trampoline made by
//!   [`lua_function!`] around a safe body `fn(&mut Lua) -> Result<c_int,
//!   LuaRaise>`. Bodies may own `Vec`s and `String`s and report errors by
//!   returning a [`LuaRaise`]. Only once the body has returned, so all its
//!   values are dropped, does [`run_cfunction`] push the error value and
//!   call `lua_error`. Hooks work the same way ([`lua_hook!`]).
//! - The `luaL_check*` / `luaL_argerror` family is rebuilt as methods that
//!   return `Result<_, LuaRaise>` with lauxlib's exact messages
//!   ([`Lua::check_integer`], [`Lua::arg_error`], ...).
//! - A read that may run a metamethod (and so raise) is made inside a
//!   protected call ([`Lua::get_field_protected`]); an error comes back as
//!   [`LuaRaise::Top`] to be raised again by the trampoline.
//! - A panic in a body is caught ([`crate::debug::crash::catch_panic`])
//!   and raised as a Lua error, never unwound into Lua's C frames.
//!
//! What remains: Lua raises "not enough memory" from any call that
//! allocates, and with `lua-enable-deprecated-api` a userdata's `__gc`
//! (from `newproxy`) runs unprotected inside allocations and may raise.
//! Either jumps over the running body and leaks what it owns; a body
//! never holds a `RefCell` borrow or other guard across Lua calls, so
//! nothing observes the skipped destructors. Redis's C has the same leak.

use mlua::ffi;
use std::borrow::Cow;
use std::cell::Cell;
use std::ffi::{c_void, CStr};
use std::marker::PhantomData;
use std::os::raw::c_int;
use std::ptr::NonNull;

/// Slots reserved at a time when a push needs room.
const RESERVE_CHUNK: c_int = 32;

/// Free slots Lua guarantees a C function or hook on entry.
const LUA_MINSTACK: c_int = 20;

/// Lua's `LUAI_USER_ALIGNMENT_T` on x86-64: userdata blocks are aligned
/// for a double, a pointer or a long.
const USERDATA_ALIGN: usize = 8;

/// A handle on a Lua interpreter's stack: the frame of the C function or
/// hook Lua is running, or the base frame of an idle interpreter.
///
/// Invariant (established by [`Lua::from_raw`]): the state is live for
/// `'a`, used only on this thread, and the frame is not touched through
/// another handle while this one is in use.
pub struct Lua<'a> {
    l: NonNull<ffi::lua_State>,
    /// A C function's frame: its upvalues can be read.
    in_cfunction: bool,
    /// The frame's `lua_gettop`, kept by every operation instead of asked
    /// of Lua: the frame's top moves only through this handle (see the
    /// invariant), and each operation knows by how much. Calls that run
    /// Lua code or compile read it back. Builds with debug assertions
    /// (and unit tests) compare it with Lua's after every operation.
    top: Cell<c_int>,
    /// The stack height (as `top()` counts) up to which pushes are known
    /// to have room: Lua granted it (`lua_checkstack`, or `LUA_MINSTACK`
    /// on entry) and never takes it back while the frame runs.
    reserved: Cell<c_int>,
    /// Slots known to hold a table, one bit per slot 1..=64 (bit `s-1`):
    /// set when a table operation checked one, `create_table` filled one
    /// or `value` saw one; cleared as soon as the slot or one below it is
    /// written or removed ([`Lua::touch`]), or Lua code runs. Table
    /// operations on them skip asking Lua for the type.
    tables: Cell<u64>,
    /// Slots 1..=64 holding a key `next` returned for the table in the
    /// slot just below, one bit per slot as `tables`. Cleared like
    /// `tables`, and all at once when any table is written or Lua code
    /// runs; while set, the key is known to be in the table and `next`
    /// skips checking it. Nested traversals each keep their own bit.
    keys: Cell<u64>,
    _state: PhantomData<&'a mut ffi::lua_State>,
}

/// What a C function or hook body asks its trampoline to raise once the
/// body's own values are gone.
#[derive(Debug)]
pub enum LuaRaise {
    /// `luaL_error`: the message after the position of the Lua code that
    /// called the C function ("user_script:3: ...").
    Message(Cow<'static, [u8]>),
    /// Redis's error table `{err = "<CODE> <msg>"}` built from this text
    /// (`luaPushError` then `luaError`).
    ErrorTable(Cow<'static, [u8]>),
    /// The value the body left on top of the stack, raised as it is.
    Top,
}

impl LuaRaise {
    /// A `luaL_error`-style error.
    pub fn msg(m: impl Into<Cow<'static, [u8]>>) -> LuaRaise {
        LuaRaise::Message(m.into())
    }

    /// A Redis error table.
    pub fn table(m: impl Into<Cow<'static, [u8]>>) -> LuaRaise {
        LuaRaise::ErrorTable(m.into())
    }
}

/// A C function Lua may call. Made only by [`lua_function!`] and, for
/// Lua's own library openers, by [`CFunction::new`].
#[derive(Clone, Copy)]
pub struct CFunction(ffi::lua_CFunction);

impl CFunction {
    /// # Safety
    ///
    /// `f` must be callable by Lua as a C function: it may rely only on
    /// what Lua guarantees a C function (a live state, its own frame with
    /// `LUA_MINSTACK` free slots), and it must not let a Lua error cross a
    /// Rust frame that owns values with destructors, nor let a panic
    /// unwind out of it.
    pub const unsafe fn new(f: ffi::lua_CFunction) -> CFunction {
        CFunction(f)
    }
}

/// A registry entry of ours (the real globals, the error handler, ...):
/// a negative integer key, which `luaL_ref` never hands out, so reading
/// one is a `lua_rawgeti` with no string to hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegKey(c_int);

impl RegKey {
    pub const fn new(key: c_int) -> RegKey {
        assert!(key < 0, "our registry keys are negative");
        RegKey(key)
    }
}

/// A value read off the stack in one go ([`Lua::value`]): its type, and
/// what it holds for the types that hold plain data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'l> {
    /// Past the top (`LUA_TNONE`).
    None,
    Nil,
    Bool(bool),
    Number(f64),
    /// A string's bytes (a number is never converted: it is `Number`).
    Str(&'l [u8]),
    Table,
    /// Any other type, as `lua_type` names it (functions, userdata,
    /// threads).
    Other(c_int),
}

/// A debug hook Lua may call; made only by [`lua_hook!`].
#[derive(Clone, Copy)]
pub struct Hook(ffi::lua_Hook);

impl Hook {
    /// # Safety
    ///
    /// As for [`CFunction::new`], for a hook: `f` relies only on what Lua
    /// guarantees a hook and keeps errors and panics from crossing Rust
    /// frames.
    pub const unsafe fn new(f: ffi::lua_Hook) -> Hook {
        Hook(f)
    }
}

/// Plain data that may live in a Lua userdata block.
///
/// # Safety
///
/// Every bit pattern of `size_of::<Self>()` bytes is a valid value, the
/// type has no destructor to run (Lua frees the block without one), and
/// its alignment is at most 8.
pub unsafe trait PlainData: Copy + 'static {}

/// The body of a Lua C function (see [`lua_function!`]).
pub type CBody = for<'a, 'b> fn(&'b mut Lua<'a>) -> Result<c_int, LuaRaise>;

/// The body of a hook; gets the hook event (`LUA_HOOKCOUNT`, ...).
pub type HookBody = for<'a, 'b> fn(&'b mut Lua<'a>, c_int) -> Result<(), LuaRaise>;

/// Defines `$name`, a [`CFunction`] constant whose work is done by the
/// safe body `$body: fn(&mut Lua) -> Result<c_int, LuaRaise>`.
macro_rules! lua_function {
    ($(#[$meta:meta])* $vis:vis $name:ident => $body:path) => {
        $(#[$meta])*
        $vis const $name: $crate::scripting::capi::CFunction = {
            unsafe extern "C-unwind" fn trampoline(l: *mut mlua::ffi::lua_State) -> std::os::raw::c_int {
                // SAFETY: Lua calls this as a C function with its live
                // state and the function's own frame; this frame owns
                // nothing that a raise could skip.
                unsafe { $crate::scripting::capi::run_cfunction(l, $body) }
            }
            // SAFETY: `trampoline` hands its state to `run_cfunction`,
            // which raises only after the body's values are dropped and
            // catches the body's panics.
            unsafe { $crate::scripting::capi::CFunction::new(trampoline) }
        };
    };
}
pub(crate) use lua_function;

/// Defines `$name`, a [`Hook`] constant running the safe body `$body:
/// fn(&mut Lua, event) -> Result<(), LuaRaise>`.
macro_rules! lua_hook {
    ($(#[$meta:meta])* $vis:vis $name:ident => $body:path) => {
        $(#[$meta])*
        $vis const $name: $crate::scripting::capi::Hook = {
            unsafe extern "C-unwind" fn trampoline(l: *mut mlua::ffi::lua_State, ar: *mut mlua::ffi::lua_Debug) {
                // SAFETY: Lua calls this as a hook with its live state and
                // the activation record of the event; this frame owns
                // nothing that a raise could skip.
                unsafe { $crate::scripting::capi::run_hook(l, ar, $body) }
            }
            // SAFETY: as for `lua_function!`, through `run_hook`.
            unsafe { $crate::scripting::capi::Hook::new(trampoline) }
        };
    };
}
pub(crate) use lua_hook;

/// Runs the body of a C function and raises what it returned.
///
/// # Safety
///
/// `l` is the state Lua passed to the C function that calls this, while
/// that function's frame is current, and the calling frame owns nothing
/// with a destructor (it is a trampoline made by [`lua_function!`]).
pub unsafe fn run_cfunction(l: *mut ffi::lua_State, body: CBody) -> c_int {
    let raise = {
        // SAFETY: a C function's frame of a live state of ours, on the
        // loop thread; no other handle on this frame exists.
        let mut lua = unsafe { Lua::from_raw(l) };
        lua.in_cfunction = true;
        lua.reserved.set(lua.top() + LUA_MINSTACK);
        let outcome = crate::debug::crash::catch_panic(|| body(&mut lua));
        match outcome {
            Ok(Ok(n)) if n >= 0 && n <= lua.top() => return n,
            Ok(Ok(n)) => LuaRaise::msg(format!("internal error: a C function returned {n} results").into_bytes()),
            Ok(Err(raise)) => raise,
            Err(panic) => LuaRaise::msg(format!("internal error: {panic}").into_bytes()),
        }
    };
    // SAFETY: the body and its handle are gone; `raise` is consumed
    // before the jump and this frame owns nothing else.
    unsafe { raise_now(l, raise) }
}

/// Runs the body of a hook and raises what it returned.
///
/// # Safety
///
/// `l` and `ar` are what Lua passed to the hook that calls this, and the
/// calling frame owns nothing with a destructor (it is a trampoline made
/// by [`lua_hook!`]).
pub unsafe fn run_hook(l: *mut ffi::lua_State, ar: *mut ffi::lua_Debug, body: HookBody) {
    // SAFETY: Lua passes a valid activation record (or none).
    let event = unsafe { ar.as_ref() }.map_or(-1, |ar| ar.event);
    let raise = {
        // SAFETY: the frame of the Lua function running the hook, of a
        // live state of ours; the hook is its only user right now.
        let mut lua = unsafe { Lua::from_raw(l) };
        lua.reserved.set(lua.top() + LUA_MINSTACK);
        match crate::debug::crash::catch_panic(|| body(&mut lua, event)) {
            Ok(Ok(())) => return,
            Ok(Err(raise)) => raise,
            Err(panic) => LuaRaise::msg(format!("internal error: {panic}").into_bytes()),
        }
    };
    // SAFETY: as in `run_cfunction`.
    unsafe { raise_now(l, raise) }
}

/// Pushes the error value for `raise` and raises it.
///
/// # Safety
///
/// `l` is a live state whose current frame is a C function's or a hook's
/// (Lua called it, so a protected call is there to land in), and no Rust
/// frame between here and that protected call owns a value with a
/// destructor; `raise` is consumed before the jump.
unsafe fn raise_now(l: *mut ffi::lua_State, raise: LuaRaise) -> ! {
    {
        // Outside the body's catch_panic: a panic here must not unwind
        // into Lua's C frames. (Dropped, like everything, before the jump.)
        let _guard = AbortOnPanic;
        // SAFETY: the caller's frame, as promised.
        let mut lua = unsafe { Lua::from_raw(l) };
        if !lua.check_stack(4) {
            // The frame is full (only a C function's can be): keep only
            // what is raised.
            if matches!(raise, LuaRaise::Top) && lua.top() > 0 {
                lua.replace(1);
                lua.set_top(1);
            } else {
                lua.set_top(0);
            }
        }
        match raise {
            LuaRaise::Message(msg) => {
                // Level 1: the Lua code calling this C function.
                lua.push_where_message(1, &msg);
                drop(msg);
            }
            LuaRaise::ErrorTable(text) => {
                super::lua::push_error_table(&mut lua, &text);
                drop(text);
            }
            LuaRaise::Top => {
                if lua.top() == 0 {
                    lua.push_nil();
                }
            }
        }
    }
    // SAFETY: nothing with a destructor is alive in this frame, and the
    // caller vouches for the frames up to the protected call.
    unsafe { ffi::lua_error(l) }
}

/// Aborts the process if dropped while a panic unwinds.
struct AbortOnPanic;

impl Drop for AbortOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            std::process::abort();
        }
    }
}

/// `t[k]` with metamethods, for [`Lua::get_field_protected`], which
/// always calls it through `lua_pcall` with (t, k).
unsafe extern "C-unwind" fn gettable_raw(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by lua_pcall with its two arguments on the stack;
    // lua_gettable may raise, this frame owns nothing, and the error lands
    // in that pcall.
    unsafe { ffi::lua_gettable_(l, 1) };
    1
}

/// One GC step of the size on top, for [`Lua::gc_step`]: finalizers may
/// raise, so it runs inside `lua_pcall`.
unsafe extern "C-unwind" fn gc_step_raw(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by lua_pcall with one number argument; a raise from
    // a finalizer lands in that pcall; this frame owns nothing.
    unsafe {
        let n = ffi::lua_tointeger_(l, 1);
        ffi::lua_gc(l, ffi::LUA_GCSTEP, n.clamp(0, i64::from(c_int::MAX)) as c_int);
    }
    0
}

/// What `lua_getinfo` said about a stack level, copied out.
#[derive(Default, Debug)]
pub struct FrameInfo {
    pub name: Option<Vec<u8>>,
    pub namewhat: Vec<u8>,
    pub short_src: Vec<u8>,
    pub source: Vec<u8>,
    pub currentline: c_int,
}

/// A NUL-terminated string Lua handed out, copied.
fn c_bytes(p: *const std::os::raw::c_char) -> Option<Vec<u8>> {
    if p.is_null() {
        None
    } else {
        // SAFETY: Lua's debug info strings are NUL-terminated and alive
        // for the duration of this copy.
        Some(unsafe { CStr::from_ptr(p) }.to_bytes().to_vec())
    }
}

/// The bit of slot `s` in the handle's slot masks (none outside 1..=64).
#[inline(always)]
fn slot_bit(s: c_int) -> u64 {
    // Slots below 1 wrap to shifts past 63, which give none.
    1u64.checked_shl(s.wrapping_sub(1) as u32).unwrap_or(0)
}

/// The mask of the slots below slot `i` (`i` >= 1; all of them past 64).
#[inline(always)]
fn slots_below(i: c_int) -> u64 {
    let s = (i.max(1) - 1) as u32;
    1u64.checked_shl(s).map_or(u64::MAX, |b| b - 1)
}

#[cold]
#[track_caller]
fn bad_index(idx: c_int, top: c_int) -> ! {
    panic!("Lua stack index {idx} is not valid (top {top})")
}

#[cold]
#[track_caller]
fn bad_key() -> ! {
    panic!("Lua table key is nil or NaN")
}

#[cold]
#[track_caller]
fn not_a_table(idx: c_int, ty: c_int) -> ! {
    panic!("Lua value at {idx} is a {}, not a table", type_name_of(ty))
}

impl<'a> Lua<'a> {
    /// A handle on the current frame of `l`.
    ///
    /// # Safety
    ///
    /// `l` is a non-null state made by [`super::lua::Vm::new`] that stays
    /// open for `'a` and is used only on this thread; the handle manages
    /// the frame current now (the C function's or hook's that Lua is
    /// running, or an idle interpreter's base frame), and no other handle
    /// on that frame is used while this one is. Frames nested through
    /// this handle's calls get handles of their own.
    pub unsafe fn from_raw(l: *mut ffi::lua_State) -> Lua<'a> {
        // SAFETY: a live state, by contract.
        let top = unsafe { ffi::lua_gettop(l) };
        Lua {
            // SAFETY: non-null by contract.
            l: unsafe { NonNull::new_unchecked(l) },
            in_cfunction: false,
            top: Cell::new(top),
            reserved: Cell::new(0),
            tables: Cell::new(0),
            keys: Cell::new(0),
            _state: PhantomData,
        }
    }

    #[inline(always)]
    fn ptr(&self) -> *mut ffi::lua_State {
        self.l.as_ptr()
    }

    // ------------------------------------------------------------ indexes

    /// `lua_gettop`: the number of values in the frame.
    #[inline(always)]
    pub fn top(&self) -> c_int {
        self.top.get()
    }

    /// Records the frame's new top after an operation.
    #[inline(always)]
    fn now_top(&self, top: c_int) {
        self.top.set(top);
        if cfg!(any(test, debug_assertions)) {
            self.verify_top();
        }
    }

    /// Reads the top back from Lua, after a call that ran Lua code.
    #[inline]
    fn reread_top(&self) {
        // SAFETY: a live state.
        self.top.set(unsafe { ffi::lua_gettop(self.ptr()) });
    }

    /// Panics when the cached top is not Lua's (checking builds only).
    #[track_caller]
    fn verify_top(&self) {
        // SAFETY: a live state.
        let real = unsafe { ffi::lua_gettop(self.ptr()) };
        assert_eq!(self.top.get(), real, "Lua stack top cache out of sync");
    }

    /// An index of a value in a frame of `top` values (1..=top or
    /// -top..=-1), made absolute; panics otherwise.
    #[inline(always)]
    #[track_caller]
    fn slot_at(idx: c_int, top: c_int) -> c_int {
        if idx > 0 && idx <= top {
            idx
        } else if idx < 0 && idx > ffi::LUA_REGISTRYINDEX && -idx <= top {
            top + idx + 1
        } else {
            bad_index(idx, top)
        }
    }

    /// An index that may be read: a slot, a position past the top (reads
    /// as none: `None`), the registry, the globals, or in a C function an
    /// upvalue. Negative slots are made absolute.
    #[inline(always)]
    #[track_caller]
    fn readable_at(&self, idx: c_int, top: c_int) -> Option<c_int> {
        if idx > top {
            return None;
        }
        if idx == ffi::LUA_REGISTRYINDEX || idx == ffi::LUA_GLOBALSINDEX {
            return Some(idx);
        }
        if idx < ffi::LUA_GLOBALSINDEX {
            if self.in_cfunction && idx >= ffi::lua_upvalueindex(255) {
                return Some(idx);
            }
            bad_index(idx, top);
        }
        Some(Self::slot_at(idx, top))
    }

    /// `lua_type` of an index `readable_at` accepted.
    #[inline(always)]
    fn raw_type(&self, i: c_int) -> c_int {
        // SAFETY: a live state; `i` is readable.
        unsafe { ffi::lua_type(self.ptr(), i) }
    }

    /// A table's index (a slot, the registry or the globals) made
    /// absolute; panics when the value there is not a table. The registry
    /// and the globals always are (`set_globals` takes only a table, and
    /// Lua's `setfenv` checks its argument).
    #[inline(always)]
    #[track_caller]
    fn table_at(&self, idx: c_int, top: c_int) -> c_int {
        if idx == ffi::LUA_REGISTRYINDEX || idx == ffi::LUA_GLOBALSINDEX {
            return idx;
        }
        let t = Self::slot_at(idx, top);
        if self.tables.get() & slot_bit(t) == 0 {
            self.check_table(idx, t);
        }
        t
    }

    /// Panics unless slot `t` (index `idx` as given) holds a table;
    /// remembers it.
    #[inline(never)]
    #[track_caller]
    fn check_table(&self, idx: c_int, t: c_int) {
        let ty = self.raw_type(t);
        if ty != ffi::LUA_TTABLE {
            not_a_table(idx, ty);
        }
        self.know_table(t);
    }

    /// Slot `t` holds a table.
    #[inline(always)]
    fn know_table(&self, t: c_int) {
        self.tables.set(self.tables.get() | slot_bit(t));
    }

    /// `lua_checkstack`: room for `n` more values, false past Lua's
    /// limit (LUAI_MAXCSTACK).
    pub fn check_stack(&self, n: c_int) -> bool {
        if n < 0 {
            return false;
        }
        let top = self.top();
        if i64::from(top) + i64::from(n) <= i64::from(self.reserved.get()) {
            return true;
        }
        self.grow(top, n)
    }

    #[cold]
    fn grow(&self, top: c_int, n: c_int) -> bool {
        // SAFETY: a live state; only grows the stack (not past
        // LUAI_MAXCSTACK, so `top + n` fits once it said yes).
        if unsafe { ffi::lua_checkstack(self.ptr(), n) } == 0 {
            return false;
        }
        self.reserved.set(top + n);
        true
    }

    /// Room for `n` pushes on a frame of `top` values, or a panic
    /// (callers that recurse on input check `check_stack` first and
    /// report an error). The frame's reserved height is cached: Lua never
    /// lowers it while the frame runs (a GC shrink keeps every frame's).
    #[inline(always)]
    #[track_caller]
    fn room_at(&self, top: c_int, n: c_int) {
        if i64::from(top) + i64::from(n) > i64::from(self.reserved.get()) {
            self.reserve(top, n);
        }
    }

    #[cold]
    #[track_caller]
    fn reserve(&self, top: c_int, n: c_int) {
        for want in [n.max(RESERVE_CHUNK), n] {
            // SAFETY: a live state; only grows the stack.
            if unsafe { ffi::lua_checkstack(self.ptr(), want) } != 0 {
                self.reserved.set(top + want);
                return;
            }
        }
        panic!("Lua stack overflow: no room for {n} more values");
    }

    /// Slot `i` and the ones above are being written or removed: none is
    /// a known table any more, and a traversal key among them is no
    /// longer trusted.
    #[inline(always)]
    fn touch(&self, i: c_int) {
        let below = slots_below(i);
        self.tables.set(self.tables.get() & below);
        self.keys.set(self.keys.get() & below);
    }

    /// A table may change or Lua code runs: no traversal is trusted.
    #[inline(always)]
    fn forget_traversal(&self) {
        self.keys.set(0);
    }

    /// `lua_settop`: drops values down to `idx` (or pads with nils).
    #[inline(always)]
    #[track_caller]
    pub fn set_top(&mut self, idx: c_int) {
        let top = self.top();
        let new = if idx >= 0 {
            if idx > top {
                self.room_at(top, idx - top);
            }
            idx
        } else if -(idx + 1) > top {
            bad_index(idx, top)
        } else {
            top + idx + 1
        };
        self.touch(new + 1);
        // SAFETY: a live state; the new top is within the frame or has
        // room (checked above).
        unsafe { ffi::lua_settop(self.ptr(), new) };
        self.now_top(new);
    }

    /// Pops `n` values.
    #[inline(always)]
    #[track_caller]
    pub fn pop(&mut self, n: c_int) {
        self.set_top(-n - 1);
    }

    /// The absolute form of a slot index (pseudo-indexes unchanged).
    #[inline(always)]
    #[track_caller]
    pub fn abs_index(&self, idx: c_int) -> c_int {
        if idx <= ffi::LUA_REGISTRYINDEX {
            idx
        } else {
            Self::slot_at(idx, self.top())
        }
    }

    /// `lua_insert`: moves the top value to `idx`, shifting up.
    #[track_caller]
    pub fn insert(&mut self, idx: c_int) {
        let i = Self::slot_at(idx, self.top());
        self.touch(i);
        // SAFETY: a live state; `i` is a slot.
        unsafe { ffi::lua_insert(self.ptr(), i) };
        self.now_top(self.top());
    }

    /// `lua_remove`: removes the value at `idx`, shifting down.
    #[track_caller]
    pub fn remove(&mut self, idx: c_int) {
        let top = self.top();
        let i = Self::slot_at(idx, top);
        self.touch(i);
        // SAFETY: a live state; `i` is a slot.
        unsafe { ffi::lua_remove(self.ptr(), i) };
        self.now_top(top - 1);
    }

    /// `lua_replace`: pops the top value into slot `idx`.
    #[track_caller]
    pub fn replace(&mut self, idx: c_int) {
        let top = self.top();
        let i = Self::slot_at(idx, top);
        self.touch(i);
        // SAFETY: a live state; `i` is a slot (so the top exists).
        unsafe { ffi::lua_replace(self.ptr(), i) };
        self.now_top(top - 1);
    }

    // ------------------------------------------------------------ reading

    /// `lua_type` (`LUA_TNONE` past the top).
    #[inline(always)]
    #[track_caller]
    pub fn type_of(&self, idx: c_int) -> c_int {
        match self.readable_at(idx, self.top()) {
            Some(i) => self.raw_type(i),
            None => ffi::LUA_TNONE,
        }
    }

    /// The value at `idx`, read with one type check: for a string, its
    /// bytes (borrowing the handle, as [`Lua::to_bytes`]).
    #[inline(always)]
    #[track_caller]
    pub fn value(&self, idx: c_int) -> Value<'_> {
        let Some(i) = self.readable_at(idx, self.top()) else {
            return Value::None;
        };
        let l = self.ptr();
        // SAFETY: a live state; `i` is readable and holds the type asked
        // for, so no conversion happens. A string is immutable and held
        // by its slot, which cannot change while `&self` is borrowed
        // (every method that writes slots takes `&mut self`).
        unsafe {
            match self.raw_type(i) {
                ffi::LUA_TNIL => Value::Nil,
                ffi::LUA_TBOOLEAN => Value::Bool(ffi::lua_toboolean(l, i) != 0),
                ffi::LUA_TNUMBER => Value::Number(ffi::lua_tonumber(l, i)),
                ffi::LUA_TSTRING => {
                    let mut len = 0usize;
                    let p = ffi::lua_tolstring(l, i, &mut len);
                    Value::Str(std::slice::from_raw_parts(p.cast::<u8>(), len))
                }
                ffi::LUA_TTABLE => {
                    if i > 0 {
                        self.know_table(i);
                    }
                    Value::Table
                }
                ty => Value::Other(ty),
            }
        }
    }

    /// `luaL_typename`: the type name of the value at `idx`.
    #[track_caller]
    pub fn type_name(&self, idx: c_int) -> &'static str {
        type_name_of(self.type_of(idx))
    }

    /// `lua_tonumber` (0 for non-numbers).
    #[inline(always)]
    #[track_caller]
    pub fn to_number(&self, idx: c_int) -> f64 {
        // SAFETY: a live state; a readable index.
        self.readable_at(idx, self.top())
            .map_or(0.0, |i| unsafe { ffi::lua_tonumber(self.ptr(), i) })
    }

    /// `lua_tointeger`: C's cast of the number (0 for non-numbers).
    #[track_caller]
    pub fn to_integer(&self, idx: c_int) -> i64 {
        // SAFETY: a live state; a readable index.
        self.readable_at(idx, self.top())
            .map_or(0, |i| unsafe { ffi::lua_tointeger_(self.ptr(), i) })
    }

    /// `lua_toboolean`.
    #[inline(always)]
    #[track_caller]
    pub fn to_boolean(&self, idx: c_int) -> bool {
        // SAFETY: a live state; a readable index.
        self.readable_at(idx, self.top())
            .is_some_and(|i| unsafe { ffi::lua_toboolean(self.ptr(), i) } != 0)
    }

    /// `lua_isnumber`: a number or a string convertible to one.
    #[track_caller]
    pub fn is_number(&self, idx: c_int) -> bool {
        // SAFETY: a live state; a readable index.
        self.readable_at(idx, self.top())
            .is_some_and(|i| unsafe { ffi::lua_isnumber(self.ptr(), i) } != 0)
    }

    /// `lua_isstring`: a string or a number.
    #[track_caller]
    pub fn is_string(&self, idx: c_int) -> bool {
        matches!(self.type_of(idx), ffi::LUA_TSTRING | ffi::LUA_TNUMBER)
    }

    /// `lua_tolstring`: the bytes of a string, or of a number converted
    /// in place (as Lua does); `None` for other types. The slice borrows
    /// the handle, so the value cannot leave the stack meanwhile.
    #[inline(always)]
    #[track_caller]
    pub fn to_bytes(&self, idx: c_int) -> Option<&[u8]> {
        let top = self.top();
        let i = match idx {
            ffi::LUA_REGISTRYINDEX | ffi::LUA_GLOBALSINDEX => return None,
            _ if idx > top => return None,
            _ => Self::slot_at(idx, top),
        };
        if self.keys.get() & slot_bit(i) != 0 {
            self.touch_if_number(i);
        }
        let mut len = 0usize;
        // SAFETY: a live state; `i` is a slot.
        let p = unsafe { ffi::lua_tolstring(self.ptr(), i, &mut len) };
        if p.is_null() {
            return None;
        }
        // SAFETY: Lua strings are immutable and never move; this one is
        // held by slot `i`, which cannot be overwritten or popped while
        // `&self` is borrowed (every such method takes `&mut self`).
        Some(unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len) })
    }

    /// A number in slot `i` is about to be converted in place: a
    /// traversal key may change.
    #[cold]
    fn touch_if_number(&self, i: c_int) {
        if self.raw_type(i) == ffi::LUA_TNUMBER {
            self.touch(i);
        }
    }

    /// `lua_objlen`: string length, table border, userdata size.
    #[track_caller]
    pub fn objlen(&self, idx: c_int) -> usize {
        // SAFETY: a live state; a readable index.
        self.readable_at(idx, self.top())
            .map_or(0, |i| unsafe { ffi::lua_objlen(self.ptr(), i) })
    }

    /// `lua_topointer`: the address of a table, function, userdata or
    /// thread, for display.
    #[track_caller]
    pub fn to_pointer(&self, idx: c_int) -> *const c_void {
        // SAFETY: a live state; a readable index.
        self.readable_at(idx, self.top())
            .map_or(std::ptr::null(), |i| unsafe { ffi::lua_topointer(self.ptr(), i) })
    }

    /// A light userdata holding NULL (`cjson.null`).
    #[track_caller]
    pub fn is_null_light_userdata(&self, idx: c_int) -> bool {
        match self.readable_at(idx, self.top()) {
            // SAFETY: a live state; a readable index holding a light
            // userdata, whose pointer is only compared.
            Some(i) if self.raw_type(i) == ffi::LUA_TLIGHTUSERDATA => unsafe { ffi::lua_touserdata(self.ptr(), i) }.is_null(),
            _ => false,
        }
    }

    // ------------------------------------------------------------ pushing

    /// Room for one more value on top; returns the top.
    #[inline(always)]
    #[track_caller]
    fn room1(&self) -> c_int {
        let top = self.top();
        self.room_at(top, 1);
        top
    }

    #[inline(always)]
    pub fn push_nil(&self) {
        let top = self.room1();
        // SAFETY: a live state with room for one value.
        unsafe { ffi::lua_pushnil(self.ptr()) };
        self.now_top(top + 1);
    }

    #[inline(always)]
    pub fn push_bool(&self, b: bool) {
        let top = self.room1();
        // SAFETY: a live state with room for one value.
        unsafe { ffi::lua_pushboolean(self.ptr(), c_int::from(b)) };
        self.now_top(top + 1);
    }

    #[inline(always)]
    pub fn push_number(&self, n: f64) {
        let top = self.room1();
        // SAFETY: a live state with room for one value.
        unsafe { ffi::lua_pushnumber(self.ptr(), n) };
        self.now_top(top + 1);
    }

    #[inline(always)]
    pub fn push_integer(&self, n: i64) {
        let top = self.room1();
        // SAFETY: a live state with room for one value.
        unsafe { ffi::lua_pushinteger(self.ptr(), n) };
        self.now_top(top + 1);
    }

    /// `lua_pushlstring`: a copy of `b` (binary safe).
    #[inline(always)]
    pub fn push_bytes(&self, b: &[u8]) {
        let top = self.room1();
        // SAFETY: a live state with room for one value; `b` is readable
        // for its length and Lua copies it.
        unsafe { ffi::lua_pushlstring_(self.ptr(), b.as_ptr().cast(), b.len()) };
        self.now_top(top + 1);
    }

    /// `lua_pushvalue`: a copy of the value at `idx` (nil past the top).
    #[inline(always)]
    #[track_caller]
    pub fn push_value(&self, idx: c_int) {
        let top = self.top();
        match self.readable_at(idx, top) {
            Some(i) => {
                self.room_at(top, 1);
                // SAFETY: a live state with room; a readable index.
                unsafe { ffi::lua_pushvalue(self.ptr(), i) };
                self.now_top(top + 1);
            }
            None => self.push_nil(),
        }
    }

    /// A light userdata holding NULL (`cjson.null`).
    pub fn push_light_null(&self) {
        let top = self.room1();
        // SAFETY: a live state with room for one value.
        unsafe { ffi::lua_pushlightuserdata(self.ptr(), std::ptr::null_mut()) };
        self.now_top(top + 1);
    }

    /// `lua_createtable`.
    #[inline(always)]
    pub fn create_table(&self, narr: c_int, nrec: c_int) {
        let top = self.room1();
        // SAFETY: a live state with room for one value.
        unsafe { ffi::lua_createtable(self.ptr(), narr.max(0), nrec.max(0)) };
        self.know_table(top + 1);
        self.now_top(top + 1);
    }

    /// `lua_pushcclosure`: `f` with the `nups` values on top as upvalues.
    #[track_caller]
    pub fn push_cclosure(&mut self, f: CFunction, nups: c_int) {
        let top = self.top();
        if !(0..=255).contains(&nups) || nups > top {
            bad_index(-nups, top);
        }
        self.room_at(top, 1);
        self.touch(top - nups + 1);
        // SAFETY: a live state with room; `nups` values are on the stack;
        // `f` keeps the C function contract (CFunction's invariant).
        unsafe { ffi::lua_pushcclosure(self.ptr(), f.0, nups) };
        self.now_top(top - nups + 1);
    }

    /// `lua_pushcfunction`.
    pub fn push_cfunction(&self, f: CFunction) {
        let top = self.room1();
        // SAFETY: as in `push_cclosure`, without upvalues.
        unsafe { ffi::lua_pushcclosure(self.ptr(), f.0, 0) };
        self.now_top(top + 1);
    }

    /// Pushes a new userdata block holding `v`.
    pub fn push_userdata<T: PlainData>(&self, v: T) {
        const { assert!(std::mem::align_of::<T>() <= USERDATA_ALIGN) };
        let top = self.room1();
        // SAFETY: a live state with room; Lua returns a block of the size
        // asked for, aligned for USERDATA_ALIGN >= align_of::<T>().
        unsafe {
            let p = ffi::lua_newuserdata(self.ptr(), std::mem::size_of::<T>()).cast::<T>();
            p.write(v);
        }
        self.now_top(top + 1);
    }

    /// The `T` in the userdata that is upvalue `n` of the running C
    /// function, if it holds one of that size.
    pub fn upvalue_data<T: PlainData>(&self, n: c_int) -> Option<T> {
        let p = self.upvalue_block::<T>(n)?;
        // SAFETY: the block holds size_of::<T>() aligned bytes, any of
        // which is a valid T (PlainData).
        Some(unsafe { p.read() })
    }

    /// Stores `v` in the userdata that is upvalue `n` of the running C
    /// function (see [`Lua::upvalue_data`]); false if there is none.
    pub fn set_upvalue_data<T: PlainData>(&self, n: c_int, v: T) -> bool {
        match self.upvalue_block::<T>(n) {
            Some(p) => {
                // SAFETY: as in `upvalue_data`; no reference to the block
                // exists (values are only ever copied in and out).
                unsafe { p.write(v) };
                true
            }
            None => false,
        }
    }

    fn upvalue_block<T: PlainData>(&self, n: c_int) -> Option<*mut T> {
        if !self.in_cfunction || !(1..=255).contains(&n) {
            return None;
        }
        let idx = ffi::lua_upvalueindex(n);
        // SAFETY: a C function's frame (checked), so upvalue indexes are
        // valid (absent ones read as none).
        unsafe {
            if ffi::lua_type(self.ptr(), idx) != ffi::LUA_TUSERDATA || ffi::lua_objlen(self.ptr(), idx) != std::mem::size_of::<T>() {
                return None;
            }
            Some(ffi::lua_touserdata(self.ptr(), idx).cast::<T>())
        }
    }

    // ------------------------------------------------------------- tables

    /// `lua_rawget`: replaces the key on top with `t[key]` (no
    /// metamethods); returns the value's type.
    #[track_caller]
    pub fn raw_get(&mut self, t: c_int) -> c_int {
        let top = self.top();
        let t = self.table_at(t, top);
        if top < 1 {
            bad_index(-1, top);
        }
        self.touch(top);
        // SAFETY: a live state; `t` is a table and a key is on top.
        unsafe { ffi::lua_rawget_(self.ptr(), t) };
        self.now_top(top);
        self.raw_type(top)
    }

    /// Pushes `t[name]` (no metamethods); returns the value's type.
    #[inline(always)]
    #[track_caller]
    pub fn raw_get_field(&self, t: c_int, name: &[u8]) -> c_int {
        let top = self.top();
        let t = self.table_at(t, top);
        self.room_at(top, 1);
        // SAFETY: a live state with room; `t` is a table; rawget replaces
        // the key just pushed (our own slot) with the value.
        unsafe {
            ffi::lua_pushlstring_(self.ptr(), name.as_ptr().cast(), name.len());
            ffi::lua_rawget_(self.ptr(), t);
        }
        self.now_top(top + 1);
        self.raw_type(top + 1)
    }

    /// Pushes `t[n]` (no metamethods); returns the value's type.
    #[inline(always)]
    #[track_caller]
    pub fn raw_geti(&self, t: c_int, n: c_int) -> c_int {
        let top = self.top();
        let t = self.table_at(t, top);
        self.room_at(top, 1);
        // SAFETY: a live state with room; `t` is a table.
        unsafe { ffi::lua_rawgeti_(self.ptr(), t, n) };
        self.now_top(top + 1);
        self.raw_type(top + 1)
    }

    /// `lua_rawset`: `t[key] = value` with both popped; the key must be
    /// neither nil nor NaN (Lua would raise).
    #[inline(always)]
    #[track_caller]
    pub fn raw_set(&mut self, t: c_int) {
        if !self.try_raw_set(t) {
            bad_key();
        }
    }

    /// `raw_set` when the key is valid (true); with a nil or NaN key
    /// nothing is done (false) and both values stay.
    #[inline(always)]
    #[track_caller]
    pub fn try_raw_set(&mut self, t: c_int) -> bool {
        let top = self.top();
        let t = self.table_at(t, top);
        if top < 2 {
            bad_index(-2, top);
        }
        if !self.key_at(top - 1) {
            return false;
        }
        self.touch(top - 1);
        self.forget_traversal();
        // SAFETY: a live state; `t` is a table; a valid key and a value
        // are on top, so rawset cannot raise.
        unsafe { ffi::lua_rawset(self.ptr(), t) };
        self.now_top(top - 2);
        true
    }

    /// Whether the value at `idx` may be a table key (`lua_rawset` raises
    /// "table index is nil" / "table index is NaN" otherwise).
    #[track_caller]
    pub fn is_valid_key(&self, idx: c_int) -> bool {
        match self.readable_at(idx, self.top()) {
            Some(i) => self.key_at(i),
            None => false,
        }
    }

    /// `is_valid_key` of a readable index.
    #[inline(always)]
    fn key_at(&self, i: c_int) -> bool {
        match self.raw_type(i) {
            ffi::LUA_TNIL | ffi::LUA_TNONE => false,
            // SAFETY: a live state; `i` is readable.
            ffi::LUA_TNUMBER => !unsafe { ffi::lua_tonumber(self.ptr(), i) }.is_nan(),
            _ => true,
        }
    }

    /// `t[name] = <top>` (no metamethods), popping the value; `t` must be
    /// below the value.
    #[track_caller]
    pub fn raw_set_field(&mut self, t: c_int, name: &[u8]) {
        let top = self.top();
        let t = self.table_at(t, top);
        if top < 1 || t == top {
            bad_index(-1, top);
        }
        self.room_at(top, 1);
        self.touch(top);
        self.forget_traversal();
        // SAFETY: a live state with room; `t` is a table below the value,
        // so moving the pushed key under the value leaves it in place; a
        // string key cannot make rawset raise.
        unsafe {
            ffi::lua_pushlstring_(self.ptr(), name.as_ptr().cast(), name.len());
            ffi::lua_insert(self.ptr(), top);
            ffi::lua_rawset(self.ptr(), t);
        }
        self.now_top(top - 1);
    }

    /// `lua_rawseti`: `t[n] = <top>`, popping the value.
    #[inline(always)]
    #[track_caller]
    pub fn raw_seti(&mut self, t: c_int, n: c_int) {
        let top = self.top();
        let t = self.table_at(t, top);
        if top < 1 {
            bad_index(-1, top);
        }
        self.touch(top);
        self.forget_traversal();
        // SAFETY: a live state; `t` is a table, a value is on top and a
        // number key cannot make rawseti raise.
        unsafe { ffi::lua_rawseti_(self.ptr(), t, n) };
        self.now_top(top - 1);
    }

    /// `lua_next`: with a key on top (nil to start), pops it and pushes
    /// the next key and value, or nothing at the end (false).
    ///
    /// Lua raises when the key is not in the table (a key changed or
    /// converted in place during the traversal); that is checked first
    /// (unless this handle saw nothing that could change it since `next`
    /// returned it) and panics instead.
    #[inline(always)]
    #[track_caller]
    pub fn next(&mut self, t: c_int) -> bool {
        let top = self.top();
        let t = self.table_at(t, top);
        if top < 1 {
            bad_index(-1, top);
        }
        self.room_at(top, 1);
        // A key `next` returned for this table, untouched since.
        let trusted = t == top - 1 && self.keys.get() & slot_bit(top) != 0;
        if !trusted {
            self.check_traversal_key(t, top);
        }
        // The key's slot is overwritten.
        self.touch(top);
        // SAFETY: a live state with room for the net one value pushed;
        // `t` is a table and the key on top is nil or present, so next
        // cannot raise.
        let more = unsafe { ffi::lua_next(self.ptr(), t) != 0 };
        if more {
            if t == top - 1 {
                self.keys.set(self.keys.get() | slot_bit(top));
            }
            self.now_top(top + 1);
        } else {
            self.now_top(top - 1);
        }
        more
    }

    /// Visits the keys of the table at `t` in `lua_next` order, giving
    /// `f` each key's type and, for a number, its value; stops at the
    /// first `false` from `f` (and returns false). The stack is left as it
    /// was. The checks a `next` loop makes at every step are made once:
    /// `f` cannot reach the stack, so the key each step resumes from is
    /// the one `lua_next` returned.
    #[track_caller]
    pub fn scan_keys(&mut self, t: c_int, mut f: impl FnMut(c_int, f64) -> bool) -> bool {
        let top = self.top();
        let t = self.table_at(t, top);
        self.room_at(top, 2);
        let l = self.ptr();
        // SAFETY: a live state with room for a key and a value; `t` is a
        // table below them. Each lua_next resumes from nil or from the key
        // it returned, untouched since (only its value was popped; a
        // number key is read with lua_tonumber, which converts nothing),
        // so it cannot raise.
        let all = unsafe {
            ffi::lua_pushnil(l);
            loop {
                if ffi::lua_next(l, t) == 0 {
                    break true;
                }
                ffi::lua_settop(l, top + 1);
                let ty = ffi::lua_type(l, top + 1);
                let n = if ty == ffi::LUA_TNUMBER {
                    ffi::lua_tonumber(l, top + 1)
                } else {
                    0.0
                };
                if !f(ty, n) {
                    ffi::lua_settop(l, top);
                    break false;
                }
            }
        };
        self.touch(top + 1);
        self.now_top(top);
        all
    }

    /// Panics unless the key on top (slot `top`, with room above) is nil
    /// or a key of the table at `t`.
    #[inline(never)]
    #[track_caller]
    fn check_traversal_key(&self, t: c_int, top: c_int) {
        // SAFETY: a live state.
        if unsafe { ffi::lua_type(self.ptr(), top) } == ffi::LUA_TNIL {
            return;
        }
        // SAFETY: a live state with room; `t` is a table; the copy of
        // the key is replaced by its value, read, then popped.
        let present = unsafe {
            ffi::lua_pushvalue(self.ptr(), top);
            ffi::lua_rawget_(self.ptr(), t);
            let ty = ffi::lua_type(self.ptr(), top + 1);
            ffi::lua_settop(self.ptr(), top);
            ty != ffi::LUA_TNIL
        };
        if !present {
            panic!("Lua table traversal with a key that is not in the table");
        }
    }

    /// `lua_setmetatable`: pops a table (or nil) and makes it the
    /// metatable of the value at `idx`.
    #[track_caller]
    pub fn set_metatable(&mut self, idx: c_int) {
        let top = self.top();
        let i = Self::slot_at(idx, top);
        if !matches!(self.raw_type(top), ffi::LUA_TTABLE | ffi::LUA_TNIL) {
            panic!("a metatable must be a table or nil");
        }
        self.touch(top);
        // SAFETY: a live state; `i` is a slot and a table or nil is on
        // top.
        unsafe { ffi::lua_setmetatable(self.ptr(), i) };
        self.now_top(top - 1);
    }

    /// Pushes the registry value stored under `key`; returns its type.
    #[inline(always)]
    pub fn get_registry(&self, key: RegKey) -> c_int {
        self.raw_geti(ffi::LUA_REGISTRYINDEX, key.0)
    }

    /// Pops the top value into the registry under `key`.
    #[track_caller]
    pub fn set_registry(&mut self, key: RegKey) {
        self.raw_seti(ffi::LUA_REGISTRYINDEX, key.0);
    }

    /// `luaL_ref` into the registry: pops the top value and returns its
    /// reference.
    #[track_caller]
    pub fn registry_ref(&mut self) -> c_int {
        let top = self.top();
        if top < 1 {
            bad_index(-1, top);
        }
        self.room_at(top, 1);
        self.touch(top);
        self.forget_traversal();
        // SAFETY: a live state with room; a value is on top. luaL_ref only
        // uses raw accesses on the registry.
        let r = unsafe { ffi::luaL_ref(self.ptr(), ffi::LUA_REGISTRYINDEX) };
        self.now_top(top - 1);
        r
    }

    /// `luaL_unref` of a registry reference.
    pub fn registry_unref(&self, r: c_int) {
        let top = self.top();
        self.room_at(top, 1);
        self.forget_traversal();
        // SAFETY: a live state with room; luaL_unref only uses raw
        // accesses on the registry and ignores invalid references.
        unsafe { ffi::luaL_unref(self.ptr(), ffi::LUA_REGISTRYINDEX, r) };
        self.now_top(top);
    }

    /// Pushes the value of a registry reference.
    #[inline(always)]
    pub fn push_registry_ref(&self, r: c_int) -> c_int {
        self.raw_geti(ffi::LUA_REGISTRYINDEX, r)
    }

    /// Pushes the globals table the running code sees.
    pub fn push_globals(&self) {
        self.push_value(ffi::LUA_GLOBALSINDEX);
        self.know_table(self.top());
    }

    /// Pops a table and makes it the globals of code loaded from now on.
    #[track_caller]
    pub fn set_globals(&mut self) {
        if self.type_of(-1) != ffi::LUA_TTABLE {
            panic!("the globals must be a table");
        }
        let top = self.top();
        self.touch(top);
        self.forget_traversal();
        // SAFETY: a live state with a table on top.
        unsafe { ffi::lua_replace(self.ptr(), ffi::LUA_GLOBALSINDEX) };
        self.now_top(top - 1);
    }

    /// Pushes `v[name]` with Lua's full semantics (metamethods run) in a
    /// protected call; returns the value's type. An error raised on the
    /// way is left on top and returned as [`LuaRaise::Top`].
    #[track_caller]
    pub fn get_field_protected(&mut self, idx: c_int, name: &[u8]) -> Result<c_int, LuaRaise> {
        let v = self.abs_index(idx);
        self.room_at(self.top(), 3);
        // SAFETY: `gettable_raw` is only ever run by this pcall, with the
        // two arguments it expects.
        self.push_cfunction(unsafe { CFunction::new(gettable_raw) });
        self.push_value(v);
        self.push_bytes(name);
        if self.pcall(2, 1, 0) != 0 {
            return Err(LuaRaise::Top);
        }
        Ok(self.type_of(-1))
    }

    // ------------------------------------------------------------ running

    /// `lua_pcall`: calls the function below the `nargs` arguments on top
    /// in protected mode; 0 or the error code, with the error value on
    /// top. `errfunc` is 0 or the slot of a message handler.
    #[track_caller]
    pub fn pcall(&mut self, nargs: c_int, nresults: c_int, errfunc: c_int) -> c_int {
        let top = self.top();
        if nargs < 0 || nargs >= top || nresults < ffi::LUA_MULTRET {
            bad_index(-(nargs + 1), top);
        }
        let errfunc = if errfunc == 0 { 0 } else { Self::slot_at(errfunc, top) };
        if nresults > nargs {
            self.room_at(top, nresults - nargs);
        }
        // Lua code may change any table, and (debug.setlocal) any slot of
        // a C function's frame; the call replaces its slots.
        self.tables.set(0);
        self.forget_traversal();
        // SAFETY: a live state; the function and its arguments are on the
        // stack, there is room for the results, the handler is a slot.
        // Lua code run by the call reaches Rust only through CFunction and
        // Hook values, each keeping its own contract.
        let rc = unsafe { ffi::lua_pcall(self.ptr(), nargs, nresults, errfunc) };
        self.reread_top();
        rc
    }

    /// `luaL_loadbuffer`: compiles `code` as a chunk named `name` and
    /// pushes the function; on error returns the message (nothing is left
    /// on the stack).
    pub fn load(&mut self, code: &[u8], name: &CStr) -> Result<(), Vec<u8>> {
        self.room1();
        // SAFETY: a live state with room; `code` is readable for its
        // length and `name` is NUL-terminated. Loading runs in protected
        // mode and does not raise.
        let rc = unsafe { ffi::luaL_loadbuffer(self.ptr(), code.as_ptr().cast(), code.len(), name.as_ptr()) };
        self.reread_top();
        if rc == 0 {
            return Ok(());
        }
        let msg = self.to_bytes(-1).unwrap_or_default().to_vec();
        self.pop(1);
        Err(msg)
    }

    /// `lua_sethook`.
    pub fn set_hook(&self, hook: Option<Hook>, mask: c_int, count: c_int) {
        // SAFETY: a live state; a Hook keeps the hook contract.
        unsafe { ffi::lua_sethook(self.ptr(), hook.map(|h| h.0), mask, count) };
    }

    /// One incremental GC step (`lua_gc(LUA_GCSTEP)`), protected because
    /// finalizers may raise; their errors are dropped.
    pub fn gc_step(&mut self, n: c_int) {
        let base = self.top();
        self.room_at(base, 2);
        // SAFETY: `gc_step_raw` is only ever run by this pcall, with its
        // one argument.
        self.push_cfunction(unsafe { CFunction::new(gc_step_raw) });
        self.push_integer(i64::from(n));
        self.pcall(1, 0, 0);
        self.set_top(base);
    }

    /// Kilobytes in use (`lua_gc(LUA_GCCOUNT)`).
    pub fn gc_count_kb(&self) -> c_int {
        // SAFETY: a live state; GCCOUNT only reads a counter.
        unsafe { ffi::lua_gc(self.ptr(), ffi::LUA_GCCOUNT, 0) }
    }

    /// `luaL_where(level)` followed by `msg`, concatenated into one string
    /// on top (the text `luaL_error` raises).
    fn push_where_message(&mut self, level: c_int, msg: &[u8]) {
        let top = self.top();
        self.room_at(top, 2);
        // SAFETY: a live state with room for two values; luaL_where only
        // reads debug info and pushes a string.
        unsafe { ffi::luaL_where(self.ptr(), level) };
        self.now_top(top + 1);
        self.push_bytes(msg);
        // SAFETY: two strings on top: concatenating them runs no
        // metamethod.
        unsafe { ffi::lua_concat(self.ptr(), 2) };
        self.now_top(top + 1);
    }

    // -------------------------------------------------------------- debug

    /// `lua_getstack` + `lua_getinfo` of `level` (0: the running function)
    /// with `what` among "nSl"; `None` past the stack.
    pub fn frame_info(&self, level: c_int, what: &CStr) -> Option<FrameInfo> {
        if what.to_bytes().iter().any(|c| !b"nSlu".contains(c)) {
            panic!("lua_getinfo option {what:?} is not supported");
        }
        // SAFETY: an all-zero lua_Debug is a valid value to fill in.
        let mut ar: ffi::lua_Debug = unsafe { std::mem::zeroed() };
        // SAFETY: a live state; `ar` is a valid record, filled by
        // getstack before getinfo reads it; the options push nothing.
        unsafe {
            if ffi::lua_getstack(self.ptr(), level, &mut ar) == 0 {
                return None;
            }
            ffi::lua_getinfo(self.ptr(), what.as_ptr(), &mut ar);
        }
        let src = ar.short_src.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
        Some(FrameInfo {
            name: c_bytes(ar.name),
            namewhat: c_bytes(ar.namewhat).unwrap_or_default(),
            short_src: src,
            source: c_bytes(ar.source).unwrap_or_default(),
            currentline: ar.currentline,
        })
    }

    /// `lua_getlocal` of local `n` at stack `level`: pushes its value and
    /// returns its name; `None` (nothing pushed) when there is none.
    pub fn push_local(&self, level: c_int, n: c_int) -> Option<Vec<u8>> {
        let top = self.room1();
        // SAFETY: an all-zero lua_Debug is a valid value to fill in.
        let mut ar: ffi::lua_Debug = unsafe { std::mem::zeroed() };
        // SAFETY: a live state with room; `ar` is filled by getstack
        // before getlocal reads it; the name points into the function
        // prototype, alive while it runs, and is copied at once.
        let name = unsafe {
            if ffi::lua_getstack(self.ptr(), level, &mut ar) == 0 {
                return None;
            }
            c_bytes(ffi::lua_getlocal(self.ptr(), &ar, n))
        };
        if name.is_some() {
            self.now_top(top + 1);
        }
        name
    }

    // ---------------------------------------------- lauxlib argument checks

    /// The message of `luaL_argerror` for argument `narg` (as an error to
    /// raise).
    pub fn arg_error(&self, narg: c_int, extra: &str) -> LuaRaise {
        LuaRaise::Message(self.arg_error_msg(narg, extra.as_bytes()).into())
    }

    /// `luaL_argerror`'s text: "bad argument #n to 'f' (extra)".
    pub fn arg_error_msg(&self, mut narg: c_int, extra: &[u8]) -> Vec<u8> {
        let Some(ar) = self.frame_info(0, c"n") else {
            let mut m = format!("bad argument #{narg} (").into_bytes();
            m.extend_from_slice(extra);
            m.push(b')');
            return m;
        };
        if ar.namewhat == b"method" {
            narg -= 1;
            if narg == 0 {
                let mut m = b"calling '".to_vec();
                m.extend_from_slice(ar.name.as_deref().unwrap_or(b"(null)"));
                m.extend_from_slice(b"' on bad self (");
                m.extend_from_slice(extra);
                m.push(b')');
                return m;
            }
        }
        let mut m = format!("bad argument #{narg} to '").into_bytes();
        m.extend_from_slice(ar.name.as_deref().unwrap_or(b"?"));
        m.extend_from_slice(b"' (");
        m.extend_from_slice(extra);
        m.push(b')');
        m
    }

    /// `luaL_typerror`: "<expected> expected, got <type>".
    pub fn type_error(&self, narg: c_int, expected: &str) -> LuaRaise {
        LuaRaise::Message(self.type_error_msg(narg, expected).into())
    }

    /// `luaL_typerror`'s text.
    pub fn type_error_msg(&self, narg: c_int, expected: &str) -> Vec<u8> {
        let extra = format!("{expected} expected, got {}", self.type_name(narg));
        self.arg_error_msg(narg, extra.as_bytes())
    }

    /// `luaL_checkinteger`.
    pub fn check_integer(&self, narg: c_int) -> Result<i64, LuaRaise> {
        let n = self.to_integer(narg);
        if n == 0 && !self.is_number(narg) {
            return Err(self.type_error(narg, "number"));
        }
        Ok(n)
    }

    /// `luaL_optinteger`: `def` when the argument is none or nil.
    pub fn opt_integer(&self, narg: c_int, def: i64) -> Result<i64, LuaRaise> {
        if self.type_of(narg) <= ffi::LUA_TNIL {
            Ok(def)
        } else {
            self.check_integer(narg)
        }
    }

    /// `luaL_checktype`.
    pub fn check_type(&self, narg: c_int, t: c_int) -> Result<(), LuaRaise> {
        if self.type_of(narg) != t {
            return Err(self.type_error(narg, type_name_of(t)));
        }
        Ok(())
    }
}

/// `lua_typename`.
pub fn type_name_of(t: c_int) -> &'static str {
    match t {
        ffi::LUA_TNONE => "no value",
        ffi::LUA_TNIL => "nil",
        ffi::LUA_TBOOLEAN => "boolean",
        ffi::LUA_TLIGHTUSERDATA | ffi::LUA_TUSERDATA => "userdata",
        ffi::LUA_TNUMBER => "number",
        ffi::LUA_TSTRING => "string",
        ffi::LUA_TTABLE => "table",
        ffi::LUA_TFUNCTION => "function",
        ffi::LUA_TTHREAD => "thread",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::super::lua::{error_info, Vm, VmKind};
    use super::*;

    fn boom(_l: &mut Lua) -> Result<c_int, LuaRaise> {
        panic!("boom")
    }

    fn owns_then_fails(l: &mut Lua) -> Result<c_int, LuaRaise> {
        // Owned values are alive when the error is decided; the trampoline
        // raises only after they are dropped.
        let owned: Vec<String> = (0..3).map(|i| format!("v{i}")).collect();
        let arg = l.type_of(1);
        l.push_bytes(owned.join(",").as_bytes());
        match arg {
            ffi::LUA_TSTRING => Err(LuaRaise::table(b"-MYCODE went wrong".as_slice())),
            ffi::LUA_TNUMBER => Err(l.type_error(1, "table")),
            _ => Ok(1),
        }
    }

    fn too_many_results(_l: &mut Lua) -> Result<c_int, LuaRaise> {
        Ok(5)
    }

    fn bad_index(l: &mut Lua) -> Result<c_int, LuaRaise> {
        // A bug caught by the handle, not undefined behaviour.
        l.remove(-40);
        Ok(0)
    }

    lua_function!(BOOM => boom);
    lua_function!(OWNS_THEN_FAILS => owns_then_fails);
    lua_function!(TOO_MANY_RESULTS => too_many_results);
    lua_function!(BAD_INDEX => bad_index);

    /// Runs `code` as a script chunk with the test functions as globals;
    /// returns the error message ("ERR ..."), or the result as a string.
    fn run(code: &str) -> Result<String, String> {
        let mut vm = Vm::new(VmKind::Eval, false);
        let mut l = vm.lua();
        l.get_registry(super::super::lua::REG_GLOBALS);
        let g = l.top();
        for (name, f) in [
            (b"boom".as_slice(), BOOM),
            (b"owns_then_fails", OWNS_THEN_FAILS),
            (b"too_many_results", TOO_MANY_RESULTS),
            (b"bad_index", BAD_INDEX),
        ] {
            l.push_cfunction(f);
            l.raw_set_field(g, name);
        }
        l.set_top(0);
        l.load(code.as_bytes(), c"@user_script")
            .map_err(|e| String::from_utf8_lossy(&e).into_owned())?;
        if l.pcall(0, 1, 0) != 0 {
            let info = error_info(&mut l, -1);
            return Err(String::from_utf8_lossy(&info.msg.unwrap_or_default()).into_owned());
        }
        let out = l.to_bytes(-1).map(|b| String::from_utf8_lossy(b).into_owned());
        l.set_top(0);
        Ok(out.unwrap_or_else(|| "<not a string>".into()))
    }

    #[test]
    fn errors_are_raised_after_the_body_returns() {
        assert_eq!(
            run("return owns_then_fails(1)"),
            Err("ERR user_script:1: bad argument #1 to 'owns_then_fails' (table expected, got number)".into())
        );
        // An error table keeps its code and is raised as a table (which
        // our pcall turns into its `err` string).
        assert_eq!(
            run("local ok, e = pcall(owns_then_fails, 'x') return type(e) .. ' ' .. e"),
            Ok("string MYCODE went wrong".into())
        );
        assert_eq!(
            run("local ok, e = pcall(function() owns_then_fails('x') end) return e"),
            Ok("MYCODE went wrong".into())
        );
        assert_eq!(run("return owns_then_fails()"), Ok("v0,v1,v2".into()));
    }

    #[test]
    fn panics_and_bugs_become_lua_errors() {
        assert_eq!(run("return boom()"), Err("ERR user_script:1: internal error: boom".into()));
        // The interpreter keeps working after a caught panic (called
        // straight from pcall, a C function: no position).
        assert_eq!(
            run("local ok, e = pcall(boom) return tostring(ok) .. ' ' .. e .. ' ' .. bit.tohex(255, 2)"),
            Ok("false internal error: boom ff".into())
        );
        let e = run("return too_many_results()").unwrap_err();
        assert!(e.contains("internal error: a C function returned 5 results"), "{e}");
        let e = run("return bad_index()").unwrap_err();
        assert!(e.contains("internal error: Lua stack index -40 is not valid"), "{e}");
    }

    #[test]
    fn protected_reads_return_metamethod_errors() {
        let mut vm = Vm::new(VmKind::Eval, false);
        let mut l = vm.lua();
        l.load(
            b"return setmetatable({}, {__index = function(t, k) error('no ' .. k, 0) end})",
            c"=t",
        )
        .unwrap_or_else(|e| panic!("{}", String::from_utf8_lossy(&e)));
        assert_eq!(l.pcall(0, 1, 0), 0);
        assert!(matches!(l.get_field_protected(-1, b"err"), Err(LuaRaise::Top)));
        assert_eq!(l.to_bytes(-1), Some(b"no err".as_slice()));
        l.pop(1);
        // A plain table reads normally.
        l.create_table(0, 1);
        l.push_bytes(b"v");
        l.raw_set_field(-2, b"err");
        assert_eq!(l.get_field_protected(-1, b"err").ok(), Some(ffi::LUA_TSTRING));
        assert_eq!(l.to_bytes(-1), Some(b"v".as_slice()));
    }

    #[test]
    fn slot_masks_cover_slots_1_to_64_only() {
        assert_eq!(slot_bit(c_int::MIN), 0);
        assert_eq!(slot_bit(-1), 0);
        assert_eq!(slot_bit(0), 0);
        assert_eq!(slot_bit(1), 1);
        assert_eq!(slot_bit(64), 1 << 63);
        assert_eq!(slot_bit(65), 0);
        assert_eq!(slot_bit(c_int::MAX), 0);
        assert_eq!(slots_below(1), 0);
        assert_eq!(slots_below(2), 1);
        assert_eq!(slots_below(64), u64::MAX >> 1);
        assert_eq!(slots_below(65), u64::MAX);
        assert_eq!(slots_below(c_int::MAX), u64::MAX);
    }

    #[test]
    #[should_panic(expected = "is not valid")]
    fn out_of_range_indexes_panic() {
        let mut vm = Vm::new(VmKind::Eval, false);
        let l = vm.lua();
        l.type_of(-3);
    }

    #[test]
    #[should_panic(expected = "key that is not in the table")]
    fn a_key_converted_during_traversal_panics_instead_of_raising() {
        let mut vm = Vm::new(VmKind::Eval, false);
        let mut l = vm.lua();
        l.create_table(0, 0);
        l.push_number(5.0);
        l.push_bool(true);
        l.raw_set(1);
        l.push_nil();
        assert!(l.next(1));
        l.pop(1);
        // lua_tolstring turns the number key into the string "5".
        assert_eq!(l.to_bytes(-1), Some(b"5".as_slice()));
        l.next(1);
    }

    #[test]
    fn traversals_visit_every_pair() {
        let mut vm = Vm::new(VmKind::Eval, false);
        let mut l = vm.lua();
        l.create_table(0, 0);
        for i in 1..=50 {
            l.push_bytes(format!("k{i}").as_bytes());
            l.push_number(f64::from(i));
            l.raw_set(1);
        }
        let mut sum = 0.0;
        l.push_nil();
        while l.next(1) {
            // A nested traversal in between makes the next step check.
            l.create_table(0, 0);
            l.push_nil();
            assert!(!l.next(-2));
            l.pop(1);
            sum += l.to_number(-1);
            l.pop(1);
        }
        assert_eq!(sum, 1275.0);
        assert_eq!(l.top(), 1);
    }

    #[test]
    #[should_panic(expected = "not a table")]
    fn table_operations_check_the_type() {
        let mut vm = Vm::new(VmKind::Eval, false);
        let l = vm.lua();
        l.push_number(1.0);
        l.raw_geti(-1, 1);
    }

    #[test]
    fn lauxlib_checks_match_their_messages() {
        assert_eq!(
            run("return math.random(0)"),
            Err("ERR user_script:1: math.random can only be called inside a script invocation".into())
        );
        assert_eq!(
            run("return bit.band('x')"),
            Err("ERR user_script:1: bad argument #1 to 'band' (number expected, got string)".into())
        );
        assert_eq!(
            run("return cmsgpack.unpack_limit('', 'z')"),
            Err("ERR user_script:1: bad argument #2 to 'unpack_limit' (number expected, got string)".into())
        );
        assert_eq!(
            run("return unpack({1}, 1, 1e10)"),
            Err("ERR user_script:1: too many results to unpack".into())
        );
        // A count that overflows c_int next to the stack top.
        assert_eq!(
            run("return unpack({1, 2, 3}, -2147483648, -2)"),
            Err("ERR user_script:1: too many results to unpack".into())
        );
        assert_eq!(
            run("return unpack(1)"),
            Err("ERR user_script:1: bad argument #1 to 'unpack' (table expected, got number)".into())
        );
    }
}
