//! References of a NetCDF-4 (HDF5) file, as kerchunk's `SingleHdf5ToZarr` builds them: the
//! chunk index from `hdf5-reader` (file offsets and sizes), the HDF5 filter pipeline as Zarr
//! v2 `filters` (shuffle → `shuffle{elementsize}`, deflate → `zlib{level}`, fletcher32 → the
//! 4 trailing checksum bytes left out of each range), `compressor: null`. Contiguous datasets
//! are one chunk covering the whole shape (unless never written), compact ones embedded.

use super::{read_err, Chunk, Ctx, VarRefs};
use crate::{IoError, Source};
use hdf5_reader::error::ByteOrder;
use hdf5_reader::filters::{FILTER_DEFLATE, FILTER_FLETCHER32, FILTER_SHUFFLE};
use hdf5_reader::messages::layout::DataLayout;
use hdf5_reader::messages::HdfMessage;
use hdf5_reader::{Datatype, Hdf5File, SliceInfo};
use rookery_cf::Variable;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The Zarr dtype of an HDF5 numeric type, in the file's byte order.
fn dtype(dt: &Datatype) -> Option<String> {
    let (kind, size, order) = match dt {
        Datatype::FixedPoint { size, signed, byte_order, .. } => (if *signed { 'i' } else { 'u' }, *size, *byte_order),
        Datatype::FloatingPoint { size, byte_order, .. } => ('f', *size, *byte_order),
        _ => return None,
    };
    let e = if size == 1 {
        '|'
    } else if order == ByteOrder::LittleEndian {
        '<'
    } else {
        '>'
    };
    Some(format!("{e}{kind}{size}"))
}

/// References of every variable of the file.
pub(crate) fn variables(ctx: &Ctx<'_>) -> Result<Vec<VarRefs>, IoError> {
    let h5 = match ctx.src.remote_storage() {
        Some(st) => {
            let st: hdf5_reader::storage::DynStorage = st.clone();
            Hdf5File::from_storage(st)
        }
        None => Hdf5File::open(ctx.path),
    }
    .map_err(|e| read_err(ctx.path, &e.to_string()))?;
    let mut out = Vec::new();
    for v in &ctx.src.dataset().vars {
        out.push(variable(ctx, &h5, v)?);
    }
    Ok(out)
}

fn variable(ctx: &Ctx<'_>, h5: &Hdf5File, v: &Variable) -> Result<VarRefs, IoError> {
    let err = |e: hdf5_reader::error::Error| read_err(ctx.path, &format!("variable {}: {e}", v.name));
    if !v.dtype.is_numeric() {
        return ctx.embedded(v, "text data");
    }
    let ds = h5.dataset(&v.name).map_err(err)?;
    let Some(zdtype) = dtype(ds.dtype()) else {
        return ctx.embedded(v, "unsupported data type");
    };
    if ds.shape().iter().zip(&v.shape).any(|(&a, &b)| a != b as u64) || ds.ndim() != v.shape.len() {
        return ctx.embedded(v, "shape differs from the netCDF dimensions");
    }
    let header = h5.get_or_parse_header(ds.address()).map_err(err)?;
    let layout = header.messages.iter().find_map(|m| match m {
        HdfMessage::DataLayout(l) => Some(l.layout.clone()),
        _ => None,
    });
    let base = h5.superblock().base_address;
    let all: Vec<u64> = v.shape.iter().map(|&n| n.max(1) as u64).collect();
    match layout {
        Some(DataLayout::Contiguous { address, size }) => {
            let mut chunks = BTreeMap::new();
            if address != u64::MAX && size > 0 && !v.shape.contains(&0) {
                chunks.insert(vec![0; v.shape.len()], ctx.chunk(base + address, size)?);
            }
            Ok(VarRefs {
                name: v.name.clone(),
                zarray: ctx.zarray(v, &zdtype, &all, Value::Null),
                zattrs: ctx.zattrs(v),
                chunks,
            })
        }
        Some(DataLayout::Compact { data }) => {
            let mut chunks = BTreeMap::new();
            if !data.is_empty() && !v.shape.contains(&0) {
                chunks.insert(vec![0; v.shape.len()], Chunk::Inline(data));
            }
            Ok(VarRefs {
                name: v.name.clone(),
                zarray: ctx.zarray(v, &zdtype, &all, Value::Null),
                zattrs: ctx.zattrs(v),
                chunks,
            })
        }
        Some(DataLayout::Chunked { .. }) => chunked(ctx, &ds, v, &zdtype),
        None => ctx.embedded(v, "no data layout"),
    }
}

fn chunked(ctx: &Ctx<'_>, ds: &hdf5_reader::Dataset, v: &Variable, zdtype: &str) -> Result<VarRefs, IoError> {
    let err = |e: hdf5_reader::error::Error| read_err(ctx.path, &format!("variable {}: {e}", v.name));
    let Some(plan) = ds.chunk_read_plan(&SliceInfo::all(v.shape.len())).map_err(err)? else {
        return ctx.embedded(v, "padded chunked layout");
    };
    let mut filters = Vec::new();
    let mut fletcher = false;
    for (i, f) in plan.filters.iter().enumerate() {
        match f.id {
            FILTER_SHUFFLE => filters.push(json!({"id": "shuffle", "elementsize": plan.element_size})),
            FILTER_DEFLATE => {
                let level = f.client_data.first().copied().unwrap_or(1);
                filters.push(json!({"id": "zlib", "level": level}));
            }
            // The checksum is applied last when writing: it trails each chunk.
            FILTER_FLETCHER32 if i + 1 == plan.filters.len() => fletcher = true,
            id => return ctx.embedded(v, &format!("HDF5 filter {id}")),
        }
    }
    if plan.chunks.iter().any(|c| c.filter_mask != 0) {
        return ctx.embedded(v, "chunks with skipped filters");
    }
    let mut chunks = BTreeMap::new();
    for c in &plan.chunks {
        let idx: Vec<u64> = c.offsets.iter().zip(&plan.chunk_shape).map(|(&o, &n)| o / n.max(1)).collect();
        let size = (c.size as u64).saturating_sub(if fletcher { 4 } else { 0 });
        chunks.insert(idx, ctx.chunk(c.storage_offset, size)?);
    }
    let filters = if filters.is_empty() { Value::Null } else { Value::Array(filters) };
    Ok(VarRefs {
        name: v.name.clone(),
        zarray: ctx.zarray(v, zdtype, &plan.chunk_shape, filters),
        zattrs: ctx.zattrs(v),
        chunks,
    })
}
