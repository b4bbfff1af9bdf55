//! References of a classic NetCDF file (CDF-1/2/5), as kerchunk's `NetCDF3ToZarr` builds
//! them: non-record variables are one chunk (the whole array), record variables one chunk
//! per record (`(1, …)`) at `begin + i * recsize`; data stay big-endian (`>f4`), without
//! compression.

use super::{read_err, Ctx, VarRefs};
use crate::{IoError, Source};
use netcdf_reader::NcType;
use serde_json::Value;
use std::collections::BTreeMap;

/// A chunk's index and where its bytes are: `(index, offset, length)`.
type ChunkRef = (Vec<u64>, u64, u64);

fn dtype(t: &NcType) -> Option<&'static str> {
    Some(match t {
        NcType::Byte => "|i1",
        NcType::UByte => "|u1",
        NcType::Char => "|S1",
        NcType::Short => ">i2",
        NcType::UShort => ">u2",
        NcType::Int => ">i4",
        NcType::UInt => ">u4",
        NcType::Int64 => ">i8",
        NcType::UInt64 => ">u8",
        NcType::Float => ">f4",
        NcType::Double => ">f8",
        _ => return None,
    })
}

/// References of every variable of the file.
pub(crate) fn variables(ctx: &Ctx<'_>) -> Result<Vec<VarRefs>, IoError> {
    let classic = ctx.src.nc_file()?.as_classic().ok_or_else(|| read_err(ctx.path, "not a classic NetCDF file"))?;
    let raw = &classic.root_group().variables;
    let stride =
        netcdf_reader::classic::data::compute_record_stride(raw).map_err(|e| read_err(ctx.path, &e.to_string()))?;
    let mut out = Vec::new();
    for v in &ctx.src.dataset().vars {
        let Some(r) = raw.iter().find(|r| r.name == v.name) else {
            continue;
        };
        let Some(zdtype) = dtype(&r.dtype) else {
            out.push(ctx.embedded(v, "unsupported data type")?);
            continue;
        };
        let esize = v.dtype.size().max(1) as u64;
        let mut chunks = BTreeMap::new();
        let (cshape, refs): (Vec<u64>, Vec<ChunkRef>) = if r.is_record_var {
            let mut cs: Vec<u64> = v.shape.iter().map(|&n| n.max(1) as u64).collect();
            cs[0] = 1;
            let per: u64 = v.shape[1..].iter().map(|&n| n as u64).product::<u64>() * esize;
            let refs = (0..v.shape[0] as u64)
                .map(|i| {
                    let mut idx = vec![0u64; v.shape.len()];
                    idx[0] = i;
                    (idx, r.data_offset + i * stride, per)
                })
                .collect();
            (cs, refs)
        } else {
            let cs: Vec<u64> = v.shape.iter().map(|&n| n.max(1) as u64).collect();
            let n = v.shape.iter().map(|&n| n as u64).product::<u64>() * esize;
            (cs, vec![(vec![0u64; v.shape.len()], r.data_offset, n)])
        };
        for (idx, off, size) in refs {
            if size > 0 {
                chunks.insert(idx, ctx.chunk(off, size)?);
            }
        }
        out.push(VarRefs {
            name: v.name.clone(),
            zarray: ctx.zarray(v, zdtype, &cshape, Value::Null),
            zattrs: ctx.zattrs(v),
            chunks,
        });
    }
    Ok(out)
}
