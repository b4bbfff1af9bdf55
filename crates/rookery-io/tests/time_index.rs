//! The time index of a multi-file dataset: written on the first open, used while the files
//! are unchanged (files are then opened only when their data are read), re-read for a file
//! whose size, modification time or inode changed, ignored when corrupt; results are the same
//! with and without it.

use rookery_cf::Array;
use rookery_io::{open_paths_indexed, CacheConfig, HttpOptions, IoContext, Remote, Source};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A yearly file: 3 steps of `days since 2000-01-01` (noleap) with bounds, `pr(time, lat)`.
fn write_year(p: &Path, year: usize, shift: f64) {
    let mut f = netcdf::create(p).expect("create");
    f.add_unlimited_dimension("time").expect("dim");
    f.add_dimension("bnds", 2).expect("dim");
    f.add_dimension("lat", 2).expect("dim");
    let t0 = (year * 365) as f64 + shift;
    let times = [t0 + 15.0, t0 + 45.0, t0 + 75.0];
    let bnds = [t0, t0 + 30.0, t0 + 30.0, t0 + 60.0, t0 + 60.0, t0 + 90.0];
    let mut t = f.add_variable::<f64>("time", &["time"]).expect("var");
    t.put_attribute("units", "days since 2000-01-01").expect("attr");
    t.put_attribute("calendar", "noleap").expect("attr");
    t.put_attribute("standard_name", "time").expect("attr");
    t.put_attribute("bounds", "time_bnds").expect("attr");
    t.put_values(&times, ..).expect("put");
    let mut b = f.add_variable::<f64>("time_bnds", &["time", "bnds"]).expect("var");
    b.put_values(&bnds, [0..3, 0..2]).expect("put");
    let mut l = f.add_variable::<f64>("lat", &["lat"]).expect("var");
    l.put_attribute("units", "degrees_north").expect("attr");
    l.put_values(&[10.0, 20.0], ..).expect("put");
    let mut v = f.add_variable::<f32>("pr", &["time", "lat"]).expect("var");
    let data: Vec<f32> = (0..6).map(|k| (year * 100 + k) as f32 + shift as f32).collect();
    v.put_values(&data, [0..3, 0..2]).expect("put");
}

fn ctx(cache: Option<&Path>) -> IoContext {
    let cfg = CacheConfig { dir: cache.map(Path::to_path_buf), ..CacheConfig::default() };
    IoContext::new(Remote::new(HttpOptions::default(), cfg))
}

fn dataset(n: usize) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("tmp");
    let files: Vec<PathBuf> = (0..n)
        .map(|y| {
            let p = dir.path().join(format!("pr_{y:04}.nc"));
            write_year(&p, y, 0.0);
            p
        })
        .collect();
    (dir, files)
}

/// Every variable of `s`, read whole, as f64 bits (exact comparison).
fn contents(s: &dyn Source) -> Vec<(String, Vec<u64>)> {
    s.dataset()
        .vars
        .iter()
        .map(|v| {
            let a: Array = s.read_all(&v.name).expect("read");
            (v.name.clone(), a.to_f64().expect("numeric").iter().map(|x| x.to_bits()).collect())
        })
        .collect()
}

fn index_files(cache: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(cache.join("time-index"))
        .map(|rd| {
            rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect()
        })
        .unwrap_or_default()
}

#[test]
fn index_is_written_then_used_and_files_open_when_read() {
    let (dir, files) = dataset(4);
    let cache = dir.path().join("cache");
    let (first, stats) = open_paths_indexed(&ctx(Some(&cache)), &files).expect("open");
    assert_eq!((stats.files, stats.from_index, stats.opened), (4, 0, 4));
    assert_eq!(index_files(&cache).len(), 1, "one index for the dataset");
    let reference = contents(&first);

    let (agg, stats) = open_paths_indexed(&ctx(Some(&cache)), &files).expect("open again");
    assert_eq!((stats.from_index, stats.opened), (4, 1), "only the first file is opened");
    // Time and bounds come from the index: no file opened for them.
    let t = agg.read_all("time").expect("time").to_f64().expect("f64");
    assert_eq!(t.len(), 12);
    agg.read_all("time_bnds").expect("bounds");
    assert_eq!(agg.opened(), 1);
    // Data of the third file: that file (only) is opened.
    let pr = agg.read("pr", &[6, 0], &[3, 2]).expect("pr").to_f64().expect("f64");
    assert_eq!(pr.iter().copied().collect::<Vec<_>>(), [200.0, 201.0, 202.0, 203.0, 204.0, 205.0]);
    assert_eq!(agg.opened(), 2);
    // Same values with the index, without it (no cache directory) and through open_paths.
    assert_eq!(contents(&agg), reference);
    let (plain, stats) = open_paths_indexed(&ctx(None), &files).expect("no index");
    assert_eq!((stats.from_index, stats.opened), (0, 4));
    assert_eq!(contents(&plain), reference);
    // Reads reusing an earlier block's storage (within one file and across files) give the
    // same values as plain reads.
    let mut spare = None;
    for (t0, n) in [(0, 5), (5, 5), (1, 2), (4, 8), (0, 12)] {
        let plain = agg.read("pr", &[t0, 0], &[n, 2]).expect("read");
        let reused = agg.read_reusing("pr", &[t0, 0], &[n, 2], spare.take()).expect("read_reusing");
        assert_eq!(reused, plain, "steps {t0}+{n}");
        spare = Some(reused);
    }
    let joined = rookery_io::open_paths(&ctx(Some(&cache)), &files).expect("open_paths");
    assert_eq!(contents(joined.as_ref()), reference);
    assert_eq!(joined.paths(), files);
}

#[test]
fn a_changed_file_is_read_again() {
    let (dir, files) = dataset(3);
    let cache = dir.path().join("cache");
    let (a, _) = open_paths_indexed(&ctx(Some(&cache)), &files).expect("open");
    let before = contents(&a);

    // Touched only (new modification time): re-read, same results.
    let f = std::fs::File::options().write(true).open(&files[1]).expect("open file");
    f.set_modified(SystemTime::now() + Duration::from_secs(5)).expect("touch");
    drop(f);
    let (b, stats) = open_paths_indexed(&ctx(Some(&cache)), &files).expect("open touched");
    assert_eq!((stats.from_index, stats.opened), (2, 2));
    assert_eq!(contents(&b), before);

    // Rewritten with later times and other values: the join follows the new file.
    write_year(&files[2], 2, 100.0);
    let f = std::fs::File::options().write(true).open(&files[2]).expect("open file");
    f.set_modified(SystemTime::now() + Duration::from_secs(10)).expect("touch");
    drop(f);
    let (c, stats) = open_paths_indexed(&ctx(Some(&cache)), &files).expect("open rewritten");
    assert_eq!(stats.from_index, 2);
    let t = c.read_all("time").expect("time").to_f64().expect("f64");
    assert_eq!(t[6], 2.0 * 365.0 + 100.0 + 15.0);
    let pr = c.read("pr", &[6, 0], &[1, 1]).expect("pr").to_f64().expect("f64");
    assert_eq!(pr[[0, 0]], 300.0);
    let (plain, _) = open_paths_indexed(&ctx(None), &files).expect("no index");
    assert_eq!(contents(&c), contents(&plain));
    // ... and the rewritten index is used next time.
    let (_, stats) = open_paths_indexed(&ctx(Some(&cache)), &files).expect("open");
    assert_eq!(stats.from_index, 3);
}

#[test]
fn a_corrupt_index_is_ignored_and_replaced() {
    let (dir, files) = dataset(3);
    let cache = dir.path().join("cache");
    // An index unused for 40 days is removed when another is written.
    let stale = cache.join("time-index").join("0123456789abcdef.json");
    std::fs::create_dir_all(stale.parent().expect("dir")).expect("mkdir");
    std::fs::write(&stale, b"{}").expect("write");
    let f = std::fs::File::options().write(true).open(&stale).expect("open");
    f.set_modified(SystemTime::now() - Duration::from_secs(40 * 86_400)).expect("age");
    drop(f);
    let (a, _) = open_paths_indexed(&ctx(Some(&cache)), &files).expect("open");
    assert!(!stale.exists(), "stale index removed");
    let reference = contents(&a);
    let index = index_files(&cache).pop().expect("index");
    for garbage in [&b"{\"version\": 1, \"key\": "[..], b"not json at all", b"{\"version\":1,\"files\":[{}]}"] {
        std::fs::write(&index, garbage).expect("corrupt");
        let (b, stats) = open_paths_indexed(&ctx(Some(&cache)), &files).expect("open with a corrupt index");
        assert_eq!((stats.from_index, stats.opened), (0, 3));
        assert_eq!(contents(&b), reference);
        let (_, stats) = open_paths_indexed(&ctx(Some(&cache)), &files).expect("open");
        assert_eq!(stats.from_index, 3, "rewritten");
    }
    // An unwritable cache directory: no index, same results.
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, b"a file, not a directory").expect("write");
    let (c, stats) = open_paths_indexed(&ctx(Some(&blocked)), &files).expect("open");
    assert_eq!(stats.from_index, 0);
    assert_eq!(contents(&c), reference);
}

#[test]
fn index_keeps_the_join_checks() {
    let (dir, files) = dataset(3);
    let cache = dir.path().join("cache");
    open_paths_indexed(&ctx(Some(&cache)), &files).expect("open");
    // A file rewritten to overlap its neighbour is refused, index or not.
    write_year(&files[2], 1, 30.0);
    let f = std::fs::File::options().write(true).open(&files[2]).expect("open file");
    f.set_modified(SystemTime::now() + Duration::from_secs(5)).expect("touch");
    drop(f);
    let e = open_paths_indexed(&ctx(Some(&cache)), &files).err().expect("overlap").to_string();
    assert!(e.contains("overlap in time"), "{e}");
    // A missing file is an error naming it.
    let mut more = files.clone();
    more.push(dir.path().join("missing.nc"));
    let e = open_paths_indexed(&ctx(Some(&cache)), &more).err().expect("missing").to_string();
    assert!(e.contains("missing.nc"), "{e}");
}

/// A file of a join opened to read its data takes its metadata from the join's template and
/// is not parsed by `netcdf-reader` unless a read needs it; it then must have the template's
/// structure, or the read is an error (never values of another shape).
#[test]
fn a_file_opened_like_its_template_reads_the_same_or_fails() {
    let (_dir, files) = dataset(2);
    let c = ctx(None);
    let own = rookery_io::NcSource::open(&c, &files[1]).expect("open");
    let like = rookery_io::NcSource::open_like(&c, &files[1], own.dataset(), "time").expect("open like");
    assert_eq!(contents(&like), contents(&own));
    // Reading into a larger block at an offset (chunked `pr`, contiguous `lat`) places the
    // values read; a block of another type is refused.
    for (var, shape, start, count) in [("pr", [5usize, 2], [1usize, 0], [2usize, 2]), ("lat", [7, 1], [0, 0], [2, 1])] {
        let (start, count) = if var == "lat" { (&start[..1], &count[..1]) } else { (&start[..], &count[..]) };
        let want = own.read(var, start, count).expect("read");
        let mut block = Array::zeros(want.dtype(), &shape);
        like.read_into(var, start, count, &mut block, 2).expect("read_into");
        let flat = block.to_f64().expect("numeric").iter().copied().collect::<Vec<_>>();
        let want = want.to_f64().expect("numeric").iter().copied().collect::<Vec<_>>();
        assert_eq!(flat[2..2 + want.len()], want[..], "{var}");
        assert!(flat[..2].iter().chain(&flat[2 + want.len()..]).all(|&x| x == 0.0), "{var}");
        let mut wrong = Array::zeros(rookery_cf::DType::I16, &shape);
        assert!(like.read_into(var, start, count, &mut wrong, 0).is_err(), "{var}");
    }
    let mut other = own.dataset().clone();
    other.resize_dim("lat", 3);
    let bad = rookery_io::NcSource::open_like(&c, &files[1], &other, "time").expect("open like");
    for var in ["pr", "lat"] {
        let e = bad.read_all(var).expect_err("a different structure").to_string();
        assert!(e.contains("changed while it was being read"), "{var}: {e}");
    }
}
