//! FILTER expressions of TS.QUERYINDEX / TS.MGET (the module's
//! `parseLabelListFromArgs` / `parsePredicate` grammar) and the series
//! they select.
//!
//! A term is classified by the first operator text it contains, in the
//! module's order: `!=(` (value not in list), `!=` (value differs; `l!=`
//! alone: has the label), `=(` (value in list), `=` (equals; `l=` alone:
//! lacks the label). The module then splits the term with `strtok` using
//! the operator as a *set* of separator characters, so `l==v` is `l=v`
//! and `=v` names label `v`; [`strtok`] reproduces that. A filter must
//! hold at least one selecting term (`l=v` or `l=(..)`).
//!
//! Selection walks the series keys the key-change hook keeps
//! (`index.rs`), in key order as the module's radix-tree index returns
//! them, and tests each term against the series' labels.

use super::Series;
use crate::error::Error;
use crate::object::Obj;
use crate::server::Server;
use crate::stack::StackValue;

pub const PARSE_ERR: Error = Error::err("ERR TSDB: failed parsing labels");
pub const NO_MATCHER: Error = Error::err("ERR TSDB: please provide at least one matcher");

/// One FILTER term.
#[derive(Clone, Debug, PartialEq)]
pub enum Pred {
    Eq(Vec<u8>, Vec<u8>),
    Neq(Vec<u8>, Vec<u8>),
    /// `l=`: the series has no label `l`.
    Lacks(Vec<u8>),
    /// `l!=`: the series has label `l`.
    Has(Vec<u8>),
    In(Vec<u8>, Vec<Vec<u8>>),
    NotIn(Vec<u8>, Vec<Vec<u8>>),
}

/// C `strtok_r` over `s` from `*pos`: skips separators, returns the run
/// up to the next one and moves past that separator.
fn strtok<'a>(s: &'a [u8], pos: &mut usize, sep: &[u8]) -> Option<&'a [u8]> {
    let mut i = *pos;
    while i < s.len() && sep.contains(&s[i]) {
        i += 1;
    }
    if i >= s.len() {
        *pos = s.len();
        return None;
    }
    let start = i;
    while i < s.len() && !sep.contains(&s[i]) {
        i += 1;
    }
    *pos = (i + 1).min(s.len());
    Some(&s[start..i])
}

fn contains(s: &[u8], pat: &[u8]) -> bool {
    s.windows(pat.len()).any(|w| w == pat)
}

/// `parseValueList`: `a,b)` (the text after `=(`) into its values.
fn value_list(tok: Option<&[u8]>) -> Option<Vec<Vec<u8>>> {
    let tok = tok?;
    let inner = tok.strip_suffix(b")")?;
    if inner.is_empty() {
        return Some(Vec::new());
    }
    let n = inner.iter().filter(|&&c| c == b',').count() + 1;
    let mut pos = 0;
    let mut out = Vec::with_capacity(n.min(inner.len()));
    for _ in 0..n {
        out.push(strtok(inner, &mut pos, b",")?.to_vec());
    }
    Some(out)
}

/// One term (`parsePredicate` with the module's classification).
pub fn parse_pred(arg: &[u8]) -> Result<Pred, Error> {
    // The module reads the argument as a C string.
    let s = arg.split(|&c| c == 0).next().unwrap_or_default();
    let sep: &[u8] = if contains(s, b"!=(") {
        b"!=("
    } else if contains(s, b"!=") {
        b"!="
    } else if contains(s, b"=(") {
        b"=("
    } else if contains(s, b"=") {
        b"="
    } else {
        return Err(PARSE_ERR);
    };
    let mut pos = 0;
    let label = strtok(s, &mut pos, sep).ok_or(PARSE_ERR)?.to_vec();
    let value = strtok(s, &mut pos, sep);
    Ok(match sep {
        b"!=(" => Pred::NotIn(label, value_list(value).ok_or(PARSE_ERR)?),
        b"=(" => Pred::In(label, value_list(value).ok_or(PARSE_ERR)?),
        b"!=" => match value {
            Some(v) => Pred::Neq(label, v.to_vec()),
            None => Pred::Has(label),
        },
        _ => match value {
            Some(v) => Pred::Eq(label, v.to_vec()),
            None => Pred::Lacks(label),
        },
    })
}

/// A whole FILTER list, with the "at least one matcher" rule.
pub fn parse_filter(args: &[&[u8]]) -> Result<Vec<Pred>, Error> {
    let preds = args.iter().map(|a| parse_pred(a)).collect::<Result<Vec<_>, _>>()?;
    if !preds.iter().any(|p| matches!(p, Pred::Eq(..) | Pred::In(..))) {
        return Err(NO_MATCHER);
    }
    Ok(preds)
}

fn label<'s>(s: &'s Series, l: &[u8]) -> Option<&'s [u8]> {
    s.labels.iter().find(|(k, _)| k == l).map(|(_, v)| v.as_slice())
}

impl Pred {
    pub fn matches(&self, s: &Series) -> bool {
        match self {
            Pred::Eq(l, v) => label(s, l) == Some(v.as_slice()),
            Pred::Neq(l, v) => label(s, l) != Some(v.as_slice()),
            Pred::Lacks(l) => label(s, l).is_none(),
            Pred::Has(l) => label(s, l).is_some(),
            Pred::In(l, vs) => label(s, l).is_some_and(|x| vs.iter().any(|v| v == x)),
            Pred::NotIn(l, vs) => label(s, l).is_none_or(|x| vs.iter().all(|v| v != x)),
        }
    }
}

/// The series of database `db` every term selects, sorted by key
/// (logically expired keys are left out, as opening them would).
pub fn select<'s>(srv: &'s Server, db: usize, preds: &[Pred]) -> Vec<(&'s [u8], &'s Series)> {
    let now = srv.now_ms();
    let d = &srv.dbs[db];
    srv.ts_index
        .keys(db)
        .filter_map(|k| match d.find(k).map(|e| e.value()) {
            Some(crate::object::ValueRef::Obj(Obj::Stack(StackValue::Series(s)))) => Some((k, &**s)),
            _ => None,
        })
        .filter(|(k, s)| preds.iter().all(|p| p.matches(s)) && !d.is_expired(k, now))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Pred, Error> {
        parse_pred(s.as_bytes())
    }

    fn v(s: &str) -> Vec<u8> {
        s.as_bytes().to_vec()
    }

    #[test]
    fn terms_parse_the_modules_way() {
        assert_eq!(p("a=b"), Ok(Pred::Eq(v("a"), v("b"))));
        assert_eq!(p("a==b"), Ok(Pred::Eq(v("a"), v("b"))));
        assert_eq!(p("a=b=c"), Ok(Pred::Eq(v("a"), v("b"))));
        assert_eq!(p("=b"), Ok(Pred::Lacks(v("b"))));
        assert_eq!(p("a="), Ok(Pred::Lacks(v("a"))));
        assert_eq!(p("a!="), Ok(Pred::Has(v("a"))));
        assert_eq!(p("a!=b"), Ok(Pred::Neq(v("a"), v("b"))));
        assert_eq!(p("a=(b,c)"), Ok(Pred::In(v("a"), vec![v("b"), v("c")])));
        assert_eq!(p("a!=(b)"), Ok(Pred::NotIn(v("a"), vec![v("b")])));
        assert_eq!(p("a=()"), Ok(Pred::In(v("a"), vec![])));
        assert_eq!(p("a=(b,,c)"), Err(PARSE_ERR));
        assert_eq!(p("a=(b"), Err(PARSE_ERR));
        assert_eq!(p("a=("), Err(PARSE_ERR));
        assert_eq!(p("ab"), Err(PARSE_ERR));
        assert_eq!(p("="), Err(PARSE_ERR));
        assert_eq!(p(""), Err(PARSE_ERR));
        assert_eq!(parse_filter(&[b"a!=b", b"c="]), Err(NO_MATCHER));
        // Hostile bytes never panic.
        for s in ["(", ")", "=(,", "!=(", "=()", ",=(,)", "\0=a", "a\0=b", "!=!=", "=(((", "a=(,)"] {
            let _ = p(s);
        }
    }
}
