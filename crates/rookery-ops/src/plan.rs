//! A plan: which source indices of each dimension go to the output (in output order), value
//! transforms (longitude frame shift), a curvilinear mask, and the output metadata. Reading a
//! variable through a plan touches only the hyperslabs that hold selected elements.

use crate::OpError;
use ndarray::ArrayD;
use rookery_cf::time::DateTime;
use rookery_cf::{Array, CfInfo, Dataset};
use rookery_io::Source;
use std::collections::BTreeMap;

/// Longitude frame conversion of values (clisops `cf_convert_between_lon_frames`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LonShift {
    /// Values < 0 get +360 (to 0..360).
    To360,
    /// Values > 180 get -360 (to -180..180).
    To180,
    /// Values moved into `[origin, origin + 360)`: for requests that cross both the 0° and
    /// the 180° meridian, which neither standard frame holds in one piece.
    Frame(f64),
}

impl LonShift {
    /// Applies the shift to one value.
    #[must_use]
    pub fn apply(self, x: f64) -> f64 {
        // Fill values (1e20, 1e36, -999...) are not longitudes: leave them as they are.
        if !(-720.0..=720.0).contains(&x) {
            return x;
        }
        match self {
            LonShift::To360 if x < 0.0 => x + 360.0,
            LonShift::To180 if x > 180.0 => x - 360.0,
            LonShift::Frame(o) => o + (x - o).rem_euclid(360.0),
            _ => x,
        }
    }
}

/// Which horizontal cells a subset keeps (a polygon mask: `ShapeMask` of the `shape_mask` module).
pub trait CellSelector: std::fmt::Debug + Send + Sync {
    /// The kept cells, flattened over the latitude variable's dimensions (rectilinear:
    /// `[lat, lon]`, row-major); at least one.
    ///
    /// # Errors
    /// No horizontal grid, no cell kept, unusable polygons.
    fn cells(&self, src: &dyn Source, info: &CfInfo) -> Result<Vec<bool>, OpError>;
    /// What is kept, for the record in `history`.
    fn describe(&self) -> String;
}

/// Cells outside a curvilinear area request, set to the fill value.
#[derive(Clone, Debug)]
pub struct GridMask {
    /// The two horizontal dimensions (y, x); variables stored (…, x, y) are masked too.
    pub dims: [String; 2],
    /// `true` = keep, on the selected (cropped) grid.
    pub keep: ArrayD<bool>,
    /// Variables masked.
    pub vars: Vec<String>,
}

/// What to read and how to transform it.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Output metadata: dimensions resized, attributes cleaned.
    pub out: Dataset,
    /// CF roles of the source.
    pub info: CfInfo,
    /// Selected source indices per dimension, in output order (absent = all, in order).
    pub sels: BTreeMap<String, Vec<usize>>,
    /// Longitude shift and the variables it applies to.
    pub lon_shift: Option<(LonShift, Vec<String>)>,
    /// Curvilinear mask.
    pub mask: Option<GridMask>,
    /// The time dimension, if any.
    pub time_dim: Option<String>,
    /// Decoded time of each output step.
    pub times: Vec<DateTime>,
}

/// Maximal runs of consecutive increasing indices, merged when the gap between them is small
/// (reading a few unused elements is cheaper than another read call).
fn runs(idx: &[usize]) -> Vec<(usize, usize, Vec<usize>)> {
    // (start, end_exclusive, positions relative to start)
    let mut out: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    for &i in idx {
        if let Some(last) = out.last_mut() {
            let gap_ok = i >= last.1 && i - last.1 <= 8.max((last.1 - last.0) / 2);
            if gap_ok {
                last.2.push(i - last.0);
                last.1 = i + 1;
                continue;
            }
        }
        out.push((i, i + 1, vec![0]));
    }
    out
}

impl Plan {
    /// Source indices for `dim` (all when unselected).
    #[must_use]
    pub fn indices(&self, ds: &Dataset, dim: &str) -> Vec<usize> {
        match self.sels.get(dim) {
            Some(v) => v.clone(),
            None => (0..ds.dim(dim).map_or(0, |d| d.len)).collect(),
        }
    }

    /// Reads variable `var` through the plan; along the time dimension only output steps
    /// `t0..t1` are read. Transforms (shift, mask) are applied.
    ///
    /// # Errors
    /// Read failures.
    pub fn read(&self, src: &dyn Source, var: &str, time_block: Option<(usize, usize)>) -> Result<Array, OpError> {
        self.read_reusing(src, var, time_block, &mut None)
    }

    /// [`Plan::read`] that decodes into `scratch` (the storage of an earlier read, handed
    /// back by streaming loops) and leaves there the storage of a read it no longer needs:
    /// a block read through a selection is a bounding box that is picked from and dropped.
    ///
    /// # Errors
    /// Read failures.
    pub fn read_reusing(
        &self,
        src: &dyn Source,
        var: &str,
        time_block: Option<(usize, usize)>,
        scratch: &mut Option<Array>,
    ) -> Result<Array, OpError> {
        let ds = src.dataset();
        let v = ds.var(var).ok_or_else(|| OpError::Invalid(format!("no variable {var}")))?;
        let mut per_dim: Vec<Vec<usize>> = Vec::with_capacity(v.dims.len());
        for d in &v.dims {
            let mut idx = self.indices(ds, d);
            if let (Some(td), Some((t0, t1))) = (&self.time_dim, time_block) {
                if td == d {
                    idx = idx[t0.min(idx.len())..t1.min(idx.len())].to_vec();
                }
            }
            per_dim.push(idx);
        }
        let time_axis = self.time_dim.as_deref().and_then(|t| v.axis_of(t));
        let mut slab = Slab { start: vec![0; per_dim.len()], count: vec![0; per_dim.len()], scratch };
        let mut arr = read_product(src, var, &per_dim, time_axis, 0, &mut slab)?;
        if let Some((shift, vars)) = &self.lon_shift {
            if vars.iter().any(|x| x == var) {
                if let Some(vals) = arr.to_f64() {
                    arr = Array::from_f64(arr.dtype(), &vals.mapv(|x| shift.apply(x)));
                }
            }
        }
        if let Some(m) = &self.mask {
            if m.vars.iter().any(|x| x == var) {
                // The mask is applied over the flat (row-major) values.
                arr = standard_layout(arr);
                let ov = self.out.var(var);
                let fill = ov.and_then(|o| o.attrs.get_f64("_FillValue")).unwrap_or(f64::NAN);
                // A variable stored (…, x, y) takes the mask transposed.
                let swapped = ov.is_some_and(|o| o.dims.len() >= 2 && o.dims[o.dims.len() - 2] == m.dims[1]);
                if swapped {
                    arr.mask_trailing(&m.keep.t().to_owned(), fill);
                } else {
                    arr.mask_trailing(&m.keep, fill);
                }
            }
        }
        Ok(standard_layout(arr))
    }
}

/// `a` in standard (row-major) layout. Selections along inner axes leave other layouts; the
/// copy is made here, on the reading side, rather than by the writer, whose thread is the
/// critical path of the read/write pipeline (see `output.rs`).
fn standard_layout(a: Array) -> Array {
    if rookery_cf::with_array!(&a, x => x.is_standard_layout()) {
        a
    } else {
        rookery_cf::map_array!(&a, x => x.as_standard_layout().into_owned())
    }
}

/// Bytes of source data one output time step of `var` reads (the bounding box of the
/// selection along every non-time dimension).
#[must_use]
pub fn bbox_step_bytes(plan: &Plan, ds: &Dataset, var: &str) -> usize {
    let Some(v) = ds.var(var) else { return 0 };
    v.dims
        .iter()
        .filter(|d| plan.time_dim.as_deref() != Some(d.as_str()))
        .map(|d| {
            let idx = plan.indices(ds, d);
            match (idx.iter().min(), idx.iter().max()) {
                (Some(a), Some(b)) => b - a + 1,
                _ => 0,
            }
        })
        .product::<usize>()
        * v.dtype.size()
}

/// The hyperslab [`read_product`] is assembling, and the storage it may decode into.
struct Slab<'a> {
    start: Vec<usize>,
    count: Vec<usize>,
    scratch: &'a mut Option<Array>,
}

/// Reads the product of the selections: along time, maximal runs of consecutive steps (so
/// sparse time selections read only what they need); along every other dimension one
/// bounding box, so each chunk is decoded once (a chunk usually spans the whole horizontal
/// field), then the selected positions are picked in output order.
fn read_product(
    src: &dyn Source,
    var: &str,
    per_dim: &[Vec<usize>],
    time_axis: Option<usize>,
    d: usize,
    slab: &mut Slab<'_>,
) -> Result<Array, OpError> {
    if d == per_dim.len() {
        return Ok(src.read_reusing(var, &slab.start, &slab.count, slab.scratch.take())?);
    }
    if per_dim[d].is_empty() {
        let mut shape: Vec<usize> = per_dim.iter().map(Vec::len).collect();
        shape[d] = 0;
        let dtype = src.dataset().var(var).map_or(rookery_cf::DType::F64, |v| v.dtype);
        return Ok(Array::zeros(dtype, &shape));
    }
    let pieces_spec: Vec<(usize, usize, Vec<usize>)> = if time_axis == Some(d) {
        runs(&per_dim[d])
    } else {
        let lo = per_dim[d].iter().copied().min().unwrap_or(0);
        let hi = per_dim[d].iter().copied().max().unwrap_or(0) + 1;
        vec![(lo, hi, per_dim[d].iter().map(|&i| i - lo).collect())]
    };
    let mut pieces = Vec::new();
    for (s, e, rel) in pieces_spec {
        slab.start[d] = s;
        slab.count[d] = e - s;
        let mut piece = read_product(src, var, per_dim, time_axis, d + 1, slab)?;
        let identity = rel.len() == e - s && rel.iter().enumerate().all(|(i, &r)| i == r);
        if !identity {
            let picked = piece.select(d, &rel);
            if slab.scratch.is_none() {
                *slab.scratch = Some(piece);
            }
            piece = picked;
        }
        pieces.push(piece);
    }
    if pieces.len() == 1 {
        if let Some(p) = pieces.pop() {
            return Ok(p);
        }
    }
    Array::concat(d, &pieces).ok_or_else(|| OpError::Invalid(format!("cannot assemble {var}")))
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn runs_split_and_merge() {
        let r = runs(&[700, 701, 702, 0, 1, 2]);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].0, r[0].1), (700, 703));
        assert_eq!((r[1].0, r[1].1), (0, 3));
        let r = runs(&[0, 2, 4]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].2, vec![0, 2, 4]);
        let r = runs(&[0, 100]);
        assert_eq!(r.len(), 2);
    }
}
