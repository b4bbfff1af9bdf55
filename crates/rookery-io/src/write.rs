//! The NetCDF writer (libnetcdf through the `netcdf` crate): NetCDF-4 with deflate + shuffle,
//! chunked one time step per chunk for fields, or classic 64-bit-offset NetCDF.
//!
//! A file is written under a hidden temporary name in the destination directory and renamed
//! when [`NcWriter::finish`] succeeds; a writer dropped before that removes its temporary file
//! ([`TempPath`]), so a failure never leaves a partial output behind. A write that fails for
//! want of space is [`IoError::DiskFull`]; the failed file is emptied and closed with its
//! pending writes discarded (`nc_release`), so no descriptor to the removed file stays open.
//!
//! With [`WriteOptions::parallel`] (the default), the chunks of large compressed variables are
//! compressed on all cores and stored pre-compressed ([`crate::chunk_write`]); libnetcdf still
//! defines the file and writes everything else.

use crate::chunk_write::{ChunkError, DirectChunks};
use crate::nc::one_line;
use crate::space;
use crate::temp::TempPath;
use crate::IoError;
use ndarray::Dimension;
use netcdf::types::NcVariableType;
use netcdf::{AttributeValue, Extent, Extents, FileMut, NcTypeDescriptor, Options};
use rookery_cf::{Array, AttrValue, DType, Dataset};
use std::path::{Path, PathBuf};

/// Output file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// NetCDF-4 (HDF5), compressed.
    Nc4,
    /// Classic NetCDF with 64-bit offsets (CDF-2), uncompressed.
    Nc3,
    /// Zarr format 3 store (directory), gzip-compressed ([`crate::ZarrWriter`]).
    Zarr3,
    /// Zarr format 2 store (directory) with consolidated metadata, zlib-compressed.
    Zarr2,
}

impl OutputFormat {
    /// File extension.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Nc4 | OutputFormat::Nc3 => "nc",
            OutputFormat::Zarr3 | OutputFormat::Zarr2 => "zarr",
        }
    }

    /// Whether the output is a Zarr store.
    #[must_use]
    pub fn is_zarr(self) -> bool {
        matches!(self, OutputFormat::Zarr3 | OutputFormat::Zarr2)
    }
}

/// How to write.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// File format.
    pub format: OutputFormat,
    /// Deflate level for NetCDF-4 (0 = none).
    pub deflate: i32,
    /// Byte shuffle before deflate.
    pub shuffle: bool,
    /// The time (record) dimension: fields get one time step per chunk.
    pub time_dim: Option<String>,
    /// NetCDF-4 with deflate: compress the chunks of variables chunked whole along all but
    /// their first dimension on all cores (libdeflate) and store them pre-compressed, instead
    /// of letting libnetcdf compress them on one thread. Same values, same filters.
    pub parallel: bool,
    /// Writes fail with [`IoError::Cancelled`] once this is set (a dismissed job).
    pub cancel: crate::Cancel,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            format: OutputFormat::Nc4,
            deflate: 1,
            shuffle: true,
            time_dim: None,
            parallel: true,
            cancel: crate::Cancel::default(),
        }
    }
}

impl WriteOptions {
    /// Options for outputs of `src`: deflate + shuffle unless the source stores its data
    /// plainly (a classic file gives an uncompressed NetCDF-4 output, as xarray/clisops write
    /// it, and no time is spent compressing).
    #[must_use]
    pub fn following(src: &dyn crate::Source, format: OutputFormat, time_dim: Option<String>) -> WriteOptions {
        let plain = src.compressed() == Some(false);
        WriteOptions {
            format,
            deflate: if plain { 0 } else { 1 },
            shuffle: !plain,
            time_dim,
            parallel: true,
            cancel: crate::Cancel::default(),
        }
    }
}

/// NetCDF `char` elements for libnetcdf.
#[derive(Clone, Copy)]
#[repr(transparent)]
struct NcChar(u8);
// SAFETY: NcChar is a transparent single byte, the in-memory layout of NC_CHAR.
#[allow(unsafe_code)]
unsafe impl NcTypeDescriptor for NcChar {
    fn type_descriptor() -> NcVariableType {
        NcVariableType::Char
    }
}

/// A NetCDF file being written.
pub struct NcWriter {
    file: Option<FileMut>,
    /// Removed when the writer is dropped unclosed (on every error path).
    tmp: Option<TempPath>,
    dest: PathBuf,
    /// NetCDF-4 with a filter: large writes are flushed at once (see [`NcWriter::write`]).
    filtered: bool,
    /// Variables written as pre-compressed chunks (closed before `file`).
    direct: Option<DirectChunks>,
}

/// Writes of at least this many bytes are flushed to the file right away.
const FLUSH_BYTES: usize = 256 << 10;

/// Free space below which a failed flush or close counts as a full disk (HDF5 writes whole
/// cached chunks then; libnetcdf's chunk cache is 64 MiB at most).
const FLUSH_NEED: u64 = 64 << 20;

/// Free space below which a failed create counts as a full disk.
const CREATE_NEED: u64 = 1 << 20;

/// The error of a failed libnetcdf call on `dest`: [`IoError::DiskFull`] when the library's
/// code, the errno the call left (`errno`, read right after it) or the space left (less than
/// `need` bytes) say the disk is full; else [`IoError::Write`] with `what` and the library's
/// message.
fn nc_error(dest: &Path, e: &netcdf::Error, errno: Option<i32>, need: u64, what: &str) -> IoError {
    if let netcdf::Error::Netcdf(code) = e {
        let dir = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        // libnetcdf returns errno values as they are (classic files) and its own codes
        // negative (`NC_EHDFERR` for any HDF5 failure); a NetCDF-4 create that HDF5 refuses
        // is `EACCES` whatever the cause. Those are told apart by the errno the call left and
        // the space left; any other errno speaks for itself.
        let full = if *code > 0 && *code != libc::EACCES {
            space::is_no_space_code(*code)
        } else {
            space::is_disk_full(dir, &[errno], need)
        };
        if full {
            return disk_full(dest);
        }
    }
    IoError::Write { path: dest.to_path_buf(), msg: format!("{what}{}", one_line(&e.to_string())) }
}

/// [`IoError::DiskFull`] for `dest` (its file name only).
pub(crate) fn disk_full(dest: &Path) -> IoError {
    IoError::DiskFull {
        name: crate::temp::escape(&dest.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())),
    }
}

fn attr_value(v: &AttrValue) -> AttributeValue {
    match v {
        // An empty text attribute as one NUL, as netCDF4-python writes it: written with length 0
        // it reads back as an empty NC_STRING array (a list, not a string, in netCDF4-python,
        // which xarray cannot decode as a `coordinates` attribute).
        AttrValue::Text(s) if s.is_empty() => AttributeValue::Str("\0".into()),
        AttrValue::Text(s) => AttributeValue::Str(s.clone()),
        AttrValue::Strings(v) => AttributeValue::Strs(v.clone()),
        AttrValue::I8(v) => AttributeValue::Schars(v.clone()),
        AttrValue::U8(v) => AttributeValue::Uchars(v.clone()),
        AttrValue::I16(v) => AttributeValue::Shorts(v.clone()),
        AttrValue::U16(v) => AttributeValue::Ushorts(v.clone()),
        AttrValue::I32(v) => AttributeValue::Ints(v.clone()),
        AttrValue::U32(v) => AttributeValue::Uints(v.clone()),
        AttrValue::I64(v) => AttributeValue::Longlongs(v.clone()),
        AttrValue::U64(v) => AttributeValue::Ulonglongs(v.clone()),
        AttrValue::F32(v) => AttributeValue::Floats(v.clone()),
        AttrValue::F64(v) => AttributeValue::Doubles(v.clone()),
    }
}

fn nc_type(d: DType) -> NcVariableType {
    use netcdf::types::{FloatType, IntType};
    match d {
        DType::I8 => NcVariableType::Int(IntType::I8),
        DType::U8 => NcVariableType::Int(IntType::U8),
        DType::I16 => NcVariableType::Int(IntType::I16),
        DType::U16 => NcVariableType::Int(IntType::U16),
        DType::I32 => NcVariableType::Int(IntType::I32),
        DType::U32 => NcVariableType::Int(IntType::U32),
        DType::I64 => NcVariableType::Int(IntType::I64),
        DType::U64 => NcVariableType::Int(IntType::U64),
        DType::F32 => NcVariableType::Float(FloatType::F32),
        DType::F64 => NcVariableType::Float(FloatType::F64),
        DType::Char => NcVariableType::Char,
        DType::Str => NcVariableType::String,
    }
}

/// Attribute values with text made valid UTF-8 on one line-safe path (attributes from
/// `netcdf-reader` are already `String`s; this strips NULs that libnetcdf would truncate at).
fn clean(v: &AttrValue) -> AttrValue {
    match v {
        AttrValue::Text(s) if s.contains('\0') => AttrValue::Text(s.replace('\0', "")),
        other => other.clone(),
    }
}

impl NcWriter {
    /// Creates the file for `ds` (all dimensions, variables and attributes defined; no data)
    /// under a temporary name next to `dest`.
    ///
    /// # Errors
    /// A type the format cannot hold, or an I/O failure.
    pub fn create(dest: &Path, ds: &Dataset, opts: &WriteOptions) -> Result<NcWriter, IoError> {
        let werr = |msg: String| IoError::Write { path: dest.to_path_buf(), msg };
        // Guarded before anything exists: a create that fails half-way leaves nothing.
        let tmp = TempPath::for_dest(dest)?;
        if opts.format == OutputFormat::Nc3 {
            if let Some(v) = ds.vars.iter().find(|v| {
                !matches!(v.dtype, DType::I8 | DType::I16 | DType::I32 | DType::F32 | DType::F64 | DType::Char)
            }) {
                return Err(werr(format!(
                    "variable {} of type {} cannot be stored in classic NetCDF; use the nc (NetCDF-4) output format",
                    v.name,
                    v.dtype.cdl_name()
                )));
            }
        }
        let flags = match opts.format {
            OutputFormat::Nc4 => Options::NETCDF4,
            OutputFormat::Nc3 => Options::_64BIT_OFFSET,
            OutputFormat::Zarr3 | OutputFormat::Zarr2 => {
                return Err(werr("a Zarr store is written by ZarrWriter (use Writer::create)".into()));
            }
        };
        let file = netcdf::create_with(tmp.path(), flags)
            .map_err(|e| nc_error(dest, &e, space::last_errno(), CREATE_NEED, ""))?;
        let mut w = NcWriter {
            file: Some(file),
            tmp: Some(tmp),
            dest: dest.to_path_buf(),
            filtered: opts.format == OutputFormat::Nc4 && (opts.deflate > 0 || opts.shuffle),
            direct: None,
        };
        let r = w.define(ds, opts);
        if let Err(e) = r {
            return Err(nc_error(dest, &e, space::last_errno(), FLUSH_NEED, ""));
        }
        if opts.parallel && opts.format == OutputFormat::Nc4 && opts.deflate > 0 {
            w.open_direct(ds, opts)?;
        }
        Ok(w)
    }

    /// Ends define mode (libnetcdf creates the datasets) and opens the variables that are
    /// written as pre-compressed chunks; if HDF5 cannot open them, everything stays with
    /// libnetcdf.
    fn open_direct(&mut self, ds: &Dataset, opts: &WriteOptions) -> Result<(), IoError> {
        let (Some(f), Some(tmp)) = (self.file.as_mut(), self.tmp.as_ref()) else { return Ok(()) };
        let r = f.enddef().and_then(|()| f.sync());
        let errno = space::last_errno();
        r.map_err(|e| nc_error(&self.dest, &e, errno, FLUSH_NEED, ""))?;
        let td = opts.time_dim.as_deref();
        match DirectChunks::open(tmp.path(), ds, opts.deflate, opts.shuffle, |v| chunk_shape(v, td)) {
            Ok(d) => self.direct = d,
            Err(e) => tracing::debug!("{}: chunks compressed by libnetcdf ({e})", self.dest.display()),
        }
        Ok(())
    }

    /// The error of a failed direct chunk write of `var`.
    fn chunk_error(&self, e: &ChunkError, var: &str) -> IoError {
        if let ChunkError::H5(_, errno) = e {
            let dir = self.dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if space::is_disk_full(dir, &[*errno], FLUSH_NEED) {
                return disk_full(&self.dest);
            }
        }
        IoError::Write { path: self.dest.clone(), msg: format!("variable {var}: {e}") }
    }

    fn define(&mut self, ds: &Dataset, opts: &WriteOptions) -> Result<(), netcdf::Error> {
        let Some(f) = self.file.as_mut() else {
            return Ok(());
        };
        for d in &ds.dims {
            if d.unlimited {
                f.add_unlimited_dimension(&d.name)?;
            } else {
                f.add_dimension(&d.name, d.len)?;
            }
        }
        for (n, v) in ds.attrs.iter() {
            let v = match (opts.format, clean(v)) {
                (OutputFormat::Nc3, AttrValue::Strings(s)) => AttrValue::Text(s.join("\n")),
                (_, v) => v,
            };
            f.add_attribute(n, attr_value(&v))?;
        }
        for v in &ds.vars {
            let dims: Vec<&str> = v.dims.iter().map(String::as_str).collect();
            let mut var = f.add_variable_with_type(&v.name, &dims, &nc_type(v.dtype))?;
            if opts.format == OutputFormat::Nc4 && !v.dims.is_empty() && v.dtype.is_numeric() {
                let chunks = chunk_shape(v, opts.time_dim.as_deref());
                if chunks.iter().all(|&c| c > 0) {
                    var.set_chunking(&chunks)?;
                    if opts.deflate > 0 {
                        var.set_compression(opts.deflate, opts.shuffle)?;
                    }
                }
            }
            // _FillValue first, with the variable's own type, as libnetcdf requires.
            if let Some(fv) = v.attrs.get("_FillValue").and_then(AttrValue::as_f64) {
                if v.dtype.is_numeric() {
                    var.put_attribute("_FillValue", attr_value(&AttrValue::scalar_of(v.dtype, fv)))?;
                }
            }
            for (n, a) in v.attrs.iter() {
                if n == "_FillValue" {
                    continue;
                }
                let a = match (opts.format, clean(a)) {
                    (OutputFormat::Nc3, AttrValue::Strings(s)) => AttrValue::Text(s.join("\n")),
                    (_, a) => a,
                };
                var.put_attribute(n, attr_value(&a))?;
            }
        }
        if opts.format == OutputFormat::Nc3 {
            // Classic files must leave define mode explicitly before data is written.
            f.enddef()?;
        }
        Ok(())
    }

    /// Writes `data` at `start` into variable `var`.
    ///
    /// A large write to a compressed NetCDF-4 file is flushed before returning: HDF5 would
    /// otherwise keep the chunks in its cache and compress all of them when the file is
    /// closed, after everything has been read, instead of while the caller prepares the next
    /// block (see `rookery-ops` `output.rs`).
    ///
    /// # Errors
    /// Unknown variable, shape/type mismatch, I/O failure.
    pub fn write(&mut self, var: &str, start: &[usize], data: &Array) -> Result<(), IoError> {
        if let Some(d) = self.direct.as_mut() {
            match d.write(var, start, data) {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(e) => return Err(self.chunk_error(&e, var)),
            }
        }
        let dest = self.dest.clone();
        let werr = |msg: String| IoError::Write { path: dest.clone(), msg };
        let f = self.file.as_mut().ok_or_else(|| werr("file already closed".into()))?;
        let mut v = f.variable_mut(var).ok_or_else(|| werr(format!("no variable {var} in the output")))?;
        let shape = data.shape();
        if shape.contains(&0) {
            return Ok(());
        }
        let extents: Extents = if start.is_empty() {
            Extents::All
        } else {
            Extents::from(start.iter().zip(&shape).map(|(&s, &n)| Extent::from(s..s + n)).collect::<Vec<_>>())
        };
        macro_rules! put {
            ($a:expr) => {{
                let a = $a.as_standard_layout();
                let s = a.as_slice().ok_or_else(|| werr("non-contiguous data".into()))?;
                v.put_values(s, extents)
            }};
        }
        let r = match data {
            Array::I8(a) => put!(a),
            Array::U8(a) => put!(a),
            Array::I16(a) => put!(a),
            Array::U16(a) => put!(a),
            Array::I32(a) => put!(a),
            Array::U32(a) => put!(a),
            Array::I64(a) => put!(a),
            Array::U64(a) => put!(a),
            Array::F32(a) => put!(a),
            Array::F64(a) => put!(a),
            Array::Char(a) => {
                let chars = a.mapv(NcChar);
                put!(chars)
            }
            Array::Str(a) => {
                let mut r = Ok(());
                for (idx, s) in a.indexed_iter() {
                    let pos: Vec<Extent> =
                        idx.slice().iter().zip(start).map(|(&i, &s0)| Extent::from(s0 + i)).collect();
                    r = v.put_string(s, Extents::from(pos));
                    if r.is_err() {
                        break;
                    }
                }
                r
            }
        };
        let nbytes = shape.iter().product::<usize>() * data.dtype().size();
        let errno = space::last_errno();
        r.map_err(|e| nc_error(&dest, &e, errno, nbytes as u64, &format!("variable {var}: ")))?;
        if self.filtered && nbytes >= FLUSH_BYTES {
            let r = f.sync();
            let errno = space::last_errno();
            r.map_err(|e| nc_error(&dest, &e, errno, FLUSH_NEED, &format!("variable {var}: ")))?;
        }
        Ok(())
    }

    /// Closes the file, still under its temporary name; [`Staged::commit`] renames it.
    ///
    /// # Errors
    /// Close failure (the temporary file is then removed).
    pub fn close(mut self) -> Result<Staged, IoError> {
        if let Some(mut d) = self.direct.take() {
            d.finish().map_err(|e| self.chunk_error(&e, "(last chunks)"))?;
        }
        if let Some(f) = self.file.as_ref() {
            // Everything is flushed while the file is still ours: a flush that fails (a full
            // disk) is handled by Drop, which can still close the file after emptying it; a
            // failed nc_close would leave libnetcdf holding the descriptor.
            let r = f.sync();
            let errno = space::last_errno();
            r.map_err(|e| nc_error(&self.dest, &e, errno, FLUSH_NEED, ""))?;
        }
        if let Some(f) = self.file.take() {
            let r = f.close();
            let errno = space::last_errno();
            r.map_err(|e| nc_error(&self.dest, &e, errno, FLUSH_NEED, ""))?;
        }
        let tmp = self.tmp.take().map(TempPath::keep).unwrap_or_default();
        Ok(Staged { tmp, dest: std::mem::take(&mut self.dest) })
    }

    /// Closes the file and renames it to its final name.
    ///
    /// # Errors
    /// Close or rename failure (the temporary file is then removed).
    pub fn finish(self) -> Result<PathBuf, IoError> {
        self.close()?.commit()
    }
}

impl Drop for NcWriter {
    fn drop(&mut self) {
        // HDF5's handles of the direct writes go first: libnetcdf closes the file.
        self.direct = None;
        if let Some(f) = self.file.take() {
            // Unfinished: the file goes. Emptied first (its space comes back at once), then
            // closed with its pending writes discarded: libnetcdf would keep the descriptor of
            // a file whose last flush fails on a full disk.
            match &self.tmp {
                Some(t) => {
                    empty_file(t.path());
                    crate::nc_release::close_failed(f, t.path());
                }
                None => drop(f),
            }
        }
        if let Some(t) = self.tmp.take() {
            let path = t.path().to_path_buf();
            drop(t);
            release_deleted(&path);
        }
    }
}

/// Truncates `path` to nothing (best effort).
fn empty_file(path: &Path) {
    if let Ok(f) = std::fs::OpenOptions::new().write(true).open(path) {
        let _ = f.set_len(0);
    }
}

/// Last resort after removing `path`: a descriptor to it that the library still holds (its
/// close failed all the same) is emptied through `/proc/self/fd`, so its space comes back
/// although the descriptor stays open until the process ends.
fn release_deleted(path: &Path) {
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else { return };
    let gone = {
        let mut s = path.as_os_str().to_os_string();
        s.push(" (deleted)");
        PathBuf::from(s)
    };
    for fd in fds.filter_map(Result::ok) {
        if std::fs::read_link(fd.path()).is_ok_and(|l| l == gone) {
            tracing::warn!("a descriptor to the removed temporary output {} stays open; emptied", path.display());
            empty_file(&fd.path());
        }
    }
}

/// A complete file under its temporary name, waiting to be renamed; dropped uncommitted, it
/// is removed. Several outputs of one request are committed together, so a failure part-way
/// leaves none of them.
pub struct Staged {
    tmp: PathBuf,
    dest: PathBuf,
}

impl Staged {
    /// A complete file or directory `tmp` to be renamed to `dest`.
    pub(crate) fn new(tmp: PathBuf, dest: PathBuf) -> Staged {
        Staged { tmp, dest }
    }

    /// The final path.
    #[must_use]
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Renames the file to its final name.
    ///
    /// # Errors
    /// Rename failure.
    pub fn commit(mut self) -> Result<PathBuf, IoError> {
        let tmp = std::mem::take(&mut self.tmp);
        if tmp.is_dir() && self.dest.is_dir() {
            // A store replaces an earlier one of the same name, as a file would.
            let _ = std::fs::remove_dir_all(&self.dest);
        }
        std::fs::rename(&tmp, &self.dest).map_err(|e| {
            remove_path(&tmp);
            if space::is_no_space(&e) {
                disk_full(&self.dest)
            } else {
                IoError::Write { path: self.dest.clone(), msg: e.to_string() }
            }
        })?;
        Ok(self.dest.clone())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            remove_path(&self.tmp);
        }
    }
}

pub(crate) use crate::temp::remove_path;

/// The checked hidden temporary name next to `dest` (see [`TempPath::for_dest`]), unguarded:
/// the caller removes it on failure.
///
/// # Errors
/// As [`TempPath::for_dest`].
pub(crate) fn temp_path(dest: &Path) -> Result<PathBuf, IoError> {
    TempPath::for_dest(dest).map(TempPath::keep)
}

/// Chunk shape: fields (two or more dimensions besides time) get one time step per chunk;
/// smaller variables get chunks of about 4 MiB along time.
pub(crate) fn chunk_shape(v: &rookery_cf::Variable, time_dim: Option<&str>) -> Vec<usize> {
    let taxis = time_dim.and_then(|t| v.axis_of(t));
    let mut chunks = v.shape.clone();
    if let Some(ax) = taxis {
        let step_bytes: usize =
            v.shape.iter().enumerate().filter(|&(i, _)| i != ax).map(|(_, &n)| n).product::<usize>() * v.dtype.size();
        let field = v.shape.len() > 2;
        let n = if field { 1 } else { (4 << 20) / step_bytes.max(1) };
        chunks[ax] = n.clamp(1, v.shape[ax].max(1));
    }
    // An unlimited or empty dimension of length 0 still needs a positive chunk.
    for c in &mut chunks {
        if *c == 0 {
            *c = 1;
        }
    }
    chunks
}
