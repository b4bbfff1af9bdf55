//! The fuzz targets: one per parser of outside input, each with its seeds and dictionary.
//!
//! A target's `run` returns whether the input was accepted; errors are fine, panics are
//! crashes. Inputs that must be files (NetCDF, shapes, references) are written to a
//! per-thread temporary directory first.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One fuzz target.
pub struct Target {
    /// Name (`rookery-fuzz <name>`).
    pub name: &'static str,
    /// What it parses.
    pub about: &'static str,
    /// Starting inputs.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Tokens worth inserting.
    pub dict: &'static [&'static str],
    /// Largest input tried.
    pub max_len: usize,
    /// Parses one input; `true` when accepted.
    pub run: fn(&[u8]) -> bool,
}

/// `../shared/data` beside the workspace.
fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(rel)
}

fn read(rel: &str) -> Option<Vec<u8>> {
    std::fs::read(shared(rel)).ok()
}

thread_local! {
    static TMP: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
}

thread_local! {
    // The I/O context of this thread's runs (one HTTP client and cache for all of them).
    static IO: rookery_io::IoContext = rookery_io::IoContext::from_env();
}

fn io() -> rookery_io::IoContext {
    IO.with(Clone::clone)
}

/// Writes `bytes` to a file named `name` in this thread's scratch directory.
fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    TMP.with(|t| {
        let mut t = t.borrow_mut();
        if t.is_none() {
            *t = tempfile::Builder::new().prefix("rookery-fuzz").tempdir().ok();
        }
        let dir = t.as_ref().map_or_else(std::env::temp_dir, |d| d.path().to_path_buf());
        let p = dir.join(name);
        let _ = std::fs::write(&p, bytes);
        p
    })
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const NC_CLASSIC: &str =
    "mini-esgf/badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/mon/atmos/Amon/r1i1p1/latest/tas/tas_Amon_HadGEM2-ES_rcp85_r1i1p1_229912-229912.nc";
const NC4: &str =
    "mini-esgf/badc/cmip6/data/CMIP6/ScenarioMIP/IPSL/IPSL-CM6A-LR/ssp119/r1i1p1f1/fx/mrsofc/gr/v20190410/mrsofc_fx_IPSL-CM6A-LR_ssp119_r1i1p1f1_gr.nc";

/// Opens a NetCDF file and reads a little of every variable (whole variables when small).
fn run_netcdf(b: &[u8]) -> bool {
    let p = scratch("f.nc", b);
    let Ok(src) = rookery_io::NcSource::open(&io(), &p) else { return false };
    read_some(&src);
    true
}

/// Reads a little of every variable of `src` (whole variables when small).
fn read_some(src: &dyn rookery_io::Source) {
    let ds = src.dataset().clone();
    let _ = rookery_cf::CfInfo::detect(&ds);
    for v in &ds.vars {
        let n: usize = v.shape.iter().product();
        if n <= 4096 {
            let _ = src.read_all(&v.name);
        } else {
            let start = vec![0; v.shape.len()];
            let count: Vec<usize> = v.shape.iter().map(|&l| l.min(1)).collect();
            let _ = src.read(&v.name, &start, &count);
        }
    }
}

/// Opens Kerchunk references (or any input form) at `path` and reads a little of everything.
fn run_input(path: &Path) -> bool {
    let Ok(src) = rookery_io::open_paths(&io(), &[path.to_path_buf()]) else { return false };
    read_some(src.as_ref());
    true
}

fn seed(name: &str) -> Option<Vec<u8>> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(name)).ok()?;
    let data = shared("").canonicalize().ok()?;
    Some(text.replace("@DATA@", data.to_string_lossy().trim_end_matches('/')).into_bytes())
}

fn kerchunk_seeds() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = ["kerchunk_nc3.json", "kerchunk_inline.json"].iter().filter_map(|n| seed(n)).collect();
    // Version 0 (the bare refs) and a version 1 with templates.
    if let Some(t) = v.first().and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok()) {
        if let Some(refs) = t.get("refs") {
            v.push(refs.to_string().into_bytes());
            let path = t["refs"]["tas/0.0.0"][0].as_str().unwrap_or("").to_string();
            let templated = t.to_string().replace(&format!("\"{path}\""), "\"{{u}}\"");
            let mut doc: serde_json::Value = serde_json::from_str(&templated).unwrap_or_default();
            doc["templates"] = serde_json::json!({"u": path});
            v.push(doc.to_string().into_bytes());
        }
    }
    v
}

/// The Parquet references of the seeds directory with `tas/refs.0.parq` replaced by the input.
fn run_parquet(b: &[u8]) -> bool {
    let dir = scratch_dir("p.parq");
    let _ = std::fs::write(dir.join("tas").join("refs.0.parq"), b);
    run_input(&dir)
}

fn parquet_seeds() -> Vec<Vec<u8>> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/p.parq/tas/refs.0.parq")).into_iter().collect()
}

/// A copy of `seeds/<name>` (a directory) in this thread's scratch directory, made once.
fn scratch_dir(name: &str) -> PathBuf {
    let probe = scratch(".probe", b"");
    let dir = probe.parent().map_or_else(std::env::temp_dir, Path::to_path_buf).join(name);
    if !dir.join(".zmetadata").exists() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(name);
        copy_dir(&src, &dir);
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::create_dir_all(to);
    if let Ok(rd) = std::fs::read_dir(from) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                copy_dir(&p, &to.join(e.file_name()));
            } else {
                let _ = std::fs::copy(&p, to.join(e.file_name()));
            }
        }
    }
}

fn nc_seeds() -> Vec<Vec<u8>> {
    [NC_CLASSIC, NC4].iter().filter_map(|r| read(r)).collect()
}

const XML_DICT: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "&amp;",
    "&#0;",
    "&#xFFFF;",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    "&a;",
    "xmlns:wps=\"\"",
    "<wps:Input>",
    "<ows:Identifier>",
    "<wps:LiteralData>",
    "<wps:ComplexData>",
    "<wps:Reference xlink:href=\"http://169.254.169.254/\"/>",
    "asReference=\"true\"",
    "storeExecuteResponse=\"true\"",
    "status=\"true\"",
    "\"",
    "'",
    "\u{0}",
    "\u{FFFD}",
    "%",
];

const WPS_EXECUTE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<wps:Execute xmlns:wps="http://www.opengis.net/wps/1.0.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" service="WPS" version="1.0.0">
  <ows:Identifier>subset</ows:Identifier>
  <wps:DataInputs>
    <wps:Input><ows:Identifier>collection</ows:Identifier><wps:Data><wps:LiteralData>c3s-cmip6.CMIP.IPSL.IPSL-CM6A-LR.historical.r1i1p1f1.Amon.rlds.gr.v20180803</wps:LiteralData></wps:Data></wps:Input>
    <wps:Input><ows:Identifier>time</ows:Identifier><wps:Data><wps:LiteralData>2001-01-01/2002-12-30</wps:LiteralData></wps:Data></wps:Input>
    <wps:Input><ows:Identifier>area</ows:Identifier><wps:Data><wps:LiteralData>0,-10,120,40</wps:LiteralData></wps:Data></wps:Input>
    <wps:Input><ows:Identifier>shape</ows:Identifier><wps:Reference xlink:href="http://example.org/s.json" mimeType="application/geo+json"/></wps:Input>
  </wps:DataInputs>
  <wps:ResponseForm>
    <wps:ResponseDocument storeExecuteResponse="true" status="true" lineage="true">
      <wps:Output asReference="true"><ows:Identifier>output</ows:Identifier></wps:Output>
    </wps:ResponseDocument>
  </wps:ResponseForm>
</wps:Execute>"#;

const WPS_ORCHESTRATE: &str = r#"<wps:Execute xmlns:wps="http://www.opengis.net/wps/1.0.0" xmlns:ows="http://www.opengis.net/ows/1.1" service="WPS" version="1.0.0">
  <ows:Identifier>orchestrate</ows:Identifier>
  <wps:DataInputs><wps:Input><ows:Identifier>workflow</ows:Identifier><wps:Data><wps:ComplexData mimeType="application/json"><![CDATA[{"doc":"x","inputs":{"a":["c3s-cmip6.x"]},"outputs":{"output":"s/output"},"steps":{"s":{"run":"subset","in":{"collection":"inputs/a","time":"2001/2002"}}}}]]></wps:ComplexData></wps:Data></wps:Input></wps:DataInputs>
  <wps:ResponseForm><wps:RawDataOutput><ows:Identifier>output</ows:Identifier></wps:RawDataOutput></wps:ResponseForm>
</wps:Execute>"#;

fn wps_xml_seeds() -> Vec<Vec<u8>> {
    [
        WPS_EXECUTE,
        WPS_ORCHESTRATE,
        r#"<wps:GetCapabilities xmlns:wps="http://www.opengis.net/wps/1.0.0" service="WPS"/>"#,
        r#"<wps:DescribeProcess xmlns:wps="http://www.opengis.net/wps/1.0.0" xmlns:ows="http://www.opengis.net/ows/1.1" service="WPS" version="1.0.0"><ows:Identifier>subset</ows:Identifier></wps:DescribeProcess>"#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn wps_kvp_seeds() -> Vec<Vec<u8>> {
    [
        "service=WPS&request=Execute&version=1.0.0&identifier=subset&DataInputs=collection=c3s-cmip6.CMIP.IPSL.x;time=2001-01-01/2002-12-30;area=0,-10,120,40;level=1000/850&RawDataOutput=output",
        "service=WPS&request=Execute&version=1.0.0&identifier=average_shape&DataInputs=collection=x;shape=@xlink:href=http%3A%2F%2Fexample.org%2Fs.zip&ResponseDocument=output=@asReference=true&storeExecuteResponse=true&status=true",
        "service=WPS&request=GetCapabilities&AcceptVersions=1.0.0",
        "SERVICE=wps&REQUEST=describeprocess&VERSION=1.0.0&IDENTIFIER=subset,orchestrate,all",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

const KVP_DICT: &[&str] = &[
    "&",
    "=",
    ";",
    "@",
    "%",
    "%00",
    "%ZZ",
    "%2F",
    "+",
    "DataInputs=",
    "RawDataOutput=",
    "ResponseDocument=",
    "identifier=",
    "request=Execute",
    "@xlink:href=",
    "@asReference=true",
    "[",
    "]",
    "..",
    "/../../etc/passwd",
];

fn ogc_seeds() -> Vec<Vec<u8>> {
    [
        r#"{"inputs": {"collection": "c3s-cmip6.CMIP.IPSL.x", "time": "2001-01-01/2002-12-30", "area": [0, -10, 120, 40], "level": "1000/850"}, "mode": "async"}"#,
        r#"{"inputs": {"collection": ["a", "b"], "time_components": "month:jan,feb|year:2001", "file_namer": "simple", "output_format": "nc"}}"#,
        r#"{"inputs": {"collection": {"href": "http://example.org/a.nc"}, "shape": {"value": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}}}"#,
        r#"{"inputs": {"workflow": {"value": {"doc": "x", "inputs": {"a": ["c3s-cmip6.x"]}, "outputs": {"output": "s/output"}, "steps": {"s": {"run": "subset", "in": {"collection": "inputs/a"}}}}}}}"#,
        r#"{"inputs": {"collection": "x", "grid": "1deg", "method": "conservative", "adaptive_masking_threshold": 0.5}}"#,
        "{}",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

const JSON_DICT: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "null",
    "true",
    "false",
    "1e999",
    "-0",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "{\"href\":\"http://127.0.0.1/\"}",
    "{\"value\":",
    "\"inputs\":",
    "\"steps\":",
    "\"run\":",
    "\"in\":",
    "[[[[[[[[[[",
    "]]]]]]]]]]",
    "{\"type\":\"Polygon\"}",
];

fn workflow_seeds() -> Vec<Vec<u8>> {
    [
        r#"{"doc": "subset then average", "inputs": {"a": ["c3s-cmip6.CMIP.IPSL.IPSL-CM6A-LR.historical.r1i1p1f1.Amon.rlds.gr.v20180803"]}, "outputs": {"output": "avg/output"}, "steps": {"sub": {"run": "subset", "in": {"collection": "inputs/a", "time": "2001/2002", "area": "0,-10,120,40"}}, "avg": {"run": "average_time", "in": {"collection": "sub/output", "freq": "year"}}}}"#,
        "doc: yaml\ninputs:\n  rlds:\n    - c3s-cmip6.x\noutputs:\n  output: s/output\nsteps:\n  s:\n    run: subset\n    in:\n      collection: inputs/rlds\n      time: 2001-01-01/2001-12-30\n",
        r#"{"process": "concat", "inputs": {"collection": [{"process": "subset", "inputs": {"collection": "a", "time": "2001/2002"}}, "b"]}}"#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn run_workflow(b: &[u8]) -> bool {
    rookery_service::workflow::parse(&text(b)).is_ok()
}

fn ini_seeds() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/mini-esgf.ini")).into_iter().collect();
    v.push(
        b"[common]\ndata_node_root = https://data.mips.copernicus-climate.eu/thredds/fileServer/esg_c3s-cmip6/\n\n\
[project:c3s-cmip6]\nproject_name = c3s-cmip6\nbase_dir = /tmp/x\nfile_name_template = {__derive__var_id}_{frequency}_{model_id}.{extension}\n\
fixed_path_modifiers =\n    variable:variable_id\nfixed_path_mappings =\n    c3s-cmip6.CMIP.MOHC.*.historical.r1i1p1f1.Amon.tas.gn.v1:a/b/*.nc\n\
attr_defaults =\n    frequency:mon\nuse_catalog = True\n\n[catalog]\nintake_catalog_url = file:///tmp/cat.yml\n\n\
[rookery]\nallowed_urls = https://a.org/\n  http://127.0.0.1:9/\nallowed_networks = 10.0.0.0/8\n\n[regrid]\ngrids_dir = /tmp\n"
            .to_vec(),
    );
    v
}

fn run_ini(b: &[u8]) -> bool {
    let mut cfg = rookery_daops::Config::defaults();
    if cfg.merge_str(&text(b), "fuzz", Some(Path::new("/nonexistent-fuzz-dir"))).is_err() {
        return false;
    }
    rookery_daops::Daops::new(cfg).is_ok()
}

fn run_shapes(name: &str, b: &[u8]) -> bool {
    let p = scratch(name, b);
    rookery_ops::average::read_shapes(&p).is_ok()
}

fn geojson_seeds() -> Vec<Vec<u8>> {
    ["meridian.json", "meridian_multi.json", "poslons.json", "multi_regions.json", "small_geojson.json"]
        .iter()
        .filter_map(|n| read(&format!("shapes/{n}")))
        .collect()
}

const GML: &str = r#"<?xml version="1.0"?>
<ogr:FeatureCollection xmlns:ogr="x" xmlns:gml="http://www.opengis.net/gml">
  <gml:featureMember><ogr:f><ogr:geometryProperty>
    <gml:Polygon srsName="EPSG:4326"><gml:exterior><gml:LinearRing>
      <gml:posList>0 0 2 0 2 2 0 2 0 0</gml:posList></gml:LinearRing></gml:exterior>
    <gml:interior><gml:LinearRing><gml:coordinates>0.5,0.5 1,0.5 1,1 0.5,0.5</gml:coordinates></gml:LinearRing></gml:interior>
    </gml:Polygon></ogr:geometryProperty><ogr:name>box &amp; hole</ogr:name><ogr:code>7</ogr:code></ogr:f></gml:featureMember>
</ogr:FeatureCollection>"#;

/// A zipped ESRI Shapefile of two polygons (one with a hole) with a name column and a .prj.
fn shapefile_zip() -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().ok()?;
    let shp = dir.path().join("regions.shp");
    let table = shapefile::dbase::TableWriterBuilder::new()
        .add_character_field("name".try_into().ok()?, 20)
        .add_numeric_field("code".try_into().ok()?, 10, 0);
    {
        let mut w = shapefile::Writer::from_path(&shp, table).ok()?;
        let p = |v: &[(f64, f64)]| v.iter().map(|&(x, y)| shapefile::Point::new(x, y)).collect::<Vec<_>>();
        let polys = [
            shapefile::Polygon::with_rings(vec![
                shapefile::PolygonRing::Outer(p(&[(0.0, 0.0), (0.0, 4.0), (4.0, 4.0), (4.0, 0.0), (0.0, 0.0)])),
                shapefile::PolygonRing::Inner(p(&[(1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 2.0), (1.0, 1.0)])),
            ]),
            shapefile::Polygon::new(shapefile::PolygonRing::Outer(p(&[
                (170.0, -5.0),
                (170.0, 5.0),
                (190.0, 5.0),
                (190.0, -5.0),
                (170.0, -5.0),
            ]))),
        ];
        for (i, poly) in polys.iter().enumerate() {
            let mut rec = shapefile::dbase::Record::default();
            rec.insert("name".into(), shapefile::dbase::FieldValue::Character(Some(format!("r{i}"))));
            rec.insert("code".into(), shapefile::dbase::FieldValue::Numeric(Some(i as f64)));
            w.write_shape_and_record(poly, &rec).ok()?;
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for e in ["shp", "shx", "dbf"] {
            z.start_file(format!("regions.{e}"), opts).ok()?;
            z.write_all(&std::fs::read(shp.with_extension(e)).ok()?).ok()?;
        }
        z.start_file("regions.prj", opts).ok()?;
        z.write_all(br#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#).ok()?;
        z.finish().ok()?;
    }
    Some(out.into_inner())
}

fn params_seeds() -> Vec<Vec<u8>> {
    [
        "2001-01-01/2002-12-30",
        "2001-01-01T12:00:00/..",
        "../2001",
        "2001-01-01,2001-06-15,2002-12-30",
        "0,-10,120,40",
        "-180,-90,180,90",
        "1000/850",
        "1000,850,500",
        "year:2001,2002|month:jan,feb,dec|day:01,15|hour:00,12",
        "100MB",
        "2.5GiB",
        "time,latitude",
        "1deg",
        "0pt25deg_era5_lsm",
        "1.5",
        "0,360,1,-90,90,1",
        "days since 1850-01-01 00:00:00",
        "hours since 2000-1-1 12:00:00Z",
        "conservative",
        "land",
        "month",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn run_params(b: &[u8]) -> bool {
    use rookery_ops::{AreaParam, LevelParam, TimeComponents, TimeParam};
    let s = text(b);
    let mut ok = false;
    ok |= TimeParam::parse(&s).is_ok();
    ok |= AreaParam::parse(&s).is_ok();
    ok |= LevelParam::parse(&s).is_ok();
    ok |= TimeComponents::parse(&s).is_ok();
    ok |= rookery_ops::params::parse_size(&s).is_ok();
    ok |= rookery_ops::regrid::GridSpec::parse(&s).is_ok();
    ok |= rookery_ops::regrid::parse_method(&s).is_ok();
    ok |= rookery_ops::regrid::MaskKind::parse(&s).is_ok();
    ok |= rookery_ops::average::parse_dims(&s).is_ok();
    ok |= rookery_ops::average::Freq::parse(Some(&s)).is_ok();
    ok |= rookery_ops::average::WeightKind::parse(&s).is_ok();
    ok |= rookery_ops::NamerKind::parse(&s).is_ok();
    ok |= rookery_cf::time::TimeUnits::parse(&s).is_ok();
    ok |= rookery_cf::time::PartialDateTime::parse(&s).is_ok();
    ok
}

const PARAM_DICT: &[&str] = &[
    "/", ",", "|", ":", "..", "-", "T", "Z", "e", "since", "year:", "month:", "day:", "deg", "pt", "_lsm", "MB", "GiB",
    " ", "\u{0}",
];

/// URL normalisation and the allow-list: the normal form is stable (normalising it again
/// changes nothing), has no dot segment, and a URL the policy admits starts with the prefix
/// at a boundary. Violations panic (crashes).
fn run_url(b: &[u8]) -> bool {
    use rookery_io::egress::normalize_url;
    let text = String::from_utf8_lossy(b);
    let url = text.trim();
    let Ok(n) = normalize_url(url) else { return false };
    assert_eq!(normalize_url(&n).as_deref(), Ok(n.as_str()), "normal form of {url:?} not stable");
    let path = n.split("://").nth(1).and_then(|r| r.find('/').map(|i| &r[i..])).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("");
    assert!(!path.split('/').any(|s| s == ".." || s == "."), "dot segment left in {n:?} (from {url:?})");
    let prefix = "http://example.org/data/";
    let policy = rookery_io::EgressPolicy::allow_list(&[prefix.to_string()], &[]).unwrap_or_default();
    if let Ok(sent) = policy.admit(url) {
        assert!(sent.starts_with(prefix), "{url:?} admitted as {sent:?} outside {prefix}");
    }
    true
}

/// A Kerchunk reference whose chunk target is the input, opened under a context restricted to
/// the scratch directory's `root/`: a read may succeed only for a target inside it (here
/// `inside.bin`, 8 bytes of 0x2a); bytes of anything else are a crash.
fn run_ref_target(b: &[u8]) -> bool {
    let target = String::from_utf8_lossy(b).trim().to_string();
    let probe = scratch(".probe", b"");
    let dir = probe.parent().map_or_else(std::env::temp_dir, Path::to_path_buf);
    let root = dir.join("root");
    let _ = std::fs::create_dir_all(root.join("sub"));
    let _ = std::fs::write(root.join("inside.bin"), [0x2a_u8; 8]);
    let _ = std::fs::write(dir.join("outside.bin"), [0x07_u8; 8]);
    let _ = std::os::unix::fs::symlink(dir.join("outside.bin"), root.join("sub/link.bin"));
    let zarray = "{\"chunks\":[8],\"compressor\":null,\"dtype\":\"|u1\",\"fill_value\":null,\"filters\":null,\"order\":\"C\",\"shape\":[8],\"zarr_format\":2}";
    let doc = serde_json::json!({"version": 1, "refs": {
        ".zgroup": "{\"zarr_format\":2}", "x/.zarray": zarray, "x/.zattrs": "{\"_ARRAY_DIMENSIONS\":[\"n\"]}",
        "x/0": [target, 0, 8],
    }});
    let refs = root.join("r.json");
    if std::fs::write(&refs, doc.to_string()).is_err() {
        return false;
    }
    let ctx =
        io().restrict(std::slice::from_ref(&root), rookery_io::EgressPolicy::allow_list(&[], &[]).unwrap_or_default());
    let Ok(src) = rookery_io::open_paths(&ctx, &[refs]) else { return false };
    let Ok(a) = src.read_all("x") else { return false };
    let v: Vec<f64> = a.to_f64().map(|x| x.iter().copied().collect()).unwrap_or_default();
    assert!(v.iter().all(|&x| x == 42.0), "target {target:?} read bytes from outside the root: {v:?}");
    true
}

fn url_seeds() -> Vec<Vec<u8>> {
    [
        "http://example.org/data/a.nc",
        "HTTP://Example.ORG:80/data/./x/../a.nc?q=1#f",
        "http://example.org/data/%2e%2e/p",
        "https://[::1]:8443/data/%7e",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn target_seeds() -> Vec<Vec<u8>> {
    [
        "inside.bin",
        "../outside.bin",
        "sub/link.bin",
        "file:///etc/passwd",
        "/etc/passwd",
        "sub/../inside.bin",
        "./inside.bin",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// Every target.
#[must_use]
pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "netcdf",
            about: "NetCDF classic header and NetCDF-4/HDF5 open path, plus reads",
            seeds: nc_seeds,
            dict: &["CDF\u{1}", "CDF\u{2}", "\u{89}HDF\r\n\u{1a}\n", "\u{0}\u{0}\u{0}\u{c}", "\u{0}\u{0}\u{0}\u{b}", "\u{ff}\u{ff}\u{ff}\u{ff}"],
            max_len: 1 << 20,
            run: run_netcdf,
        },
        Target {
            name: "kerchunk_json",
            about: "Kerchunk JSON references (version 0 and 1, templates, base64 inline, ranges of a local file) opened and read",
            seeds: kerchunk_seeds,
            dict: &["\"base64:", "\"version\": 1", "\"gen\": [", "{{u}}", "\"refs\"", "\".zarray\"", "\"chunks\": [", "\"shape\": [", "\"dtype\": \"<f8\"", "\">f4\"", "\"compressor\": {\"id\": \"zlib\"}", "\"filters\": [{\"id\": \"shuffle\", \"elementsize\": 4}]", "4294967296", "/dev/zero", "\"fill_value\": \"NaN\""],
            max_len: 256 << 10,
            run: |b| run_input(&scratch("r.json", b)),
        },
        Target {
            name: "kerchunk_parquet",
            about: "Kerchunk Parquet references (a refs.<n>.parq file of the lazy form)",
            seeds: parquet_seeds,
            dict: &["PAR1", "\u{0}\u{0}\u{0}\u{0}", "\u{ff}\u{ff}\u{ff}\u{7f}"],
            max_len: 256 << 10,
            run: run_parquet,
        },
        Target {
            name: "wps_xml",
            about: "WPS 1.0.0 requests as XML (Execute, GetCapabilities, DescribeProcess)",
            seeds: wps_xml_seeds,
            dict: XML_DICT,
            max_len: 256 << 10,
            run: |b| rookery_service::wps::parse_xml(b).is_ok(),
        },
        Target {
            name: "wps_kvp",
            about: "WPS 1.0.0 requests as key-value pairs",
            seeds: wps_kvp_seeds,
            dict: KVP_DICT,
            max_len: 64 << 10,
            run: |b| rookery_service::wps::parse_kvp(&text(b)).is_ok(),
        },
        Target {
            name: "ogc_execute",
            about: "OGC API - Processes execute JSON, validated against every process",
            seeds: ogc_seeds,
            dict: JSON_DICT,
            max_len: 256 << 10,
            run: |b| {
                let mut ok = false;
                for p in rookery_service::process::all() {
                    ok |= rookery_service::ogc::parse_execute(&p, b).is_ok();
                }
                ok
            },
        },
        Target {
            name: "workflow",
            about: "rook orchestrate workflows (JSON and YAML) and OGC API Part 3 nested processes",
            seeds: workflow_seeds,
            dict: JSON_DICT,
            max_len: 256 << 10,
            run: run_workflow,
        },
        Target {
            name: "roocs_ini",
            about: "roocs.ini configuration (projects, catalog, rookery sections)",
            seeds: ini_seeds,
            dict: &["[", "]", "=", ":", "\n", "\n    ", "[project:", "base_dir", "{__derive__", "}", "*", "..", "%(", ")s"],
            max_len: 64 << 10,
            run: run_ini,
        },
        Target {
            name: "geojson",
            about: "polygons from GeoJSON",
            seeds: geojson_seeds,
            dict: JSON_DICT,
            max_len: 512 << 10,
            run: |b| run_shapes("s.json", b),
        },
        Target {
            name: "shapefile_zip",
            about: "polygons from a zipped ESRI Shapefile (.shp/.shx/.dbf/.prj)",
            seeds: || shapefile_zip().into_iter().collect(),
            dict: &["PK\u{3}\u{4}", "PK\u{1}\u{2}", "PK\u{5}\u{6}", "\u{0}\u{0}\u{27}\u{a}", "PROJCS[", "GEOGCS["],
            max_len: 256 << 10,
            run: |b| run_shapes("s.zip", b),
        },
        Target {
            name: "gml",
            about: "polygons from GML",
            seeds: || vec![GML.as_bytes().to_vec()],
            dict: XML_DICT,
            max_len: 256 << 10,
            run: |b| run_shapes("s.gml", b),
        },
        Target {
            name: "url",
            about: "URL normalisation (RFC 3986 dot segments, percent-encoding, case, ports) and the allow-list match",
            seeds: url_seeds,
            dict: &["..", ".", "%2e", "%2E", "%2f", "%5c", "/", "//", "@", ":80", ":443", "?", "#", "[::1]", "%", "\\"],
            max_len: 512,
            run: run_url,
        },
        Target {
            name: "ref_target",
            about: "Kerchunk reference targets (absolute, relative, file://, ../, symlinks) under a restricted context",
            seeds: target_seeds,
            dict: &["..", "../", "/", "file://", "sub/", "link.bin", "inside.bin", "outside.bin", "./", "//", "%2e"],
            max_len: 512,
            run: run_ref_target,
        },
        Target {
            name: "params",
            about: "time, area, level, time components, sizes, grids, methods, dims, frequencies, CF time units",
            seeds: params_seeds,
            dict: PARAM_DICT,
            max_len: 4096,
            run: run_params,
        },
    ]
}
