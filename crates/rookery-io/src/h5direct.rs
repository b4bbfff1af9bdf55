//! HDF5 direct chunk writes into a NetCDF-4 file that libnetcdf has open.
//!
//! Why FFI: libnetcdf compresses every chunk itself, on one thread, with zlib. To compress on
//! all cores (libdeflate, in `chunk_write.rs`) the compressed chunks are handed to HDF5 as
//! they are (`H5Dwrite_chunk`, HDF5 ≥ 1.10.3), which neither libnetcdf nor the `netcdf` crate
//! offers, and no maintained crate wraps it without pulling in a second HDF5 binding. So this
//! one module calls the C library directly (the `hdf5-metno-sys` declarations that
//! `netcdf-sys` already links), behind safe wrappers: handles are owned values closed on drop,
//! every buffer passed is a live slice of the stated length, and every call holds the lock
//! that the `netcdf` crate takes around libnetcdf (HDF5 here is not thread-safe).
//!
//! The file is opened a second time by name while libnetcdf holds it: HDF5 recognises the
//! same file and shares one open-file structure between both handles (metadata and datasets
//! stay coherent); the handles opened here are closed before libnetcdf closes the file.
#![allow(unsafe_code)]

use hdf5_metno_sys::{h5, h5d, h5f, h5i::hid_t, h5p, h5s, h5t};
use std::ffi::CString;
use std::path::Path;

/// HDF5 filter ids (`H5Zpublic.h`).
pub(crate) const FILTER_DEFLATE: i32 = 1;
/// HDF5 filter id of the byte shuffle.
pub(crate) const FILTER_SHUFFLE: i32 = 2;

/// A failed HDF5 call: which one.
#[derive(Debug, thiserror::Error)]
#[error("HDF5 {0} failed")]
pub(crate) struct H5Error(pub(crate) &'static str);

fn check(r: i64, what: &'static str) -> Result<i64, H5Error> {
    if r < 0 {
        Err(H5Error(what))
    } else {
        Ok(r)
    }
}

/// An open HDF5 identifier, closed by `close` on drop.
struct Handle {
    id: hid_t,
    close: unsafe extern "C" fn(hid_t) -> i32,
}

impl Drop for Handle {
    fn drop(&mut self) {
        let _lock = hdf5_metno_sys::LOCK.lock();
        // SAFETY: `id` was returned open by the HDF5 call that made this handle, and is closed
        // only here, once, by the matching close function.
        unsafe { (self.close)(self.id) };
    }
}

/// A file opened read-write.
pub(crate) struct H5File {
    h: Handle,
}

impl H5File {
    /// Opens `path` read-write (it may already be open in libnetcdf).
    pub(crate) fn open_rw(path: &Path) -> Result<H5File, H5Error> {
        let name = CString::new(path.as_os_str().as_encoded_bytes()).map_err(|_| H5Error("H5Fopen (NUL in path)"))?;
        let _lock = hdf5_metno_sys::LOCK.lock();
        // SAFETY: `name` is a NUL-terminated string that outlives the call; H5open has no
        // preconditions and is idempotent.
        let id = unsafe {
            h5::H5open();
            h5f::H5Fopen(name.as_ptr(), h5f::H5F_ACC_RDWR, h5p::H5P_DEFAULT)
        };
        check(id, "H5Fopen")?;
        Ok(H5File { h: Handle { id, close: h5f::H5Fclose } })
    }

    /// Opens the dataset `name` of the root group.
    pub(crate) fn dataset(&self, name: &str) -> Result<H5Dataset, H5Error> {
        let cname = CString::new(name).map_err(|_| H5Error("H5Dopen2 (NUL in name)"))?;
        let _lock = hdf5_metno_sys::LOCK.lock();
        // SAFETY: the file id is open (owned by self); `cname` is NUL-terminated and outlives
        // the call.
        let id = unsafe { h5d::H5Dopen2(self.h.id, cname.as_ptr(), h5p::H5P_DEFAULT) };
        check(id, "H5Dopen2")?;
        let mut d = H5Dataset { h: Handle { id, close: h5d::H5Dclose }, rank: 0 };
        d.rank = d.extent()?.len();
        Ok(d)
    }
}

/// What a dataset stores: element size, chunk shape, filter ids in pipeline order.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Bytes per element.
    pub(crate) elem_size: usize,
    /// Chunk shape (empty when not chunked).
    pub(crate) chunks: Vec<u64>,
    /// Filter ids, first applied first.
    pub(crate) filters: Vec<i32>,
}

/// An open dataset.
pub(crate) struct H5Dataset {
    h: Handle,
    rank: usize,
}

impl H5Dataset {
    /// The dataset's element size, chunk shape and filter pipeline.
    pub(crate) fn layout(&self) -> Result<Layout, H5Error> {
        let _lock = hdf5_metno_sys::LOCK.lock();
        // SAFETY: the dataset id is open; every handle obtained here is closed by `Handle`.
        let dtype = Handle { id: check(unsafe { h5d::H5Dget_type(self.h.id) }, "H5Dget_type")?, close: h5t::H5Tclose };
        // SAFETY: as above.
        let elem_size = unsafe { h5t::H5Tget_size(dtype.id) };
        // SAFETY: as above.
        let dcpl = Handle {
            id: check(unsafe { h5d::H5Dget_create_plist(self.h.id) }, "H5Dget_create_plist")?,
            close: h5p::H5Pclose,
        };
        let mut dims = [0u64; 32];
        // SAFETY: `dims` has room for the 32 dimensions HDF5 allows at most.
        let n = unsafe { h5p::H5Pget_chunk(dcpl.id, 32, dims.as_mut_ptr()) };
        let chunks = if n > 0 { dims[..n as usize].to_vec() } else { Vec::new() };
        // SAFETY: `dcpl` is an open dataset-creation property list.
        let nf = unsafe { h5p::H5Pget_nfilters(dcpl.id) };
        let mut filters = Vec::new();
        for i in 0..nf.max(0) {
            let mut flags = 0u32;
            let mut nelmts: usize = 8;
            let mut cd = [0u32; 8];
            let mut name = [0 as std::ffi::c_char; 64];
            let mut config = 0u32;
            // SAFETY: `i` is below the filter count; `nelmts` gives the capacity of `cd` and
            // the name length that of `name`; all pointers are to live locals.
            let id = unsafe {
                h5p::H5Pget_filter2(
                    dcpl.id,
                    i as u32,
                    &mut flags,
                    &mut nelmts,
                    cd.as_mut_ptr(),
                    name.len(),
                    name.as_mut_ptr(),
                    &mut config,
                )
            };
            filters.push(id);
        }
        Ok(Layout { elem_size, chunks, filters })
    }

    /// The current dimensions.
    pub(crate) fn extent(&self) -> Result<Vec<u64>, H5Error> {
        let _lock = hdf5_metno_sys::LOCK.lock();
        // SAFETY: the dataset id is open; the dataspace handle is closed by `Handle`.
        let space =
            Handle { id: check(unsafe { h5d::H5Dget_space(self.h.id) }, "H5Dget_space")?, close: h5s::H5Sclose };
        let mut dims = [0u64; 32];
        // SAFETY: `dims` has room for the 32 dimensions HDF5 allows at most; maxdims not asked.
        let n = unsafe { h5s::H5Sget_simple_extent_dims(space.id, dims.as_mut_ptr(), std::ptr::null_mut()) };
        check(i64::from(n), "H5Sget_simple_extent_dims")?;
        Ok(dims[..n as usize].to_vec())
    }

    /// Sets the dimensions (growing along an unlimited dimension).
    pub(crate) fn set_extent(&self, dims: &[u64]) -> Result<(), H5Error> {
        if dims.len() != self.rank {
            return Err(H5Error("H5Dset_extent (rank)"));
        }
        let _lock = hdf5_metno_sys::LOCK.lock();
        // SAFETY: the dataset id is open and `dims` holds one value per dimension (checked).
        let r = unsafe { h5d::H5Dset_extent(self.h.id, dims.as_ptr()) };
        check(i64::from(r), "H5Dset_extent").map(drop)
    }

    /// Stores `bytes`, already filtered through the whole pipeline, as the chunk whose first
    /// element is at `offset` (one value per dimension, a multiple of the chunk shape).
    pub(crate) fn write_chunk(&self, offset: &[u64], bytes: &[u8]) -> Result<(), H5Error> {
        if offset.len() != self.rank {
            return Err(H5Error("H5Dwrite_chunk (rank)"));
        }
        let _lock = hdf5_metno_sys::LOCK.lock();
        // SAFETY: the dataset id is open; `offset` has one value per dimension (checked; HDF5
        // checks them against the chunk grid);
        // `bytes` is a live buffer of `bytes.len()` bytes, copied by HDF5 before returning.
        let r = unsafe {
            h5d::H5Dwrite_chunk(self.h.id, h5p::H5P_DEFAULT, 0, offset.as_ptr(), bytes.len(), bytes.as_ptr().cast())
        };
        check(i64::from(r), "H5Dwrite_chunk").map(drop)
    }
}
