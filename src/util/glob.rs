//! Glob-style matching with Redis's exact semantics (`stringmatchlen` in
//! util.c): `*`, `?`, `[abc]`, `[^abc]`, `[a-z]` (reversed ranges allowed),
//! `\x` escapes, optional case folding. Used by KEYS, SCAN MATCH, CONFIG GET,
//! PSUBSCRIBE, CLIENT/COMMAND LIST filters.
//!
//! Redis reads one byte past the pattern in a couple of places (relying on
//! the NUL terminator); `at()` reproduces that by returning 0 past the end.

/// Returns true when `string` matches `pattern`.
pub fn glob_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, string, nocase, &mut skip_longer, 0)
}

#[inline]
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

#[inline]
fn fold(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

fn match_impl(pat: &[u8], s: &[u8], nocase: bool, skip_longer: &mut bool, nesting: u32) -> bool {
    // Deeply nested stars would recurse without bound; Redis gives up too.
    if nesting > 1000 {
        return false;
    }
    let (mut p, mut plen) = (0usize, pat.len());
    let (mut i, mut slen) = (0usize, s.len());
    while plen > 0 && slen > 0 {
        match pat[p] {
            b'*' => {
                while plen > 0 && at(pat, p + 1) == b'*' {
                    p += 1;
                    plen -= 1;
                }
                if plen == 1 {
                    return true;
                }
                while slen > 0 {
                    if match_impl(&pat[p + 1..p + plen], &s[i..i + slen], nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    i += 1;
                    slen -= 1;
                }
                // Nothing after this star matches anywhere in the rest of
                // the string, so earlier stars cannot help either.
                *skip_longer = true;
                return false;
            }
            b'?' => {
                i += 1;
                slen -= 1;
            }
            b'[' => {
                p += 1;
                plen -= 1;
                let not = at(pat, p) == b'^';
                if not {
                    p += 1;
                    plen -= 1;
                }
                let c = s[i];
                let mut matched = false;
                loop {
                    if at(pat, p) == b'\\' && plen >= 2 {
                        p += 1;
                        plen -= 1;
                        if at(pat, p) == c {
                            matched = true;
                        }
                    } else if at(pat, p) == b']' {
                        break;
                    } else if plen == 0 {
                        p -= 1;
                        plen += 1;
                        break;
                    } else if plen >= 3 && at(pat, p + 1) == b'-' {
                        let (mut start, mut end) = (at(pat, p), at(pat, p + 2));
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        let (start, end, cc) = (fold(start, nocase), fold(end, nocase), fold(c, nocase));
                        p += 2;
                        plen -= 2;
                        if cc >= start && cc <= end {
                            matched = true;
                        }
                    } else if fold(at(pat, p), nocase) == fold(c, nocase) {
                        matched = true;
                    }
                    p += 1;
                    plen -= 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                i += 1;
                slen -= 1;
            }
            other => {
                let mut pc = other;
                if other == b'\\' && plen >= 2 {
                    p += 1;
                    plen -= 1;
                    pc = pat[p];
                }
                if fold(pc, nocase) != fold(s[i], nocase) {
                    return false;
                }
                i += 1;
                slen -= 1;
            }
        }
        p += 1;
        plen -= 1;
        if slen == 0 {
            while at(pat, p) == b'*' && plen > 0 {
                p += 1;
                plen -= 1;
            }
            break;
        }
    }
    plen == 0 && slen == 0
}

/// True when the pattern can only match one exact string (no special
/// characters), so callers may use a direct lookup instead of a scan.
pub fn is_literal(pattern: &[u8]) -> bool {
    !pattern.iter().any(|&c| matches!(c, b'*' | b'?' | b'[' | b'\\'))
}

#[cfg(test)]
mod tests {
    use super::glob_match as m;

    #[test]
    fn basics() {
        assert!(m(b"*", b"anything", false));
        // Redis matches nothing against an empty string, even "*".
        assert!(!m(b"*", b"", false));
        assert!(m(b"a*", b"abc", false));
        assert!(!m(b"a*", b"bc", false));
        assert!(m(b"a?c", b"abc", false));
        assert!(!m(b"a?c", b"ac", false));
        assert!(m(b"h[ae]llo", b"hello", false));
        assert!(!m(b"h[ae]llo", b"hillo", false));
        assert!(m(b"h[^e]llo", b"hallo", false));
        assert!(!m(b"h[^e]llo", b"hello", false));
        assert!(m(b"h[a-b]llo", b"hbllo", false));
        assert!(m(b"h[b-a]llo", b"hbllo", false));
        assert!(m(b"foo\\*", b"foo*", false));
        assert!(!m(b"foo\\*", b"foox", false));
        assert!(m(b"HELLO", b"hello", true));
        assert!(!m(b"HELLO", b"hello", false));
        assert!(m(b"*o*o*", b"foo bar boo", false));
        assert!(m(b"", b"", false));
        assert!(!m(b"", b"a", false));
        assert!(!m(b"a", b"", false));
        assert!(m(b"a**", b"a", false));
    }

    #[test]
    fn unterminated_bracket_does_not_panic() {
        assert!(m(b"[abc", b"a", false));
        assert!(!m(b"[", b"a", false));
        assert!(!m(b"a[", b"ab", false));
        assert!(!m(b"\\", b"a", false));
        assert!(m(b"[\\", b"\\", false));
    }

    #[test]
    fn pathological_pattern_terminates() {
        let pat = b"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
        let s = [b'a'; 64];
        assert!(!m(pat, &s, false));
    }
}
