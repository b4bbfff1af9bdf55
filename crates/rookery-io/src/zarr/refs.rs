//! Kerchunk JSON references (version 0 and 1) as a key/value store.
//!
//! ```text
//!   refs.json | refs.json.zst ──read (zstd if compressed)──► serde_json
//!     v0: { key: value, ... }
//!     v1: { "version": 1, "templates": {name: str}, "gen": [...], "refs": { key: value } }
//!   value: "text" (UTF-8 bytes) | "base64:..." | {JSON object} (its text)
//!          | [target] (whole object) | [target, offset, length]
//!   target: {{template}} substituted; URL | s3:// | path (relative to the reference file)
//!   gen: key/url/offset/length rendered for the cartesian product of its dimensions
//!        ({{ i }}, {{ (i + 1) * 100 }}: integer arithmetic only)
//! ```

use super::error::ZarrError;
use super::store::{resolve_target, Fetcher, KeyStore, Loc};
use base64::Engine;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Where the bytes of one key are.
#[derive(Clone, Debug)]
pub(crate) enum Ref {
    Inline(Vec<u8>),
    Range { target: String, offset: u64, len: u64 },
    Whole { target: String },
}

/// Keys of a reference set resolved through a [`Fetcher`].
pub(crate) struct RefStore {
    pub(crate) refs: HashMap<String, Ref>,
    /// The directory of the reference file (relative targets).
    pub(crate) base: Loc,
    pub(crate) fetch: Arc<Fetcher>,
}

/// Reads `key`'s bytes given its reference (shared with the Parquet store).
pub(crate) fn read_ref(fetch: &Fetcher, base: &Loc, key: &str, r: &Ref) -> Result<Option<Vec<u8>>, ZarrError> {
    let (target, range) = match r {
        Ref::Inline(b) => return Ok(Some(b.clone())),
        Ref::Range { target, offset, len } => (target, Some((*offset, *len))),
        Ref::Whole { target } => (target, None),
    };
    let loc = resolve_target(target, base, fetch.ctx().s3());
    match fetch.read(&loc, range) {
        Ok(Some(b)) => Ok(Some(b)),
        Ok(None) => Err(ZarrError::Chunk {
            key: key.to_string(),
            source: Box::new(ZarrError::NotFound { what: loc.display() }),
        }),
        Err(e) => Err(ZarrError::Chunk { key: key.to_string(), source: Box::new(e) }),
    }
}

/// Kerchunk's (fsspec `ReferenceFileSystem`'s) `max_gap`: chunk ranges of one file at most
/// this far apart are fetched with one request.
const PREFETCH_GAP: u64 = 64_000;

/// Fetches the remote byte ranges of `refs` ahead of their reads: per target URL, the ranges
/// coalesced (see [`Fetcher::prefetch`]). Local targets are read directly and skipped.
pub(crate) fn prefetch_refs<'a>(
    fetch: &Fetcher,
    base: &Loc,
    refs: impl Iterator<Item = &'a Ref>,
) -> Result<(), ZarrError> {
    let mut by_url: HashMap<String, Vec<(u64, u64)>> = HashMap::new();
    for r in refs {
        if let Ref::Range { target, offset, len } = r {
            if let Loc::Url(u) = resolve_target(target, base, fetch.ctx().s3()) {
                by_url.entry(u).or_default().push((*offset, *len));
            }
        }
    }
    for (url, ranges) in by_url {
        // One range: its read is one request anyway.
        if ranges.len() > 1 {
            fetch.prefetch(&url, &ranges, PREFETCH_GAP)?;
        }
    }
    Ok(())
}

impl KeyStore for RefStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ZarrError> {
        match self.refs.get(key) {
            None => Ok(None),
            Some(r) => read_ref(&self.fetch, &self.base, key, r),
        }
    }

    fn prefetch(&self, keys: &[String]) -> Result<(), ZarrError> {
        prefetch_refs(&self.fetch, &self.base, keys.iter().filter_map(|k| self.refs.get(k)))
    }
}

/// zstd frame magic.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The text of a (possibly zstd-compressed) reference file at `loc`.
pub(crate) fn read_doc(loc: &Loc, fetch: &Fetcher) -> Result<Vec<u8>, ZarrError> {
    let bytes = match fetch.read(loc, None)? {
        Some(b) => b,
        None if matches!(loc, Loc::Url(_)) => return Err(ZarrError::DocNotFoundHttp),
        None => return Err(ZarrError::DocNotFoundFile),
    };
    if bytes.starts_with(&ZSTD_MAGIC) {
        return zstd::stream::decode_all(&bytes[..]).map_err(ZarrError::Decompress);
    }
    Ok(bytes)
}

/// Parses a reference document (the `refs` of v1 with templates and `gen` expanded).
pub(crate) fn parse_refs(doc: &[u8]) -> Result<HashMap<String, Ref>, ZarrError> {
    let v: Value = serde_json::from_slice(doc).map_err(ZarrError::InvalidJson)?;
    let Value::Object(top) = v else {
        return Err(ZarrError::invalid("expected a JSON object at the top level"));
    };
    let (refs, templates, gen) = match top.get("version") {
        None if !top.contains_key("refs") || top.keys().any(|k| k.starts_with('.')) => {
            (top.clone(), Map::new(), Vec::new())
        }
        None | Some(Value::Number(_)) => {
            if let Some(ver) = top.get("version") {
                if ver.as_u64() != Some(1) {
                    return Err(ZarrError::invalid(format!(
                        "unsupported reference version {ver} (1 or none expected)"
                    )));
                }
            }
            let refs = match top.get("refs") {
                Some(Value::Object(m)) => m.clone(),
                None => Map::new(),
                Some(_) => return Err(ZarrError::invalid("\"refs\" is not a JSON object")),
            };
            let templates = match top.get("templates") {
                Some(Value::Object(m)) => m.clone(),
                None | Some(Value::Null) => Map::new(),
                Some(_) => return Err(ZarrError::invalid("\"templates\" is not a JSON object")),
            };
            let gen = match top.get("gen") {
                Some(Value::Array(a)) => a.clone(),
                None | Some(Value::Null) => Vec::new(),
                Some(_) => return Err(ZarrError::invalid("\"gen\" is not a JSON array")),
            };
            (refs, templates, gen)
        }
        Some(ver) => {
            return Err(ZarrError::invalid(format!("unsupported reference version {ver} (1 or none expected)")))
        }
    };
    let mut vars: HashMap<String, Val> = HashMap::new();
    for (k, t) in &templates {
        let Some(s) = t.as_str() else {
            return Err(ZarrError::invalid(format!("template {k} is not a string")));
        };
        vars.insert(k.clone(), Val::Str(s.to_string()));
    }
    let mut out = HashMap::with_capacity(refs.len());
    for (key, val) in &refs {
        out.insert(key.clone(), parse_value(key, val, &vars)?);
    }
    for (i, g) in gen.iter().enumerate() {
        expand_gen(i, g, &vars, &mut out)?;
    }
    Ok(out)
}

fn parse_value(key: &str, val: &Value, vars: &HashMap<String, Val>) -> Result<Ref, ZarrError> {
    let in_key = |e: ZarrError| ZarrError::Key { key: key.to_string(), source: Box::new(e) };
    Ok(match val {
        Value::String(s) => match s.strip_prefix("base64:") {
            Some(b) => Ref::Inline(
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .map_err(|e| in_key(ZarrError::invalid(format!("bad base64 value: {e}"))))?,
            ),
            None => Ref::Inline(s.as_bytes().to_vec()),
        },
        Value::Array(a) => {
            let target = match a.first() {
                Some(Value::String(u)) => render(u, vars).map_err(in_key)?,
                Some(Value::Null) => {
                    return Err(in_key(ZarrError::invalid("reference without a target URL (null) is not supported")))
                }
                _ => return Err(in_key(ZarrError::invalid("expected [url] or [url, offset, length]"))),
            };
            match a.len() {
                1 => Ref::Whole { target },
                3 => {
                    let num = |v: &Value| {
                        v.as_u64().ok_or_else(|| {
                            in_key(ZarrError::invalid(format!("offset/length {v} is not a non-negative integer")))
                        })
                    };
                    Ref::Range { target, offset: num(&a[1])?, len: num(&a[2])? }
                }
                n => {
                    return Err(in_key(ZarrError::invalid(format!(
                        "expected [url] or [url, offset, length], got {n} items"
                    ))))
                }
            }
        }
        // A JSON document given as an object (or any other JSON value): its text.
        other => Ref::Inline(serde_json::to_vec(other).map_err(|e| in_key(ZarrError::Json(e)))?),
    })
}

#[derive(Clone, Debug)]
enum Val {
    Int(i64),
    Str(String),
}

fn expand_gen(
    i: usize,
    g: &Value,
    vars: &HashMap<String, Val>,
    out: &mut HashMap<String, Ref>,
) -> Result<(), ZarrError> {
    let what = |m: &str| ZarrError::invalid(m).at(format!("gen[{i}]"));
    let s = |name: &str| -> Result<Option<String>, ZarrError> {
        match g.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(what(&format!("\"{name}\" is not a string"))),
        }
    };
    let key = s("key")?.ok_or_else(|| what("no \"key\""))?;
    let url = s("url")?.ok_or_else(|| what("no \"url\""))?;
    let (offset, length) = (s("offset")?, s("length")?);
    if offset.is_some() != length.is_some() {
        return Err(what("\"offset\" and \"length\" must be given together"));
    }
    let mut dims: Vec<(String, Vec<i64>)> = Vec::new();
    if let Some(Value::Object(d)) = g.get("dimensions") {
        for (name, spec) in d {
            let values: Vec<i64> = match spec {
                Value::Array(a) => a
                    .iter()
                    .map(|x| x.as_i64().ok_or_else(|| what(&format!("dimension {name}: non-integer value"))))
                    .collect::<Result<_, _>>()?,
                Value::Object(o) => {
                    let get = |k: &str, d: i64| {
                        o.get(k).map_or(Ok(d), |v| {
                            v.as_i64().ok_or_else(|| what(&format!("dimension {name}: {k} is not an integer")))
                        })
                    };
                    let (start, stop, step) = (get("start", 0)?, get("stop", 0)?, get("step", 1)?);
                    if step <= 0 {
                        return Err(what(&format!("dimension {name}: step must be positive")));
                    }
                    if (stop - start) / step > 10_000_000 {
                        return Err(what(&format!("dimension {name}: too many values")));
                    }
                    (start..stop).step_by(usize::try_from(step).unwrap_or(1)).collect()
                }
                _ => return Err(what(&format!("dimension {name}: expected a list or {{start, stop, step}}"))),
            };
            dims.push((name.clone(), values));
        }
    }
    let total: usize = dims.iter().map(|d| d.1.len()).product();
    if total > 50_000_000 {
        return Err(what("too many generated keys"));
    }
    let mut idx = vec![0usize; dims.len()];
    for _ in 0..total {
        let mut v = vars.clone();
        for (d, &k) in dims.iter().zip(&idx) {
            v.insert(d.0.clone(), Val::Int(d.1[k]));
        }
        let k = render(&key, &v).map_err(|e| e.at(format!("gen[{i}]")))?;
        let target = render(&url, &v).map_err(|e| e.at(format!("gen[{i}]")))?;
        let r = match (&offset, &length) {
            (Some(o), Some(l)) => {
                let num = |t: &str| -> Result<u64, ZarrError> {
                    let r = render(t, &v).map_err(|e| e.at(format!("gen[{i}]")))?;
                    r.trim().parse().map_err(|_| what(&format!("offset/length {r:?} is not an integer")))
                };
                Ref::Range { target, offset: num(o)?, len: num(l)? }
            }
            _ => Ref::Whole { target },
        };
        out.insert(k, r);
        for a in (0..idx.len()).rev() {
            idx[a] += 1;
            if idx[a] < dims[a].1.len() {
                break;
            }
            idx[a] = 0;
        }
    }
    Ok(())
}

/// Substitutes `{{ expr }}` (a name, or integer arithmetic over names) in `s`.
fn render(s: &str, vars: &HashMap<String, Val>) -> Result<String, ZarrError> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let j = after.find("}}").ok_or_else(|| ZarrError::invalid(format!("unclosed {{{{ in {s:?}")))?;
        let expr = after[..j].trim();
        match vars.get(expr) {
            Some(Val::Str(t)) => out.push_str(t),
            Some(Val::Int(n)) => out.push_str(&n.to_string()),
            None => out.push_str(
                &eval(expr, vars)
                    .map_err(|e| ZarrError::Invalid(e.to_string()).at(format!("template {{{{{expr}}}}} in {s:?}")))?
                    .to_string(),
            ),
        }
        rest = &after[j + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Integer arithmetic: `+ - * / // % ( )`, integers and integer variables.
/// Why a template expression does not evaluate.
#[derive(Debug, thiserror::Error)]
enum ExprError {
    /// An integer literal beyond `i64`.
    #[error("number too large")]
    NumberTooLarge,
    /// A template variable whose text is not an integer.
    #[error("{0} is not an integer")]
    NotInteger(String),
    /// A name that is neither a template nor a `gen` dimension.
    #[error("unknown name {0}")]
    UnknownName(String),
    /// A character outside the expression language.
    #[error("unsupported character {0:?}")]
    Character(char),
    /// Tokens after a complete expression.
    #[error("unexpected trailing tokens")]
    Trailing,
    /// An operation that overflows (or divides by zero).
    #[error("{0}")]
    Arithmetic(&'static str),
    /// `(` without `)`.
    #[error("missing )")]
    MissingParen,
    /// The expression ends where an operand is expected.
    #[error("unexpected end of expression")]
    End,
}

fn eval(expr: &str, vars: &HashMap<String, Val>) -> Result<i64, ExprError> {
    let mut toks = Vec::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let st = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            toks.push(Tok::Num(expr[st..i].parse().map_err(|_| ExprError::NumberTooLarge)?));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let st = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            match vars.get(&expr[st..i]) {
                Some(Val::Int(n)) => toks.push(Tok::Num(*n)),
                Some(Val::Str(s)) => {
                    toks.push(Tok::Num(s.trim().parse().map_err(|_| ExprError::NotInteger(expr[st..i].to_string()))?))
                }
                None => return Err(ExprError::UnknownName(expr[st..i].to_string())),
            }
        } else if expr[i..].starts_with("//") {
            toks.push(Tok::Op('/'));
            i += 2;
        } else if b"+-*/%()".contains(&c) {
            toks.push(Tok::Op(c as char));
            i += 1;
        } else {
            return Err(ExprError::Character(c as char));
        }
    }
    let mut p = Parser { toks, pos: 0 };
    let v = p.sum()?;
    if p.pos != p.toks.len() {
        return Err(ExprError::Trailing);
    }
    Ok(v)
}

#[derive(Clone, Copy)]
enum Tok {
    Num(i64),
    Op(char),
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<Tok> {
        self.toks.get(self.pos).copied()
    }
    fn sum(&mut self) -> Result<i64, ExprError> {
        let mut v = self.product()?;
        while let Some(Tok::Op(op @ ('+' | '-'))) = self.peek() {
            self.pos += 1;
            let r = self.product()?;
            v = if op == '+' { v.checked_add(r) } else { v.checked_sub(r) }.ok_or(ExprError::Arithmetic("overflow"))?;
        }
        Ok(v)
    }
    fn product(&mut self) -> Result<i64, ExprError> {
        let mut v = self.atom()?;
        while let Some(Tok::Op(op @ ('*' | '/' | '%'))) = self.peek() {
            self.pos += 1;
            let r = self.atom()?;
            v = match op {
                '*' => v.checked_mul(r),
                '/' => v.checked_div_euclid(r),
                _ => v.checked_rem_euclid(r),
            }
            .ok_or(ExprError::Arithmetic("overflow or division by zero"))?;
        }
        Ok(v)
    }
    fn atom(&mut self) -> Result<i64, ExprError> {
        match self.peek() {
            Some(Tok::Num(n)) => {
                self.pos += 1;
                Ok(n)
            }
            Some(Tok::Op('-')) => {
                self.pos += 1;
                Ok(-self.atom()?)
            }
            Some(Tok::Op('(')) => {
                self.pos += 1;
                let v = self.sum()?;
                if !matches!(self.peek(), Some(Tok::Op(')'))) {
                    return Err(ExprError::MissingParen);
                }
                self.pos += 1;
                Ok(v)
            }
            _ => Err(ExprError::End),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_templates_gen() {
        let doc = br#"{"version":1,"templates":{"u":"http://h/f"},
            "gen":[{"key":"g/{{i}}","url":"{{u}}_{{i}}.nc","offset":"{{(i + 90) * 1000}}","length":"1000",
                    "dimensions":{"i":{"stop":3}}}],
            "refs":{".zgroup":{"zarr_format":2},"a/0":["{{u}}.nc",10,20],"a/1":"base64:AAE=","a/2":["s3://b/k"]}}"#;
        let r = parse_refs(doc).unwrap();
        assert!(matches!(&r["g/2"], Ref::Range { target, offset: 92000, len: 1000 } if target == "http://h/f_2.nc"));
        assert!(matches!(&r["a/0"], Ref::Range { target, offset: 10, len: 20 } if target == "http://h/f.nc"));
        assert!(matches!(&r["a/1"], Ref::Inline(b) if b == &[0, 1]));
        assert!(matches!(&r[".zgroup"], Ref::Inline(b) if b == br#"{"zarr_format":2}"#));
        assert!(matches!(&r["a/2"], Ref::Whole { .. }));
        assert!(parse_refs(b"{\"version\":2,\"refs\":{}}").is_err());
        assert!(parse_refs(b"[1]").is_err());
        let e = parse_refs(b"{\n\"a\":\n[1,2,}").unwrap_err();
        assert!(matches!(e, ZarrError::InvalidJson(_)) && e.to_string().contains("line 3"), "{e}");
    }
}
