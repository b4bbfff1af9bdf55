//! Kerchunk references written by rookery (`rookery_io::kerchunk`) read back through rookery's
//! own reference reader give exactly the values of the NetCDF files they describe: every `.nc`
//! of `../shared/data/mini-esgf` (classic and NetCDF-4: deflate, shuffle, contiguous, compact,
//! strings), in JSON, `.json.zst` and Parquet; several files combined along time equal the
//! multi-file aggregation of the same files. The Python side (fsspec/xarray reading these
//! references) is in crates/rookery/tests/kerchunk_output.rs.

use rookery_cf::{Array, AttrValue, DType};
use rookery_io::kerchunk::{self, Chunk, RefOptions};
use rookery_io::{open_paths, NcSource, Source};
mod support;
use std::path::{Path, PathBuf};
use support::corpus::{data_dir, nc_files, same};

fn open_one(p: &Path) -> Result<Box<dyn Source>, rookery_io::IoError> {
    rookery_io::open(&rookery_io::IoContext::from_env(), &[p.to_string_lossy().to_string()])
}

/// Asserts every numeric and char variable of `theirs` reads the same from `ours`.
fn assert_same(ours: &dyn Source, theirs: &dyn Source, what: &str) -> usize {
    let mut n = 0;
    for v in &theirs.dataset().vars {
        let Some(ov) = ours.dataset().var(&v.name) else {
            // rookery's Zarr reader skips text arrays (`|S1`, vlen-utf8) with a warning;
            // fsspec/xarray read them (crates/rookery/tests/kerchunk_output.rs).
            if !v.dtype.is_numeric() {
                continue;
            }
            panic!("{what}: variable {} missing from the references", v.name);
        };
        assert_eq!(ov.shape, v.shape, "{what} {}: shape", v.name);
        assert_eq!(ov.dims, v.dims, "{what} {}: dims", v.name);
        let b = theirs.read_all(&v.name).expect("original values");
        let a = ours.read_all(&v.name).unwrap_or_else(|e| panic!("{what} {}: reading the references: {e}", v.name));
        match v.dtype {
            DType::Str => {
                let (Array::Str(x), Array::Str(y)) = (&a, &b) else {
                    panic!("{what} {}: string variable read as {:?}", v.name, a.dtype())
                };
                assert_eq!(x, y, "{what} {}", v.name);
            }
            DType::Char => {
                let (Array::Char(x), Array::Char(y)) = (&a, &b) else {
                    panic!("{what} {}: char variable read as {:?}", v.name, a.dtype())
                };
                assert_eq!(x, y, "{what} {}: char values", v.name);
            }
            _ => {
                let x = a.to_f64().expect("numeric");
                let y = b.to_f64().expect("numeric");
                assert_eq!(x.len(), y.len(), "{what} {}", v.name);
                for (i, (p, q)) in x.iter().zip(y.iter()).enumerate() {
                    assert!(same(*p, *q), "{what} {}[{i}]: {p} != {q}", v.name);
                }
                n += x.len();
            }
        }
        // The variable's attributes (except the fill value, carried by .zarray) survive.
        for (k, val) in v.attrs.iter() {
            if k == "_FillValue" || k == "missing_value" || matches!(val, AttrValue::Strings(s) if s.is_empty()) {
                continue;
            }
            assert!(ov.attrs.get(k).is_some(), "{what} {}: attribute {k} lost ({val:?})", v.name);
        }
    }
    n
}

#[test]
fn references_of_every_mini_esgf_file_read_back_exactly() {
    let mut files = Vec::new();
    nc_files(&data_dir(), &mut files);
    files.sort();
    assert!(files.len() > 200, "expected the mini-esgf corpus, found {} files", files.len());
    let tmp = tempfile::tempdir().expect("tempdir");
    let (mut nvalues, mut nrefs) = (0usize, 0usize);
    for (i, f) in files.iter().enumerate() {
        // Every file as JSON; every 10th also as .json.zst and Parquet (small record size, so
        // several row files).
        let mut forms = vec!["refs.json"];
        if i % 10 == 0 {
            forms.extend(["refs.json.zst", "refs.parq"]);
        }
        let refs = kerchunk::references(&rookery_io::IoContext::from_env(), f, &RefOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        nrefs += refs.vars.iter().flat_map(|v| v.chunks.values()).filter(|c| matches!(c, Chunk::Range { .. })).count();
        let theirs = NcSource::open(&rookery_io::IoContext::from_env(), f).expect("open original");
        for form in forms {
            let dest = tmp.path().join(format!("{i}_{form}"));
            kerchunk::write(&refs, &dest, 7).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let ours = open_one(&dest).unwrap_or_else(|e| panic!("{} as {form}: {e}", f.display()));
            nvalues += assert_same(ours.as_ref(), &theirs, &format!("{} ({form})", f.display()));
        }
    }
    assert!(nrefs > 500, "only {nrefs} chunk references: everything was embedded?");
    eprintln!("{} files, {nvalues} values, {nrefs} chunk references", files.len());
}

/// The classic and NetCDF-4 layouts each produce real byte-range references (not everything
/// embedded), and fletcher32/shuffle/deflate encodings become Zarr filters.
#[test]
fn netcdf4_chunks_are_referenced_with_their_filters() {
    let mut files = Vec::new();
    nc_files(&data_dir(), &mut files);
    files.sort();
    let mut saw_zlib = false;
    let mut saw_classic = false;
    for f in &files {
        let refs = kerchunk::references(
            &rookery_io::IoContext::from_env(),
            f,
            &RefOptions { inline_threshold: 0, url_prefix: None },
        )
        .expect("references");
        for v in &refs.vars {
            let filters = v.zarray["filters"].to_string();
            if filters.contains("zlib") && v.chunks.values().any(|c| matches!(c, Chunk::Range { .. })) {
                saw_zlib = true;
            }
            if v.zarray["dtype"].as_str().is_some_and(|d| d.starts_with('>')) {
                saw_classic = true;
            }
            for c in v.chunks.values() {
                if let Chunk::Range { path, .. } = c {
                    assert!(Path::new(path).is_absolute(), "{path}: not absolute");
                }
            }
        }
    }
    assert!(saw_zlib && saw_classic, "zlib {saw_zlib} classic {saw_classic}");
}

fn dataset_dirs() -> Vec<PathBuf> {
    // Directories of mini-esgf holding several files of one dataset.
    let mut files = Vec::new();
    nc_files(&data_dir(), &mut files);
    let mut dirs: std::collections::BTreeMap<PathBuf, usize> = std::collections::BTreeMap::new();
    for f in files {
        *dirs.entry(f.parent().expect("parent").to_path_buf()).or_default() += 1;
    }
    dirs.into_iter().filter(|(_, n)| *n >= 2).map(|(d, _)| d).collect()
}

#[test]
fn several_files_combined_along_time_equal_the_aggregation() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut done = 0;
    let mut refused = Vec::new();
    for dir in dataset_dirs() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "nc"))
            .collect();
        files.sort();
        let Ok(agg) = open_paths(&rookery_io::IoContext::from_env(), &files) else { continue };
        // Files listed in reverse: the combination orders them by time.
        files.reverse();
        let refs = match kerchunk::combine(&rookery_io::IoContext::from_env(), &files, "time", &RefOptions::default()) {
            Ok(r) => r,
            Err(e) => {
                // Only a chunk layout that cannot be concatenated may be refused, with a
                // message naming the file and variable.
                let msg = e.to_string();
                assert!(msg.contains("chunk size mismatch in "), "{}: {msg}", dir.display());
                refused.push(msg);
                continue;
            }
        };
        for form in ["c.json", "c.parq"] {
            let dest = tmp.path().join(format!("{done}_{form}"));
            kerchunk::write(&refs, &dest, 10).expect("write");
            let ours = open_one(&dest).expect("open combined references");
            assert_same(ours.as_ref(), agg.as_ref(), &format!("{} ({form})", dir.display()));
        }
        done += 1;
    }
    assert!(done >= 5, "only {done} multi-file datasets combined; refused: {refused:?}");
    eprintln!("{done} datasets combined, {} refused", refused.len());
}

#[test]
fn bad_inputs_are_one_line_errors_and_leave_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let junk = tmp.path().join("junk.nc");
    std::fs::write(&junk, b"this is not netcdf").expect("write");
    let e = kerchunk::references(&rookery_io::IoContext::from_env(), &junk, &RefOptions::default())
        .expect_err("junk refused");
    assert!(e.to_string().contains("junk.nc") && !e.to_string().contains('\n'), "{e}");
    let missing = tmp.path().join("missing.nc");
    let e = kerchunk::references(&rookery_io::IoContext::from_env(), &missing, &RefOptions::default())
        .expect_err("missing refused");
    assert!(e.to_string().contains("missing.nc"), "{e}");
    // Combining along a dimension the files lack names it.
    let mut files = Vec::new();
    nc_files(&data_dir(), &mut files);
    files.sort();
    let e = kerchunk::combine(&rookery_io::IoContext::from_env(), &files[..2], "nonesuch", &RefOptions::default())
        .expect_err("no dim");
    assert!(e.to_string().contains("nonesuch"), "{e}");
    // An unwritable destination: nothing is left in the directory.
    let refs =
        kerchunk::references(&rookery_io::IoContext::from_env(), &files[0], &RefOptions::default()).expect("refs");
    let ro = tmp.path().join("no/such/dir/refs.json");
    assert!(kerchunk::write(&refs, &ro, 10).is_err());
    let left: Vec<_> = std::fs::read_dir(tmp.path()).expect("dir").flatten().map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 1, "{left:?}");
}
