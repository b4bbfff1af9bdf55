//! Byte-range planning for remote reads: which ranges of a file the cache holds (extents),
//! which are missing, and how wanted ranges are coalesced into few requests (as fsspec's
//! `cat_ranges` / Kerchunk's `max_gap` and `max_block` do).
//!
//! ```text
//!   Extents   start → len of the pieces cached for one version of one file
//!     .covering(pos)   the piece holding pos that reaches furthest
//!     .gaps(a, b)      the parts of a..b no piece holds
//!   coalesce(ranges, gap, max)   sorted, merged when at most `gap` apart, runs ≤ max bytes
//!   widen(o, e, g, len)          a small read rounded out to its g-aligned window
//! ```
//!
//! A piece on disk is a file named `<start>-<len>` in its entry's directory
//! ([`extent_name`], [`parse_extent_name`]).

use std::collections::BTreeMap;

/// The cached pieces of one file version: start offset → length (the longest per start).
#[derive(Clone, Debug, Default)]
pub(crate) struct Extents {
    map: BTreeMap<u64, u64>,
}

impl Extents {
    /// Records a piece `start..start+len` (kept when longer than one at the same start).
    pub(crate) fn insert(&mut self, start: u64, len: u64) {
        if len == 0 {
            return;
        }
        let e = self.map.entry(start).or_insert(0);
        *e = (*e).max(len);
    }

    /// Forgets the piece at `start` (its bytes are gone).
    pub(crate) fn remove(&mut self, start: u64) {
        self.map.remove(&start);
    }

    /// The piece holding `pos` that reaches furthest, as `(start, len)`.
    pub(crate) fn covering(&self, pos: u64) -> Option<(u64, u64)> {
        self.map.range(..=pos).filter(|(&s, &l)| s + l > pos).max_by_key(|(&s, &l)| s + l).map(|(&s, &l)| (s, l))
    }

    /// The parts of `a..b` no piece holds, in order.
    pub(crate) fn gaps(&self, a: u64, b: u64) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut pos = a;
        while pos < b {
            if let Some((s, l)) = self.covering(pos) {
                pos = (s + l).min(b);
                continue;
            }
            let next = self.map.range(pos + 1..).next().map_or(b, |(&s, _)| s.min(b));
            out.push((pos, next));
            pos = next;
        }
        out
    }

    /// Number of pieces.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

/// Sorts `ranges` (`(start, end)`) and merges those at most `gap` bytes apart into runs of
/// at most `max` bytes (a single longer range stays whole).
pub(crate) fn coalesce(mut ranges: Vec<(u64, u64)>, gap: u64, max: u64) -> Vec<(u64, u64)> {
    ranges.retain(|r| r.1 > r.0);
    ranges.sort_unstable();
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for (a, b) in ranges {
        match runs.last_mut() {
            Some(r) if a <= r.1.saturating_add(gap) && b.max(r.1) - r.0 <= max => r.1 = r.1.max(b),
            _ => runs.push((a, b)),
        }
    }
    runs
}

/// `o..e` rounded out to multiples of `g`, clipped to the file length `len`.
pub(crate) fn widen(o: u64, e: u64, g: u64, len: u64) -> (u64, u64) {
    let g = g.max(1);
    let a = o - o % g;
    let b = e.div_ceil(g).saturating_mul(g).min(len);
    (a, b.max(e))
}

/// The file name of a piece on disk.
pub(crate) fn extent_name(start: u64, len: u64) -> String {
    format!("{start}-{len}")
}

/// `(start, len)` from a piece's file name; `None` for other files (`meta`).
pub(crate) fn parse_extent_name(name: &str) -> Option<(u64, u64)> {
    let (a, b) = name.split_once('-')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_and_cover() {
        let mut x = Extents::default();
        x.insert(10, 10);
        x.insert(30, 5);
        x.insert(10, 4);
        assert_eq!(x.len(), 2);
        assert_eq!(x.gaps(0, 40), vec![(0, 10), (20, 30), (35, 40)]);
        assert_eq!(x.gaps(12, 18), vec![]);
        assert_eq!(x.covering(19), Some((10, 10)));
        assert_eq!(x.covering(20), None);
        x.insert(15, 20);
        assert_eq!(x.gaps(0, 40), vec![(0, 10), (35, 40)]);
        x.remove(15);
        assert_eq!(x.gaps(12, 31), vec![(20, 30)]);
    }

    #[test]
    fn coalescing() {
        let r = coalesce(vec![(100, 200), (0, 50), (60, 90), (1000, 1100)], 10, 1 << 20);
        assert_eq!(r, vec![(0, 200), (1000, 1100)]);
        let r = coalesce(vec![(0, 50), (61, 90)], 10, 1 << 20);
        assert_eq!(r, vec![(0, 50), (61, 90)]);
        let r = coalesce(vec![(0, 50), (50, 100), (100, 150)], 0, 100);
        assert_eq!(r, vec![(0, 100), (100, 150)]);
        assert_eq!(widen(100, 150, 64, 1000), (64, 192));
        assert_eq!(widen(990, 1000, 64, 1000), (960, 1000));
        assert_eq!(parse_extent_name("12-34"), Some((12, 34)));
        assert_eq!(parse_extent_name("meta"), None);
        assert_eq!(extent_name(12, 34), "12-34");
    }
}
