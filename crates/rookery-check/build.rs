//! Build facts recorded with every check result: the git commit of the source tree, the
//! libnetcdf version (`nc-config --version`) and the netcdf-reader version (Cargo.lock). Each
//! falls back to "unknown" without failing the build.

use std::path::Path;
use std::process::Command;

fn run(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn lock_version(lock: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(lock).ok()?;
    let needle = format!("name = \"{name}\"\n");
    let at = text.find(&needle)? + needle.len();
    let line = text[at..].lines().next()?;
    Some(line.strip_prefix("version = \"")?.trim_end_matches('"').to_string())
}

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let root = Path::new(&manifest).join("../..");
    let git_dir = root.join(".git");
    if git_dir.join("HEAD").is_file() {
        println!("cargo:rerun-if-changed={}", git_dir.join("HEAD").display());
        if let Ok(head) = std::fs::read_to_string(git_dir.join("HEAD")) {
            if let Some(r) = head.trim().strip_prefix("ref: ") {
                println!("cargo:rerun-if-changed={}", git_dir.join(r).display());
            }
        }
    }
    let commit = run("git", &["-C", &root.to_string_lossy(), "rev-parse", "--short", "HEAD"])
        .unwrap_or_else(|| "unknown".into());
    let libnetcdf = run("nc-config", &["--version"])
        .map(|s| s.trim_start_matches("netCDF").trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let lock = root.join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let reader = lock_version(&lock, "netcdf-reader").unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=ROOKERY_CHECK_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=ROOKERY_CHECK_LIBNETCDF={libnetcdf}");
    println!("cargo:rustc-env=ROOKERY_CHECK_NETCDF_READER={reader}");
    println!("cargo:rerun-if-changed=build.rs");
}
