//! Time statistics other than means ([`StatVar`]), streamed with bounded memory:
//!
//! ```text
//!  min, max, sum, mean, var, std   time blocks (about 8 MB, read by a reader thread, decoded
//!                                  while accumulated) ──► per-group accumulators (count, sum or
//!                                  min/max; var/std: shifted sums, see moments.rs)
//!                                  ──► a group is written when its last step has been seen
//!  median, percentiles             group by group: the group's steps read in tiles of rows of
//!                                  the second axis (at most TILE_BYTES), each cell's
//!                                  series selected in parallel, the group's field written
//!  anomalies                       pass 1: sums and counts per reference group over the reference
//!                                  steps; pass 2: every step minus (÷) its group's mean
//! ```
//!
//! Memory: statistics by accumulation hold two (var, std: four) `f64` per cell for each group in progress
//! (one or two at a time when groups follow time) plus a block; percentiles hold at most
//! [`TILE_BYTES`] of values (`f32` for an unpacked `f32` source, else `f64`; one slice of the
//! second axis over the group's steps when that is more) plus the raw read of one run of steps
//! and one output field; anomalies hold an `f64` sum and a `u32` count per cell and reference
//! group (12, 4 or up to 366 fields), then the means in place of the sums, plus a block.

use super::compile::Decode;
use super::driver::{block_len, numeric, out_shape, to_array, with_writer, Outputs};
use super::job::{StatKind, StatVar};
use super::kernels::Elem;
use super::moments::Mom;
use crate::OpError;
use rayon::prelude::*;
use rookery_cf::{Array, Dataset};
use rookery_io::Source;
use std::collections::BTreeMap;
use std::sync::mpsc::sync_channel;

/// Bytes a percentile tile holds at most: 256 MB (64 M values of an `f32` source, 32 M
/// otherwise).
pub(crate) const TILE_BYTES: usize = 256 << 20;

/// Cells per parallel task.
const CELLS: usize = 4096;

/// Runs one [`StatVar`].
pub(super) fn stat_var(
    src: &dyn Source,
    out: &Dataset,
    s: &StatVar,
    outputs: &mut Outputs,
    report: &(dyn Fn(u64) + Sync),
) -> Result<(), OpError> {
    stat_var_tiled(src, out, s, outputs, report, TILE_BYTES)
}

fn stat_var_tiled(
    src: &dyn Source,
    out: &Dataset,
    s: &StatVar,
    outputs: &mut Outputs,
    report: &(dyn Fn(u64) + Sync),
    tile_bytes: usize,
) -> Result<(), OpError> {
    let sv = src.dataset().var(&s.var).ok_or_else(|| OpError::Data(format!("no variable {}", s.var)))?;
    if !sv.dtype.is_numeric() {
        return Err(OpError::Data(format!("variable {} is not numeric", s.var)));
    }
    if sv.shape.is_empty() || sv.shape[0] != s.group_of.len() {
        return Err(OpError::Data(format!("internal error: the time axis of {} does not match its groups", s.var)));
    }
    let (oshape, odtype, fill) = out_shape(out, &s.var)?;
    let dec = Decode::of(sv);
    let n_in: usize = sv.shape[1..].iter().product();
    let mut row_shape = oshape.clone();
    if row_shape.is_empty() || row_shape[1..].iter().product::<usize>() != n_in {
        return Err(OpError::Data(format!("internal error: output shape {oshape:?} of {} does not match", s.var)));
    }
    row_shape[0] = 1;
    let src_shape = sv.shape.clone();
    let narrow = sv.dtype == rookery_cf::DType::F32 && !dec.packed;
    let rd = Reader {
        src,
        name: &s.var,
        shape: &src_shape,
        dec: &dec,
        step: n_in * sv.dtype.size().max(1),
        narrow,
        cancel: outputs.cancel.clone(),
    };
    with_writer(outputs, out, &s.var, |put| {
        let field = |vals: Vec<f64>, n: usize| -> Result<Array, OpError> {
            let mut sh = row_shape.clone();
            sh[0] = n;
            to_array(vals, odtype, &sh, fill)
        };
        match &s.kind {
            StatKind::Anomaly { reference, relative } => {
                anomaly(&rd, s, reference, *relative, n_in, &|vals, t0, n| put(field(vals, n)?, t0), report)
            }
            StatKind::Median | StatKind::Percentile(_) => {
                percentiles(&rd, s, n_in, tile_bytes, &|vals, g| put(field(vals, 1)?, g), report)
            }
            _ => moments(&rd, s, n_in, &|vals, g| put(field(vals, 1)?, g), report),
        }
    })
}

/// Reads steps of one variable, decoded to `f64` (missing values and packing → NaN / unpacked).
struct Reader<'a> {
    src: &'a dyn Source,
    name: &'a str,
    shape: &'a [usize],
    dec: &'a Decode,
    /// Bytes of one source step.
    step: usize,
    /// The source holds unpacked `f32` (percentile tiles are kept as `f32`).
    narrow: bool,
    /// The request's cancellation flag, checked before every read.
    cancel: rookery_io::Cancel,
}

impl Reader<'_> {
    /// Steps `t0..t1`, rows `r0..r1` of the second axis (all of it when `None`).
    fn read(&self, t0: usize, t1: usize, rows: Option<(usize, usize)>) -> Result<Vec<f64>, OpError> {
        let mut start = vec![0; self.shape.len()];
        let mut count = self.shape.to_vec();
        start[0] = t0;
        count[0] = t1 - t0;
        if let (Some((r0, r1)), true) = (rows, self.shape.len() > 1) {
            start[1] = r0;
            count[1] = r1 - r0;
        }
        let a = self.src.read(self.name, &start, &count)?;
        let dec = self.dec;
        numeric!(&a, x => x.iter().map(|v| dec.value(v.f())).collect::<Vec<f64>>())
    }

    /// Steps `t0..t1`, rows `r0..r1` of the second axis, as a percentile tile.
    fn read_tile(&self, t0: usize, t1: usize, rows: (usize, usize)) -> Result<Tile, OpError> {
        self.cancel.check()?;
        if !self.narrow {
            return self.read(t0, t1, Some(rows)).map(Tile::F64);
        }
        let mut start = vec![0; self.shape.len()];
        let mut count = self.shape.to_vec();
        start[0] = t0;
        count[0] = t1 - t0;
        if self.shape.len() > 1 {
            start[1] = rows.0;
            count[1] = rows.1 - rows.0;
        }
        match self.src.read(self.name, &start, &count)? {
            Array::F32(a) => {
                let dec = self.dec;
                Ok(Tile::F32(a.iter().map(|&v| if dec.value(f64::from(v)).is_nan() { f32::NAN } else { v }).collect()))
            }
            a => {
                let dec = self.dec;
                let v: Result<Vec<f64>, OpError> = numeric!(&a, x => x.iter().map(|v| dec.value(v.f())).collect());
                v.map(Tile::F64)
            }
        }
    }

    /// Steps `t0..t1` as stored (raw values).
    fn read_raw(&self, t0: usize, t1: usize) -> Result<Array, OpError> {
        let mut start = vec![0; self.shape.len()];
        let mut count = self.shape.to_vec();
        start[0] = t0;
        count[0] = t1 - t0;
        Ok(self.src.read(self.name, &start, &count)?)
    }

    /// Calls `f(t0, t1, values)` for consecutive blocks of about 8 MB covering `t0..t1`, read
    /// and decoded by a reader thread while `f` works on the previous block.
    fn blocks(
        &self,
        t0: usize,
        t1: usize,
        f: impl FnMut(usize, usize, Vec<f64>) -> Result<(), OpError>,
    ) -> Result<(), OpError> {
        self.blocks_of(t0, t1, |a, b| self.read(a, b, None), f)
    }

    /// [`Reader::blocks`] with the block read by `read` (decoded or raw).
    fn blocks_of<V: Send>(
        &self,
        t0: usize,
        t1: usize,
        read: impl Fn(usize, usize) -> Result<V, OpError> + Send,
        mut f: impl FnMut(usize, usize, V) -> Result<(), OpError>,
    ) -> Result<(), OpError> {
        let block = block_len(self.step);
        let ranges: Vec<(usize, usize)> = (t0..t1).step_by(block).map(|a| (a, (a + block).min(t1))).collect();
        let (tx, rx) = sync_channel::<Result<(usize, usize, V), OpError>>(1);
        std::thread::scope(|scope| -> Result<(), OpError> {
            let ranges = &ranges;
            scope.spawn(move || {
                for &(b0, b1) in ranges {
                    let r = read(b0, b1);
                    let failed = r.is_err();
                    if tx.send(r.map(|v| (b0, b1, v))).is_err() || failed {
                        return;
                    }
                }
            });
            for msg in rx {
                self.cancel.check()?;
                let (b0, b1, v) = msg?;
                f(b0, b1, v)?;
            }
            Ok(())
        })
    }
}

/// Last step of each group (`None`: the group has no step).
fn last_steps(s: &StatVar) -> Vec<Option<usize>> {
    let mut last = vec![None; s.n_groups];
    for (t, g) in s.group_of.iter().enumerate() {
        if let Some(g) = g {
            if let Some(l) = last.get_mut(*g) {
                *l = Some(t);
            }
        }
    }
    last
}

/// min, max, sum, mean, var, std: time blocks into per-group accumulators.
fn moments(
    rd: &Reader<'_>,
    s: &StatVar,
    n_in: usize,
    put: &dyn Fn(Vec<f64>, usize) -> Result<(), OpError>,
    report: &(dyn Fn(u64) + Sync),
) -> Result<(), OpError> {
    let last = last_steps(s);
    for (g, l) in last.iter().enumerate() {
        if l.is_none() {
            put(vec![f64::NAN; n_in], g)?;
        }
    }
    let nt = s.group_of.len();
    let mut accs: BTreeMap<usize, Mom> = BTreeMap::new();
    rd.blocks_of(
        0,
        nt,
        |a, b| rd.read_raw(a, b),
        |b0, b1, x| {
            let mut t = b0;
            while t < b1 {
                let g = s.group_of[t];
                let mut e = t + 1;
                while e < b1 && s.group_of[e] == g {
                    e += 1;
                }
                if let Some(g) = g {
                    let steps: Vec<usize> = (t - b0..e - b0).collect();
                    let acc = accs.entry(g).or_insert_with(|| Mom::new(&s.kind, n_in));
                    let added: Result<(), OpError> = numeric!(&x, v => acc.add(&s.kind, rd.dec, v, n_in, &steps));
                    added?;
                }
                t = e;
            }
            let done: Vec<usize> = accs.keys().copied().filter(|g| last[*g].is_some_and(|l| l < b1)).collect();
            for g in done {
                if let Some(acc) = accs.remove(&g) {
                    put(acc.finish(&s.kind), g)?;
                }
            }
            report(b1 as u64);
            Ok(())
        },
    )
}

/// numpy's `_lerp(a, b, t)` (the form `np.percentile` uses, exact at both ends).
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// The statistic of the valid values in `v` (reordered): the median as numpy's `nanmedian`,
/// percentile `q` as `np.nanpercentile(v, q)` with the `linear` method; NaN when none is valid.
pub(crate) fn order_stat(v: &mut Vec<f64>, kind: &StatKind) -> f64 {
    v.retain(|x| !x.is_nan());
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    let cmp = |a: &f64, b: &f64| a.total_cmp(b);
    let q = match kind {
        StatKind::Percentile(q) => *q / 100.0,
        _ => 0.5,
    };
    #[allow(clippy::cast_precision_loss)]
    let pos = q * (n - 1) as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let lo = (pos.floor() as usize).min(n - 1);
    let frac = pos - pos.floor();
    let (_, a, rest) = v.select_nth_unstable_by(lo, cmp);
    let a = *a;
    if lo + 1 >= n {
        return a;
    }
    let b = rest.iter().copied().min_by(cmp).unwrap_or(a);
    match kind {
        StatKind::Median if n.is_multiple_of(2) => (a + b) / 2.0,
        StatKind::Median => a,
        _ => lerp(a, b, frac),
    }
}

/// The statistic of each cell of a tile (`vals`: `ns` steps of `cells` values) into `dst`.
fn select_cells<T: Copy + Into<f64> + Sync>(vals: &[T], ns: usize, cells: usize, kind: &StatKind, dst: &mut [f64]) {
    dst.par_chunks_mut(CELLS).enumerate().for_each(|(k, dst)| {
        let mut col: Vec<f64> = Vec::with_capacity(ns);
        for (j, d) in dst.iter_mut().enumerate() {
            let c = k * CELLS + j;
            col.clear();
            col.extend((0..ns).map(|t| vals[t * cells + c].into()));
            *d = order_stat(&mut col, kind);
        }
    });
}

/// The values of a percentile tile: `f32` when the source holds unpacked `f32` (exact, half
/// the memory), `f64` otherwise.
enum Tile {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

impl Tile {
    fn len(&self) -> usize {
        match self {
            Tile::F32(v) => v.len(),
            Tile::F64(v) => v.len(),
        }
    }

    fn extend(&mut self, o: Tile) {
        match (&mut *self, o) {
            (Tile::F32(a), Tile::F32(b)) => a.extend(b),
            (Tile::F64(a), Tile::F64(b)) => a.extend(b),
            (Tile::F64(a), Tile::F32(b)) => a.extend(b.into_iter().map(f64::from)),
            (Tile::F32(a), Tile::F64(b)) => {
                let mut w: Vec<f64> = a.iter().map(|x| f64::from(*x)).collect();
                w.extend(b);
                *self = Tile::F64(w);
            }
        }
    }
}

/// Median and percentiles: group by group, the group's steps in tiles of rows.
fn percentiles(
    rd: &Reader<'_>,
    s: &StatVar,
    n_in: usize,
    tile_bytes: usize,
    put: &dyn Fn(Vec<f64>, usize) -> Result<(), OpError>,
    report: &(dyn Fn(u64) + Sync),
) -> Result<(), OpError> {
    let mut steps_of: Vec<Vec<usize>> = vec![Vec::new(); s.n_groups];
    for (t, g) in s.group_of.iter().enumerate() {
        if let Some(g) = g {
            if let Some(v) = steps_of.get_mut(*g) {
                v.push(t);
            }
        }
    }
    let n1 = if rd.shape.len() > 1 { rd.shape[1] } else { 1 };
    let row = n_in.checked_div(n1).unwrap_or(0);
    for (g, steps) in steps_of.iter().enumerate() {
        let mut field = vec![f64::NAN; n_in];
        if !steps.is_empty() && n_in > 0 {
            let ns = steps.len();
            // Runs of consecutive steps (one run when time is sorted).
            let mut runs: Vec<(usize, usize)> = Vec::new();
            for &t in steps {
                match runs.last_mut() {
                    Some((_, e)) if *e == t => *e += 1,
                    _ => runs.push((t, t + 1)),
                }
            }
            let per_value = if rd.narrow { 4 } else { 8 };
            let tile_rows = (tile_bytes / per_value / (ns * row).max(1)).clamp(1, n1);
            let mut r0 = 0;
            while r0 < n1 {
                let r1 = (r0 + tile_rows).min(n1);
                let cells = (r1 - r0) * row;
                let mut vals = rd.read_tile(runs[0].0, runs[0].1, (r0, r1))?;
                for &(a, b) in &runs[1..] {
                    vals.extend(rd.read_tile(a, b, (r0, r1))?);
                }
                if vals.len() != ns * cells {
                    return Err(OpError::Data(format!(
                        "internal error: read {} values of {}, expected {}",
                        vals.len(),
                        s.var,
                        ns * cells
                    )));
                }
                let dst = &mut field[r0 * row..r1 * row];
                match &vals {
                    Tile::F32(v) => select_cells(v, ns, cells, &s.kind, dst),
                    Tile::F64(v) => select_cells(v, ns, cells, &s.kind, dst),
                }
                r0 = r1;
            }
            report(steps.last().map_or(0, |l| *l as u64 + 1));
        }
        put(field, g)?;
    }
    Ok(())
}

/// Anomalies: the reference means per group, then every step against its group's mean.
fn anomaly(
    rd: &Reader<'_>,
    s: &StatVar,
    reference: &[Option<usize>],
    relative: bool,
    n_in: usize,
    put: &dyn Fn(Vec<f64>, usize, usize) -> Result<(), OpError>,
    report: &(dyn Fn(u64) + Sync),
) -> Result<(), OpError> {
    let nt = s.group_of.len();
    let used: Vec<usize> = (0..nt).filter(|&t| reference.get(t).copied().flatten().is_some()).collect();
    let (Some(&r0), Some(&r1)) = (used.first(), used.last()) else {
        return Err(OpError::NoData("no time steps in the reference period".into()));
    };
    let mut sum = vec![0.0; s.n_groups * n_in];
    let mut cnt = vec![0u32; s.n_groups * n_in];
    rd.blocks(r0, r1 + 1, |b0, b1, x| {
        for t in b0..b1 {
            let Some(g) = reference[t] else { continue };
            let xs = &x[(t - b0) * n_in..(t - b0 + 1) * n_in];
            let (sg, cg) = (&mut sum[g * n_in..(g + 1) * n_in], &mut cnt[g * n_in..(g + 1) * n_in]);
            for ((v, s), c) in xs.iter().zip(sg.iter_mut()).zip(cg.iter_mut()) {
                if !v.is_nan() {
                    *s += v;
                    *c += 1;
                }
            }
        }
        Ok(())
    })?;
    // The means replace the sums in place (no third field).
    let mut clim = sum;
    clim.par_iter_mut().zip(&cnt).for_each(|(s, &c)| *s = if c > 0 { *s / f64::from(c) } else { f64::NAN });
    drop(cnt);
    rd.blocks(0, nt, |b0, b1, mut x| {
        x.par_chunks_mut(n_in.max(1)).enumerate().for_each(|(k, xs)| {
            let Some(g) = s.group_of[b0 + k] else {
                xs.fill(f64::NAN);
                return;
            };
            let cg = &clim[g * n_in..(g + 1) * n_in];
            for (v, c) in xs.iter_mut().zip(cg) {
                *v = if relative {
                    if *c == 0.0 {
                        f64::NAN
                    } else {
                        *v / c
                    }
                } else {
                    *v - c
                };
            }
        });
        put(x, b0, b1 - b0)?;
        report(b1 as u64);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// numpy: np.percentile([3, 1, 4, 1, 5, 9, 2, 6], [0, 10, 50, 90, 100]) =
    /// [1, 1, 3.5, 6.9, 9]; np.median = 3.5; odd n: np.percentile([5, 1, 3], 25) = 2.
    #[test]
    fn order_stats_match_numpy_linear() {
        let v = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, f64::NAN];
        let p = |q: f64| order_stat(&mut v.to_vec(), &StatKind::Percentile(q));
        assert_eq!(p(0.0), 1.0);
        assert_eq!(p(10.0), 1.0 + 0.7 * 0.0);
        assert_eq!(p(50.0), 3.5);
        assert!((p(90.0) - 6.9).abs() < 1e-12, "{}", p(90.0));
        assert_eq!(p(100.0), 9.0);
        assert_eq!(order_stat(&mut v.to_vec(), &StatKind::Median), 3.5);
        assert_eq!(order_stat(&mut vec![5.0, 1.0, 3.0], &StatKind::Percentile(25.0)), 2.0);
        assert_eq!(order_stat(&mut vec![5.0, 1.0, 3.0], &StatKind::Median), 3.0);
        assert!(order_stat(&mut vec![f64::NAN], &StatKind::Median).is_nan());
        assert_eq!(order_stat(&mut vec![7.0], &StatKind::Percentile(90.0)), 7.0);
    }

    /// An in-memory source that records the largest read (in values).
    struct Mem {
        ds: Dataset,
        x: ndarray::ArrayD<f32>,
        largest: std::sync::atomic::AtomicUsize,
    }

    impl Source for Mem {
        fn dataset(&self) -> &Dataset {
            &self.ds
        }
        fn read(&self, _: &str, start: &[usize], count: &[usize]) -> Result<Array, rookery_io::IoError> {
            let v = self.x.slice_each_axis(|ax| {
                let k = ax.axis.index();
                ndarray::Slice::from(start[k]..start[k] + count[k])
            });
            self.largest.fetch_max(v.len(), std::sync::atomic::Ordering::Relaxed);
            Ok(Array::F32(v.to_owned()))
        }
        fn paths(&self) -> Vec<std::path::PathBuf> {
            Vec::new()
        }
    }

    fn mem(nt: usize, ny: usize, nx: usize) -> Mem {
        let mut seed = 7u64;
        let vals: Vec<f32> = (0..nt * ny * nx)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                let r = (seed >> 40) % 1000;
                // Some missing values and ties.
                if r.is_multiple_of(17) {
                    f32::NAN
                } else {
                    (r % 97) as f32 * 0.5
                }
            })
            .collect();
        let var = rookery_cf::Variable {
            name: "v".into(),
            dims: vec!["time".into(), "y".into(), "x".into()],
            shape: vec![nt, ny, nx],
            dtype: rookery_cf::DType::F32,
            attrs: rookery_cf::Attrs::default(),
        };
        Mem {
            ds: Dataset { dims: Vec::new(), vars: vec![var], attrs: rookery_cf::Attrs::default() },
            x: ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[nt, ny, nx]), vals).unwrap(),
            largest: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Percentiles by tiles of any size equal the plain per-cell computation, for groups of
    /// non-contiguous steps and unused steps, and no read exceeds the tile bound.
    #[test]
    fn percentile_tiles_are_exact_and_bounded() {
        let (nt, ny, nx) = (23, 7, 5);
        let m = mem(nt, ny, nx);
        let group_of: Vec<Option<usize>> = (0..nt).map(|t| if t == 4 { None } else { Some(t % 3) }).collect();
        let dec = Decode::of(&m.ds.vars[0]);
        let shape = vec![nt, ny, nx];
        let n_in = ny * nx;
        for (narrow, kind) in [true, false].into_iter().flat_map(|n| {
            [StatKind::Percentile(90.0), StatKind::Median, StatKind::Percentile(0.0), StatKind::Percentile(33.3)]
                .map(|k| (n, k))
        }) {
            let rd = Reader {
                src: &m,
                name: "v",
                shape: &shape,
                dec: &dec,
                step: ny * nx * 4,
                narrow,
                cancel: rookery_io::Cancel::default(),
            };
            let per = if narrow { 4 } else { 8 };
            let s = StatVar { var: "v".into(), kind: kind.clone(), group_of: group_of.clone(), n_groups: 4 };
            let mut want: Vec<Vec<f64>> = Vec::new();
            for g in 0..4 {
                let steps: Vec<usize> = (0..nt).filter(|&t| group_of[t] == Some(g)).collect();
                want.push(
                    (0..n_in)
                        .map(|c| {
                            let mut col: Vec<f64> =
                                steps.iter().map(|&t| f64::from(m.x.as_slice().unwrap()[t * n_in + c])).collect();
                            order_stat(&mut col, &kind)
                        })
                        .collect(),
                );
            }
            // Tile sizes in values (4 bytes each): one row, three rows, everything.
            for tile in [1, 8 * nx * 3, usize::MAX / 8] {
                m.largest.store(0, std::sync::atomic::Ordering::Relaxed);
                let got = std::sync::Mutex::new(vec![Vec::new(); 4]);
                percentiles(
                    &rd,
                    &s,
                    n_in,
                    tile * per,
                    &|f, g| {
                        got.lock().unwrap()[g] = f;
                        Ok(())
                    },
                    &|_| {},
                )
                .unwrap();
                let got = got.into_inner().unwrap();
                for g in 0..4 {
                    assert_eq!(got[g].len(), n_in);
                    for c in 0..n_in {
                        let (a, b) = (got[g][c], want[g][c]);
                        assert!(
                            a == b || (a.is_nan() && b.is_nan()),
                            "{kind:?} narrow {narrow} tile {tile} group {g} cell {c}: {a} vs {b}"
                        );
                    }
                }
                // Group 3 has no step: all missing. The largest read: one row of the largest
                // group (8 steps) when the tile is smaller, the whole group otherwise.
                assert!(got[3].iter().all(|x| x.is_nan()));
                let largest = m.largest.load(std::sync::atomic::Ordering::Relaxed);
                let bound = tile.max(8 * nx).min(8 * n_in);
                assert!(largest <= bound, "tile {tile}: read {largest} values at once (bound {bound})");
            }
        }
    }

    /// Streamed accumulation across blocks equals the plain two-pass statistics.
    #[allow(clippy::needless_range_loop, clippy::cast_precision_loss)]
    #[test]
    fn moments_by_blocks_equal_plain() {
        let (nt, ny, nx) = (40, 3, 4);
        let m = mem(nt, ny, nx);
        let n_in = ny * nx;
        let group_of: Vec<Option<usize>> = (0..nt).map(|t| Some(t / 15)).collect();
        let dec = Decode::of(&m.ds.vars[0]);
        let shape = vec![nt, ny, nx];
        // Blocks of one step each: groups span many blocks.
        let rd = Reader {
            src: &m,
            name: "v",
            shape: &shape,
            dec: &dec,
            step: 8 << 20,
            narrow: true,
            cancel: rookery_io::Cancel::default(),
        };
        let xs = m.x.as_slice().unwrap();
        for kind in [
            StatKind::Min,
            StatKind::Max,
            StatKind::Sum,
            StatKind::Mean,
            StatKind::Var { ddof: 0 },
            StatKind::Std { ddof: 1 },
        ] {
            let s = StatVar { var: "v".into(), kind: kind.clone(), group_of: group_of.clone(), n_groups: 3 };
            let got = std::sync::Mutex::new(vec![Vec::new(); 3]);
            moments(
                &rd,
                &s,
                n_in,
                &|f, g| {
                    got.lock().unwrap()[g] = f;
                    Ok(())
                },
                &|_| {},
            )
            .unwrap();
            let got = got.into_inner().unwrap();
            for g in 0..3 {
                for c in 0..n_in {
                    let v: Vec<f64> = (0..nt)
                        .filter(|&t| group_of[t] == Some(g))
                        .map(|t| f64::from(xs[t * n_in + c]))
                        .filter(|x| !x.is_nan())
                        .collect();
                    let n = v.len() as f64;
                    let mean = v.iter().sum::<f64>() / n;
                    let ss = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>();
                    let want = match kind {
                        StatKind::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
                        StatKind::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        StatKind::Sum => v.iter().sum(),
                        StatKind::Mean => mean,
                        StatKind::Var { .. } => ss / n,
                        _ => (ss / (n - 1.0)).sqrt(),
                    };
                    let a = got[g][c];
                    assert!(
                        (a - want).abs() <= 1e-9 * want.abs().max(1.0),
                        "{kind:?} group {g} cell {c}: {a} vs {want}"
                    );
                }
            }
        }
    }
}
