//! The CI coverage check: a fixed-seed run over all of `shared/data/mini-esgf`, failing on any
//! failure not listed in `known-failures.txt`; plus resume, export/merge round trip, and the
//! error for a CSV with other columns.

use rookery_check::{csv, discover, run, KnownFailures, ResultsDb, RunConfig};
use rookery_daops::{Config, Daops};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn daops() -> Daops {
    let mut c = Config::defaults();
    c.merge_file(&repo().join("config/mini-esgf.ini")).expect("config/mini-esgf.ini");
    Daops::new(c).expect("daops")
}

fn pool() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mini-esgf");
    std::fs::canonicalize(&p).expect("shared/data/mini-esgf").to_string_lossy().into_owned()
}

fn requests() -> u32 {
    std::env::var("ROOKERY_CHECK_REQUESTS").ok().and_then(|s| s.parse().ok()).unwrap_or(3)
}

#[test]
fn mini_esgf_coverage() {
    let t0 = std::time::Instant::now();
    let daops = daops();
    let datasets = discover(&daops, &[pool()]).expect("discover");
    assert!(datasets.len() > 50, "{} datasets", datasets.len());
    let known =
        KnownFailures::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("known-failures.txt")).expect("known failures");
    let tmp = tempfile::tempdir().unwrap();
    let db_path = tmp.path().join("ci.db");
    let cfg = RunConfig {
        site: "ci".into(),
        seed: 20_240_601,
        requests_per_dataset: requests(),
        operations: true,
        config_hint: Some("config/mini-esgf.ini".into()),
    };
    let mut db = ResultsDb::open(&db_path).unwrap();
    let sum = run(&daops, &datasets, &mut db, &cfg, &known, &mut |_| {}).expect("run");
    eprintln!(
        "{} datasets, {} requests, {} passed, {} failed, {} known failures in {:.1} s",
        sum.datasets,
        sum.requests,
        sum.passed,
        sum.failed,
        sum.known,
        t0.elapsed().as_secs_f64()
    );
    if let Ok(dump) = std::env::var("ROOKERY_CHECK_DUMP") {
        csv::write_csv(Path::new(&dump), &db.rows().unwrap()).unwrap();
    }
    let mut msg = String::new();
    for r in &sum.new_failures {
        msg.push_str(&format!("{} | {} | {}\n    {}\n", r.collection, r.kind, r.message, r.command));
    }
    assert!(sum.new_failures.is_empty(), "{} failures not in known-failures.txt:\n{msg}", sum.new_failures.len());
    assert!(sum.passed > sum.requests / 2);

    // Resume: the same run again records nothing new.
    drop(db);
    let mut db = ResultsDb::open(&db_path).unwrap();
    let again = run(&daops, &datasets, &mut db, &cfg, &known, &mut |_| {}).expect("rerun");
    assert_eq!(again.requests, 0, "a resumed run re-ran requests");
    assert_eq!(again.skipped, sum.requests);
    let rows = db.rows().unwrap();
    assert_eq!(rows.len(), sum.requests);

    // Export, merge with another site, round trip.
    let a = tmp.path().join("ci.csv.gz");
    csv::write_csv(&a, &rows).unwrap();
    let back = csv::read_csv(&a).unwrap();
    let mut sorted = rows.clone();
    csv::sort_dedup(&mut sorted);
    assert_eq!(back, sorted);
    let other: Vec<_> =
        rows.iter().map(|r| rookery_check::Row { test_location: "other".into(), ..r.clone() }).collect();
    let b = tmp.path().join("other.csv");
    csv::write_csv(&b, &other).unwrap();
    let all = tmp.path().join("all.csv.gz");
    assert_eq!(csv::merge(&all, &[a.clone(), b.clone()]).unwrap(), 2 * rows.len());
    // Merging again (the output is an input too) adds nothing.
    assert_eq!(csv::merge(&all, &[a, b]).unwrap(), 2 * rows.len());
    let html = rookery_check::report::html(&csv::read_csv(&all).unwrap());
    assert!(html.contains("By site") && html.contains("other"));

    // A CSV with other columns: one clear error naming the file and the columns.
    let bad = tmp.path().join("bad.csv");
    std::fs::write(&bad, "test_location,test_time,colour\nx,y,z\n").unwrap();
    let e = csv::merge(&tmp.path().join("x.csv"), std::slice::from_ref(&bad)).unwrap_err().to_string();
    assert!(
        e.contains("bad.csv") && e.contains("unexpected columns: colour") && e.contains("missing columns: collection"),
        "{e}"
    );
    assert!(!e.contains('\n'));
}

#[test]
fn bad_pools_and_unreadable_datasets() {
    let daops = daops();
    let e = discover(&daops, &["/no/such/pool".into()]).unwrap_err();
    assert!(e.is_request_error() && e.to_string().contains("/no/such/pool"), "{e}");

    // A file that is not NetCDF next to a good one: recorded as a failure, the run goes on.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("junk_file.nc"), b"not netcdf").unwrap();
    let good = Path::new(&pool()).join("pool/data/c3s-cica-atlas/CMIP5/rcp26/pr_CMIP5_rcp26_mon_200601-210012.nc");
    std::fs::copy(&good, tmp.path().join("pr_CMIP5_rcp26_mon_200601-210012.nc")).unwrap();
    let datasets = discover(&daops, &[tmp.path().to_string_lossy().into_owned()]).unwrap();
    assert_eq!(datasets.len(), 2);
    let mut db = ResultsDb::open(&tmp.path().join("r.db")).unwrap();
    let cfg = RunConfig { site: "t".into(), seed: 1, requests_per_dataset: 2, operations: false, config_hint: None };
    let sum = run(&daops, &datasets, &mut db, &cfg, &KnownFailures::default(), &mut |_| {}).unwrap();
    let rows = db.rows().unwrap();
    let junk: Vec<_> = rows.iter().filter(|r| r.collection.contains("junk")).collect();
    assert_eq!(junk.len(), 1);
    assert_eq!(junk[0].operation, "open");
    assert!(junk[0].message.contains("cannot open"), "{}", junk[0].message);
    assert_eq!(rows.iter().filter(|r| r.collection.contains("pr_")).count(), 2);
    assert_eq!(sum.requests, 3);
    // Same seed → same requests (the recorded parameters are reproducible).
    let mut db2 = ResultsDb::open(&tmp.path().join("r2.db")).unwrap();
    run(&daops, &datasets, &mut db2, &cfg, &KnownFailures::default(), &mut |_| {}).unwrap();
    let key = |r: &rookery_check::Row| {
        (r.collection.clone(), r.area.clone(), r.time.clone(), r.level.clone(), r.command.clone())
    };
    let a: Vec<_> = rows.iter().map(key).collect();
    let b: Vec<_> = db2.rows().unwrap().iter().map(key).collect();
    assert_eq!(a, b);
}
