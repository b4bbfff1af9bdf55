//! The roocs-grids files built into the binary, so that every grid id works with no
//! configuration (clisops users get the `roocs-grids` package with it). Each file's grid as
//! [`super::grids::from_file`] reads it — axes, bounds, land fraction as stored before scaling,
//! `nominal_resolution` — is kept bit for bit in a small zstd-compressed record
//! (`crates/rookery-ops/grids/<file>.bin.zst`, 0.5 MB for all nineteen); the test below checks
//! each record against the file in `../shared/data/grids` and rewrites the records when
//! `ROOKERY_WRITE_BUILTIN_GRIDS=1` is set. A configured `grids_dir` is read instead.
//!
//! Record layout (little endian): `b"RKG1"`, `ny: u32`, `nx: u32`, latitudes (`ny` f64),
//! longitudes (`nx` f64), a bounds flag `u8` then `ny` and `nx` `[lo, hi]` f64 pairs, the
//! nominal resolution (`u16` length + UTF-8, length 0 = none), a land flag `u8` then the
//! divisor f64 and `ny * nx` f64 values. Float arrays are byte-shuffled before compression.

use super::grids::{HGrid, Layout};
use crate::OpError;

macro_rules! records {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_bytes!(concat!("../../grids/", $file, ".bin.zst")))),*]
    };
}

/// (file name, compressed record) of every roocs-grids file.
static RECORDS: &[(&str, &[u8])] = records![
    "cmip6_145x288_scrip.20181001.nc",
    "cmip6_180x360_scrip.20181001.nc",
    "cmip6_241x480_scrip.20181001.nc",
    "cmip6_361x576_scrip.20181001.nc",
    "cmip6_720x1440_scrip.20181001.nc",
    "cmip6_721x1440_scrip.20181001.nc",
    "cmip6_72x144_scrip.20181001.nc",
    "grid_T127_lsm_binary.nc",
    "grid_T255.nc",
    "grid_T31.nc",
    "grid_T42.nc",
    "grid_T63_lsm_binary.nc",
    "land_sea_mask_025degree_ERA5.nc",
    "land_sea_mask_025degree_binary.nc4",
    "land_sea_mask_05degree.nc4",
    "land_sea_mask_1degree.nc4",
    "land_sea_mask_1degree_binary.nc4",
    "land_sea_mask_2degree.nc4",
    "land_sea_mask_2degree_binary.nc4",
];

const MAGIC: &[u8; 4] = b"RKG1";

/// The built-in grid of a roocs-grids file (title generated; [`super::grids::from_id`] sets the
/// annotation).
///
/// # Errors
/// A file that is not built in, or a damaged record (a build error, not the user's).
pub fn grid(file: &str) -> Result<HGrid, OpError> {
    let (_, bytes) = RECORDS
        .iter()
        .find(|(f, _)| *f == file)
        .ok_or_else(|| OpError::Data(format!("the grid file {file} is not built in")))?;
    let raw = zstd::decode_all(*bytes).map_err(|e| OpError::Data(format!("built-in grid {file}: {e}")))?;
    let (layout, land, nominal) =
        decode(&raw).ok_or_else(|| OpError::Data(format!("built-in grid {file}: damaged record")))?;
    Ok(super::grids::built(layout, land, nominal))
}

fn shuffle(v: &[f64], out: &mut Vec<u8>) {
    for b in 0..8 {
        out.extend(v.iter().map(|x| x.to_le_bytes()[b]));
    }
}

/// The record of a grid read from a file: its regular layout and the land values as stored
/// with their divisor (100 for percent, else 1).
///
/// # Errors
/// Grids that are not regular (no roocs-grids file is).
pub fn encode(layout: &Layout, land: Option<(&[f64], f64)>, nominal: Option<&str>) -> Result<Vec<u8>, OpError> {
    let Layout::Rect { lat, lon, lat_bnds, lon_bnds } = layout else {
        return Err(OpError::Data("only regular grids are built in".into()));
    };
    let mut out = MAGIC.to_vec();
    for n in [lat.len(), lon.len()] {
        out.extend(u32::try_from(n).map_err(|_| OpError::Data("grid too large".into()))?.to_le_bytes());
    }
    shuffle(lat, &mut out);
    shuffle(lon, &mut out);
    match (lat_bnds, lon_bnds) {
        (Some(a), Some(b)) => {
            out.push(1);
            shuffle(a.as_flattened(), &mut out);
            shuffle(b.as_flattened(), &mut out);
        }
        _ => out.push(0),
    }
    let nom = nominal.unwrap_or("").as_bytes();
    out.extend(
        u16::try_from(nom.len()).map_err(|_| OpError::Data("nominal_resolution too long".into()))?.to_le_bytes(),
    );
    out.extend_from_slice(nom);
    match land {
        Some((v, div)) => {
            out.push(1);
            out.extend(div.to_le_bytes());
            shuffle(v, &mut out);
        }
        None => out.push(0),
    }
    zstd::encode_all(out.as_slice(), 19).map_err(|e| OpError::Data(format!("compressing a grid: {e}")))
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if n > self.0.len() {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }

    fn u32(&mut self) -> Option<usize> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize)
    }

    fn f64s(&mut self, n: usize) -> Option<Vec<f64>> {
        let s = self.take(n.checked_mul(8)?)?;
        Some((0..n).map(|i| f64::from_le_bytes(std::array::from_fn(|b| s[b * n + i]))).collect())
    }

    fn pairs(&mut self, n: usize) -> Option<Vec<[f64; 2]>> {
        Some(self.f64s(2 * n)?.chunks_exact(2).map(|c| [c[0], c[1]]).collect())
    }
}

type Decoded = (Layout, Option<Vec<f64>>, Option<String>);

fn decode(raw: &[u8]) -> Option<Decoded> {
    let mut r = Reader(raw);
    if r.take(4)? != MAGIC {
        return None;
    }
    let (ny, nx) = (r.u32()?, r.u32()?);
    let lat = r.f64s(ny)?;
    let lon = r.f64s(nx)?;
    let (lat_bnds, lon_bnds) = if r.take(1)?[0] == 1 { (Some(r.pairs(ny)?), Some(r.pairs(nx)?)) } else { (None, None) };
    let nl = u16::from_le_bytes(r.take(2)?.try_into().ok()?) as usize;
    let nominal = Some(String::from_utf8(r.take(nl)?.to_vec()).ok()?).filter(|s| !s.is_empty());
    let land = if r.take(1)?[0] == 1 {
        let div = f64::from_le_bytes(r.take(8)?.try_into().ok()?);
        let mut v = r.f64s(ny.checked_mul(nx)?)?;
        if div != 1.0 {
            for x in &mut v {
                *x /= div;
            }
        }
        Some(v)
    } else {
        None
    };
    Some((Layout::Rect { lat, lon, lat_bnds, lon_bnds }, land, nominal))
}

#[cfg(test)]
mod tests {
    use super::super::grids::{self, GRIDS};
    use std::path::Path;

    /// Every built-in grid equals the roocs-grids file it was made from, bit for bit; with
    /// `ROOKERY_WRITE_BUILTIN_GRIDS=1` the records are written from the files first.
    #[test]
    fn built_in_grids_equal_the_files() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/grids");
        let io = rookery_io::IoContext::from_env();
        let write = std::env::var_os("ROOKERY_WRITE_BUILTIN_GRIDS").is_some_and(|v| v == "1");
        for (file, _) in super::RECORDS {
            let path = dir.join(file);
            if write {
                let (layout, land, nominal) = grids::file_record(&io, &path).expect("grid file");
                let bytes = super::encode(&layout, land.as_ref().map(|(v, d)| (v.as_slice(), *d)), nominal.as_deref())
                    .expect("encode");
                let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("grids").join(format!("{file}.bin.zst"));
                std::fs::write(out, bytes).expect("write record");
                continue;
            }
            let from_file = grids::from_file(&io, &path).expect("grid file");
            let built_in = super::grid(file).expect("built in");
            assert_eq!(built_in.layout, from_file.layout, "{file}");
            let bits = |v: &Option<Vec<f64>>| v.as_ref().map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            assert_eq!(bits(&built_in.land), bits(&from_file.land), "{file}");
            assert_eq!(built_in.nominal_resolution, from_file.nominal_resolution, "{file}");
            assert_eq!(built_in.title, from_file.title, "{file}");
        }
        // Every id's file is built in.
        for (id, file, _) in GRIDS {
            assert!(super::RECORDS.iter().any(|(f, _)| f == file), "{id}: {file}");
        }
    }
}
