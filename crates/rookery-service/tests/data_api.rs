//! The data API on a real server on loopback: the dataset registry, Zarr 2/3 and Kerchunk
//! read by xarray, zarr-python 3 and fsspec (values compared with the source files read by
//! netCDF4/xarray and with a `rookery subset` of the same id), caching headers, access rules
//! and the error cases (404s, path traversal attempts, a client leaving mid-response).

mod common;

use common::{get, get_h, Server};
use rookery_io::Source;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// Multi-file NetCDF-4 (deflate + shuffle), no fix: Zarr 2 chunks pass through.
const PSL: &str = "c3s-cordex.output.EUR-11.IPSL.MOHC-HadGEM2-ES.rcp85.r1i1p1.IPSL-WRF381P.v1.day.psl.v20190212";
/// Multi-file classic NetCDF, tiny grid: re-encoded in larger chunks.
const TAS5: &str = "cmip5.output1.MOHC.HadGEM2-ES.rcp85.mon.atmos.Amon.r1i1p1.latest.tas";
/// A dataset with the built-in decadal fixes (calendar, attributes, added coordinates).
const DECADAL: &str =
    "c3s-cmip6-decadal.DCPP.MOHC.HadGEM3-GC31-MM.dcppA-hindcast.s1960-r2i1p1f2.day.tasmin.gn.v20200417";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Generated NetCDF-4 files with 1 MiB chunks (tests/py/make_served.py): passed through.
const GEN: &str = "gen.day.tas";

/// A generated NetCDF-4 file (tests/py/make_onechunk.py) whose variables are each ONE piece of
/// the whole array: `tas` contiguous, `tasz` one deflated chunk (26 MB decoded each).
const ONE: &str = "gen.big.tas";

/// The test projects, project `gen` (its files generated once), and `[rookery]
/// public_datasets = c3s-cordex.*` (set before any server of this binary starts).
fn projects() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let gen = tmp.join("data_api_gen");
        if let Some(py) = python() {
            let o = std::process::Command::new(py)
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/make_served.py"))
                .arg(gen.join("day/tas"))
                .output()
                .unwrap();
            assert!(o.status.success(), "make_served.py: {}", String::from_utf8_lossy(&o.stderr));
            let o = std::process::Command::new(python().unwrap())
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/make_onechunk.py"))
                .arg(gen.join("big/tas"))
                .output()
                .unwrap();
            assert!(o.status.success(), "make_onechunk.py: {}", String::from_utf8_lossy(&o.stderr));
        }
        let extra = tmp.join("data_api_public.ini");
        std::fs::write(
            &extra,
            format!("[rookery]\npublic_datasets = c3s-cordex.*\n\n[project:gen]\nbase_dir = {}\n", gen.display()),
        )
        .unwrap();
        let ini = repo().join("config/mini-esgf.ini");
        std::env::set_var("ROOCS_CONFIG", format!("{}:{}", ini.display(), extra.display()));
    });
}

fn server(open: bool) -> Server {
    projects();
    common::start(open)
}

fn json(r: &common::Resp) -> serde_json::Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.text()))
}

fn files_of(s: &Server, id: &str) -> Vec<String> {
    let d = json(&get(&s.url(&format!("/datasets/{id}"))));
    d["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_string()).collect()
}

/// The Python of .venv-zarr (installed by scripts/setup-pyzarr.sh in CI), if present.
fn python() -> Option<PathBuf> {
    static PY: OnceLock<Option<PathBuf>> = OnceLock::new();
    PY.get_or_init(|| {
        let py = repo().join(".venv-zarr/bin/python");
        if std::env::var_os("CI").is_some() {
            let st = std::process::Command::new("bash").arg(repo().join("scripts/setup-pyzarr.sh")).status().unwrap();
            assert!(st.success(), "scripts/setup-pyzarr.sh failed");
        }
        py.exists().then_some(py)
    })
    .clone()
}

/// The files of dataset `id` as the conductor resolves them.
fn source_files(id: &str) -> Vec<PathBuf> {
    let d = rookery_daops::Daops::new(rookery_daops::Config::load().unwrap()).unwrap();
    d.datasets(&[id.to_string()], None, None).unwrap().remove(0).files
}

/// `rookery subset` of the whole dataset (through the conductor, fixes applied, processed).
fn subset(id: &str, dir: &Path) -> PathBuf {
    use rookery_ops::{NamerKind, OutputSpec, SubsetRequest};
    let d = rookery_daops::Daops::new(rookery_daops::Config::load().unwrap()).unwrap();
    let opts = rookery_daops::RunOptions {
        output: OutputSpec {
            dir: dir.to_path_buf(),
            format: rookery_io::OutputFormat::Nc4,
            size_limit: 2_000_000_000,
            extra: String::new(),
            history: String::new(),
            cancel: Default::default(),
        },
        namer: NamerKind::Simple,
        apply_fixes: true,
        original_files: rookery_daops::OriginalFiles::Never,
        progress: Default::default(),
        join_paths: false,
    };
    let rs = d.subset(&[id.to_string()], &SubsetRequest::default(), &opts).unwrap();
    let out = rs.file_uris();
    assert_eq!(out.len(), 1, "{out:?}");
    PathBuf::from(&out[0])
}

fn check_with_python(s: &Server, id: &str, fixed: bool, with_subset: bool) {
    let Some(py) = python() else {
        eprintln!("NOTICE: .venv-zarr missing (run scripts/setup-pyzarr.sh); Python checks skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let sub = if with_subset { subset(id, tmp.path()).to_string_lossy().into_owned() } else { "-".into() };
    let mut cmd = std::process::Command::new(py);
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/serve_check.py"))
        .arg(format!("http://{}", s.addr))
        .arg(id)
        .arg(&sub)
        .args(source_files(id))
        .env("FIXED", if fixed { "1" } else { "0" });
    let o = common::output_within(&mut cmd, Duration::from_secs(300));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{id}: {out}\n{}", String::from_utf8_lossy(&o.stderr));
    eprint!("{out}");
}

#[test]
fn registry_lists_and_describes() {
    let s = server(true);
    let r = get(&s.url("/datasets?project=c3s-cordex&limit=1"));
    assert_eq!(r.status, 200, "{}", r.text());
    let l = json(&r);
    assert!(l["numberMatched"].as_u64().unwrap() >= 1);
    assert_eq!(l["numberReturned"], 1);
    let r = get(&s.url("/datasets?q=IPSL-WRF381P.v1.day.psl"));
    let l = json(&r);
    let ids: Vec<&str> = l["datasets"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&PSL), "{ids:?}");
    let all = json(&get(&s.url("/datasets?limit=10000")));
    let ids: Vec<&str> = all["datasets"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&TAS5) && ids.contains(&DECADAL), "{} ids", ids.len());
    // Paging: the next link gives the following ids.
    let p1 = json(&get(&s.url("/datasets?limit=2")));
    let next = p1["links"].as_array().unwrap().iter().find(|l| l["rel"] == "next").unwrap()["href"].as_str().unwrap();
    let p2 = json(&get(next));
    assert_eq!(p2["datasets"][0]["id"], all["datasets"][2]["id"]);
    let h = get(&s.url("/datasets?f=html&project=cmip5"));
    assert!(h.header("content-type").unwrap().starts_with("text/html") && h.text().contains("<table>"));
    assert!(h.text().contains(TAS5));

    let d = json(&get(&s.url(&format!("/datasets/{PSL}"))));
    assert_eq!(d["id"], PSL);
    assert_eq!(d["files"].as_array().unwrap().len(), 10);
    assert!(d["variables"]["psl"]["dims"].as_array().unwrap().len() == 3);
    assert!(
        d["time"]["steps"].as_u64().unwrap() > 0
            && d["time"]["start"].as_str().unwrap() < d["time"]["end"].as_str().unwrap()
    );
    // One time step of a 5x5 grid per chunk in the files: merged into 256 KiB chunks.
    assert_eq!(d["variables"]["psl"]["zarr_chunks"], serde_json::json!([2622, 5, 5]));
    assert!(d["files"][0]["href"].as_str().unwrap().starts_with("https://"), "{}", d["files"][0]);
    let rels: Vec<&str> = d["links"].as_array().unwrap().iter().map(|l| l["rel"].as_str().unwrap()).collect();
    assert!(rels.contains(&"zarr-v2") && rels.contains(&"zarr-v3") && rels.contains(&"kerchunk"));
    let d = json(&get(&s.url(&format!("/datasets/{TAS5}"))));
    assert_eq!(d["variables"]["tas"]["zarr_v2_codec"], "re-encoded: zlib level 1");
    if python().is_some() {
        let d = json(&get(&s.url(&format!("/datasets/{GEN}"))));
        let c = d["variables"]["tas"]["zarr_v2_codec"].as_str().unwrap();
        assert!(c.starts_with("passthrough") && c.contains("shuffle") && c.contains("zlib"), "{c}");
        assert_eq!(d["variables"]["tas"]["zarr_chunks"], serde_json::json!([1, 256, 1024]));
    }
    let d = json(&get(&s.url(&format!("/datasets/{DECADAL}"))));
    assert!(!d["fixes_applied"].as_array().unwrap().is_empty(), "{}", d["fixes_applied"]);
}

#[test]
fn zarr_and_kerchunk_equal_the_source_files() {
    let s = server(true);
    check_with_python(&s, GEN, false, false);
    check_with_python(&s, PSL, false, false);
    check_with_python(&s, TAS5, false, false);
    // The fixed dataset: values equal the files' and a rookery subset's.
    check_with_python(&s, DECADAL, true, true);
}

#[test]
fn etags_cache_and_not_found() {
    projects();
    // The configured max-age (data_max_age_secs) on chunks, metadata and files.
    let s = common::start_configured(true, |c| c.data_max_age_secs = 7);
    let u = s.url(&format!("/datasets/{PSL}/zarr/.zmetadata"));
    let r = get(&u);
    assert_eq!(r.status, 200);
    let tag = r.header("etag").unwrap().to_string();
    assert_eq!(r.header("cache-control"), Some("public, max-age=7"));
    let r = get_h(&u, &[("If-None-Match", &tag)]);
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    let c = s.url(&format!("/datasets/{PSL}/zarr/psl/0.0.0"));
    let r = get(&c);
    assert_eq!(r.status, 200);
    let ctag = r.header("etag").unwrap().to_string();
    assert_ne!(ctag, tag);
    assert_eq!(get_h(&c, &[("If-None-Match", &ctag)]).status, 304);
    // References: the files at this node by default, at their download URLs on request.
    let ranges = |q: &str| -> Vec<String> {
        let k = json(&get(&s.url(&format!("/datasets/{PSL}/kerchunk.json{q}"))));
        let refs = k["refs"].as_object().unwrap().clone();
        refs.values()
            .filter_map(|v| v.as_array().filter(|a| a.len() == 3).map(|a| a[0].as_str().unwrap().to_string()))
            .collect()
    };
    let here = ranges("");
    assert!(
        !here.is_empty() && here.iter().all(|u| u.starts_with(&s.url(&format!("/datasets/{PSL}/files/")))),
        "{here:?}"
    );
    let public = ranges("?targets=download");
    assert!(!public.is_empty() && public.iter().all(|u| u.starts_with("https://")), "{public:?}");
    assert_eq!(get(&s.url(&format!("/datasets/{PSL}/kerchunk.json?targets=nope"))).status, 400);
    let r = get(&s.url(&format!("/datasets/{PSL}/zarr3/psl/c/0/0/0")));
    assert_eq!(r.status, 200);
    assert_eq!(&r.body[..2], &[0x1f, 0x8b], "Zarr 3 chunks are gzip");
    // Unknown datasets, variables, keys out of the grid, traversal attempts: 404, one line.
    for path in [
        "/datasets/cmip6.nope.none".to_string(),
        "/datasets/cmip6/zarr/.zmetadata".into(),
        "/datasets/c3s-cordex.output/zarr/.zmetadata".into(),
        "/datasets/..%2F..%2Fetc%2Fpasswd/zarr/.zmetadata".into(),
        "/datasets/%2Fetc%2Fpasswd/zarr/.zmetadata".into(),
        "/datasets/c3s-cordex.output.EUR-11.IPSL.MOHC-HadGEM2-ES.rcp85.r1i1p1.IPSL-WRF381P.v1.day.psl.*/zarr/.zmetadata"
            .into(),
        format!("/datasets/{PSL}/zarr/nope/.zarray"),
        format!("/datasets/{PSL}/zarr/psl/999999.0.0"),
        format!("/datasets/{PSL}/zarr/psl/0.0"),
        format!("/datasets/{PSL}/zarr/psl/0.0.0.0"),
        format!("/datasets/{PSL}/zarr/psl/-1.0.0"),
        format!("/datasets/{PSL}/zarr/psl/x.y.z"),
        format!("/datasets/{PSL}/zarr/../../../etc/passwd"),
        format!("/datasets/{PSL}/zarr/psl/..%2F..%2F..%2Fetc%2Fpasswd"),
        format!("/datasets/{PSL}/zarr3/psl/c/0/0/99999"),
        format!("/datasets/{PSL}/zarr3/psl/0.0.0"),
        format!("/datasets/{PSL}/zarr3/nope/zarr.json"),
        format!("/datasets/{PSL}/files/..%2F..%2F..%2Fetc%2Fpasswd"),
        format!("/datasets/{PSL}/files/passwd"),
    ] {
        let r = get(&s.url(&path));
        assert_eq!(r.status, 404, "{path}: {}", r.text());
        let t = r.text();
        assert!(!t.trim_end().contains('\n') && json(&r)["code"] == "NotFound", "{path}: {t}");
    }
    // A file of the dataset, by byte range.
    let name = &files_of(&s, PSL)[0];
    let r = get_h(&s.url(&format!("/datasets/{PSL}/files/{name}")), &[("Range", "bytes=0-7")]);
    assert_eq!(r.status, 206);
    assert_eq!(&r.body[1..4], b"HDF");
    // Read through rookery-io's ServedFile: whole, revalidated, the last bytes, beyond the end.
    let u = s.url(&format!("/datasets/{PSL}/files/{name}"));
    let whole = get(&u);
    assert_eq!(whole.status, 200);
    assert_eq!(whole.body, std::fs::read(source_files(PSL).iter().find(|f| f.ends_with(name)).unwrap()).unwrap());
    let ftag = whole.header("etag").unwrap().to_string();
    assert_eq!(get_h(&u, &[("If-None-Match", &ftag)]).status, 304);
    let lm = whole.header("last-modified").unwrap().to_string();
    assert_eq!(get_h(&u, &[("If-Modified-Since", &lm)]).status, 304);
    let r = get_h(&u, &[("Range", "bytes=-5")]);
    assert_eq!((r.status, &r.body[..]), (206, &whole.body[whole.body.len() - 5..]));
    let r = get_h(&u, &[("Range", "bytes=999999999-")]);
    assert_eq!(r.status, 416, "{}", r.text());
}

#[test]
fn reads_need_data_read_unless_public() {
    let s = server(false);
    let u = s.url(&format!("/datasets/{TAS5}/zarr/.zmetadata"));
    assert_eq!(get(&u).status, 401);
    let exec = s.key("runner", "execute");
    let r = get_h(&u, &[("X-API-Key", &exec)]);
    assert_eq!(r.status, 403, "{}", r.text());
    let reader = s.key("reader", "data:read");
    let r = get_h(&u, &[("X-API-Key", &reader)]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.header("cache-control").unwrap().starts_with("private"));
    // c3s-cordex.* is public by configuration: no key needed, and shared caches may keep it.
    let r = get(&s.url(&format!("/datasets/{PSL}/zarr/.zmetadata")));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.header("cache-control").unwrap().starts_with("public"));
    // Without a key, the registry lists the public datasets only.
    let l = json(&get(&s.url("/datasets?limit=10000")));
    assert!(l["datasets"].as_array().unwrap().iter().all(|d| d["id"].as_str().unwrap().starts_with("c3s-cordex.")));
    let l = json(&get_h(&s.url("/datasets?limit=10000"), &[("X-API-Key", &reader)]));
    assert!(l["datasets"].as_array().unwrap().iter().any(|d| d["id"] == TAS5));
}

#[test]
fn a_client_leaving_mid_response_leaves_the_server_healthy() {
    let s = server(true);
    for _ in 0..5 {
        let mut c = std::net::TcpStream::connect(s.addr).unwrap();
        write!(c, "GET /datasets/{PSL}/kerchunk.json HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut b = [0u8; 16];
        let _ = std::io::Read::read(&mut c, &mut b);
        drop(c);
    }
    let r = get(&s.url(&format!("/datasets/{PSL}/zarr/psl/0.0.0")));
    assert_eq!(r.status, 200);
}

#[test]
fn bytes_served_count_against_the_daily_quota() {
    projects();
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = common::config(tmp.path(), false);
    cfg.set("quota_daily_bytes", "1000").unwrap();
    let s = common::start_with(cfg);
    let reader = s.key("reader", "data:read");
    let u = s.url(&format!("/datasets/{TAS5}/zarr/.zmetadata"));
    let r = get_h(&u, &[("X-API-Key", &reader)]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body.len() > 1000);
    let r = get_h(&u, &[("X-API-Key", &reader)]);
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(json(&r)["description"].as_str().unwrap().contains("Quota exceeded"), "{}", r.text());
    // Retry when the day's count starts again (midnight UTC).
    let retry: i64 = r.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=86_400).contains(&retry), "{retry}");
    // Public datasets are not counted.
    assert_eq!(get(&s.url(&format!("/datasets/{PSL}/zarr/.zmetadata"))).status, 200);
}

/// Every value of `var` read from `a` equals `b`'s (NaN equal to NaN).
fn same_values(a: &dyn rookery_io::Source, b: &dyn rookery_io::Source, var: &str) {
    let shape = a.dataset().var(var).unwrap_or_else(|| panic!("{var} missing")).shape.clone();
    assert_eq!(shape, b.dataset().var(var).unwrap().shape, "{var}");
    let start = vec![0; shape.len()];
    let x = a.read(var, &start, &shape).unwrap().to_f64().unwrap();
    let y = b.read(var, &start, &shape).unwrap().to_f64().unwrap();
    let diff = x.iter().zip(&y).filter(|(p, q)| p != q && !(p.is_nan() && q.is_nan())).count();
    assert_eq!(diff, 0, "{var}: {diff} values differ");
}

#[test]
fn parquet_references_are_read_back_by_rookery() {
    let s = server(true);
    let io = rookery_io::IoContext::from_env();
    // Passthrough (the files' byte ranges: GEN's tas) and re-encoded (this server's chunks:
    // TAS5's tas, merged into larger chunks) variables.
    let mut ids = vec![(TAS5, "tas")];
    if python().is_some() {
        ids.push((GEN, "tas"));
    }
    for (id, var) in ids {
        let url = s.url(&format!("/datasets/{id}/kerchunk.parq"));
        let z = rookery_io::ZarrSource::open(&io, &url).unwrap_or_else(|e| panic!("{id}: {e}"));
        let nc = rookery_io::open_paths(&io, &source_files(id)).unwrap();
        same_values(&z, nc.as_ref(), var);
        same_values(&z, nc.as_ref(), "time");
        let note = z.dataset().attrs.get_str("rookery_references").unwrap_or_default().to_string();
        let k = json(&get(&s.url(&format!("/datasets/{id}/kerchunk.json"))));
        let zattrs: serde_json::Value = serde_json::from_str(k["refs"][".zattrs"].as_str().unwrap()).unwrap();
        assert_eq!(zattrs["rookery_references"], serde_json::json!(note), "{id}: the same note as kerchunk.json");
    }
    let base = s.url(&format!("/datasets/{PSL}/kerchunk.parq"));
    let r = get(&format!("{base}/psl/refs.0.parq"));
    assert_eq!(r.status, 200);
    assert_eq!(&r.body[..4], b"PAR1");
    let tag = r.header("etag").unwrap().to_string();
    assert_eq!(get_h(&format!("{base}/psl/refs.0.parq"), &[("If-None-Match", &tag)]).status, 304);
    let meta = json(&get(&format!("{base}/.zmetadata")));
    assert!(meta["record_size"].as_u64().unwrap() > 0 && meta["metadata"]["psl/.zarray"].is_object());
    for key in
        ["psl/refs.1.parq", "psl/refs.x.parq", "nope/refs.0.parq", "psl/.zarray", "refs.0.parq", "psl/refs.-1.parq"]
    {
        let r = get(&format!("{base}/{key}"));
        assert_eq!(r.status, 404, "{key}: {}", r.text());
        assert_eq!(json(&r)["code"], "NotFound");
    }
}

#[test]
fn a_variable_stored_as_one_piece_is_served_in_small_chunks() {
    let Some(_) = python() else {
        eprintln!("NOTICE: .venv-zarr missing (run scripts/setup-pyzarr.sh); the one-chunk dataset is not generated");
        return;
    };
    let s = server(true);
    let d = json(&get(&s.url(&format!("/datasets/{ONE}"))));
    for var in ["tas", "tasz"] {
        let v = &d["variables"][var];
        assert_eq!(v["shape"], serde_json::json!([100, 180, 360]), "{v}");
        // Halved along the largest chunk dimension until a chunk holds at most 8 MiB.
        assert_eq!(v["zarr_chunks"], serde_json::json!([100, 180, 90]), "{v}");
        assert_eq!(v["zarr_v2_codec"], "re-encoded: zlib level 1");
        let z = json(&get(&s.url(&format!("/datasets/{ONE}/zarr/{var}/.zarray"))));
        let n: u64 = z["chunks"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).product();
        assert!(n * 4 <= rookery_io::zarr_serve::MAX_CHUNK_BYTES as u64, "{z}");
    }
    // xarray, zarr-python and fsspec read values equal to the file's (netCDF4).
    check_with_python(&s, ONE, false, false);
}
