//! Sparse regridding weights (CSR by destination row) and their application to data.

use rayon::prelude::*;

/// A sparse weight matrix `n_dst × n_src`, stored CSR by destination row:
/// `dst[d] = Σ_{e in row_ptr[d]..row_ptr[d+1]} val[e] · src[col[e]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// Number of source cells (columns).
    pub n_src: usize,
    /// Number of destination cells (rows).
    pub n_dst: usize,
    row_ptr: Vec<usize>,
    col: Vec<u32>,
    val: Vec<f64>,
}

/// Rows of weights computed for a contiguous range of destination cells.
#[derive(Default)]
pub(crate) struct RowChunk {
    pub(crate) lens: Vec<u32>,
    pub(crate) col: Vec<u32>,
    pub(crate) val: Vec<f64>,
}

impl RowChunk {
    /// Appends one row from `(col, val)` pairs, sorted by column; zero weights are dropped and
    /// duplicate columns summed.
    pub(crate) fn push_row(&mut self, entries: &mut [(u32, f64)]) {
        entries.sort_unstable_by_key(|e| e.0);
        let start = self.col.len();
        for &(c, v) in entries.iter() {
            if v == 0.0 || !v.is_finite() {
                continue;
            }
            if self.col.len() > start && *self.col.last().expect("nonempty") == c {
                *self.val.last_mut().expect("nonempty") += v;
            } else {
                self.col.push(c);
                self.val.push(v);
            }
        }
        self.lens.push((self.col.len() - start) as u32);
    }
}

/// Why COO triplets do not form a weight matrix ([`Weights::from_triplets`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TripletError {
    /// The row, column and value lists differ in length.
    #[error("row/col/S lengths differ ({rows}, {cols}, {vals})")]
    LengthMismatch {
        /// Rows given.
        rows: usize,
        /// Columns given.
        cols: usize,
        /// Values given.
        vals: usize,
    },
    /// More source cells than a `u32` column index holds.
    #[error("{0} source cells exceed the supported 2^32")]
    TooManySources(usize),
    /// An entry outside the `n_dst` × `n_src` matrix.
    #[error("entry {index} (row {row}, col {col}) outside the {n_dst}x{n_src} matrix")]
    OutOfRange {
        /// The entry's index in the lists.
        index: usize,
        /// Its row.
        row: usize,
        /// Its column.
        col: usize,
        /// Rows of the matrix (destination cells).
        n_dst: usize,
        /// Columns of the matrix (source cells).
        n_src: usize,
    },
}

impl Weights {
    /// Builds weights from COO triplets (0-based `row` = destination, `col` = source). Entries
    /// are sorted by row then column; duplicates are summed.
    pub fn from_triplets(
        n_src: usize,
        n_dst: usize,
        rows: &[usize],
        cols: &[usize],
        vals: &[f64],
    ) -> Result<Weights, TripletError> {
        if rows.len() != cols.len() || rows.len() != vals.len() {
            return Err(TripletError::LengthMismatch { rows: rows.len(), cols: cols.len(), vals: vals.len() });
        }
        if n_src > u32::MAX as usize {
            return Err(TripletError::TooManySources(n_src));
        }
        let mut counts = vec![0usize; n_dst + 1];
        for (i, (&r, &c)) in rows.iter().zip(cols).enumerate() {
            if r >= n_dst || c >= n_src {
                return Err(TripletError::OutOfRange { index: i, row: r, col: c, n_dst, n_src });
            }
            counts[r + 1] += 1;
        }
        for i in 0..n_dst {
            counts[i + 1] += counts[i];
        }
        let mut next = counts.clone();
        let mut col = vec![0u32; rows.len()];
        let mut val = vec![0f64; rows.len()];
        for ((&r, &c), &v) in rows.iter().zip(cols).zip(vals) {
            let p = next[r];
            col[p] = c as u32;
            val[p] = v;
            next[r] += 1;
        }
        // Sort and merge each row.
        let mut out = RowChunk::default();
        let mut buf = Vec::new();
        for r in 0..n_dst {
            buf.clear();
            buf.extend((counts[r]..counts[r + 1]).map(|e| (col[e], val[e])));
            buf.sort_unstable_by_key(|e| e.0);
            let start = out.col.len();
            for &(c, v) in &buf {
                if out.col.len() > start && *out.col.last().expect("nonempty") == c {
                    *out.val.last_mut().expect("nonempty") += v;
                } else {
                    out.col.push(c);
                    out.val.push(v);
                }
            }
            out.lens.push((out.col.len() - start) as u32);
        }
        Ok(Weights::from_chunks(n_src, n_dst, vec![out]))
    }

    /// Concatenates row chunks (in destination order) into CSR.
    pub(crate) fn from_chunks(n_src: usize, n_dst: usize, chunks: Vec<RowChunk>) -> Weights {
        let nnz: usize = chunks.iter().map(|c| c.col.len()).sum();
        let mut row_ptr = Vec::with_capacity(n_dst + 1);
        row_ptr.push(0usize);
        let mut col = Vec::with_capacity(nnz);
        let mut val = Vec::with_capacity(nnz);
        let mut acc = 0usize;
        for c in chunks {
            for l in c.lens {
                acc += l as usize;
                row_ptr.push(acc);
            }
            col.extend_from_slice(&c.col);
            val.extend_from_slice(&c.val);
        }
        debug_assert_eq!(row_ptr.len(), n_dst + 1);
        Weights { n_src, n_dst, row_ptr, col, val }
    }

    /// Number of stored weights.
    pub fn nnz(&self) -> usize {
        self.val.len()
    }

    /// CSR row pointers (`n_dst + 1` entries).
    pub fn row_ptr(&self) -> &[usize] {
        &self.row_ptr
    }

    /// Source index of each stored weight.
    pub fn cols(&self) -> &[u32] {
        &self.col
    }

    /// The stored weights.
    pub fn values(&self) -> &[f64] {
        &self.val
    }

    /// The `(source indices, weights)` of destination cell `d`.
    pub fn row(&self, d: usize) -> (&[u32], &[f64]) {
        let (a, b) = (self.row_ptr[d], self.row_ptr[d + 1]);
        (&self.col[a..b], &self.val[a..b])
    }

    /// Sum of the weights of each destination cell.
    pub fn row_sums(&self) -> Vec<f64> {
        (0..self.n_dst).map(|d| self.row(d).1.iter().sum()).collect()
    }

    /// COO triplets `(row, col, S)`, 0-based, in CSR order.
    pub fn triplets(&self) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
        let mut rows = Vec::with_capacity(self.nnz());
        for d in 0..self.n_dst {
            rows.extend(std::iter::repeat_n(d, self.row_ptr[d + 1] - self.row_ptr[d]));
        }
        (rows, self.col.iter().map(|&c| c as usize).collect(), self.val.clone())
    }

    /// Applies the weights to `nsteps` consecutive source fields (`src.len() == nsteps*n_src`,
    /// NaN = missing) writing `nsteps*n_dst` values to `dst`.
    ///
    /// * `skipna == false`: plain sparse product; NaN propagates from any contributing source.
    /// * `skipna == true` and `na_thres` in `[0, 1]` (xESMF adaptive masking): NaN sources are
    ///   skipped, `valid = Σ w` over the non-NaN contributing sources; the destination is NaN when
    ///   `valid < clip(1 - na_thres, 1e-6, 1 - 1e-6)` (i.e. the missing fraction of the cell,
    ///   including parts covered by masked or no source cells, exceeds `na_thres`), otherwise the
    ///   sum is renormalised by `valid`.
    /// * `skipna == true` with `na_thres` outside `[0, 1]`: no adaptive masking (as `skipna == false`).
    ///
    /// Destination cells without any weight are NaN (xESMF `unmapped_to_nan`).
    ///
    /// # Panics
    /// When the slice lengths do not match `nsteps * n_src` / `nsteps * n_dst`.
    pub fn apply(&self, src: &[f64], dst: &mut [f64], nsteps: usize, skipna: bool, na_thres: f64) {
        self.apply_generic(src, dst, nsteps, skipna, na_thres);
    }

    /// As [`Weights::apply`] for `f32` data (accumulation in `f64`).
    pub fn apply_f32(&self, src: &[f32], dst: &mut [f32], nsteps: usize, skipna: bool, na_thres: f64) {
        self.apply_generic(src, dst, nsteps, skipna, na_thres);
    }

    fn apply_generic<T: Value>(&self, src: &[T], dst: &mut [T], nsteps: usize, skipna: bool, na_thres: f64) {
        assert_eq!(src.len(), nsteps * self.n_src, "source length must be nsteps * n_src");
        assert_eq!(dst.len(), nsteps * self.n_dst, "destination length must be nsteps * n_dst");
        if nsteps == 0 || self.n_dst == 0 {
            return;
        }
        let adaptive = skipna && (0.0..=1.0).contains(&na_thres);
        let thres = (1.0 - na_thres).clamp(1e-6, 1.0 - 1e-6);
        let threads = rayon::current_num_threads();
        if nsteps >= 2 * threads || self.n_dst < 4096 {
            dst.par_chunks_mut(self.n_dst)
                .zip(src.par_chunks(self.n_src.max(1)))
                .for_each(|(d, s)| self.rows(s, d, 0, adaptive, thres));
        } else {
            const CH: usize = 8192;
            for (d, s) in dst.chunks_mut(self.n_dst).zip(src.chunks(self.n_src.max(1))) {
                d.par_chunks_mut(CH).enumerate().for_each(|(i, dc)| self.rows(s, dc, i * CH, adaptive, thres));
            }
        }
    }

    #[inline]
    fn rows<T: Value>(&self, s: &[T], d: &mut [T], first: usize, adaptive: bool, thres: f64) {
        for (i, out) in d.iter_mut().enumerate() {
            let r = first + i;
            let (a, b) = (self.row_ptr[r], self.row_ptr[r + 1]);
            if a == b {
                *out = T::from_f64(f64::NAN);
                continue;
            }
            let cols = &self.col[a..b];
            let vals = &self.val[a..b];
            if adaptive {
                let mut acc = 0.0;
                let mut valid = 0.0;
                for (&c, &w) in cols.iter().zip(vals) {
                    let v = s[c as usize].to_f64();
                    if !v.is_nan() {
                        acc += w * v;
                        valid += w;
                    }
                }
                *out = T::from_f64(if valid < thres { f64::NAN } else { acc / valid });
            } else {
                let mut acc = 0.0;
                for (&c, &w) in cols.iter().zip(vals) {
                    acc += w * s[c as usize].to_f64();
                }
                *out = T::from_f64(acc);
            }
        }
    }
}

/// Floating-point sample types accepted by [`Weights::apply`].
trait Value: Copy + Send + Sync {
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
}

impl Value for f64 {
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        v
    }
}

impl Value for f32 {
    #[inline]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}

/// Runs `f(first_row, rows)` over destination row chunks in parallel and assembles the CSR.
pub(crate) fn build_parallel<F>(n_src: usize, n_dst: usize, chunk: usize, f: F) -> Weights
where
    F: Fn(std::ops::Range<usize>, &mut RowChunk) + Sync,
{
    let nchunks = n_dst.div_ceil(chunk.max(1));
    let chunks: Vec<RowChunk> = (0..nchunks)
        .into_par_iter()
        .map(|c| {
            let r = c * chunk..((c + 1) * chunk).min(n_dst);
            let mut rc = RowChunk::default();
            f(r, &mut rc);
            rc
        })
        .collect();
    Weights::from_chunks(n_src, n_dst, chunks)
}

#[cfg(test)]
mod triplet_tests {
    use super::{TripletError, Weights};

    #[test]
    fn bad_triplets_are_typed() {
        let e = Weights::from_triplets(2, 2, &[0, 1], &[0], &[1.0, 1.0]).unwrap_err();
        assert_eq!(e, TripletError::LengthMismatch { rows: 2, cols: 1, vals: 2 });
        assert_eq!(e.to_string(), "row/col/S lengths differ (2, 1, 2)");
        let e = Weights::from_triplets(2, 2, &[0, 2], &[0, 1], &[1.0, 1.0]).unwrap_err();
        assert_eq!(e, TripletError::OutOfRange { index: 1, row: 2, col: 1, n_dst: 2, n_src: 2 });
        assert_eq!(e.to_string(), "entry 1 (row 2, col 1) outside the 2x2 matrix");
        assert!(Weights::from_triplets(2, 2, &[0, 1], &[1, 0], &[1.0, 1.0]).is_ok());
    }
}
