//! What the CLI tests that check rookery against the Python stack share.
#![allow(dead_code)]

pub(crate) mod mqtt;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub(crate) fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace")
}

/// The Python of the Zarr/Kerchunk/S3 venv (scripts/setup-pyzarr.sh, run when `CI` is set);
/// `None` (the test is skipped, with a notice) when it is missing outside CI.
pub(crate) fn python() -> Option<PathBuf> {
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
pub(crate) fn values(path: &Path, var: &str) -> (Vec<usize>, Vec<f64>) {
    let f = netcdf::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v = f.variable(var).expect("variable");
    let shape = v.dimensions().iter().map(netcdf::Dimension::len).collect();
    (shape, v.get_values::<f64, _>(..).expect("values"))
}

/// A file of the shared test data (`../shared/data/<rel>`).
pub(crate) fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel)
}

/// A file of the shared mini-esgf archive, as a command-line argument.
pub(crate) fn data(rel: &str) -> String {
    shared("mini-esgf").join(rel).to_string_lossy().into_owned()
}

/// What one run of the rookery binary did; `dir` is the output directory it was given.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) dir: tempfile::TempDir,
}

impl Run {
    /// The outputs it printed, one per line.
    pub(crate) fn outputs(&self) -> Vec<PathBuf> {
        self.stdout.lines().map(PathBuf::from).collect()
    }

    /// Its only output (fails the test unless there is exactly one).
    pub(crate) fn only(&self) -> PathBuf {
        let o = self.outputs();
        assert_eq!(o.len(), 1, "expected one output, got {o:?}; stderr: {}", self.stderr);
        o[0].clone()
    }

    /// The file name of its only output.
    pub(crate) fn name(&self) -> String {
        self.only().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }

    /// The names of the files in its output directory.
    pub(crate) fn files_in_dir(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path())
            .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default()
    }

    /// It failed with exit `code` and one `rookery: error: ` line containing `msg`, printed no
    /// output and left nothing (not even a temporary file) in its output directory.
    pub(crate) fn assert_fails(&self, code: i32, msg: &str) {
        assert_eq!(self.code, code, "exit code; stderr: {}", self.stderr);
        let last = self.stderr.lines().last().unwrap_or_default();
        assert!(last.starts_with("rookery: error: "), "one error line: {}", self.stderr);
        assert!(last.contains(msg), "expected {msg:?} in {last:?}");
        assert!(self.stdout.is_empty());
        assert!(self.files_in_dir().is_empty(), "no output (not even a temporary file) may remain");
    }
}

/// The rookery binary under test.
pub(crate) fn rookery_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rookery"))
}

/// Runs `cmd` (a [`rookery_command`], with any environment set) as `cmd INPUTS ARGS
/// --output-dir <a new temporary directory>`.
pub(crate) fn run(mut cmd: Command, inputs: &[String], args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("tmp");
    let out = cmd.args(inputs).args(args).arg("--output-dir").arg(dir.path()).output().expect("run rookery");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        dir,
    }
}

/// The values of `var` in a NetCDF file, read by libnetcdf (fill values as stored).
pub(crate) fn raw_values(path: &Path, var: &str) -> Vec<f64> {
    values(path, var).1
}

/// The dimensions (name, length) of `var`, read by libnetcdf.
pub(crate) fn dims(path: &Path, var: &str) -> Vec<(String, usize)> {
    let f = netcdf::open(path).expect("libnetcdf opens the output");
    let v = f.variable(var).expect("variable");
    v.dimensions().iter().map(|d| (d.name(), d.len())).collect()
}

/// Runs `cdo -s ARGS OUT`; `false` (with a notice) when CDO is not installed. Files this test
/// process writes through libnetcdf/HDF5 can stay flock-ed by children other tests spawn
/// meanwhile (HDF5 does not open with O_CLOEXEC): CDO must not lock them.
pub(crate) fn cdo(args: &[&str], out: &Path) -> bool {
    match Command::new("cdo").env("HDF5_USE_FILE_LOCKING", "FALSE").arg("-s").args(args).arg(out).output() {
        Ok(o) if o.status.success() => true,
        Ok(o) => panic!("cdo {args:?} failed: {}: {}", o.status, String::from_utf8_lossy(&o.stderr)),
        Err(_) => {
            eprintln!("cdo not found: CDO comparison skipped (bash scripts/setup.sh installs it)");
            false
        }
    }
}

/// Runs a Python script with arguments; panics with its output when it fails.
pub(crate) fn py(py: &Path, script: &str, args: &[&str]) -> String {
    let o = Command::new(py).arg("-c").arg(script).args(args).output().expect("python");
    assert!(
        o.status.success(),
        "python failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}
