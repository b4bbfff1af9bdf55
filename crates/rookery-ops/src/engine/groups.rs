//! Batches of interleaved groups: a grouped time mean whose groups are all in progress at once
//! (a day-of-year climatology: every day of the year gets a step each year) would hold every
//! group's accumulators together. When those exceed [`GROUP_BYTES`], the groups are taken in
//! batches of consecutive group numbers, each batch reading only the steps of its groups, so
//! each source step is still read once and each group accumulated in time order.
//!
//! ```text
//!  groups   0 1 2 … 364 0 1 2 … 364 …        (step t → group of t)
//!  batch 0  ■ ■ ■ ·   ·  ■ ■ ■ ·   ·  …       steps of groups 0..k read (runs clipped to blocks)
//!  batch 1  · · · ■   ·  · · · ■   ·  …       groups k..2k, …
//! ```

/// Bytes of accumulators a grouped mean holds at once at most when its groups interleave:
/// 256 MB (the percentile tiles' bound).
pub(super) const GROUP_BYTES: usize = super::stats::TILE_BYTES;

/// The step → group maps of the batches (steps of other batches `None`): one batch, the map
/// itself, when the groups in progress at any one time fit in `budget` bytes at `per_group`
/// bytes each; otherwise batches of consecutive groups of at most `budget / per_group` groups.
pub(super) fn batches(
    group_of: &[Option<usize>],
    n_groups: usize,
    per_group: usize,
    budget: usize,
) -> Vec<Vec<Option<usize>>> {
    let mut first = vec![usize::MAX; n_groups];
    let mut last = vec![0; n_groups];
    for (t, g) in group_of.iter().enumerate() {
        if let Some(&g) = g.as_ref().filter(|g| **g < n_groups) {
            first[g] = first[g].min(t);
            last[g] = t;
        }
    }
    // Groups in progress at each step: +1 at a group's first step, −1 after its last.
    let mut delta = vec![0i64; group_of.len() + 1];
    for (f, l) in first.iter().zip(&last) {
        if *f != usize::MAX {
            delta[*f] += 1;
            delta[*l + 1] -= 1;
        }
    }
    let mut open = 0i64;
    let mut peak = 0i64;
    for d in &delta {
        open += d;
        peak = peak.max(open);
    }
    let per_batch = (budget / per_group.max(1)).max(1);
    if usize::try_from(peak).unwrap_or(usize::MAX) <= per_batch {
        return vec![group_of.to_vec()];
    }
    (0..n_groups)
        .step_by(per_batch)
        .map(|g0| group_of.iter().map(|g| g.filter(|g| (g0..g0 + per_batch).contains(g))).collect())
        .collect()
}

/// The parts of `blocks` holding steps of the batch `group_of`: each block clipped to its
/// runs of steps with a group (so runs of one group within a block are those of the block).
pub(super) fn clip(blocks: &[(usize, usize)], group_of: &[Option<usize>]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for &(b0, b1) in blocks {
        let mut t = b0;
        while t < b1 {
            if group_of[t].is_none() {
                t += 1;
                continue;
            }
            let mut e = t + 1;
            while e < b1 && group_of[e].is_some() {
                e += 1;
            }
            out.push((t, e));
            t = e;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaved_groups_are_batched() {
        // Three "years" of five "days": every group in progress at once.
        let gof: Vec<Option<usize>> = (0..15).map(|t| Some(t % 5)).collect();
        assert_eq!(batches(&gof, 5, 10, 50), vec![gof.clone()]);
        let b = batches(&gof, 5, 10, 20);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0][..6], [Some(0), Some(1), None, None, None, Some(0)]);
        assert_eq!(b[2][..5], [None, None, None, None, Some(4)]);
        // Consecutive groups (months of years) stay one batch however small the budget.
        let seq: Vec<Option<usize>> = (0..12).map(|t| Some(t / 4)).collect();
        assert_eq!(batches(&seq, 3, 10, 10).len(), 1);
        assert_eq!(clip(&[(0, 4), (4, 8), (8, 15)], &b[0]), vec![(0, 2), (5, 7), (10, 12)]);
    }
}
