//! `rookery config show` and `rookery catalog build`.

use super::Failure;
use rookery_daops::Daops;
use std::path::PathBuf;

/// Prints the effective configuration with the origin of every value.
pub(crate) fn show(d: &Daops) -> Result<(), Failure> {
    print!("{}", d.config.show());
    Ok(())
}

/// Writes an intake CSV catalogue of a project's `base_dir` (gzipped when the name ends in
/// `.gz`), or to stdout.
pub(crate) fn build_catalog(d: &Daops, project: &str, output: Option<PathBuf>) -> Result<(), Failure> {
    let p = d
        .resolver
        .project(project)
        .ok_or_else(|| Failure::request(format!("The project supplied is not known: '{project}'")))?;
    let bar = super::progress_bar();
    let mut tick = |done: usize, total: usize| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
            super::advance(b, done as u64);
        }
    };
    let build = |out: &mut dyn std::io::Write, tick: &mut dyn FnMut(usize, usize)| {
        rookery_daops::catalog::build_with_progress(d.io(), p, out, tick)
    };
    let n = match output {
        None => build(&mut std::io::stdout().lock(), &mut tick)?,
        Some(path) => {
            let tmp = path.with_extension("tmp-catalog");
            let f =
                std::fs::File::create(&tmp).map_err(|e| Failure::io(format!("cannot write {}: {e}", tmp.display())))?;
            let n = if path.extension().is_some_and(|e| e == "gz") {
                let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
                let n = build(&mut gz, &mut tick)?;
                gz.finish().map_err(|e| Failure::io(e.to_string()))?;
                n
            } else {
                let mut f = f;
                build(&mut f, &mut tick)?
            };
            std::fs::rename(&tmp, &path).map_err(|e| Failure::io(format!("cannot write {}: {e}", path.display())))?;
            n
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    eprintln!("{n} files catalogued for {project}");
    Ok(())
}
