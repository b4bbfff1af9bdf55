//! Ensemble concatenation (rook `concat`, roocs.md §4.3): members (each opened with its fixes)
//! stacked along a new `realization` dimension, optionally averaged over it. The result is a
//! lazy source: a subset of it (time, time components, area) reads only what it selects from
//! each member, block by block, so memory stays bounded whatever the ensemble size.

use crate::DaopsError;
use ndarray::{ArrayD, Axis, IxDyn};
use rookery_cf::{map_array, Array, AttrValue, Attrs, CfInfo, DType, Dataset, Dim, Variable};
use rookery_io::{IoError, Source};
use std::path::PathBuf;

/// Members stacked (or averaged) along `realization`.
pub struct StackSource {
    members: Vec<Box<dyn Source>>,
    /// For each member, its time index at each step of the joined (outer) time axis.
    maps: Vec<Vec<Option<usize>>>,
    time_dim: String,
    time_var: String,
    /// The joined time axis in the first member's units.
    times: Array,
    ds: Dataset,
    /// Variables that carry the member axis (first dimension) in the stack.
    stacked: Vec<String>,
    realization: Array,
    average: bool,
}

fn member_realization(src: &dyn Source, i: usize) -> i32 {
    // The decadal fix's scalar `realization`, else the global realization_index.
    let from_var = src
        .dataset()
        .var("realization")
        .filter(|v| v.shape.is_empty())
        .and_then(|_| src.read_all("realization").ok())
        .and_then(|a| a.to_f64())
        .and_then(|a| a.iter().next().copied());
    let v = from_var
        .or_else(|| src.dataset().attrs.get_f64("realization_index"))
        .unwrap_or_else(|| f64::from(u32::try_from(i + 1).unwrap_or(0)));
    #[allow(clippy::cast_possible_truncation)]
    let r = v.round() as i32;
    r
}

impl StackSource {
    /// Stacks `members` along a new `realization` dimension; `average` takes the mean over it
    /// instead (NaN and fill values skipped).
    ///
    /// # Errors
    /// No members, or members whose main variable or time axis differ.
    pub fn new(members: Vec<Box<dyn Source>>, average: bool) -> Result<StackSource, DaopsError> {
        let first =
            members.first().ok_or_else(|| DaopsError::InvalidCollection("concat needs at least one dataset".into()))?;
        let base = first.dataset().clone();
        let info = CfInfo::detect(&base).map_err(|e| rookery_ops::OpError::Data(e.to_string()))?;
        let tdim = info
            .time_dim(&base)
            .map(str::to_string)
            .ok_or_else(|| rookery_ops::OpError::Invalid("concat needs datasets with a time dimension".into()))?;
        let main =
            base.var(&info.main).cloned().ok_or_else(|| rookery_ops::OpError::Data("no main variable".into()))?;
        for (i, m) in members.iter().enumerate().skip(1) {
            let v = m.dataset().var(&info.main);
            let same_grid = v.is_some_and(|v| {
                v.dims == main.dims
                    && v.shape.iter().zip(&main.shape).zip(&v.dims).all(|((a, b), d)| *d == tdim || a == b)
            });
            if !same_grid {
                return Err(DaopsError::Op(rookery_ops::OpError::Invalid(format!(
                    "member {} of the concat has a different {} (dimensions or grid) from the first",
                    i + 1,
                    info.main
                ))));
            }
        }
        // Outer join of the members' time axes (xarray's concat aligns them the same way;
        // steps a member lacks are missing values).
        let mut axes = Vec::new();
        for m in &members {
            let mi = CfInfo::detect(m.dataset()).map_err(|e| rookery_ops::OpError::Data(e.to_string()))?;
            let t = rookery_ops::subset::time_axis(m.as_ref(), &mi)?
                .ok_or_else(|| rookery_ops::OpError::Invalid("every concat member needs a time axis".into()))?;
            axes.push(t);
        }
        let mut union: Vec<rookery_cf::time::DateTime> = axes.iter().flat_map(|t| t.times.iter().copied()).collect();
        union.sort();
        union.dedup();
        let maps: Vec<Vec<Option<usize>>> =
            axes.iter().map(|t| union.iter().map(|u| t.times.binary_search(u).ok()).collect()).collect();
        let coder = &axes[0].coder;
        let encoded = union
            .iter()
            .map(|u| coder.encode(u))
            .collect::<Result<Vec<f64>, _>>()
            .map_err(|e| rookery_ops::OpError::Data(e.to_string()))?;
        let time_var = axes[0].var.clone();
        let tdtype = base.var(&time_var).map_or(DType::F64, |v| v.dtype);
        let times = Array::from_f64(
            tdtype,
            &ArrayD::from_shape_vec(IxDyn(&[encoded.len()]), encoded)
                .map_err(|e| rookery_ops::OpError::Data(e.to_string()))?,
        );
        let realization: Vec<i32> =
            members.iter().enumerate().map(|(i, m)| member_realization(m.as_ref(), i)).collect();
        let n = members.len();
        let mut ds = base.clone();
        ds.resize_dim(&tdim, union.len());
        // rook drops time bounds and replaces the decadal fix's scalar realization.
        if let Some(tv) = info.time.as_deref() {
            if let Some(b) = ds.var(tv).and_then(|v| v.attrs.get_str("bounds")).map(|b| b.trim().to_string()) {
                ds.vars.retain(|v| v.name != b);
                if let Some(t) = ds.var_mut(tv) {
                    t.attrs.remove("bounds");
                }
            }
        }
        ds.vars.retain(|v| v.name != "realization");
        let stacked: Vec<String> = ds
            .vars
            .iter()
            .filter(|v| v.dims.contains(&tdim) && Some(v.name.as_str()) != info.time.as_deref())
            .map(|v| v.name.clone())
            .collect();
        if !average {
            ds.dims.insert(0, Dim { name: "realization".into(), len: n, unlimited: false });
            for v in &mut ds.vars {
                if stacked.contains(&v.name) {
                    v.dims.insert(0, "realization".into());
                    v.shape.insert(0, n);
                }
            }
            ds.vars.insert(
                0,
                Variable {
                    name: "realization".into(),
                    dims: vec!["realization".into()],
                    shape: vec![n],
                    dtype: DType::I32,
                    attrs: Attrs(vec![("standard_name".into(), AttrValue::Text("realization".into()))]),
                },
            );
        } else {
            for v in &mut ds.vars {
                if stacked.contains(&v.name) && v.dtype.is_numeric() {
                    v.dtype = if v.dtype == DType::F64 { DType::F64 } else { DType::F32 };
                    if let Some(c) = v.attrs.get_str("cell_methods").map(str::to_string) {
                        v.attrs.set("cell_methods", AttrValue::Text(format!("{c} realization: mean")));
                    }
                }
            }
        }
        let realization = Array::I32(
            ArrayD::from_shape_vec(IxDyn(&[n]), realization).map_err(|e| rookery_ops::OpError::Data(e.to_string()))?,
        );
        Ok(StackSource { members, maps, time_dim: tdim, time_var, times, ds, stacked, realization, average })
    }

    /// Member `i`'s values of `var` at joined time steps `start..start+count` (time is the
    /// variable's `taxis` axis), missing steps filled with `fill`, as f64.
    fn member_f64(
        &self,
        i: usize,
        var: &str,
        start: &[usize],
        count: &[usize],
        fill: f64,
    ) -> Result<ArrayD<f64>, IoError> {
        let Some(taxis) = self.members[i].dataset().var(var).and_then(|v| v.axis_of(&self.time_dim)) else {
            return self.members[i]
                .read(var, start, count)?
                .to_f64()
                .ok_or_else(|| IoError::Inconsistent(format!("{var} is not numeric")));
        };
        let wanted: Vec<Option<usize>> = self.maps[i][start[taxis]..start[taxis] + count[taxis]].to_vec();
        let present: Vec<usize> = wanted.iter().flatten().copied().collect();
        let mut out = ArrayD::from_elem(IxDyn(count), fill);
        let (Some(&lo), Some(&hi)) = (present.iter().min(), present.iter().max()) else {
            return Ok(out);
        };
        let (mut st, mut ct) = (start.to_vec(), count.to_vec());
        st[taxis] = lo;
        ct[taxis] = hi - lo + 1;
        let got = self.members[i]
            .read(var, &st, &ct)?
            .to_f64()
            .ok_or_else(|| IoError::Inconsistent(format!("{var} is not numeric")))?;
        for (k, w) in wanted.iter().enumerate() {
            if let Some(j) = w {
                out.index_axis_mut(Axis(taxis), k).assign(&got.index_axis(Axis(taxis), j - lo));
            }
        }
        Ok(out)
    }

    fn fill_of(&self, var: &str) -> f64 {
        let attrs = self.members[0].dataset().var(var).map(|v| v.attrs.clone()).unwrap_or_default();
        attrs.get_f64("_FillValue").or_else(|| attrs.get_f64("missing_value")).unwrap_or(f64::NAN)
    }

    fn mean(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Array, IoError> {
        let attrs = self.members[0].dataset().var(var).map(|v| v.attrs.clone()).unwrap_or_default();
        let missing: Vec<f64> = ["_FillValue", "missing_value"].iter().filter_map(|k| attrs.get_f64(k)).collect();
        let mut sum = ArrayD::<f64>::zeros(IxDyn(count));
        let mut cnt = ArrayD::<u32>::zeros(IxDyn(count));
        for i in 0..self.members.len() {
            let a = self.member_f64(i, var, start, count, f64::NAN)?;
            ndarray::Zip::from(&mut sum).and(&mut cnt).and(&a).for_each(|s, c, &x| {
                if x.is_finite() && !missing.contains(&x) {
                    *s += x;
                    *c += 1;
                }
            });
        }
        let fill = missing.first().copied().unwrap_or(f64::NAN);
        let mean =
            ndarray::Zip::from(&sum).and(&cnt).map_collect(|&s, &c| if c == 0 { fill } else { s / f64::from(c) });
        let dtype = self.ds.var(var).map_or(DType::F64, |v| v.dtype);
        Ok(Array::from_f64(dtype, &mean))
    }
}

impl Source for StackSource {
    fn dataset(&self) -> &Dataset {
        &self.ds
    }

    fn compressed(&self) -> Option<bool> {
        self.members.first().and_then(|m| m.compressed())
    }

    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Array, IoError> {
        if var == "realization" && !self.average {
            return Ok(self.realization.slice_axis(0, start[0], start[0] + count[0]));
        }
        if var == self.time_var {
            return Ok(self.times.slice_axis(0, start[0], start[0] + count[0]));
        }
        if !self.stacked.iter().any(|s| s == var) {
            return self.members[0].read(var, start, count);
        }
        if self.average {
            return self.mean(var, start, count);
        }
        let dtype = self.ds.var(var).map_or(DType::F64, |v| v.dtype);
        let fill = self.fill_of(var);
        let mut pieces = Vec::new();
        for i in start[0]..start[0] + count[0] {
            let a = Array::from_f64(dtype, &self.member_f64(i, var, &start[1..], &count[1..], fill)?);
            pieces.push(map_array!(a, x => x.insert_axis(Axis(0))));
        }
        Array::concat(0, &pieces).ok_or_else(|| IoError::Inconsistent(format!("members differ in the type of {var}")))
    }

    fn paths(&self) -> Vec<PathBuf> {
        self.members.iter().flat_map(|m| m.paths()).collect()
    }
}
