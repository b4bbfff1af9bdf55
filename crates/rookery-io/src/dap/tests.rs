use super::ce::{parse_dap2, parse_dap4};
use super::*;
use crate::IoError;
use ndarray::{ArrayD, IxDyn};
use rookery_cf::{AttrValue, Attrs, Dim};
use std::path::PathBuf;

/// A dataset in memory: tas[time=4][lat=3][lon=5] = 100*t + 10*y + x, its coordinates,
/// a byte variable flag[lon], a char variable name[lat][4].
struct Mem {
    ds: Dataset,
}

fn var(name: &str, dims: &[(&str, usize)], dtype: DType) -> Variable {
    Variable {
        name: name.into(),
        dims: dims.iter().map(|d| d.0.to_string()).collect(),
        shape: dims.iter().map(|d| d.1).collect(),
        dtype,
        attrs: Attrs::default(),
    }
}

fn mem() -> Mem {
    let mut tas = var("tas", &[("time", 4), ("lat", 3), ("lon", 5)], DType::F32);
    tas.attrs.set("units", AttrValue::Text("K".into()));
    tas.attrs.set("_FillValue", AttrValue::F32(vec![1e20]));
    let mut time = var("time", &[("time", 4)], DType::F64);
    time.attrs.set("calendar", AttrValue::Text("360_day".into()));
    let ds = Dataset {
        dims: vec![
            Dim { name: "time".into(), len: 4, unlimited: true },
            Dim { name: "lat".into(), len: 3, unlimited: false },
            Dim { name: "lon".into(), len: 5, unlimited: false },
            Dim { name: "nchar".into(), len: 4, unlimited: false },
        ],
        vars: vec![
            time,
            var("lat", &[("lat", 3)], DType::F64),
            var("lon", &[("lon", 5)], DType::F64),
            tas,
            var("flag", &[("lon", 5)], DType::U8),
            var("name", &[("lat", 3), ("nchar", 4)], DType::Char),
        ],
        attrs: Attrs(vec![("title".into(), AttrValue::Text("a \"test\"".into()))]),
    };
    Mem { ds }
}

impl Source for Mem {
    fn dataset(&self) -> &Dataset {
        &self.ds
    }
    fn read(&self, var: &str, start: &[usize], count: &[usize]) -> Result<Array, IoError> {
        let v = self.ds.var(var).ok_or_else(|| IoError::NoVariable(var.into()))?;
        let sh = IxDyn(count);
        let at = |i: &IxDyn| -> Vec<usize> { (0..count.len()).map(|d| start[d] + i[d]).collect() };
        Ok(match var {
            "tas" => Array::F32(ArrayD::from_shape_fn(sh, |i| {
                let p = at(&i);
                (100 * p[0] + 10 * p[1] + p[2]) as f32
            })),
            "flag" => Array::U8(ArrayD::from_shape_fn(sh, |i| at(&i)[0] as u8)),
            "name" => Array::Char(ArrayD::from_shape_fn(sh, |i| {
                let p = at(&i);
                if p[1] < 2 {
                    b'a' + p[0] as u8
                } else {
                    0
                }
            })),
            _ => {
                assert_eq!(v.dtype, DType::F64);
                Array::F64(ArrayD::from_shape_fn(sh, |i| at(&i)[0] as f64 + 0.5))
            }
        })
    }
    fn paths(&self) -> Vec<PathBuf> {
        Vec::new()
    }
}

fn collect(f: impl FnOnce(&mut dyn FnMut(Vec<u8>) -> Result<(), DapError>) -> Result<(), DapError>) -> Vec<u8> {
    let mut out = Vec::new();
    f(&mut |b| {
        out.extend(b);
        Ok(())
    })
    .unwrap();
    out
}

fn be_f32(b: &[u8]) -> Vec<f32> {
    b.chunks(4).map(|c| f32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect()
}

#[test]
fn grid_hyperslab_dds_and_xdr() {
    let m = mem();
    let plan = Plan::dap2(&m.ds, &parse_dap2("tas[1:2:3][0:1:1][4]").unwrap()).unwrap();
    let dds = dap2::dds(&plan, "ds");
    assert_eq!(
        dds,
        "Dataset {\n    Grid {\n      ARRAY:\n        Float32 tas[time = 2][lat = 2][lon = 1];\n      MAPS:\n        Float64 time[time = 2];\n        Float64 lat[lat = 2];\n        Float64 lon[lon = 1];\n    } tas;\n} ds;\n"
    );
    let out = collect(|s| dap2::write_dods(&m, &plan, "ds", s));
    assert_eq!(out.len() as u64, dap2::dods_size(&plan, "ds"));
    let data = &out[dds.len() + 6..];
    assert_eq!(&out[dds.len()..dds.len() + 6], b"Data:\n");
    assert_eq!(&data[..8], &[0, 0, 0, 4, 0, 0, 0, 4]);
    assert_eq!(be_f32(&data[8..24]), vec![104.0, 114.0, 304.0, 314.0]);
    // Maps: time[1], time[3]; lat[0..1]; lon[4].
    assert_eq!(&data[24..32], &[0, 0, 0, 2, 0, 0, 0, 2]);
    assert_eq!(f64::from_be_bytes(data[32..40].try_into().unwrap()), 1.5);
    assert_eq!(f64::from_be_bytes(data[40..48].try_into().unwrap()), 3.5);
}

#[test]
fn grid_member_is_a_structure_and_arrays_stay_arrays() {
    let m = mem();
    let plan = Plan::dap2(&m.ds, &parse_dap2("tas.lon[1:3],tas.tas[0][0][0],flag.flag,time").unwrap()).unwrap();
    let dds = dap2::dds(&plan, "ds");
    assert!(dds.contains("    Float64 time[time = 4];\n    Structure {\n        Float32 tas[time = 1][lat = 1][lon = 1];\n        Float64 lon[lon = 3];\n    } tas;\n    Structure {\n        Byte flag[lon = 5];\n    } flag;\n"), "{dds}");
    let out = collect(|s| dap2::write_dods(&m, &plan, "ds", s));
    assert_eq!(out.len() as u64, dap2::dods_size(&plan, "ds"));
    // Bytes: count twice, 5 bytes, 3 bytes of padding at the very end.
    assert_eq!(&out[out.len() - 16..], &[0, 0, 0, 5, 0, 0, 0, 5, 0, 1, 2, 3, 4, 0, 0, 0]);
}

#[test]
fn strings_from_chars_counted_once() {
    let m = mem();
    let plan = Plan::dap2(&m.ds, &parse_dap2("name[1:2]").unwrap()).unwrap();
    assert!(dap2::dds(&plan, "d").contains("String name[lat = 2];"));
    let out = collect(|s| dap2::write_dods(&m, &plan, "d", s));
    let data = &out[dap2::dds(&plan, "d").len() + 6..];
    assert_eq!(data, &[0, 0, 0, 2, 0, 0, 0, 2, b'b', b'b', 0, 0, 0, 0, 0, 2, b'c', b'c', 0, 0]);
}

#[test]
fn das_types_and_escapes() {
    let das = dap2::das(&mem().ds);
    assert!(das.contains("    tas {\n        String units \"K\";\n        Float32 _FillValue 1e20;\n    }"), "{das}");
    assert!(das.contains("String calendar \"360_day\";"));
    assert!(das.contains("NC_GLOBAL {\n        String title \"a \\\"test\\\"\";"));
    assert!(das.contains("DODS_EXTRA {\n        String Unlimited_Dimension \"time\";"));
    assert_eq!(dap2::error(400, "bad\n\"x\""), "Error {\n    code = 400;\n    message = \"bad \\\"x\\\"\";\n};\n");
}

#[test]
fn bad_constraints_name_the_problem() {
    let ds = mem().ds;
    for (ce, says) in [
        ("tas[0:1:4][0][0]", "outside dimension time"),
        ("tas[0][0]", "3 dimensions"),
        ("nosuch", "no variable 'nosuch'"),
        ("tas.nosuch", "no variable 'tas.nosuch'"),
        ("name.name", "not a Grid"),
        ("tas[3:1][0][0]", "ends before"),
    ] {
        let e = Plan::dap2(&ds, &parse_dap2(ce).unwrap()).unwrap_err().to_string();
        assert!(e.contains(says), "{ce}: {e}");
    }
    assert!(matches!(Plan::check(10, 5), Err(DapError::TooLarge { size: 10, limit: 5 })));
}

#[test]
fn strided_reads_in_slabs() {
    let m = mem();
    let plan = Plan::dap2(&m.ds, &parse_dap2("tas.tas[0:3:3][0:2:2][1:3:4]").unwrap()).unwrap();
    let mut vals = Vec::new();
    read_member(&m, plan.members()[0], &mut |a| {
        if let Array::F32(x) = a {
            vals.extend(x.iter().copied());
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(vals, vec![1.0, 4.0, 21.0, 24.0, 301.0, 304.0, 321.0, 324.0]);
}

#[test]
fn ascii_rows() {
    let m = mem();
    let plan = Plan::dap2(&m.ds, &parse_dap2("tas.tas[0:1][2][0:1],lon[0:1]").unwrap()).unwrap();
    let out = String::from_utf8(collect(|s| dap2::ascii(&m, &plan, "d", s))).unwrap();
    assert!(out.contains("lon[2]\n0.5, 1.5\n"), "{out}");
    assert!(out.contains("tas.tas[0][0], 20.0, 21.0\ntas.tas[1][0], 120.0, 121.0\n"), "{out}");
}

#[test]
fn dap4_dmr_chunks_and_checksums() {
    let m = mem();
    let plan = Plan::dap4(&m.ds, &parse_dap4("/tas[1][0:2][0:4];/lat;/time[1]").unwrap()).unwrap();
    let dmr = dap4::dmr(&m.ds, &plan, "d");
    assert!(dmr.contains("<Dimension name=\"time\" size=\"1\"/>"), "{dmr}");
    assert!(
        dmr.contains(
            "<Float32 name=\"tas\">\n    <Dim name=\"/time\"/>\n    <Dim name=\"/lat\"/>\n    <Dim name=\"/lon\"/>"
        ),
        "{dmr}"
    );
    assert!(dmr.contains("<Map name=\"/time\"/>\n    <Map name=\"/lat\"/>\n  </Float32>"), "{dmr}");
    assert!(dmr.contains("<Attribute name=\"_FillValue\" type=\"Float32\"><Value>1e20</Value></Attribute>"));
    let out = collect(|s| dap4::write_dap(&m, &plan, &dmr, true, s));
    // First chunk: the DMR and CRLF, little-endian flag, not last.
    assert_eq!(out[0], 4);
    let n = u32::from_be_bytes([0, out[1], out[2], out[3]]) as usize;
    assert_eq!(&out[4..4 + n], format!("{dmr}\r\n").as_bytes());
    let rest = &out[4 + n..];
    assert_eq!(rest[0], 5, "the data chunk is the last one");
    let len = u32::from_be_bytes([0, rest[1], rest[2], rest[3]]) as usize;
    let data = &rest[4..];
    assert_eq!(data.len(), len);
    // time[1] (8 bytes + crc), lat (3 * 8 + crc), tas (15 * 4 + crc), in dataset order.
    assert_eq!(len, 8 + 4 + 24 + 4 + 60 + 4);
    assert_eq!(f64::from_le_bytes(data[..8].try_into().unwrap()), 1.5);
    assert_eq!(u32::from_le_bytes(data[8..12].try_into().unwrap()), crc32fast::hash(&data[..8]));
    let tas = &data[40..100];
    assert_eq!(f32::from_le_bytes(tas[..4].try_into().unwrap()), 100.0);
    assert_eq!(u32::from_le_bytes(data[100..104].try_into().unwrap()), crc32fast::hash(tas));
    assert_eq!(out.len() as u64, dap4::dap_size(&plan, &dmr, true));
}

#[test]
fn dap4_cut_dimensions_go_anonymous() {
    let m = mem();
    let plan = Plan::dap4(&m.ds, &parse_dap4("/time[0:1];/tas[1:3][0:2][0:4]").unwrap()).unwrap();
    let dmr = dap4::dmr(&m.ds, &plan, "d");
    assert!(dmr.contains("<Dimension name=\"time\" size=\"2\"/>"), "{dmr}");
    assert!(dmr.contains("<Float32 name=\"tas\">\n    <Dim size=\"3\"/>"), "{dmr}");
    assert!(!dmr.contains("<Map name=\"/time\"/>"), "{dmr}");
}
