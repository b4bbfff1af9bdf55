//! One writer for any output format: NetCDF ([`NcWriter`], write.rs) or Zarr
//! ([`ZarrWriter`], zarr_write.rs), above both so neither needs the other.

use crate::write::{NcWriter, OutputFormat, Staged, WriteOptions};
use crate::zarr_write::ZarrWriter;
use crate::IoError;
use rookery_cf::{Array, Dataset};
use std::path::{Path, PathBuf};

/// A writer for any output format: NetCDF ([`NcWriter`]) or Zarr ([`ZarrWriter`]), with the
/// same create → write → close/finish interface; every write first checks the options'
/// cancellation flag.
pub struct Writer {
    out: Out,
    cancel: crate::Cancel,
}

/// The format's writer.
enum Out {
    /// NetCDF-4 or classic NetCDF.
    Nc(NcWriter),
    /// Zarr 2 or 3 store.
    Zarr(ZarrWriter),
}

impl Writer {
    /// Creates the output for `ds` at `dest` in `opts.format` (see [`NcWriter::create`]).
    ///
    /// # Errors
    /// As [`NcWriter::create`] / [`ZarrWriter::create`].
    pub fn create(dest: &Path, ds: &Dataset, opts: &WriteOptions) -> Result<Writer, IoError> {
        opts.cancel.check()?;
        let out = match opts.format {
            OutputFormat::Zarr3 => Out::Zarr(ZarrWriter::create(dest, ds, opts, true)?),
            OutputFormat::Zarr2 => Out::Zarr(ZarrWriter::create(dest, ds, opts, false)?),
            OutputFormat::Nc4 | OutputFormat::Nc3 => Out::Nc(NcWriter::create(dest, ds, opts)?),
        };
        Ok(Writer { out, cancel: opts.cancel.clone() })
    }

    /// Writes `data` at `start` into variable `var`.
    ///
    /// # Errors
    /// As [`NcWriter::write`]; [`IoError::Cancelled`] once the flag is set.
    pub fn write(&mut self, var: &str, start: &[usize], data: &Array) -> Result<(), IoError> {
        self.cancel.check()?;
        match &mut self.out {
            Out::Nc(w) => w.write(var, start, data),
            Out::Zarr(w) => w.write(var, start, data),
        }
    }

    /// Closes the output under its temporary name.
    ///
    /// # Errors
    /// As [`NcWriter::close`]; [`IoError::Cancelled`] once the flag is set (the partial
    /// output is removed as the dropped writer's temporary file).
    pub fn close(self) -> Result<Staged, IoError> {
        self.cancel.check()?;
        match self.out {
            Out::Nc(w) => w.close(),
            Out::Zarr(w) => w.close(),
        }
    }

    /// Closes the output and renames it to its final name.
    ///
    /// # Errors
    /// As [`NcWriter::finish`].
    pub fn finish(self) -> Result<PathBuf, IoError> {
        self.close()?.commit()
    }
}
