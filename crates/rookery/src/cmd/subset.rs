//! `rookery subset`.

use super::{progress_bar, Failure, OutputArgs};
use rookery_ops::{AreaParam, FileNamer, LevelParam, SubsetRequest, TimeComponents, TimeParam};

#[allow(clippy::too_many_arguments)]
pub fn run(
    daops: &rookery_daops::Daops,
    inputs: &[String],
    time: Option<&str>,
    tc: Option<&str>,
    area: Option<&str>,
    level: Option<&str>,
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
    };
    let datasets = daops.cli_datasets(inputs, req.time.as_ref(), req.time_components.as_ref())?;
    let spec = out.spec("")?;
    let bar = progress_bar();
    let progress = |done: u64, total: u64| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    };
    let mut namer = FileNamer::new(out.namer(), daops.resolver.templates());
    for d in &datasets {
        // rook's shortcut: a request aligned with whole files of a dataset named by id returns
        // the files' download URLs (`--original-files` forces it for any request).
        let by_id = d.ds_id.as_deref() == Some(d.input.as_str());
        if by_id || original_files {
            if let Some(urls) = daops.original_files(d, &req, original_files)? {
                for u in urls {
                    println!("{u}");
                }
                continue;
            }
        }
        let src = daops.open(d, !no_fixes)?;
        let outputs = rookery_ops::subset(src.as_ref(), &req, &spec, &mut namer, &progress)?;
        for p in outputs {
            println!("{}", p.display());
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(())
}
