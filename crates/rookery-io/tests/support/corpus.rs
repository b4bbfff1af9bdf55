//! The mini-esgf test corpus.

use std::path::{Path, PathBuf};

/// `../shared/data/mini-esgf`.
pub(crate) fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mini-esgf")
}

/// Every `.nc` below `dir` (unsorted), appended to `out`.
pub(crate) fn nc_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read test data dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            nc_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "nc") {
            out.push(p);
        }
    }
}

/// Equal, or both NaN.
pub(crate) fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}
