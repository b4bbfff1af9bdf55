//! roocs.ini-compatible configuration (clisops `config.py`, roocs.md §2.1): built-in defaults
//! (clisops's own roocs.ini plus rookery's sections), then `/etc/roocs.ini`, then each path in
//! `$ROOCS_CONFIG` (colon-separated), later files overriding earlier ones key by key. Every
//! value remembers the file it came from (`rookery config show`).
//!
//! Syntax is Python `ConfigParser`'s: `[section]`, `key = value` or `key: value` (keys
//! lower-cased), indented continuation lines, `#`/`;` comments. Typed values follow
//! `[config_data_types]`: lists split on whitespace, dicts of `key:value` lines (split on the
//! first `:`, so URLs work — clisops splits on every `:` and fails), booleans `True`/`False`.

use crate::DaopsError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built-in defaults.
pub const DEFAULTS: &str = include_str!("../etc/roocs.ini");

/// One configured value and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// The raw value text (continuation lines joined), before any typed parsing.
    pub text: String,
    /// Where it was set: the configuration file's path, or `built-in` for the defaults.
    pub origin: String,
}

/// The effective configuration.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Sections in first-seen order, each with keys in first-seen order.
    sections: Vec<(String, Vec<(String, Value)>)>,
    /// Directory of each origin file (for relative paths).
    origins: BTreeMap<String, PathBuf>,
}

impl Config {
    /// Built-in defaults, `/etc/roocs.ini` (if present) and `$ROOCS_CONFIG`.
    ///
    /// # Errors
    /// A listed file that cannot be read or parsed.
    pub fn load() -> Result<Config, DaopsError> {
        let mut c = Config::defaults();
        let etc = Path::new("/etc/roocs.ini");
        if etc.is_file() {
            c.merge_file(etc)?;
        }
        if let Ok(list) = std::env::var("ROOCS_CONFIG") {
            for p in list.split(':').filter(|p| !p.trim().is_empty()) {
                c.merge_file(Path::new(p.trim()))?;
            }
        }
        Ok(c)
    }

    /// The built-in defaults only.
    #[must_use]
    pub fn defaults() -> Config {
        let mut c = Config::default();
        // The built-in text is ours and parses; a failure here is a programming error caught
        // by the tests, so fall back to an empty configuration rather than panic.
        let _ = c.merge_str(DEFAULTS, "built-in", None);
        c
    }

    /// Merges a file over the current values.
    ///
    /// # Errors
    /// Unreadable or malformed file.
    pub fn merge_file(&mut self, path: &Path) -> Result<(), DaopsError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| DaopsError::Config(format!("cannot read configuration file {}: {e}", path.display())))?;
        let origin = path.display().to_string();
        self.merge_str(&text, &origin, path.parent())
    }

    /// Merges INI text over the current values.
    ///
    /// # Errors
    /// Malformed text (the message names the origin and line).
    pub fn merge_str(&mut self, text: &str, origin: &str, dir: Option<&Path>) -> Result<(), DaopsError> {
        if let Some(d) = dir {
            self.origins.insert(origin.to_string(), d.to_path_buf());
        }
        let mut section: Option<String> = None;
        let mut last_key: Option<String> = None;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim_end();
            let trimmed = line.trim_start();
            if trimmed.is_empty() {
                continue;
            }
            if trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            let indented = line.len() != trimmed.len();
            if indented {
                if let (Some(s), Some(k)) = (&section, &last_key) {
                    let v = self.slot(s, k, origin);
                    if v.text.is_empty() {
                        v.text = trimmed.to_string();
                    } else {
                        v.text.push('\n');
                        v.text.push_str(trimmed);
                    }
                    continue;
                }
            }
            if trimmed.starts_with('[') {
                let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
                    return Err(DaopsError::Config(format!(
                        "{origin}:{}: malformed section header '{trimmed}'",
                        n + 1
                    )));
                };
                section = Some(name.to_string());
                if !self.sections.iter().any(|(s, _)| s == name) {
                    self.sections.push((name.to_string(), Vec::new()));
                }
                last_key = None;
                continue;
            }
            let Some(s) = section.clone() else {
                return Err(DaopsError::Config(format!("{origin}:{}: a value before any [section]", n + 1)));
            };
            let pos = trimmed.find(['=', ':']).ok_or_else(|| {
                DaopsError::Config(format!("{origin}:{}: expected 'key = value', got '{trimmed}'", n + 1))
            })?;
            let key = trimmed[..pos].trim().to_ascii_lowercase();
            let value = trimmed[pos + 1..].trim().to_string();
            let v = self.slot(&s, &key, origin);
            v.text = value;
            v.origin = origin.to_string();
            last_key = Some(key);
        }
        Ok(())
    }

    fn slot(&mut self, section: &str, key: &str, origin: &str) -> &mut Value {
        let idx = match self.sections.iter().position(|(s, _)| s == section) {
            Some(i) => i,
            None => {
                self.sections.push((section.to_string(), Vec::new()));
                self.sections.len() - 1
            }
        };
        let keys = &mut self.sections[idx].1;
        let k = match keys.iter().position(|(k, _)| k == key) {
            Some(i) => i,
            None => {
                keys.push((key.to_string(), Value { text: String::new(), origin: origin.to_string() }));
                keys.len() - 1
            }
        };
        &mut keys[k].1
    }

    /// Raw value of `section.key`.
    #[must_use]
    pub fn get(&self, section: &str, key: &str) -> Option<&Value> {
        self.sections
            .iter()
            .find(|(s, _)| s == section)
            .and_then(|(_, keys)| keys.iter().find(|(k, _)| k == key))
            .map(|(_, v)| v)
    }

    /// Trimmed text of `section.key`, `None` when absent or empty.
    #[must_use]
    pub fn text(&self, section: &str, key: &str) -> Option<&str> {
        self.get(section, key).map(|v| v.text.trim()).filter(|t| !t.is_empty())
    }

    /// A path value, relative paths resolved against the file that set it.
    #[must_use]
    pub fn path(&self, section: &str, key: &str) -> Option<PathBuf> {
        let v = self.get(section, key)?;
        let t = v.text.trim();
        if t.is_empty() {
            return None;
        }
        let p = PathBuf::from(t);
        if p.is_absolute() {
            return Some(p);
        }
        Some(self.origins.get(&v.origin).map_or(p.clone(), |d| d.join(&p)))
    }

    /// A boolean (`True`/`False`, as clisops accepts only those).
    ///
    /// # Errors
    /// Any other text.
    pub fn boolean(&self, section: &str, key: &str) -> Result<Option<bool>, DaopsError> {
        match self.text(section, key) {
            None => Ok(None),
            Some("True") => Ok(Some(true)),
            Some("False") => Ok(Some(false)),
            Some(o) => Err(DaopsError::Config(format!("[{section}] {key} must be True or False, not '{o}'"))),
        }
    }

    /// A whitespace-separated list.
    #[must_use]
    pub fn list(&self, section: &str, key: &str) -> Vec<String> {
        self.text(section, key).map(|t| t.split_whitespace().map(str::to_string).collect()).unwrap_or_default()
    }

    /// A dict of `key:value` lines.
    ///
    /// # Errors
    /// A line without `:`.
    pub fn dict(&self, section: &str, key: &str) -> Result<Vec<(String, String)>, DaopsError> {
        let Some(t) = self.text(section, key) else {
            return Ok(Vec::new());
        };
        t.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                l.split_once(':')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .ok_or_else(|| DaopsError::Config(format!("[{section}] {key}: '{l}' is not key:value")))
            })
            .collect()
    }

    /// Section names in order.
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|(s, _)| s.as_str())
    }

    /// The whole configuration as INI text, each value annotated with its origin.
    #[must_use]
    pub fn show(&self) -> String {
        let mut out = String::new();
        for (s, keys) in &self.sections {
            out.push_str(&format!("[{s}]\n"));
            for (k, v) in keys {
                let mut lines = v.text.lines();
                let first = lines.next().unwrap_or("");
                out.push_str(&format!("{k} = {first}    # {}\n", v.origin));
                for l in lines {
                    out.push_str(&format!("    {l}\n"));
                }
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_override() {
        let mut c = Config::defaults();
        assert_eq!(c.text("clisops:write", "file_size_limit"), Some("2GB"));
        assert_eq!(c.boolean("project:cmip6", "is_default_for_path").unwrap(), Some(false));
        assert_eq!(c.list("project:cmip5", "facet_rule").len(), 11);
        let d = c.dict("project:cmip6", "attr_defaults").unwrap();
        assert_eq!(d[0], ("table_id".to_string(), "no-table".to_string()));
        c.merge_str(
            "[project:cmip6]\nbase_dir = /data/cmip6\ndata_node_root = https://x.org:8080/a/\n",
            "test.ini",
            None,
        )
        .unwrap();
        assert_eq!(c.text("project:cmip6", "base_dir"), Some("/data/cmip6"));
        assert_eq!(c.get("project:cmip6", "base_dir").unwrap().origin, "test.ini");
        assert_eq!(c.get("project:cmip5", "base_dir").unwrap().origin, "built-in");
        // A multi-line dict keeps the order, the first ':' splits.
        c.merge_str("[x]\nm =\n    a:http://h:1/\n    b:c\n", "t2", None).unwrap();
        assert_eq!(c.dict("x", "m").unwrap()[0].1, "http://h:1/");
        assert!(c.merge_str("novalue\n", "bad", None).is_err());
        assert!(c.merge_str("[s]\njunk line\n", "bad", None).is_err());
        c.merge_str("[s]\nb = yes\n", "t3", None).unwrap();
        assert!(c.boolean("s", "b").is_err());
        assert!(c.show().contains("base_dir = /data/cmip6    # test.ini"));
    }
}
