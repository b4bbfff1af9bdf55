//! Writers on a full disk (a small tmpfs, mounted when the test runs as root): the failure is
//! `IoError::DiskFull` naming the file only, the temporary output is gone, and no descriptor to
//! it stays open (its space comes back at once).

mod support;
use rookery_cf::{Array, AttrValue, Attrs, DType, Dataset, Dim, Variable};
use rookery_io::{IoError, OutputFormat, WriteOptions, Writer};
use support::tmpfs::Tmpfs;

fn dataset(nt: usize) -> Dataset {
    Dataset {
        dims: vec![
            Dim { name: "time".into(), len: nt, unlimited: true },
            Dim { name: "lat".into(), len: 64, unlimited: false },
            Dim { name: "lon".into(), len: 128, unlimited: false },
        ],
        vars: vec![Variable {
            name: "tas".into(),
            dims: vec!["time".into(), "lat".into(), "lon".into()],
            shape: vec![nt, 64, 128],
            dtype: DType::F32,
            attrs: Attrs(vec![("units".into(), AttrValue::Text("K".into()))]),
        }],
        attrs: Attrs(vec![("title".into(), AttrValue::Text("disk full".into()))]),
    }
}

/// Writes 64 time steps of 32 KiB (2 MiB) in blocks of 4 steps.
fn write(dir: &std::path::Path, format: OutputFormat, deflate: i32) -> Result<std::path::PathBuf, IoError> {
    let nt = 64;
    let opts = WriteOptions {
        format,
        deflate,
        shuffle: deflate > 0,
        time_dim: Some("time".into()),
        ..WriteOptions::default()
    };
    let dest = dir.join(format!("tas_out.{}", format.extension()));
    let mut w = Writer::create(&dest, &dataset(nt), &opts)?;
    // Values that do not compress away.
    let mut x = 1u32;
    for t0 in (0..nt).step_by(4) {
        let v: Vec<f32> = (0..4 * 64 * 128)
            .map(|_| {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                f32::from_bits(0x3f80_0000 | (x >> 9))
            })
            .collect();
        let a = Array::F32(ndarray::ArrayD::from_shape_vec(vec![4, 64, 128], v).unwrap());
        w.write("tas", &[t0, 0, 0], &a)?;
    }
    w.finish()
}

#[test]
fn every_format_fails_with_disk_full_and_leaves_nothing() {
    let Some(fs) = Tmpfs::mount(4 << 20) else { return };
    for (format, deflate) in
        [(OutputFormat::Nc4, 1), (OutputFormat::Nc4, 0), (OutputFormat::Nc3, 0), (OutputFormat::Zarr3, 1)]
    {
        // 1 MiB left: the 2 MiB output cannot fit.
        fs.fill(1 << 20);
        let before = fs.free();
        let e = write(fs.path(), format, deflate).expect_err("the output does not fit");
        let msg = e.to_string();
        assert!(matches!(e, IoError::DiskFull { .. }), "{format:?}: {msg}");
        assert!(
            msg.starts_with("disk full") && msg.contains("tas_out") && !msg.contains(&*fs.path().to_string_lossy()),
            "{msg}"
        );
        assert_eq!(fs.files(), Vec::<(String, u64)>::new(), "{format:?}: nothing left behind");
        assert_eq!(fs.deleted_descriptors(), Vec::<String>::new(), "{format:?}: no descriptor to a removed file");
        assert!(fs.free() >= before, "{format:?}: the space is back ({} < {before})", fs.free());
        fs.unfill();
    }
    // With room, the same writes succeed.
    let p = write(fs.path(), OutputFormat::Nc4, 1).unwrap();
    assert!(p.is_file());
}
