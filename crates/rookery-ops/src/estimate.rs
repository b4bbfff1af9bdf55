//! Pre-flight estimates from metadata: how many bytes an operation reads (as stored, and
//! decoded) and writes, before it runs. A subset is planned as it would run (its coordinates
//! are read, no data); other operations read their variables whole, so their estimate is the
//! dataset's size (an upper bound for those that select time steps). Stored sizes scale the
//! decoded ones by the files' compression ratio (file bytes / decoded bytes of the dataset);
//! output files add their metadata.

use crate::subset::{plan_subset, SubsetRequest};
use crate::OpError;
use rookery_io::Source;

/// What an operation is expected to read and write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    /// Decoded bytes read.
    pub read_bytes: u64,
    /// Bytes read from storage (compressed where the files are).
    pub read_stored_bytes: u64,
    /// Decoded bytes written.
    pub output_bytes: u64,
    /// Bytes written to the output files (compressed like the input).
    pub output_stored_bytes: u64,
    /// Stored chunks read, over the variables whose chunk layout is known (`None`: none is,
    /// e.g. classic files).
    pub chunks: Option<u64>,
}

impl std::ops::AddAssign for Estimate {
    fn add_assign(&mut self, o: Estimate) {
        self.read_bytes += o.read_bytes;
        self.read_stored_bytes += o.read_stored_bytes;
        self.output_bytes += o.output_bytes;
        self.output_stored_bytes += o.output_stored_bytes;
        self.chunks = match (self.chunks, o.chunks) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
    }
}

fn decoded_size(src: &dyn Source) -> u64 {
    src.dataset().vars.iter().map(|v| (v.len() * v.dtype.size()) as u64).sum()
}

/// Stored bytes per decoded byte: the local files' sizes over the dataset's decoded size (1
/// when unknown, e.g. remote files).
fn stored_ratio(src: &dyn Source) -> f64 {
    let mut stored = 0u64;
    for p in src.paths() {
        match std::fs::metadata(&p) {
            Ok(m) => stored += m.len(),
            Err(_) => return 1.0,
        }
    }
    let decoded = decoded_size(src);
    if stored == 0 || decoded == 0 {
        1.0
    } else {
        #[allow(clippy::cast_precision_loss)]
        let r = stored as f64 / decoded as f64;
        r.min(1.0)
    }
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
fn scaled(b: u64, r: f64) -> u64 {
    (b as f64 * r).ceil() as u64
}

/// Bytes of NetCDF-4/HDF5 metadata an output file holds per variable (its header, object
/// header, attributes and chunk index): what dominates small outputs.
const OVERHEAD_PER_VAR: u64 = 16 << 10;

/// Chunks of the variables with a known layout that the selection `sel` (dimension → the
/// indices kept; absent: all) touches.
fn chunks_touched(src: &dyn Source, sel: &dyn Fn(&str) -> Option<Vec<usize>>) -> Option<u64> {
    let mut total: Option<u64> = None;
    for v in &src.dataset().vars {
        let Some(c) = src.chunking(&v.name).filter(|c| c.len() == v.dims.len() && c.iter().all(|&x| x > 0)) else {
            continue;
        };
        let mut n = 1u64;
        for ((d, &len), &cl) in v.dims.iter().zip(&v.shape).zip(&c) {
            let k = match sel(d) {
                Some(idx) => {
                    let mut ks: Vec<usize> = idx.iter().map(|i| i / cl).collect();
                    ks.dedup();
                    ks.sort_unstable();
                    ks.dedup();
                    ks.len()
                }
                None => len.div_ceil(cl),
            };
            n *= k as u64;
        }
        total = Some(total.unwrap_or(0) + n);
    }
    total
}

fn with_ratio(src: &dyn Source, read: u64, output: u64) -> Estimate {
    let r = stored_ratio(src);
    let overhead = OVERHEAD_PER_VAR * src.dataset().vars.len() as u64;
    Estimate {
        read_bytes: read,
        read_stored_bytes: scaled(read, r),
        output_bytes: output,
        output_stored_bytes: scaled(output, r) + overhead,
        chunks: None,
    }
}

/// A subset: every variable's selected elements, read and written.
///
/// # Errors
/// As [`plan_subset`]: the request would fail the same way.
pub fn subset(src: &dyn Source, req: &SubsetRequest) -> Result<Estimate, OpError> {
    let plan = plan_subset(src, req)?;
    let ds = src.dataset();
    let mut bytes = 0u64;
    for v in &ds.vars {
        let n: usize = v.dims.iter().zip(&v.shape).map(|(d, &len)| plan.sels.get(d).map_or(len, Vec::len)).product();
        bytes += (n * v.dtype.size()) as u64;
    }
    let mut e = with_ratio(src, bytes, bytes);
    e.chunks = chunks_touched(src, &|d| plan.sels.get(d).cloned());
    Ok(e)
}

/// An operation that reads its variables whole; its output drops the dimensions in `reduced`
/// (an average over them), or is as large as the input when `reduced` is empty (an upper
/// bound for operations that select or regrid).
#[must_use]
pub fn whole(src: &dyn Source, reduced: &[String]) -> Estimate {
    let ds = src.dataset();
    let read = decoded_size(src);
    let output = ds
        .vars
        .iter()
        .map(|v| {
            let n: usize =
                v.dims.iter().zip(&v.shape).filter(|(d, _)| !reduced.contains(d)).map(|(_, &len)| len).product();
            (n * v.dtype.size()) as u64
        })
        .sum();
    let mut e = with_ratio(src, read, output);
    e.chunks = chunks_touched(src, &|_| None);
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{AreaParam, TimeParam};
    use rookery_cf::{Array, Dataset};
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Counts the decoded bytes the engine reads.
    struct Counting<'a>(&'a dyn Source, AtomicU64);

    impl Source for Counting<'_> {
        fn dataset(&self) -> &Dataset {
            self.0.dataset()
        }
        fn read(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Array, rookery_io::IoError> {
            let a = self.0.read(var, start, count)?;
            let n: usize = a.shape().iter().product();
            self.1.fetch_add((n * a.dtype().size()) as u64, Ordering::Relaxed);
            Ok(a)
        }
        fn paths(&self) -> Vec<PathBuf> {
            self.0.paths()
        }
    }

    fn shared(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mini-esgf").join(rel)
    }

    /// The estimate of a subset against the bytes the subset then reads and writes, on a real
    /// CMIP5 daily file: decoded bytes within 10% (the engine reads a few extra elements to
    /// merge nearby runs), stored output within a factor 2.
    #[test]
    fn a_subset_estimate_matches_what_the_subset_reads() {
        let f = shared("gws/nopw/j04/cp4cds1_vol1/data/c3s-cmip5/output1/ICHEC/EC-EARTH/historical/day/atmos/day/r1i1p1/tas/v20131231/tas_day_EC-EARTH_historical_r1i1p1_19600101-19691231.nc");
        let io = rookery_io::IoContext::from_env();
        let src = rookery_io::open_paths(&io, &[f]).unwrap();
        let counted = Counting(src.as_ref(), AtomicU64::new(0));
        let req = SubsetRequest {
            time: TimeParam::parse("1962-01-01/1964-12-31").unwrap(),
            area: AreaParam::parse("0,-90,180,90").unwrap(),
            ..SubsetRequest::default()
        };
        let e = subset(&counted, &req).unwrap();
        let planned = counted.1.swap(0, Ordering::Relaxed);
        let out = tempfile::tempdir().unwrap();
        let spec = crate::OutputSpec {
            dir: out.path().to_path_buf(),
            format: rookery_io::OutputFormat::Nc4,
            size_limit: 2_000_000_000,
            extra: String::new(),
            history: String::new(),
            cancel: rookery_io::Cancel::default(),
        };
        let mut namer = crate::FileNamer::new(crate::NamerKind::Simple, Vec::new());
        let files = crate::subset(&counted, &req, &spec, &mut namer, &|_, _| {}).unwrap();
        // The subset plans again (the same coordinate reads), then reads the selection.
        let read = counted.1.load(Ordering::Relaxed) - planned;
        let written: u64 = files.iter().map(|p| std::fs::metadata(p).unwrap().len()).sum();
        #[allow(clippy::cast_precision_loss)]
        let ratio = |a: u64, b: u64| a as f64 / b as f64;
        assert_eq!(e.chunks, None, "a classic file has no chunks: {e:?}");
        // Planning reads the coordinates only (on this 2x4 grid they are most of the file).
        assert!(planned < e.read_bytes, "planning read {planned}");
        assert!((0.9..=1.1).contains(&ratio(e.read_bytes, read)), "estimated {} read {read}", e.read_bytes);
        assert!(
            (0.5..=2.0).contains(&ratio(e.output_stored_bytes, written)),
            "estimated {} written {written}",
            e.output_stored_bytes
        );
    }

    /// Chunks of a NetCDF-4 file: `ncdump -hs` lists `_ChunkSizes` time 512, time_bnds 1,2
    /// and tas 1,96,192 for its one step (lat, lon and their bounds are contiguous): 3.
    #[test]
    fn chunks_of_a_netcdf4_file_are_counted() {
        let f = shared("badc/cmip6/data/CMIP6/CMIP/AWI/AWI-ESM-1-1-LR/1pctCO2/r1i1p1f1/Amon/tas/gn/v20200212/tas_Amon_AWI-ESM-1-1-LR_1pctCO2_r1i1p1f1_gn_185501.nc");
        let src = rookery_io::open_paths(&rookery_io::IoContext::from_env(), &[f]).unwrap();
        assert_eq!(whole(src.as_ref(), &[]).chunks, Some(3));
    }
}
