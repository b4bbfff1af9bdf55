//! The outputs of a process or workflow job: the Metalink's file URLs and their values.

use super::{get, unescape, Resp};
use serde_json::Value;
use std::path::Path;

/// The JSON body of a response.
pub(crate) fn json_of(r: &Resp) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

/// The file URLs (`<metaurl>`) of a Metalink document.
pub(crate) fn urls(meta: &str) -> Vec<String> {
    meta.split("<metaurl").skip(1).filter_map(|r| Some(unescape(&r[r.find('>')? + 1..r.find("</metaurl>")?]))).collect()
}

/// The only output file URL of a successful OGC API job answer.
pub(crate) fn first_output(r: &Resp) -> String {
    assert_eq!(r.status, 200, "{}", r.text());
    let meta = get(json_of(r)["output"]["href"].as_str().unwrap()).text();
    let u = urls(&meta);
    assert_eq!(u.len(), 1, "{meta}");
    u[0].clone()
}

/// The shape and values of `var` in a NetCDF file.
pub(crate) fn file_values(p: &Path, var: &str) -> (Vec<usize>, Vec<f64>) {
    let src = rookery_io::open_paths(&rookery_io::IoContext::from_env(), &[p.to_path_buf()]).expect("open output");
    let v = src.dataset().var(var).unwrap_or_else(|| panic!("no {var} in {}", p.display())).shape.clone();
    let a = src.read_all(var).expect("read").to_f64().expect("numeric");
    (v, a.iter().copied().collect())
}

/// The shape and values of `var` in a NetCDF file fetched from `url`.
pub(crate) fn fetch_values(url: &str, var: &str) -> (Vec<usize>, Vec<f64>) {
    let bytes = get(url).body;
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("out.nc");
    std::fs::write(&p, bytes).expect("write");
    file_values(&p, var)
}
