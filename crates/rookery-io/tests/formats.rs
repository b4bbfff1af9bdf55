//! Formats beyond the mini-esgf corpus (which holds only CDF-1 and NetCDF-4): CDF-2, CDF-5 and
//! NetCDF-4 copies made by `nccopy`, files with groups, and multi-file joins with different
//! time units.

use rookery_cf::Array;
use rookery_io::{open_paths, NcSource, Source};
use std::path::{Path, PathBuf};
use std::process::Command;

fn ta() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mini-esgf/badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc")
}

#[test]
fn cdf2_cdf5_and_nc4_copies_read_identically() {
    let dir = tempfile::tempdir().expect("tmp");
    let orig = NcSource::open(&rookery_io::IoContext::from_env(), &ta()).expect("open");
    let want = orig.read_all("tas").expect("read").to_f64().expect("f64");
    for (kind, magic) in [("64-bit offset", b"CDF\x02".as_slice()), ("cdf5", b"CDF\x05"), ("netCDF-4", b"\x89HDF")] {
        let out = dir.path().join(format!("{}.nc", kind.replace(' ', "_")));
        let st = Command::new("nccopy")
            .args(["-k", kind])
            .arg(ta())
            .arg(&out)
            .status()
            .expect("nccopy (netcdf-bin) is installed by scripts/setup.sh");
        assert!(st.success(), "nccopy -k {kind}");
        let bytes = std::fs::read(&out).expect("read");
        assert_eq!(&bytes[..magic.len()], magic, "{kind}");
        let s = NcSource::open(&rookery_io::IoContext::from_env(), &out).expect("open copy");
        let got = s.read_all("tas").expect("read copy").to_f64().expect("f64");
        assert_eq!(got, want, "{kind}");
        let t = s.read("time", &[3], &[2]).expect("slab");
        assert_eq!(
            t.to_f64().expect("f64").as_slice().expect("slice"),
            orig.read("time", &[3], &[2]).expect("t").to_f64().expect("f").as_slice().expect("s")
        );
    }
}

#[test]
fn outputs_are_compressed_as_the_source() {
    // A classic file stores its data plainly: outputs are uncompressed NetCDF-4 (as xarray
    // writes them); a NetCDF-4 copy (compressed by nccopy -d1) gives deflate + shuffle.
    let dir = tempfile::tempdir().expect("tmp");
    let classic = NcSource::open(&rookery_io::IoContext::from_env(), &ta()).expect("open");
    assert_eq!(classic.compressed(), Some(false));
    let o = rookery_io::WriteOptions::following(&classic, rookery_io::OutputFormat::Nc4, None);
    assert!(o.deflate == 0 && !o.shuffle, "{o:?}");
    let nc4 = dir.path().join("nc4.nc");
    let st = Command::new("nccopy").args(["-k", "nc4", "-d", "1"]).arg(ta()).arg(&nc4).status().expect("nccopy");
    assert!(st.success());
    let src = NcSource::open(&rookery_io::IoContext::from_env(), &nc4).expect("open nc4");
    assert_ne!(src.compressed(), Some(false));
    let o = rookery_io::WriteOptions::following(&src, rookery_io::OutputFormat::Nc4, None);
    assert!(o.deflate == 1 && o.shuffle, "{o:?}");
    let joined = open_paths(&rookery_io::IoContext::from_env(), &[ta()]).expect("agg");
    assert_eq!(joined.compressed(), Some(false));
}

#[test]
fn groups_are_ignored_with_the_root_kept() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("groups.nc");
    {
        let mut f = netcdf::create(&p).expect("create");
        f.add_dimension("x", 3).expect("dim");
        let mut v = f.add_variable::<f32>("a", &["x"]).expect("var");
        v.put_values(&[1.0f32, 2.0, 3.0], ..).expect("put");
        let mut g = f.add_group("sub").expect("group");
        g.add_dimension("y", 2).expect("dim");
        let mut w = g.add_variable::<i32>("b", &["y"]).expect("var");
        w.put_values(&[7, 8], ..).expect("put");
    }
    let s = NcSource::open(&rookery_io::IoContext::from_env(), &p).expect("open");
    assert_eq!(s.dataset().vars.len(), 1);
    match s.read_all("a").expect("read") {
        Array::F32(a) => assert_eq!(a.iter().copied().collect::<Vec<_>>(), [1.0, 2.0, 3.0]),
        other => panic!("{other:?}"),
    }
}

fn write_time_file(p: &Path, units: &str, values: &[f64], data: &[f32]) {
    let mut f = netcdf::create(p).expect("create");
    f.add_unlimited_dimension("time").expect("dim");
    f.add_dimension("lat", 1).expect("dim");
    let mut t = f.add_variable::<f64>("time", &["time"]).expect("var");
    t.put_attribute("units", units).expect("attr");
    t.put_attribute("calendar", "noleap").expect("attr");
    t.put_attribute("standard_name", "time").expect("attr");
    t.put_values(values, ..).expect("put");
    let mut l = f.add_variable::<f64>("lat", &["lat"]).expect("var");
    l.put_attribute("units", "degrees_north").expect("attr");
    l.put_values(&[10.0], ..).expect("put");
    let mut v = f.add_variable::<f32>("pr", &["time", "lat"]).expect("var");
    v.put_values(data, [0..data.len(), 0..1]).expect("put");
}

#[test]
fn join_orders_by_time_and_recodes_units() {
    let dir = tempfile::tempdir().expect("tmp");
    let a = dir.path().join("a.nc");
    let b = dir.path().join("b.nc");
    // b is later in time but sorts first by name; its units differ.
    write_time_file(&b, "hours since 2000-01-01", &[24.0 * 365.0, 24.0 * 366.0], &[3.0, 4.0]);
    write_time_file(&a, "days since 1999-01-01", &[0.0, 1.0], &[1.0, 2.0]);
    let s = open_paths(&rookery_io::IoContext::from_env(), &[b.clone(), a.clone()]).expect("join");
    assert_eq!(s.paths(), vec![a, b]);
    let t = s.read_all("time").expect("t").to_f64().expect("f");
    // All in the first file's units: days since 1999-01-01 (noleap): 2001-01-01 = day 730.
    assert_eq!(t.iter().copied().collect::<Vec<_>>(), [0.0, 1.0, 730.0, 731.0]);
    let pr = s.read("pr", &[1, 0], &[2, 1]).expect("pr").to_f64().expect("f");
    assert_eq!(pr.iter().copied().collect::<Vec<_>>(), [2.0, 3.0]);
}

#[test]
fn join_refuses_overlaps_and_grid_mismatches() {
    let dir = tempfile::tempdir().expect("tmp");
    let a = dir.path().join("a.nc");
    let b = dir.path().join("b.nc");
    write_time_file(&a, "days since 2000-01-01", &[0.0, 10.0], &[1.0, 2.0]);
    write_time_file(&b, "days since 2000-01-01", &[5.0, 15.0], &[3.0, 4.0]);
    let e = open_paths(&rookery_io::IoContext::from_env(), &[a.clone(), b]).err().expect("overlap").to_string();
    assert!(e.contains("overlap in time"), "{e}");
    let c = dir.path().join("c.nc");
    {
        let mut f = netcdf::create(&c).expect("create");
        f.add_unlimited_dimension("time").expect("dim");
        f.add_dimension("lat", 2).expect("dim");
        let mut t = f.add_variable::<f64>("time", &["time"]).expect("var");
        t.put_attribute("units", "days since 2000-01-01").expect("attr");
        t.put_attribute("calendar", "noleap").expect("attr");
        t.put_values(&[20.0], ..).expect("put");
        let mut l = f.add_variable::<f64>("lat", &["lat"]).expect("var");
        l.put_attribute("units", "degrees_north").expect("attr");
        l.put_values(&[10.0, 20.0], ..).expect("put");
        let mut v = f.add_variable::<f32>("pr", &["time", "lat"]).expect("var");
        v.put_values(&[1.0f32, 2.0], [0..1, 0..2]).expect("put");
    }
    let e = open_paths(&rookery_io::IoContext::from_env(), &[a, c]).err().expect("mismatch").to_string();
    assert!(e.contains("dimension lat has length"), "{e}");
}
