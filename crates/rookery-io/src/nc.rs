//! One NetCDF file (classic CDF-1/2/5 or NetCDF-4/HDF5) read with the pure-Rust
//! `netcdf-reader`: metadata on open, hyperslabs on demand. Files are read with positional
//! reads of the byte ranges a request needs (no memory map, so resident memory stays bounded
//! whatever the file size). Numeric chunked NetCDF-4 variables are decoded by
//! [`crate::chunks`] (chunks that intersect the selection, in parallel); everything else goes
//! through `netcdf-reader`.
//!
//! An `http(s)://` URL opens through [`crate::Remote`]: both readers then read from one
//! [`crate::CachedStorage`] (range requests through the block cache), fetching only the
//! metadata and the chunks a request needs.

use crate::cached::CachedStorage;
use crate::chunks::{ChunkReader, Elem};
use crate::remote::{is_url, RemoteError};
use crate::{IoContext, IoError, Source};
use ndarray::{ArrayD, IxDyn};
use netcdf_reader::{NcAttrValue, NcFile, NcSliceInfo, NcSliceInfoElem, NcType};
use rookery_cf::{Array, AttrValue, Attrs, DType, Dataset, Dim, Variable};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A NetCDF file opened for reading.
pub struct NcSource {
    /// The path as given (named in errors and by [`Source::paths`]).
    path: PathBuf,
    /// The path opened: the real path the context allowed.
    real: PathBuf,
    /// The `netcdf-reader` file: opened with the source, or, for a source opened with a
    /// template ([`NcSource::open_like`]), only when a read needs it.
    file: OnceLock<NcFile>,
    /// For a source opened with a template: the structure hash (see
    /// [`crate::time_index::structure`]) and time dimension the file must have when it is
    /// opened.
    expected: Option<(u64, String)>,
    /// A classic (CDF-1/2/5) file.
    is_classic: bool,
    ds: Dataset,
    /// The chunk reader of a NetCDF-4 file, opened on first use (`None`: classic file, or
    /// its HDF5 structure could not be opened again, so `netcdf-reader` reads everything).
    chunks: OnceLock<Option<ChunkReader>>,
    /// The storage of a remote file (`None`: a local file).
    remote: Option<Arc<CachedStorage>>,
    /// A local classic file, for direct positioned reads of whole steps.
    classic: Option<std::fs::File>,
}

/// Attributes written by the NetCDF-4/HDF5 machinery rather than by users.
fn is_internal_attr(name: &str) -> bool {
    name.starts_with("_Netcdf4")
        || matches!(
            name,
            "_NCProperties"
                | "_nc3_strict"
                | "_IsNetcdf4"
                | "_SuperblockVersion"
                | "CLASS"
                | "NAME"
                | "DIMENSION_LIST"
                | "REFERENCE_LIST"
                | "_Encoding"
        )
}

fn convert_attr(v: &NcAttrValue) -> Option<AttrValue> {
    Some(match v {
        NcAttrValue::Bytes(x) => AttrValue::I8(x.clone()),
        NcAttrValue::Chars(s) => AttrValue::Text(s.clone()),
        NcAttrValue::Shorts(x) => AttrValue::I16(x.clone()),
        NcAttrValue::Ints(x) => AttrValue::I32(x.clone()),
        NcAttrValue::Floats(x) => AttrValue::F32(x.clone()),
        NcAttrValue::Doubles(x) => AttrValue::F64(x.clone()),
        NcAttrValue::UBytes(x) => AttrValue::U8(x.clone()),
        NcAttrValue::UShorts(x) => AttrValue::U16(x.clone()),
        NcAttrValue::UInts(x) => AttrValue::U32(x.clone()),
        NcAttrValue::Int64s(x) => AttrValue::I64(x.clone()),
        NcAttrValue::UInt64s(x) => AttrValue::U64(x.clone()),
        // One string, or none (an empty text attribute, as HDF5 may store ""), is text.
        NcAttrValue::Strings(x) if x.len() <= 1 => AttrValue::Text(x.first().cloned().unwrap_or_default()),
        NcAttrValue::Strings(x) => AttrValue::Strings(x.clone()),
        NcAttrValue::UserDefined { .. } => return None,
    })
}

fn convert_attrs(list: &[netcdf_reader::NcAttribute]) -> Attrs {
    Attrs(
        list.iter()
            .filter(|a| !is_internal_attr(&a.name))
            .filter_map(|a| convert_attr(&a.value).map(|v| (a.name.clone(), v)))
            .collect(),
    )
}

fn convert_dtype(t: &NcType) -> Option<DType> {
    Some(match t {
        NcType::Byte => DType::I8,
        NcType::UByte => DType::U8,
        NcType::Short => DType::I16,
        NcType::UShort => DType::U16,
        NcType::Int => DType::I32,
        NcType::UInt => DType::U32,
        NcType::Int64 => DType::I64,
        NcType::UInt64 => DType::U64,
        NcType::Float => DType::F32,
        NcType::Double => DType::F64,
        NcType::Char => DType::Char,
        NcType::String => DType::Str,
        _ => return None,
    })
}

impl NcSource {
    /// Opens `path` and reads its metadata (no data).
    ///
    /// # Errors
    /// Missing file, not NetCDF, or corrupt metadata.
    pub fn open(ctx: &IoContext, path: &Path) -> Result<NcSource, IoError> {
        if let Some(url) = path.to_str().filter(|s| is_url(s)) {
            return Self::open_url(ctx, url);
        }
        // Checked first, so a refusal says nothing of whether the file exists; then the
        // real path is what is opened (errors still name the path as given).
        let real = ctx.local(path)?;
        if !real.exists() {
            return Err(IoError::NotFound(path.to_path_buf()));
        }
        Self::open_real(path, &real)
    }

    fn open_real(path: &Path, real: &Path) -> Result<NcSource, IoError> {
        // Classic files are read with positioned reads rather than memory-mapped: a mapping
        // keeps every page read in the process's resident set (a 3.8 GB file streamed through
        // an average would show a 3.8 GB peak RSS); NetCDF-4 files open as before.
        let classic = {
            let mut magic = [0u8; 4];
            std::fs::File::open(real).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic)).is_ok()
                && magic[..3] == *b"CDF"
        };
        let opened = if classic {
            netcdf_reader::FileStorage::open(real)
                .map_err(netcdf_reader::Error::from)
                .and_then(|st| NcFile::from_storage(std::sync::Arc::new(st)))
        } else {
            NcFile::open(real)
        };
        let file = opened.map_err(|e| match e {
            netcdf_reader::Error::InvalidMagic => IoError::NotNetcdf { path: path.to_path_buf() },
            e => IoError::Read { path: path.to_path_buf(), msg: one_line(&e.to_string()) },
        })?;
        let ds = Self::metadata(path, &file)?;
        Ok(NcSource {
            path: path.to_path_buf(),
            real: real.to_path_buf(),
            file: OnceLock::from(file),
            expected: None,
            is_classic: classic,
            ds,
            chunks: OnceLock::new(),
            remote: None,
            classic: if classic { std::fs::File::open(real).ok() } else { None },
        })
    }

    /// Opens the local NetCDF-4 file `path` of a join whose time index says it has the
    /// structure of `template` (the joined dataset's metadata with this file's time length):
    /// its metadata are taken from the template, and its header is parsed only by the chunk
    /// reader (HDF5 structure, chunk indexes), not by `netcdf-reader` (every attribute). A
    /// variable the chunk reader does not handle opens the file fully, and a file found not to
    /// have the template's structure then is an error. Classic files open as [`NcSource::open`].
    ///
    /// # Errors
    /// As [`NcSource::open`].
    pub fn open_like(ctx: &IoContext, path: &Path, template: &Dataset, time_dim: &str) -> Result<NcSource, IoError> {
        let real = ctx.local(path)?;
        let mut magic = [0u8; 8];
        let mut f = std::fs::File::open(&real).map_err(|_| IoError::NotFound(path.to_path_buf()))?;
        // Anything but an HDF5 file at offset 0 (a classic file, a short or damaged one) opens
        // as usual, with its usual errors.
        if std::io::Read::read_exact(&mut f, &mut magic).is_err() || magic != *b"\x89HDF\r\n\x1a\n" {
            return Self::open_real(path, &real);
        }
        Ok(NcSource {
            path: path.to_path_buf(),
            real,
            file: OnceLock::new(),
            expected: Some((crate::time_index::structure(template, time_dim), time_dim.to_string())),
            is_classic: false,
            ds: template.clone(),
            chunks: OnceLock::new(),
            remote: None,
            classic: None,
        })
    }

    /// The `netcdf-reader` file, opened now if it was not (and checked against the template).
    fn file(&self) -> Result<&NcFile, IoError> {
        if let Some(f) = self.file.get() {
            return Ok(f);
        }
        let file = NcFile::open(&self.real).map_err(|e| match e {
            netcdf_reader::Error::InvalidMagic => IoError::NotNetcdf { path: self.path.clone() },
            e => self.err(&e),
        })?;
        if let Some((hash, time_dim)) = &self.expected {
            let ds = Self::metadata(&self.path, &file)?;
            if crate::time_index::structure(&ds, time_dim) != *hash
                || ds.dim(time_dim).map(|d| d.len) != self.ds.dim(time_dim).map(|d| d.len)
            {
                return Err(IoError::Inconsistent(format!(
                    "{} changed while it was being read; run again",
                    self.path.display()
                )));
            }
        }
        Ok(self.file.get_or_init(|| file))
    }

    /// Opens the file at an `http(s)://` URL through the context's client (one HEAD request, then the
    /// metadata through the block cache; no data).
    ///
    /// # Errors
    /// Unreachable file or error status, not NetCDF, corrupt metadata.
    pub fn open_url(ctx: &IoContext, url: &str) -> Result<NcSource, IoError> {
        let path = PathBuf::from(url);
        let storage = ctx.remote().open(&ctx.url(url)?).map_err(IoError::from)?;
        let before = storage.stats();
        let dyn_storage: hdf5_reader::storage::DynStorage = storage.clone();
        let file = NcFile::from_storage(dyn_storage).map_err(|e| match e {
            netcdf_reader::Error::InvalidMagic => IoError::NotNetcdf { path: path.clone() },
            e => read_error(&path, &e),
        })?;
        let ds = Self::metadata(&path, &file)?;
        tracing::info!("{url}: opened; {}", storage.stats().since(&before));
        Ok(NcSource {
            real: path.clone(),
            path,
            file: OnceLock::from(file),
            expected: None,
            is_classic: false,
            ds,
            chunks: OnceLock::new(),
            remote: Some(storage),
            classic: None,
        })
    }

    /// The storage of a remote file (read through the block cache), `None` for a local one.
    pub(crate) fn remote_storage(&self) -> Option<&Arc<CachedStorage>> {
        self.remote.as_ref()
    }

    /// The opened file.
    ///
    /// # Errors
    /// A file opened with a template that cannot be opened now or has changed.
    pub(crate) fn nc_file(&self) -> Result<&NcFile, IoError> {
        self.file()
    }

    /// The URL's cache counters, for a remote file.
    #[must_use]
    pub fn remote_stats(&self) -> Option<crate::CacheStats> {
        self.remote.as_ref().map(|r| r.stats())
    }

    fn chunk_reader(&self) -> Option<&ChunkReader> {
        self.chunks
            .get_or_init(|| {
                if self.is_classic {
                    return None;
                }
                let opened = match &self.remote {
                    Some(st) => ChunkReader::from_storage(st.clone()),
                    None => ChunkReader::open(&self.real),
                };
                opened
                    .map_err(|e| {
                        tracing::debug!("{}: chunk reader unavailable: {e}", self.path.display());
                    })
                    .ok()
            })
            .as_ref()
    }

    fn metadata(path: &Path, file: &NcFile) -> Result<Dataset, IoError> {
        let err = |e: netcdf_reader::Error| IoError::Read { path: path.to_path_buf(), msg: one_line(&e.to_string()) };
        let root = file.root_group().map_err(err)?;
        if !root.groups.is_empty() {
            tracing::warn!(
                "{}: {} sub-group(s) ignored; only the root group is read",
                path.display(),
                root.groups.len()
            );
        }
        let dims = root
            .dimensions
            .iter()
            .map(|d| {
                Ok(Dim {
                    name: d.name.clone(),
                    len: usize::try_from(d.size).map_err(|_| IoError::Read {
                        path: path.to_path_buf(),
                        msg: format!("dimension {} is too large", d.name),
                    })?,
                    unlimited: d.is_unlimited,
                })
            })
            .collect::<Result<Vec<_>, IoError>>()?;
        let mut vars = Vec::new();
        for v in &root.variables {
            let Some(dtype) = convert_dtype(&v.dtype) else {
                tracing::warn!("{}: variable {} has a user-defined type and is skipped", path.display(), v.name);
                continue;
            };
            vars.push(Variable {
                name: v.name.clone(),
                dims: v.dimensions.iter().map(|d| d.name.clone()).collect(),
                shape: v.dimensions.iter().map(|d| usize::try_from(d.size).unwrap_or(usize::MAX)).collect(),
                dtype,
                attrs: convert_attrs(&v.attributes),
            });
        }
        Ok(Dataset { dims, vars, attrs: convert_attrs(&root.attributes) })
    }

    fn err(&self, e: &netcdf_reader::Error) -> IoError {
        read_error(&self.path, e)
    }

    fn read_typed<T: netcdf_reader::NcReadable + Elem>(
        &self,
        v: &Variable,
        start: &[usize],
        count: &[usize],
        spare: Option<Vec<T>>,
    ) -> Result<ArrayD<T>, IoError> {
        let name = v.name.as_str();
        if count.contains(&0) {
            return Ok(ArrayD::default(IxDyn(count)));
        }
        if start.is_empty() {
            return self.file()?.read_variable::<T>(name).map_err(|e| self.err(&e));
        }
        if let Some(a) = self.read_classic_steps::<T>(v, start, count)? {
            return Ok(a);
        }
        if let Some(reader) = self.chunk_reader() {
            match reader.read::<T>(name, &v.shape, start, count, spare) {
                Ok(Some(a)) => return Ok(a),
                Ok(None) => {}
                Err(e) => return Err(self.err(&netcdf_reader::Error::from(e))),
            }
        }
        let sel = NcSliceInfo {
            selections: start
                .iter()
                .zip(count)
                .map(|(&s, &c)| NcSliceInfoElem::Slice { start: s as u64, end: (s + c) as u64, step: 1 })
                .collect(),
        };
        self.file()?.read_variable_slice_parallel::<T>(name, &sel).map_err(|e| self.err(&e))
    }

    /// Steps of a numeric variable of a local classic file, whole or a range of the second
    /// axis (full extents after it, so each step's part is contiguous): positioned reads
    /// straight into the result, big-endian bytes swapped in place (one pass; the generic
    /// reader zeroes, reads and converts in three). `None` for other selections and files.
    fn read_classic_steps<T: netcdf_reader::NcReadable + Elem>(
        &self,
        v: &Variable,
        start: &[usize],
        count: &[usize],
    ) -> Result<Option<ArrayD<T>>, IoError> {
        use std::os::fd::AsRawFd;
        let (Some(fd), Some(c)) = (&self.classic, self.file.get().and_then(NcFile::as_classic)) else {
            return Ok(None);
        };
        if start.is_empty() || (start.len() > 2 && (start[2..].iter().any(|&s| s != 0) || count[2..] != v.shape[2..])) {
            return Ok(None);
        }
        let vars = &c.root_group().variables;
        let Some(nv) = vars.iter().find(|x| x.name == v.name) else { return Ok(None) };
        if nv.dtype.size().ok() != Some(T::SIZE) || matches!(nv.dtype, NcType::Char | NcType::String) {
            return Ok(None);
        }
        let step_elems: usize = count[1..].iter().product();
        let step_bytes = step_elems * T::SIZE;
        let n = count[0] * step_elems;
        // Where the selected part starts inside a step (a whole number of second-axis rows).
        let within = (start.get(1).copied().unwrap_or(0)
            * v.shape.get(2..).map_or(1, |r| r.iter().product::<usize>())
            * T::SIZE) as u64;
        let (first, stride) = if nv.is_record_var {
            let stride = netcdf_reader::classic::data::compute_record_stride(vars).map_err(|e| self.err(&e))?;
            (nv.data_offset + start[0] as u64 * stride + within, stride)
        } else {
            let whole = (v.shape[1..].iter().product::<usize>() * T::SIZE) as u64;
            (nv.data_offset + start[0] as u64 * whole + within, whole)
        };
        // Contiguous steps are one read.
        let (runs, run_bytes) = if stride == step_bytes as u64 { (1, n * T::SIZE) } else { (count[0], step_bytes) };
        let mut out: Vec<T> = Vec::with_capacity(n);
        let base = out.as_mut_ptr().cast::<u8>();
        let run_elems = run_bytes / T::SIZE;
        for r in 0..runs {
            let mut done = 0usize;
            while done < run_bytes {
                let off = first + r as u64 * stride + done as u64;
                let off = libc::off_t::try_from(off)
                    .map_err(|_| IoError::Read { path: self.path.clone(), msg: "offset too large".into() })?;
                // SAFETY: the destination lies inside `out`'s allocation (capacity n elements,
                // runs * run_bytes == n * SIZE bytes), and pread writes at most the given length.
                #[allow(unsafe_code)]
                let got = unsafe {
                    libc::pread(fd.as_raw_fd(), base.add(r * run_bytes + done).cast(), run_bytes - done, off)
                };
                match got {
                    g if g > 0 => done += g.unsigned_abs(),
                    0 => {
                        return Err(IoError::Read {
                            path: self.path.clone(),
                            msg: format!("file ends inside variable {} (truncated file?)", v.name),
                        })
                    }
                    _ => {
                        let e = std::io::Error::last_os_error();
                        if e.kind() != std::io::ErrorKind::Interrupted {
                            return Err(IoError::Read { path: self.path.clone(), msg: e.to_string() });
                        }
                    }
                }
            }
            // Swapped while the run is still in cache.
            // SAFETY: the run's bytes were all written by pread just above, inside `out`'s
            // allocation, and any bit pattern is a valid value of these numeric types.
            #[allow(unsafe_code)]
            let run = unsafe { std::slice::from_raw_parts_mut(out.as_mut_ptr().add(r * run_elems), run_elems) };
            swap_from_be(run);
        }
        // SAFETY: every element was written (and swapped) above.
        #[allow(unsafe_code)]
        unsafe {
            out.set_len(n);
        }
        ArrayD::from_shape_vec(IxDyn(count), out)
            .map(Some)
            .map_err(|e| IoError::Read { path: self.path.clone(), msg: e.to_string() })
    }

    /// Whole char/string variables are small; read them entirely and slice in memory.
    fn read_text(&self, v: &Variable, start: &[usize], count: &[usize]) -> Result<Array, IoError> {
        let whole = if v.dtype == DType::Str {
            let strings = self.file()?.read_variable_as_strings(&v.name).map_err(|e| self.err(&e))?;
            Array::Str(
                ArrayD::from_shape_vec(IxDyn(&v.shape), strings)
                    .map_err(|e| IoError::Read { path: self.path.clone(), msg: format!("variable {}: {e}", v.name) })?,
            )
        } else {
            let bytes = if self.is_classic {
                // Classic files expose char arrays as strings along the last dimension.
                let width = v.shape.last().copied().unwrap_or(1);
                let strings = self.file()?.read_variable_as_strings(&v.name).map_err(|e| self.err(&e))?;
                let mut b = Vec::with_capacity(v.len());
                for s in strings {
                    let mut row: Vec<u8> = s.into_bytes();
                    row.resize(width, 0);
                    b.extend(row);
                }
                b.resize(v.len(), 0);
                b
            } else {
                self.file()?.read_variable_raw_bytes(&v.name).map_err(|e| self.err(&e))?
            };
            Array::Char(
                ArrayD::from_shape_vec(IxDyn(&v.shape), bytes)
                    .map_err(|e| IoError::Read { path: self.path.clone(), msg: format!("variable {}: {e}", v.name) })?,
            )
        };
        let mut out = whole;
        for (axis, (&s, &c)) in start.iter().zip(count).enumerate() {
            if s != 0 || c != v.shape[axis] {
                out = out.slice_axis(axis, s, s + c);
            }
        }
        Ok(out)
    }
}

/// A read error; a remote failure keeps its own wording (URL, status, attempts).
fn read_error(path: &Path, e: &netcdf_reader::Error) -> IoError {
    match RemoteError::find(e) {
        Some(r) => IoError::from(r.clone()),
        None => IoError::Read { path: path.to_path_buf(), msg: one_line(&e.to_string()) },
    }
}

/// Collapses a multi-line library error into one line.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Source for NcSource {
    fn dataset(&self) -> &Dataset {
        &self.ds
    }

    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Array, IoError> {
        self.read_reusing(var, start, count, None)
    }

    fn read_reusing(
        &self,
        var: &str,
        start: &[usize],
        count: &[usize],
        spare: Option<Array>,
    ) -> Result<Array, IoError> {
        let Some(remote) = &self.remote else {
            return self.read_local(var, start, count, spare);
        };
        let before = remote.stats();
        let r = self.read_local(var, start, count, spare);
        tracing::info!("{}: read {var}: {}", remote.url(), remote.stats().since(&before));
        r
    }

    /// Chunked numeric variables decode straight into `out`; anything else is read and copied.
    fn read_into(
        &self,
        var: &str,
        start: &[usize],
        count: &[usize],
        out: &mut Array,
        at: usize,
    ) -> Result<(), IoError> {
        let v = self.ds.var(var).ok_or_else(|| IoError::NoVariable(var.to_string()))?;
        crate::check_selection(v, start, count)
            .map_err(|e| IoError::Read { path: self.path.clone(), msg: e.to_string() })?;
        let n: usize = count.iter().product();
        macro_rules! direct {
            ($($t:ident),*) => {
                match (self.chunk_reader(), out.dtype() == v.dtype, &mut *out) {
                    $((Some(reader), true, Array::$t(a)) if !start.is_empty() => {
                        match a.as_slice_mut().and_then(|d| d.get_mut(at..at + n)) {
                            Some(dst) => reader.read_into(var, &v.shape, start, count, dst),
                            None => Ok(false),
                        }
                    })*
                    _ => Ok(false),
                }
            };
        }
        let done = direct!(I8, U8, I16, U16, I32, U32, I64, U64, F32, F64)
            .map_err(|e| self.err(&netcdf_reader::Error::from(e)))?;
        if done {
            return Ok(());
        }
        crate::read_and_copy(self, var, start, count, out, at)
    }

    fn paths(&self) -> Vec<PathBuf> {
        vec![self.path.clone()]
    }

    fn compressed(&self) -> Option<bool> {
        self.is_classic.then_some(false)
    }

    fn chunking(&self, var: &str) -> Option<Vec<usize>> {
        let shape = &self.ds.var(var)?.shape;
        self.chunk_reader()?.chunk_shape(var).filter(|c| c.len() == shape.len())
    }
}

/// The storage of `spare` when it holds values of variant `$t` (else `None`).
macro_rules! spare_vec {
    ($spare:expr, $t:ident) => {
        match $spare {
            Some(Array::$t(a)) => Some(a.into_raw_vec_and_offset().0),
            _ => None,
        }
    };
}

impl NcSource {
    /// [`Source::read`] without the remote statistics.
    fn read_local(&self, var: &str, start: &[usize], count: &[usize], spare: Option<Array>) -> Result<Array, IoError> {
        let v = self.ds.var(var).ok_or_else(|| IoError::NoVariable(var.to_string()))?;
        crate::check_selection(v, start, count)
            .map_err(|e| IoError::Read { path: self.path.clone(), msg: e.to_string() })?;
        Ok(match v.dtype {
            DType::I8 => Array::I8(self.read_typed(v, start, count, spare_vec!(spare, I8))?),
            DType::U8 => Array::U8(self.read_typed(v, start, count, spare_vec!(spare, U8))?),
            DType::I16 => Array::I16(self.read_typed(v, start, count, spare_vec!(spare, I16))?),
            DType::U16 => Array::U16(self.read_typed(v, start, count, spare_vec!(spare, U16))?),
            DType::I32 => Array::I32(self.read_typed(v, start, count, spare_vec!(spare, I32))?),
            DType::U32 => Array::U32(self.read_typed(v, start, count, spare_vec!(spare, U32))?),
            DType::I64 => Array::I64(self.read_typed(v, start, count, spare_vec!(spare, I64))?),
            DType::U64 => Array::U64(self.read_typed(v, start, count, spare_vec!(spare, U64))?),
            DType::F32 => Array::F32(self.read_typed(v, start, count, spare_vec!(spare, F32))?),
            DType::F64 => Array::F64(self.read_typed(v, start, count, spare_vec!(spare, F64))?),
            DType::Char | DType::Str => self.read_text(v, start, count)?,
        })
    }
}

/// [`Elem::swap_from_be`], built for AVX2 when the CPU has it (a byte shuffle per vector; the
/// baseline x86-64 build has no byte shuffle and swaps one value at a time).
fn swap_from_be<T: Elem>(v: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            #[target_feature(enable = "avx2")]
            fn avx2<T: Elem>(v: &mut [T]) {
                T::swap_from_be(v);
            }
            // SAFETY: the CPU supports AVX2 (checked above).
            #[allow(unsafe_code)]
            unsafe {
                return avx2(v);
            }
        }
    }
    T::swap_from_be(v);
}
