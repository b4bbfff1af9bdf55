//! OPeNDAP (DAP2 and DAP4) on a real server on loopback, read by netCDF-C (ncdump,
//! netCDF4-python, xarray's netcdf4 engine) and pydap, compared with the files read locally
//! (tests/py/dap_check.py); bad constraints answered 400 with a DAP error body; answers above
//! `max_answer_bytes` refused with 413 before reading.

mod common;

use common::{get, Server};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// Generated: three NetCDF-4 files of 4 steps, tas(time, lat=256, lon=1024) (tests/py/make_served.py).
const GEN: &str = "gen.day.tas";
/// Real CMIP6 daily tas (NetCDF-4, 3711 steps, 2x3 grid, units/calendar, many string attributes).
const CMIP6: &str = "CMIP6.DCPP.CMCC.CMCC-CM2-SR5.dcppA-hindcast.s1960-r1i1p1f1.day.tas.gn.v20210806";
/// Real CMIP5 monthly tas, several classic NetCDF files aggregated in time.
const CMIP5: &str = "cmip5.output1.MOHC.HadGEM2-ES.rcp85.mon.atmos.Amon.r1i1p1.latest.tas";
/// The answer limit of these servers (the whole generated tas is 12.6 MB).
const LIMIT: u64 = 8_000_000;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Python of .venv-zarr with pydap, and ncdump (scripts/setup-dap.sh), if present; in CI they must be.
fn tools() -> Option<PathBuf> {
    static PY: OnceLock<Option<PathBuf>> = OnceLock::new();
    PY.get_or_init(|| {
        if std::env::var_os("CI").is_some() {
            let st = std::process::Command::new("bash").arg(repo().join("scripts/setup-dap.sh")).status().unwrap();
            assert!(st.success(), "scripts/setup-dap.sh failed");
        }
        let py = repo().join(".venv-zarr/bin/python");
        let ok = py.exists()
            && std::process::Command::new(&py)
                .args(["-c", "import pydap, netCDF4, xarray"])
                .status()
                .is_ok_and(|s| s.success())
            && std::process::Command::new("ncdump").arg("--version").output().is_ok();
        if !ok {
            assert!(std::env::var_os("CI").is_none(), "pydap/netCDF4/ncdump missing in CI");
            eprintln!("NOTICE: pydap, netCDF4 or ncdump missing (run scripts/setup-dap.sh): client checks SKIPPED");
        }
        ok.then_some(py)
    })
    .clone()
}

/// The test projects plus project `gen` (generated once) and `max_answer_bytes`.
fn server() -> Server {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let gen = tmp.join("opendap_gen");
        if let Some(py) = tools() {
            let o = std::process::Command::new(py)
                .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/make_served.py"))
                .arg(gen.join("day/tas"))
                .output()
                .unwrap();
            assert!(o.status.success(), "make_served.py: {}", String::from_utf8_lossy(&o.stderr));
        }
        let extra = tmp.join("opendap.ini");
        std::fs::write(&extra, format!("[project:gen]\nbase_dir = {}\n", gen.display())).unwrap();
        let ini = repo().join("config/mini-esgf.ini");
        std::env::set_var("ROOCS_CONFIG", format!("{}:{}", ini.display(), extra.display()));
    });
    common::start_configured(true, |c| c.max_answer_bytes = LIMIT)
}

fn source_files(id: &str) -> Vec<PathBuf> {
    let d = rookery_daops::Daops::new(rookery_daops::Config::load().unwrap()).unwrap();
    d.datasets(&[id.to_string()], None, None).unwrap().remove(0).files
}

fn check(s: &Server, id: &str, slab: &str) {
    let Some(py) = tools() else { return };
    let mut cmd = std::process::Command::new(py);
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/dap_check.py"))
        .arg(format!("http://{}", s.addr))
        .arg(id)
        .arg("tas")
        .arg(slab)
        .args(source_files(id));
    let o = common::output_within(&mut cmd, Duration::from_secs(600));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{id}: {out}\n{}", String::from_utf8_lossy(&o.stderr));
    eprint!("{out}");
}

#[test]
fn clients_read_generated_multi_file_tas() {
    let s = server();
    if tools().is_none() {
        return;
    }
    // A hyperslab across the first file boundary, with strides.
    check(&s, GEN, "[2:1:5][10:2:20][0:1:5]");
}

#[test]
fn clients_read_cmip6_daily_tas() {
    let s = server();
    // (netCDF-C 4.9 itself rewrites a URL hyperslab [0:2:2] of a 3-long last dimension to [0].)
    check(&s, CMIP6, "[0:1:2][0:1:1][1:1:2]");
}

#[test]
fn clients_read_cmip5_aggregated_tas() {
    let s = server();
    check(&s, CMIP5, "[10:7:40][0][0:1:1]");
}

fn dap_error(r: &common::Resp, status: u16, says: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    let t = r.text();
    assert!(t.starts_with("Error {\n    code = ") && t.contains(says) && t.ends_with("};\n"), "{t}");
}

#[test]
fn dds_das_and_grid_shapes() {
    let s = server();
    let base = s.url(&format!("/opendap/{CMIP6}"));
    let r = get(&format!("{base}.dds?tas[0:1:2][0:1:1][0:2:2]"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-description"), Some("dods-dds"));
    assert!(r.text().contains(
        "    Grid {\n      ARRAY:\n        Float32 tas[time = 3][lat = 2][lon = 2];\n      MAPS:\n        Float64 time[time = 3];\n        Float64 lat[lat = 2];\n        Float64 lon[lon = 2];\n    } tas;\n"
    ), "{}", r.text());
    // A member of the grid is a Structure; plain arrays stay arrays.
    let r = get(&format!("{base}.dds?tas.tas[0][0][0],time_bnds[0:1][0:1]"));
    assert!(r.text().contains("    Structure {\n        Float32 tas[time = 1][lat = 1][lon = 1];\n    } tas;\n    Float64 time_bnds[time = 2][bnds = 2];\n"), "{}", r.text());
    let das = get(&format!("{base}.das")).text();
    assert!(das.contains("String calendar \"365_day\";") || das.contains("String calendar \"noleap\";"), "{das}");
    assert!(das.contains("Float32 _FillValue 1e20;"), "{das}");
    assert!(das.contains("NC_GLOBAL {"), "{das}");
    // .dods: the DDS, Data:, XDR with the count twice; Content-Length exact.
    let r = get(&format!("{base}.dods?tas.tas[0:1][0][0]"));
    assert_eq!(r.status, 200);
    let i = r.body.windows(7).position(|w| w == b"\nData:\n").unwrap() + 7;
    assert_eq!(&r.body[i..i + 8], &[0, 0, 0, 2, 0, 0, 0, 2]);
    assert_eq!(r.body.len() - i, 16);
    assert_eq!(r.header("content-length").map(str::to_string), Some(r.body.len().to_string()));
    let html = get(&base).text();
    assert!(html.contains("<form") && html.contains(".dds"), "{html}");
    let ascii = get(&format!("{base}.ascii?tas.tas[0:1][0][0:1]")).text();
    assert!(ascii.contains("tas.tas[0][0], "), "{ascii}");
}

#[test]
fn bad_constraints_are_400_with_a_dap_error() {
    let s = server();
    let base = s.url(&format!("/opendap/{CMIP6}"));
    for (q, says) in [
        ("tas[-1:1:2][0][0]", "non-negative"),
        ("tas[0:1:99999][0][0]", "outside dimension time"),
        ("tas[0:0:2][0][0]", "stride"),
        ("tas[5:1:2][0][0]", "ends before"),
        ("tas[0][0]", "3 dimensions"),
        ("nosuch", "no variable"),
        ("tas&tas%3E3", "selection"),
        ("%C3%28", "UTF-8"),
        ("tas%5B0", "without"),
        ("tas[0", "without"),
        ("(x)", "unexpected"),
    ] {
        for ext in ["dds", "dods", "ascii"] {
            let r = get(&format!("{base}.{ext}?{q}"));
            assert!(r.status == 400 && r.text().contains(says), "{q}: {} {}", r.status, r.text());
            dap_error(&r, 400, says);
        }
    }
    let r = get(&s.url(&format!("/opendap4/{CMIP6}.dap?dap4.ce=/tas[0:1:99999][0][0]")));
    assert_eq!(r.status, 400);
    assert!(r.text().contains("<Error httpcode=\"400\"><Message>") && r.text().contains("outside"), "{}", r.text());
    let r = get(&s.url("/opendap/CMIP6.no.such.dataset.dds"));
    assert_eq!(r.status, 404, "{}", r.text());
}

#[test]
fn too_large_answers_are_413_before_reading() {
    let s = server();
    if tools().is_none() {
        return; // the generated dataset needs Python
    }
    let r = get(&s.url(&format!("/opendap/{GEN}.dods")));
    dap_error(&r, 413, "bytes, more than the 8000000 bytes");
    assert!(r.text().contains("would be 126"), "the size it would have had: {}", r.text());
    let r = get(&s.url(&format!("/opendap4/{GEN}.dap")));
    assert_eq!(r.status, 413);
    // A part of it is answered.
    assert_eq!(get(&s.url(&format!("/opendap/{GEN}.dods?tas[0:1:3][0:1:255][0:1:1023]"))).status, 200);
}
