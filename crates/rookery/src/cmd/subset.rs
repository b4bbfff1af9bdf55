//! `rookery subset`.

use super::{print_outputs, progress_bar, run_options, Failure, OutputArgs};
use rookery_ops::{AreaParam, LevelParam, SubsetRequest, TimeComponents, TimeParam};

#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    daops: &rookery_daops::Daops,
    inputs: &[String],
    time: Option<&str>,
    tc: Option<&str>,
    area: Option<&str>,
    level: Option<&str>,
    shape: (Option<&std::path::Path>, Option<&str>),
    out: &OutputArgs,
    no_fixes: bool,
    original_files: bool,
) -> Result<(), Failure> {
    // Parameters first: a malformed request fails before any file is opened.
    let req = SubsetRequest {
        time: time.map(TimeParam::parse).transpose()?.flatten(),
        area: area.map(AreaParam::parse).transpose()?.flatten(),
        level: level.map(LevelParam::parse).transpose()?.flatten(),
        time_components: tc.map(TimeComponents::parse).transpose()?.flatten(),
        // The polygons are read before any data file is opened: a bad shape file fails first.
        shape: match shape {
            (Some(path), f) => {
                let f = f.map(rookery_ops::shape_mask::parse_min_fraction).transpose()?;
                let m = rookery_ops::ShapeMask::read(path, f)?.with_cache(daops.shape_weights.clone());
                Some(std::sync::Arc::new(m) as std::sync::Arc<dyn rookery_ops::plan::CellSelector>)
            }
            (None, _) => None,
        },
    };
    // rook's shortcut: a request aligned with whole files of a dataset named by id returns
    // the files' download URLs (`--original-files` forces it for any request).
    let original =
        if original_files { rookery_daops::OriginalFiles::Always } else { rookery_daops::OriginalFiles::WhenAligned };
    let bar = progress_bar();
    let rs = daops.subset(inputs, &req, &run_options(out, no_fixes, original, bar.as_ref())?)?;
    print_outputs(&rs, bar);
    Ok(())
}
