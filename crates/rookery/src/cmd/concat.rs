//! `rookery concat`: ensemble members stacked along `realization` (rook `concat`).

use super::{Failure, OutputArgs};
use rookery_daops::RunOptions;
use rookery_ops::{AreaParam, SubsetRequest, TimeComponents, TimeParam};

/// Runs a concat and prints the output paths.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    daops: &rookery_daops::Daops,
    collection: &[String],
    dims: &str,
    apply_average: bool,
    time: Option<&str>,
    tc: Option<&str>,
    area: Option<&str>,
    out: &OutputArgs,
    no_fixes: bool,
) -> Result<(), Failure> {
    if dims.trim() != "realization" {
        return Err(Failure::request(format!("concat dims must be 'realization', not '{dims}'")));
    }
    let req = SubsetRequest {
        time: time.map(TimeParam::parse).transpose()?.flatten(),
        area: area.map(AreaParam::parse).transpose()?.flatten(),
        level: None,
        time_components: tc.map(TimeComponents::parse).transpose()?.flatten(),
        shape: None,
    };
    let opts = RunOptions {
        output: out.spec("")?,
        namer: out.namer(),
        apply_fixes: !no_fixes,
        progress: Default::default(),
        original_files: rookery_daops::OriginalFiles::default(),
        join_paths: false,
    };
    let rs = daops.concat(collection, &req, apply_average, &opts)?;
    for f in rs.file_uris() {
        println!("{f}");
    }
    Ok(())
}
