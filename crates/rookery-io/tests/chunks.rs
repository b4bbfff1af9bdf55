//! Chunked NetCDF-4 variables, decoded by rookery-io's own chunk reader, read the same values
//! as libnetcdf for hyperslabs that cut across chunks: several chunks per time step, partial
//! edge chunks, chunks missing from the index (fill value), shuffle with 1/2/4/8-byte
//! elements, big-endian data, no filter, fletcher32, and variables shorter than their
//! unlimited dimension (read by the fallback path).

use rookery_io::{NcSource, Source};
use std::path::Path;
use std::process::Command;

const NT: usize = 8;

/// libnetcdf (HDF5) is not thread-safe: the tests of this file take turns.
static LIBNETCDF: std::sync::Mutex<()> = std::sync::Mutex::new(());
const NY: usize = 9;
const NX: usize = 11;

fn value(i: usize) -> f64 {
    ((i * 7919) % 1000) as f64 - 500.0
}

fn values<T>(range: std::ops::Range<usize>, conv: impl Fn(f64) -> T) -> Vec<T> {
    range.map(|i| conv(value(i))).collect()
}

/// Writes the test file with libnetcdf.
fn write_file(path: &Path) {
    let mut f = netcdf::create(path).expect("create");
    f.add_unlimited_dimension("time").expect("dim");
    f.add_dimension("lat", NY).expect("dim");
    f.add_dimension("lon", NX).expect("dim");
    let dims = ["time", "lat", "lon"];
    let step = NY * NX;
    {
        // Several chunks per step, partial edge chunks; steps 4 and 5 never written.
        let mut v = f.add_variable::<f32>("tas", &dims).expect("var");
        v.set_chunking(&[2, 4, 5]).expect("chunking");
        v.set_compression(4, true).expect("deflate");
        v.set_fill_value(-999.0f32).expect("fill");
        v.put_values(&values(0..3 * step, |x| x as f32), [0..3, 0..NY, 0..NX]).expect("put");
        v.put_values(&values(6 * step..NT * step, |x| x as f32), [6..NT, 0..NY, 0..NX]).expect("put");
    }
    {
        let mut v = f.add_variable::<i16>("s", &dims).expect("var");
        v.set_chunking(&[3, NY, NX]).expect("chunking");
        v.set_compression(1, true).expect("deflate");
        v.set_endianness(netcdf::Endianness::Big).expect("endian");
        v.put_values(&values(0..NT * step, |x| x as i16), ..).expect("put");
    }
    {
        let mut v = f.add_variable::<f64>("d", &dims).expect("var");
        v.set_chunking(&[1, NY, NX]).expect("chunking");
        v.put_values(&values(0..NT * step, |x| x / 3.0), ..).expect("put");
    }
    {
        let mut v = f.add_variable::<i8>("b", &dims).expect("var");
        v.set_chunking(&[1, 5, 5]).expect("chunking");
        v.set_compression(2, true).expect("deflate");
        v.put_values(&values(0..NT * step, |x| (x / 4.0) as i8), ..).expect("put");
    }
    {
        let mut v = f.add_variable::<i64>("q", &dims).expect("var");
        v.set_chunking(&[8, 2, 3]).expect("chunking");
        v.set_compression(9, true).expect("deflate");
        v.put_values(&values(0..NT * step, |x| (x * 1e9) as i64), ..).expect("put");
    }
    {
        let mut v = f.add_variable::<u16>("u", &dims).expect("var");
        v.set_chunking(&[1, 3, NX]).expect("chunking");
        v.set_compression(6, false).expect("deflate");
        v.set_endianness(netcdf::Endianness::Big).expect("endian");
        v.put_values(&values(0..NT * step, |x| (x + 500.0) as u16), ..).expect("put");
    }
    {
        // Shorter than the unlimited dimension: padded with the fill value.
        let mut v = f.add_variable::<f32>("short_rec", &dims).expect("var");
        v.set_chunking(&[1, NY, NX]).expect("chunking");
        v.set_compression(1, true).expect("deflate");
        v.put_values(&values(0..5 * step, |x| x as f32), [0..5, 0..NY, 0..NX]).expect("put");
    }
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Every variable of `path`, over windows that cut chunks in every way, equals libnetcdf.
fn check(path: &Path) {
    let ours = NcSource::open(&rookery_io::IoContext::from_env(), path).expect("open");
    let theirs = netcdf::open(path).expect("libnetcdf open");
    let windows: [([usize; 3], [usize; 3]); 7] = [
        ([0, 0, 0], [NT, NY, NX]),
        ([3, 2, 3], [3, 5, 6]),
        ([4, 0, 0], [2, NY, NX]),
        ([7, 8, 10], [1, 1, 1]),
        ([1, 3, 0], [6, 1, NX]),
        ([0, 0, 4], [NT, NY, 1]),
        ([5, 4, 5], [3, 5, 6]),
    ];
    for v in ["tas", "s", "d", "b", "q", "u", "short_rec"] {
        let rv = theirs.variable(v).expect("variable");
        for (start, count) in &windows {
            let ext: Vec<std::ops::Range<usize>> = start.iter().zip(count).map(|(&s, &c)| s..s + c).collect();
            let want: Vec<f64> = rv.get_values::<f64, _>(ext.as_slice()).expect("libnetcdf read");
            let got = ours.read(v, start, count).expect("read").to_f64().expect("f64");
            assert_eq!(got.shape(), count, "{v} {start:?}+{count:?}");
            assert!(
                got.iter().zip(&want).all(|(a, b)| same(*a, *b)),
                "{} {v} {start:?}+{count:?}: {:?} != {:?}",
                path.display(),
                got.iter().take(12).collect::<Vec<_>>(),
                &want[..want.len().min(12)]
            );
            // Reusing the storage of earlier reads (the whole variable: longer, other values;
            // the same shape at the origin: same length, other values) changes nothing,
            // windows with chunks missing from the index (fill values) included.
            let whole = ours.read(v, &[0, 0, 0], &[NT, NY, NX]).expect("read whole");
            let origin = ours.read(v, &[0, 0, 0], count).expect("read origin");
            for spare in [whole, origin] {
                let again = ours.read_reusing(v, start, count, Some(spare)).expect("read reusing");
                let again = again.to_f64().expect("f64");
                assert_eq!(again.shape(), count, "{v} {start:?}+{count:?} reusing");
                assert!(again.iter().zip(&want).all(|(a, b)| same(*a, *b)), "{v} {start:?}+{count:?} reusing");
            }
        }
    }
}

#[test]
fn chunked_variables_match_libnetcdf() {
    let _turn = LIBNETCDF.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("chunks.nc");
    write_file(&p);
    check(&p);
}

#[test]
fn fletcher32_chunks_match_libnetcdf() {
    let _turn = LIBNETCDF.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("chunks.nc");
    write_file(&p);
    // nccopy adds the checksum filter (netcdf-bin is installed by scripts/setup.sh) to
    // variables without filters, so strip them first; then every combination and order.
    let plain = dir.path().join("plain.nc");
    let st = Command::new("nccopy").args(["-d", "0"]).arg(&p).arg(&plain).status().expect("nccopy");
    assert!(st.success(), "nccopy -d 0");
    let out = dir.path().join("fletcher.nc");
    let mut cmd = Command::new("nccopy");
    for s in
        ["tas,3", "tas,2", "tas,1,4", "s,2", "s,1,1", "s,3", "u,3", "d,1,2", "d,3", "b,3", "q,2", "q,3", "short_rec,3"]
    {
        cmd.args(["-F", s]);
    }
    let st = cmd.arg(&plain).arg(&out).stderr(std::process::Stdio::null()).status().expect("nccopy");
    assert!(st.success(), "nccopy -F");
    check(&out);
    // A flipped bit in a checksummed chunk is an error, never a panic or silent garbage.
    let mut bytes = std::fs::read(&out).expect("read");
    let n = bytes.len();
    for b in &mut bytes[n / 2..n / 2 + 64] {
        *b ^= 0x10;
    }
    let bad = dir.path().join("bad.nc");
    std::fs::write(&bad, &bytes).expect("write");
    if let Ok(s) = NcSource::open(&rookery_io::IoContext::from_env(), &bad) {
        for v in ["tas", "s", "u", "d", "b", "q"] {
            let _ = s.read_all(v);
        }
    }
}
