//! Every `.nc` under `../shared/data/mini-esgf` opens, and every variable reads the same
//! values as libnetcdf (the `netcdf` crate), an independent second reader.

use rookery_cf::{Array, DType};
use rookery_io::{NcSource, Source};
mod support;
use support::corpus::{data_dir, nc_files, same};

#[test]
fn every_variable_matches_libnetcdf() {
    let mut files = Vec::new();
    nc_files(&data_dir(), &mut files);
    files.sort();
    assert!(files.len() > 200, "expected the mini-esgf corpus, found {} files", files.len());
    let (mut nvars, mut nvalues) = (0usize, 0usize);
    for f in &files {
        let ours =
            NcSource::open(&rookery_io::IoContext::from_env(), f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let theirs = netcdf::open(f).unwrap_or_else(|e| panic!("libnetcdf {}: {e}", f.display()));
        let ref_vars: Vec<String> = theirs.variables().map(|v| v.name()).collect();
        let our_vars: Vec<String> = ours.dataset().vars.iter().map(|v| v.name.clone()).collect();
        assert_eq!(our_vars, ref_vars, "{}: variable lists differ", f.display());
        for v in &ours.dataset().vars {
            let rv = theirs.variable(&v.name).expect("variable");
            let shape: Vec<usize> = rv.dimensions().iter().map(netcdf::Dimension::len).collect();
            assert_eq!(v.shape, shape, "{} {}: shape", f.display(), v.name);
            let a = ours.read_all(&v.name).unwrap_or_else(|e| panic!("{} {}: {e}", f.display(), v.name));
            match v.dtype {
                DType::Str => {
                    let Array::Str(s) = a else { panic!("string variable read as {:?}", a.dtype()) };
                    for (i, x) in s.iter().enumerate() {
                        let mut idx = Vec::new();
                        let mut rem = i;
                        for &n in shape.iter().rev() {
                            idx.push(rem % n);
                            rem /= n;
                        }
                        idx.reverse();
                        let r = rv.get_string(idx.as_slice()).expect("libnetcdf string");
                        assert_eq!(x, &r, "{} {}[{i}]", f.display(), v.name);
                    }
                }
                DType::Char => {
                    let Array::Char(c) = a else { panic!("char variable read as {:?}", a.dtype()) };
                    let r = rv.get_raw_values(..).expect("libnetcdf chars");
                    assert_eq!(c.iter().copied().collect::<Vec<u8>>(), r, "{} {}", f.display(), v.name);
                }
                _ => {
                    let ours_f = a.to_f64().expect("numeric");
                    let r: Vec<f64> = rv.get_values::<f64, _>(..).expect("libnetcdf values");
                    assert_eq!(ours_f.len(), r.len(), "{} {}", f.display(), v.name);
                    for (i, (x, y)) in ours_f.iter().zip(&r).enumerate() {
                        assert!(same(*x, *y), "{} {}[{i}]: {x} != {y}", f.display(), v.name);
                    }
                    nvalues += r.len();
                }
            }
            nvars += 1;
        }
    }
    eprintln!("{} files, {nvars} variables, {nvalues} numeric values identical", files.len());
}

#[test]
fn hyperslabs_match_whole_reads() {
    // A 4-D NetCDF-4 variable and a classic one: every 2x2 window equals the whole read sliced.
    let d = data_dir();
    let files = [
        d.join("badc/cmip6/data/CMIP6/ScenarioMIP/MIROC/MIROC6/ssp119/r1i1p1f1/Amon/ta/gn/files/d20190807/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc"),
        d.join("badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc"),
    ];
    for f in &files {
        let s = NcSource::open(&rookery_io::IoContext::from_env(), f).expect("open");
        let main = rookery_cf::roles::main_variable(s.dataset()).expect("main");
        let v = s.dataset().var(&main).expect("var").clone();
        let whole = s.read_all(&main).expect("whole").to_f64().expect("f64");
        let n = v.shape.len();
        let start: Vec<usize> = v.shape.iter().map(|&k| k / 3).collect();
        let count: Vec<usize> = v.shape.iter().zip(&start).map(|(&k, &s0)| (k - s0).min(2)).collect();
        let part = s.read(&main, &start, &count).expect("slab").to_f64().expect("f64");
        let expect = whole.slice_each_axis(|ax| {
            let i = ax.axis.index();
            ndarray::Slice::from(start[i]..start[i] + count[i])
        });
        assert_eq!(part.shape(), expect.shape());
        assert!(part.iter().zip(expect.iter()).all(|(a, b)| same(*a, *b)), "{}", f.display());
        assert_eq!(n, part.ndim());
    }
}

#[test]
fn bad_files_give_clear_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let not_nc = dir.path().join("x.nc");
    std::fs::write(&not_nc, b"hello, this is not netcdf").expect("write");
    let e = NcSource::open(&rookery_io::IoContext::from_env(), &not_nc).err().expect("must fail").to_string();
    assert!(e.contains("is not a NetCDF file"), "{e}");
    let missing = dir.path().join("missing.nc");
    let e = NcSource::open(&rookery_io::IoContext::from_env(), &missing).err().expect("must fail").to_string();
    assert!(e.contains("no such file"), "{e}");
    // Truncated NetCDF-4 and classic files.
    let d = data_dir();
    for src in [
        d.join("badc/cmip6/data/CMIP6/ScenarioMIP/MIROC/MIROC6/ssp119/r1i1p1f1/Amon/ta/gn/files/d20190807/ta_Amon_MIROC6_ssp119_r1i1p1f1_gn_201501-202412.nc"),
        d.join("badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc"),
    ] {
        let bytes = std::fs::read(&src).expect("read");
        for frac in [2, 3, 10] {
            let t = dir.path().join(format!("trunc{frac}.nc"));
            std::fs::write(&t, &bytes[..bytes.len() / frac]).expect("write");
            // Either opening or reading must fail with an error, never panic.
            if let Ok(s) = NcSource::open(&rookery_io::IoContext::from_env(), &t) {
                let main = rookery_cf::roles::main_variable(s.dataset()).expect("main");
                let r = s.read_all(&main);
                assert!(r.is_err(), "truncated {} read without error", t.display());
            }
        }
    }
}

#[test]
fn classic_step_blocks_match_libnetcdf() {
    // Blocks of whole steps in the middle of a classic file's variables, and bands of rows of
    // them (the positioned-read path: record variables interleaved in records, fixed ones
    // contiguous) equal libnetcdf's.
    let mut files = Vec::new();
    nc_files(&data_dir(), &mut files);
    files.sort();
    let mut checked = 0usize;
    for f in &files {
        let mut magic = [0u8; 3];
        std::io::Read::read_exact(&mut std::fs::File::open(f).expect("open"), &mut magic).expect("magic");
        if &magic != b"CDF" {
            continue;
        }
        let ours = NcSource::open(&rookery_io::IoContext::from_env(), f).expect("open");
        let theirs = netcdf::open(f).expect("libnetcdf");
        for v in ours.dataset().vars.iter().filter(|v| v.dtype.is_numeric() && v.shape.first().is_some_and(|&n| n >= 3))
        {
            let n0 = v.shape[0];
            let mut start = vec![0; v.shape.len()];
            start[0] = 1;
            let mut count = v.shape.clone();
            count[0] = n0 - 2;
            let mut sels = vec![(start.clone(), count.clone())];
            // A band of second-axis rows (full extents after it): one contiguous part per step.
            if v.shape.len() >= 2 && v.shape[1] >= 3 {
                let (mut s2, mut c2) = (start.clone(), count.clone());
                s2[1] = 1;
                c2[1] = v.shape[1] - 2;
                sels.push((s2, c2));
            }
            for (start, count) in sels {
                let a = ours.read(&v.name, &start, &count).expect("block").to_f64().expect("f64");
                let ext: Vec<netcdf::Extent> = start.iter().zip(&count).map(|(&s, &c)| (s..s + c).into()).collect();
                let r: Vec<f64> =
                    theirs.variable(&v.name).expect("var").get_values::<f64, _>(ext.as_slice()).expect("libnetcdf");
                assert_eq!(a.len(), r.len(), "{} {} {start:?} {count:?}", f.display(), v.name);
                for (i, (x, y)) in a.iter().zip(&r).enumerate() {
                    assert!(same(*x, *y), "{} {} {start:?} {count:?} [{i}]: {x} != {y}", f.display(), v.name);
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} classic variables checked");
}
