//! What the CLI tests that check rookery against the Python stack share.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace")
}

/// The Python of the Zarr/Kerchunk/S3 venv (scripts/setup-pyzarr.sh, run when `CI` is set);
/// `None` (the test is skipped, with a notice) when it is missing outside CI.
pub fn python() -> Option<PathBuf> {
    let ws = workspace();
    if std::env::var_os("CI").is_some() {
        let st = Command::new("bash").arg(ws.join("scripts/setup-pyzarr.sh")).status().expect("setup-pyzarr.sh");
        assert!(st.success(), "scripts/setup-pyzarr.sh failed");
    }
    let py = ws.join(".venv-zarr/bin/python");
    if py.exists() {
        Some(py)
    } else {
        eprintln!("NOTICE: {} missing (run scripts/setup-pyzarr.sh); test skipped", py.display());
        None
    }
}

/// Shape and values of `var` in a NetCDF file, read by libnetcdf.
pub fn values(path: &Path, var: &str) -> (Vec<usize>, Vec<f64>) {
    let f = netcdf::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v = f.variable(var).expect("variable");
    let shape = v.dimensions().iter().map(netcdf::Dimension::len).collect();
    (shape, v.get_values::<f64, _>(..).expect("values"))
}
