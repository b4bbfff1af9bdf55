//! NetCDF-4 outputs whose chunks are compressed on all cores and stored pre-compressed
//! (`WriteOptions::parallel`) decode exactly as the ones libnetcdf compresses itself: the same
//! data written both ways (real CMIP6 data with a `_FillValue` and masked values, plus
//! variables whose chunks span several time steps with a partial last chunk and rows never
//! written; shuffle on and off; deflate 1, 6 and 9; an output split into two files) are
//! compared by netCDF4-python, xarray and h5py (tests/py/compare_nc.py, in the venv of
//! scripts/setup-pyzarr.sh), by ncdump (libnetcdf) and by CDO.

use ndarray::ArrayD;
use rookery_cf::{Array, AttrValue, Attrs, DType, Dataset, Dim, Variable};
use rookery_io::{NcSource, Source, WriteOptions, Writer};
use std::path::{Path, PathBuf};
use std::process::Command;

const TA: &str = "mini-esgf/badc/cmip6/data/CMIP6/ScenarioMIP/MIROC/MIROC6/ssp119/r1i1p1f1/Amon/ta/gn/files/d20190807/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace")
}

/// The venv's Python (`None`: not installed, the comparisons by Python are skipped).
fn python() -> Option<PathBuf> {
    let ws = workspace();
    let py = ws.join(".venv-zarr/bin/python");
    if std::env::var_os("CI").is_some() && !py.exists() {
        let st = Command::new("bash").arg(ws.join("scripts/setup-pyzarr.sh")).status().expect("run setup-pyzarr.sh");
        assert!(st.success(), "scripts/setup-pyzarr.sh failed");
    }
    if py.exists() {
        Some(py)
    } else {
        eprintln!("NOTICE: {} missing (run scripts/setup-pyzarr.sh); Python comparisons skipped", py.display());
        None
    }
}

/// The real file's dataset plus two variables chunked along time over several steps: `site`
/// (f64, `_FillValue`, chunks of 104 steps: the last of the 120 is partial) and `count` (i16,
/// default fill, chunks of 69 steps), each with rows 50..60 never written.
fn dataset(src: &dyn Source) -> (Dataset, Vec<(String, Array)>) {
    let mut ds = src.dataset().clone();
    let mut data: Vec<(String, Array)> =
        ds.vars.iter().map(|v| (v.name.clone(), src.read_all(&v.name).expect("read"))).collect();
    let nt = ds.dim("time").expect("time").len;
    ds.dims.push(Dim { name: "site".into(), len: 5000, unlimited: false });
    ds.dims.push(Dim { name: "station".into(), len: 30_000, unlimited: false });
    ds.vars.push(Variable {
        name: "site_value".into(),
        dims: vec!["time".into(), "site".into()],
        shape: vec![nt, 5000],
        dtype: DType::F64,
        attrs: Attrs(vec![("_FillValue".into(), AttrValue::F64(vec![-1e30]))]),
    });
    ds.vars.push(Variable {
        name: "count".into(),
        dims: vec!["time".into(), "station".into()],
        shape: vec![nt, 30_000],
        dtype: DType::I16,
        attrs: Attrs(vec![("units".into(), AttrValue::Text("1".into()))]),
    });
    let site: Vec<f64> =
        (0..nt * 5000).map(|i| if i % 97 == 0 { -1e30 } else { ((i as f64) * 0.37).sin() * 300.0 }).collect();
    data.push(("site_value".into(), Array::F64(ArrayD::from_shape_vec(vec![nt, 5000], site).unwrap())));
    #[allow(clippy::cast_possible_truncation)]
    let count: Vec<i16> = (0..nt * 30_000).map(|i| ((i * 7919) % 20011) as i16 - 10000).collect();
    data.push(("count".into(), Array::I16(ArrayD::from_shape_vec(vec![nt, 30_000], count).unwrap())));
    (ds, data)
}

/// Writes time steps `t0..t1` of `data` to `dest` in blocks of 7 steps (fixed variables at
/// once); rows 50..60 of the synthetic variables are skipped.
fn write(dest: &Path, ds: &Dataset, data: &[(String, Array)], (t0, t1): (usize, usize), opts: &WriteOptions) {
    let mut ds = ds.clone();
    ds.resize_dim("time", t1 - t0);
    let mut w = Writer::create(dest, &ds, opts).expect("create");
    for (name, a) in data {
        let v = ds.var(name).expect("var");
        if v.axis_of("time") != Some(0) {
            w.write(name, &vec![0; v.dims.len()], a).expect("write");
            continue;
        }
        for b0 in (t0..t1).step_by(7) {
            let b1 = (b0 + 7).min(t1);
            let ranges = if name == "site_value" || name == "count" {
                vec![(b0, b1.min(50)), (b0.max(60), b1)]
            } else {
                vec![(b0, b1)]
            };
            for (lo, hi) in ranges.into_iter().filter(|(lo, hi)| lo < hi) {
                let mut start = vec![0; v.dims.len()];
                start[0] = lo - t0;
                w.write(name, &start, &a.slice_axis(0, lo, hi)).expect("write");
            }
        }
    }
    w.finish().expect("finish");
}

/// `ncdump` of `path` without its first line (the file's name).
fn ncdump(path: &Path) -> String {
    let o = Command::new("ncdump").arg(path).output().expect("ncdump");
    assert!(o.status.success(), "ncdump {}: {}", path.display(), String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).lines().skip(1).collect::<Vec<_>>().join("\n")
}

#[test]
fn parallel_chunks_decode_as_libnetcdfs() {
    let data_dir = workspace().join("../shared/data");
    let src = NcSource::open(&rookery_io::IoContext::from_env(), &data_dir.join(TA)).expect("open");
    let (ds, data) = dataset(&src);
    let dir = tempfile::tempdir().unwrap();
    let td = Some("time".to_string());
    // (deflate, shuffle, time slices)
    type Case<'a> = (i32, bool, &'a [(usize, usize)]);
    let cases: [Case<'_>; 3] = [(1, true, &[(0, 120)]), (6, false, &[(0, 120)]), (9, true, &[(0, 50), (50, 120)])];
    let mut pairs: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (deflate, shuffle, slices) in cases {
        for (i, &slice) in slices.iter().enumerate() {
            let name = |p: &str| dir.path().join(format!("{p}_d{deflate}_s{shuffle}_{i}.nc"));
            let (new, old) = (name("new"), name("old"));
            let opts =
                |parallel| WriteOptions { deflate, shuffle, time_dim: td.clone(), parallel, ..Default::default() };
            write(&new, &ds, &data, slice, &opts(true));
            write(&old, &ds, &data, slice, &opts(false));
            assert_eq!(ncdump(&new), ncdump(&old), "ncdump of {} and {}", new.display(), old.display());
            pairs.push((new, old));
        }
    }
    // CDO reads the field identically.
    let (new, old) = &pairs[0];
    let o = Command::new("cdo").args(["-s", "diffn", "-selname,ta"]).arg(new).arg("-selname,ta").arg(old).output();
    if let Ok(o) = o {
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success() && !text.contains("differ"), "cdo diffn: {text}");
    }
    let Some(py) = python() else { return };
    let mut cmd = Command::new(py);
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/compare_nc.py"));
    for (new, old) in &pairs {
        cmd.arg(new).arg(old);
    }
    let o = cmd.output().expect("run compare_nc.py");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}{}", String::from_utf8_lossy(&o.stderr));
    // The fields and the multi-step variables went through the parallel path in every file.
    for (new, _) in &pairs {
        for var in ["ta", "site_value", "count"] {
            let line = format!("{} {var} direct", new.display());
            assert!(out.lines().any(|l| l == line), "{var} of {} not written directly:\n{out}", new.display());
        }
    }
}
