//! rookery as a new user meets it (issue 20): no roocs.ini, no environment variables, a fresh
//! HOME. Every roocs-grids id regrids with the grids built into the binary (a configured
//! directory still overrides); `rookery keys create --config` does not need the peers'
//! secrets; a warning repeated over many outputs is printed once with its count, `-q`
//! silences it, and nothing but the log reaches a pipe.

mod common;
use common::{data, rookery_command};
use std::path::Path;
use std::process::{Command, Output};

const MRSOS1: &str = "badc/cmip5/data/cmip5/output1/MOHC/HadGEM2-ES/rcp85/day/land/day/r1i1p1/latest/mrsos/mrsos_day_HadGEM2-ES_rcp85_r1i1p1_20051201.nc";

/// The rookery binary with no configuration: a fresh HOME and none of the variables that
/// point at configuration, grids or caches.
fn clean(home: &Path) -> Command {
    let mut c = rookery_command();
    for k in [
        "ROOCS_CONFIG",
        "ROOKERY_GRIDS_DIR",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
        "XDG_CONFIG_HOME",
        "ROOKERY_CACHE_DIR",
        "ROOKERY_LOG",
        "RUST_LOG",
    ] {
        c.env_remove(k);
    }
    c.env("HOME", home);
    c
}

fn ok(o: &Output, what: &str) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{what} failed: {err}");
    err
}

#[test]
fn every_grid_id_works_without_configuration() {
    let home = tempfile::tempdir().expect("home");
    let out = tempfile::tempdir().expect("out");
    for (id, _, _) in rookery_ops::regrid::grids::GRIDS {
        let o = clean(home.path())
            .args(["regrid", &data(MRSOS1), "--method", "nearest_s2d", "--grid", id, "--output-dir"])
            .arg(out.path())
            .output()
            .expect("run");
        ok(&o, &format!("regrid to {id}"));
        let path = String::from_utf8_lossy(&o.stdout).trim().to_string();
        let f = netcdf::open(&path).expect("output");
        let nlat = f.dimension("lat").expect("lat").len();
        let nlon = f.dimension("lon").expect("lon").len();
        let file = rookery_ops::regrid::grids::id_file(id).expect("id").0;
        let g = netcdf::open(common::shared("grids").join(file)).expect("grid file");
        let n = match g.variable("grid_dims") {
            Some(v) => v.get_values::<i32, _>(..).expect("dims").iter().map(|x| *x as usize).product(),
            None => {
                ["lat", "latitude"].iter().find_map(|d| g.dimension(d)).expect("lat").len()
                    * ["lon", "longitude"].iter().find_map(|d| g.dimension(d)).expect("lon").len()
            }
        };
        assert_eq!(nlat * nlon, n, "{id}: the output grid has the grid file's size");
        drop(f);
        std::fs::remove_file(&path).expect("remove");
    }
    // The weights were cached under the fresh HOME, nowhere else.
    assert!(home.path().join(".local/share/rookery/grid_weights").is_dir());
}

#[test]
fn a_configured_grids_dir_overrides_the_built_in_grids() {
    let home = tempfile::tempdir().expect("home");
    let empty = tempfile::tempdir().expect("grids");
    let out = tempfile::tempdir().expect("out");
    let o = clean(home.path())
        .env("ROOKERY_GRIDS_DIR", empty.path())
        .args(["regrid", &data(MRSOS1), "--grid", "2pt5deg", "--output-dir"])
        .arg(out.path())
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("the file of grid '2pt5deg' is missing"), "{err}");
}

#[test]
fn keys_create_does_not_need_the_peers_secrets() {
    let home = tempfile::tempdir().expect("home");
    let cfg = home.path().join("node.conf");
    std::fs::write(
        &cfg,
        "peer = bravo http://127.0.0.1:9 holds=cmip6.* token_env=ROOKERY_TEST_NOPE_TOKEN\n\
         peer = charlie http://127.0.0.1:9 holds=cordex.* token_url=http://127.0.0.1:9/token client_id=a client_secret_env=ROOKERY_TEST_NOPE_SECRET\n",
    )
    .expect("config");
    let data_dir = home.path().join("data");
    let run = |args: &[&str]| {
        clean(home.path())
            .env_remove("ROOKERY_TEST_NOPE_TOKEN")
            .env_remove("ROOKERY_TEST_NOPE_SECRET")
            .args(args)
            .arg("--config")
            .arg(&cfg)
            .arg("--data-dir")
            .arg(&data_dir)
            .output()
            .expect("run")
    };
    let o = run(&["keys", "create", "--name", "ops"]);
    ok(&o, "keys create");
    assert!(String::from_utf8_lossy(&o.stdout).trim().starts_with("rk_"));
    ok(&run(&["keys", "list"]), "keys list");
    // A command that talks to peers still needs them, and says which.
    let o = run(&["usage", "--sites", "all"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("peer 'bravo': environment variable ROOKERY_TEST_NOPE_TOKEN is not set"), "{err}");
}

/// A dataset whose `_FillValue` and `missing_value` differ: every output warns.
fn fill_mismatch(dir: &Path) {
    let p = dir.join("psl_mon_SYNTH_200001-200012.nc");
    let mut f = netcdf::create(&p).expect("create");
    f.add_unlimited_dimension("time").expect("time");
    f.add_dimension("lat", 4).expect("lat");
    f.add_dimension("lon", 6).expect("lon");
    let mut v = f.add_variable::<f64>("time", &["time"]).expect("time");
    v.put_attribute("units", "days since 2000-01-01").expect("a");
    v.put_attribute("calendar", "standard").expect("a");
    v.put_attribute("standard_name", "time").expect("a");
    v.put_values(&(0..12).map(|m| 15.0 + 30.0 * f64::from(m)).collect::<Vec<_>>(), ..).expect("v");
    let mut v = f.add_variable::<f64>("lat", &["lat"]).expect("lat");
    v.put_attribute("units", "degrees_north").expect("a");
    v.put_attribute("standard_name", "latitude").expect("a");
    v.put_values(&[-60.0, -20.0, 20.0, 60.0], ..).expect("v");
    let mut v = f.add_variable::<f64>("lon", &["lon"]).expect("lon");
    v.put_attribute("units", "degrees_east").expect("a");
    v.put_attribute("standard_name", "longitude").expect("a");
    v.put_values(&[0.0, 60.0, 120.0, 180.0, 240.0, 300.0], ..).expect("v");
    let mut v = f.add_variable::<f32>("psl", &["time", "lat", "lon"]).expect("psl");
    v.put_attribute("_FillValue", 1.0e20f32).expect("a");
    v.put_attribute("missing_value", -999.0f32).expect("a");
    v.put_attribute("units", "Pa").expect("a");
    v.put_values(&(0..12 * 24).map(|k| 1.0e5 + k as f32).collect::<Vec<_>>(), ..).expect("v");
}

#[test]
fn a_repeated_warning_is_printed_once_with_its_count() {
    let home = tempfile::tempdir().expect("home");
    let pool = home.path().join("pool");
    std::fs::create_dir(&pool).expect("pool");
    fill_mismatch(&pool);
    let check = |db: &str, extra: &[&str]| {
        clean(home.path())
            .args(["check", "--site", "t", "--seed", "3", "--requests-per-dataset", "6", "--db"])
            .arg(home.path().join(db))
            .args(extra)
            .arg(&pool)
            .output()
            .expect("run")
    };
    let o = check("a.db", &[]);
    let err = ok(&o, "check");
    let warning = "The defined _FillValue and missing_value for 'psl' are not the same";
    let lines: Vec<&str> = err.lines().filter(|l| l.contains(warning)).collect();
    assert_eq!(lines.len(), 2, "the warning and its count, once each: {err}");
    assert!(lines[0].contains("WARN"), "{err}");
    let count = lines[1].rsplit("was given ").next().and_then(|t| t.trim_end_matches(" times").parse::<usize>().ok());
    assert!(count.is_some_and(|n| n > 1), "{err}");
    // Piped: no progress lines, no terminal control characters.
    assert!(!err.contains('\r') && !err.contains("\u{1b}[") && !err.contains("[1/1]"), "{err}");
    // -q: nothing but errors.
    let err = ok(&check("b.db", &["-q"]), "check -q");
    assert!(!err.contains(warning), "{err}");
    // -v: the progress lines as log records; ROOKERY_LOG directives replace the flags.
    let err = ok(&check("c.db", &["-v"]), "check -v");
    assert!(err.contains("[1/1]"), "{err}");
    let o = clean(home.path())
        .env("ROOKERY_LOG", "error")
        .args(["check", "--site", "t", "--seed", "3", "--db"])
        .arg(home.path().join("d.db"))
        .arg(&pool)
        .output()
        .expect("run");
    assert!(!ok(&o, "check with ROOKERY_LOG").contains(warning));
}
