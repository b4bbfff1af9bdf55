//! The node's measured throughput: decoded bytes per second of finished data operations
//! (their estimate's bytes read over their run time), a moving average kept in
//! `<data_dir>/throughput.json` so that run-time estimates follow the node's real speed.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Before any job has finished: 100 MB/s of decoded values, a cautious single-stream figure.
pub const DEFAULT_BYTES_PER_SEC: f64 = 100e6;

/// Weight of the newest job in the moving average.
const ALPHA: f64 = 0.2;

/// The moving average and where it is kept.
#[derive(Debug)]
pub struct Throughput {
    path: PathBuf,
    bytes_per_sec: Mutex<(f64, u64)>,
}

impl Throughput {
    /// The average kept under `data_dir` (the default when none is kept yet).
    #[must_use]
    pub fn open(data_dir: &Path) -> Throughput {
        let path = data_dir.join("throughput.json");
        let kept = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| Some((v["bytes_per_sec"].as_f64()?, v["jobs"].as_u64().unwrap_or(0))))
            .filter(|(b, _)| b.is_finite() && *b > 0.0);
        Throughput { path, bytes_per_sec: Mutex::new(kept.unwrap_or((DEFAULT_BYTES_PER_SEC, 0))) }
    }

    /// Decoded bytes per second, and how many jobs the figure is from.
    #[must_use]
    pub fn get(&self) -> (f64, u64) {
        *self.bytes_per_sec.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a finished job that read `bytes` (decoded, as estimated) in `secs`. Jobs too short
    /// to time (under 0.2 s) or that read nothing are left out.
    pub fn record(&self, bytes: u64, secs: f64) {
        if bytes == 0 || secs < 0.2 {
            return;
        }
        #[allow(clippy::cast_precision_loss)]
        let x = bytes as f64 / secs;
        let (avg, n) = {
            let mut g = self.bytes_per_sec.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            g.0 = if g.1 == 0 { x } else { g.0 * (1.0 - ALPHA) + x * ALPHA };
            g.1 += 1;
            *g
        };
        let tmp = self.path.with_extension(format!("tmp{}", std::process::id()));
        let doc = serde_json::json!({"bytes_per_sec": avg, "jobs": n});
        if std::fs::write(&tmp, doc.to_string()).and_then(|()| std::fs::rename(&tmp, &self.path)).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_finished_jobs_and_is_kept() {
        let t = tempfile::tempdir().unwrap();
        let a = Throughput::open(t.path());
        assert_eq!(a.get(), (DEFAULT_BYTES_PER_SEC, 0));
        a.record(1_000_000, 0.01);
        assert_eq!(a.get().1, 0, "too short to time");
        a.record(400_000_000, 2.0);
        assert_eq!(a.get(), (200e6, 1));
        a.record(100_000_000, 1.0);
        assert!((a.get().0 - 180e6).abs() < 1.0);
        assert_eq!(Throughput::open(t.path()).get(), a.get());
    }
}
