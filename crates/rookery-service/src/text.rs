//! Floor 0: small text helpers every floor uses — one-line messages, the parsing of booleans
//! and sizes in configuration and inputs, and whether a request asks for HTML. (Escaping is
//! `rookery_io::text`.)

/// Collapses whitespace into one line; other control characters (a NUL from a file's
/// attribute) are escaped (`\0`, `\u{1b}`).
#[must_use]
pub fn one_line(s: &str) -> String {
    rookery_io::temp::escape(&s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Whether a request asks for HTML: its `f` parameter (`f`, already parsed) says `html`, or,
/// without one, its `Accept` names `text/html` before any JSON type (as browsers send it; the
/// rule pygeoapi follows). JSON clients and `Accept`-less clients get JSON.
#[must_use]
pub fn wants_html(h: &axum::http::HeaderMap, f: Option<&str>) -> bool {
    if let Some(f) = f {
        return f == "html";
    }
    let Some(a) = h.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()) else { return false };
    let a = a.to_ascii_lowercase();
    match (a.find("text/html"), a.find("json")) {
        (Some(html), Some(json)) => html < json,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Parses a WPS boolean (pywps `convert_boolean`).
#[must_use]
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "on" => Some(true),
        "false" | "0" | "no" | "n" | "off" | "" => Some(false),
        _ => None,
    }
}

/// A value that is not a size ([`parse_size`]): the value as given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a size (e.g. 500M, 10G)")]
pub struct NotASize(pub String);

/// `1024`, `500M`, `10GB`, `2GiB` (decimal K/M/G/T; `Ki`/`Mi`/`Gi`/`Ti` binary).
///
/// # Errors
/// [`NotASize`]: no number, or an unknown unit.
pub fn parse_size(v: &str) -> Result<u64, NotASize> {
    let t = v.trim();
    let i = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (n, unit) = t.split_at(i);
    let n: f64 = n.parse().map_err(|_| NotASize(v.to_string()))?;
    let m: f64 = match unit.trim().to_ascii_lowercase().trim_end_matches('b') {
        "" => 1.0,
        "k" => 1e3,
        "m" => 1e6,
        "g" => 1e9,
        "t" => 1e12,
        "ki" => 1024.0,
        "mi" => 1024.0 * 1024.0,
        "gi" => 1024.0 * 1024.0 * 1024.0,
        "ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(NotASize(v.to_string())),
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok((n * m).round() as u64)
}
