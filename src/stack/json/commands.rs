//! The JSON.* commands (RedisJSON 2.8's `commands.rs`, `key_value.rs` and
//! the IValue manager), over our document tape.
//!
//! The behaviour is that of RedisJSON's 2.8 branch as last released
//! (2.8.19): its fixes to the order of mutations (DEL with numeric paths,
//! ARRPOP/ARRTRIM/ARRINSERT over nested matches) and to DEBUG MEMORY's
//! figures are in.
//!
//! Replies follow RedisJSON byte for byte: a `$` path answers with one
//! value per match (an array, or in RESP2 JSON text of an array), a legacy
//! path (`.a`, `a`) with the first match alone and errors of its own.
//! Errors are the module's texts, which are not all `ERR`-coded: JSON
//! parse and path compile errors, "Existing key has wrong Redis type" and
//! the argument parsing errors of the module SDK reach the client as they
//! are.
//!
//! Edits go through `tape::splice`: each mutation re-finds its target by
//! its steps from the root, so several edits in one command run in the
//! order RedisJSON applies them (deepest and highest index first for
//! deletions and SET, see `prepare_paths_for_updating`) and every later
//! edit sees the earlier ones. Object keys are removed the way ijson
//! removes them: the last pair moves into the freed place.
//!
//! Every write ends with one `key_modified` per key, firing the module's
//! event (`json.set`, `json.del` ...); the command then propagates as it
//! was given (`RedisModule_ReplicateVerbatim`).

use super::path::{self, Path};
use super::tape::{self, Kind, Step};
use super::Json;
use crate::config::special::notify;
use crate::db::change::Event;
use crate::error::Error;
use crate::object::{NewValue, Obj};
use crate::resp::reply::ReplyBuf;
use crate::server::{CmdResult, Ctx, Server};
use crate::stack::StackValue;
use std::borrow::Cow;
use std::cmp::Ordering;

// ---------------------------------------------------------------------------
// Errors (the module's texts)
// ---------------------------------------------------------------------------

const WRONG_KEY_TYPE: Error = Error::err("Existing key has wrong Redis type");
const NO_SUCH_KEY: Error = Error::err("ERR could not perform this operation on a key that doesn't exist");
const NOT_UTF8: Error = Error::err("Couldn't parse as UTF-8 string");
const NOT_INTEGER: Error = Error::err("Couldn't parse as integer");
const NOT_ROOT: Error = Error::err("ERR new objects must be created at the root");
const WRONG_REPLY_FORMAT: Error = Error::err("ERR wrong reply format");
const FORMAT_RESP2: Error = Error::err("ERR FORMAT argument is not supported on RESP2");

/// `RedisModule_WrongArity`: names the command as the client typed it.
fn wrong_arity(argv: &[&[u8]]) -> Error {
    Error::msg(format!(
        "ERR wrong number of arguments for '{}' command",
        String::from_utf8_lossy(argv[0])
    ))
}

fn path_missing(p: &str) -> Error {
    Error::msg(format!("ERR Path '{p}' does not exist"))
}

fn path_missing_or(p: &str, or: &str) -> Error {
    Error::msg(format!("ERR Path '{p}' does not exist or {or}"))
}

fn expected(what: &str, found: &str) -> Error {
    Error::msg(format!("WRONGTYPE wrong type of path value - expected {what} but found {found}"))
}

/// A JSON argument as the module parses it: serde_json's message alone.
fn parse_value(text: &[u8]) -> Result<Vec<u8>, Error> {
    std::str::from_utf8(text).map_err(|_| NOT_UTF8)?;
    tape::parse(text, true).map_err(|e| Error::msg(e.0))
}

/// A JSON argument parsed inside a command body (`serde_json::from_str(..)?`
/// into a `RedisError`): the message gets an `ERR` prefix there.
fn parse_value_err(text: &[u8]) -> Result<Vec<u8>, Error> {
    std::str::from_utf8(text).map_err(|_| NOT_UTF8)?;
    tape::parse(text, true).map_err(|e| Error::msg(format!("ERR {}", e.0)))
}

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

/// The module SDK's argument iterator (`NextArg`).
struct Args<'a> {
    argv: &'a [&'a [u8]],
    i: usize,
}

impl<'a> Args<'a> {
    fn new(argv: &'a [&'a [u8]]) -> Args<'a> {
        Args { argv, i: 1 }
    }

    fn remaining(&self) -> usize {
        self.argv.len() - self.i
    }

    fn next(&mut self) -> Option<&'a [u8]> {
        let a = self.argv.get(self.i).copied();
        if a.is_some() {
            self.i += 1;
        }
        a
    }

    fn next_arg(&mut self) -> Result<&'a [u8], Error> {
        self.next().ok_or_else(|| wrong_arity(self.argv))
    }

    fn next_str(&mut self) -> Result<&'a str, Error> {
        let a = self.next_arg()?;
        std::str::from_utf8(a).map_err(|_| NOT_UTF8)
    }

    fn next_i64(&mut self) -> Result<i64, Error> {
        let a = self.next_arg()?;
        crate::util::num::parse_i64(a).ok_or(NOT_INTEGER)
    }
}

/// A path argument: its text, its `$` form, and whether it was legacy
/// (RedisJSON's `Path`). Compiled when a command needs it, as RedisJSON
/// does, so which error a bad path gives depends on the command.
struct PathArg<'a> {
    original: &'a str,
    fixed: Cow<'a, str>,
    legacy: bool,
}

impl<'a> PathArg<'a> {
    fn new(original: &'a str) -> PathArg<'a> {
        let (fixed, legacy) = path::fix_legacy(original.as_bytes());
        let fixed = match fixed {
            Cow::Borrowed(_) => Cow::Borrowed(original),
            Cow::Owned(v) => Cow::Owned(String::from_utf8(v).unwrap_or_default()),
        };
        PathArg { original, fixed, legacy }
    }

    fn default_root() -> PathArg<'a> {
        PathArg::new(".")
    }

    fn is_root(&self) -> bool {
        self.fixed == "$"
    }

    fn compile(&self) -> Result<Path, Error> {
        path::compile(self.fixed.as_bytes()).map_err(|e| Error::msg(e.0))
    }
}

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

fn event(name: &'static str) -> Event {
    Event::new(notify::MODULE, name)
}

/// The document at `key`, opened for reading (`RedisModule_OpenKey` READ).
fn read_doc<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s Json>, Error> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(e) => match e.obj_mut() {
            Some(Obj::Stack(StackValue::Json(j))) => Ok(Some(j)),
            _ => Err(WRONG_KEY_TYPE),
        },
    }
}

/// The document at `key`, opened for writing.
fn write_doc<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Result<Option<&'s mut Json>, Error> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(e) => match e.obj_mut() {
            Some(Obj::Stack(StackValue::Json(j))) => Ok(Some(j)),
            _ => Err(WRONG_KEY_TYPE),
        },
    }
}

/// The document at `key` after `write_doc` found it (no lookup side effects).
fn doc_mut<'s>(srv: &'s mut Server, db: usize, key: &[u8]) -> Option<&'s mut Json> {
    match srv.dbs[db].find_mut(key).and_then(|e| e.obj_mut()) {
        Some(Obj::Stack(StackValue::Json(j))) => Some(j),
        _ => None,
    }
}

fn new_doc(tape: Vec<u8>) -> NewValue<'static> {
    NewValue::Obj(Box::new(Obj::Stack(StackValue::Json(Box::new(Json::from_tape(tape))))))
}

impl Json {
    /// Runs `f` over the tape as a growable buffer.
    fn edit<R>(&mut self, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        let mut t = std::mem::take(&mut self.tape).into_vec();
        let r = f(&mut t);
        self.tape = t.into_boxed_slice();
        r
    }
}

// ---------------------------------------------------------------------------
// Edits on a tape, by steps from the root
// ---------------------------------------------------------------------------

/// Replaces the node at `steps` with `node` (the whole document for no
/// steps). False when the steps lead nowhere.
fn replace_at(t: &mut Vec<u8>, steps: &[Step], node: &[u8]) -> bool {
    if steps.is_empty() {
        t.clear();
        t.extend_from_slice(node);
        return true;
    }
    let Some(loc) = tape::locate(t, steps) else { return false };
    let end = tape::node_end(t, loc.pos);
    tape::splice(t, &loc.ancestors, loc.pos..end, node, 0);
    true
}

/// Removes the node at `steps` from its parent: an array element, or an
/// object pair whose place the object's last pair takes (ijson's removal).
fn delete_at(t: &mut Vec<u8>, steps: &[Step]) -> bool {
    if steps.is_empty() {
        return false;
    }
    let Some(loc) = tape::locate(t, steps) else { return false };
    let end = tape::node_end(t, loc.pos);
    let Some(&parent) = loc.ancestors.last() else { return false };
    match loc.key {
        None => tape::splice(t, &loc.ancestors, loc.pos..end, &[], -1),
        Some(k) => {
            let (_, _, body_end) = tape::container(t, parent);
            let last = tape::children(t, parent).last().and_then(|(lk, _)| lk).unwrap_or(k);
            if last == k {
                tape::splice(t, &loc.ancestors, k..end, &[], -1);
            } else {
                let mut moved = t[last..body_end].to_vec();
                moved.extend_from_slice(&t[end..last]);
                tape::splice(t, &loc.ancestors, k..body_end, &moved, -1);
            }
        }
    }
    true
}

/// Adds `key: node` at the end of the object at `steps` when it is an
/// object without that key (ijson's `dict_add`).
fn add_key(t: &mut Vec<u8>, steps: &[Step], key: &[u8], node: &[u8]) -> bool {
    let Some(loc) = tape::locate(t, steps) else { return false };
    if tape::kind(t, loc.pos) != Kind::Obj || tape::get_key(t, loc.pos, key).is_some() {
        return false;
    }
    let (_, _, body_end) = tape::container(t, loc.pos);
    let mut pair = Vec::with_capacity(key.len() + node.len() + 4);
    tape::push_str_node(&mut pair, key);
    pair.extend_from_slice(node);
    let mut ancestors = loc.ancestors;
    ancestors.push(loc.pos);
    tape::splice(t, &ancestors, body_end..body_end, &pair, 1);
    true
}

/// Replaces a byte range of the body of the container at `steps`,
/// changing its child count by `delta`.
fn edit_body(t: &mut Vec<u8>, steps: &[Step], range: std::ops::Range<usize>, new: &[u8], delta: isize) {
    if let Some(loc) = tape::locate(t, steps) {
        let mut ancestors = loc.ancestors;
        ancestors.push(loc.pos);
        tape::splice(t, &ancestors, range, new, delta);
    }
}

/// The byte offset of element `i` of the array at `pos` (the body's end
/// for `i == len`).
fn element_offset(t: &[u8], pos: usize, i: usize) -> usize {
    tape::children(t, pos)
        .nth(i)
        .map(|(_, v)| v)
        .unwrap_or_else(|| tape::container(t, pos).2)
}

/// A node copied out of a tape, as a tape of its own.
fn node_bytes(t: &[u8], pos: usize) -> Vec<u8> {
    t[pos..tape::node_end(t, pos)].to_vec()
}

// ---------------------------------------------------------------------------
// Path evaluation helpers
// ---------------------------------------------------------------------------

/// Every match of `path`: positions and steps.
fn matches(t: &[u8], p: &Path) -> Vec<path::Match> {
    if p.segs.is_empty() {
        return vec![path::Match { pos: 0, steps: Vec::new() }];
    }
    path::select_tracked(t, p)
}

fn positions(t: &[u8], p: &Path) -> Vec<usize> {
    path::select(t, p)
}

/// RedisJSON's `get_first`: the first match or "Path ... does not exist"
/// naming the path it was given (the `$` form).
fn first(t: &[u8], pa: &PathArg<'_>) -> Result<usize, Error> {
    let p = pa.compile()?;
    positions(t, &p).first().copied().ok_or_else(|| path_missing(&pa.fixed))
}

/// A step as `to_string_path` writes it.
fn step_text(s: &Step) -> String {
    match s {
        Step::Key(k) => String::from_utf8_lossy(k).into_owned(),
        Step::Index(i) => i.to_string(),
    }
}

/// RedisJSON's order for mutating several matches in place: longer paths
/// before their prefixes, keys in string order and before indexes, higher
/// indexes before lower ones (steps compared as text, a key that reads as
/// a number counting as an index, as RedisJSON's does).
fn compare_for_mutation(a: &[String], b: &[String]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        match (a.get(i), b.get(i)) {
            (Some(_), None) => return Ordering::Less,
            (None, Some(_)) => return Ordering::Greater,
            (Some(p1), Some(p2)) => match (p1.parse::<usize>(), p2.parse::<usize>()) {
                (Err(_), Err(_)) => match p1.cmp(p2) {
                    Ordering::Equal => continue,
                    o => return o,
                },
                (Ok(_), Err(_)) => return Ordering::Greater,
                (Err(_), Ok(_)) => return Ordering::Less,
                (Ok(i1), Ok(i2)) => match i2.cmp(&i1) {
                    Ordering::Equal => continue,
                    o => return o,
                },
            },
            (None, None) => break,
        }
    }
    Ordering::Equal
}

/// The indexes of the matches that passed, in the order the array
/// mutations (ARRPOP, ARRTRIM, ARRINSERT) apply them, so no mutation moves
/// an element a later one still has to find.
fn mutation_order(found: &[Option<Vec<Step>>]) -> Vec<usize> {
    let mut order: Vec<(usize, Vec<String>)> = found
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.as_ref().map(|s| (i, s.iter().map(step_text).collect())))
        .collect();
    order.sort_by(|(_, a), (_, b)| compare_for_mutation(a, b));
    order.into_iter().map(|(i, _)| i).collect()
}

/// Runs `f` on each passing match in `order`; the results by match index.
fn in_order<T>(found: &[Option<Vec<Step>>], order: &[usize], mut f: impl FnMut(usize, &[Step]) -> Option<T>) -> Vec<Option<T>> {
    let mut out: Vec<Option<T>> = (0..found.len()).map(|_| None).collect();
    for &j in order {
        if let Some(steps) = &found[j] {
            out[j] = f(j, steps);
        }
    }
    out
}

/// RedisJSON's `prepare_paths_for_updating` (DEL, SET): sorted for
/// mutation, then a path nested under another match is dropped (the
/// comma-joined texts compared, numbers as numbers).
fn prepare_paths_for_updating(paths: &mut Vec<Vec<Step>>) {
    if paths.len() < 2 {
        return;
    }
    let mut texts: Vec<(Vec<String>, Vec<Step>)> = std::mem::take(paths)
        .into_iter()
        .map(|p| (p.iter().map(step_text).collect(), p))
        .collect();
    texts.sort_by(|(a, _), (b, _)| compare_for_mutation(a, b));
    let mut joined: Vec<String> = texts.iter().map(|(s, _)| s.join(",")).collect();
    joined.sort_by(|a, b| match (a.parse::<usize>(), b.parse::<usize>()) {
        (Ok(i1), Ok(i2)) => i1.cmp(&i2),
        _ => a.cmp(b),
    });
    for (s, p) in texts {
        let me = s.join(",");
        let ancestor = joined
            .iter()
            .find(|q| me.starts_with(q.as_str()) && (me.len() == q.len() || me.as_bytes()[q.len()] == b','));
        if ancestor.is_some_and(|q| *q == me) {
            paths.push(p);
        }
    }
}

// ---------------------------------------------------------------------------
// Serializing replies
// ---------------------------------------------------------------------------

/// JSON.GET's FORMAT (and ARRPOP's).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ReplyFormat {
    String,
    Strings,
    Expand1,
    Expand,
}

impl ReplyFormat {
    fn parse(s: &str) -> Result<ReplyFormat, Error> {
        Ok(match s {
            "STRING" => ReplyFormat::String,
            "STRINGS" => ReplyFormat::Strings,
            "EXPAND1" => ReplyFormat::Expand1,
            "EXPAND" => ReplyFormat::Expand,
            _ => return Err(WRONG_REPLY_FORMAT),
        })
    }
}

/// Formatting options of a reply.
struct Fmt<'a> {
    format: ReplyFormat,
    text: tape::Format<'a>,
    resp3: bool,
}

impl Fmt<'_> {
    /// Replies are RESP3 structures, not JSON text.
    fn resp3_reply(&self) -> bool {
        self.resp3 && self.format != ReplyFormat::String && self.format != ReplyFormat::Strings
    }
}

/// The JSON text of an array of nodes (possibly of different tapes).
fn array_text(nodes: &[(&[u8], usize)], fmt: &tape::Format<'_>) -> Vec<u8> {
    if fmt.is_compact() {
        let mut out = Vec::with_capacity(nodes.iter().map(|(t, p)| tape::node_end(t, *p) - p).sum::<usize>() + nodes.len() + 2);
        out.push(b'[');
        for (i, (t, p)) in nodes.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            tape::write(t, *p, fmt, &mut out);
        }
        out.push(b']');
        return out;
    }
    let mut body = Vec::new();
    for (t, p) in nodes {
        body.extend_from_slice(&t[*p..tape::node_end(t, *p)]);
    }
    let tmp = tape::container_node(tape::ARR, nodes.len(), &body);
    let mut out = Vec::with_capacity(tmp.len() * 2);
    tape::write(&tmp, 0, fmt, &mut out);
    out
}

/// Replies with a bulk string that `fill` appends, written straight into
/// the reply buffer: room for the length header is left for a length of
/// about `guess` bytes, and the text moves only if its length has another
/// number of digits.
fn bulk_into(r: &mut ReplyBuf, guess: usize, fill: impl FnOnce(&mut Vec<u8>)) {
    let digits = |n: usize| n.checked_ilog10().unwrap_or(0) as usize + 1;
    let room = digits(guess) + 3;
    let start = r.buf.len();
    r.buf.resize(start + room, 0);
    fill(&mut r.buf);
    let n = r.buf.len() - start - room;
    let mut tmp = [0u8; crate::util::num::LONG_STR_SIZE];
    let len = crate::util::num::fmt_i64(n as i64, &mut tmp);
    let h = len.len() + 3;
    if h == room {
        r.buf[start] = b'$';
        r.buf[start + 1..start + h - 2].copy_from_slice(len);
        r.buf[start + h - 2..start + h].copy_from_slice(b"\r\n");
    } else {
        let mut hdr = Vec::with_capacity(h);
        hdr.push(b'$');
        hdr.extend_from_slice(len);
        hdr.extend_from_slice(b"\r\n");
        r.buf.splice(start..start + room, hdr);
    }
    r.buf.extend_from_slice(b"\r\n");
}

/// Replies with the compact JSON array of the nodes at `found`, printed
/// straight into the reply buffer.
fn bulk_compact_array(r: &mut ReplyBuf, t: &[u8], found: &[usize]) {
    let guess = found.iter().map(|&v| tape::node_end(t, v) - v + 1).sum::<usize>() + 1;
    bulk_into(r, guess, |out| {
        out.push(b'[');
        for (i, &v) in found.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            tape::write_compact(t, v, out);
        }
        out.push(b']');
    });
}

fn node_text(t: &[u8], pos: usize, fmt: &tape::Format<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(tape::node_end(t, pos) - pos + 16);
    tape::write(t, pos, fmt, &mut out);
    out
}

/// A number node as a reply: integers as integers, the rest as doubles.
fn reply_number(r: &mut ReplyBuf, t: &[u8], pos: usize) {
    match tape::kind(t, pos) {
        Kind::Int => r.int(tape::int_value(t, pos)),
        _ => r.double(tape::f64_value(t, pos)),
    }
}

/// A value as RESP3 (`value_to_resp3`): EXPAND turns containers into
/// arrays and maps all the way down, EXPAND1 sends them as JSON text.
/// Pre-order tape order is reply order, so this is one linear pass.
fn reply_resp3_value(r: &mut ReplyBuf, t: &[u8], pos: usize, fmt: &Fmt<'_>) {
    let end = tape::node_end(t, pos);
    let mut at = pos;
    while at < end {
        match tape::kind(t, at) {
            Kind::Arr | Kind::Obj if fmt.format != ReplyFormat::Expand => {
                r.bulk(&node_text(t, at, &fmt.text));
                at = tape::node_end(t, at);
            }
            Kind::Arr => {
                let (n, body, _) = tape::container(t, at);
                r.array_len(n);
                at = body;
            }
            Kind::Obj => {
                let (n, body, _) = tape::container(t, at);
                r.map_len(n);
                at = body;
            }
            k => {
                reply_scalar(r, t, at, k);
                at = tape::node_end(t, at);
            }
        }
    }
}

fn reply_scalar(r: &mut ReplyBuf, t: &[u8], at: usize, k: Kind) {
    match k {
        Kind::Null => r.null(),
        Kind::Bool => r.bool(tape::bool_value(t, at)),
        Kind::Int | Kind::UInt | Kind::Float => reply_number(r, t, at),
        _ => r.bulk(&tape::str_raw(t, at)),
    }
}

fn reply_resp3_values(r: &mut ReplyBuf, t: &[u8], list: &[usize], fmt: &Fmt<'_>) {
    r.array_len(list.len());
    for &p in list {
        reply_resp3_value(r, t, p, fmt);
    }
}

/// JSON.RESP's form of a value: `[` / `{` markers as status replies,
/// booleans as `true`/`false` status replies.
fn reply_resp_form(r: &mut ReplyBuf, t: &[u8], pos: usize) {
    let end = tape::node_end(t, pos);
    let mut at = pos;
    while at < end {
        match tape::kind(t, at) {
            Kind::Arr => {
                let (n, body, _) = tape::container(t, at);
                r.array_len(n + 1);
                r.status(b"[");
                at = body;
            }
            Kind::Obj => {
                let (n, body, _) = tape::container(t, at);
                r.array_len(2 * n + 1);
                r.status(b"{");
                at = body;
            }
            Kind::Bool => {
                r.status(if tape::bool_value(t, at) { b"true" } else { b"false" });
                at += 1;
            }
            k => {
                reply_scalar(r, t, at, k);
                at = tape::node_end(t, at);
            }
        }
    }
}

fn reply_opt_ints(r: &mut ReplyBuf, list: &[Option<i64>]) {
    r.array_len(list.len());
    for v in list {
        match v {
            Some(i) => r.int(*i),
            None => r.null(),
        }
    }
}

// ---------------------------------------------------------------------------
// JSON.SET / JSON.MSET / JSON.MERGE
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetMode {
    None,
    Nx,
    Xx,
    Merge,
}

/// One planned update (RedisJSON's `UpdateInfo`).
enum Update {
    /// Replace (or merge into) the value at these steps.
    Set(Vec<Step>),
    /// Add a key to the object at these steps.
    Add(Vec<Step>, Vec<u8>),
}

/// RedisJSON's `find_paths`: the updates a non-root SET or MERGE makes.
fn find_updates(t: &[u8], pa: &PathArg<'_>, mode: SetMode) -> Result<Vec<Update>, Error> {
    let p = pa.compile()?;
    if mode != SetMode::Nx {
        let mut found: Vec<Vec<Step>> = matches(t, &p).into_iter().map(|m| m.steps).collect();
        if mode != SetMode::Merge {
            prepare_paths_for_updating(&mut found);
        }
        if !found.is_empty() {
            return Ok(found.into_iter().map(Update::Set).collect());
        }
    }
    if mode == SetMode::Xx {
        return Ok(Vec::new());
    }
    // find_add_paths: only a static path can create something.
    if !p.is_static() {
        return Err(Error::err("Err wrong static path"));
    }
    let Some(last) = p.segs.last() else {
        return Err(Error::err("Err path must end with object key to set"));
    };
    match last {
        path::Seg::Keys(keys) => {
            let key = keys.first().cloned().unwrap_or_default();
            if p.segs.len() == 1 {
                return Ok(vec![Update::Add(Vec::new(), key)]);
            }
            let parent = &p.segs[..p.segs.len() - 1];
            Ok(path::eval(t, 0, 0, parent, true)
                .into_iter()
                .map(|m| Update::Add(m.steps, key.clone()))
                .collect())
        }
        _ => {
            if positions(t, &p).is_empty() {
                Err(Error::err("ERR array index out of range"))
            } else {
                Ok(Vec::new())
            }
        }
    }
}

/// Applies planned updates; true if anything changed.
fn apply_updates(t: &mut Vec<u8>, updates: &[Update], node: &[u8], merge: bool) -> bool {
    let mut changed = false;
    for u in updates {
        changed |= match u {
            Update::Set(steps) if merge => merge_at(t, steps, node),
            Update::Set(steps) => replace_at(t, steps, node),
            Update::Add(steps, key) => add_key(t, steps, key, node),
        };
    }
    changed
}

/// RFC 7396 merge of `patch` into the value at `steps` (ijson's `merge`).
fn merge_at(t: &mut Vec<u8>, steps: &[Step], patch: &[u8]) -> bool {
    let Some(loc) = tape::locate(t, steps) else { return false };
    let merged = merge_nodes(t, Some(loc.pos), patch, 0);
    replace_at(t, steps, &merged)
}

/// A value in an object being merged: still where it was, or rebuilt.
enum Held {
    At(usize),
    Owned(Vec<u8>),
}

/// The merge of the patch node at `pp` into the document node at `dp`
/// (absent: null). Recursion follows the patch, whose depth client input
/// limits to 128 levels.
fn merge_nodes(doc: &[u8], dp: Option<usize>, patch: &[u8], pp: usize) -> Vec<u8> {
    if tape::kind(patch, pp) != Kind::Obj {
        return node_bytes(patch, pp);
    }
    // (key raw, key node bytes, value)
    let mut pairs: Vec<(Vec<u8>, Vec<u8>, Held)> = Vec::new();
    if let Some(dp) = dp.filter(|&d| tape::kind(doc, d) == Kind::Obj) {
        for (k, v) in tape::children(doc, dp) {
            let k = k.unwrap_or(v);
            pairs.push((tape::str_raw(doc, k).into_owned(), doc[k..v].to_vec(), Held::At(v)));
        }
    }
    for (k, v) in tape::children(patch, pp) {
        let k = k.unwrap_or(v);
        let raw = tape::str_raw(patch, k).into_owned();
        let idx = pairs.iter().position(|(r, _, _)| *r == raw);
        if tape::kind(patch, v) == Kind::Null {
            if let Some(i) = idx {
                pairs.swap_remove(i);
            }
            continue;
        }
        match idx {
            Some(i) => {
                let cur = match &pairs[i].2 {
                    Held::At(p) => merge_nodes(doc, Some(*p), patch, v),
                    Held::Owned(b) => merge_nodes(b, Some(0), patch, v),
                };
                pairs[i].2 = Held::Owned(cur);
            }
            None => {
                let node = merge_nodes(&[], None, patch, v);
                pairs.push((raw, patch[k..v].to_vec(), Held::Owned(node)));
            }
        }
    }
    let mut body = Vec::new();
    for (_, key, val) in &pairs {
        body.extend_from_slice(key);
        match val {
            Held::At(p) => body.extend_from_slice(&doc[*p..tape::node_end(doc, *p)]),
            Held::Owned(b) => body.extend_from_slice(b),
        }
    }
    tape::container_node(tape::OBJ, pairs.len(), &body)
}

/// `JSON.SET key path value [NX | XX] [FORMAT fmt]`
pub fn json_set_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let pa = PathArg::new(args.next_str()?);
    let value = args.next_arg()?;
    std::str::from_utf8(value).map_err(|_| NOT_UTF8)?;
    let mut mode = SetMode::None;
    while let Some(a) = args.next() {
        let a = std::str::from_utf8(a).map_err(|_| NOT_UTF8)?;
        if a.eq_ignore_ascii_case("NX") && mode == SetMode::None {
            mode = SetMode::Nx;
        } else if a.eq_ignore_ascii_case("XX") && mode == SetMode::None {
            mode = SetMode::Xx;
        } else if a.eq_ignore_ascii_case("FORMAT") {
            parse_input_format(args.next_str()?)?;
        } else {
            return Err(Error::Syntax);
        }
    }
    let db = ctx.dbi();
    let exists = write_doc(ctx.srv, db, key)?.is_some();
    // (The text was checked to be UTF-8 above.)
    let node = tape::parse(value, true).map_err(|e| Error::msg(e.0))?;
    let done = if exists {
        let Some(doc) = doc_mut(ctx.srv, db, key) else {
            return Err(NO_SUCH_KEY);
        };
        if pa.is_root() {
            if mode == SetMode::Nx {
                false
            } else {
                // The new tape replaces the old one whole (no copy).
                *doc = Json::from_tape(node);
                true
            }
        } else {
            let updates = find_updates(doc.tape(), &pa, mode)?;
            doc.edit(|t| apply_updates(t, &updates, &node, false))
        }
    } else if mode == SetMode::Xx {
        false
    } else if pa.is_root() {
        ctx.srv.db_add(db, key, new_doc(node));
        true
    } else {
        return Err(NOT_ROOT);
    };
    if done {
        ctx.c.reply.ok();
        ctx.key_modified(key, event("json.set"));
    } else {
        ctx.c.reply.null();
    }
    Ok(())
}

/// SET/MERGE's FORMAT: JSON and STRING read JSON text; BSON is not
/// built in.
fn parse_input_format(s: &str) -> Result<(), Error> {
    match s {
        "JSON" | "STRING" => Ok(()),
        "BSON" => Err(Error::err("ERR BSON format is not supported")),
        _ => Err(Error::err("ERR wrong format")),
    }
}

/// `JSON.MERGE key path value [FORMAT fmt]`
pub fn json_merge_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let pa = PathArg::new(args.next_str()?);
    let value = args.next_arg()?;
    std::str::from_utf8(value).map_err(|_| NOT_UTF8)?;
    while let Some(a) = args.next() {
        let a = std::str::from_utf8(a).map_err(|_| NOT_UTF8)?;
        if a.eq_ignore_ascii_case("FORMAT") {
            parse_input_format(args.next_str()?)?;
        } else {
            return Err(Error::Syntax);
        }
    }
    let db = ctx.dbi();
    let exists = write_doc(ctx.srv, db, key)?.is_some();
    // (The text was checked to be UTF-8 above.)
    let node = tape::parse(value, true).map_err(|e| Error::msg(e.0))?;
    let done = if exists {
        let Some(doc) = doc_mut(ctx.srv, db, key) else {
            return Err(NO_SUCH_KEY);
        };
        if pa.is_root() {
            doc.edit(|t| {
                let merged = merge_nodes(t, Some(0), &node, 0);
                replace_at(t, &[], &merged)
            })
        } else {
            let updates = find_updates(doc.tape(), &pa, SetMode::Merge)?;
            doc.edit(|t| apply_updates(t, &updates, &node, true))
        }
    } else if pa.is_root() {
        ctx.srv.db_add(db, key, new_doc(node));
        true
    } else {
        return Err(NOT_ROOT);
    };
    if done {
        ctx.c.reply.ok();
        ctx.key_modified(key, event("json.merge"));
    } else {
        ctx.c.reply.null();
    }
    Ok(())
}

/// One planned JSON.MSET triple: the key, its updates (None for the
/// root) and the value's tape.
type MsetStep<'a> = (&'a [u8], Option<Vec<Update>>, Vec<u8>);

/// `JSON.MSET key path value [key path value ...]`: every triple is
/// checked (key type, path, value) before any is applied.
pub fn json_mset_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    if args.remaining() < 3 {
        return Err(wrong_arity(argv));
    }
    let db = ctx.dbi();
    let mut plan: Vec<MsetStep<'_>> = Vec::new();
    while let Some(key) = args.next() {
        let doc = write_doc(ctx.srv, db, key)?;
        let pa = PathArg::new(args.next_str()?);
        let updates = if pa.is_root() {
            None
        } else if let Some(doc) = doc {
            Some(find_updates(doc.tape(), &pa, SetMode::None)?)
        } else {
            return Err(NOT_ROOT);
        };
        let node = parse_value(args.next_arg()?)?;
        plan.push((key, updates, node));
    }
    ctx.c.reply.ok();
    for (key, updates, node) in plan {
        let changed = match (updates, doc_mut(ctx.srv, db, key)) {
            (None, Some(doc)) => doc.edit(|t| replace_at(t, &[], &node)),
            (None, None) => {
                ctx.srv.db_add(db, key, new_doc(node));
                true
            }
            (Some(u), Some(doc)) => !u.is_empty() && doc.edit(|t| apply_updates(t, &u, &node, false)),
            (Some(_), None) => false,
        };
        if changed {
            ctx.key_modified(key, event("json.mset"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// JSON.GET / JSON.MGET / JSON.TYPE / JSON.RESP
// ---------------------------------------------------------------------------

/// The longest JSON.GET option name: longer arguments are paths.
const GET_OPTION_MAX_LEN: usize = 8;

/// `JSON.GET key [INDENT s] [NEWLINE s] [SPACE s] [FORMAT f] [path ...]`
pub fn json_get_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let mut paths: Vec<PathArg<'_>> = Vec::with_capacity(1);
    let mut fmt = Fmt {
        format: ReplyFormat::String,
        text: tape::Format::default(),
        resp3: ctx.c.reply.resp == 3,
    };
    // A non-UTF-8 argument ends the list, as the module's `while let Ok`.
    while let Some(Ok(arg)) = args.next().map(std::str::from_utf8) {
        if arg.len() > GET_OPTION_MAX_LEN {
            paths.push(PathArg::new(arg));
        } else if arg.eq_ignore_ascii_case("FORMAT") {
            if !fmt.resp3 && paths.is_empty() {
                return Err(FORMAT_RESP2);
            }
            let next = args.next_str()?;
            if next.eq_ignore_ascii_case("STRINGS") {
                return Err(WRONG_REPLY_FORMAT);
            }
            fmt.format = ReplyFormat::parse(next)?;
        } else if arg.eq_ignore_ascii_case("INDENT") {
            fmt.text.indent = Some(args.next_str()?.as_bytes());
        } else if arg.eq_ignore_ascii_case("NEWLINE") {
            fmt.text.newline = Some(args.next_str()?.as_bytes());
        } else if arg.eq_ignore_ascii_case("SPACE") {
            fmt.text.space = Some(args.next_str()?.as_bytes());
        } else if arg.eq_ignore_ascii_case("NOESCAPE") {
            continue;
        } else {
            paths.push(PathArg::new(arg));
        }
    }
    if paths.is_empty() {
        paths.push(PathArg::default_root());
    }
    let db = ctx.dbi();
    let Some(doc) = read_doc(ctx.srv, db, key)? else {
        ctx.c.reply.null();
        return Ok(());
    };
    let t = doc.tape();
    let r = &mut ctx.c.reply;
    if fmt.resp3_reply() {
        // One array of values per path; a path that does not compile
        // gives an empty one.
        r.array_len(paths.len());
        for pa in &paths {
            let found = pa.compile().map(|p| positions(t, &p)).unwrap_or_default();
            reply_resp3_values(r, t, &found, &fmt);
        }
        return Ok(());
    }
    let legacy = paths.iter().all(|p| p.legacy);
    if paths.len() > 1 {
        let text = get_multi_text(t, &paths, legacy, &fmt.text)?;
        r.bulk(&text);
        return Ok(());
    }
    let pa = &paths[0];
    if legacy {
        let pos = first(t, pa)?;
        bulk_into(r, tape::node_end(t, pos) - pos, |out| tape::write(t, pos, &fmt.text, out));
        return Ok(());
    }
    let p = pa.compile()?;
    let found = positions(t, &p);
    if fmt.text.is_compact() {
        bulk_compact_array(r, t, &found);
        return Ok(());
    }
    let nodes: Vec<(&[u8], usize)> = found.iter().map(|&p| (t, p)).collect();
    r.bulk(&array_text(&nodes, &fmt.text));
    Ok(())
}

/// RESP2's several-path JSON.GET: an object keyed by the paths as given
/// (each path once; RedisJSON's map has no fixed order, ours keeps the
/// first appearance). Paths that do not compile are left out.
fn get_multi_text(t: &[u8], paths: &[PathArg<'_>], legacy: bool, fmt: &tape::Format<'_>) -> Result<Vec<u8>, Error> {
    let mut seen: Vec<&str> = Vec::new();
    let mut body = Vec::new();
    let mut missing: Option<&str> = None;
    for pa in paths {
        let Ok(p) = pa.compile() else { continue };
        let found = positions(t, &p);
        if seen.contains(&pa.original) {
            continue;
        }
        seen.push(pa.original);
        tape::push_str_node(&mut body, pa.original.as_bytes());
        if legacy {
            match found.first() {
                Some(&v) => body.extend_from_slice(&t[v..tape::node_end(t, v)]),
                None => {
                    missing.get_or_insert(pa.original);
                    body.push(tape::NULL);
                }
            }
        } else {
            let mut arr = Vec::new();
            for &v in &found {
                arr.extend_from_slice(&t[v..tape::node_end(t, v)]);
            }
            body.extend_from_slice(&tape::container_node(tape::ARR, found.len(), &arr));
        }
    }
    if let Some(p) = missing {
        return Err(path_missing(p));
    }
    let obj = tape::container_node(tape::OBJ, seen.len(), &body);
    Ok(node_text(&obj, 0, fmt))
}

/// `JSON.MGET key [key ...] path`: a null for a key that is missing, not
/// JSON, or where the path fails.
pub fn json_mget_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    if argv.len() < 3 {
        return Err(wrong_arity(argv));
    }
    let pa = PathArg::new(std::str::from_utf8(argv[argv.len() - 1]).map_err(|_| NOT_UTF8)?);
    let compiled = pa.compile();
    let keys = &argv[1..argv.len() - 1];
    let db = ctx.dbi();
    // Each value is printed straight into the reply.
    let r = &mut ctx.c.reply;
    r.array_len(keys.len());
    for key in keys {
        let (Ok(Some(doc)), Ok(p)) = (read_doc(ctx.srv, db, key), &compiled) else {
            r.null();
            continue;
        };
        let t = doc.tape();
        let found = positions(t, p);
        if pa.legacy {
            match found.first() {
                Some(&v) => bulk_into(r, tape::node_end(t, v) - v, |out| tape::write_compact(t, v, out)),
                None => r.null(),
            }
        } else {
            bulk_compact_array(r, t, &found);
        }
    }
    Ok(())
}

/// `JSON.TYPE key [path]`
pub fn json_type_command(ctx: &mut Ctx) -> CmdResult {
    let ReadCall { pa, doc, r } = read_call(ctx)?;
    let resp3 = r.resp == 3;
    let names: Option<Vec<&'static str>> = match doc {
        None => None,
        Some(t) => {
            if pa.legacy {
                // A legacy path that finds nothing is a null, not an error.
                first(t, &pa).ok().map(|v| vec![tape::kind(t, v).type_name()])
            } else {
                let p = pa.compile()?;
                Some(positions(t, &p).into_iter().map(|v| tape::kind(t, v).type_name()).collect())
            }
        }
    };
    if resp3 {
        r.array_len(1);
    }
    match names {
        None => r.null(),
        Some(list) if pa.legacy => r.bulk(list.first().copied().unwrap_or("").as_bytes()),
        Some(list) => {
            r.array_len(list.len());
            for n in list {
                r.bulk(n.as_bytes());
            }
        }
    }
    Ok(())
}

/// An optional path argument (the legacy root when absent).
fn optional_path<'a>(args: &mut Args<'a>) -> Result<PathArg<'a>, Error> {
    match args.next() {
        None => Ok(PathArg::default_root()),
        Some(a) => Ok(PathArg::new(std::str::from_utf8(a).map_err(|_| NOT_UTF8)?)),
    }
}

/// What a read command of the form `CMD key [path]` works on: its path
/// (the legacy root when absent), the document's tape (None: no such key)
/// and the reply.
struct ReadCall<'c> {
    pa: PathArg<'c>,
    doc: Option<&'c [u8]>,
    r: &'c mut ReplyBuf,
}

/// The shared prologue of the `CMD key [path]` read commands.
fn read_call<'c>(ctx: &'c mut Ctx<'_>) -> Result<ReadCall<'c>, Error> {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let pa = optional_path(&mut args)?;
    let db = ctx.dbi();
    let doc = read_doc(ctx.srv, db, key)?.map(Json::tape);
    Ok(ReadCall {
        pa,
        doc,
        r: &mut ctx.c.reply,
    })
}

impl<'c> ReadCall<'c> {
    /// The document, or when there is none: a null reply for a legacy
    /// path (`Ok(None)`, nothing more to do) and `missing` for a `$` one.
    fn doc_or(&mut self, missing: impl FnOnce(&PathArg<'c>) -> Error) -> Result<Option<&'c [u8]>, Error> {
        match self.doc {
            Some(t) => Ok(Some(t)),
            None if self.pa.legacy => {
                self.r.null();
                Ok(None)
            }
            None => Err(missing(&self.pa)),
        }
    }
}

/// `JSON.RESP key [path]`
pub fn json_resp_command(ctx: &mut Ctx) -> CmdResult {
    let ReadCall { pa, doc, r } = read_call(ctx)?;
    let Some(t) = doc else {
        r.null();
        return Ok(());
    };
    if pa.legacy {
        let v = first(t, &pa)?;
        reply_resp_form(r, t, v);
    } else {
        let found = positions(t, &pa.compile()?);
        r.array_len(found.len());
        for v in found {
            reply_resp_form(r, t, v);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// JSON.DEL / JSON.FORGET / JSON.CLEAR / JSON.TOGGLE
// ---------------------------------------------------------------------------

/// `JSON.DEL key [path]` (and JSON.FORGET)
pub fn json_del_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let pa = optional_path(&mut args)?;
    let db = ctx.dbi();
    let Some(doc) = write_doc(ctx.srv, db, key)? else {
        ctx.c.reply.int(0);
        return Ok(());
    };
    let deleted = if pa.is_root() {
        ctx.srv.db_delete(db, key);
        1
    } else {
        let p = pa.compile()?;
        let mut paths: Vec<Vec<Step>> = matches(doc.tape(), &p).into_iter().map(|m| m.steps).collect();
        prepare_paths_for_updating(&mut paths);
        doc.edit(|t| paths.iter().filter(|s| delete_at(t, s)).count()) as i64
    };
    ctx.c.reply.int(deleted);
    if deleted > 0 {
        ctx.key_modified(key, event("json.del"));
    }
    Ok(())
}

/// `JSON.CLEAR key [path ...]`: empties containers and zeroes numbers
/// (only the first path counts, as in RedisJSON).
pub fn json_clear_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let mut paths = Vec::new();
    while let Some(a) = args.next() {
        paths.push(PathArg::new(std::str::from_utf8(a).map_err(|_| NOT_UTF8)?));
    }
    let pa = paths.into_iter().next().unwrap_or_else(PathArg::default_root);
    let db = ctx.dbi();
    let doc = write_doc(ctx.srv, db, key)?.ok_or(NO_SUCH_KEY)?;
    let p = pa.compile()?;
    let t = doc.tape();
    let targets: Vec<Vec<Step>> = matches(t, &p)
        .into_iter()
        .filter(|m| match tape::kind(t, m.pos) {
            Kind::Arr | Kind::Obj => tape::len(t, m.pos) > 0,
            Kind::Int => tape::int_value(t, m.pos) != 0,
            Kind::UInt | Kind::Float => tape::f64_value(t, m.pos) != 0.0,
            _ => false,
        })
        .map(|m| m.steps)
        .collect();
    let cleared = doc.edit(|t| {
        let mut n = 0i64;
        for steps in &targets {
            let Some(loc) = tape::locate(t, steps) else { continue };
            let node = match tape::kind(t, loc.pos) {
                Kind::Arr => tape::container_node(tape::ARR, 0, &[]),
                Kind::Obj => tape::container_node(tape::OBJ, 0, &[]),
                k if k.is_number() => {
                    let mut v = Vec::new();
                    tape::push_int_node(&mut v, 0);
                    v
                }
                _ => continue,
            };
            replace_at(t, steps, &node);
            n += 1;
        }
        n
    });
    ctx.c.reply.int(cleared);
    if cleared > 0 {
        ctx.key_modified(key, event("json.clear"));
    }
    Ok(())
}

/// The matches of a path that pass `keep`, with None for the others
/// (`find_all_paths`).
fn filtered(t: &[u8], p: &Path, keep: impl Fn(Kind) -> bool) -> Vec<Option<Vec<Step>>> {
    matches(t, p)
        .into_iter()
        .map(|m| keep(tape::kind(t, m.pos)).then_some(m.steps))
        .collect()
}

/// `JSON.TOGGLE key path`
pub fn json_toggle_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let pa = PathArg::new(args.next_str()?);
    let db = ctx.dbi();
    let doc = write_doc(ctx.srv, db, key)?.ok_or(NO_SUCH_KEY)?;
    let p = pa.compile()?;
    let found = filtered(doc.tape(), &p, |k| k == Kind::Bool);
    if pa.legacy && found.iter().all(|f| f.is_none()) {
        return Err(path_missing_or(&pa.fixed, "not a bool"));
    }
    let results: Vec<Option<bool>> = doc.edit(|t| {
        found
            .iter()
            .map(|f| {
                let steps = f.as_ref()?;
                let loc = tape::locate(t, steps)?;
                let now = !tape::bool_value(t, loc.pos);
                t[loc.pos] = if now { tape::TRUE } else { tape::FALSE };
                Some(now)
            })
            .collect()
    });
    let r = &mut ctx.c.reply;
    if pa.legacy {
        let last = results.iter().rev().flatten().next().copied().unwrap_or(false);
        r.bulk(if last { b"true" } else { b"false" });
    } else {
        r.array_len(results.len());
        for v in &results {
            match v {
                Some(b) => r.int(i64::from(*b)),
                None => r.null(),
            }
        }
    }
    if results.iter().any(|r| r.is_some()) {
        ctx.key_modified(key, event("json.toggle"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// JSON.NUMINCRBY / JSON.NUMMULTBY / JSON.NUMPOWBY
// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum NumOp {
    Incr,
    Mult,
    Pow,
}

/// One number operation as ijson does it: integer with integer wraps,
/// anything else is computed in doubles and must stay finite.
fn num_apply(op: NumOp, cur: tape::Num, by: tape::Num) -> Result<tape::Num, Error> {
    if let (tape::Num::I(a), tape::Num::I(b)) = (cur, by) {
        return Ok(tape::Num::I(match op {
            NumOp::Incr => a.wrapping_add(b),
            NumOp::Mult => a.wrapping_mul(b),
            NumOp::Pow => a.wrapping_pow(b as u32),
        }));
    }
    let (a, b) = (cur.as_f64(), by.as_f64());
    let f = match op {
        NumOp::Incr => a + b,
        NumOp::Mult => a * b,
        NumOp::Pow => a.powf(b),
    };
    if !f.is_finite() {
        return Err(Error::err("result is not a number"));
    }
    Ok(tape::Num::F(f))
}

fn num_command(ctx: &mut Ctx, op: NumOp, name: &'static str) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let pa = PathArg::new(args.next_str()?);
    let number = args.next_str()?;
    let db = ctx.dbi();
    let resp3 = ctx.c.reply.resp == 3;
    let legacy = pa.legacy && !resp3;
    let doc = write_doc(ctx.srv, db, key)?.ok_or(NO_SUCH_KEY)?;
    let p = pa.compile()?;
    let found = filtered(doc.tape(), &p, |k| k.is_number());
    if legacy && found.iter().all(|f| f.is_none()) {
        return Err(path_missing_or(&pa.fixed, "does not contains a number"));
    }
    // The operand is read when the first number is found.
    let mut by: Option<tape::Num> = None;
    let mut results: Vec<Option<tape::Num>> = Vec::with_capacity(found.len());
    for f in &found {
        let Some(steps) = f else {
            results.push(None);
            continue;
        };
        let by = match by {
            Some(b) => b,
            None => {
                let t = parse_value_err(number.as_bytes())?;
                if !tape::kind(&t, 0).is_number() {
                    return Err(Error::err("bad input number"));
                }
                *by.insert(tape::num_value(&t, 0))
            }
        };
        let t = doc.tape();
        let Some(loc) = tape::locate(t, steps) else {
            results.push(None);
            continue;
        };
        results.push(Some(num_apply(op, tape::num_value(t, loc.pos), by)?));
    }
    doc.edit(|t| {
        for (f, res) in found.iter().zip(&results) {
            if let (Some(steps), Some(n)) = (f, res) {
                let mut node = Vec::new();
                n.push_node(&mut node);
                replace_at(t, steps, &node);
            }
        }
    });
    let r = &mut ctx.c.reply;
    if legacy {
        let last = results.iter().rev().flatten().next().copied().unwrap_or(tape::Num::I(0));
        r.bulk(&last.text());
    } else if resp3 {
        r.array_len(results.len());
        for v in &results {
            match v {
                Some(tape::Num::I(i)) => r.int(*i),
                Some(n) => r.double(n.as_f64()),
                None => r.null(),
            }
        }
    } else {
        let mut text = vec![b'['];
        for (i, v) in results.iter().enumerate() {
            if i > 0 {
                text.push(b',');
            }
            match v {
                Some(n) => text.extend_from_slice(&n.text()),
                None => text.extend_from_slice(b"null"),
            }
        }
        text.push(b']');
        r.bulk(&text);
    }
    if results.iter().any(|r| r.is_some()) {
        ctx.key_modified(key, event(name));
    }
    Ok(())
}

/// `JSON.NUMINCRBY key path number`
pub fn json_numincrby_command(ctx: &mut Ctx) -> CmdResult {
    num_command(ctx, NumOp::Incr, "json.numincrby")
}

/// `JSON.NUMMULTBY key path number`
pub fn json_nummultby_command(ctx: &mut Ctx) -> CmdResult {
    num_command(ctx, NumOp::Mult, "json.nummultby")
}

/// `JSON.NUMPOWBY key path number` (deprecated in RedisJSON, still there)
pub fn json_numpowby_command(ctx: &mut Ctx) -> CmdResult {
    num_command(ctx, NumOp::Pow, "json.numpowby")
}

// ---------------------------------------------------------------------------
// JSON.STRAPPEND / JSON.STRLEN
// ---------------------------------------------------------------------------

/// `JSON.STRAPPEND key [path] value`
pub fn json_strappend_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let first_arg = args.next_str()?;
    let (pa, json) = match args.next() {
        Some(v) => (PathArg::new(first_arg), std::str::from_utf8(v).map_err(|_| NOT_UTF8)?),
        None => (PathArg::default_root(), first_arg),
    };
    let db = ctx.dbi();
    let doc = write_doc(ctx.srv, db, key)?.ok_or(NO_SUCH_KEY)?;
    let p = pa.compile()?;
    let found = filtered(doc.tape(), &p, |k| k == Kind::Str);
    if pa.legacy && found.iter().all(|f| f.is_none()) {
        return Err(path_missing_or(&pa.fixed, "not a string"));
    }
    let mut suffix: Option<(Vec<u8>, bool)> = None;
    if found.iter().any(|f| f.is_some()) {
        let t = parse_value_err(json.as_bytes())?;
        if tape::kind(&t, 0) != Kind::Str {
            return Err(expected("string", json));
        }
        let (s, esc) = tape::str_escaped(&t, 0);
        suffix = Some((s.to_vec(), esc));
    }
    let lens: Vec<Option<i64>> = doc.edit(|t| {
        found
            .iter()
            .map(|f| {
                let steps = f.as_ref()?;
                let (add, add_esc) = suffix.as_ref()?;
                let loc = tape::locate(t, steps)?;
                let (cur, esc) = tape::str_escaped(t, loc.pos);
                let mut text = cur.to_vec();
                text.extend_from_slice(add);
                let mut node = vec![if esc || *add_esc { tape::STR_ESC } else { tape::STR }];
                tape::push_varint(&mut node, text.len() as u64);
                node.extend_from_slice(&text);
                let raw_len = tape::str_raw(&node, 0).len() as i64;
                replace_at(t, steps, &node);
                Some(raw_len)
            })
            .collect()
    });
    let r = &mut ctx.c.reply;
    if pa.legacy {
        r.int(lens.iter().rev().flatten().next().copied().unwrap_or(0));
    } else {
        reply_opt_ints(r, &lens);
    }
    if lens.iter().any(|l| l.is_some()) {
        ctx.key_modified(key, event("json.strappend"));
    }
    Ok(())
}

/// `JSON.STRLEN key [path]`
pub fn json_strlen_command(ctx: &mut Ctx) -> CmdResult {
    let mut call = read_call(ctx)?;
    let Some(t) = call.doc_or(|_| NO_SUCH_KEY)? else { return Ok(()) };
    let ReadCall { pa, r, .. } = call;
    if pa.legacy {
        let v = first(t, &pa)?;
        let k = tape::kind(t, v);
        if k != Kind::Str {
            return Err(expected("string", k.type_name()));
        }
        r.int(tape::str_raw(t, v).len() as i64);
        return Ok(());
    }
    let p = pa.compile()?;
    let lens: Vec<Option<i64>> = positions(t, &p)
        .into_iter()
        .map(|v| (tape::kind(t, v) == Kind::Str).then(|| tape::str_raw(t, v).len() as i64))
        .collect();
    reply_opt_ints(r, &lens);
    Ok(())
}

// ---------------------------------------------------------------------------
// Arrays
// ---------------------------------------------------------------------------

/// The JSON values of `args` (at least one).
fn parse_values(args: &mut Args<'_>) -> Result<Vec<Vec<u8>>, Error> {
    if args.remaining() == 0 {
        return Err(wrong_arity(args.argv));
    }
    let mut out = Vec::with_capacity(args.remaining());
    while let Some(a) = args.next() {
        out.push(parse_value(a)?);
    }
    Ok(out)
}

/// `JSON.ARRAPPEND key path value [value ...]`
pub fn json_arrappend_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let pa = PathArg::new(args.next_str()?);
    let values = parse_values(&mut args)?;
    let joined: Vec<u8> = values.concat();
    let db = ctx.dbi();
    let doc = write_doc(ctx.srv, db, key)?.ok_or(NO_SUCH_KEY)?;
    let p = pa.compile()?;
    let found = filtered(doc.tape(), &p, |k| k == Kind::Arr);
    if pa.legacy && found.iter().all(|f| f.is_none()) {
        return Err(path_missing_or(pa.original, "not an array"));
    }
    let lens: Vec<Option<i64>> = doc.edit(|t| {
        found
            .iter()
            .map(|f| {
                let steps = f.as_ref()?;
                let loc = tape::locate(t, steps)?;
                let (n, _, end) = tape::container(t, loc.pos);
                edit_body(t, steps, end..end, &joined, values.len() as isize);
                Some((n + values.len()) as i64)
            })
            .collect()
    });
    let last = lens.iter().rposition(|l| l.is_some());
    reply_lens(ctx, key, pa.legacy.then_some(last).flatten(), &lens, "json.arrappend");
    Ok(())
}

/// The reply of the array commands that answer with lengths, and their
/// write epilogue.
/// `legacy` is the match whose result a legacy path answers with.
fn reply_lens(ctx: &mut Ctx, key: &[u8], legacy: Option<usize>, lens: &[Option<i64>], ev: &'static str) {
    if let Some(j) = legacy {
        ctx.c.reply.int(lens[j].unwrap_or(0));
    } else {
        reply_opt_ints(&mut ctx.c.reply, lens);
    }
    if lens.iter().any(|l| l.is_some()) {
        ctx.key_modified(key, event(ev));
    }
}

/// `JSON.ARRINSERT key path index value [value ...]`
pub fn json_arrinsert_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let pa = PathArg::new(args.next_str()?);
    let index = args.next_i64()?;
    let values = parse_values(&mut args)?;
    let joined: Vec<u8> = values.concat();
    let db = ctx.dbi();
    let doc = write_doc(ctx.srv, db, key)?.ok_or(NO_SUCH_KEY)?;
    let p = pa.compile()?;
    let found = filtered(doc.tape(), &p, |k| k == Kind::Arr);
    if pa.legacy && found.iter().all(|f| f.is_none()) {
        return Err(path_missing_or(&pa.fixed, "not an array"));
    }
    // Every target is checked before any is changed.
    let t = doc.tape();
    let mut at: Vec<Option<usize>> = Vec::with_capacity(found.len());
    for f in &found {
        at.push(match f {
            Some(steps) => {
                let len = tape::locate(t, steps).map_or(0, |l| tape::len(t, l.pos)) as i64;
                let i = if index < 0 { len.saturating_add(index) } else { index };
                if !(0..=len).contains(&i) {
                    return Err(Error::err("ERR index out of bounds"));
                }
                Some(i as usize)
            }
            None => None,
        });
    }
    let order = mutation_order(&found);
    let lens: Vec<Option<i64>> = doc.edit(|t| {
        in_order(&found, &order, |j, steps| {
            let i = at[j]?;
            let loc = tape::locate(t, steps)?;
            let n = tape::len(t, loc.pos);
            let off = element_offset(t, loc.pos, i);
            edit_body(t, steps, off..off, &joined, values.len() as isize);
            Some((n + values.len()) as i64)
        })
    });
    reply_lens(
        ctx,
        key,
        pa.legacy.then(|| order.last().copied()).flatten(),
        &lens,
        "json.arrinsert",
    );
    Ok(())
}

/// `JSON.ARRLEN key [path]`
pub fn json_arrlen_command(ctx: &mut Ctx) -> CmdResult {
    let mut call = read_call(ctx)?;
    let Some(t) = call.doc_or(|_| NO_SUCH_KEY)? else { return Ok(()) };
    let ReadCall { pa, r, .. } = call;
    let found = positions(t, &pa.compile()?);
    if pa.legacy {
        let Some(&v) = found.first() else {
            return Err(path_missing(pa.original));
        };
        if tape::kind(t, v) != Kind::Arr {
            return Err(path_missing_or(pa.original, "not an array"));
        }
        r.int(tape::len(t, v) as i64);
        return Ok(());
    }
    let lens: Vec<Option<i64>> = found
        .into_iter()
        .map(|v| (tape::kind(t, v) == Kind::Arr).then(|| tape::len(t, v) as i64))
        .collect();
    reply_opt_ints(r, &lens);
    Ok(())
}

/// RedisJSON's `normalize_arr_start_index`.
fn normalize_start(start: i64, len: i64) -> i64 {
    if start < 0 {
        0.max(len.saturating_add(start))
    } else {
        start.min(len - 1)
    }
}

/// `JSON.ARRPOP key [FORMAT fmt] [path [index]]`
pub fn json_arrpop_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let resp3 = ctx.c.reply.resp == 3;
    let mut fmt = Fmt {
        format: ReplyFormat::Strings,
        text: tape::Format::default(),
        resp3,
    };
    let mut path_arg = args.next();
    if let Some(a) = path_arg {
        if std::str::from_utf8(a).map_err(|_| NOT_UTF8)?.eq_ignore_ascii_case("FORMAT") {
            if let Some(Ok(next)) = args.next().map(std::str::from_utf8) {
                fmt.format = ReplyFormat::parse(next)?;
                if fmt.format == ReplyFormat::String {
                    return Err(WRONG_REPLY_FORMAT);
                }
                if !resp3 {
                    return Err(FORMAT_RESP2);
                }
                path_arg = args.next();
            }
        }
    }
    let (pa, index) = match path_arg {
        None => (PathArg::default_root(), i64::MAX),
        Some(a) => (
            PathArg::new(std::str::from_utf8(a).map_err(|_| NOT_UTF8)?),
            args.next_i64().unwrap_or(-1),
        ),
    };
    if pa.legacy && fmt.format != ReplyFormat::Strings {
        return Err(Error::err("Legacy paths are supported only with FORMAT STRINGS"));
    }
    let db = ctx.dbi();
    let doc = write_doc(ctx.srv, db, key)?.ok_or(NO_SUCH_KEY)?;
    let p = pa.compile()?;
    let found = filtered(doc.tape(), &p, |k| k == Kind::Arr);
    if pa.legacy && found.iter().all(|f| f.is_none()) {
        return Err(path_missing_or(&pa.fixed, "not an array"));
    }
    // Each popped value as a tape of its own; None: not an array or empty.
    let order = mutation_order(&found);
    let popped: Vec<Option<Vec<u8>>> = doc.edit(|t| {
        in_order(&found, &order, |_, steps| {
            let loc = tape::locate(t, steps)?;
            let len = tape::len(t, loc.pos) as i64;
            if len == 0 {
                return None;
            }
            let i = normalize_start(index, len) as usize;
            let at = element_offset(t, loc.pos, i);
            let end = tape::node_end(t, at);
            let value = t[at..end].to_vec();
            edit_body(t, steps, at..end, &[], -1);
            Some(value)
        })
    });
    let r = &mut ctx.c.reply;
    let reply_one = |r: &mut ReplyBuf, v: &Option<Vec<u8>>| match v {
        None => r.null(),
        Some(v) if fmt.resp3_reply() => reply_resp3_value(r, v, 0, &fmt),
        Some(v) => r.bulk(&tape::to_text(v, 0)),
    };
    if pa.legacy {
        reply_one(r, order.last().map_or(&None, |&j| &popped[j]));
    } else {
        r.array_len(popped.len());
        for v in &popped {
            reply_one(r, v);
        }
    }
    let changed = if pa.legacy {
        !found.is_empty()
    } else {
        popped.iter().any(|p| p.is_some())
    };
    if changed {
        ctx.key_modified(key, event("json.arrpop"));
    }
    Ok(())
}

/// RedisJSON's `ArrayIndex::normalize` for ARRTRIM.
fn normalize_trim(i: i64, len: i64) -> i64 {
    if i < 0 {
        len - len.min(i.saturating_neg())
    } else if len > 0 {
        (len - 1).min(i)
    } else {
        0
    }
}

/// `JSON.ARRTRIM key path start stop`
pub fn json_arrtrim_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let pa = PathArg::new(args.next_str()?);
    let start = args.next_i64()?;
    let stop = args.next_i64()?;
    let db = ctx.dbi();
    let doc = write_doc(ctx.srv, db, key)?.ok_or(NO_SUCH_KEY)?;
    let p = pa.compile()?;
    let found = filtered(doc.tape(), &p, |k| k == Kind::Arr);
    if pa.legacy && found.iter().all(|f| f.is_none()) {
        return Err(path_missing_or(&pa.fixed, "not an array"));
    }
    let order = mutation_order(&found);
    let lens: Vec<Option<i64>> = doc.edit(|t| {
        in_order(&found, &order, |_, steps| {
            let loc = tape::locate(t, steps)?;
            let (n, body, end) = tape::container(t, loc.pos);
            let len = n as i64;
            let stop = normalize_trim(stop, len);
            let start = if start < 0 || start < len {
                normalize_trim(start, len)
            } else {
                stop + 1
            };
            let (from, to) = if start > stop || len == 0 { (0, 0) } else { (start, stop + 1) };
            let kept = (to - from) as usize;
            if kept != n {
                let a = element_offset(t, loc.pos, from as usize);
                let b = element_offset(t, loc.pos, to as usize);
                let keep = t[a..b].to_vec();
                edit_body(t, steps, body..end, &keep, kept as isize - n as isize);
            }
            Some(kept as i64)
        })
    });
    reply_lens(ctx, key, pa.legacy.then(|| order.last().copied()).flatten(), &lens, "json.arrtrim");
    Ok(())
}

/// Equality as ARRINDEX checks it (`is_equal`): same kinds only (an
/// integer never equals a float), objects regardless of key order.
fn strict_equal(ta: &[u8], a: usize, tb: &[u8], b: usize) -> bool {
    let class = |k: Kind| match k {
        Kind::UInt => Kind::Float,
        k => k,
    };
    let mut todo = vec![(a, b)];
    while let Some((a, b)) = todo.pop() {
        let (ka, kb) = (class(tape::kind(ta, a)), class(tape::kind(tb, b)));
        if ka != kb {
            return false;
        }
        let same = match ka {
            Kind::Null => true,
            Kind::Bool => tape::bool_value(ta, a) == tape::bool_value(tb, b),
            Kind::Int => tape::int_value(ta, a) == tape::int_value(tb, b),
            Kind::Float => tape::f64_value(ta, a) == tape::f64_value(tb, b),
            Kind::Str => tape::str_escaped(ta, a).0 == tape::str_escaped(tb, b).0,
            Kind::Arr => {
                if tape::len(ta, a) != tape::len(tb, b) {
                    return false;
                }
                todo.extend(tape::children(ta, a).zip(tape::children(tb, b)).map(|((_, x), (_, y))| (x, y)));
                true
            }
            _ => {
                if tape::len(ta, a) != tape::len(tb, b) {
                    return false;
                }
                for (k, x) in tape::children(ta, a) {
                    match tape::get_key(tb, b, &tape::str_raw(ta, k.unwrap_or(x))) {
                        Some(y) => todo.push((x, y)),
                        None => return false,
                    }
                }
                true
            }
        };
        if !same {
            return false;
        }
    }
    true
}

/// ARRINDEX on one match: Some(index or -1), None when not an array.
fn arr_index_one(t: &[u8], arr: usize, v: &[u8], start: i64, end: i64) -> Option<i64> {
    if tape::kind(t, arr) != Kind::Arr {
        return None;
    }
    let len = tape::len(t, arr) as i64;
    if len == 0 {
        return Some(-1);
    }
    let start = normalize_start(start, len);
    let end = match end {
        0 => len,
        e if e < 0 => 0.max(len.saturating_add(e)),
        e => e.min(len),
    };
    if end < start {
        return Some(-1);
    }
    for (i, (_, el)) in tape::children(t, arr).enumerate() {
        let i = i as i64;
        if i >= end {
            break;
        }
        if i >= start && strict_equal(t, el, v, 0) {
            return Some(i);
        }
    }
    Some(-1)
}

/// `JSON.ARRINDEX key path value [start [stop]]`
pub fn json_arrindex_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let key = args.next_arg()?;
    let pa = PathArg::new(args.next_str()?);
    let value = args.next_str()?;
    let start = match args.next() {
        Some(a) => crate::util::num::parse_i64(a).ok_or(NOT_INTEGER)?,
        None => 0,
    };
    let end = match args.next() {
        Some(a) => crate::util::num::parse_i64(a).ok_or(NOT_INTEGER)?,
        None => 0,
    };
    if args.remaining() > 0 {
        return Err(wrong_arity(argv));
    }
    let needle = parse_value_err(value.as_bytes())?;
    let db = ctx.dbi();
    let doc = read_doc(ctx.srv, db, key)?.ok_or_else(|| path_missing(pa.original))?;
    let t = doc.tape();
    if pa.legacy {
        let v = first(t, &pa)?;
        match arr_index_one(t, v, &needle, start, end) {
            Some(i) => ctx.c.reply.int(i),
            None => return Err(expected("array", tape::kind(t, v).type_name())),
        }
        return Ok(());
    }
    let found = positions(t, &pa.compile()?);
    let res: Vec<Option<i64>> = found.into_iter().map(|v| arr_index_one(t, v, &needle, start, end)).collect();
    reply_opt_ints(&mut ctx.c.reply, &res);
    Ok(())
}

// ---------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------

fn reply_keys(r: &mut ReplyBuf, t: &[u8], obj: usize) {
    r.array_len(tape::len(t, obj));
    for (k, v) in tape::children(t, obj) {
        r.bulk(&tape::str_raw(t, k.unwrap_or(v)));
    }
}

/// `JSON.OBJKEYS key [path]`
pub fn json_objkeys_command(ctx: &mut Ctx) -> CmdResult {
    let mut call = read_call(ctx)?;
    let Some(t) = call.doc_or(|_| NO_SUCH_KEY)? else { return Ok(()) };
    let ReadCall { pa, r, .. } = call;
    if pa.legacy {
        match first(t, &pa) {
            Ok(v) if tape::kind(t, v) == Kind::Obj => reply_keys(r, t, v),
            Ok(_) => return Err(path_missing_or(&pa.fixed, "not an object")),
            Err(_) => r.null(),
        }
        return Ok(());
    }
    let found = positions(t, &pa.compile()?);
    r.array_len(found.len());
    for v in found {
        if tape::kind(t, v) == Kind::Obj {
            reply_keys(r, t, v);
        } else {
            r.null();
        }
    }
    Ok(())
}

/// `JSON.OBJLEN key [path]`
pub fn json_objlen_command(ctx: &mut Ctx) -> CmdResult {
    let mut call = read_call(ctx)?;
    let Some(t) = call.doc_or(|pa| path_missing_or(&pa.fixed, "not an object"))? else {
        return Ok(());
    };
    let ReadCall { pa, r, .. } = call;
    if pa.legacy {
        match first(t, &pa) {
            Ok(v) if tape::kind(t, v) == Kind::Obj => r.int(tape::len(t, v) as i64),
            Ok(v) => return Err(expected("object", tape::kind(t, v).type_name())),
            Err(_) => r.null(),
        }
        return Ok(());
    }
    let lens: Vec<Option<i64>> = positions(t, &pa.compile()?)
        .into_iter()
        .map(|v| (tape::kind(t, v) == Kind::Obj).then(|| tape::len(t, v) as i64))
        .collect();
    reply_opt_ints(r, &lens);
    Ok(())
}

// ---------------------------------------------------------------------------
// JSON.DEBUG
// ---------------------------------------------------------------------------

/// The bytes RedisJSON reports for a value (`get_memory` over ijson
/// values as a fresh parse lays them out: 8 bytes for the value itself, numbers
/// outside ijson's inline ranges 16 (or 4), strings their length,
/// containers a header and capacity for the next power of two of their
/// size from 4 up). Additive over nodes, so one linear pass.
pub fn ijson_memory(t: &[u8], pos: usize) -> usize {
    const WORD: usize = 8;
    let cap = |n: usize| if n == 0 { 0 } else { n.next_power_of_two().max(4) };
    let end = tape::node_end(t, pos);
    let mut at = pos;
    let mut total = 0;
    // Open containers: (end, is an object, the next node is a key).
    let mut open: Vec<(usize, bool, bool)> = Vec::new();
    while at < end {
        while open.last().is_some_and(|&(e, _, _)| at >= e) {
            open.pop();
        }
        if let Some(top) = open.last_mut() {
            if top.2 {
                // A key: its length only.
                top.2 = false;
                total += tape::str_raw(t, at).len();
                at = tape::node_end(t, at);
                continue;
            }
            top.2 = top.1;
        }
        if at == pos {
            // The value itself; children are counted inside their
            // container's capacity (RedisJSON 2.8.9 on).
            total += WORD;
        }
        match tape::kind(t, at) {
            Kind::Null | Kind::Bool => {}
            Kind::Int => {
                let v = tape::int_value(t, at);
                if !(-128..384).contains(&v) {
                    total += if (-(1 << 23)..(1 << 23)).contains(&v) { 4 } else { 16 };
                }
            }
            Kind::UInt | Kind::Float => total += 16,
            Kind::Str => total += tape::str_raw(t, at).len(),
            k @ (Kind::Arr | Kind::Obj) => {
                let (n, body, e) = tape::container(t, at);
                let object = k == Kind::Obj;
                if n > 0 {
                    total += (if object { cap(n) * 3 } else { cap(n) } + 2) * WORD;
                }
                open.push((e, object, object));
                at = body;
                continue;
            }
        }
        at = tape::node_end(t, at);
    }
    total
}

/// `JSON.DEBUG MEMORY key [path]` | `JSON.DEBUG HELP`
pub fn json_debug_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut args = Args::new(argv);
    let sub = args.next_str()?.to_ascii_uppercase();
    match sub.as_str() {
        "MEMORY" => {
            let key = args.next_arg()?;
            let pa = match args.next_str() {
                Ok(p) => PathArg::new(p),
                Err(_) => PathArg::default_root(),
            };
            let db = ctx.dbi();
            let doc = read_doc(ctx.srv, db, key)?;
            if pa.legacy {
                let n = match doc {
                    Some(doc) => {
                        let t = doc.tape();
                        ijson_memory(t, first(t, &pa)?)
                    }
                    None => 0,
                };
                ctx.c.reply.int(n as i64);
            } else {
                let sizes: Vec<usize> = match doc {
                    Some(doc) => {
                        let t = doc.tape();
                        positions(t, &pa.compile()?).into_iter().map(|v| ijson_memory(t, v)).collect()
                    }
                    None => Vec::new(),
                };
                ctx.c.reply.array_len(sizes.len());
                for s in sizes {
                    ctx.c.reply.int(s as i64);
                }
            }
            Ok(())
        }
        "HELP" => {
            let r = &mut ctx.c.reply;
            r.array_len(2);
            r.bulk(b"MEMORY <key> [path] - reports memory usage");
            r.bulk(b"HELP                - this message");
            Ok(())
        }
        _ => Err(Error::err("ERR unknown subcommand - try `JSON.DEBUG HELP`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Vec<u8> {
        tape::parse(s.as_bytes(), true).unwrap()
    }

    fn text(t: &[u8]) -> String {
        String::from_utf8(tape::to_text(t, 0)).unwrap()
    }

    fn steps(p: &str, t: &[u8]) -> Vec<Vec<Step>> {
        let p = path::compile(p.as_bytes()).unwrap();
        matches(t, &p).into_iter().map(|m| m.steps).collect()
    }

    #[test]
    fn bulk_into_writes_the_length_it_filled() {
        // Guesses with as many digits as the length, fewer and more.
        for (guess, n) in [(5usize, 5usize), (9, 10), (99, 100), (100, 5), (1000, 0), (0, 12345)] {
            let mut r = ReplyBuf::new();
            r.ok();
            bulk_into(&mut r, guess, |out| out.extend(std::iter::repeat_n(b'x', n)));
            let mut want = b"+OK\r\n".to_vec();
            want.extend_from_slice(format!("${n}\r\n").as_bytes());
            want.extend(std::iter::repeat_n(b'x', n));
            want.extend_from_slice(b"\r\n");
            assert_eq!(r.buf, want, "guess {guess} len {n}");
        }
    }

    #[test]
    fn splice_keeps_headers_right_when_varints_grow() {
        let mut t = doc(r#"{"a":[1],"b":{"c":"x"}}"#);
        let big = format!("\"{}\"", "y".repeat(300));
        let node = doc(&big);
        assert!(replace_at(&mut t, &[Step::Key(b"b".to_vec()), Step::Key(b"c".to_vec())], &node));
        assert_eq!(text(&t), format!(r#"{{"a":[1],"b":{{"c":{big}}}}}"#));
        assert!(replace_at(&mut t, &[Step::Key(b"b".to_vec())], &doc("1")));
        assert_eq!(text(&t), r#"{"a":[1],"b":1}"#);
        assert_eq!(t, doc(r#"{"a":[1],"b":1}"#));
    }

    #[test]
    fn deleting_moves_the_last_key_into_the_hole() {
        let mut t = doc(r#"{"a":1,"b":2,"c":3,"d":4}"#);
        assert!(delete_at(&mut t, &[Step::Key(b"b".to_vec())]));
        assert_eq!(text(&t), r#"{"a":1,"d":4,"c":3}"#);
        assert!(delete_at(&mut t, &[Step::Key(b"c".to_vec())]));
        assert_eq!(text(&t), r#"{"a":1,"d":4}"#);
        let mut t = doc("[1,[2,3],4]");
        assert!(delete_at(&mut t, &[Step::Index(1), Step::Index(0)]));
        assert_eq!(text(&t), "[1,[3],4]");
        assert!(!delete_at(&mut t, &[Step::Index(7)]));
        assert_eq!(t, doc("[1,[3],4]"));
    }

    #[test]
    fn update_order_is_redisjsons() {
        let t = doc(r#"{"a":[1,2,3],"b":{"a":[4]}}"#);
        let mut p = steps("$..a[*]", &t);
        prepare_paths_for_updating(&mut p);
        let txt: Vec<String> = p.iter().map(|s| s.iter().map(step_text).collect::<Vec<_>>().join(".")).collect();
        assert_eq!(txt, ["a.2", "a.1", "a.0", "b.a.0"]);
        // Nested paths go: only the outer one stays.
        let mut p = steps("$..*", &doc(r#"{"x":{"y":1}}"#));
        prepare_paths_for_updating(&mut p);
        assert_eq!(p, vec![vec![Step::Key(b"x".to_vec())]]);
    }

    #[test]
    fn merge_is_rfc7396_with_ijson_order() {
        let t = doc(r#"{"a":1,"b":{"c":2,"d":3},"e":4}"#);
        let patch = doc(r#"{"a":null,"b":{"c":null,"f":5},"g":{"h":null,"i":1}}"#);
        let m = merge_nodes(&t, Some(0), &patch, 0);
        assert_eq!(text(&m), r#"{"e":4,"b":{"d":3,"f":5},"g":{"i":1}}"#);
        let m = merge_nodes(&t, Some(0), &doc("[1]"), 0);
        assert_eq!(text(&m), "[1]");
    }

    #[test]
    fn memory_matches_redisjson_figures() {
        // RedisJSON's own test document (759) and test_resp3's (443).
        let big = r#"{"a":100.12,"b":"foo","c":true,"d":126,"e":-112,"f":7388608,"g":-6388608,"h":9388608,"i":-9485608,"j":[],"k":{},"l":[1,"asas",{"a":1}],"m":{"t":"f"}}"#;
        assert_eq!(ijson_memory(&doc(big), 0), 759);
        assert_eq!(ijson_memory(&doc(r#"{"a":[{"b":2},{"g":[1,2]},3]}"#), 0), 443);
    }
}
