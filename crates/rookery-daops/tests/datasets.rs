//! Dataset ids, paths, URLs and catalogues resolved against `config/mini-esgf.ini` (every
//! project's base_dir in ../shared/data/mini-esgf), and daops's reference cases (roocs.md §7).

use rookery_daops::{Config, Daops, DaopsError, RunOptions};
use rookery_io::OutputFormat;
use rookery_ops::{NamerKind, OutputSpec, SubsetRequest, TimeComponents, TimeParam};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn config() -> Config {
    let mut c = Config::defaults();
    c.merge_file(&repo().join("config/mini-esgf.ini")).expect("test config");
    c
}

fn daops() -> Daops {
    Daops::new(config()).expect("daops")
}

const TAS5_ID: &str = "cmip5.output1.MOHC.HadGEM2-ES.rcp85.mon.atmos.Amon.r1i1p1.latest.tas";
const ZOSTOGA_ID: &str = "cmip5.output1.INM.inmcm4.rcp45.mon.ocean.Omon.r1i1p1.latest.zostoga";
const RLDS_ID: &str = "c3s-cmip6.CMIP.IPSL.IPSL-CM6A-LR.historical.r1i1p1f1.Amon.rlds.gr.v20180803";

fn opts(dir: &Path, namer: NamerKind) -> RunOptions {
    RunOptions {
        output: OutputSpec {
            dir: dir.to_path_buf(),
            format: OutputFormat::Nc4,
            size_limit: 2_000_000_000,
            extra: String::new(),
            history: String::new(),
            cancel: Default::default(),
        },
        namer,
        apply_fixes: true,
        progress: Default::default(),
        original_files: rookery_daops::OriginalFiles::default(),
        join_paths: false,
    }
}

#[test]
fn ids_resolve_to_files() {
    let d = daops();
    let r = d.resolver.resolve(TAS5_ID).expect("resolve");
    assert_eq!(r.files.len(), 13);
    assert_eq!(r.project.as_deref(), Some("cmip5"));
    assert!(r.files.windows(2).all(|w| w[0] < w[1]));
    // A path under a project's base_dir gets its dataset id derived.
    let p = r.files[0].parent().expect("dir").to_path_buf();
    let r2 = d.resolver.resolve(&p.to_string_lossy()).expect("path");
    assert_eq!(r2.ds_id.as_deref(), Some(TAS5_ID));
}

// roocs.md §7 #24
#[test]
fn zostoga_by_id_end_clipped() {
    let d = daops();
    let dir = tempfile::tempdir().expect("tmp");
    let req =
        SubsetRequest { time: TimeParam::parse("2085-01-16/2120-12-16").expect("time"), ..SubsetRequest::default() };
    let rs = d.subset(&[ZOSTOGA_ID.to_string()], &req, &opts(dir.path(), NamerKind::Simple)).expect("subset");
    let files = rs.file_uris();
    assert_eq!(files.len(), 1);
    assert!(files[0].ends_with("output_001.nc"));
    let f = netcdf::open(&files[0]).expect("open");
    assert_eq!(f.variable("time").expect("time").len(), 192);
    assert_eq!(rs.results[0].0, ZOSTOGA_ID);
}

#[test]
fn consolidation_keeps_only_overlapping_files() {
    let d = daops();
    let t = TimeParam::parse("2021-01-01/2050-12-31").expect("t");
    let ds = d.datasets(&[TAS5_ID.to_string()], t.as_ref(), None).expect("datasets");
    let names: Vec<String> =
        ds[0].files.iter().map(|f| f.file_name().expect("n").to_string_lossy().into_owned()).collect();
    assert_eq!(
        names,
        ["tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc", "tas_Amon_HadGEM2-ES_rcp85_r1i1p1_203012-205511.nc"]
    );
    let tc = TimeComponents::parse("year:2100|month:jan").expect("tc");
    let ds = d.datasets(&[TAS5_ID.to_string()], None, tc.as_ref()).expect("datasets");
    assert!(ds[0].files.len() <= 2 && !ds[0].files.is_empty());
    let t = TimeParam::parse("2400/2500").expect("t");
    let e = d.datasets(&[TAS5_ID.to_string()], t.as_ref(), None).expect_err("nothing");
    assert!(e.to_string().contains("No files found in given time range for"), "{e}");
    assert!(e.is_request_error());
}

#[test]
fn bad_ids_and_paths() {
    let d = daops();
    let e = d.resolver.resolve("nosuch.output1.X.Y").expect_err("unknown project");
    assert!(matches!(e, DaopsError::InvalidProject(_)));
    assert!(e.to_string().contains("The project supplied is not known"), "{e}");
    let e = d
        .resolver
        .resolve("cmip5.output1.MOHC.NoSuchModel.rcp85.mon.atmos.Amon.r1i1p1.latest.tas")
        .expect_err("missing");
    assert_eq!(
        e.to_string(),
        "cmip5.output1.MOHC.NoSuchModel.rcp85.mon.atmos.Amon.r1i1p1.latest.tas is not in the list of available data."
    );
    let e = d.resolver.resolve("cmip5.output1...etc.passwd").expect_err("escape");
    assert!(e.to_string().contains("not a valid dataset id"), "{e}");
    // Restricted (service) resolvers refuse paths outside the base directories.
    let r = daops().restricted(&[]).expect("restricted");
    let e = r.resolver.resolve("/etc/hostname").expect_err("outside");
    assert!(e.to_string().contains("outside the directories this server may read"), "{e}");
    let ok = r.resolver.resolve(TAS5_ID);
    assert!(ok.is_ok());
    // Remote URLs: any on the command line, only allowed prefixes in the service.
    let u = "http://example.org/data/tas.nc";
    let free = daops().resolver.resolve(u).expect("command line reads any URL");
    assert_eq!(free.files, vec![PathBuf::from(u)]);
    let e = r.resolver.resolve(u).expect_err("not allowed");
    assert!(e.to_string().contains("is not a URL this server may read"), "{e}");
    let mut c = config();
    c.merge_str("[rookery]\nallowed_urls = http://example.org/data/\n", "t", None).expect("cfg");
    let d = Daops::new(c).expect("daops").restricted(&[]).expect("restricted");
    assert!(d.resolver.resolve(u).is_ok());
    assert!(d.resolver.resolve("http://example.org/other/tas.nc").is_err());
}

#[test]
fn symlinks_out_of_base_dir_are_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let base = tmp.path().join("base");
    std::fs::create_dir_all(base.join("a")).expect("mkdir");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let src = repo().join("../shared/data/mini-esgf/badc/cmip5/data/cmip5/output1/INM/inmcm4/rcp45/mon/ocean/Omon/r1i1p1/latest/zostoga/zostoga_Omon_inmcm4_rcp45_r1i1p1_200601-210012.nc");
    std::fs::copy(&src, outside.join("x_200601-210012.nc")).expect("copy");
    std::os::unix::fs::symlink(&outside, base.join("a").join("b")).expect("symlink");
    let mut c = Config::defaults();
    c.merge_str(&format!("[project:cmip5]\nbase_dir = {}\n", base.display()), "t", None).expect("cfg");
    let d = Daops::new(c).expect("daops");
    let e = d.resolver.resolve("cmip5.a.b").expect_err("escape");
    assert!(e.to_string().contains("resolves outside the project's base_dir"), "{e}");
}

#[test]
fn download_urls_map_to_paths() {
    let d = daops();
    let url = "https://data.mips.climate.copernicus.eu/thredds/fileServer/esg_c3s-cmip6/CMIP/IPSL/IPSL-CM6A-LR/historical/r1i1p1f1/Amon/rlds/gr/v20180803/rlds_Amon_IPSL-CM6A-LR_historical_r1i1p1f1_gr_185001-201412.nc";
    let r = d.resolver.resolve(url).expect("url");
    assert_eq!(r.files.len(), 1);
    assert!(r.files[0].is_file());
    // Other URLs are remote files (read over HTTP by rookery-io).
    let r = d.resolver.resolve("https://example.org/x.nc").expect("remote");
    assert_eq!((r.files, r.ds_id), (vec![PathBuf::from("https://example.org/x.nc")], None));
}

#[test]
fn catalogue_search_and_reload() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cat = tmp.path().join("c3s-cmip6_v20261127.csv.gz");
    {
        let d = daops();
        let p = d.resolver.project("c3s-cmip6").expect("project").clone();
        let f = std::fs::File::create(&cat).expect("create");
        let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
        let n = rookery_daops::catalog::build(&rookery_io::IoContext::from_env(), &p, &mut gz).expect("build");
        gz.finish().expect("gz");
        assert!(n > 100, "{n} files catalogued");
    }
    let mut c = config();
    c.merge_str(&format!("[catalog]\nc3s-cmip6 = {}\n", cat.display()), "cat", None).expect("cfg");
    let d = Daops::new(c).expect("daops");
    let r = d.resolver.resolve(RLDS_ID).expect("in catalogue");
    assert!(r.from_catalog);
    assert_eq!(r.files.len(), 2);
    let r = d.resolver.resolve_in(RLDS_ID, Some(("2001-01-01T00:00:00", "2002-12-30T00:00:00"))).expect("window");
    assert_eq!(r.files.len(), 1, "only the 1850-2014 file overlaps");
    let e = d.resolver.resolve_in(RLDS_ID, Some(("2100-01-01T00:00:00", "2101-01-01T00:00:00"))).expect_err("no time");
    assert!(e.to_string().contains("No files found in given time range"), "{e}");
    let e = d
        .resolver
        .resolve("c3s-cmip6.CMIP.MPI-M.MPI-ESM1-2-HR.historical.r1i1p1f1.SImon.siconc.gn.nosuchversion")
        .expect_err("absent");
    assert!(e.to_string().contains("is not in the list of available data"), "{e}");
    // The catalogue is reloaded when its file changes.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&cat, "ds_id,path,size,start_time,end_time\n").expect("rewrite");
    let e = d.resolver.resolve(RLDS_ID).expect_err("gone after reload");
    assert!(e.to_string().contains("not in the list of available data"), "{e}");
    std::fs::write(&cat, "no,header,here\n1,2,3\n").expect("rewrite");
    let e = d.resolver.resolve(RLDS_ID).expect_err("bad catalogue");
    assert!(e.to_string().contains("catalogue") && e.to_string().contains("column"), "{e}");
}

// The decadal reference case (daops tests/test_fixes_applied.py::test_fixes_applied_decadal_MOHC_day,
// reproduced by rook's legacy provider; roocs.md §7).
#[test]
fn decadal_fixes_applied_on_open() {
    let d = daops();
    let id = "c3s-cmip6-decadal.DCPP.MOHC.HadGEM3-GC31-MM.dcppA-hindcast.s1960-r2i1p1f2.day.tasmin.gn.v20200417";
    let dir = tempfile::tempdir().expect("tmp");
    // A whole-globe area: a computation (no area would return the original files).
    let req =
        SubsetRequest { area: rookery_ops::AreaParam::parse("0,-90,360,90").expect("a"), ..SubsetRequest::default() };
    let rs = d.subset(&[id.to_string()], &req, &opts(dir.path(), NamerKind::Simple)).expect("subset");
    let out = &rs.file_uris()[0];
    let f = netcdf::open(out).expect("open");
    let text = |v: Option<netcdf::Attribute<'_>>| match v.map(|a| a.value()) {
        Some(Ok(netcdf::AttributeValue::Str(s))) => s,
        other => panic!("not text: {other:?}"),
    };
    assert_eq!(text(f.attribute("forcing_description")), "f2, CMIP6 v6.2.0 forcings; no ozone remapping");
    assert_eq!(text(f.attribute("startdate")), "s196011");
    assert_eq!(text(f.attribute("sub_experiment_id")), "s196011");
    let time = f.variable("time").expect("time");
    assert_eq!(text(time.attribute("long_name")), "valid_time");
    let cal = text(time.attribute("calendar"));
    let reftime = f.variable("reftime").expect("reftime");
    assert_eq!(text(reftime.attribute("standard_name")), "forecast_reference_time");
    assert_eq!(text(reftime.attribute("calendar")), cal);
    let r: Vec<i32> = reftime.get_values(..).expect("v");
    let coder = rookery_cf::time::TimeCoder::new("days since 1850-01-01", Some(&cal)).expect("coder");
    assert_eq!(coder.decode(f64::from(r[0])).expect("d").iso(), "1960-11-01T00:00:00");
    let lead = f.variable("leadtime").expect("leadtime");
    let lv: Vec<f64> = lead.get_values(..).expect("v");
    assert_eq!(lv.first(), Some(&0.0));
    assert_eq!(lv.last(), Some(&419.0));
    assert_eq!(text(lead.attribute("units")), "days");
    assert_eq!(text(lead.attribute("standard_name")), "forecast_period");
    let real = f.variable("realization").expect("realization");
    assert!(text(real.attribute("comment")).starts_with("For more information on the ripf"));
    assert!(real.attribute("coordinates").is_none());
    let main = f.variable("tasmin").expect("tasmin");
    assert!(text(main.attribute("coordinates")).contains("reftime"));
    // Without fixes the file is as published.
    let mut o = opts(dir.path(), NamerKind::Simple);
    o.apply_fixes = false;
    let rs = d.subset(&[id.to_string()], &req, &o).expect("subset");
    let f = netcdf::open(&rs.file_uris()[0]).expect("open");
    assert!(f.variable("reftime").is_none());
}

#[test]
fn squeeze_fix_from_a_fix_directory() {
    // roocs.md §7 #24 with the legacy fix: zostoga's lev dimension squeezed.
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("zostoga.yaml"),
        format!("dataset_id: {ZOSTOGA_ID}\nfixes:\n  - fix_id: SqueezeDimensionsFix\n    operands: {{dims: [lev]}}\n"),
    )
    .expect("write");
    let mut c = config();
    c.merge_str(&format!("[fixes]\ndir = {}\n", tmp.path().display()), "fixes", None).expect("cfg");
    let d = Daops::new(c).expect("daops");
    let out = tempfile::tempdir().expect("tmp");
    let req = SubsetRequest { time: TimeParam::parse("2085-01-16/2120-12-16").expect("t"), ..SubsetRequest::default() };
    let rs = d.subset(&[ZOSTOGA_ID.to_string()], &req, &opts(out.path(), NamerKind::Simple)).expect("subset");
    let f = netcdf::open(&rs.file_uris()[0]).expect("open");
    let z = f.variable("zostoga").expect("zostoga");
    let dims: Vec<String> = z.dimensions().iter().map(netcdf::Dimension::name).collect();
    assert_eq!(dims, ["time"]);
    assert_eq!(z.len(), 192);
    // A record with a missing operand fails with one line naming it.
    std::fs::write(
        tmp.path().join("zostoga.yaml"),
        format!("dataset_id: {ZOSTOGA_ID}\nfixes:\n  - fix_id: VarAttrFix\n    operands: {{attrs: {{a: b}}}}\n"),
    )
    .expect("w");
    let mut c = config();
    c.merge_str(&format!("[fixes]\ndir = {}\n", tmp.path().display()), "fixes", None).expect("cfg");
    let d = Daops::new(c).expect("daops");
    let e = d.subset(&[ZOSTOGA_ID.to_string()], &req, &opts(out.path(), NamerKind::Simple)).expect_err("bad fix");
    assert!(e.to_string().contains("missing operand 'var_id'"), "{e}");
}

#[test]
fn original_files_when_aligned() {
    let d = daops();
    let req = |t: &str| SubsetRequest { time: TimeParam::parse(t).expect("t"), ..SubsetRequest::default() };
    let ds = d.datasets(&[TAS5_ID.to_string()], req("2005-12-16/2030-11-16").time.as_ref(), None).expect("ds");
    let urls = d.original_files(&ds[0], &req("2005-12-16/2030-11-16"), false).expect("check").expect("aligned");
    assert_eq!(urls.len(), 1);
    assert!(urls[0].ends_with("tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc"));
    // A range ending inside a file is computed.
    assert!(d.original_files(&ds[0], &req("2005-12-16/2030-10-16"), false).expect("check").is_none());
    // An area always needs computing, unless forced.
    let mut r = req("2005-12-16/2030-11-16");
    r.area = rookery_ops::AreaParam::parse("0,0,10,10").expect("a");
    assert!(d.original_files(&ds[0], &r, false).expect("check").is_none());
    assert_eq!(d.original_files(&ds[0], &r, true).expect("check").expect("forced").len(), ds[0].files.len());
    // Projects with a data node give download URLs.
    let ds = d.datasets(&[RLDS_ID.to_string()], None, None).expect("ds");
    let urls = d.original_files(&ds[0], &SubsetRequest::default(), false).expect("check").expect("aligned");
    assert!(urls
        .iter()
        .all(|u| u.starts_with("https://data.mips.climate.copernicus.eu/thredds/fileServer/esg_c3s-cmip6/CMIP/IPSL/")));
}

// The aligned shortcut of a subset by id: original files by default, processed files (with
// the dataset's fixes) when the caller merges the results (federated parts).
#[test]
fn subset_by_id_processes_when_original_files_are_never_wanted() {
    let d = daops();
    let out = tempfile::tempdir().expect("tmp");
    let req = SubsetRequest { time: TimeParam::parse("2005-12-16/2030-11-16").expect("t"), ..SubsetRequest::default() };
    let mut o = opts(out.path(), NamerKind::Simple);
    let rs = d.subset(&[TAS5_ID.to_string()], &req, &o).expect("aligned");
    let files = rs.file_uris();
    assert!(files.len() == 1 && files[0].ends_with("tas_Amon_HadGEM2-ES_rcp85_r1i1p1_200512-203011.nc"), "{files:?}");
    assert!(std::fs::read_dir(out.path()).expect("dir").next().is_none(), "nothing is written for original files");
    o.original_files = rookery_daops::OriginalFiles::Never;
    let rs = d.subset(&[TAS5_ID.to_string()], &req, &o).expect("processed");
    let files = rs.file_uris();
    assert!(files.len() == 1 && files[0].starts_with(&*out.path().to_string_lossy()), "{files:?}");
    // A decadal dataset has fixes: its processed result carries them (leadtime); by default
    // the original files come back as the data node's URLs.
    let id = "c3s-cmip6-decadal.DCPP.MOHC.HadGEM3-GC31-MM.dcppA-hindcast.s1960-r2i1p1f2.day.tasmin.gn.v20200417";
    let z = d.subset(&[id.to_string()], &SubsetRequest::default(), &o).expect("processed decadal").file_uris();
    assert!(netcdf::open(&z[0]).expect("open").variable("leadtime").is_some(), "fixes applied");
    o.original_files = rookery_daops::OriginalFiles::WhenAligned;
    let z = d.subset(&[id.to_string()], &SubsetRequest::default(), &o).expect("original decadal").file_uris();
    assert!(z.iter().all(|u| u.starts_with("https://") && u.ends_with(".nc")), "the data node's original files: {z:?}");
}

// roocs.md §7 #29 (rook concat of EC-Earth3 decadal members): members with different time
// spans are joined on the union of their steps; realization is a new int32 coordinate.
#[test]
fn concat_members_along_realization() {
    let d = daops();
    let members = [
        "c3s-cmip6.DCPP.EC-Earth-Consortium.EC-Earth3.dcppA-hindcast.s1960-r2i1p1f1.Amon.tas.gr.v20201215".to_string(),
        "c3s-cmip6.DCPP.EC-Earth-Consortium.EC-Earth3.dcppA-hindcast.s1960-r6i2p1f1.Amon.tas.gr.v20200508".to_string(),
    ];
    let dir = tempfile::tempdir().expect("tmp");
    let rs =
        d.concat(&members, &SubsetRequest::default(), false, &opts(dir.path(), NamerKind::Simple)).expect("concat");
    let f = netcdf::open(&rs.file_uris()[0]).expect("open");
    let r = f.variable("realization").expect("realization");
    let rv: Vec<i32> = r.get_values(..).expect("v");
    assert_eq!(rv, [2, 6]);
    assert_eq!(r.attributes().count(), 1, "only standard_name");
    let tas = f.variable("tas").expect("tas");
    let dims: Vec<String> = tas.dimensions().iter().map(netcdf::Dimension::name).collect();
    assert_eq!(dims, ["realization", "time", "lat", "lon"]);
    assert_eq!(f.variable("time").expect("t").len(), 24);
    assert!(f.variable("time_bnds").is_none());
    // Member 2 has 14 steps: its last 10 of the 24 are missing.
    let v: Vec<f32> = tas.get_values(..).expect("v");
    let per = 24 * 18;
    assert!(v[per..].iter().rev().take(10 * 18).all(|x| *x == 1e20 || x.is_nan()));
    assert!(v[..per].iter().all(|x| *x > 150.0 && *x < 350.0));
    // Averaged over members, time-subset while reading.
    let req = SubsetRequest { time: TimeParam::parse("1961-01-01/1961-06-30").expect("t"), ..SubsetRequest::default() };
    let rs = d.concat(&members, &req, true, &opts(dir.path(), NamerKind::Simple)).expect("average");
    let f = netcdf::open(&rs.file_uris()[0]).expect("open");
    assert!(f.variable("realization").is_none());
    let m: Vec<f64> = f.variable("tas").expect("tas").get_values(..).expect("v");
    assert_eq!(m.len(), 6 * 18);
    let full =
        netcdf::open(&d.concat(&members, &req, false, &opts(dir.path(), NamerKind::Simple)).expect("c").file_uris()[0])
            .expect("o");
    let s: Vec<f64> = full.variable("tas").expect("tas").get_values(..).expect("v");
    for k in 0..m.len() {
        let want = (s[k] + s[k + m.len()]) / 2.0;
        assert!((m[k] - want).abs() < 1e-3, "{k}: {} vs {want}", m[k]);
    }
}

#[test]
fn progress_covers_every_dataset_of_a_collection() {
    let d = tempfile::tempdir().expect("tmp");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
    let mut o = opts(d.path(), NamerKind::Simple);
    let s2 = seen.clone();
    o.progress = rookery_daops::Progress::new(move |x| s2.lock().unwrap().push(x));
    // Two datasets by id: each is half of the request; original files are not used because
    // the request forces processing.
    let ids = vec![TAS5_ID.to_string(), RLDS_ID.to_string()];
    let req = SubsetRequest { time: TimeParam::parse("2010-01-01/2012-12-30").expect("t"), ..SubsetRequest::default() };
    daops().subset(&ids, &req, &o).expect("subset");
    let v = seen.lock().unwrap().clone();
    assert!(!v.is_empty(), "progress was reported");
    assert!(v.windows(2).all(|w| w[0] <= w[1] + 1e-12), "monotonic: {v:?}");
    assert!(v.iter().any(|x| *x > 0.0 && *x <= 0.5), "first dataset in the first half: {v:?}");
    assert!((v[v.len() - 1] - 1.0).abs() < 1e-9, "ends at 1: {v:?}");
}

/// A restricted resolver says the same of a relative name outside its roots whether or not
/// the file exists (tests run in the crate directory, where `Cargo.toml` exists).
#[test]
fn restricted_names_do_not_show_existence() {
    let r = daops().restricted(&[]).expect("restricted");
    assert!(std::path::Path::new("Cargo.toml").exists());
    let existing = r.resolver.resolve("Cargo.toml").expect_err("outside").to_string();
    let missing = r.resolver.resolve("Nonexistent.toml").expect_err("missing").to_string();
    assert_eq!(existing.replace("Cargo.toml", "X"), missing.replace("Nonexistent.toml", "X"));
    // The command line still reads it.
    assert!(daops().resolver.resolve("Cargo.toml").is_ok_and(|d| d.files.len() == 1));
}
