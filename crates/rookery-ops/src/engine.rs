//! The streaming reduction engine shared by every averaging operation.
//!
//! A reduction maps each element of a source variable to zero or more output elements with a
//! weight, and the output is the weighted mean (`Σ w·x / Σ w`). Each source axis is kept,
//! collapsed, or grouped (time periods); horizontal axes may carry cell weights (area means)
//! or be replaced by a polygon axis (`geom`) through a sparse weight matrix.
//!
//! ```text
//!  source var (time, …inner…) ──read in time blocks (reader thread)──►  block [t0..t1) × inner
//!      inner index i ──map──► (out inner index o, weight w)   dense (one target) or sparse (CSR)
//!      time step t  ──map──► output step: kept / collapsed / period g
//!  accumulators Σw·x, Σw per (output step, o) ──finalised when a period is complete──► writer
//! ```
//!
//! Memory stays bounded: one block of source values (about 32 MB) plus the accumulators of
//! the periods in progress (one output field each).

use crate::naming::FileNamer;
use crate::output::{time_slices, Progress};
use crate::OpError;
use ndarray::{ArrayD, IxDyn};
use rayon::prelude::*;
use rookery_cf::time::DateTime;
use rookery_cf::{Array, AttrValue, DType, Dataset};
use rookery_io::{Source, Staged, WriteOptions, Writer};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::sync_channel;

/// How missing values enter a mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NanMode {
    /// Skip missing values and renormalise the weights (xarray `skipna=True`).
    Skip,
    /// Any missing value with a non-zero weight makes the result missing (xESMF averager).
    Propagate,
}

/// What happens to one source axis.
#[derive(Clone, Debug, PartialEq)]
pub enum AxisMap {
    /// Kept as it is.
    Keep,
    /// Averaged away (the axis disappears).
    Collapse,
    /// Source index → output index (e.g. time step → period); `None` = not used.
    Group { map: Vec<Option<usize>>, n_out: usize },
}

/// Weights over some horizontal source axes (dense, in the order of those axes).
#[derive(Clone, Debug)]
pub struct CellWeights {
    /// Source axes the weights are laid on (ascending).
    pub axes: Vec<usize>,
    /// Weights with the shape of those axes.
    pub w: ArrayD<f64>,
}

/// Polygon weights replacing contiguous horizontal axes by one `geom` axis.
#[derive(Clone, Debug)]
pub struct SparseCells {
    /// Source axes replaced (contiguous, ascending).
    pub axes: Vec<usize>,
    /// Number of polygons (length of the new axis).
    pub n_geom: usize,
    /// For each cell (flattened over `axes`): (polygon, weight).
    pub cells: Vec<Vec<(u32, f64)>>,
}

/// The reduction of one variable.
#[derive(Clone, Debug)]
pub struct Reduce {
    /// Source variable (output variable of the same name).
    pub var: String,
    /// One entry per source axis.
    pub axes: Vec<AxisMap>,
    /// Dense weights.
    pub weights: Option<CellWeights>,
    /// Polygon weights (exclusive with `weights`).
    pub sparse: Option<SparseCells>,
    /// Missing-value handling.
    pub nan: NanMode,
}

/// How one output variable is produced.
#[derive(Clone, Debug)]
pub enum VarJob {
    /// Copied from the source variable of the same name.
    Copy(String),
    /// Averaged.
    Reduce(Reduce),
    /// Given values.
    Values(String, Array),
    /// Regridded horizontally.
    Regrid(RegridVar),
}

/// Horizontal regridding of one variable: its trailing horizontal axes (the source grid's
/// cells) become the target grid's cells through a sparse weight matrix.
#[derive(Clone)]
pub struct RegridVar {
    /// Source variable (output variable of the same name).
    pub var: String,
    /// Number of trailing source axes that form the horizontal grid (1 or 2).
    pub h_axes: usize,
    /// The weights (source cells → target cells).
    pub weights: std::sync::Arc<rookery_regrid::Weights>,
    /// Missing source values are skipped and the weights renormalised (conservative).
    pub skipna: bool,
    /// Adaptive masking threshold (see [`rookery_regrid::Weights::apply`]).
    pub na_thres: f64,
    /// Target cells set missing whatever the data (land/sea mask), flattened.
    pub dst_masked: Option<std::sync::Arc<Vec<bool>>>,
}

impl std::fmt::Debug for RegridVar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegridVar")
            .field("var", &self.var)
            .field("h_axes", &self.h_axes)
            .field("n_src", &self.weights.n_src)
            .field("n_dst", &self.weights.n_dst)
            .field("skipna", &self.skipna)
            .field("na_thres", &self.na_thres)
            .finish_non_exhaustive()
    }
}

/// A whole averaging request, ready to run.
#[derive(Clone, Debug)]
pub struct Job {
    /// Output metadata (cleaned).
    pub out: Dataset,
    /// The main variable (naming, splitting).
    pub main: String,
    /// The output time dimension, when the output has one.
    pub time_dim: Option<String>,
    /// Decoded time of each output step.
    pub times: Vec<DateTime>,
    /// One job per output variable.
    pub vars: Vec<VarJob>,
    /// The source's time dimension (variables whose first dimension it is are streamed).
    pub src_time_dim: Option<String>,
}

/// Element types that can be averaged.
trait Elem: Copy + Send + Sync {
    fn f(self) -> f64;
}
macro_rules! elem {
    ($($t:ty),*) => {$(
        impl Elem for $t {
            #[inline(always)]
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            fn f(self) -> f64 { self as f64 }
        }
    )*};
}
elem!(i8, u8, i16, u16, i32, u32, i64, u64, f32, f64);

/// Missing values and packing of a source variable.
#[derive(Clone, Debug, Default)]
struct Decode {
    /// First two missing values (NaN = none; NaN never compares equal).
    m0: f64,
    m1: f64,
    /// Further missing values (rare).
    more: Vec<f64>,
    scale: f64,
    offset: f64,
    packed: bool,
}

impl Decode {
    fn of(v: &rookery_cf::Variable) -> Decode {
        let round = |x: f64| -> f64 {
            #[allow(clippy::cast_possible_truncation)]
            match v.dtype {
                DType::F32 => f64::from(x as f32),
                _ => x,
            }
        };
        let mut missing: Vec<f64> = Vec::new();
        for n in ["_FillValue", "missing_value"] {
            if let Some(vals) = v.attrs.get(n).and_then(AttrValue::as_f64s) {
                missing.extend(vals.into_iter().map(round));
            }
        }
        let scale = v.attrs.get_f64("scale_factor");
        let offset = v.attrs.get_f64("add_offset");
        missing.dedup();
        Decode {
            m0: missing.first().copied().unwrap_or(f64::NAN),
            m1: missing.get(1).copied().unwrap_or(f64::NAN),
            more: missing.get(2..).map(<[f64]>::to_vec).unwrap_or_default(),
            scale: scale.unwrap_or(1.0),
            offset: offset.unwrap_or(0.0),
            packed: scale.is_some() || offset.is_some(),
        }
    }

    #[inline(always)]
    fn value(&self, raw: f64) -> f64 {
        if raw.is_nan() || raw == self.m0 || raw == self.m1 || (!self.more.is_empty() && self.more.contains(&raw)) {
            return f64::NAN;
        }
        if self.packed {
            raw * self.scale + self.offset
        } else {
            raw
        }
    }
}

/// The compiled map of the non-streamed ("inner") axes.
enum Inner {
    /// Output index = input index, weight 1.
    Identity,
    /// One target per input element.
    Dense { out: Vec<u32>, w: Option<Vec<f64>> },
    /// Several targets per input element (CSR).
    Sparse { offs: Vec<u32>, tgt: Vec<u32>, w: Vec<f64> },
}

struct Compiled {
    /// Streamed axis (axis 0 = time), with its map.
    stream: Option<AxisMap>,
    n_stream: usize,
    inner: Inner,
    n_in: usize,
    n_out: usize,
    nan: NanMode,
    dec: Decode,
}

fn u32_of(x: usize) -> Result<u32, OpError> {
    u32::try_from(x).map_err(|_| OpError::Data("grid too large to average (more than 4e9 cells)".into()))
}

/// Builds the inner map of `r` for source shape `shape`; `stream` = whether axis 0 is streamed.
fn compile(r: &Reduce, shape: &[usize], stream: bool, dec: Decode) -> Result<Compiled, OpError> {
    let first = usize::from(stream);
    let inner_axes: Vec<usize> = (first..shape.len()).collect();
    let n_in: usize = inner_axes.iter().map(|&a| shape[a]).product();
    // Output strides: walk the inner axes, replacing sparse axes by one geom axis.
    let sparse_axes: &[usize] = r.sparse.as_ref().map_or(&[], |s| s.axes.as_slice());
    let mut out_len_of_axis: Vec<Option<usize>> = vec![None; shape.len()];
    for &a in &inner_axes {
        if sparse_axes.contains(&a) {
            continue;
        }
        out_len_of_axis[a] = match &r.axes[a] {
            AxisMap::Keep => Some(shape[a]),
            AxisMap::Collapse => None,
            AxisMap::Group { n_out, .. } => Some(*n_out),
        };
    }
    // Output axes in order: (axis, len), geom at the position of the first sparse axis.
    let mut out_axes: Vec<(Option<usize>, usize)> = Vec::new();
    for &a in &inner_axes {
        if let Some(s) = &r.sparse {
            if s.axes.first() == Some(&a) {
                out_axes.push((None, s.n_geom));
            }
            if s.axes.contains(&a) {
                continue;
            }
        }
        if let Some(n) = out_len_of_axis[a] {
            out_axes.push((Some(a), n));
        }
    }
    let n_out: usize = out_axes.iter().map(|x| x.1).product();
    let mut stride_of_axis: Vec<usize> = vec![0; shape.len()];
    let mut geom_stride = 0;
    let mut s = 1;
    for &(a, n) in out_axes.iter().rev() {
        match a {
            Some(a) => stride_of_axis[a] = s,
            None => geom_stride = s,
        }
        s *= n;
    }
    let nan = r.nan;
    let stream_map = if stream { Some(r.axes[0].clone()) } else { None };
    let n_stream = if stream { shape[0] } else { 1 };
    let identity = r.sparse.is_none() && r.weights.is_none() && inner_axes.iter().all(|&a| r.axes[a] == AxisMap::Keep);
    if identity {
        return Ok(Compiled { stream: stream_map, n_stream, inner: Inner::Identity, n_in, n_out, nan, dec });
    }
    // Per-axis offset contribution of each index (None = element unused).
    let contrib = |a: usize, i: usize| -> Option<usize> {
        match &r.axes[a] {
            AxisMap::Keep => Some(i * stride_of_axis[a]),
            AxisMap::Collapse => Some(0),
            AxisMap::Group { map, .. } => map.get(i).copied().flatten().map(|g| g * stride_of_axis[a]),
        }
    };
    let inner_shape: Vec<usize> = inner_axes.iter().map(|&a| shape[a]).collect();
    let mut idx = vec![0usize; inner_axes.len()];
    let sparse_pos: Vec<usize> =
        inner_axes.iter().enumerate().filter(|(_, a)| sparse_axes.contains(a)).map(|(k, _)| k).collect();
    let weight_pos: Vec<usize> = r.weights.as_ref().map_or_else(Vec::new, |w| {
        inner_axes.iter().enumerate().filter(|(_, a)| w.axes.contains(a)).map(|(k, _)| k).collect()
    });
    if let Some(w) = &r.weights {
        if weight_pos.len() != w.axes.len() {
            return Err(OpError::Data(format!("cannot lay weights on the axes of {}", r.var)));
        }
    }
    if let Some(sp) = &r.sparse {
        let mut offs: Vec<u32> = Vec::with_capacity(n_in + 1);
        let mut tgt: Vec<u32> = Vec::new();
        let mut wv: Vec<f64> = Vec::new();
        offs.push(0);
        for _ in 0..n_in {
            let mut base = Some(0usize);
            let mut cell = 0usize;
            for (k, &a) in inner_axes.iter().enumerate() {
                if sparse_pos.contains(&k) {
                    cell = cell * shape[a] + idx[k];
                } else {
                    base = base.and_then(|b| contrib(a, idx[k]).map(|c| b + c));
                }
            }
            if let (Some(b), Some(list)) = (base, sp.cells.get(cell)) {
                for &(g, w) in list {
                    tgt.push(u32_of(b + g as usize * geom_stride)?);
                    wv.push(w);
                }
            }
            offs.push(u32_of(tgt.len())?);
            advance(&mut idx, &inner_shape);
        }
        return Ok(Compiled {
            stream: stream_map,
            n_stream,
            inner: Inner::Sparse { offs, tgt, w: wv },
            n_in,
            n_out,
            nan,
            dec,
        });
    }
    let mut out: Vec<u32> = Vec::with_capacity(n_in);
    let mut wts: Option<Vec<f64>> = r.weights.as_ref().map(|_| Vec::with_capacity(n_in));
    for _ in 0..n_in {
        let mut base = Some(0usize);
        for (k, &a) in inner_axes.iter().enumerate() {
            base = base.and_then(|b| contrib(a, idx[k]).map(|c| b + c));
        }
        match base {
            Some(b) => out.push(u32_of(b)?),
            None => out.push(u32::MAX),
        }
        if let (Some(wv), Some(w)) = (wts.as_mut(), &r.weights) {
            let wi: Vec<usize> = weight_pos.iter().map(|&k| idx[k]).collect();
            let x = w.w.get(IxDyn(&wi)).copied().unwrap_or(0.0);
            wv.push(if base.is_some() { x } else { 0.0 });
        }
        advance(&mut idx, &inner_shape);
    }
    Ok(Compiled { stream: stream_map, n_stream, inner: Inner::Dense { out, w: wts.take() }, n_in, n_out, nan, dec })
}

fn advance(idx: &mut [usize], shape: &[usize]) {
    for k in (0..idx.len()).rev() {
        idx[k] += 1;
        if idx[k] < shape[k] {
            return;
        }
        idx[k] = 0;
    }
}

/// Sums and weight sums of one output field.
struct Acc {
    s: Vec<f64>,
    w: Vec<f64>,
}

impl Acc {
    fn new(n: usize) -> Acc {
        Acc { s: vec![0.0; n], w: vec![0.0; n] }
    }
    fn merge(&mut self, o: &Acc) {
        for (a, b) in self.s.iter_mut().zip(&o.s) {
            *a += b;
        }
        for (a, b) in self.w.iter_mut().zip(&o.w) {
            *a += b;
        }
    }
    fn mean(&self) -> impl Iterator<Item = f64> + '_ {
        self.s.iter().zip(&self.w).map(|(s, w)| if *w > 0.0 { s / w } else { f64::NAN })
    }
}

/// Adds one step (`x` = the inner values) into `acc`.
#[inline]
fn add_step<T: Elem>(c: &Compiled, x: &[T], acc: &mut Acc) {
    add_step_into(c, x, &mut acc.s, &mut acc.w);
}

/// Adds one step into sums `acc_s` and weight sums `acc_w` (built for AVX2 when the CPU has
/// it).
fn add_step_into<T: Elem>(c: &Compiled, x: &[T], acc_s: &mut [f64], acc_w: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            #[target_feature(enable = "avx2")]
            fn avx2<T: Elem>(c: &Compiled, x: &[T], acc_s: &mut [f64], acc_w: &mut [f64]) {
                add_step_kernel(c, x, acc_s, acc_w);
            }
            // SAFETY: the CPU supports AVX2 (checked above).
            #[allow(unsafe_code)]
            unsafe {
                return avx2(c, x, acc_s, acc_w);
            }
        }
    }
    add_step_kernel(c, x, acc_s, acc_w);
}

#[inline(always)]
fn add_step_kernel<T: Elem>(c: &Compiled, x: &[T], acc_s: &mut [f64], acc_w: &mut [f64]) {
    let dec = &c.dec;
    let skip = c.nan == NanMode::Skip;
    if skip && !dec.packed && dec.more.is_empty() {
        // Fast kernels (no packing, at most two missing values): branch-free selects the
        // compiler can vectorise.
        let (m0, m1) = (dec.m0, dec.m1);
        let ok = |v: f64| !(v.is_nan() | (v == m0) | (v == m1));
        match &c.inner {
            Inner::Identity => {
                for ((v, s), w) in x.iter().zip(acc_s.iter_mut()).zip(acc_w.iter_mut()) {
                    let v = v.f();
                    let good = ok(v);
                    *s += if good { v } else { 0.0 };
                    *w += if good { 1.0 } else { 0.0 };
                }
                return;
            }
            Inner::Dense { out, w: Some(w) } if c.n_out == 1 && acc_s.len() == 1 => {
                // A whole field to one value (field means): sixteen independent lanes (four
                // vectors), so the additions do not wait on each other.
                const L: usize = 16;
                let mut sl = [0.0f64; L];
                let mut wl = [0.0f64; L];
                let xc = x.chunks_exact(L);
                let wc = w.chunks_exact(L);
                let (xr, wr) = (xc.remainder(), wc.remainder());
                for (xs, ws) in xc.zip(wc) {
                    for k in 0..L {
                        let v = xs[k].f();
                        let good = ok(v);
                        sl[k] += if good { ws[k] * v } else { 0.0 };
                        wl[k] += if good { ws[k] } else { 0.0 };
                    }
                }
                for (v, wi) in xr.iter().zip(wr) {
                    let v = v.f();
                    let good = ok(v);
                    sl[0] += if good { wi * v } else { 0.0 };
                    wl[0] += if good { *wi } else { 0.0 };
                }
                let _ = out;
                let sum = |a: &[f64; L]| a.chunks_exact(4).map(|q| (q[0] + q[1]) + (q[2] + q[3])).sum::<f64>();
                acc_s[0] += sum(&sl);
                acc_w[0] += sum(&wl);
                return;
            }
            _ => {}
        }
    }
    match &c.inner {
        Inner::Identity => {
            for ((v, s), w) in x.iter().zip(acc_s.iter_mut()).zip(acc_w.iter_mut()) {
                let v = dec.value(v.f());
                if v.is_nan() {
                    if !skip {
                        *s = f64::NAN;
                    }
                } else {
                    *s += v;
                    *w += 1.0;
                }
            }
        }
        Inner::Dense { out, w } => {
            for (i, v) in x.iter().enumerate() {
                let o = out[i] as usize;
                if o == u32::MAX as usize {
                    continue;
                }
                let wi = w.as_ref().map_or(1.0, |w| w[i]);
                if wi == 0.0 {
                    continue;
                }
                let v = dec.value(v.f());
                if v.is_nan() {
                    if !skip {
                        acc_s[o] = f64::NAN;
                    }
                } else {
                    acc_s[o] += wi * v;
                    acc_w[o] += wi;
                }
            }
        }
        Inner::Sparse { offs, tgt, w } => {
            for (i, v) in x.iter().enumerate() {
                let (a, b) = (offs[i] as usize, offs[i + 1] as usize);
                if a == b {
                    continue;
                }
                let v = dec.value(v.f());
                for k in a..b {
                    let o = tgt[k] as usize;
                    if v.is_nan() {
                        if !skip {
                            acc_s[o] = f64::NAN;
                            acc_w[o] += w[k];
                        }
                    } else {
                        acc_s[o] += w[k] * v;
                        acc_w[o] += w[k];
                    }
                }
            }
        }
    }
}

/// Adds four steps' values `x` (equal lengths) into sums `s` and counts `w`, skipping NaN and
/// the missing values `m`; built for AVX2 when the CPU has it.
fn add_quad<T: Elem>(x: [&[T]; 4], m: (f64, f64), s: &mut [f64], w: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            #[target_feature(enable = "avx2")]
            fn avx2<T: Elem>(x: [&[T]; 4], m: (f64, f64), s: &mut [f64], w: &mut [f64]) {
                add_quad_kernel(x, m, s, w);
            }
            // SAFETY: the CPU supports AVX2 (checked above).
            #[allow(unsafe_code)]
            unsafe {
                return avx2(x, m, s, w);
            }
        }
    }
    add_quad_kernel(x, m, s, w);
}

#[inline(always)]
fn add_quad_kernel<T: Elem>(x: [&[T]; 4], (m0, m1): (f64, f64), s: &mut [f64], w: &mut [f64]) {
    let ok = |v: f64| !(v.is_nan() | (v == m0) | (v == m1));
    let len = s.len().min(w.len());
    let [a, b, cc, d] = x;
    let (a, b, cc, d) = (&a[..len], &b[..len], &cc[..len], &d[..len]);
    for i in 0..len {
        let (va, vb, vc, vd) = (a[i].f(), b[i].f(), cc[i].f(), d[i].f());
        let (ga, gb, gc, gd) = (ok(va), ok(vb), ok(vc), ok(vd));
        let sum = (if ga { va } else { 0.0 } + if gb { vb } else { 0.0 })
            + (if gc { vc } else { 0.0 } + if gd { vd } else { 0.0 });
        let cnt =
            (f64::from(u8::from(ga)) + f64::from(u8::from(gb))) + (f64::from(u8::from(gc)) + f64::from(u8::from(gd)));
        s[i] += sum;
        w[i] += cnt;
    }
}

/// Adds steps `steps` of a block (`x` = block values, `n_in` per step) into `acc`, in parallel.
fn add_steps<T: Elem>(c: &Compiled, x: &[T], steps: &[usize], acc: &mut Acc) {
    const CH: usize = 8192;
    let n = c.n_in;
    if matches!(c.inner, Inner::Identity) {
        acc.s.par_chunks_mut(CH).zip(acc.w.par_chunks_mut(CH)).enumerate().for_each(|(k, (s, w))| {
            let len = s.len();
            let row = |t: usize| &x[t * n + k * CH..t * n + k * CH + len];
            let fast = c.nan == NanMode::Skip && !c.dec.packed && c.dec.more.is_empty();
            let mut quads = steps.chunks_exact(4);
            if fast {
                // Four steps per pass over the accumulators: a quarter of the traffic.
                for q in quads.by_ref() {
                    add_quad([row(q[0]), row(q[1]), row(q[2]), row(q[3])], (c.dec.m0, c.dec.m1), s, w);
                }
            }
            let rest: &[usize] = if fast { quads.remainder() } else { steps };
            for &t in rest {
                add_step_into(c, row(t), s, w);
            }
        });
        return;
    }
    let n_out = c.n_out;
    let total = steps
        .par_iter()
        .fold(
            || None::<Acc>,
            |a, &t| {
                let mut a = a.unwrap_or_else(|| Acc::new(n_out));
                add_step(c, &x[t * n..(t + 1) * n], &mut a);
                Some(a)
            },
        )
        .reduce(
            || None,
            |a, b| match (a, b) {
                (Some(mut a), Some(b)) => {
                    a.merge(&b);
                    Some(a)
                }
                (a, None) => a,
                (None, b) => b,
            },
        );
    if let Some(t) = total {
        acc.merge(&t);
    }
}

/// Converts means to an output array of `dtype` with shape `shape`, NaN → `fill`.
#[allow(clippy::cast_possible_truncation)]
fn to_array(vals: Vec<f64>, dtype: DType, shape: &[usize], fill: f64) -> Result<Array, OpError> {
    let bad = |e: ndarray::ShapeError| OpError::Data(format!("output shape: {e}"));
    let vals: Vec<f64> = vals.into_iter().map(|v| if v.is_nan() { fill } else { v }).collect();
    Ok(match dtype {
        DType::F32 => {
            Array::F32(ArrayD::from_shape_vec(IxDyn(shape), vals.into_iter().map(|v| v as f32).collect()).map_err(bad)?)
        }
        _ => Array::F64(ArrayD::from_shape_vec(IxDyn(shape), vals).map_err(bad)?),
    })
}

/// The output files of a request (several with `time:auto` splitting), written together.
struct Outputs {
    files: Vec<(usize, usize, Writer)>,
    time_dim: Option<String>,
}

impl Outputs {
    /// Writes `a` of output variable `var` whose time axis (if any) starts at output step `t0`.
    fn write(&mut self, out: &Dataset, var: &str, a: &Array, t0: usize) -> Result<(), OpError> {
        let v = out.var(var).ok_or_else(|| OpError::Data(format!("no output variable {var}")))?;
        let taxis = self.time_dim.as_deref().and_then(|t| v.axis_of(t));
        let shape = a.shape();
        for (f0, f1, w) in &mut self.files {
            let mut start = vec![0; v.dims.len()];
            match taxis {
                None => w.write(var, &start, a)?,
                Some(ax) => {
                    let n = shape.get(ax).copied().unwrap_or(0);
                    let lo = t0.max(*f0);
                    let hi = (t0 + n).min(*f1);
                    if lo >= hi {
                        continue;
                    }
                    start[ax] = lo - *f0;
                    if lo == t0 && hi == t0 + n {
                        w.write(var, &start, a)?;
                    } else {
                        w.write(var, &start, &a.slice_axis(ax, lo - t0, hi - t0))?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Runs a job: creates the outputs (named, split), streams every variable, commits.
///
/// # Errors
/// Read/write failures; nothing is left behind on failure.
pub fn execute(
    src: &dyn Source,
    job: &Job,
    spec: &crate::OutputSpec,
    namer: &mut FileNamer,
    progress: Progress<'_>,
) -> Result<Vec<PathBuf>, OpError> {
    let mut out = job.out.clone();
    let mut job_vars = job.vars.clone();
    if spec.format == rookery_io::OutputFormat::Nc3 {
        classic_values(&mut out, &mut job_vars);
    }
    if !spec.history.is_empty() {
        let h = match out.attrs.get_str("history") {
            Some(old) if !old.trim().is_empty() => format!("{}\n{old}", spec.history),
            _ => spec.history.clone(),
        };
        out.attrs.set("history", AttrValue::Text(h));
    }
    let td = job.time_dim.clone().filter(|d| out.dim(d).is_some());
    let nt = td.as_ref().and_then(|d| out.dim(d)).map_or(0, |d| d.len);
    let main_var = out.var(&job.main);
    let main_has_time = td.as_ref().is_some_and(|d| main_var.is_some_and(|v| v.axis_of(d).is_some()));
    let slices = if main_has_time {
        time_slices(nt, main_var.map_or(0, |v| v.nbytes() as u64), spec.size_limit)?
    } else {
        vec![(0, nt)]
    };
    let opts = WriteOptions::following(src, spec.format, td.clone());
    let mut outputs = Outputs { files: Vec::new(), time_dim: td.clone() };
    let mut dests: Vec<PathBuf> = Vec::new();
    for &(t0, t1) in &slices {
        let mut ds = out.clone();
        if let Some(d) = &td {
            ds.resize_dim(d, t1 - t0);
        }
        let range = if main_has_time && t1 > t0 && job.times.len() >= t1 {
            Some((job.times[t0], job.times[t1 - 1]))
        } else {
            None
        };
        let name = namer.name(&ds.attrs, &job.main, range, &spec.extra, spec.format.extension());
        let dest = spec.dir.join(&name);
        if dests.contains(&dest) {
            return Err(OpError::Invalid(format!("two outputs of this request would both be named {name}")));
        }
        outputs.files.push((t0, t1, Writer::create(&dest, &ds, &opts)?));
        dests.push(dest);
    }
    let main_steps = job
        .vars
        .iter()
        .find_map(|j| match j {
            VarJob::Reduce(Reduce { var, .. }) | VarJob::Regrid(RegridVar { var, .. }) if *var == job.main => {
                src.dataset().var(var).and_then(|v| v.shape.first().copied())
            }
            _ => None,
        })
        .unwrap_or(0) as u64;
    for j in &job_vars {
        match j {
            VarJob::Values(name, a) => outputs.write(&out, name, a, 0)?,
            VarJob::Copy(name) => copy_var(src, &out, name, td.as_deref(), &mut outputs)?,
            VarJob::Regrid(r) => {
                let report = |done: u64| {
                    if r.var == job.main {
                        progress(done, main_steps);
                    }
                };
                regrid_var(src, job.src_time_dim.as_deref(), &out, r, &mut outputs, &report)?;
            }
            VarJob::Reduce(r) => {
                let report = |done: u64| {
                    if r.var == job.main {
                        progress(done, main_steps);
                    }
                };
                reduce_var(src, job.src_time_dim.as_deref(), &out, r, td.as_deref(), &mut outputs, &report)?;
            }
        }
    }
    let mut staged: Vec<Staged> = Vec::new();
    for (_, _, w) in outputs.files {
        staged.push(w.close()?);
    }
    staged.into_iter().map(|s| s.commit().map_err(OpError::from)).collect()
}

/// Classic NetCDF holds neither 64-bit integers nor strings: given 64-bit integer values
/// become 32-bit, given strings become char arrays over a new `<name>_strlen` dimension.
fn classic_values(out: &mut Dataset, vars: &mut [VarJob]) {
    for j in vars.iter_mut() {
        let VarJob::Values(name, a) = j else { continue };
        match a {
            #[allow(clippy::cast_possible_truncation)]
            Array::I64(x) => {
                *a = Array::I32(x.mapv(|v| v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32));
                if let Some(v) = out.var_mut(name) {
                    v.dtype = DType::I32;
                }
            }
            Array::Str(x) if x.ndim() == 1 => {
                let n = x.len();
                let len = x.iter().map(String::len).max().unwrap_or(0).max(1);
                let mut bytes = vec![0u8; n * len];
                for (k, s) in x.iter().enumerate() {
                    bytes[k * len..k * len + s.len()].copy_from_slice(s.as_bytes());
                }
                let dim = format!("{name}_strlen");
                if let Ok(c) = ArrayD::from_shape_vec(IxDyn(&[n, len]), bytes) {
                    *a = Array::Char(c);
                    out.dims.push(rookery_cf::Dim { name: dim.clone(), len, unlimited: false });
                    if let Some(v) = out.var_mut(name) {
                        v.dtype = DType::Char;
                        v.dims.push(dim);
                        v.shape.push(len);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Steps per block: about 8 MB of source values (buffers of that size are reused by the
/// allocator instead of being mapped and zeroed anew), at least one.
fn block_len(step_bytes: usize) -> usize {
    ((8usize << 20) / step_bytes.max(1)).clamp(1, 4096)
}

fn copy_var(
    src: &dyn Source,
    out: &Dataset,
    name: &str,
    td: Option<&str>,
    outputs: &mut Outputs,
) -> Result<(), OpError> {
    let v = src.dataset().var(name).ok_or_else(|| OpError::Data(format!("no variable {name}")))?;
    let timed = td.is_some_and(|t| v.dims.first().map(String::as_str) == Some(t));
    if !timed || v.shape.is_empty() {
        let a = src.read_all(name)?;
        return outputs.write(out, name, &a, 0);
    }
    let step: usize = v.shape[1..].iter().product::<usize>() * v.dtype.size();
    let block = block_len(step);
    let nt = v.shape[0];
    let mut t = 0;
    while t < nt {
        let n = block.min(nt - t);
        let mut start = vec![0; v.shape.len()];
        let mut count = v.shape.clone();
        start[0] = t;
        count[0] = n;
        let a = src.read(name, &start, &count)?;
        outputs.write(out, name, &a, t)?;
        t += n;
    }
    Ok(())
}

/// Output shape of `r` for an output variable, from the output metadata.
fn out_shape(out: &Dataset, var: &str) -> Result<(Vec<usize>, DType, f64), OpError> {
    let v = out.var(var).ok_or_else(|| OpError::Data(format!("no output variable {var}")))?;
    let fill = v.attrs.get_f64("_FillValue").unwrap_or(f64::NAN);
    Ok((v.shape.clone(), v.dtype, fill))
}

#[allow(clippy::too_many_lines)]
fn reduce_var(
    src: &dyn Source,
    src_time_dim: Option<&str>,
    out: &Dataset,
    r: &Reduce,
    td: Option<&str>,
    outputs: &mut Outputs,
    report: &(dyn Fn(u64) + Sync),
) -> Result<(), OpError> {
    let sv = src.dataset().var(&r.var).ok_or_else(|| OpError::Data(format!("no variable {}", r.var)))?;
    if !sv.dtype.is_numeric() {
        return Err(OpError::Data(format!("variable {} is not numeric and cannot be averaged", r.var)));
    }
    let (oshape, odtype, fill) = out_shape(out, &r.var)?;
    let src_time = src_time_dim;
    // Stream along axis 0 when it is the time dimension (the usual CF layout).
    let stream = sv.shape.len() > 1 && src_time.is_some_and(|t| sv.dims.first().map(String::as_str) == Some(t));
    let c = compile(r, &sv.shape, stream, Decode::of(sv))?;
    let out_has_time = td.is_some_and(|t| out.var(&r.var).is_some_and(|v| v.axis_of(t) == Some(0)));
    let row_shape: Vec<usize> = if out_has_time && stream { oshape[1..].to_vec() } else { oshape.clone() };
    if row_shape.iter().product::<usize>() != c.n_out {
        return Err(OpError::Data(format!(
            "internal error: output shape {oshape:?} of {} does not match its reduction",
            r.var
        )));
    }
    if !stream {
        let a = src.read_all(&r.var)?;
        let mut acc = Acc::new(c.n_out);
        let res: Result<(), OpError> = numeric!(&a, x => add_steps(&c, x, &[0], &mut acc));
        res?;
        let arr = to_array(acc.mean().collect(), odtype, &oshape, fill)?;
        return outputs.write(out, &r.var, &arr, 0);
    }
    let nt = c.n_stream;
    let step_bytes = c.n_in * sv.dtype.size();
    let block = block_len(step_bytes);
    let blocks: Vec<(usize, usize)> = (0..nt).step_by(block).map(|a| (a, (a + block).min(nt))).collect();
    // Group bookkeeping: output index of each step and the last step of each group.
    let (group_of, n_groups): (Vec<Option<usize>>, usize) = match c.stream.as_ref() {
        Some(AxisMap::Keep) | None => ((0..nt).map(Some).collect(), nt),
        Some(AxisMap::Collapse) => (vec![Some(0); nt], 1),
        Some(AxisMap::Group { map, n_out }) => (map.clone(), *n_out),
    };
    let keep = matches!(c.stream, Some(AxisMap::Keep) | None);
    let mut last_step: Vec<Option<usize>> = vec![None; n_groups];
    for (t, g) in group_of.iter().enumerate() {
        if let Some(g) = g {
            last_step[*g] = Some(t);
        }
    }
    // Empty groups (periods without data) are written as missing first.
    if !keep && out_has_time {
        let row: usize = row_shape.iter().product();
        for (g, l) in last_step.iter().enumerate() {
            if l.is_none() {
                let mut s = oshape.clone();
                s[0] = 1;
                let arr = to_array(vec![f64::NAN; row], odtype, &s, fill)?;
                outputs.write(out, &r.var, &arr, g)?;
            }
        }
    }
    if !keep && matches!(c.inner, Inner::Identity) && src.compressed() == Some(false) && shape_ok_for_bands(&sv.shape) {
        return reduce_in_bands(
            src,
            &r.var,
            &sv.shape,
            &c,
            &group_of,
            &last_step,
            (&oshape, odtype, fill, out_has_time),
            out,
            outputs,
            report,
        );
    }
    let mut accs: BTreeMap<usize, Acc> = BTreeMap::new();
    let (tx, rx) = sync_channel::<Result<(usize, usize, Array), OpError>>(1);
    let name = r.var.clone();
    let shape = sv.shape.clone();
    std::thread::scope(|scope| -> Result<(), OpError> {
        let blocks_r = &blocks;
        let name_r = &name;
        let shape_r = &shape;
        // Reader: decodes the next block while this thread accumulates the current one.
        scope.spawn(move || {
            for &(b0, b1) in blocks_r {
                let mut start = vec![0; shape_r.len()];
                let mut count = shape_r.clone();
                start[0] = b0;
                count[0] = b1 - b0;
                let r = src.read(name_r, &start, &count).map_err(OpError::from);
                let failed = r.is_err();
                if tx.send(r.map(|a| (b0, b1, a))).is_err() || failed {
                    return;
                }
            }
        });
        with_writer(outputs, out, name_r, |put| {
            for msg in rx {
                let (b0, b1, a) = msg?;
                if keep {
                    // Each step is its own output row.
                    let steps: Vec<usize> = (0..b1 - b0).collect();
                    let rows: Result<Vec<Vec<f64>>, OpError> = numeric!(&a, x => {
                        steps
                            .par_iter()
                            .map(|&t| {
                                let mut acc = Acc::new(c.n_out);
                                add_step(&c, &x[t * c.n_in..(t + 1) * c.n_in], &mut acc);
                                acc.mean().collect()
                            })
                            .collect()
                    });
                    let rows = rows?;
                    let mut s = oshape.clone();
                    s[0] = b1 - b0;
                    put(to_array(rows.concat(), odtype, &s, fill)?, b0)?;
                } else {
                    // Runs of consecutive steps in the same group.
                    let mut t = b0;
                    while t < b1 {
                        let g = group_of[t];
                        let mut e = t + 1;
                        while e < b1 && group_of[e] == g {
                            e += 1;
                        }
                        if let Some(g) = g {
                            let steps: Vec<usize> = (t - b0..e - b0).collect();
                            let acc = accs.entry(g).or_insert_with(|| Acc::new(c.n_out));
                            let res: Result<(), OpError> = numeric!(&a, x => add_steps(&c, x, &steps, acc));
                            res?;
                        }
                        t = e;
                    }
                    // Flush complete groups.
                    let done: Vec<usize> =
                        accs.keys().copied().filter(|g| last_step[*g].is_some_and(|l| l < b1)).collect();
                    for g in done {
                        if let Some(acc) = accs.remove(&g) {
                            let mut s = oshape.clone();
                            if out_has_time {
                                s[0] = 1;
                            }
                            put(to_array(acc.mean().collect(), odtype, &s, fill)?, g)?;
                        }
                    }
                }
                report(b1 as u64);
            }
            Ok(())
        })
    })
}

/// Runs `f` with `put(rows, t0)`, which hands finished output rows to a writer thread (it
/// compresses and writes them while accumulation goes on); a writer failure explains a
/// stopped writer, so it comes first.
fn with_writer(
    outputs: &mut Outputs,
    out: &Dataset,
    name: &str,
    f: impl FnOnce(&dyn Fn(Array, usize) -> Result<(), OpError>) -> Result<(), OpError>,
) -> Result<(), OpError> {
    std::thread::scope(|scope| {
        let (wtx, wrx) = sync_channel::<(Array, usize)>(2);
        let writer = scope.spawn(move || -> Result<(), OpError> {
            for (arr, t0) in wrx {
                outputs.write(out, name, &arr, t0)?;
            }
            Ok(())
        });
        let accumulated = f(&|arr: Array, t0: usize| {
            wtx.send((arr, t0)).map_err(|_| OpError::Data("the output writer stopped".into()))
        });
        drop(wtx);
        writer.join().map_err(|_| OpError::Data("the output writer panicked".into()))??;
        accumulated
    })
}

fn shape_ok_for_bands(shape: &[usize]) -> bool {
    shape.len() >= 2 && shape[1] > 0 && shape[2..].iter().product::<usize>() > 0
}

/// Time means (whole axis or groups of steps) of an uncompressed source: the grid split into
/// bands of rows, each band read a few steps at a time and accumulated by one thread while
/// the values are in its cache (a read from the page cache is a copy the kernel makes on the
/// reading thread: done this way both cores copy, and nothing goes through main memory twice).
#[allow(clippy::too_many_arguments)]
fn reduce_in_bands(
    src: &dyn Source,
    name: &str,
    shape: &[usize],
    c: &Compiled,
    group_of: &[Option<usize>],
    last_step: &[Option<usize>],
    (oshape, odtype, fill, out_has_time): (&[usize], DType, f64, bool),
    out: &Dataset,
    outputs: &mut Outputs,
    report: &(dyn Fn(u64) + Sync),
) -> Result<(), OpError> {
    const BAND: usize = 32 << 10;
    const STEPS: usize = 4;
    let row: usize = shape[2..].iter().product();
    let band_rows = (BAND / row).clamp(1, shape[1]);
    let band = band_rows * row;
    let nt = shape[0];
    let fast = c.nan == NanMode::Skip && !c.dec.packed && c.dec.more.is_empty();
    with_writer(outputs, out, name, |put| {
        let mut partial: BTreeMap<usize, Acc> = BTreeMap::new();
        let mut spare: Option<Acc> = None;
        let mut t = 0;
        while t < nt {
            // A run of consecutive steps in the same group.
            let g = group_of[t];
            let mut e = t + 1;
            while e < nt && group_of[e] == g {
                e += 1;
            }
            let Some(g) = g else {
                t = e;
                continue;
            };
            // Accumulators are reused (zeroed) rather than allocated per group: fresh pages
            // cost a fault each.
            let mut acc = partial.remove(&g).or_else(|| spare.take()).unwrap_or_else(|| Acc::new(c.n_out));
            acc.s.par_chunks_mut(band).zip(acc.w.par_chunks_mut(band)).enumerate().try_for_each(|(k, (s, w))| -> Result<(), OpError> {
                let rows = s.len() / row;
                let mut start = vec![0; shape.len()];
                let mut count = shape.to_vec();
                start[1] = k * band_rows;
                count[1] = rows;
                let mut t0 = t;
                while t0 < e {
                    let m = (e - t0).min(STEPS);
                    start[0] = t0;
                    count[0] = m;
                    let a = src.read(name, &start, &count)?;
                    let res: Result<(), OpError> = numeric!(&a, x => {
                        let len = s.len();
                        if fast && m == 4 {
                            add_quad([&x[..len], &x[len..2 * len], &x[2 * len..3 * len], &x[3 * len..4 * len]], (c.dec.m0, c.dec.m1), s, w);
                        } else {
                            for i in 0..m {
                                add_step_into(c, &x[i * len..(i + 1) * len], s, w);
                            }
                        }
                    });
                    res?;
                    t0 += m;
                }
                Ok(())
            })?;
            // A group is usually one run (time is sorted); one split in several runs is
            // completed across them.
            if last_step[g].is_some_and(|l| l < e) {
                let mut s2 = oshape.to_vec();
                if out_has_time {
                    s2[0] = 1;
                }
                let arr = to_array(acc.mean().collect(), odtype, &s2, fill)?;
                put(arr, g)?;
                acc.s.fill(0.0);
                acc.w.fill(0.0);
                spare = Some(acc);
            } else {
                partial.insert(g, acc);
            }
            report(e as u64);
            t = e;
        }
        Ok(())
    })
}

/// Regrids one variable: streams the source along its first axis when it is time (blocks of
/// about 8 MB), decodes missing values and packing to NaN, applies the weights in parallel.
fn regrid_var(
    src: &dyn Source,
    src_time_dim: Option<&str>,
    out: &Dataset,
    r: &RegridVar,
    outputs: &mut Outputs,
    report: &(dyn Fn(u64) + Sync),
) -> Result<(), OpError> {
    let sv = src.dataset().var(&r.var).ok_or_else(|| OpError::Data(format!("no variable {}", r.var)))?;
    if !sv.dtype.is_numeric() {
        return Err(OpError::Data(format!("variable {} is not numeric and cannot be regridded", r.var)));
    }
    let (oshape, odtype, fill) = out_shape(out, &r.var)?;
    let nd = sv.shape.len();
    if nd < r.h_axes || sv.shape[nd - r.h_axes..].iter().product::<usize>() != r.weights.n_src {
        return Err(OpError::Data(format!("internal error: {} does not lie on the source grid of the weights", r.var)));
    }
    let lead = nd - r.h_axes;
    let stream = lead > 0 && src_time_dim.is_some_and(|t| sv.dims.first().map(String::as_str) == Some(t));
    let per_step: usize = sv.shape[usize::from(stream)..lead].iter().product();
    let dec = Decode::of(sv);
    let (n_src, n_dst) = (r.weights.n_src, r.weights.n_dst);
    let f32_path = odtype == DType::F32;
    let run = |a: &Array, count: usize| -> Result<Array, OpError> {
        let nsteps = count * per_step;
        let mut s = oshape.clone();
        if stream {
            s[0] = count;
        }
        let mask = |dst: &mut [f64]| {
            if let Some(m) = &r.dst_masked {
                for row in dst.chunks_mut(n_dst) {
                    for (x, bad) in row.iter_mut().zip(m.iter()) {
                        if *bad {
                            *x = f64::NAN;
                        }
                    }
                }
            }
        };
        if f32_path && !dec.packed {
            if let Array::F32(x) = a {
                let owned;
                let xs: &[f32] = match x.as_slice() {
                    Some(v) => v,
                    None => {
                        owned = x.as_standard_layout().into_owned();
                        owned.as_slice().unwrap_or(&[])
                    }
                };
                let vals: Vec<f32> = xs
                    .iter()
                    .map(|&v| {
                        let d = f64::from(v);
                        if d.is_nan() || d == dec.m0 || d == dec.m1 || (!dec.more.is_empty() && dec.more.contains(&d)) {
                            f32::NAN
                        } else {
                            v
                        }
                    })
                    .collect();
                if vals.len() != nsteps * n_src {
                    return Err(OpError::Data(format!(
                        "internal error: read {} values of {}, expected {}",
                        vals.len(),
                        r.var,
                        nsteps * n_src
                    )));
                }
                let mut dst = vec![0f32; nsteps * n_dst];
                r.weights.apply_f32(&vals, &mut dst, nsteps, r.skipna, r.na_thres);
                #[allow(clippy::cast_possible_truncation)]
                let fill32 = fill as f32;
                if let Some(m) = &r.dst_masked {
                    for row in dst.chunks_mut(n_dst) {
                        for (x, bad) in row.iter_mut().zip(m.iter()) {
                            if *bad {
                                *x = f32::NAN;
                            }
                        }
                    }
                }
                for x in &mut dst {
                    if x.is_nan() && !fill.is_nan() {
                        *x = fill32;
                    }
                }
                return ArrayD::from_shape_vec(IxDyn(&s), dst)
                    .map(Array::F32)
                    .map_err(|e| OpError::Data(format!("output shape: {e}")));
            }
        }
        let vals: Result<Vec<f64>, OpError> = numeric!(a, x => x.iter().map(|v| dec.value(v.f())).collect());
        let vals = vals?;
        if vals.len() != nsteps * n_src {
            return Err(OpError::Data(format!(
                "internal error: read {} values of {}, expected {}",
                vals.len(),
                r.var,
                nsteps * n_src
            )));
        }
        let mut dst = vec![0f64; nsteps * n_dst];
        r.weights.apply(&vals, &mut dst, nsteps, r.skipna, r.na_thres);
        mask(&mut dst);
        to_array(dst, odtype, &s, fill)
    };
    if !stream {
        let a = src.read_all(&r.var)?;
        let arr = run(&a, 1)?;
        return outputs.write(out, &r.var, &arr, 0);
    }
    let nt = sv.shape[0];
    let step_bytes = per_step * n_src * sv.dtype.size().max(4);
    let block = block_len(step_bytes);
    let blocks: Vec<(usize, usize)> = (0..nt).step_by(block).map(|a| (a, (a + block).min(nt))).collect();
    let (tx, rx) = sync_channel::<Result<(usize, usize, Array), OpError>>(1);
    let shape = sv.shape.clone();
    let name = r.var.clone();
    std::thread::scope(|scope| -> Result<(), OpError> {
        let (blocks_r, name_r, shape_r) = (&blocks, &name, &shape);
        scope.spawn(move || {
            for &(b0, b1) in blocks_r {
                let mut start = vec![0; shape_r.len()];
                let mut count = shape_r.clone();
                start[0] = b0;
                count[0] = b1 - b0;
                let res = src.read(name_r, &start, &count).map_err(OpError::from);
                let failed = res.is_err();
                if tx.send(res.map(|a| (b0, b1, a))).is_err() || failed {
                    return;
                }
            }
        });
        for msg in rx {
            let (b0, b1, a) = msg?;
            let arr = run(&a, b1 - b0)?;
            outputs.write(out, &r.var, &arr, b0)?;
            report(b1 as u64);
        }
        Ok(())
    })
}

/// Evaluates `$body` with `$x` bound to the values of a numeric array as a flat slice
/// (`Err` for char/string arrays).
macro_rules! numeric {
    ($a:expr, $x:ident => $body:expr) => {{
        macro_rules! go {
            ($arr:expr) => {{
                let owned;
                let $x = match $arr.as_slice() {
                    Some(s) => s,
                    None => {
                        owned = $arr.as_standard_layout().into_owned();
                        owned.as_slice().unwrap_or(&[])
                    }
                };
                Ok($body)
            }};
        }
        match $a {
            Array::I8(v) => go!(v),
            Array::U8(v) => go!(v),
            Array::I16(v) => go!(v),
            Array::U16(v) => go!(v),
            Array::I32(v) => go!(v),
            Array::U32(v) => go!(v),
            Array::I64(v) => go!(v),
            Array::U64(v) => go!(v),
            Array::F32(v) => go!(v),
            Array::F64(v) => go!(v),
            Array::Char(_) | Array::Str(_) => Err(OpError::Data("values are not numeric".into())),
        }
    }};
}
use numeric;
