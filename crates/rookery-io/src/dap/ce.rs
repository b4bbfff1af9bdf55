//! Constraint expressions of DAP2 (`a,b.c[0:1:9][3]`) and DAP4 (`dap4.ce=/a;/b[0:9]`):
//! projections with hyperslabs. Selections (`&x>1`), functions and filters are refused.

use super::DapError;

/// A hyperslab of one dimension as the request wrote it: `[start:stride:stop]` (stop
/// inclusive), `[start:stop]`, `[i]`, or `[]` (DAP4: the whole dimension).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawSlab {
    /// The whole dimension.
    All,
    /// `start`, `stride`, `stop` (inclusive).
    Range(u64, u64, u64),
}

/// One projection clause: the dotted path (`grid.member` in DAP2) with each part's hyperslabs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    /// Parts of the name, each with the hyperslabs written after it.
    pub parts: Vec<(String, Vec<RawSlab>)>,
}

fn bad(msg: impl Into<String>) -> DapError {
    DapError::Constraint(msg.into())
}

/// Decodes `%XX` escapes (a query string as clients send it); `+` stays a plus.
///
/// # Errors
/// A truncated or non-hexadecimal escape, or bytes that are not UTF-8.
pub fn percent_decode(s: &str) -> Result<String, DapError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            let v = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| bad("bad %-escape"))?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad("the constraint is not UTF-8"))
}

fn number(s: &str, what: &str) -> Result<u64, DapError> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad(format!("{what} '{t}' is not a non-negative integer")));
    }
    t.parse().map_err(|_| bad(format!("{what} '{t}' is too large")))
}

fn slab(inner: &str, dap4: bool) -> Result<RawSlab, DapError> {
    let p: Vec<&str> = inner.split(':').collect();
    match p.as_slice() {
        [""] if dap4 => Ok(RawSlab::All),
        [i] => {
            let i = number(i, "index")?;
            Ok(RawSlab::Range(i, 1, i))
        }
        [a, b] => Ok(RawSlab::Range(number(a, "start")?, 1, number(b, "stop")?)),
        [a, s, b] => {
            let s = number(s, "stride")?;
            if s == 0 {
                return Err(bad("a stride must be at least 1"));
            }
            Ok(RawSlab::Range(number(a, "start")?, s, number(b, "stop")?))
        }
        _ => Err(bad(format!("bad hyperslab [{inner}]"))),
    }
}

/// Parses one clause: `name[..][..]` or (DAP2) `name.name[..]`.
fn clause(text: &str, dap4: bool) -> Result<Clause, DapError> {
    let text = text.trim();
    let text = if dap4 { text.strip_prefix('/').unwrap_or(text) } else { text };
    let mut parts: Vec<(String, Vec<RawSlab>)> = Vec::new();
    let mut name = String::new();
    let mut slabs = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                if name.is_empty() {
                    return Err(bad(format!("'{text}': a hyperslab needs a variable name before it")));
                }
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        Some(']') => break,
                        Some(c) => inner.push(c),
                        None => return Err(bad(format!("'{text}': '[' without ']'"))),
                    }
                }
                slabs.push(slab(&inner, dap4)?);
            }
            '.' if !dap4 => {
                if name.is_empty() {
                    return Err(bad(format!("'{text}': empty name")));
                }
                parts.push((std::mem::take(&mut name), std::mem::take(&mut slabs)));
            }
            c if !slabs.is_empty() => {
                return Err(bad(format!("'{text}': unexpected '{c}' after a hyperslab")));
            }
            c if c.is_whitespace() || "]{}()<>=!|&,;\"'*".contains(c) || (dap4 && (c == '.' || c == '/')) => {
                return Err(bad(format!("'{text}': unexpected '{c}' (only projections and hyperslabs are supported)")));
            }
            c => name.push(c),
        }
    }
    if name.is_empty() {
        return Err(bad(format!("'{text}': empty name")));
    }
    parts.push((name, slabs));
    if dap4 && parts.len() > 1 {
        return Err(bad(format!("'{text}': only variables of the root group exist")));
    }
    Ok(Clause { parts })
}

/// A DAP2 constraint expression (already %-decoded): the projection clauses; `None` for an
/// empty projection (everything).
///
/// # Errors
/// Selections (`&...`), functions, or malformed clauses.
pub fn parse_dap2(ce: &str) -> Result<Vec<Clause>, DapError> {
    let mut sections = ce.split('&');
    let proj = sections.next().unwrap_or("");
    if let Some(s) = sections.find(|s| !s.trim().is_empty()) {
        return Err(bad(format!("selection '&{s}' is not supported (only projections and hyperslabs)")));
    }
    if proj.trim().is_empty() {
        return Ok(Vec::new());
    }
    proj.split(',').map(|c| clause(c, false)).collect()
}

/// A DAP4 constraint (`dap4.ce`, already %-decoded): `;`-separated clauses.
///
/// # Errors
/// Filters, functions, groups, or malformed clauses.
pub fn parse_dap4(ce: &str) -> Result<Vec<Clause>, DapError> {
    if ce.trim().is_empty() {
        return Ok(Vec::new());
    }
    ce.split(';').filter(|c| !c.trim().is_empty()).map(|c| clause(c, true)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str, s: Vec<RawSlab>) -> Clause {
        Clause { parts: vec![(name.into(), s)] }
    }

    #[test]
    fn dap2_projections_and_hyperslabs() {
        let c = parse_dap2("tas[0:1:2][10:2:20][5],time,tas.lat[1:3]").unwrap();
        assert_eq!(c[0], one("tas", vec![RawSlab::Range(0, 1, 2), RawSlab::Range(10, 2, 20), RawSlab::Range(5, 1, 5)]));
        assert_eq!(c[1], one("time", vec![]));
        assert_eq!(c[2].parts, vec![("tas".into(), vec![]), ("lat".into(), vec![RawSlab::Range(1, 1, 3)])]);
        assert!(parse_dap2("").unwrap().is_empty());
        assert_eq!(parse_dap2("tas&").unwrap().len(), 1);
        assert_eq!(percent_decode("tas%5B0:1%5D").unwrap(), "tas[0:1]");
    }

    #[test]
    fn dap2_refusals() {
        for ce in [
            "tas[0:0:2]",
            "tas[-1:2]",
            "tas[0:1",
            "tas[a]",
            "tas&lat>3",
            "f(tas)",
            "[0]",
            "tas[0]x",
            "tas[1:2:3:4]",
            "tas..lat",
            "tas,",
            "tas[99999999999999999999999]",
        ] {
            assert!(matches!(parse_dap2(ce), Err(DapError::Constraint(_))), "{ce}");
        }
        assert!(percent_decode("tas%5").is_err());
    }

    #[test]
    fn dap4_clauses() {
        let c = parse_dap4("/tas[0:1:2][][3:4];/time").unwrap();
        assert_eq!(c[0], one("tas", vec![RawSlab::Range(0, 1, 2), RawSlab::All, RawSlab::Range(3, 1, 4)]));
        assert_eq!(c[1], one("time", vec![]));
        for ce in ["/g/tas", "/tas{x>1}", "/tas[0:0:1]", "/tas|f()", "/tas.x"] {
            assert!(parse_dap4(ce).is_err(), "{ce}");
        }
    }
}
