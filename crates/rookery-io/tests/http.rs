//! NetCDF over HTTP: a loopback server (tests/support/server.rs) serves `shared/data`; reads
//! through it must equal local reads, the block cache must avoid repeated downloads and never
//! serve stale bytes, and failures must be clear one-line errors.

mod support;

use rookery_cf::{Array, DType};
use rookery_io::{CacheConfig, HttpOptions, NcSource, Remote, Source};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use support::server::Server;

const CLASSIC: &str = "mini-esgf/badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc";
const NC4: &str = "mini-esgf/badc/cmip6/data/CMIP6/ScenarioMIP/MIROC/MIROC6/ssp119/r1i1p1f1/Amon/ta/gn/files/d20190807/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc";
const TAS5_DIR: &str = "mini-esgf/badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

fn server() -> Server {
    Server::start(root())
}

fn fast_http() -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_millis(1500),
        body_timeout: Duration::from_secs(20),
        retries: 2,
        backoff: Duration::from_millis(10),
    }
}

/// A client and cache of its own (block size small enough that the tiny test files span
/// several blocks).
fn remote(dir: &Path) -> Arc<Remote> {
    Remote::new(
        fast_http(),
        CacheConfig { dir: Some(dir.to_path_buf()), budget: 1 << 30, block_size: 16 << 10, memory: 1 << 20 },
    )
}

fn same(a: &Array, b: &Array) -> bool {
    if a.dtype() != b.dtype() || a.shape() != b.shape() {
        return false;
    }
    match a.dtype() {
        DType::Char | DType::Str => a == b,
        _ => match (a.to_f64(), b.to_f64()) {
            (Some(x), Some(y)) => {
                x.iter().zip(y.iter()).all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()))
            }
            _ => false,
        },
    }
}

/// Every variable read whole, and one hyperslab of each, equal between the two sources.
fn assert_same_source(local: &dyn Source, http: &dyn Source, what: &str) {
    assert_eq!(local.dataset(), http.dataset(), "{what}: metadata");
    for v in &local.dataset().vars {
        let a = local.read_all(&v.name).expect("local read");
        let b = http.read_all(&v.name).unwrap_or_else(|e| panic!("{what} {}: {e}", v.name));
        assert!(same(&a, &b), "{what} {}: values differ", v.name);
        if !v.shape.is_empty() && !v.shape.contains(&0) {
            let start: Vec<usize> = v.shape.iter().map(|&n| n / 3).collect();
            let count: Vec<usize> = v.shape.iter().zip(&start).map(|(&n, &s)| (n - s).min(3)).collect();
            let a = local.read(&v.name, &start, &count).expect("local slab");
            let b = http.read(&v.name, &start, &count).expect("http slab");
            assert!(same(&a, &b), "{what} {}: hyperslab differs", v.name);
        }
    }
}

fn read_everything(s: &dyn Source) {
    for v in &s.dataset().vars {
        s.read_all(&v.name).unwrap_or_else(|e| panic!("{}: {e}", v.name));
    }
}

#[test]
fn classic_and_netcdf4_files_read_like_local_files() {
    let srv = server();
    let tmp = tempfile::tempdir().expect("tmp");
    let r = remote(tmp.path());
    for rel in [CLASSIC, NC4] {
        let local = NcSource::open(&rookery_io::IoContext::from_env(), &root().join(rel)).expect("local");
        let http = NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&r)), &srv.url(rel))
            .expect("open url");
        assert_eq!(http.paths(), vec![PathBuf::from(srv.url(rel))]);
        assert_same_source(&local, &http, rel);
        assert!(http.remote_stats().expect("remote").fetched_bytes > 0);
    }
}

#[test]
fn multi_file_join_over_http() {
    let srv = server();
    let tmp = tempfile::tempdir().expect("tmp");
    let r = remote(tmp.path());
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(TAS5_DIR))
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "nc"))
        .collect();
    files.sort();
    assert!(files.len() > 5);
    let urls: Vec<PathBuf> = files
        .iter()
        .map(|f| PathBuf::from(srv.url(&format!("{TAS5_DIR}/{}", f.file_name().expect("name").to_string_lossy()))))
        .collect();
    let local = rookery_io::open_paths(&rookery_io::IoContext::from_env(), &files).expect("local join");
    let http =
        rookery_io::open_paths(&rookery_io::IoContext::new(std::sync::Arc::clone(&r)), &urls).expect("http join");
    assert_same_source(local.as_ref(), http.as_ref(), "TAS5 join");
    // The URLs stand for the files (rook's original-files shortcut returns them).
    let mut paths = http.paths();
    paths.sort();
    let mut want = urls.clone();
    want.sort();
    assert_eq!(paths, want);
    // Inputs keep URLs as they are.
    let inputs: Vec<String> = urls.iter().map(|u| u.to_string_lossy().into_owned()).collect();
    assert_eq!(
        rookery_io::expand_inputs(&rookery_io::IoContext::from_env(), &inputs).expect("expand").len(),
        urls.len()
    );
}

#[test]
fn subset_over_http_equals_libnetcdf() {
    let srv = server();
    let tmp = tempfile::tempdir().expect("tmp");
    let r = remote(tmp.path());
    let http = NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&r)), &srv.url(NC4)).expect("open");
    let v = http.dataset().var("ta").expect("ta").clone();
    assert_eq!(v.shape.len(), 4);
    let start: Vec<usize> = v.shape.iter().map(|&n| n / 4).collect();
    let count: Vec<usize> = v.shape.iter().zip(&start).map(|(&n, &s)| (n - s).min(9)).collect();
    let ours = http.read("ta", &start, &count).expect("read");
    let Array::F32(ours) = ours else { panic!("ta is float") };
    let nc = netcdf::open(root().join(NC4)).expect("libnetcdf");
    let ext: Vec<std::ops::Range<usize>> = start.iter().zip(&count).map(|(&s, &c)| s..s + c).collect();
    let theirs: Vec<f32> = nc.variable("ta").expect("ta").get_values::<f32, _>(ext.as_slice()).expect("values");
    let ours: Vec<u32> = ours.iter().map(|x| x.to_bits()).collect();
    let theirs: Vec<u32> = theirs.iter().map(|x| x.to_bits()).collect();
    assert_eq!(ours, theirs);
}

#[test]
fn warm_cache_makes_no_data_requests_and_a_changed_etag_invalidates() {
    let srv = server();
    let tmp = tempfile::tempdir().expect("tmp");
    let url = srv.url(NC4);
    {
        let s = NcSource::open_url(&rookery_io::IoContext::new(remote(tmp.path())), &url).expect("open");
        read_everything(&s);
    }
    let (gets, heads) = (srv.gets(), srv.heads());
    assert!(gets > 0 && heads == 1, "cold: {gets} GETs, {heads} HEADs");
    // A new client and cache object over the same directory (as a new process would be):
    // one HEAD to validate, no data requests.
    let r2 = remote(tmp.path());
    let s = NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&r2)), &url).expect("open warm");
    read_everything(&s);
    assert_eq!(srv.gets(), gets, "a warm cache must not fetch data");
    assert_eq!(srv.heads(), heads + 1, "one validation request per open");
    let st = s.remote_stats().expect("stats");
    assert_eq!(st.misses, 0);
    assert!(st.disk_hits > 0);
    let used = r2.cache().usage().expect("usage");
    assert_eq!(used.files.len(), 1);
    assert_eq!(used.files[0].url, url);
    let used_bytes = used.bytes;
    drop(s);

    // The file changes on the server (new ETag): its blocks are fetched again, the old ones
    // are removed.
    srv.faults().etag_salt = "v2".into();
    let r3 = remote(tmp.path());
    let s = NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&r3)), &url).expect("open changed");
    read_everything(&s);
    assert!(srv.gets() > gets, "a changed file must be fetched again");
    let used = r3.cache().usage().expect("usage");
    assert_eq!(used.files.len(), 1, "old version removed: {used:?}");
    assert!(used.files[0].validator.contains("v2"));
    assert_eq!(used.bytes, used_bytes);

    // Clearing one URL.
    let (n, bytes) = r3.cache().clear(Some(&url)).expect("clear");
    assert!(n > 0 && bytes == used_bytes);
    assert_eq!(r3.cache().usage().expect("usage").blocks, 0);
}

#[test]
fn a_file_changing_during_a_read_is_an_error_not_mixed_bytes() {
    let srv = server();
    let tmp = tempfile::tempdir().expect("tmp");
    let r = remote(tmp.path());
    let s = NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&r)), &srv.url(NC4)).expect("open");
    srv.faults().etag_salt = "changed".into();
    let e = s.read_all("ta").expect_err("must fail").to_string();
    assert!(e.contains("changed on the server") && e.contains(&srv.url(NC4)), "{e}");
}

#[test]
fn errors_are_one_line_and_name_the_url() {
    let srv = server();
    let tmp = tempfile::tempdir().expect("tmp");
    let r = remote(tmp.path());
    let check = |e: String, want: &str, url: &str| {
        assert!(!e.contains('\n'), "{e}");
        assert!(e.contains(url), "{e}");
        assert!(e.contains(want), "{e} (want {want})");
    };
    // 404
    let url = srv.url("mini-esgf/no/such/file.nc");
    let e = NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&r)), &url)
        .err()
        .expect("404")
        .to_string();
    check(e, "HTTP 404 Not Found", &url);
    assert_eq!(srv.heads(), 1, "404 is not retried");
    // 500 always: retried, then an error.
    srv.faults().status.insert(CLASSIC.into(), 500);
    let url = srv.url(CLASSIC);
    let e = NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&r)), &url)
        .err()
        .expect("500")
        .to_string();
    check(e, "HTTP 500 Internal Server Error (after 3 attempts)", &url);
    srv.faults().status.clear();
    // Timeout.
    srv.faults().hang.push(CLASSIC.into());
    let quick = Remote::new(
        HttpOptions { timeout: Duration::from_millis(300), retries: 1, ..fast_http() },
        CacheConfig { dir: None, ..CacheConfig::default() },
    );
    let e = NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&quick)), &url)
        .err()
        .expect("timeout")
        .to_string();
    check(e, "timed out", &url);
    srv.faults().hang.clear();
    // A truncated file (the server reports fewer bytes than the header points to).
    let full = std::fs::metadata(root().join(NC4)).expect("meta").len();
    srv.faults().truncate.insert(NC4.into(), full / 2);
    let url = srv.url(NC4);
    let e = match NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&r)), &url) {
        Err(e) => e.to_string(),
        Ok(s) => s.read_all("ta").expect_err("truncated file must fail").to_string(),
    };
    check(e, &url, &url);
    srv.faults().truncate.clear();
    // A range beyond the end, and a server that says so (416).
    let http = r.http();
    let mut f = http.probe(&srv.url(CLASSIC)).expect("probe");
    let e = http.get_range(&f, f.len - 10, 100).expect_err("beyond").to_string();
    check(e, "beyond the end", &f.url);
    f.len += 1000;
    let e = http.get_range(&f, f.len - 500, 100).expect_err("416").to_string();
    check(e, "416", &f.url);
    // A server that ignores Range.
    srv.faults().ignore_range = true;
    let e = http.get_range(&f, 10, 10).expect_err("no range").to_string();
    check(e, "ignored the Range request", &f.url);
}

#[test]
fn transient_failures_are_retried() {
    let srv = server();
    let tmp = tempfile::tempdir().expect("tmp");
    let r = remote(tmp.path());
    let local = NcSource::open(&rookery_io::IoContext::from_env(), &root().join(NC4)).expect("local");
    srv.faults().fail_gets = 2;
    let s = NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&r)), &srv.url(NC4))
        .expect("open after two 500s");
    srv.faults().cut_gets = 1;
    let a = local.read_all("ta").expect("local");
    let b = s.read_all("ta").expect("read after a dropped connection");
    assert!(same(&a, &b));
}

#[test]
fn concurrent_readers_of_one_block_trigger_one_download() {
    let srv = server();
    let tmp = tempfile::tempdir().expect("tmp");
    let r = remote(tmp.path());
    let st = r.open(&srv.url(NC4)).expect("open");
    srv.faults().get_delay = Some(Duration::from_millis(300));
    let barrier = std::sync::Barrier::new(8);
    std::thread::scope(|sc| {
        for i in 0..8u64 {
            let (st, barrier) = (&st, &barrier);
            sc.spawn(move || {
                barrier.wait();
                let b = hdf5_reader::storage::Storage::read_range(st.as_ref(), 100 + i * 10, 50).expect("read");
                assert_eq!(b.len(), 50);
            });
        }
    });
    assert_eq!(srv.gets(), 1, "one download for eight concurrent readers of one block");
    assert_eq!(st.stats().misses, 1);
}

#[test]
fn an_unusable_cache_dir_degrades_to_uncached_reads() {
    let srv = server();
    let tmp = tempfile::tempdir().expect("tmp");
    // A "directory" below a regular file can be neither created nor written (even by root).
    let file = tmp.path().join("file");
    std::fs::write(&file, b"x").expect("write");
    let r = remote(&file.join("cache"));
    let local = NcSource::open(&rookery_io::IoContext::from_env(), &root().join(NC4)).expect("local");
    let s = NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&r)), &srv.url(NC4))
        .expect("open with a broken cache dir");
    assert_same_source(&local, &s, "uncached");
    assert_eq!(r.cache().usage().map_or(0, |u| u.blocks), 0);
}

#[test]
fn the_cache_stays_within_its_budget() {
    let srv = server();
    let tmp = tempfile::tempdir().expect("tmp");
    let r = Remote::new(
        fast_http(),
        CacheConfig { dir: Some(tmp.path().to_path_buf()), budget: 64 << 10, block_size: 16 << 10, memory: 0 },
    );
    let s = NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&r)), &srv.url(NC4)).expect("open");
    read_everything(&s);
    let used = r.cache().usage().expect("usage");
    assert!(used.bytes <= 64 << 10, "{} bytes cached over a 64 KiB budget", used.bytes);
    assert!(used.blocks > 0);
}

#[test]
fn download_copies_a_file_atomically_and_names_what_failed() {
    let srv = server();
    let tmp = tempfile::tempdir().expect("tmp");
    let r = remote(&tmp.path().join("cache"));
    let dest = tmp.path().join("copy.nc");
    let n = r.download(&srv.url(CLASSIC), &dest).expect("download");
    let want = std::fs::read(root().join(CLASSIC)).expect("local");
    assert_eq!(n, want.len() as u64);
    assert_eq!(std::fs::read(&dest).expect("copy"), want);
    assert!(!dest.with_extension("part").exists());
    // Not found: a typed remote error naming the URL; nothing left behind.
    let url = srv.url("mini-esgf/no/such/file.nc");
    let missing = tmp.path().join("missing.nc");
    match r.download(&url, &missing) {
        Err(rookery_io::IoError::Remote(e)) => {
            assert!(e.is_not_found() && e.url == url, "{e}");
        }
        other => panic!("expected a remote error, got {other:?}"),
    }
    assert!(!missing.exists() && !missing.with_extension("part").exists());
    // Refused by the egress policy: the server is not on the allow-list.
    let closed =
        r.with_policy(rookery_io::EgressPolicy::allow_list(&["https://data.example/".into()], &[]).expect("p"));
    let e = closed.download(&srv.url(CLASSIC), &missing).expect_err("refused");
    assert!(matches!(e, rookery_io::IoError::Remote(_)) && e.to_string().contains("allowed_urls"), "{e}");
    assert!(!missing.exists());
    // A destination that cannot be written: the error names the file.
    let bad = tmp.path().join("no/such/dir/copy.nc");
    let e = r.download(&srv.url(CLASSIC), &bad).expect_err("unwritable");
    assert!(matches!(&e, rookery_io::IoError::Write { path, .. } if path == &bad.with_extension("part")), "{e}");
}
