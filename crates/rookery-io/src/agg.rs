//! Several sources (NetCDF files, Zarr stores, Kerchunk references) joined along time (xarray `open_mfdataset(combine="by_coords")` for the
//! CMIP case: files differ only in their time span). Files are ordered by their first time
//! value; time values of files whose units differ from the first file's are re-encoded in the
//! first file's units (as clisops does by copying the first file's time encoding).
//!
//! Local files are joined through their time index ([`crate::time_index`], cached on disk):
//! what the join needs of a file (time length, values and bounds, units, a hash of its
//! structure) comes from the index while the file is unchanged, and the file itself is opened
//! only when its data are first read, and then through the opener's template mode: a NetCDF-4
//! file's metadata are the join's, so only its HDF5 structure is parsed, not its attributes
//! ([`crate::NcSource::open_like`]). The first file given and the first file in time are
//! always opened (the dataset's metadata are theirs). Files whose structure hash equals the
//! first-in-time file's pass the compatibility check without being opened (equal structure
//! implies it); any other file is opened and checked as before.

use crate::time_index::{self, FileMeta, Stamp, TimeIndex};
use crate::{IoError, Source};
use rayon::prelude::*;
use rookery_cf::time::{DateTime, TimeCoder};
use rookery_cf::{Array, CfInfo, DType, Dataset};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Opens one file of a join. With a template (the joined dataset's metadata with the file's
/// time length, and the time dimension), the file is one the join knows to have that
/// structure and is opened to read its data: an opener may take the metadata from the
/// template rather than parse them (see [`crate::NcSource::open_like`]).
pub type Opener = Arc<dyn Fn(&Path, Option<(&Dataset, &str)>) -> Result<Box<dyn Source>, IoError> + Send + Sync>;

struct Part {
    paths: Vec<PathBuf>,
    src: OnceLock<Box<dyn Source>>,
    meta: FileMeta,
    offset: usize,
    /// Coder of this file's time values when they differ from the first file's.
    recode: Option<TimeCoder>,
}

/// One file before the join: its path, its source when open, what the join needs of it.
struct Item {
    paths: Vec<PathBuf>,
    src: Option<Box<dyn Source>>,
    meta: FileMeta,
}

/// The variables and dimension a join is made along.
struct Axes {
    time_var: Option<String>,
    time_dim: String,
    bounds: Option<String>,
}

/// How a join used its time index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexStats {
    /// Files joined.
    pub files: usize,
    /// Files whose entry came from the index.
    pub from_index: usize,
    /// Files opened while joining (the others are opened when their data are read).
    pub opened: usize,
}

/// Sources joined along their time dimension.
pub struct AggSource {
    parts: Vec<Part>,
    ds: Dataset,
    time_dim: String,
    /// Variables holding time values (the time coordinate and its bounds).
    time_vars: Vec<String>,
    /// The time and bounds variables whose values the parts' metadata hold.
    axes: Axes,
    /// Coder of the first file (the output encoding).
    coder: Option<TimeCoder>,
    opener: Option<Opener>,
    base_structure: u64,
    /// Buffers of the pieces of reads spanning several files, reused by the next such read.
    spares: Mutex<Vec<Array>>,
}

/// Piece buffers kept for reuse (a block spans a few files).
const SPARES: usize = 8;

fn coder_of(units: Option<&str>, calendar: Option<&str>) -> Option<TimeCoder> {
    TimeCoder::new(units?, calendar).ok()
}

fn time_coder(ds: &Dataset, time_var: &str) -> Option<TimeCoder> {
    let v = ds.var(time_var)?;
    coder_of(v.attrs.get_str("units"), v.attrs.get_str("calendar"))
}

fn axes_of(ds: &Dataset, n: usize) -> Result<Axes, IoError> {
    let info = CfInfo::detect(ds).map_err(|e| IoError::Inconsistent(e.to_string()))?;
    let (time_var, time_dim) = match info.time.as_deref() {
        Some(t) => (Some(t.to_string()), info.time_dim(ds).map(str::to_string)),
        None => (None, ds.dims.iter().find(|d| d.unlimited).map(|d| d.name.clone())),
    };
    let time_dim = time_dim.ok_or_else(|| {
        IoError::Inconsistent(format!("{n} files were given but they have no time dimension to join along"))
    })?;
    let bounds = time_var
        .as_deref()
        .and_then(|tv| ds.var(tv))
        .and_then(|v| v.attrs.get_str("bounds"))
        .map(|b| b.trim().to_string());
    Ok(Axes { time_var, time_dim, bounds })
}

/// The values of `var` when it is a `double` along `time_dim` first.
fn doubles(src: &dyn Source, var: &str, time_dim: &str) -> Result<Option<Vec<f64>>, IoError> {
    match src.dataset().var(var) {
        Some(v) if v.dtype == DType::F64 && v.dims.first().map(String::as_str) == Some(time_dim) => {
            let a = src.read_all(var)?;
            Ok(a.to_f64().map(|a| a.iter().copied().collect()))
        }
        _ => Ok(None),
    }
}

/// What the join needs of `src` (read from it).
fn meta_of(src: &dyn Source, axes: &Axes) -> Result<FileMeta, IoError> {
    let ds = src.dataset();
    let len = ds.dim(&axes.time_dim).map_or(0, |d| d.len);
    let (mut units, mut calendar, mut first_last, mut time) = (None, None, None, None);
    if let Some(tv) = &axes.time_var {
        let v = ds.var(tv).ok_or_else(|| IoError::NoVariable(tv.clone()))?;
        units = v.attrs.get_str("units").map(str::to_string);
        calendar = v.attrs.get_str("calendar").map(str::to_string);
        let n = v.shape.first().copied().unwrap_or(0);
        time = doubles(src, tv, &axes.time_dim)?;
        first_last = match &time {
            Some(t) => t.first().zip(t.last()).map(|(a, b)| (*a, *b)),
            None if n > 0 => {
                let first = src.read(tv, &[0], &[1])?.to_f64();
                let last = src.read(tv, &[n - 1], &[1])?.to_f64();
                first.zip(last).map(|(a, b)| (a[[0]], b[[0]]))
            }
            None => None,
        };
    }
    let bounds = match &axes.bounds {
        Some(b) => doubles(src, b, &axes.time_dim)?,
        None => None,
    };
    Ok(FileMeta {
        len,
        units,
        calendar,
        first_last,
        structure: time_index::structure(ds, &axes.time_dim),
        compressed: src.compressed(),
        time,
        bounds,
    })
}

impl AggSource {
    /// Joins `sources` along time.
    ///
    /// # Errors
    /// No time dimension, files with different grids or variables, files overlapping in time.
    pub fn new(sources: Vec<Box<dyn Source>>) -> Result<AggSource, IoError> {
        let first = sources.first().ok_or_else(|| IoError::NoFiles("an empty list".into()))?;
        let axes = axes_of(first.dataset(), sources.len())?;
        let items = sources
            .into_par_iter()
            .map(|src| Ok(Item { paths: src.paths(), meta: meta_of(src.as_ref(), &axes)?, src: Some(src) }))
            .collect::<Result<Vec<_>, IoError>>()?;
        AggSource::build(items, axes, None)
    }

    /// Joins the local files `paths` along time through their time index in `cache_dir`
    /// (none: every file is read): files found unchanged in the index are not opened until
    /// their data are read; the index is rewritten when a file was read.
    ///
    /// # Errors
    /// As [`AggSource::new`]; a file `open` cannot open.
    pub fn open_indexed(
        paths: &[PathBuf],
        stamps_of: &[PathBuf],
        open: Opener,
        cache_dir: Option<&Path>,
    ) -> Result<(AggSource, IndexStats), IoError> {
        let first_path = paths.first().ok_or_else(|| IoError::NoFiles("an empty list".into()))?;
        let first = open(first_path, None)?;
        let axes = axes_of(first.dataset(), paths.len())?;
        let key = format!("{:?}|{:?}|{}", axes.time_var, axes.bounds, axes.time_dim);
        let index = TimeIndex::load(cache_dir, paths, &key);
        let stamps: Vec<Option<Stamp>> = stamps_of.par_iter().map(|p| Stamp::of(p)).collect();
        let mut first = Some(first);
        let mut pending: Vec<(usize, Option<Box<dyn Source>>)> = Vec::new();
        let mut metas: Vec<Option<FileMeta>> = Vec::with_capacity(paths.len());
        for (i, p) in paths.iter().enumerate() {
            match index.get(p, stamps[i]) {
                Some(m) => metas.push(Some(m.clone())),
                None => {
                    pending.push((i, if i == 0 { first.take() } else { None }));
                    metas.push(None);
                }
            }
        }
        let from_index = paths.len() - pending.len();
        let read: Vec<(usize, Box<dyn Source>, FileMeta)> = pending
            .into_par_iter()
            .map(|(i, src)| {
                let src = match src {
                    Some(s) => s,
                    None => open(&paths[i], None)?,
                };
                let meta = meta_of(src.as_ref(), &axes)?;
                Ok((i, src, meta))
            })
            .collect::<Result<_, IoError>>()?;
        let mut srcs: Vec<Option<Box<dyn Source>>> = (0..paths.len()).map(|_| None).collect();
        srcs[0] = first;
        let opened = read.len() + usize::from(srcs[0].is_some());
        for (i, src, meta) in read {
            srcs[i] = Some(src);
            metas[i] = Some(meta);
        }
        let entries: Vec<(&Path, Option<Stamp>, &FileMeta)> = paths
            .iter()
            .zip(&stamps)
            .zip(&metas)
            .filter_map(|((p, s), m)| Some((p.as_path(), *s, m.as_ref()?)))
            .collect();
        index.store(&entries);
        tracing::info!("time index: {from_index} of {} files from the index, {opened} opened", paths.len());
        let items = paths
            .iter()
            .zip(srcs)
            .zip(metas)
            .filter_map(|((p, src), meta)| Some(Item { paths: vec![p.clone()], src, meta: meta? }))
            .collect();
        let agg = AggSource::build(items, axes, Some(open))?;
        let stats = IndexStats { files: paths.len(), from_index, opened: agg.opened() };
        Ok((agg, stats))
    }

    fn build(items: Vec<Item>, axes: Axes, opener: Option<Opener>) -> Result<AggSource, IoError> {
        // Order files by their first time value (decoded, so differing units sort right).
        type Keyed = (Option<(DateTime, DateTime)>, Item);
        let mut keyed: Vec<Keyed> = Vec::with_capacity(items.len());
        for it in items {
            let key = match (it.meta.first_last, coder_of(it.meta.units.as_deref(), it.meta.calendar.as_deref())) {
                (Some((a, b)), Some(c)) if axes.time_var.is_some() => Some((c.decode(a)?, c.decode(b)?)),
                _ => None,
            };
            keyed.push((key, it));
        }
        keyed.sort_by_key(|a| a.0);
        for w in keyed.windows(2) {
            if let (Some((_, end)), Some((start, _))) = (&w[0].0, &w[1].0) {
                let (a, b) = (w[0].1.paths[0].display(), w[1].1.paths[0].display());
                // An equal boundary step is kept twice, as xarray's combine_by_coords does
                // (CMIP5 HadGEM2-ES files repeat their boundary month).
                if start == end {
                    tracing::warn!(
                        "{a} and {b} both hold the time step {}; it is kept twice, as xarray does",
                        end.iso()
                    );
                }
                if start < end {
                    return Err(IoError::Inconsistent(format!(
                        "{a} and {b} overlap in time ({} > {})",
                        end.iso(),
                        start.iso()
                    )));
                }
            }
        }
        let mut items: Vec<Item> = keyed.into_iter().map(|(_, it)| it).collect();
        // The first file in time gives the metadata: open it.
        if items[0].src.is_none() {
            let open = opener.as_ref().ok_or_else(|| IoError::Inconsistent("a file without a source".into()))?;
            items[0].src = Some(open(&items[0].paths[0], None)?);
        }
        let base = items[0].src.as_ref().map(|s| s.dataset().clone()).unwrap_or_default();
        let base_structure = time_index::structure(&base, &axes.time_dim);
        let coder = axes.time_var.as_deref().and_then(|tv| time_coder(&base, tv));
        let mut time_vars = Vec::new();
        if let Some(tv) = &axes.time_var {
            time_vars.push(tv.clone());
            if let Some(b) = base.var(tv).and_then(|v| v.attrs.get_str("bounds")) {
                time_vars.push(b.trim().to_string());
            }
        }
        // Files of another structure are opened and checked; equal structure passes.
        items.par_iter_mut().filter(|it| it.meta.structure != base_structure && it.src.is_none()).try_for_each(
            |it| -> Result<(), IoError> {
                let open = opener.as_ref().ok_or_else(|| IoError::Inconsistent("a file without a source".into()))?;
                it.src = Some(open(&it.paths[0], None)?);
                Ok(())
            },
        )?;
        let mut parts = Vec::with_capacity(items.len());
        let mut offset = 0;
        for it in items {
            if let Some(src) = &it.src {
                check_compatible(&base, src.dataset(), &axes.time_dim, &it.paths[0])?;
            }
            let recode = match (&axes.time_var, &coder) {
                (Some(_), Some(c)) => {
                    coder_of(it.meta.units.as_deref(), it.meta.calendar.as_deref()).filter(|pc| pc != c)
                }
                _ => None,
            };
            let src = OnceLock::new();
            if let Some(s) = it.src {
                let _ = src.set(s);
            }
            let len = it.meta.len;
            parts.push(Part { paths: it.paths, src, meta: it.meta, offset, recode });
            offset += len;
        }
        let mut ds = base;
        ds.resize_dim(&axes.time_dim, offset);
        let time_dim = axes.time_dim.clone();
        Ok(AggSource { parts, ds, time_dim, time_vars, axes, coder, opener, base_structure, spares: Mutex::default() })
    }

    /// How many of the joined files are open (the others have not been read yet).
    #[must_use]
    pub fn opened(&self) -> usize {
        self.parts.iter().filter(|p| p.src.get().is_some()).count()
    }

    /// The source of `p`, opened now if it was not (and checked to be the file indexed).
    fn source<'a>(&self, p: &'a Part) -> Result<&'a dyn Source, IoError> {
        if let Some(s) = p.src.get() {
            return Ok(s.as_ref());
        }
        let open = self.opener.as_ref().ok_or_else(|| IoError::Inconsistent("a file without a source".into()))?;
        let mut template = self.ds.clone();
        template.resize_dim(&self.time_dim, p.meta.len);
        let s = open(&p.paths[0], Some((&template, &self.time_dim)))?;
        let ds = s.dataset();
        if ds.dim(&self.time_dim).map_or(0, |d| d.len) != p.meta.len
            || time_index::structure(ds, &self.time_dim) != self.base_structure
        {
            return Err(IoError::Inconsistent(format!(
                "{} changed while it was being read; run again",
                p.paths[0].display()
            )));
        }
        let _ = p.src.set(s);
        p.src.get().map(|s| s.as_ref()).ok_or_else(|| IoError::Inconsistent("a file without a source".into()))
    }

    /// The time values `var[start..start+count]` of `p` from its metadata, when they are there.
    fn cached(&self, p: &Part, var: &str, start: &[usize], count: &[usize]) -> Option<Array> {
        let vals = if self.axes.time_var.as_deref() == Some(var) {
            p.meta.time.as_ref()?
        } else if self.axes.bounds.as_deref() == Some(var) {
            p.meta.bounds.as_ref()?
        } else {
            return None;
        };
        let v = self.ds.var(var).filter(|v| v.dtype == DType::F64 && v.axis_of(&self.time_dim) == Some(0))?;
        let mut shape = v.shape.clone();
        shape[0] = p.meta.len;
        let a = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), vals.clone()).ok()?;
        let view = a.slice_each_axis(|ax| {
            let i = ax.axis.index();
            ndarray::Slice::from(start[i]..start[i] + count[i])
        });
        Some(Array::F64(view.to_owned()))
    }
}

/// [`Array::concat`], with the pieces copied as whole slices when they are joined along their
/// first axis in standard layout (the usual time-first case: memcpy instead of an element loop).
/// The result goes into the storage of `into` when it has the pieces' type.
fn concat(axis: usize, pieces: &[Array], into: Option<Array>) -> Option<Array> {
    macro_rules! fast {
        ($v:ident) => {{
            let arrays: Option<Vec<&ndarray::ArrayD<_>>> =
                pieces.iter().map(|p| if let Array::$v(a) = p { Some(a) } else { None }).collect();
            let arrays = arrays?;
            let slices: Option<Vec<&[_]>> = arrays.iter().map(|a| a.as_slice()).collect();
            let slices = slices?;
            let mut shape = arrays[0].shape().to_vec();
            if arrays.iter().any(|a| a.shape()[1..] != shape[1..]) {
                return None;
            }
            shape[0] = arrays.iter().map(|a| a.shape()[0]).sum();
            let mut out = match into {
                Some(Array::$v(a)) => a.into_raw_vec_and_offset().0,
                _ => Vec::new(),
            };
            out.clear();
            out.reserve(slices.iter().map(|s| s.len()).sum());
            for s in slices {
                out.extend_from_slice(s);
            }
            ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), out).ok().map(Array::$v)
        }};
    }
    let fast = if axis == 0 && pieces.iter().all(|p| p.dtype() == pieces[0].dtype()) {
        match pieces.first() {
            Some(Array::F32(_)) => (move || fast!(F32))(),
            Some(Array::F64(_)) => (move || fast!(F64))(),
            Some(Array::I32(_)) => (move || fast!(I32))(),
            Some(Array::I16(_)) => (move || fast!(I16))(),
            _ => None,
        }
    } else {
        None
    };
    fast.or_else(|| Array::concat(axis, pieces))
}

fn check_compatible(base: &Dataset, ds: &Dataset, time_dim: &str, path: &Path) -> Result<(), IoError> {
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
        let all: Vec<Option<bool>> = self.parts.iter().map(|p| p.meta.compressed).collect();
        if all.iter().all(|c| *c == Some(false)) {
            Some(false)
        } else if all.contains(&Some(true)) {
            Some(true)
        } else {
            None
        }
    }

    fn chunking(&self, var: &str) -> Option<Vec<usize>> {
        self.source(&self.parts[0]).ok()?.chunking(var)
    }

    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Array, IoError> {
        self.read_reusing(var, start, count, None)
    }

    /// A read within one file reuses `spare` there; a read spanning files reads each piece into
    /// a buffer kept from the previous such read and joins them into `spare`'s storage.
    fn read_reusing(
        &self,
        var: &str,
        start: &[usize],
        count: &[usize],
        spare: Option<Array>,
    ) -> Result<Array, IoError> {
        let v = self.ds.var(var).ok_or_else(|| IoError::NoVariable(var.to_string()))?;
        let Some(axis) = v.axis_of(&self.time_dim) else {
            return self.source(&self.parts[0])?.read_reusing(var, start, count, spare);
        };
        let (s, c) = (start[axis], count[axis]);
        if s + c > self.ds.dim(&self.time_dim).map_or(0, |d| d.len) {
            return Err(IoError::Read {
                path: self.parts[0].paths[0].clone(),
                msg: format!("time selection {s}+{c} outside the joined dataset"),
            });
        }
        let touched: Vec<&Part> =
            self.parts.iter().filter(|p| s.max(p.offset) < (s + c).min(p.offset + p.meta.len)).collect();
        let is_time = self.time_vars.iter().any(|t| t == var);
        let single = touched.len() == 1;
        let mut spare = spare;
        let read_part = |p: &&Part| -> Result<Array, IoError> {
            let lo = s.max(p.offset);
            let hi = (s + c).min(p.offset + p.meta.len);
            let mut st = start.to_vec();
            let mut ct = count.to_vec();
            st[axis] = lo - p.offset;
            ct[axis] = hi - lo;
            let mut piece = match self.cached(p, var, &st, &ct) {
                Some(a) => a,
                None if is_time => self.source(p)?.read(var, &st, &ct)?,
                None => {
                    let buf = if single { None } else { self.spares.lock().ok().and_then(|mut s| s.pop()) };
                    self.source(p)?.read_reusing(var, &st, &ct, buf)?
                }
            };
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
            Ok(piece)
        };
        // Files not open yet are opened together (headers in parallel), then read in turn: each
        // read is parallel over its chunks already (reading files in parallel too measured no
        // faster: more buffers in flight, more fresh pages).
        let closed: Vec<&&Part> = touched.iter().filter(|p| p.src.get().is_none()).collect();
        if closed.len() > 1 && !is_time {
            closed.par_iter().try_for_each(|p| self.source(p).map(|_| ()))?;
        }
        if single && !is_time && self.cached(touched[0], var, start, count).is_none() {
            let p = touched[0];
            let mut st = start.to_vec();
            st[axis] -= p.offset;
            return self.source(p)?.read_reusing(var, &st, count, spare.take());
        }
        if !is_time && axis == 0 && touched.len() > 1 {
            // Each file's piece is read straight into its place in the joined block.
            let mut out = match spare.take() {
                Some(a) if a.dtype() == v.dtype => a,
                _ => Array::zeros(v.dtype, &[0]),
            };
            out = out.into_shape_reusing(count).unwrap_or_else(|| Array::zeros(v.dtype, count));
            let row: usize = count[1..].iter().product();
            for p in &touched {
                let lo = s.max(p.offset);
                let hi = (s + c).min(p.offset + p.meta.len);
                let mut st = start.to_vec();
                let mut ct = count.to_vec();
                st[0] = lo - p.offset;
                ct[0] = hi - lo;
                self.source(p)?.read_into(var, &st, &ct, &mut out, (lo - s) * row)?;
            }
            return Ok(out);
        }
        let mut pieces: Vec<Array> = touched.iter().map(read_part).collect::<Result<_, _>>()?;
        if pieces.is_empty() {
            let mut st = start.to_vec();
            st[axis] = 0;
            return self.source(&self.parts[0])?.read(var, &st, count);
        }
        if pieces.len() == 1 {
            return Ok(pieces.pop().unwrap_or_else(|| Array::zeros(v.dtype, count)));
        }
        let joined = concat(axis, &pieces, spare)
            .ok_or_else(|| IoError::Inconsistent(format!("variable {var} has different types across files")));
        if !is_time {
            if let Ok(mut s) = self.spares.lock() {
                let room = SPARES.saturating_sub(s.len());
                s.extend(pieces.into_iter().take(room));
            }
        }
        joined
    }

    fn paths(&self) -> Vec<PathBuf> {
        self.parts.iter().flat_map(|p| p.paths.clone()).collect()
    }
}
