//! A static 3-D k-d tree over unit vectors (cell centres), for nearest-neighbour queries.
//! Chord distance is monotone in great-circle distance, so Euclidean nearest = great-circle nearest.

use crate::sphere::V3;

/// Implicit balanced k-d tree: the median of each range is its node.
pub(crate) struct KdTree {
    pts: Vec<V3>,
    ids: Vec<u32>,
    axis: Vec<u8>,
}

impl KdTree {
    /// Builds the tree over `(point, id)` pairs.
    pub(crate) fn new(items: Vec<(V3, u32)>) -> KdTree {
        let mut items = items;
        let n = items.len();
        let mut axis = vec![0u8; n];
        build(&mut items, 0, &mut axis);
        let (pts, ids) = items.into_iter().unzip();
        KdTree { pts, ids, axis }
    }

    /// Id and squared chord distance of the nearest point (ties: any), `None` when empty.
    pub(crate) fn nearest(&self, q: V3) -> Option<(u32, f64)> {
        if self.pts.is_empty() {
            return None;
        }
        let mut best = (u32::MAX, f64::INFINITY, usize::MAX);
        self.nn(0, self.pts.len(), q, &mut best);
        Some((best.0, best.1))
    }

    fn nn(&self, lo: usize, hi: usize, q: V3, best: &mut (u32, f64, usize)) {
        if lo >= hi {
            return;
        }
        let mid = lo + (hi - lo) / 2;
        let p = self.pts[mid];
        let d = d2(p, q);
        // Deterministic tie-break: the smaller id wins.
        if d < best.1 || (d == best.1 && self.ids[mid] < best.0) {
            *best = (self.ids[mid], d, mid);
        }
        let a = self.axis[mid] as usize;
        let diff = q[a] - p[a];
        let (first, second) = if diff < 0.0 { ((lo, mid), (mid + 1, hi)) } else { ((mid + 1, hi), (lo, mid)) };
        self.nn(first.0, first.1, q, best);
        if diff * diff <= best.1 {
            self.nn(second.0, second.1, q, best);
        }
    }

    /// The `k` nearest ids, closest first, written to `out`.
    pub(crate) fn k_nearest(&self, q: V3, k: usize, out: &mut Vec<(f64, u32)>) {
        out.clear();
        if k == 0 {
            return;
        }
        self.knn(0, self.pts.len(), q, k, out);
    }

    fn knn(&self, lo: usize, hi: usize, q: V3, k: usize, out: &mut Vec<(f64, u32)>) {
        if lo >= hi {
            return;
        }
        let mid = lo + (hi - lo) / 2;
        let p = self.pts[mid];
        let d = d2(p, q);
        let worst = if out.len() < k { f64::INFINITY } else { out[out.len() - 1].0 };
        if d < worst {
            let pos = out.partition_point(|e| e.0 <= d);
            out.insert(pos, (d, self.ids[mid]));
            out.truncate(k);
        }
        let a = self.axis[mid] as usize;
        let diff = q[a] - p[a];
        let (first, second) = if diff < 0.0 { ((lo, mid), (mid + 1, hi)) } else { ((mid + 1, hi), (lo, mid)) };
        self.knn(first.0, first.1, q, k, out);
        let worst = if out.len() < k { f64::INFINITY } else { out[out.len() - 1].0 };
        if diff * diff <= worst {
            self.knn(second.0, second.1, q, k, out);
        }
    }
}

#[inline]
fn d2(a: V3, b: V3) -> f64 {
    let (x, y, z) = (a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    x * x + y * y + z * z
}

fn build(items: &mut [(V3, u32)], offset: usize, axis: &mut [u8]) {
    let n = items.len();
    if n <= 1 {
        return;
    }
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    for (p, _) in items.iter() {
        for a in 0..3 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
    }
    let mut ax = 0;
    for a in 1..3 {
        if hi[a] - lo[a] > hi[ax] - lo[ax] {
            ax = a;
        }
    }
    let mid = n / 2;
    items.select_nth_unstable_by(mid, |x, y| x.0[ax].total_cmp(&y.0[ax]));
    axis[offset + mid] = ax as u8;
    let (left, rest) = items.split_at_mut(mid);
    let right = &mut rest[1..];
    if n > 20_000 {
        let (al, ar) = axis.split_at_mut(offset + mid + 1);
        rayon::join(|| build(left, offset, al), || build(right, 0, &mut ar[..]));
    } else {
        build(left, offset, axis);
        build(right, offset + mid + 1, axis);
    }
}
