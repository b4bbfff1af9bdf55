//! The free-space floor: below it new jobs are refused (OGC API 503 with `Retry-After`, WPS
//! `ServerBusy`) instead of being started to fail on a full disk.
//!
//! Checked where job outputs are written (the data directory) and, for a SQLite store, where
//! the store lives. `min_free_space` is a size (`1GB`, `500M`), a share of the file system
//! (`5%`) or `0` (no floor); by default the smaller of 1 GB and 5% of the file system, so a
//! small disk is not refused from the start.

use crate::text::NotASize;
use crate::Config;
use std::path::Path;

/// The configured floor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MinFreeSpace {
    /// The smaller of 1 GB and 5% of the file system.
    Default,
    /// Bytes (0: no floor).
    Bytes(u64),
    /// Percent of the file system's size.
    Percent(f64),
}

/// Why a `min_free_space` value was refused; each holds the value as given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FloorError {
    /// Ends in `%` but is not a number before it.
    #[error("'{0}' is not a percentage (e.g. 5%)")]
    NotAPercentage(String),
    /// A percentage below 0 or above 100.
    #[error("'{0}' is not a percentage between 0 and 100")]
    OutOfRange(String),
    /// Neither a percentage nor a size.
    #[error(transparent)]
    NotASize(#[from] NotASize),
}

/// New jobs are refused: a file system they need has less than the floor free. The text
/// names no server path.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Not enough free disk space to start new jobs: {} left {what}, {} needed", human(*available), human(*needed))]
pub struct LowSpace {
    /// Which file system: `for job outputs` or `for the job store`.
    pub what: &'static str,
    /// Bytes free there.
    pub available: u64,
    /// The floor, in bytes.
    pub needed: u64,
}

impl MinFreeSpace {
    /// Parses `1GB`, `500M`, `5%`, `0`.
    ///
    /// # Errors
    /// Neither a size nor a percentage between 0 and 100 ([`FloorError`]).
    pub fn parse(v: &str) -> Result<MinFreeSpace, FloorError> {
        let t = v.trim();
        if let Some(p) = t.strip_suffix('%') {
            let x: f64 = p.trim().parse().map_err(|_| FloorError::NotAPercentage(v.to_string()))?;
            if !(0.0..=100.0).contains(&x) {
                return Err(FloorError::OutOfRange(v.to_string()));
            }
            return Ok(MinFreeSpace::Percent(x));
        }
        Ok(crate::text::parse_size(t).map(MinFreeSpace::Bytes)?)
    }

    /// The floor in bytes on a file system of `total` bytes.
    #[must_use]
    pub fn bytes(self, total: u64) -> u64 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let share = |pct: f64| (total as f64 * pct / 100.0) as u64;
        match self {
            MinFreeSpace::Default => share(5.0).min(1_000_000_000),
            MinFreeSpace::Bytes(b) => b,
            MinFreeSpace::Percent(p) => share(p),
        }
    }
}

/// Whether new jobs may start: `Err` (a one-line reason, no server paths) when a file
/// system they need has less than the floor free.
///
/// # Errors
/// [`LowSpace`]: the reason for refusing.
pub fn check(cfg: &Config) -> Result<(), LowSpace> {
    let db = cfg.db_url().is_none().then(|| cfg.db_path());
    let dirs: [(&str, Option<&Path>); 2] =
        [("for job outputs", Some(&cfg.data_dir)), ("for the job store", db.as_deref().and_then(Path::parent))];
    for (what, dir) in dirs {
        let Some(dir) = dir else { continue };
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        let Some(space) = rookery_io::space::space(dir) else { continue };
        let floor = cfg.min_free_space.bytes(space.total);
        if floor > 0 && space.available < floor {
            return Err(LowSpace { what, available: space.available, needed: floor });
        }
    }
    Ok(())
}

/// `1.2 GB`, `350 MB`, `12 kB`.
#[must_use]
pub fn human(b: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let x = b as f64;
    if x >= 1e9 {
        format!("{:.1} GB", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.0} MB", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.0} kB", x / 1e3)
    } else {
        format!("{b} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors() {
        assert_eq!(MinFreeSpace::parse("1GB").unwrap(), MinFreeSpace::Bytes(1_000_000_000));
        assert_eq!(MinFreeSpace::parse("5%").unwrap(), MinFreeSpace::Percent(5.0));
        assert_eq!(MinFreeSpace::parse("0").unwrap().bytes(10_000), 0);
        assert_eq!(MinFreeSpace::parse("lots"), Err(FloorError::NotASize(NotASize("lots".into()))));
        assert_eq!(MinFreeSpace::parse("120%"), Err(FloorError::OutOfRange("120%".into())));
        assert_eq!(MinFreeSpace::parse("x%").unwrap_err().to_string(), "'x%' is not a percentage (e.g. 5%)");
        assert_eq!(MinFreeSpace::parse("lots").unwrap_err().to_string(), "'lots' is not a size (e.g. 500M, 10G)");
        assert_eq!(MinFreeSpace::Default.bytes(100_000_000_000), 1_000_000_000);
        assert_eq!(MinFreeSpace::Default.bytes(2_000_000), 100_000);
        assert_eq!(MinFreeSpace::Percent(10.0).bytes(1000), 100);
        assert_eq!(human(1_234_000_000), "1.2 GB");
        assert_eq!(human(350_000_000), "350 MB");
    }

    #[test]
    fn a_floor_above_the_disk_refuses() {
        let d = tempfile::tempdir().unwrap();
        let mut c = Config { data_dir: d.path().to_path_buf(), ..Config::default() };
        c.min_free_space = MinFreeSpace::Bytes(0);
        assert!(check(&c).is_ok());
        c.min_free_space = MinFreeSpace::Percent(100.0);
        let e = check(&c).unwrap_err();
        assert_eq!(e.what, "for job outputs");
        assert!(e.needed > e.available, "{e}");
        let e = e.to_string();
        assert!(e.contains("Not enough free disk space") && !e.contains(&d.path().display().to_string()), "{e}");
    }
}
