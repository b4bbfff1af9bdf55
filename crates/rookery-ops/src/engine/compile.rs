//! A [`Reduce`] compiled for one source shape: the inner (non-streamed) axes flattened into one
//! map from input element to output element(s) with weights — identity, dense (one target
//! each) or sparse (CSR, polygon weights) — plus the missing values and packing of the source
//! variable ([`Decode`]). The kernels run on this.

use super::job::{AxisMap, NanMode, Reduce};
use crate::OpError;
use ndarray::IxDyn;
use rookery_cf::{AttrValue, DType};

/// Missing values and packing of a source variable.
#[derive(Clone, Debug, Default)]
pub(super) struct Decode {
    /// First two missing values (NaN = none; NaN never compares equal).
    pub(super) m0: f64,
    pub(super) m1: f64,
    /// Further missing values (rare).
    pub(super) more: Vec<f64>,
    pub(super) scale: f64,
    pub(super) offset: f64,
    pub(super) packed: bool,
}

impl Decode {
    pub(super) fn of(v: &rookery_cf::Variable) -> Decode {
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
    pub(super) fn value(&self, raw: f64) -> f64 {
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
#[derive(Clone)]
pub(super) enum Inner {
    /// Output index = input index, weight 1.
    Identity,
    /// One target per input element.
    Dense { out: Vec<u32>, w: Option<Vec<f64>> },
    /// Several targets per input element (CSR).
    Sparse { offs: Vec<u32>, tgt: Vec<u32>, w: Vec<f64> },
}

pub(super) struct Compiled {
    /// Streamed axis (axis 0 = time), with its map.
    pub(super) stream: Option<AxisMap>,
    pub(super) n_stream: usize,
    pub(super) inner: Inner,
    pub(super) n_in: usize,
    pub(super) n_out: usize,
    pub(super) nan: NanMode,
    pub(super) dec: Decode,
}

fn u32_of(x: usize) -> Result<u32, OpError> {
    u32::try_from(x).map_err(|_| OpError::Data("grid too large to average (more than 4e9 cells)".into()))
}

/// Builds the inner map of `r` for source shape `shape`; `stream` = whether axis 0 is streamed.
pub(super) fn compile(r: &Reduce, shape: &[usize], stream: bool, dec: Decode) -> Result<Compiled, OpError> {
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
