//! `rookery info`.

use super::Failure;
use rookery_cf::time::TimeCoder;
use rookery_cf::{CfInfo, Role};

/// Describes the dataset named by `inputs` (files, globs, directories, or a dataset id).
pub(crate) fn run(daops: &rookery_daops::Daops, inputs: &[String]) -> Result<(), Failure> {
    let datasets = daops.cli_datasets(inputs, None, None)?;
    for (i, d) in datasets.iter().enumerate() {
        if i > 0 {
            println!();
        }
        if let Some(id) = &d.ds_id {
            println!("dataset: {id}");
        }
        describe(daops.io(), &d.files)?;
    }
    Ok(())
}

fn describe(io: &rookery_io::IoContext, paths: &[std::path::PathBuf]) -> Result<(), Failure> {
    let src = rookery_io::open_paths(io, paths)?;
    let ds = src.dataset();
    println!("files: {}", paths.len());
    for p in paths.iter().take(5) {
        println!("  {}", p.display());
    }
    if paths.len() > 5 {
        println!("  ... ({} more)", paths.len() - 5);
    }
    println!("dimensions:");
    for d in &ds.dims {
        println!("  {} = {}{}", d.name, d.len, if d.unlimited { " (unlimited)" } else { "" });
    }
    let cf = CfInfo::detect(ds).ok();
    println!("variables:");
    for v in &ds.vars {
        let role = rookery_cf::roles::coord_role(v)
            .filter(|r| cf.as_ref().is_some_and(|c| c.coord(*r) == Some(v.name.as_str())))
            .map(|r| format!("  [{}]", r.name()))
            .unwrap_or_default();
        let main = if cf.as_ref().is_some_and(|c| c.main == v.name) { "  [main]" } else { "" };
        println!("  {} {}({}){role}{main}", v.dtype.cdl_name(), v.name, v.dims.join(", "));
    }
    if let Some(c) = &cf {
        println!("main variable: {}", c.main);
        for r in [Role::Time, Role::Latitude, Role::Longitude, Role::Level, Role::Realization] {
            if let Some(n) = c.coord(r) {
                println!("{}: {n}", r.name());
            }
        }
        println!("grid: {}", c.grid.name());
        if let Some(tv) = c.time.as_deref().and_then(|t| ds.var(t)) {
            let cal = tv.attrs.get_str("calendar").unwrap_or("standard");
            println!("calendar: {cal}");
            if let Some(units) = tv.attrs.get_str("units") {
                let coder = TimeCoder::new(units, Some(cal)).map_err(|e| Failure::io(e.to_string()))?;
                let n = tv.shape.first().copied().unwrap_or(0);
                if n > 0 {
                    let first = src.read(&tv.name, &[0], &[1])?.to_f64();
                    let last = src.read(&tv.name, &[n - 1], &[1])?.to_f64();
                    if let (Some(a), Some(b)) = (first, last) {
                        let a = coder.decode(a[[0]]).map_err(|e| Failure::io(e.to_string()))?;
                        let b = coder.decode(b[[0]]).map_err(|e| Failure::io(e.to_string()))?;
                        println!("time range: {} .. {} ({n} steps)", a.iso(), b.iso());
                    }
                }
            }
        }
    } else {
        println!("main variable: none found");
    }
    Ok(())
}
