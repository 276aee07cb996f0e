//! Geospatial indexes (geo.c, geohash.c, geohash_helper.c): points stored
//! in a sorted set whose score is the 52-bit interleaved geohash of the
//! position, so a radius or box search is a handful of score ranges.
//!
//! Commands: GEOADD, GEODIST, GEOHASH, GEOPOS, GEORADIUS[_RO],
//! GEORADIUSBYMEMBER[_RO], GEOSEARCH, GEOSEARCHSTORE. Coordinates, scores,
//! distances and the choice of the areas searched follow Redis exactly, so
//! the same data gives the same replies.

use crate::db::change::ev;
use crate::error::Error;
use crate::server::{CmdResult, Ctx};
use crate::types::zset::{Cursor, ZSet};

const STEP_MAX: u8 = 26;
const LAT_MIN: f64 = -85.051_128_78;
const LAT_MAX: f64 = 85.051_128_78;
const LONG_MIN: f64 = -180.0;
const LONG_MAX: f64 = 180.0;
const EARTH_RADIUS_IN_METERS: f64 = 6_372_797.560_856;
const MERCATOR_MAX: f64 = 20_037_726.37;
const D_R: f64 = std::f64::consts::PI / 180.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct HashBits {
    bits: u64,
    step: u8,
}

impl HashBits {
    fn is_zero(&self) -> bool {
        self.bits == 0 && self.step == 0
    }
}

#[derive(Clone, Copy, Default)]
struct Range {
    min: f64,
    max: f64,
}

#[derive(Clone, Copy, Default)]
struct Area {
    lon: Range,
    lat: Range,
}

const WGS84_LON: Range = Range {
    min: LONG_MIN,
    max: LONG_MAX,
};
const WGS84_LAT: Range = Range {
    min: LAT_MIN,
    max: LAT_MAX,
};

fn interleave64(xlo: u32, ylo: u32) -> u64 {
    const B: [u64; 5] = [
        0x5555555555555555,
        0x3333333333333333,
        0x0F0F0F0F0F0F0F0F,
        0x00FF00FF00FF00FF,
        0x0000FFFF0000FFFF,
    ];
    const S: [u32; 5] = [1, 2, 4, 8, 16];
    let mut x = xlo as u64;
    let mut y = ylo as u64;
    for i in (0..5).rev() {
        x = (x | (x << S[i])) & B[i];
        y = (y | (y << S[i])) & B[i];
    }
    x | (y << 1)
}

fn deinterleave64(interleaved: u64) -> u64 {
    const B: [u64; 6] = [
        0x5555555555555555,
        0x3333333333333333,
        0x0F0F0F0F0F0F0F0F,
        0x00FF00FF00FF00FF,
        0x0000FFFF0000FFFF,
        0x00000000FFFFFFFF,
    ];
    const S: [u32; 6] = [0, 1, 2, 4, 8, 16];
    let mut x = interleaved;
    let mut y = interleaved >> 1;
    for i in 0..6 {
        x = (x | (x >> S[i])) & B[i];
        y = (y | (y >> S[i])) & B[i];
    }
    x | (y << 32)
}

/// `geohashEncode`: None outside the ranges.
fn encode(lon_r: Range, lat_r: Range, lon: f64, lat: f64, step: u8) -> Option<HashBits> {
    if step == 0 || step > 32 || lat_r.max - lat_r.min == 0.0 || lon_r.max - lon_r.min == 0.0 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    if lat < lat_r.min || lat > lat_r.max || lon < lon_r.min || lon > lon_r.max {
        return None;
    }
    let scale = (1u64 << step) as f64;
    let lat_offset = (lat - lat_r.min) / (lat_r.max - lat_r.min) * scale;
    let lon_offset = (lon - lon_r.min) / (lon_r.max - lon_r.min) * scale;
    Some(HashBits {
        bits: interleave64(lat_offset as u32, lon_offset as u32),
        step,
    })
}

fn encode_wgs84(lon: f64, lat: f64, step: u8) -> Option<HashBits> {
    encode(WGS84_LON, WGS84_LAT, lon, lat, step)
}

/// `geohashDecode`.
fn decode(lon_r: Range, lat_r: Range, h: HashBits) -> Option<Area> {
    if h.is_zero() {
        return None;
    }
    let sep = deinterleave64(h.bits);
    let lat_scale = lat_r.max - lat_r.min;
    let lon_scale = lon_r.max - lon_r.min;
    let ilato = sep as u32;
    let ilono = (sep >> 32) as u32;
    let div = (1u64 << h.step) as f64;
    Some(Area {
        lat: Range {
            min: lat_r.min + (ilato as f64 * 1.0 / div) * lat_scale,
            max: lat_r.min + ((ilato as f64 + 1.0) * 1.0 / div) * lat_scale,
        },
        lon: Range {
            min: lon_r.min + (ilono as f64 * 1.0 / div) * lon_scale,
            max: lon_r.min + ((ilono as f64 + 1.0) * 1.0 / div) * lon_scale,
        },
    })
}

/// The centre of a 52-bit score's cell (`decodeGeohash`): (lon, lat).
fn decode_score(score: f64) -> Option<(f64, f64)> {
    let a = decode(
        WGS84_LON,
        WGS84_LAT,
        HashBits {
            bits: score as u64,
            step: STEP_MAX,
        },
    )?;
    let lon = ((a.lon.min + a.lon.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((a.lat.min + a.lat.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    Some((lon, lat))
}

fn align52(h: HashBits) -> u64 {
    h.bits << (52 - h.step as u32 * 2)
}

fn move_x(h: &mut HashBits, d: i8) {
    if d == 0 {
        return;
    }
    let mut x = h.bits & 0xaaaaaaaaaaaaaaaa;
    let y = h.bits & 0x5555555555555555;
    let zz = 0x5555555555555555u64 >> (64 - h.step as u32 * 2);
    if d > 0 {
        x = x.wrapping_add(zz + 1);
    } else {
        x |= zz;
        x = x.wrapping_sub(zz + 1);
    }
    x &= 0xaaaaaaaaaaaaaaaau64 >> (64 - h.step as u32 * 2);
    h.bits = x | y;
}

fn move_y(h: &mut HashBits, d: i8) {
    if d == 0 {
        return;
    }
    let x = h.bits & 0xaaaaaaaaaaaaaaaa;
    let mut y = h.bits & 0x5555555555555555;
    let zz = 0xaaaaaaaaaaaaaaaau64 >> (64 - h.step as u32 * 2);
    if d > 0 {
        y = y.wrapping_add(zz + 1);
    } else {
        y |= zz;
        y = y.wrapping_sub(zz + 1);
    }
    y &= 0x5555555555555555u64 >> (64 - h.step as u32 * 2);
    h.bits = x | y;
}

/// The 8 neighbours, in Redis's order of search: north, south, east, west,
/// north-east, north-west, south-east, south-west.
fn neighbours(h: HashBits) -> [HashBits; 8] {
    let m = |dx: i8, dy: i8| {
        let mut n = h;
        move_x(&mut n, dx);
        move_y(&mut n, dy);
        n
    };
    [m(0, 1), m(0, -1), m(1, 0), m(-1, 0), m(1, 1), m(-1, 1), m(1, -1), m(-1, -1)]
}

fn deg_rad(a: f64) -> f64 {
    a * D_R
}
fn rad_deg(a: f64) -> f64 {
    a / D_R
}

fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_IN_METERS * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Haversine distance in meters (`geohashGetDistance`).
fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (lon1r, lon2r) = (deg_rad(lon1), deg_rad(lon2));
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let (lat1r, lat2r) = (deg_rad(lat1), deg_rad(lat2));
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_IN_METERS * a.sqrt().asin()
}

fn estimate_steps(mut range_meters: f64, lat: f64) -> u8 {
    if range_meters == 0.0 {
        return 26;
    }
    let mut step: i32 = 1;
    while range_meters < MERCATOR_MAX {
        range_meters *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

#[derive(Clone, Copy)]
enum ShapeKind {
    Circle { radius: f64 },
    Box { width: f64, height: f64 },
}

#[derive(Clone, Copy)]
struct Shape {
    lon: f64,
    lat: f64,
    /// Meters per unit.
    conversion: f64,
    kind: ShapeKind,
}

impl Shape {
    /// (min lon, min lat, max lon, max lat) (`geohashBoundingBox`).
    fn bounds(&self) -> [f64; 4] {
        let (h, w) = match self.kind {
            ShapeKind::Circle { radius } => (radius, radius),
            ShapeKind::Box { width, height } => (height / 2.0, width / 2.0),
        };
        let height = self.conversion * h;
        let width = self.conversion * w;
        let lat_delta = rad_deg(height / EARTH_RADIUS_IN_METERS);
        let long_delta_top = rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(self.lat + lat_delta).cos());
        let long_delta_bottom = rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(self.lat - lat_delta).cos());
        let south = self.lat < 0.0;
        let d = if south { long_delta_bottom } else { long_delta_top };
        [self.lon - d, self.lat - lat_delta, self.lon + d, self.lat + lat_delta]
    }

    /// Whether a point is inside, and its distance from the centre in
    /// meters (`geoWithinShape`).
    fn contains(&self, lon: f64, lat: f64) -> Option<f64> {
        match self.kind {
            ShapeKind::Circle { radius } => {
                let d = distance(self.lon, self.lat, lon, lat);
                (d <= radius * self.conversion).then_some(d)
            }
            ShapeKind::Box { width, height } => {
                let (w, h) = (width * self.conversion, height * self.conversion);
                if lat_distance(lat, self.lat) > h / 2.0 {
                    return None;
                }
                if distance(lon, lat, self.lon, lat) > w / 2.0 {
                    return None;
                }
                Some(distance(self.lon, self.lat, lon, lat))
            }
        }
    }
}

/// The cell around the centre and its neighbours to search, useless ones
/// zeroed (`geohashCalculateAreasByShapeWGS84`).
fn areas_to_search(shape: &Shape) -> [HashBits; 9] {
    let [min_lon, min_lat, max_lon, max_lat] = shape.bounds();
    let radius_meters = match shape.kind {
        ShapeKind::Circle { radius } => radius,
        ShapeKind::Box { width, height } => ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt(),
    } * shape.conversion;
    let mut steps = estimate_steps(radius_meters, shape.lat);
    let compute = |steps: u8| {
        let hash = encode_wgs84(shape.lon, shape.lat, steps).unwrap_or_default();
        let nb = neighbours(hash);
        let area = decode(WGS84_LON, WGS84_LAT, hash).unwrap_or_default();
        (hash, nb, area)
    };
    let (mut hash, mut nb, mut area) = compute(steps);
    let dec = |h: HashBits| decode(WGS84_LON, WGS84_LAT, h).unwrap_or_default();
    let decrease =
        dec(nb[0]).lat.max < max_lat || dec(nb[1]).lat.min > min_lat || dec(nb[2]).lon.max < max_lon || dec(nb[3]).lon.min > min_lon;
    if steps > 1 && decrease {
        steps -= 1;
        (hash, nb, area) = compute(steps);
    }
    if steps >= 2 {
        let zero = HashBits::default();
        // nb: 0 N, 1 S, 2 E, 3 W, 4 NE, 5 NW, 6 SE, 7 SW
        if area.lat.min < min_lat {
            nb[1] = zero;
            nb[7] = zero;
            nb[6] = zero;
        }
        if area.lat.max > max_lat {
            nb[0] = zero;
            nb[4] = zero;
            nb[5] = zero;
        }
        if area.lon.min < min_lon {
            nb[3] = zero;
            nb[7] = zero;
            nb[5] = zero;
        }
        if area.lon.max > max_lon {
            nb[2] = zero;
            nb[6] = zero;
            nb[4] = zero;
        }
    }
    [hash, nb[0], nb[1], nb[2], nb[3], nb[4], nb[5], nb[6], nb[7]]
}

/// A point found by a search.
struct Found {
    lon: f64,
    lat: f64,
    dist: f64,
    score: f64,
    member: Vec<u8>,
}

/// Members whose scores fall in the cell `h`, inside the shape
/// (`membersOfGeoHashBox`).
fn members_of_box(z: &ZSet, h: HashBits, shape: &Shape, out: &mut Vec<Found>, limit: usize) {
    let min = align52(h) as f64;
    let max = align52(HashBits {
        bits: h.bits + 1,
        step: h.step,
    }) as f64;
    let range = crate::ds::skiplist::RangeSpec {
        min,
        max,
        minex: false,
        maxex: true,
    };
    let mut cur: Option<Cursor<'_>> = z.first_in_range(&range);
    while let Some(c) = cur {
        let score = c.score();
        if score >= max {
            break;
        }
        if let Some((lon, lat)) = decode_score(score) {
            if let Some(dist) = shape.contains(lon, lat) {
                out.push(Found {
                    lon,
                    lat,
                    dist,
                    score,
                    member: c.member().to_vec(),
                });
            }
        }
        if limit > 0 && out.len() >= limit {
            break;
        }
        cur = c.next();
    }
}

/// Searches the centre cell and its neighbours (`membersOfAllNeighbors`),
/// stopping early at `limit` (ANY).
fn search(z: &ZSet, shape: &Shape, limit: usize) -> Vec<Found> {
    let cells = areas_to_search(shape);
    let mut out = Vec::new();
    let mut last: Option<usize> = None;
    for (i, &h) in cells.iter().enumerate() {
        if h.is_zero() {
            continue;
        }
        // Huge radii make neighbours repeat: skip a cell equal to the
        // previous one searched.
        if let Some(l) = last {
            if cells[l] == h {
                continue;
            }
        }
        if limit > 0 && out.len() >= limit {
            break;
        }
        members_of_box(z, h, shape, &mut out, limit);
        last = Some(i);
    }
    out
}

// --- Replies and argument parsing --------------------------------------------

/// `%.4f`-like distance as Redis prints it (`fixedpoint_d2string`, 4 digits).
fn fmt_distance(d: f64) -> String {
    if d == 0.0 {
        return "0.0000".into();
    }
    let sv = (d * 10000.0).round_ties_even() as i64;
    let neg = sv < 0;
    let digits = sv.unsigned_abs().to_string();
    let (int_part, frac) = if digits.len() > 4 {
        (digits[..digits.len() - 4].to_string(), digits[digits.len() - 4..].to_string())
    } else {
        ("0".to_string(), format!("{digits:0>4}"))
    };
    format!("{}{int_part}.{frac}", if neg { "-" } else { "" })
}

/// A coordinate as Redis's "human" long double: 17 decimals, trailing
/// zeros removed.
fn fmt_coord(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let mut s = format!("{d:.17}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

fn parse_double(arg: &[u8], err: &'static str) -> Result<f64, Error> {
    crate::util::num::parse_f64(arg).filter(|v| !v.is_nan()).ok_or(Error::err(err))
}

/// (lon, lat) from two arguments (`extractLongLatOrReply`).
fn parse_lon_lat(lon: &[u8], lat: &[u8]) -> Result<(f64, f64), Error> {
    let lon = parse_double(lon, "ERR value is not a valid float")?;
    let lat = parse_double(lat, "ERR value is not a valid float")?;
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return Err(Error::msg(format!("ERR invalid longitude,latitude pair {lon:.6},{lat:.6}")));
    }
    Ok((lon, lat))
}

/// Meters per unit (`extractUnitOrReply`).
fn parse_unit(u: &[u8]) -> Result<f64, Error> {
    match u.to_ascii_lowercase().as_slice() {
        b"m" => Ok(1.0),
        b"km" => Ok(1000.0),
        b"ft" => Ok(0.3048),
        b"mi" => Ok(1609.34),
        _ => Err(Error::err("ERR unsupported unit provided. please use M, KM, FT, MI")),
    }
}

/// The sorted set at `key` (read), or WRONGTYPE.
fn read_zset<'s>(srv: &'s mut crate::server::Server, db: usize, key: &[u8]) -> Result<Option<&'s ZSet>, Error> {
    crate::types::zset::zset_read(srv, db, key)
}

/// (lon, lat) of a member.
fn member_pos(z: &ZSet, member: &[u8]) -> Option<(f64, f64)> {
    decode_score(z.score(member)?)
}

// --- Commands ----------------------------------------------------------------

/// `GEOADD key [NX|XX] [CH] longitude latitude member [...]`: a ZADD with
/// the positions encoded as scores, propagated as that ZADD.
pub fn geoadd_command(ctx: &mut Ctx) -> CmdResult {
    let argv = ctx.argv;
    let mut longidx = 2;
    let (mut xx, mut nx) = (false, false);
    while longidx < argv.len() {
        match argv[longidx].to_ascii_lowercase().as_slice() {
            b"nx" => nx = true,
            b"xx" => xx = true,
            b"ch" => {}
            _ => break,
        }
        longidx += 1;
    }
    if !(argv.len() - longidx).is_multiple_of(3) || (xx && nx) {
        return Err(Error::Syntax);
    }
    let mut zargv: Vec<Vec<u8>> = Vec::with_capacity(longidx + (argv.len() - longidx) / 3 * 2);
    zargv.push(b"zadd".to_vec());
    zargv.extend(argv[1..longidx].iter().map(|a| a.to_vec()));
    for t in argv[longidx..].chunks_exact(3) {
        let (lon, lat) = parse_lon_lat(t[0], t[1])?;
        let bits = encode_wgs84(lon, lat, STEP_MAX).map(align52).unwrap_or(0);
        zargv.push(bits.to_string().into_bytes());
        zargv.push(t[2].to_vec());
    }
    let refs: Vec<&[u8]> = zargv.iter().map(|a| a.as_slice()).collect();
    let mut inner = Ctx {
        srv: &mut *ctx.srv,
        c: &mut *ctx.c,
        argv: &refs,
        cmd: ctx.cmd,
        propagate_as: None,
        no_propagate: false,
        force_propagate: false,
    };
    crate::types::zset::zadd_command(&mut inner)?;
    ctx.propagate_as(zargv);
    Ok(())
}

/// `GEODIST key member1 member2 [M|KM|FT|MI]`
pub fn geodist_command(ctx: &mut Ctx) -> CmdResult {
    let to_meter = match ctx.argc() {
        5 => parse_unit(ctx.argv[4])?,
        n if n > 5 => return Err(Error::Syntax),
        _ => 1.0,
    };
    let db = ctx.dbi();
    let Some(z) = read_zset(ctx.srv, db, ctx.argv[1])? else {
        ctx.c.reply.null();
        return Ok(());
    };
    match (member_pos(z, ctx.argv[2]), member_pos(z, ctx.argv[3])) {
        (Some((lon1, lat1)), Some((lon2, lat2))) => {
            let d = distance(lon1, lat1, lon2, lat2) / to_meter;
            ctx.c.reply.bulk(fmt_distance(d).as_bytes());
        }
        _ => ctx.c.reply.null(),
    }
    Ok(())
}

/// `GEOHASH key [member ...]`: standard 11-character geohashes.
pub fn geohash_command(ctx: &mut Ctx) -> CmdResult {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let db = ctx.dbi();
    let z = read_zset(ctx.srv, db, ctx.argv[1])?;
    let mut out: Vec<Option<[u8; 11]>> = Vec::new();
    for m in &ctx.argv[2..] {
        let pos = z.and_then(|z| member_pos(z, m));
        out.push(pos.map(|(lon, lat)| {
            // Our scores use latitudes up to ±85.05; the standard geohash
            // uses ±90, so re-encode.
            let std_lat = Range { min: -90.0, max: 90.0 };
            let h = encode(WGS84_LON, std_lat, lon, lat, 26).unwrap_or_default();
            let mut buf = [b'0'; 11];
            for (i, b) in buf.iter_mut().enumerate().take(10) {
                let idx = (h.bits >> (52 - (i + 1) * 5)) & 0x1f;
                *b = ALPHABET[idx as usize];
            }
            buf
        }));
    }
    let r = &mut ctx.c.reply;
    r.array_len(out.len());
    for h in out {
        match h {
            Some(b) => r.bulk(&b),
            None => r.null(),
        }
    }
    Ok(())
}

/// `GEOPOS key [member ...]`
pub fn geopos_command(ctx: &mut Ctx) -> CmdResult {
    let db = ctx.dbi();
    let z = read_zset(ctx.srv, db, ctx.argv[1])?;
    let pos: Vec<Option<(f64, f64)>> = ctx.argv[2..].iter().map(|m| z.and_then(|z| member_pos(z, m))).collect();
    let r = &mut ctx.c.reply;
    r.array_len(pos.len());
    for p in pos {
        match p {
            Some((lon, lat)) => {
                r.array_len(2);
                r.human_double(fmt_coord(lon).as_bytes());
                r.human_double(fmt_coord(lat).as_bytes());
            }
            None => r.null_array(),
        }
    }
    Ok(())
}

const RADIUS_COORDS: u32 = 1 << 0;
const RADIUS_MEMBER: u32 = 1 << 1;
const RADIUS_NOSTORE: u32 = 1 << 2;
const GEOSEARCH: u32 = 1 << 3;
const GEOSEARCHSTORE: u32 = 1 << 4;

#[derive(PartialEq, Eq, Clone, Copy)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// The GEORADIUS/GEOSEARCH family (`georadiusGeneric`).
fn georadius_generic(ctx: &mut Ctx, src_idx: usize, flags: u32) -> CmdResult {
    let db = ctx.dbi();
    let argv = ctx.argv;
    let src = argv[src_idx];
    let exists = read_zset(ctx.srv, db, src)?.is_some();
    let mut center: Option<(f64, f64)> = None;
    let mut kind: Option<ShapeKind> = None;
    let mut conversion = 1.0;
    let mut storekey: Option<&[u8]> = None;
    let base_args;
    if flags & RADIUS_COORDS != 0 {
        base_args = 6;
        center = Some(parse_lon_lat(argv[2], argv[3])?);
        let (conv, radius) = parse_distance(argv[4], argv[5])?;
        conversion = conv;
        kind = Some(ShapeKind::Circle { radius });
    } else if flags & RADIUS_MEMBER != 0 {
        base_args = 5;
        if exists {
            let pos = read_zset(ctx.srv, db, src)?.and_then(|z| member_pos(z, argv[2]));
            center = Some(pos.ok_or(Error::err("ERR could not decode requested zset member"))?);
            let (conv, radius) = parse_distance(argv[3], argv[4])?;
            conversion = conv;
            kind = Some(ShapeKind::Circle { radius });
        }
    } else {
        base_args = if flags & GEOSEARCHSTORE != 0 { 3 } else { 2 };
        if flags & GEOSEARCHSTORE != 0 {
            storekey = Some(argv[1]);
        }
    }
    let (mut withdist, mut withhash, mut withcoords) = (false, false, false);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut sort = Sort::None;
    let mut any = false;
    let mut count: i64 = 0;
    let mut storedist = false;
    let remaining = argv.len().saturating_sub(base_args);
    let mut i = 0;
    while i < remaining {
        let a = argv[base_args + i].to_ascii_lowercase();
        let more = |n: usize| i + n < remaining;
        let arg = |n: usize| argv[base_args + i + n];
        match a.as_slice() {
            b"withdist" => withdist = true,
            b"withhash" => withhash = true,
            b"withcoord" => withcoords = true,
            b"any" => any = true,
            b"asc" => sort = Sort::Asc,
            b"desc" => sort = Sort::Desc,
            b"count" if more(1) => {
                count = crate::util::num::parse_i64(arg(1)).ok_or(Error::NotInteger)?;
                if count <= 0 {
                    return Err(Error::err("ERR COUNT must be > 0"));
                }
                i += 1;
            }
            b"store" if more(1) && flags & (RADIUS_NOSTORE | GEOSEARCH) == 0 => {
                storekey = Some(arg(1));
                storedist = false;
                i += 1;
            }
            b"storedist" if more(1) && flags & (RADIUS_NOSTORE | GEOSEARCH) == 0 => {
                storekey = Some(arg(1));
                storedist = true;
                i += 1;
            }
            b"storedist" if flags & GEOSEARCH != 0 && flags & GEOSEARCHSTORE != 0 => storedist = true,
            b"frommember" if more(1) && flags & GEOSEARCH != 0 && !fromloc => {
                if exists {
                    let pos = read_zset(ctx.srv, db, src)?.and_then(|z| member_pos(z, arg(1)));
                    center = Some(pos.ok_or(Error::err("ERR could not decode requested zset member"))?);
                }
                frommember = true;
                i += 1;
            }
            b"fromlonlat" if more(2) && flags & GEOSEARCH != 0 && !frommember => {
                center = Some(parse_lon_lat(arg(1), arg(2))?);
                fromloc = true;
                i += 2;
            }
            b"byradius" if more(2) && flags & GEOSEARCH != 0 && !bybox => {
                let (conv, radius) = parse_distance(arg(1), arg(2))?;
                conversion = conv;
                kind = Some(ShapeKind::Circle { radius });
                byradius = true;
                i += 2;
            }
            b"bybox" if more(3) && flags & GEOSEARCH != 0 && !byradius => {
                let w = parse_double(arg(1), "ERR need numeric width")?;
                let h = parse_double(arg(2), "ERR need numeric height")?;
                if h < 0.0 || w < 0.0 {
                    return Err(Error::err("ERR height or width cannot be negative"));
                }
                conversion = parse_unit(arg(3))?;
                kind = Some(ShapeKind::Box { width: w, height: h });
                bybox = true;
                i += 3;
            }
            _ => return Err(Error::Syntax),
        }
        i += 1;
    }
    let cmdname = String::from_utf8_lossy(argv[0]).into_owned();
    if storekey.is_some() && (withdist || withhash || withcoords) {
        return Err(Error::msg(format!(
            "ERR {} is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
            if flags & GEOSEARCHSTORE != 0 {
                "GEOSEARCHSTORE"
            } else {
                "STORE option in GEORADIUS"
            }
        )));
    }
    if flags & GEOSEARCH != 0 && !(frommember || fromloc) {
        return Err(Error::msg(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {cmdname}"
        )));
    }
    if flags & GEOSEARCH != 0 && !(byradius || bybox) {
        return Err(Error::msg(format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {cmdname}"
        )));
    }
    if any && count == 0 {
        return Err(Error::err("ERR the ANY argument requires COUNT argument"));
    }
    if !exists {
        match storekey {
            Some(dst) => {
                if ctx.srv.db_delete(db, dst) {
                    ctx.key_modified(dst, ev::DEL);
                }
                ctx.c.reply.int(0);
            }
            None => ctx.c.reply.array_len(0),
        }
        return Ok(());
    }
    let (Some((lon, lat)), Some(kind)) = (center, kind) else {
        return Err(Error::Syntax);
    };
    if count != 0 && sort == Sort::None && !any {
        sort = Sort::Asc;
    }
    let shape = Shape {
        lon,
        lat,
        conversion,
        kind,
    };
    let limit = if any { count as usize } else { 0 };
    let mut found = match read_zset(ctx.srv, db, src)? {
        Some(z) => search(z, &shape, limit),
        None => Vec::new(),
    };
    if found.is_empty() && storekey.is_none() {
        ctx.c.reply.array_len(0);
        return Ok(());
    }
    match sort {
        Sort::Asc => found.sort_by(|a, b| a.dist.partial_cmp(&b.dist).unwrap_or(std::cmp::Ordering::Equal)),
        Sort::Desc => found.sort_by(|a, b| b.dist.partial_cmp(&a.dist).unwrap_or(std::cmp::Ordering::Equal)),
        Sort::None => {}
    }
    let returned = if count == 0 { found.len() } else { found.len().min(count as usize) };
    found.truncate(returned);
    for f in &mut found {
        f.dist /= conversion;
    }
    match storekey {
        None => {
            let opts = usize::from(withdist) + usize::from(withhash) + usize::from(withcoords);
            let r = &mut ctx.c.reply;
            r.array_len(found.len());
            for f in &found {
                if opts > 0 {
                    r.array_len(opts + 1);
                }
                r.bulk(&f.member);
                if withdist {
                    r.bulk(fmt_distance(f.dist).as_bytes());
                }
                if withhash {
                    r.int(f.score as i64);
                }
                if withcoords {
                    r.array_len(2);
                    r.human_double(fmt_coord(f.lon).as_bytes());
                    r.human_double(fmt_coord(f.lat).as_bytes());
                }
            }
        }
        Some(dst) => {
            let mut items: Vec<(Vec<u8>, f64)> = found
                .into_iter()
                .map(|f| (f.member, if storedist { f.dist } else { f.score }))
                .collect();
            items.sort_by(|a, b| {
                a.1.partial_cmp(&b.1)
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then_with(|| a.0.cmp(&b.0))
            });
            let event = if flags & GEOSEARCH != 0 {
                "geosearchstore"
            } else {
                "georadiusstore"
            };
            let dst = dst.to_vec();
            crate::types::zset::store_result(ctx, &dst, &items, event);
        }
    }
    Ok(())
}

/// (meters per unit, radius) from `radius unit` (`extractDistanceOrReply`).
fn parse_distance(radius: &[u8], unit: &[u8]) -> Result<(f64, f64), Error> {
    let d = parse_double(radius, "ERR need numeric radius")?;
    if d < 0.0 {
        return Err(Error::err("ERR radius cannot be negative"));
    }
    Ok((parse_unit(unit)?, d))
}

/// `GEORADIUS key longitude latitude radius unit [...]`
pub fn georadius_command(ctx: &mut Ctx) -> CmdResult {
    georadius_generic(ctx, 1, RADIUS_COORDS)
}

/// `GEORADIUSBYMEMBER key member radius unit [...]`
pub fn georadiusbymember_command(ctx: &mut Ctx) -> CmdResult {
    georadius_generic(ctx, 1, RADIUS_MEMBER)
}

/// `GEORADIUS_RO`
pub fn georadius_ro_command(ctx: &mut Ctx) -> CmdResult {
    georadius_generic(ctx, 1, RADIUS_COORDS | RADIUS_NOSTORE)
}

/// `GEORADIUSBYMEMBER_RO`
pub fn georadiusbymember_ro_command(ctx: &mut Ctx) -> CmdResult {
    georadius_generic(ctx, 1, RADIUS_MEMBER | RADIUS_NOSTORE)
}

/// `GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit [...]`
pub fn geosearch_command(ctx: &mut Ctx) -> CmdResult {
    georadius_generic(ctx, 1, GEOSEARCH)
}

/// `GEOSEARCHSTORE dst src ... [STOREDIST]`
pub fn geosearchstore_command(ctx: &mut Ctx) -> CmdResult {
    georadius_generic(ctx, 2, GEOSEARCH | GEOSEARCHSTORE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_and_positions_match_redis() {
        // GEOADD Sicily 13.361389 38.115556 Palermo in redis-server 7.0.15:
        // GEOPOS gives 13.36138933897018433 38.11555639549629859 and the
        // score (WITHHASH) is 3479099956230698.
        let bits = align52(encode_wgs84(13.361389, 38.115556, STEP_MAX).unwrap());
        assert_eq!(bits, 3479099956230698);
        let (lon, lat) = decode_score(bits as f64).unwrap();
        assert_eq!(fmt_coord(lon), "13.36138933897018433");
        assert_eq!(fmt_coord(lat), "38.11555639549629859");
        let catania = decode_score(align52(encode_wgs84(15.087269, 37.502669, STEP_MAX).unwrap()) as f64).unwrap();
        assert_eq!(fmt_distance(distance(lon, lat, catania.0, catania.1)), "166274.1516");
    }

    #[test]
    fn distance_formatting() {
        assert_eq!(fmt_distance(0.0), "0.0000");
        assert_eq!(fmt_distance(0.00004), "0.0000");
        assert_eq!(fmt_distance(1.23456), "1.2346");
        assert_eq!(fmt_distance(-0.5), "-0.5000");
    }
}
