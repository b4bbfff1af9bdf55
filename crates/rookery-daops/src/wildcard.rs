//! Wildcard patterns of dataset ids and file names: the one matcher of the workspace (fix
//! records, the checker's known failures; the service's federation `holds` patterns have the
//! semantics of [`matches_star`]).
//!
//! A pattern matches the *whole* text, character by character (Unicode scalar values, not
//! bytes):
//!
//! - `*` matches any run of characters, including none (so `**` is the same as `*`, and a
//!   pattern of only `*` matches every text, the empty one included);
//! - in [`matches`] (not in [`matches_star`]) `?` matches exactly one character;
//! - every other character matches itself; there is no escape, no character class, and `/` or
//!   `.` are ordinary characters (`*` crosses them);
//! - the empty pattern matches only the empty text.
//!
//! The algorithm is the linear-space greedy matcher with backtracking to the last `*`: at
//! worst O(pattern × text) steps, never recursive, never panicking.

/// True when `pattern` matches all of `text`, `*` matching any run of characters and `?` any
/// one character (the semantics of fix-record `dataset_id_patterns`).
#[must_use]
pub fn matches(pattern: &str, text: &str) -> bool {
    matches_with(pattern, text, true)
}

/// True when `pattern` matches all of `text`, `*` matching any run of characters; `?` is an
/// ordinary character here (the semantics of known-failures collections, whose patterns may
/// be file globs, and of the service's federation `holds` patterns).
#[must_use]
pub fn matches_star(pattern: &str, text: &str) -> bool {
    matches_with(pattern, text, false)
}

fn matches_with(pattern: &str, text: &str, question: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    // The position after the last `*` seen, and the text position it was tried from.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi + 1, ti));
            pi += 1;
        } else if pi < p.len() && ((question && p[pi] == '?') || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((after, from)) = star {
            // Let the last `*` swallow one more character and retry.
            star = Some((after, from + 1));
            pi = after;
            ti = from + 1;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::{matches, matches_star};

    /// Cases where both flavours agree.
    const COMMON: &[(&str, &str, bool)] = &[
        ("", "", true),
        ("", "a", false),
        ("a", "", false),
        ("*", "", true),
        ("*", "anything at all", true),
        ("**", "", true),
        ("***", "abc", true),
        ("a**b", "ab", true),
        ("a**b", "aXYb", true),
        ("abc", "abc", true),
        ("abc", "abcd", false),
        ("abc", "ab", false),
        ("a*", "a", true),
        ("*a", "a", true),
        ("*a", "ba", true),
        ("*a", "ab", false),
        ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "acb", false),
        ("a*bc*d", "abd", false),
        ("a*b", "abab", true),
        ("a*ab", "aab", true),
        ("*aab", "aaab", true),
        ("c3s-cmip6-decadal.*", "c3s-cmip6-decadal.DCPP.X", true),
        ("c3s-cmip6-decadal.*", "c3s-cmip6.DCPP.X", false),
        ("*.tas.*", "a.b.tas.gn", true),
        ("cmip6.*.tas.*", "cmip6.CMIP.x.tas.gn", true),
        ("*/E-OBS/t_*.nc", "/a/b/E-OBS/t_*.nc", true),
        ("cmip5.*", "cmip6.x", false),
        ("é*ü", "éxyü", true),
        ("*ü", "ü", true),
    ];

    #[test]
    fn both_flavours() {
        for &(p, t, want) in COMMON {
            assert_eq!(matches(p, t), want, "matches({p:?}, {t:?})");
            assert_eq!(matches_star(p, t), want, "matches_star({p:?}, {t:?})");
        }
    }

    #[test]
    fn question_mark() {
        assert!(matches("a?c", "abc"));
        assert!(matches("a?c", "aüc"));
        assert!(!matches("a?c", "ac"));
        assert!(!matches("a?c", "abbc"));
        assert!(matches("?", "x"));
        assert!(!matches("?", ""));
        assert!(matches("*?", "x"));
        assert!(!matches("*?", ""));
        assert!(matches("?*?", "ab"));
        assert!(matches("a?c", "a?c"));
        // `?` is literal in the `*`-only flavour.
        assert!(!matches_star("a?c", "abc"));
        assert!(matches_star("a?c", "a?c"));
        assert!(matches_star("*?", "x?"));
        assert!(!matches_star("?", "x"));
    }

    /// The `*`-only flavour is the split-and-find matcher it replaced (the known-failures copy,
    /// identical to the service's `glob_match`), on every pattern and text over a small
    /// alphabet.
    /// Every pattern and text over a small alphabet, up to `max` characters.
    fn words(alphabet: &[char], max: usize) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..max {
            last = last.iter().flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}"))).collect();
            out.extend(last.iter().cloned());
        }
        out
    }

    /// [`matches`] is the matcher the fix catalogue had (`*` and `?`) on texts without `*`.
    /// (That one tried a pattern `*` first as the literal character when the text had a `*`
    /// there, without a way back: `*` did not match `*a`. Dataset ids hold no `*`.)
    #[test]
    fn full_is_the_fix_catalogue_matcher() {
        fn old(pattern: &str, text: &str) -> bool {
            let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
            let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
            while ti < t.len() {
                if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
                    pi += 1;
                    ti += 1;
                } else if pi < p.len() && p[pi] == '*' {
                    star = Some(pi);
                    mark = ti;
                    pi += 1;
                } else if let Some(s) = star {
                    pi = s + 1;
                    mark += 1;
                    ti = mark;
                } else {
                    return false;
                }
            }
            while pi < p.len() && p[pi] == '*' {
                pi += 1;
            }
            pi == p.len()
        }
        let patterns = words(&['a', 'b', '*', '?'], 4);
        let texts = words(&['a', 'b', '?'], 4);
        for p in &patterns {
            for t in &texts {
                assert_eq!(matches(p, t), old(p, t), "{p:?} {t:?}");
            }
        }
        assert!(!old("*", "*a"));
        assert!(matches("*", "*a"));
        assert!(matches("a*", "a*b*"));
    }

    #[test]
    fn star_only_is_the_split_matcher() {
        fn split_matcher(pattern: &str, text: &str) -> bool {
            let parts: Vec<&str> = pattern.split('*').collect();
            if parts.len() == 1 {
                return pattern == text;
            }
            let (first, last) = (parts[0], parts[parts.len() - 1]);
            if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
                return false;
            }
            let mut rest = &text[first.len()..text.len() - last.len()];
            for p in &parts[1..parts.len() - 1] {
                match rest.find(p) {
                    Some(i) => rest = &rest[i + p.len()..],
                    None => return false,
                }
            }
            true
        }
        let patterns = words(&['a', 'b', '*', '?'], 4);
        let texts = words(&['a', 'b', '*', '?'], 4);
        for p in &patterns {
            for t in &texts {
                assert_eq!(matches_star(p, t), split_matcher(p, t), "{p:?} {t:?}");
            }
        }
    }
}
