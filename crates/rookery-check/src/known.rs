//! Known failures: a checked-in list of requests that cannot pass yet, with the reason.
//!
//! One entry per line, `COLLECTION | KIND | REASON`; `#` starts a comment line. COLLECTION is
//! a pattern where `*` matches any text (dataset ids, or file globs whose absolute prefix
//! differs between machines); KIND is a request kind (`area-time`, `lon-wrap`, ...), an
//! operation (`subset`, `average`, `average-time`, `regrid`, `open`) or `*`.

use crate::results::Row;
use crate::CheckError;
use rookery_daops::wildcard::matches_star;
use std::path::Path;

/// One known failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Known {
    /// Dataset pattern (`*` wildcards).
    pub collection: String,
    /// Kind, operation or `*`.
    pub kind: String,
    /// Why it fails.
    pub reason: String,
}

/// The known failures.
#[derive(Clone, Debug, Default)]
pub struct KnownFailures(pub Vec<Known>);

impl KnownFailures {
    /// Parses the text of a known-failures file.
    ///
    /// # Errors
    /// A line without the three fields (naming the line).
    pub fn parse(text: &str, origin: &str) -> Result<KnownFailures, CheckError> {
        let mut out = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = l.splitn(3, '|').map(str::trim).collect();
            if f.len() != 3 || f[0].is_empty() || f[1].is_empty() || f[2].is_empty() {
                return Err(CheckError::Request(format!("{origin}:{}: expected `COLLECTION | KIND | REASON`", n + 1)));
            }
            out.push(Known { collection: f[0].into(), kind: f[1].into(), reason: f[2].into() });
        }
        Ok(KnownFailures(out))
    }

    /// Reads a known-failures file.
    ///
    /// # Errors
    /// Unreadable or malformed file.
    pub fn load(path: &Path) -> Result<KnownFailures, CheckError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CheckError::Request(format!("cannot read {}: {e}", path.display())))?;
        KnownFailures::parse(&text, &path.display().to_string())
    }

    /// The entry covering a failed row, if any.
    #[must_use]
    pub fn matching(&self, row: &Row) -> Option<&Known> {
        self.0.iter().find(|k| {
            matches_star(&k.collection, &row.collection)
                && (k.kind == "*" || k.kind == row.kind || k.kind == row.operation)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(matches_star("cmip6.*.tas.*", "cmip6.CMIP.x.tas.gn"));
        assert!(matches_star("*/E-OBS/t_*.nc", "/a/b/E-OBS/t_*.nc"));
        assert!(!matches_star("cmip5.*", "cmip6.x"));
        assert!(matches_star("abc", "abc"));
        assert!(!matches_star("a*bc*d", "abd"));
    }
}
