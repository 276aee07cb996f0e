//! VSIM's FILTER expressions over an element's JSON attributes (Redis 8's
//! vector sets `expr.c` language, our own implementation).
//!
//! Grammar, loosest to tightest: `or`/`||`; `and`/`&&`; comparisons
//! `> >= < <= == !=` and `in`; `+ -`; `* / %`; `**` (right-associative);
//! prefix `!`/`not` and `-`; then atoms: numbers, 'single' or "double"
//! quoted strings, `true`/`false` (1 and 0), `[a, b, ...]` tuples of
//! literals, `.field` selectors (top-level JSON keys only) and parentheses.
//!
//! Evaluation never fails loudly: a missing field, attributes that are not
//! a JSON object, a value of an unusable type (object, null, nested array)
//! or an operation on the wrong types makes the element not match.
//! Parsing is iterative where input controls the depth (JSON skipping) and
//! bounded ([`MAX_DEPTH`]) where it recurses (nesting in the expression).

/// Deepest nesting of parentheses / prefix operators / tuples accepted.
pub const MAX_DEPTH: usize = 200;

#[derive(Clone, Debug, PartialEq)]
enum Val {
    Num(f64),
    Str(Vec<u8>),
    Tuple(Vec<Val>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Or,
    And,
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

impl Op {
    fn prec(self) -> u8 {
        match self {
            Op::Or => 0,
            Op::And => 1,
            Op::Gt | Op::Ge | Op::Lt | Op::Le | Op::Eq | Op::Ne | Op::In => 2,
            Op::Add | Op::Sub => 3,
            Op::Mul | Op::Div | Op::Mod => 4,
            Op::Pow => 5,
        }
    }
}

#[derive(Clone, Debug)]
enum Node {
    Lit(Val),
    Field(Vec<u8>),
    Not(Box<Node>),
    Neg(Box<Node>),
    Bin(Op, Box<Node>, Box<Node>),
}

/// A compiled expression.
#[derive(Clone, Debug)]
pub struct Expr {
    root: Node,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Str(Vec<u8>),
    Field(Vec<u8>),
    Op(Op),
    Not,
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
    End,
}

struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Lexer<'_> {
    /// The next token and where it started; Err(position) when none fits.
    fn next(&mut self) -> Result<(Tok, usize), usize> {
        let s = self.s;
        while self.pos < s.len() && s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&c) = s.get(start) else {
            return Ok((Tok::End, start));
        };
        let two = s.get(start..start + 2).unwrap_or(&[]);
        let (tok, len) = match (c, two) {
            (_, b"**") => (Tok::Op(Op::Pow), 2),
            (_, b">=") => (Tok::Op(Op::Ge), 2),
            (_, b"<=") => (Tok::Op(Op::Le), 2),
            (_, b"==") => (Tok::Op(Op::Eq), 2),
            (_, b"!=") => (Tok::Op(Op::Ne), 2),
            (_, b"&&") => (Tok::Op(Op::And), 2),
            (_, b"||") => (Tok::Op(Op::Or), 2),
            (b'>', _) => (Tok::Op(Op::Gt), 1),
            (b'<', _) => (Tok::Op(Op::Lt), 1),
            (b'+', _) => (Tok::Op(Op::Add), 1),
            (b'-', _) => (Tok::Op(Op::Sub), 1),
            (b'*', _) => (Tok::Op(Op::Mul), 1),
            (b'/', _) => (Tok::Op(Op::Div), 1),
            (b'%', _) => (Tok::Op(Op::Mod), 1),
            (b'!', _) => (Tok::Not, 1),
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b'[', _) => (Tok::LBrack, 1),
            (b']', _) => (Tok::RBrack, 1),
            (b',', _) => (Tok::Comma, 1),
            (b'\'' | b'"', _) => {
                let mut i = start + 1;
                let mut out = Vec::new();
                loop {
                    match s.get(i) {
                        None => return Err(start),
                        Some(&q) if q == c => break,
                        Some(b'\\') => {
                            let Some(&e) = s.get(i + 1) else { return Err(start) };
                            out.push(match e {
                                b'n' => b'\n',
                                b't' => b'\t',
                                b'r' => b'\r',
                                other => other,
                            });
                            i += 2;
                        }
                        Some(&b) => {
                            out.push(b);
                            i += 1;
                        }
                    }
                }
                self.pos = i + 1;
                return Ok((Tok::Str(out), start));
            }
            (b'.', _) if s.get(start + 1).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') => {
                let mut i = start + 1;
                while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_' || s[i] == b'-') {
                    i += 1;
                }
                self.pos = i;
                return Ok((Tok::Field(s[start + 1..i].to_vec()), start));
            }
            (b'0'..=b'9' | b'.', _) => {
                let mut i = start;
                while i < s.len() && (s[i].is_ascii_digit() || s[i] == b'.') {
                    i += 1;
                }
                // An exponent: e, optional sign, digits.
                if i < s.len() && (s[i] == b'e' || s[i] == b'E') {
                    let mut j = i + 1;
                    if j < s.len() && (s[j] == b'+' || s[j] == b'-') {
                        j += 1;
                    }
                    if j < s.len() && s[j].is_ascii_digit() {
                        while j < s.len() && s[j].is_ascii_digit() {
                            j += 1;
                        }
                        i = j;
                    }
                }
                let text = std::str::from_utf8(&s[start..i]).map_err(|_| start)?;
                let v: f64 = text.parse().map_err(|_| start)?;
                self.pos = i;
                return Ok((Tok::Num(v), start));
            }
            (c, _) if c.is_ascii_alphabetic() => {
                let mut i = start;
                while i < s.len() && s[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                let word = &s[start..i];
                let tok = if word.eq_ignore_ascii_case(b"and") {
                    Tok::Op(Op::And)
                } else if word.eq_ignore_ascii_case(b"or") {
                    Tok::Op(Op::Or)
                } else if word.eq_ignore_ascii_case(b"not") {
                    Tok::Not
                } else if word.eq_ignore_ascii_case(b"in") {
                    Tok::Op(Op::In)
                } else if word.eq_ignore_ascii_case(b"true") {
                    Tok::Num(1.0)
                } else if word.eq_ignore_ascii_case(b"false") {
                    Tok::Num(0.0)
                } else {
                    return Err(start);
                };
                self.pos = i;
                return Ok((tok, start));
            }
            _ => return Err(start),
        };
        self.pos = start + len;
        Ok((tok, start))
    }
}

struct Parser<'a> {
    lex: Lexer<'a>,
    tok: Tok,
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn advance(&mut self) -> Result<(), usize> {
        let (t, at) = self.lex.next()?;
        self.tok = t;
        self.at = at;
        Ok(())
    }

    fn enter(&mut self) -> Result<(), usize> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.at);
        }
        Ok(())
    }

    /// Precedence climbing from level `min`.
    fn expr(&mut self, min: u8) -> Result<Node, usize> {
        self.enter()?;
        let mut lhs = self.unary()?;
        while let Tok::Op(op) = self.tok {
            if op.prec() < min {
                break;
            }
            self.advance()?;
            // `**` binds to the right, the others to the left.
            let next = if op == Op::Pow { op.prec() } else { op.prec() + 1 };
            let rhs = self.expr(next)?;
            lhs = Node::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Node, usize> {
        match self.tok {
            Tok::Not => {
                self.advance()?;
                self.enter()?;
                let n = self.unary()?;
                self.depth -= 1;
                Ok(Node::Not(Box::new(n)))
            }
            Tok::Op(Op::Sub) => {
                self.advance()?;
                self.enter()?;
                let n = self.unary()?;
                self.depth -= 1;
                Ok(Node::Neg(Box::new(n)))
            }
            _ => {
                let a = self.atom()?;
                // `**` binds tighter than the prefix operators' operand
                // (so `-2 ** 2` is -4).
                if self.tok == Tok::Op(Op::Pow) {
                    self.advance()?;
                    let rhs = self.expr(Op::Pow.prec())?;
                    return Ok(Node::Bin(Op::Pow, Box::new(a), Box::new(rhs)));
                }
                Ok(a)
            }
        }
    }

    fn literal(&mut self) -> Result<Val, usize> {
        let v = match &self.tok {
            Tok::Num(n) => Val::Num(*n),
            Tok::Str(s) => Val::Str(s.clone()),
            Tok::Op(Op::Sub) => {
                self.advance()?;
                match self.tok {
                    Tok::Num(n) => Val::Num(-n),
                    _ => return Err(self.at),
                }
            }
            _ => return Err(self.at),
        };
        self.advance()?;
        Ok(v)
    }

    fn atom(&mut self) -> Result<Node, usize> {
        match std::mem::replace(&mut self.tok, Tok::End) {
            Tok::Num(n) => {
                self.advance()?;
                Ok(Node::Lit(Val::Num(n)))
            }
            Tok::Str(s) => {
                self.advance()?;
                Ok(Node::Lit(Val::Str(s)))
            }
            Tok::Field(f) => {
                self.advance()?;
                Ok(Node::Field(f))
            }
            Tok::LParen => {
                self.advance()?;
                let n = self.expr(0)?;
                if self.tok != Tok::RParen {
                    return Err(self.at);
                }
                self.advance()?;
                Ok(n)
            }
            Tok::LBrack => {
                self.advance()?;
                let mut items = Vec::new();
                if self.tok == Tok::RBrack {
                    self.advance()?;
                    return Ok(Node::Lit(Val::Tuple(items)));
                }
                loop {
                    items.push(self.literal()?);
                    match self.tok {
                        Tok::Comma => self.advance()?,
                        Tok::RBrack => {
                            self.advance()?;
                            return Ok(Node::Lit(Val::Tuple(items)));
                        }
                        _ => return Err(self.at),
                    }
                }
            }
            t => {
                self.tok = t;
                Err(self.at)
            }
        }
    }
}

impl Expr {
    /// Compiles `src`; Err(byte position) near where it stopped making
    /// sense.
    pub fn compile(src: &[u8]) -> Result<Expr, usize> {
        let mut p = Parser {
            lex: Lexer { s: src, pos: 0 },
            tok: Tok::End,
            at: 0,
            depth: 0,
        };
        p.advance()?;
        if p.tok == Tok::End {
            return Err(0);
        }
        let root = p.expr(0)?;
        if p.tok != Tok::End {
            return Err(p.at);
        }
        Ok(Expr { root })
    }

    /// Whether the element with these JSON attributes matches.
    pub fn eval(&self, json: &[u8]) -> bool {
        let mut fields: Option<Option<Fields>> = None;
        let mut get = |name: &[u8]| -> Option<Val> {
            let obj = fields.get_or_insert_with(|| top_level(json)).as_ref()?;
            obj.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.clone())
        };
        eval(&self.root, &mut get).is_some_and(|v| truthy(&v))
    }
}

fn truthy(v: &Val) -> bool {
    match v {
        Val::Num(n) => *n != 0.0,
        Val::Str(s) => !s.is_empty(),
        Val::Tuple(t) => !t.is_empty(),
    }
}

fn num(v: Val) -> Option<f64> {
    match v {
        Val::Num(n) => Some(n),
        Val::Str(s) => std::str::from_utf8(&s).ok()?.trim().parse().ok(),
        Val::Tuple(_) => None,
    }
}

fn equal(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Str(x), Val::Str(y)) => x == y,
        (Val::Tuple(_), _) | (_, Val::Tuple(_)) => false,
        _ => num(a.clone()).zip(num(b.clone())).is_some_and(|(x, y)| x == y),
    }
}

fn eval(n: &Node, get: &mut dyn FnMut(&[u8]) -> Option<Val>) -> Option<Val> {
    let b = |x: bool| Val::Num(if x { 1.0 } else { 0.0 });
    Some(match n {
        Node::Lit(v) => v.clone(),
        Node::Field(f) => get(f)?,
        Node::Not(x) => b(!truthy(&eval(x, get)?)),
        Node::Neg(x) => Val::Num(-num(eval(x, get)?)?),
        Node::Bin(Op::And, l, r) => b(truthy(&eval(l, get)?) && truthy(&eval(r, get)?)),
        Node::Bin(Op::Or, l, r) => {
            // A side that cannot be evaluated counts as false here, so
            // `.missing or .year > 2000` can still match.
            let lv = eval(l, get).is_some_and(|v| truthy(&v));
            b(lv || eval(r, get).is_some_and(|v| truthy(&v)))
        }
        Node::Bin(op, l, r) => {
            let (lv, rv) = (eval(l, get)?, eval(r, get)?);
            match op {
                Op::Eq => b(equal(&lv, &rv)),
                Op::Ne => b(!equal(&lv, &rv)),
                Op::In => match (&lv, &rv) {
                    (Val::Str(x), Val::Str(y)) => b(x.is_empty() || y.windows(x.len()).any(|w| w == &x[..])),
                    (_, Val::Tuple(t)) => b(t.iter().any(|v| equal(&lv, v))),
                    _ => return None,
                },
                Op::Gt | Op::Ge | Op::Lt | Op::Le => {
                    let ord = match (&lv, &rv) {
                        (Val::Str(x), Val::Str(y)) => x.cmp(y),
                        _ => num(lv)?.partial_cmp(&num(rv)?)?,
                    };
                    b(match op {
                        Op::Gt => ord.is_gt(),
                        Op::Ge => ord.is_ge(),
                        Op::Lt => ord.is_lt(),
                        _ => ord.is_le(),
                    })
                }
                _ => {
                    let (x, y) = (num(lv)?, num(rv)?);
                    Val::Num(match op {
                        Op::Add => x + y,
                        Op::Sub => x - y,
                        Op::Mul => x * y,
                        Op::Div => x / y,
                        Op::Mod => x % y,
                        _ => x.powf(y),
                    })
                }
            }
        }
    })
}

/// A JSON object's top-level keys with their usable values.
type Fields = Vec<(Vec<u8>, Option<Val>)>;

/// The top-level fields of a JSON object, each with its value when usable
/// (number, string, boolean as 1/0, array of numbers and strings); None
/// when the text is not a JSON object.
fn top_level(s: &[u8]) -> Option<Fields> {
    let mut j = Json { s, i: 0 };
    j.ws();
    j.eat(b'{')?;
    let mut out = Vec::new();
    j.ws();
    if j.eat(b'}').is_some() {
        return Some(out);
    }
    loop {
        j.ws();
        let k = j.string()?;
        j.ws();
        j.eat(b':')?;
        j.ws();
        let v = j.value()?;
        out.push((k, v));
        j.ws();
        if j.eat(b',').is_some() {
            continue;
        }
        j.eat(b'}')?;
        return Some(out);
    }
}

struct Json<'a> {
    s: &'a [u8],
    i: usize,
}

impl Json<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.s.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    fn string(&mut self) -> Option<Vec<u8>> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            let c = *self.s.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return Some(out),
                b'\\' => {
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex = std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
                            let cp = u32::from_str_radix(hex, 16).ok()?;
                            self.i += 4;
                            let ch = char::from_u32(cp).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
    }

    fn number(&mut self) -> Option<f64> {
        let start = self.i;
        while self.i < self.s.len() && matches!(self.s[self.i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).ok()?.parse().ok()
    }

    fn word(&mut self, w: &[u8]) -> Option<()> {
        (self.s.get(self.i..self.i + w.len()) == Some(w)).then(|| self.i += w.len())
    }

    /// One value: Some(Some(v)) usable, Some(None) valid but unusable,
    /// None malformed.
    fn value(&mut self) -> Option<Option<Val>> {
        match *self.s.get(self.i)? {
            b'"' => Some(Some(Val::Str(self.string()?))),
            b't' => self.word(b"true").map(|_| Some(Val::Num(1.0))),
            b'f' => self.word(b"false").map(|_| Some(Val::Num(0.0))),
            b'n' => self.word(b"null").map(|_| None),
            b'{' => self.skip().map(|_| None),
            b'[' => {
                let start = self.i;
                // A flat array of numbers and strings becomes a tuple.
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b']').is_some() {
                    return Some(Some(Val::Tuple(items)));
                }
                loop {
                    self.ws();
                    match self.s.get(self.i)? {
                        b'"' => items.push(Val::Str(self.string()?)),
                        b'-' | b'0'..=b'9' => items.push(Val::Num(self.number()?)),
                        _ => {
                            self.i = start;
                            return self.skip().map(|_| None);
                        }
                    }
                    self.ws();
                    if self.eat(b',').is_some() {
                        continue;
                    }
                    self.eat(b']')?;
                    return Some(Some(Val::Tuple(items)));
                }
            }
            _ => Some(Some(Val::Num(self.number()?))),
        }
    }

    /// Skips a nested object or array without recursion.
    fn skip(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            let c = *self.s.get(self.i)?;
            match c {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        self.i += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(e: &str, json: &str) -> bool {
        Expr::compile(e.as_bytes())
            .unwrap_or_else(|p| panic!("{e}: error at {p}"))
            .eval(json.as_bytes())
    }

    #[test]
    fn documented_examples() {
        let movie = r#"{"year": 1985, "genre": "action", "rating": 8.5, "director": "Nolan", "tags": ["a", 2]}"#;
        assert!(m(".year >= 1980 and .year < 1990", movie));
        assert!(m(".genre == \"action\" and .rating > 8.0", movie));
        assert!(m(".director in [\"Spielberg\", \"Nolan\"]", movie));
        assert!(!m("(.year - 2000) ** 2 < 100 and .rating / 2 > 4", movie));
        assert!(m("(.year - 1990) ** 2 < 100 and .rating / 2 > 4", movie));
        assert!(m("5 in [1, 2, 5]", "{}"));
        assert!(m("'foo' in 'barfoobar'", "{}"));
        assert!(!m("'zap' in 'foobar'", "{}"));
        assert!(m("2 in .tags", movie));
        assert!(m("not (.year == 1) && !(.year != 1985)", movie));
        // Prefix operators bind tightest: (not .year) == 0.
        assert!(m("not .year == 0", movie));
        assert!(m(".year > 1950", "{\"year\": 1952}"));
        assert!(!m(".year > 1950", "{\"year\": 1950}"));
        assert!(m(".ok", "{\"ok\": true}"));
        assert!(!m(".ok", "{\"ok\": false}"));
    }

    #[test]
    fn module_test_cases() {
        let a = r#"{"active": true, "n": 5, "name": "Alice", "scores": [85, 90]}"#;
        let b = r#"{"active": false, "n": 0, "name": "Bob"}"#;
        assert!(m("!!.active", a) && !m("!!.active", b));
        assert!(m("not not .active", a) && !m("!!!.active", a) && m("!!!.active", b));
        assert!(m("!!.n == 1", a) && !m("!!.n == 1", b));
        assert!(m(".n > 1 and not not .active", a));
        assert!(m("'' in .name", a) && !m(".name in ''", a) && m("'' in .name && '' in ''", b));
        assert!(m("'lic' in .name", a) && m("'Alice' in .name", a) && !m("'xyz' in .name", a));
        assert!(m(".scores", a) && !m(".scores", b));
        assert!(m(".n % 2 == 1 and .n ** 2 > 24 and .n > (2 + 2)", a));
        assert!(!m(".any", "invalid json"));
    }

    #[test]
    fn precedence() {
        assert!(m("1 + 2 * 3 == 7", "{}"));
        assert!(m("2 ** 3 ** 2 == 512", "{}"));
        assert!(m("-2 ** 2 == -4", "{}"));
        assert!(m("10 % 4 == 2 and 8 / 4 - 1 == 1", "{}"));
        assert!(m("1 or 0 and 0", "{}"));
        assert!(!m("(1 or 0) and 0", "{}"));
        assert!(m("1 < 2 == 1", "{}"));
    }

    #[test]
    fn unusable_values_do_not_match() {
        for json in [
            "",
            "not json",
            "[1]",
            "{\"year\": {\"a\": 1}}",
            "{\"year\": null}",
            "{\"year\": 1",
            "{\"year\": [[1]]}",
        ] {
            assert!(!m(".year > 0", json), "{json}");
        }
        assert!(!m(".missing == 1", "{\"year\": 1}"));
        assert!(m(".missing == 1 or .year == 1", "{\"year\": 1}"));
        assert!(!m(".s * 2 > 1", "{\"s\": [1]}"));
        assert!(m(".s > 'a'", "{\"s\": \"b\"}"));
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        assert_eq!(Expr::compile(b".year >").unwrap_err(), 7);
        assert_eq!(Expr::compile(b".year > 1950 )").unwrap_err(), 13);
        assert_eq!(Expr::compile(b"'unterminated").unwrap_err(), 0);
        assert_eq!(Expr::compile(b"1 $ 2").unwrap_err(), 2);
        assert_eq!(Expr::compile(b"").unwrap_err(), 0);
        assert_eq!(Expr::compile(b"foo").unwrap_err(), 0);
        assert!(Expr::compile(b"[1, .x]").is_err());
        assert!(Expr::compile(b"(1").is_err());
    }

    #[test]
    fn hostile_input_never_crashes() {
        let deep = "(".repeat(100_000) + "1" + &")".repeat(100_000);
        assert!(Expr::compile(deep.as_bytes()).is_err());
        let nots = "!".repeat(100_000) + "1";
        assert!(Expr::compile(nots.as_bytes()).is_err());
        let chain = "1 ** ".repeat(100_000) + "1";
        assert!(Expr::compile(chain.as_bytes()).is_err());
        let ok = "(".repeat(50) + "1" + &")".repeat(50);
        assert!(m(&ok, "{}"));
        assert!(m("1e308 * 10 > 1", "{}"));
        assert!(m(".x > 1", &format!("{{\"x\": {}}}", "9".repeat(5000))));
        assert!(Expr::compile("9".repeat(100_000).as_bytes()).is_ok());
        let deep_json = format!("{{\"a\": {}1{}, \"x\": 2}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(m(".x == 2", &deep_json));
        assert!(!m(".x == 2", &"{\"x\": \"".repeat(1000)));
        for bytes in [&b"\xff\xfe"[..], b"\"\\", b".", b"[", b"1 in", b"'\\"] {
            let _ = Expr::compile(bytes);
        }
    }
}
