//! `rookery cache stats|clear`, `info`/`subset` on an `http://` URL, and `kerchunk` of remote
//! files, against the loopback test server of rookery-io (tests/support/server.rs).

#[path = "../../rookery-io/tests/support/server.rs"]
mod server;

use std::path::{Path, PathBuf};
use std::process::Command;

const NC4: &str = "mini-esgf/badc/cmip6/data/CMIP6/ScenarioMIP/MIROC/MIROC6/ssp119/r1i1p1f1/Amon/ta/gn/files/d20190807/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

fn rookery(cache: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rookery"))
        .args(args)
        .env("ROOKERY_CACHE_DIR", cache)
        .env_remove("ROOKERY_CACHE_SIZE")
        .env("ROOKERY_HTTP_RETRIES", "1")
        .output()
        .expect("run rookery");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cache_stats_and_clear() {
    let srv = server::Server::start(root());
    let tmp = tempfile::tempdir().expect("tmp");
    let cache = tmp.path().join("cache");
    let url = srv.url(NC4);
    // Fill the cache through the library, as `subset URL` would.
    {
        let remote = rookery_io::Remote::new(
            rookery_io::HttpOptions::default(),
            rookery_io::CacheConfig { dir: Some(cache.clone()), ..rookery_io::CacheConfig::default() },
        );
        let s = rookery_io::NcSource::open_url(&rookery_io::IoContext::new(std::sync::Arc::clone(&remote)), &url)
            .expect("open");
        rookery_io::Source::read_all(&s, "ta").expect("read");
    }
    let (code, out, err) = rookery(&cache, &["cache", "stats"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("directory: {}", cache.display())), "{out}");
    assert!(out.contains("budget: 10.0 GB"), "{out}");
    assert!(out.contains(&url), "{out}");
    assert!(out.contains("files: 1"), "{out}");
    let (code, out, err) = rookery(&cache, &["cache", "clear", "--url", &url]);
    assert_eq!(code, 0, "{err}");
    // The cache holds the ranges the read fetched (metadata windows, the chunks): one or more.
    assert!(out.contains("removed ") && !out.contains("removed 0 blocks"), "{out}");
    let (_, out, _) = rookery(&cache, &["cache", "stats"]);
    assert!(out.contains("in 0 blocks") && out.contains("files: 0"), "{out}");
    let (code, out, _) = rookery(&cache, &["cache", "clear"]);
    assert_eq!(code, 0);
    assert!(out.contains("removed 0 blocks"), "{out}");
}

/// A URL that maps to no data node is read over HTTP (byte ranges through the cache).
#[test]
fn info_and_subset_of_a_url() {
    let srv = server::Server::start(root());
    let tmp = tempfile::tempdir().expect("tmp");
    let cache = tmp.path().join("cache");
    let url = srv.url(NC4);
    let (code, out, err) = rookery(&cache, &["info", &url]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ta"), "{out}");
    let dir = tmp.path().join("out");
    let (code, out, err) =
        rookery(&cache, &["subset", &url, "--time", "2016-01-01/2016-12-31", "--output-dir", &dir.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let outputs: Vec<&str> = out.lines().collect();
    assert_eq!(outputs.len(), 1, "{out}");
    let f = netcdf::open(outputs[0]).expect("output");
    assert_eq!(f.variable("ta").expect("ta").dimensions()[0].len(), 12);
    // A missing URL: one line naming it.
    let missing = srv.url("mini-esgf/nope.nc");
    let (code, _, err) = rookery(&cache, &["info", &missing]);
    assert_eq!(code, 1);
    assert!(err.starts_with("rookery: error: ") && err.contains(&missing) && err.contains("404"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// References of remote files: the URLs are the targets, and the references decode to the
/// local files' values (NetCDF-4 and classic; one file and several combined).
#[test]
fn kerchunk_of_urls() {
    let srv = server::Server::start(root());
    let tmp = tempfile::tempdir().expect("tmp");
    let cache = tmp.path().join("cache");
    let io = rookery_io::IoContext::from_env();
    let classic: Vec<PathBuf> = {
        let dir = root()
            .join("mini-esgf/badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas");
        let mut v: Vec<PathBuf> = std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.path()).collect();
        v.retain(|p| p.extension().is_some_and(|e| e == "nc"));
        v.sort();
        v
    };
    let rel = |p: &Path| p.strip_prefix(root()).expect("under root").to_string_lossy().into_owned();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![NC4.to_string()], "ta"),
        (vec![rel(&classic[0])], "tas"),
        (classic.iter().take(2).map(|p| rel(p)).collect(), "tas"),
    ];
    for (k, (files, var)) in cases.iter().enumerate() {
        let urls: Vec<String> = files.iter().map(|f| srv.url(f)).collect();
        let out = tmp.path().join(format!("refs{k}.json"));
        let mut args = vec!["kerchunk".to_string()];
        args.extend(urls.iter().cloned());
        args.extend([
            "--output".to_string(),
            out.to_string_lossy().into_owned(),
            "--inline-threshold".into(),
            "0".into(),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, err) = rookery(&cache, &args);
        assert_eq!(code, 0, "{err}");
        let text = std::fs::read_to_string(&out).expect("refs");
        for u in &urls {
            assert!(text.contains(&format!("[\"{u}\",")), "{u} is a target: {}", &text[..text.len().min(300)]);
        }
        assert!(
            !text.contains("/work/") && !text.contains(&*root().to_string_lossy()),
            "local paths in the references"
        );
        let from_refs = rookery_io::open(&io, &[out.to_string_lossy().into_owned()]).expect("references open");
        let locals: Vec<String> = files.iter().map(|f| root().join(f).to_string_lossy().into_owned()).collect();
        let local = rookery_io::open(&io, &locals).expect("local files");
        let a = from_refs.read_all(var).expect("read refs");
        let b = local.read_all(var).expect("read local");
        assert_eq!(a.shape(), b.shape(), "{files:?}");
        let bits = |x: &rookery_cf::Array| x.to_f64().expect("numeric").iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b), "{files:?}: values through the references");
    }
}
