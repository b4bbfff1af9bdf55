//! Several sources (NetCDF files, Zarr stores, Kerchunk references) joined along time (xarray `open_mfdataset(combine="by_coords")` for the
//! CMIP case: files differ only in their time span). Files are ordered by their first time
//! value; time values of files whose units differ from the first file's are re-encoded in the
//! first file's units (as clisops does by copying the first file's time encoding).

use crate::{IoError, Source};
use rookery_cf::time::{DateTime, TimeCoder};
use rookery_cf::{Array, CfInfo, Dataset};
use std::path::PathBuf;

struct Part {
    src: Box<dyn Source>,
    offset: usize,
    len: usize,
    /// Coder of this file's time values when they differ from the first file's.
    recode: Option<TimeCoder>,
}

/// A source with its first and last time (when it has a decodable time).
type Keyed = (Option<(DateTime, DateTime)>, Box<dyn Source>);

/// Sources joined along their time dimension.
pub struct AggSource {
    parts: Vec<Part>,
    ds: Dataset,
    time_dim: String,
    /// Variables holding time values (the time coordinate and its bounds).
    time_vars: Vec<String>,
    /// Coder of the first file (the output encoding).
    coder: Option<TimeCoder>,
}

fn time_coder(ds: &Dataset, time_var: &str) -> Option<TimeCoder> {
    let v = ds.var(time_var)?;
    TimeCoder::new(v.attrs.get_str("units")?, v.attrs.get_str("calendar")).ok()
}

fn first_last(src: &dyn Source, time_var: &str) -> Result<Option<(f64, f64)>, IoError> {
    let v = src.dataset().var(time_var).ok_or_else(|| IoError::NoVariable(time_var.to_string()))?;
    let n = v.shape.first().copied().unwrap_or(0);
    if n == 0 {
        return Ok(None);
    }
    let first = src.read(time_var, &[0], &[1])?.to_f64();
    let last = src.read(time_var, &[n - 1], &[1])?.to_f64();
    Ok(match (first, last) {
        (Some(a), Some(b)) => Some((a[[0]], b[[0]])),
        _ => None,
    })
}

impl AggSource {
    /// Joins `sources` along time.
    ///
    /// # Errors
    /// No time dimension, files with different grids or variables, files overlapping in time.
    pub fn new(sources: Vec<Box<dyn Source>>) -> Result<AggSource, IoError> {
        let first = sources.first().ok_or_else(|| IoError::NoFiles("an empty list".into()))?;
        let info = CfInfo::detect(first.dataset()).map_err(|e| IoError::Inconsistent(e.to_string()))?;
        let (time_var, time_dim) = match info.time.as_deref() {
            Some(t) => (Some(t.to_string()), info.time_dim(first.dataset()).map(str::to_string)),
            None => (None, first.dataset().dims.iter().find(|d| d.unlimited).map(|d| d.name.clone())),
        };
        let time_dim = time_dim.ok_or_else(|| {
            IoError::Inconsistent(format!(
                "{} files were given but they have no time dimension to join along",
                sources.len()
            ))
        })?;

        // Order files by their first time value (decoded, so differing units sort right).
        let mut keyed: Vec<Keyed> = Vec::new();
        for src in sources {
            let key = match &time_var {
                Some(tv) => {
                    let coder = time_coder(src.dataset(), tv);
                    match (first_last(src.as_ref(), tv)?, coder) {
                        (Some((a, b)), Some(c)) => Some((c.decode(a)?, c.decode(b)?)),
                        _ => None,
                    }
                }
                None => None,
            };
            keyed.push((key, src));
        }
        keyed.sort_by_key(|a| a.0);
        for w in keyed.windows(2) {
            if let (Some((_, end)), Some((start, _))) = (&w[0].0, &w[1].0) {
                // An equal boundary step is kept twice, as xarray's combine_by_coords does
                // (CMIP5 HadGEM2-ES files repeat their boundary month).
                if start == end {
                    tracing::warn!(
                        "{} and {} both hold the time step {}; it is kept twice, as xarray does",
                        w[0].1.paths()[0].display(),
                        w[1].1.paths()[0].display(),
                        end.iso()
                    );
                }
                if start < end {
                    return Err(IoError::Inconsistent(format!(
                        "{} and {} overlap in time ({} > {})",
                        w[0].1.paths()[0].display(),
                        w[1].1.paths()[0].display(),
                        end.iso(),
                        start.iso()
                    )));
                }
            }
        }

        let base = keyed[0].1.dataset().clone();
        let coder = time_var.as_deref().and_then(|tv| time_coder(&base, tv));
        let mut time_vars = Vec::new();
        if let Some(tv) = &time_var {
            time_vars.push(tv.clone());
            if let Some(b) = base.var(tv).and_then(|v| v.attrs.get_str("bounds")) {
                time_vars.push(b.trim().to_string());
            }
        }
        let mut parts = Vec::new();
        let mut offset = 0;
        for (_, src) in keyed {
            let ds = src.dataset();
            let len = ds.dim(&time_dim).map_or(0, |d| d.len);
            check_compatible(&base, ds, &time_dim, &src.paths()[0])?;
            let recode = match (&time_var, &coder) {
                (Some(tv), Some(c)) => time_coder(ds, tv).filter(|pc| pc != c),
                _ => None,
            };
            parts.push(Part { src, offset, len, recode });
            offset += len;
        }
        let mut ds = base;
        ds.resize_dim(&time_dim, offset);
        Ok(AggSource { parts, ds, time_dim, time_vars, coder })
    }
}

fn check_compatible(base: &Dataset, ds: &Dataset, time_dim: &str, path: &std::path::Path) -> Result<(), IoError> {
    for v in &base.vars {
        let Some(o) = ds.var(&v.name) else {
            if v.dims.iter().any(|d| d == time_dim) {
                return Err(IoError::Inconsistent(format!("{} has no variable {}", path.display(), v.name)));
            }
            continue;
        };
        if o.dims != v.dims || o.dtype != v.dtype {
            return Err(IoError::Inconsistent(format!(
                "variable {} differs in {}: dims {:?} {} vs {:?} {}",
                v.name,
                path.display(),
                o.dims,
                o.dtype.cdl_name(),
                v.dims,
                v.dtype.cdl_name()
            )));
        }
        for ((d, a), b) in v.dims.iter().zip(&v.shape).zip(&o.shape) {
            if d != time_dim && a != b {
                return Err(IoError::Inconsistent(format!(
                    "dimension {d} has length {b} in {} but {a} in the first file",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}

impl Source for AggSource {
    fn dataset(&self) -> &Dataset {
        &self.ds
    }

    fn compressed(&self) -> Option<bool> {
        let all: Vec<Option<bool>> = self.parts.iter().map(|p| p.src.compressed()).collect();
        if all.iter().all(|c| *c == Some(false)) {
            Some(false)
        } else if all.contains(&Some(true)) {
            Some(true)
        } else {
            None
        }
    }

    fn chunking(&self, var: &str) -> Option<Vec<usize>> {
        self.parts[0].src.chunking(var)
    }

    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Array, IoError> {
        let v = self.ds.var(var).ok_or_else(|| IoError::NoVariable(var.to_string()))?;
        let Some(axis) = v.axis_of(&self.time_dim) else {
            return self.parts[0].src.read(var, start, count);
        };
        let (s, c) = (start[axis], count[axis]);
        if s + c > self.ds.dim(&self.time_dim).map_or(0, |d| d.len) {
            return Err(IoError::Read {
                path: self.parts[0].src.paths()[0].clone(),
                msg: format!("time selection {s}+{c} outside the joined dataset"),
            });
        }
        let mut pieces = Vec::new();
        for p in &self.parts {
            let lo = s.max(p.offset);
            let hi = (s + c).min(p.offset + p.len);
            if lo >= hi {
                continue;
            }
            let mut st = start.to_vec();
            let mut ct = count.to_vec();
            st[axis] = lo - p.offset;
            ct[axis] = hi - lo;
            let mut piece = p.src.read(var, &st, &ct)?;
            if let (Some(pc), Some(c0)) = (&p.recode, &self.coder) {
                if self.time_vars.iter().any(|t| t == var) {
                    if let Some(vals) = piece.to_f64() {
                        let mut out = vals.clone();
                        for (o, &x) in out.iter_mut().zip(vals.iter()) {
                            *o = c0.encode(&pc.decode(x)?)?;
                        }
                        piece = Array::from_f64(piece.dtype(), &out);
                    }
                }
            }
            pieces.push(piece);
        }
        if pieces.is_empty() {
            let mut st = start.to_vec();
            st[axis] = 0;
            return self.parts[0].src.read(var, &st, count);
        }
        if pieces.len() == 1 {
            return Ok(pieces.pop().unwrap_or_else(|| Array::zeros(v.dtype, count)));
        }
        Array::concat(axis, &pieces)
            .ok_or_else(|| IoError::Inconsistent(format!("variable {var} has different types across files")))
    }

    fn paths(&self) -> Vec<PathBuf> {
        self.parts.iter().flat_map(|p| p.src.paths()).collect()
    }
}
