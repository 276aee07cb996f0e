//! LOLWUT: computer art and the server version (lolwut.c, lolwut5.c,
//! lolwut6.c).
//!
//! `LOLWUT [VERSION v] [args]`: version 5 draws Georg Nees's "Schotter"
//! (rows of squares, more disordered further down) in Braille characters,
//! each character a 2x4 block of pixels; version 6 draws a city skyline
//! in four gray levels with ANSI color escapes. Any other version (and
//! the default, since the server is 7.0) only says the version. Both
//! drawings are random; the sizes and the geometry follow Redis's, so a
//! given size gives a drawing of the same shape. Arguments are clamped so
//! the command stays cheap.

use crate::error::Error;
use crate::server::{CmdResult, Ctx};
use crate::util::num::parse_i64;

/// Largest value of C's `rand()`.
const RAND_MAX: u32 = 0x7fff_ffff;

/// A C `rand()`-like source: 0..=RAND_MAX.
pub trait Rand {
    fn next(&mut self) -> u32;
}

struct ServerRand;

impl Rand for ServerRand {
    fn next(&mut self) -> u32 {
        (crate::util::rand_u64() as u32) & RAND_MAX
    }
}

/// A grid of pixels, each a small color number (`lwCanvas`).
pub struct Canvas {
    pub width: i32,
    pub height: i32,
    pixels: Vec<u8>,
}

impl Canvas {
    pub fn new(width: i32, height: i32, bg: u8) -> Canvas {
        let n = (width.max(0) as usize) * (height.max(0) as usize);
        Canvas {
            width,
            height,
            pixels: vec![bg; n],
        }
    }

    fn index(&self, x: i32, y: i32) -> Option<usize> {
        (x >= 0 && x < self.width && y >= 0 && y < self.height).then(|| (x + y * self.width) as usize)
    }

    /// Pixels outside the canvas are not drawn.
    pub fn set(&mut self, x: i32, y: i32, color: u8) {
        if let Some(i) = self.index(x, y) {
            self.pixels[i] = color;
        }
    }

    /// Pixels outside the canvas read as 0.
    pub fn get(&self, x: i32, y: i32) -> u8 {
        self.index(x, y).map_or(0, |i| self.pixels[i])
    }

    /// Bresenham's line, both ends included.
    pub fn line(&mut self, mut x1: i32, mut y1: i32, x2: i32, y2: i32, color: u8) {
        let (dx, dy) = ((x2 - x1).abs(), (y2 - y1).abs());
        let (sx, sy) = (if x1 < x2 { 1 } else { -1 }, if y1 < y2 { 1 } else { -1 });
        let mut err = dx - dy;
        loop {
            self.set(x1, y1, color);
            if x1 == x2 && y1 == y2 {
                break;
            }
            let e2 = err * 2;
            if e2 > -dy {
                err -= dy;
                x1 += sx;
            }
            if e2 < dx {
                err += dx;
                y1 += sy;
            }
        }
    }

    /// A square of diagonal `size` centred on (x, y), turned by `angle`
    /// radians: its corners sit on a circle (`lwDrawSquare`).
    pub fn square(&mut self, x: i32, y: i32, size: f32, angle: f32, color: u8) {
        let radius = ((size as f64 / std::f64::consts::SQRT_2) as f32).round();
        let mut k = (std::f64::consts::FRAC_PI_4 + angle as f64) as f32;
        let mut corners = [(0i32, 0i32); 4];
        for c in corners.iter_mut() {
            let kd = k as f64;
            *c = (
                (kd.sin() * radius as f64 + x as f64).round() as i32,
                (kd.cos() * radius as f64 + y as f64).round() as i32,
            );
            k = (k as f64 + std::f64::consts::FRAC_PI_2) as f32;
        }
        for j in 0..4 {
            let (a, b) = (corners[j], corners[(j + 1) % 4]);
            self.line(a.0, a.1, b.0, b.1, color);
        }
    }
}

/// `LOLWUT [VERSION v] ...`
pub fn lolwut_command(ctx: &mut Ctx) -> CmdResult {
    let mut args: &[&[u8]] = &ctx.argv[1..];
    let mut version = None;
    if args.len() >= 2 && args[0].eq_ignore_ascii_case(b"version") {
        let v = parse_i64(args[1]).ok_or(Error::NotInteger)?;
        // Redis prints it as an unsigned int and looks at the text.
        version = Some(v as u32);
        args = &args[2..];
    }
    let mut nums = Vec::with_capacity(3);
    let text = match version {
        Some(5) => {
            for a in args.iter().take(3) {
                nums.push(parse_i64(a).ok_or(Error::NotInteger)?);
            }
            let cols = nums.first().copied().unwrap_or(66).clamp(1, 1000) as i32;
            let per_row = nums.get(1).copied().unwrap_or(8).clamp(1, 200) as i32;
            let per_col = nums.get(2).copied().unwrap_or(12).clamp(1, 200) as i32;
            let canvas = schotter(cols, per_row, per_col, &mut ServerRand);
            let mut t = render_braille(&canvas);
            t.push_str("\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ");
            t
        }
        Some(6) => {
            for a in args.iter().take(2) {
                nums.push(parse_i64(a).ok_or(Error::NotInteger)?);
            }
            let cols = nums.first().copied().unwrap_or(80).clamp(1, 1000) as i32;
            let rows = nums.get(1).copied().unwrap_or(20).clamp(1, 1000) as i32;
            let mut canvas = Canvas::new(cols, rows, 3);
            skyline(&mut canvas, &mut ServerRand);
            let mut t = render_ansi(&canvas);
            t.push_str(
                "\nDedicated to the 8 bit game developers of past and present.\nOriginal 8 bit image from Plaguemon by hikikomori. Redis ver. ",
            );
            t
        }
        _ => String::from("Redis ver. "),
    };
    let mut text = text;
    text.push_str(crate::REDIS_VERSION);
    text.push('\n');
    ctx.c.reply.verbatim(text.as_bytes(), b"txt");
    Ok(())
}

/// Schotter on a canvas `cols * 2` pixels wide (`lwDrawSchotter`).
pub fn schotter(cols: i32, per_row: i32, per_col: i32, rng: &mut impl Rand) -> Canvas {
    let width = cols * 2;
    let padding = if width > 4 { 2 } else { 0 };
    let side = (width - padding * 2) as f32 / per_row as f32;
    let height = (side * per_col as f32 + (padding * 2) as f32) as i32;
    let mut canvas = Canvas::new(width, height, 0);
    for y in 0..per_col {
        for x in 0..per_row {
            let mut sx = (x as f32 * side + side / 2.0 + padding as f32) as i32;
            let mut sy = (y as f32 * side + side / 2.0 + padding as f32) as i32;
            let mut angle = 0.0f32;
            if y > 1 {
                // Up to y/per_col: more disorder further down.
                let mut unit = || rng.next() as f32 / RAND_MAX as f32 / per_col as f32 * y as f32;
                let (mut r1, mut r2, mut r3) = (unit(), unit(), unit());
                if rng.next() % 2 == 1 {
                    r1 = -r1;
                }
                if rng.next() % 2 == 1 {
                    r2 = -r2;
                }
                if rng.next() % 2 == 1 {
                    r3 = -r3;
                }
                angle = r1;
                sx = (sx as f32 + r2 * side / 3.0) as i32;
                sy = (sy as f32 + r3 * side / 3.0) as i32;
            }
            canvas.square(sx, sy, side, angle, 1);
        }
    }
    canvas
}

/// One Braille character per 2x4 pixels (dots 1-2-3 down the left
/// column, 4-5-6 down the right, then 7 and 8 on the bottom row).
pub fn render_braille(canvas: &Canvas) -> String {
    let mut text = String::new();
    let mut y = 0;
    while y < canvas.height {
        let mut x = 0;
        while x < canvas.width {
            let dots = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)];
            let mut bits = 0u32;
            for (bit, (dx, dy)) in dots.iter().enumerate() {
                if canvas.get(x + dx, y + dy) != 0 {
                    bits |= 1 << bit;
                }
            }
            text.push(char::from_u32(0x2800 + bits).unwrap_or(' '));
            x += 2;
        }
        // (Redis's test compares with the last pixel row, which a step of
        // four rarely meets: nearly every text row ends with a newline.)
        if y != canvas.height - 1 {
            text.push('\n');
        }
        y += 4;
    }
    text
}

/// One space per pixel, colored black, two grays or white with both the
/// foreground and the background set.
pub fn render_ansi(canvas: &Canvas) -> String {
    let mut text = String::new();
    for y in 0..canvas.height {
        for x in 0..canvas.width {
            let code = match canvas.get(x, y) {
                1 => "0;90;100m",
                2 => "0;37;47m",
                3 => "0;97;107m",
                _ => "0;30;40m",
            };
            text.push_str("\x1b[");
            text.push_str(code);
            text.push_str(" \x1b[0m");
        }
        if y != canvas.height - 1 {
            text.push('\n');
        }
    }
    text
}

/// One building standing on the bottom row (`generateSkyscraper`).
struct Building {
    xoff: i32,
    width: i32,
    height: i32,
    windows: bool,
    color: u8,
}

fn draw_building(canvas: &mut Canvas, b: &Building, rng: &mut impl Rand) {
    let bottom = canvas.height - 1;
    let top = bottom - b.height + 1;
    let mut y = bottom;
    while y >= top {
        for x in b.xoff..b.xoff + b.width {
            // The roof is two pixels narrower on each side.
            if y == top && (x <= b.xoff + 1 || x >= b.xoff + b.width - 2) {
                continue;
            }
            let mut color = b.color;
            let inner = x > b.xoff + 1 && x < b.xoff + b.width - 2 && y > top + 1 && y < bottom - 1;
            if b.windows && inner {
                let relx = x - (b.xoff + 1);
                let rely = y - (top + 1);
                // Windows two pixels wide, one tall, every other column
                // pair and row; both pixels of a window share its color.
                if (relx / 2) % 2 != 0 && rely % 2 != 0 {
                    loop {
                        color = 1 + (rng.next() % 2) as u8;
                        if color != b.color {
                            break;
                        }
                    }
                    if relx % 2 != 0 {
                        color = canvas.get(x - 1, y);
                    }
                }
            }
            canvas.set(x, y, color);
        }
        y -= 1;
    }
}

/// Two rows of plain background buildings (the lighter ones behind),
/// then the black foreground ones with lit windows (`generateSkyline`).
pub fn skyline(canvas: &mut Canvas, rng: &mut impl Rand) {
    let h = canvas.height as u32;
    for color in [2u8, 1] {
        let mut offset = -10i32;
        while offset < canvas.width {
            offset += (rng.next() % 8) as i32;
            let width = 10 + (rng.next() % 9) as i32;
            let height = if color == 2 {
                (h / 2 + (rng.next() % h) / 2) as i32
            } else {
                (h / 2 + (rng.next() % h) / 3) as i32
            };
            let b = Building {
                xoff: offset,
                width,
                height,
                windows: false,
                color,
            };
            draw_building(canvas, &b, rng);
            offset += if color == 2 { width / 2 } else { width + 1 };
        }
    }
    let mut offset = -10i32;
    while offset < canvas.width {
        offset += (rng.next() % 8) as i32;
        let mut width = 5 + (rng.next() % 14) as i32;
        if width % 4 != 0 {
            width += width % 3;
        }
        let height = (h / 3 + (rng.next() % h) / 2) as i32;
        let b = Building {
            xoff: offset,
            width,
            height,
            windows: true,
            color: 0,
        };
        draw_building(canvas, &b, rng);
        offset += width + 5;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(u32);
    impl Rand for Fixed {
        fn next(&mut self) -> u32 {
            // A small LCG: deterministic, covers odd and even values.
            self.0 = self.0.wrapping_mul(1103515245).wrapping_add(12345) & RAND_MAX;
            self.0
        }
    }

    #[test]
    fn lines_and_squares_hit_the_expected_pixels() {
        let mut c = Canvas::new(10, 10, 0);
        c.line(0, 0, 3, 3, 1);
        for i in 0..4 {
            assert_eq!(c.get(i, i), 1);
        }
        assert_eq!(c.get(1, 0), 0);
        // Out of the canvas: ignored on write, 0 on read.
        c.set(-1, 50, 1);
        assert_eq!(c.get(-1, 50), 0);
        // An unturned square of size 4*sqrt(2) has its corners on a
        // circle of radius 4: 3 pixels away along each axis.
        let mut c = Canvas::new(20, 20, 0);
        c.square(10, 10, 4.0 * std::f32::consts::SQRT_2, 0.0, 1);
        for (x, y) in [(7, 7), (13, 7), (7, 13), (13, 13), (10, 7), (7, 10)] {
            assert_eq!(c.get(x, y), 1, "({x},{y})");
        }
        assert_eq!(c.get(10, 10), 0);
    }

    #[test]
    fn schotter_has_redis_dimensions_and_top_rows_are_straight() {
        let c = schotter(66, 8, 12, &mut Fixed(1));
        assert_eq!(c.width, 132);
        // (132 - 4) / 8 = 16 per square, 12 rows, padding 2 + 2.
        assert_eq!(c.height, 16 * 12 + 4);
        let text = render_braille(&c);
        let rows: Vec<&str> = text.split('\n').collect();
        assert_eq!(rows.len(), 196 / 4 + 1);
        assert!(rows[..49].iter().all(|r| r.chars().count() == 66));
        assert!(text
            .chars()
            .filter(|&ch| ch != '\n')
            .all(|ch| ('\u{2800}'..='\u{28ff}').contains(&ch)));
        // The first row of squares is axis-aligned: centres at y 10,
        // radius round(16/sqrt 2) = 11, so top edges on pixel row 2, 17
        // pixels wide each.
        let edge = (0..c.width).filter(|&x| c.get(x, 2) == 1).count();
        assert!(edge >= 8 * 17 - 8, "{edge}");
        assert!((0..c.width).all(|x| c.get(x, 1) == 0));
    }

    #[test]
    fn skyline_fills_every_pixel_with_a_gray_level() {
        let mut c = Canvas::new(80, 20, 3);
        skyline(&mut c, &mut Fixed(7));
        let mut seen = [false; 4];
        for y in 0..20 {
            for x in 0..80 {
                seen[c.get(x, y) as usize] = true;
            }
        }
        assert!(seen[0] && seen[3], "{seen:?}");
        // Buildings stand on the bottom row.
        assert!((0..80).filter(|&x| c.get(x, 19) != 3).count() > 40);
        let text = render_ansi(&c);
        assert_eq!(text.matches('\n').count(), 19);
        assert_eq!(text.matches(" \x1b[0m").count(), 80 * 20);
    }

    #[test]
    fn braille_dots_map_to_their_bits() {
        let mut c = Canvas::new(2, 4, 0);
        c.set(0, 0, 1);
        assert_eq!(render_braille(&c), "\u{2801}\n");
        let mut c = Canvas::new(2, 4, 0);
        c.set(1, 3, 1);
        c.set(0, 3, 1);
        assert_eq!(render_braille(&c), "\u{28c0}\n");
    }
}
