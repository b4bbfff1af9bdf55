//! `rookery subset` with a Kerchunk JSON reference as input gives the same output values as
//! with the NetCDF file it references. The reference is made by Python kerchunk (the venv of
//! scripts/setup-pyzarr.sh; run when `CI` is set, otherwise the test is skipped without it).

mod common;
use common::{python, values, workspace};
use std::path::{Path, PathBuf};
use std::process::Command;

const TA: &str = "mini-esgf/badc/cmip6/data/CMIP6/ScenarioMIP/MIROC/MIROC6/ssp119/r1i1p1f1/Amon/ta/gn/files/d20190807/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc";

fn subset(input: &Path, out: &Path) -> PathBuf {
    let o = Command::new(env!("CARGO_BIN_EXE_rookery"))
        .arg("subset")
        .arg(input)
        .args(["--time", "2016-03-01/2019-02-28", "--area", "0,-90,200,90", "--level", "100000/50000"])
        .arg("--output-dir")
        .arg(out)
        .output()
        .expect("run rookery");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "rookery subset {} failed: {}", input.display(), String::from_utf8_lossy(&o.stderr));
    let files: Vec<PathBuf> = stdout.lines().map(PathBuf::from).collect();
    assert_eq!(files.len(), 1, "{stdout}");
    files[0].clone()
}

#[test]
fn subset_of_a_kerchunk_reference_equals_subset_of_the_file() {
    let Some(py) = python() else { return };
    let data = workspace().join("../shared/data").canonicalize().expect("shared/data");
    let nc = data.join(TA);
    let tmp = tempfile::tempdir().expect("tmp");
    // Named like the file: the daops consolidation reads the years from the name (it opens
    // inputs without years in their name with the NetCDF reader only).
    let refs = tmp.path().join("ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.json");
    let st = Command::new(py)
        .args([
            "-c",
            "import sys, json\nfrom kerchunk.hdf import SingleHdf5ToZarr\njson.dump(SingleHdf5ToZarr(sys.argv[1]).translate(), open(sys.argv[2], 'w'))",
        ])
        .arg(&nc)
        .arg(&refs)
        .status()
        .expect("run kerchunk");
    assert!(st.success());

    let (da, db) = (tmp.path().join("a"), tmp.path().join("b"));
    let a = subset(&nc, &da);
    let b = subset(&refs, &db);
    for var in ["ta", "time", "time_bnds", "lat", "lon", "plev"] {
        let (sa, va) = values(&a, var);
        let (sb, vb) = values(&b, var);
        assert_eq!(sa, sb, "{var}: shape");
        assert!(!va.is_empty(), "{var}: empty subset");
        assert!(va.iter().zip(&vb).all(|(x, y)| x.to_bits() == y.to_bits()), "{var}: values differ");
    }
}
