//! JSON text output (the dashboard only writes JSON, never parses it).

use oxidis_client::Value;

/// Append `s` as a JSON string literal.
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub fn str_lit(s: &str) -> String {
    let mut o = String::new();
    push_str(&mut o, s);
    o
}

/// A finite number, or `null`.
pub fn num(f: f64) -> String {
    if f.is_finite() {
        format!("{}", f)
    } else {
        "null".into()
    }
}

/// A RESP reply as JSON: strings (lossy UTF-8), numbers, arrays; maps
/// become arrays of `[key, value]` pairs (RESP2 servers send flat arrays).
pub fn push_value(out: &mut String, v: &Value) {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Status(b) | Value::Error(b) | Value::Bulk(b) | Value::BigNumber(b) | Value::Verbatim(_, b) => {
            push_str(out, &String::from_utf8_lossy(b))
        }
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Double(d) => out.push_str(&num(*d)),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_value(out, it);
            }
            out.push(']');
        }
        Value::Map(pairs) => {
            out.push('[');
            for (i, (k, val)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('[');
                push_value(out, k);
                out.push(',');
                push_value(out, val);
                out.push(']');
            }
            out.push(']');
        }
    }
}

pub fn value(v: &Value) -> String {
    let mut o = String::new();
    push_value(&mut o, v);
    o
}

/// The `/api/state` document: `{"now":ms,"servers":[...]}`.
pub fn state(st: &crate::Shared) -> String {
    let mut out = String::from("{\"now\":");
    out.push_str(&crate::poll::now_ms().to_string());
    out.push_str(",\"servers\":[");
    for (i, m) in st.servers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let s = m.lock().unwrap_or_else(|e| e.into_inner());
        s.push_json(&mut out);
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_quotes() {
        assert_eq!(str_lit("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
        assert_eq!(num(f64::NAN), "null");
        let v = Value::Array(vec![Value::Int(1), Value::Bulk(b"x".to_vec()), Value::Nil]);
        assert_eq!(value(&v), "[1,\"x\",null]");
    }
}
