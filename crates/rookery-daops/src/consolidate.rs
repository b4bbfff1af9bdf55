//! Consolidation (daops `consolidate.py`, roocs.md §2.5): of a dataset's files, keep only those
//! whose years overlap the request — from the file name's `_YYYY...-YYYY...` range when it has
//! one, otherwise by reading the file's time axis.

use crate::DaopsError;
use rookery_ops::{TimeComponents, TimeParam};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Years requested: an interval (either side open) or a set.
#[derive(Clone, Debug, PartialEq)]
pub enum YearFilter {
    /// Years from the first to the last, inclusive; `None` leaves that side open.
    Range(Option<i64>, Option<i64>),
    /// Exactly these years (from a time series or the `year` time component).
    Set(BTreeSet<i64>),
}

fn year_of(iso: &str) -> Option<i64> {
    let neg = iso.starts_with('-');
    let digits: String = iso.trim_start_matches('-').chars().take_while(char::is_ascii_digit).collect();
    let y: i64 = digits.parse().ok()?;
    Some(if neg { -y } else { y })
}

impl YearFilter {
    /// From the request's time and time components (`None` when neither restricts years).
    #[must_use]
    pub fn from_request(time: Option<&TimeParam>, tc: Option<&TimeComponents>) -> Option<YearFilter> {
        match time {
            Some(TimeParam::Interval(a, b)) => {
                let (a, b) = (a.as_deref().and_then(year_of), b.as_deref().and_then(year_of));
                // A reversed interval is left to the operation, which names the problem.
                if let (Some(a), Some(b)) = (a, b) {
                    if a > b {
                        return None;
                    }
                }
                Some(YearFilter::Range(a, b))
            }
            Some(TimeParam::Series(v)) => Some(YearFilter::Set(v.iter().filter_map(|s| year_of(s)).collect())),
            None => tc.and_then(|t| t.year.clone()).map(|ys| YearFilter::Set(ys.into_iter().collect())),
        }
    }

    fn overlaps(&self, lo: i64, hi: i64) -> bool {
        match self {
            YearFilter::Range(a, b) => a.is_none_or(|a| hi >= a) && b.is_none_or(|b| lo <= b),
            YearFilter::Set(s) => s.range(lo..=hi).next().is_some(),
        }
    }
}

/// Years covered by a file according to its name: the last `_` token, split on `-`, tokens of
/// at least four leading digits (daops `get_years_from_file`).
#[must_use]
pub fn years_from_name(path: &Path) -> Option<(i64, i64)> {
    let stem = path.file_name()?.to_str()?;
    let stem = stem.split('.').next()?;
    let last = stem.rsplit('_').next()?;
    let years: Vec<i64> = last
        .split('-')
        .filter(|t| t.len() >= 4 && t[..4].chars().all(|c| c.is_ascii_digit()))
        .filter_map(|t| t[..4].parse().ok())
        .collect();
    match years.as_slice() {
        [] => None,
        [y] => Some((*y, *y)),
        ys => Some((*ys.iter().min()?, *ys.iter().max()?)),
    }
}

fn years_from_data(io: &rookery_io::IoContext, path: &Path) -> Result<Option<(i64, i64)>, DaopsError> {
    // Any input form: NetCDF (local or URL), Kerchunk references, Zarr stores.
    let src = rookery_io::open_paths(io, &[path.to_path_buf()]).map_err(rookery_ops::OpError::from)?;
    let info = rookery_cf::CfInfo::detect(src.dataset()).map_err(|e| rookery_ops::OpError::Data(e.to_string()))?;
    let axis = rookery_ops::subset::time_axis(src.as_ref(), &info)?;
    Ok(axis.and_then(|t| Some((t.times.first()?.year, t.times.last()?.year))))
}

/// The files of `files` that overlap `filter`.
///
/// # Errors
/// A file without years in its name that cannot be read; nothing left ("No files found in
/// given time range for {dset}").
pub fn consolidate(
    io: &rookery_io::IoContext,
    dset: &str,
    files: &[PathBuf],
    filter: Option<&YearFilter>,
) -> Result<Vec<PathBuf>, DaopsError> {
    let Some(filter) = filter else {
        return Ok(files.to_vec());
    };
    let mut keep = Vec::new();
    let mut span: Option<(i64, i64)> = None;
    for f in files {
        let years = match years_from_name(f) {
            Some(y) => Some(y),
            None => years_from_data(io, f)?,
        };
        if let Some((lo, hi)) = years {
            span = Some(span.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        }
        // Files without time (fixed fields) are kept.
        if years.is_none_or(|(lo, hi)| filter.overlaps(lo, hi)) {
            keep.push(f.clone());
        }
    }
    if keep.is_empty() {
        let cover = span.map_or(String::new(), |(a, b)| format!(" (its files cover the years {a} to {b})"));
        return Err(DaopsError::Op(rookery_ops::OpError::NoData(format!(
            "No files found in given time range for {dset}{cover}"
        ))));
    }
    Ok(keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(years_from_name(Path::new("tas_Amon_X_r1_200512-203011.nc")), Some((2005, 2030)));
        assert_eq!(years_from_name(Path::new("mrsos_day_X_20051201.nc")), Some((2005, 2005)));
        assert_eq!(years_from_name(Path::new("orog_fx_X_r0i0p0.nc")), None);
        let f = YearFilter::Range(Some(2031), None);
        assert!(!f.overlaps(2005, 2030));
        assert!(f.overlaps(2030, 2031));
        let s = YearFilter::Set([2000, 2010].into_iter().collect());
        assert!(s.overlaps(2009, 2012));
        assert!(!s.overlaps(2001, 2009));
    }
}
