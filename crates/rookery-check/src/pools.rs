//! Pools → datasets. A pool is a directory (walked recursively), a glob, a single file, a
//! dataset id, or an intake CSV catalogue (`.csv`/`.csv.gz` with a `ds_id` column). Files in
//! one directory whose names start with the same variable (`tas_...`) form one dataset,
//! joined along time by rookery's own multi-file open.
//!
//! A dataset whose directory lies below a project's `base_dir` is named by its dataset id
//! (and run by id, so dataset fixes apply as in `rookery subset <id>`), provided the id
//! resolves to exactly its files; any other dataset is named and run by its files.

use crate::CheckError;
use rookery_daops::Daops;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One dataset to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatasetSpec {
    /// The name results are recorded under: the dataset id, else the files' glob.
    pub key: String,
    /// The inputs given to rookery (`cli_datasets`, and the reproducing command line).
    pub inputs: Vec<String>,
    /// The project, when known.
    pub project: String,
    /// The files (empty for datasets given by id: the resolver finds them).
    pub files: Vec<PathBuf>,
}

fn is_netcdf(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("nc" | "nc4"))
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Recursively collects NetCDF files below `dir` (following symbolic links once).
fn walk(dir: &Path, seen: &mut BTreeSet<PathBuf>, out: &mut Vec<PathBuf>) -> Result<(), CheckError> {
    let canon = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if !seen.insert(canon) {
        return Ok(());
    }
    let rd = std::fs::read_dir(dir)
        .map_err(|e| CheckError::Pool(format!("cannot read directory {}: {e}", dir.display())))?;
    let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, seen, out)?;
        } else if p.is_file() && is_netcdf(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// The variable part of a file name: the text before the first `_` (the stem if none).
fn variable_of(p: &Path) -> String {
    let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match name.split_once('_') {
        Some((v, _)) if !v.is_empty() => v.to_string(),
        _ => p.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The dataset id of directory `dir` (first default-for-path project whose base_dir holds
/// it), with its project.
fn id_of_dir(daops: &Daops, dir: &Path) -> Option<(String, String)> {
    let c = canonical(dir);
    for p in daops.resolver.projects() {
        if !p.is_default_for_path {
            continue;
        }
        let Some(base) = &p.base_dir else { continue };
        let Ok(rel) = c.strip_prefix(canonical(base)) else { continue };
        let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        if parts.is_empty() {
            continue;
        }
        return Some((format!("{}.{}", p.name, parts.join(".")), p.name.clone()));
    }
    None
}

/// Reads the `ds_id` column of an intake CSV catalogue (plain or gzip).
fn catalogue_ids(path: &Path) -> Result<Vec<String>, CheckError> {
    let f = std::fs::File::open(path)
        .map_err(|e| CheckError::Pool(format!("cannot read catalogue {}: {e}", path.display())))?;
    let reader: Box<dyn Read> = if path.to_string_lossy().ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(f))
    } else {
        Box::new(f)
    };
    let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(reader);
    let headers =
        rdr.headers().map_err(|e| CheckError::Pool(format!("cannot read catalogue {}: {e}", path.display())))?.clone();
    let col = headers
        .iter()
        .position(|h| h == "ds_id")
        .ok_or_else(|| CheckError::Pool(format!("catalogue {} has no ds_id column", path.display())))?;
    let mut ids = BTreeSet::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| CheckError::Pool(format!("cannot read catalogue {}: {e}", path.display())))?;
        if let Some(id) = rec.get(col).map(str::trim).filter(|s| !s.is_empty()) {
            ids.insert(id.to_string());
        }
    }
    Ok(ids.into_iter().collect())
}

/// The datasets of `pools`, in a stable order (pool order, then path order), without
/// duplicates.
///
/// # Errors
/// A pool that does not exist, matches nothing, or is an unknown dataset id (request errors).
pub fn discover(daops: &Daops, pools: &[String]) -> Result<Vec<DatasetSpec>, CheckError> {
    let mut out: Vec<DatasetSpec> = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for pool in pools {
        let p = Path::new(pool);
        if p.is_dir() {
            let before = files.len();
            walk(p, &mut BTreeSet::new(), &mut files)?;
            if files.len() == before {
                return Err(CheckError::Pool(format!("pool {pool} holds no NetCDF files")));
            }
        } else if p.is_file() {
            let s = pool.to_ascii_lowercase();
            if s.ends_with(".csv") || s.ends_with(".csv.gz") {
                ids.extend(catalogue_ids(p)?);
            } else {
                files.push(p.to_path_buf());
            }
        } else if has_glob(pool) {
            let mut found: Vec<PathBuf> = glob::glob(pool)
                .map_err(|e| CheckError::Pool(format!("bad glob pattern {pool}: {e}")))?
                .filter_map(Result::ok)
                .filter(|f| f.is_file() && is_netcdf(f))
                .collect();
            if found.is_empty() {
                return Err(CheckError::Pool(format!("pool {pool} matches no NetCDF files")));
            }
            found.sort();
            files.extend(found);
        } else if !pool.contains('/') && pool.matches('.').count() > 1 {
            ids.push(pool.clone());
        } else {
            return Err(CheckError::Pool(format!(
                "pool {pool} does not exist (not a directory, file, glob or dataset id)"
            )));
        }
    }
    // Group files by (directory, variable).
    let mut groups: BTreeMap<(PathBuf, String), Vec<PathBuf>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for f in files {
        if !seen.insert(canonical(&f)) {
            continue;
        }
        let dir = f.parent().map(Path::to_path_buf).unwrap_or_default();
        groups.entry((dir, variable_of(&f))).or_default().push(f);
    }
    let mut vars_per_dir: BTreeMap<PathBuf, usize> = BTreeMap::new();
    for (dir, _) in groups.keys() {
        *vars_per_dir.entry(dir.clone()).or_default() += 1;
    }
    for ((dir, var), mut fs) in groups {
        fs.sort();
        let glob_input = || -> Vec<String> {
            if fs.iter().all(|f| f.extension().is_some_and(|e| e == "nc")) {
                vec![dir.join(format!("{var}_*.nc")).to_string_lossy().into_owned()]
            } else {
                fs.iter().map(|f| f.to_string_lossy().into_owned()).collect()
            }
        };
        let whole_dir = vars_per_dir.get(&dir).copied() == Some(1);
        let by_id = id_of_dir(daops, &dir);
        let spec = match by_id {
            Some((id, project)) if whole_dir && same_files(daops, &id, &fs) => {
                DatasetSpec { key: id.clone(), inputs: vec![id], project, files: fs }
            }
            Some((id, project)) => {
                DatasetSpec { key: format!("{id}/{var}"), inputs: glob_input(), project, files: fs.clone() }
            }
            None => {
                let inputs = glob_input();
                DatasetSpec { key: inputs.join(" "), inputs, project: String::new(), files: fs.clone() }
            }
        };
        out.push(spec);
    }
    for id in ids {
        let r = daops.resolver.resolve(&id).map_err(|e| CheckError::Pool(format!("dataset {id}: {e}")))?;
        out.push(DatasetSpec {
            key: id.clone(),
            inputs: vec![id],
            project: r.project.unwrap_or_default(),
            files: r.files,
        });
    }
    let mut keys = BTreeSet::new();
    out.retain(|d| keys.insert(d.key.clone()));
    Ok(out)
}

/// True when dataset id `id` resolves to exactly `files`.
fn same_files(daops: &Daops, id: &str, files: &[PathBuf]) -> bool {
    let Ok(r) = daops.resolver.resolve(id) else { return false };
    let a: BTreeSet<PathBuf> = r.files.iter().map(|f| canonical(f)).collect();
    let b: BTreeSet<PathBuf> = files.iter().map(|f| canonical(f)).collect();
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables() {
        assert_eq!(variable_of(Path::new("/a/tas_Amon_x_200001-200012.nc")), "tas");
        assert_eq!(variable_of(Path::new("/a/orog.nc")), "orog");
    }
}
