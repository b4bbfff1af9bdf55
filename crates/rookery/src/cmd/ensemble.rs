//! `rookery ensemble`: statistics across ensemble members at each time step and cell (CDO
//! `ensmean`/`ensstd`/`ensmin`/`ensmax`, numpy percentiles), one variable per statistic.

use super::{print_outputs, progress_bar, run_options, Failure, OutputArgs};
use clap::Args;
use rookery_ops::regrid::{self, GridSpec, RegridRequest};
use rookery_ops::{AreaParam, SubsetRequest, TimeComponents, TimeParam};

/// `rookery ensemble`.
#[derive(Args, Clone)]
pub(crate) struct EnsembleArgs {
    /// Members: dataset ids, or files/globs/directories (each argument one member).
    #[arg(required = true)]
    pub(crate) members: Vec<String>,
    /// Statistics, comma-separated: mean, std (ddof 0), min, max, median, pNN (numpy linear).
    #[arg(long = "stat", default_value = "mean,std,min,max")]
    pub(crate) stat: String,
    /// `start/end` (partial ISO dates, either side may be empty) or `t1,t2,...`.
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) time: Option<String>,
    /// e.g. `year:2000,2001|month:dec,jan,feb`.
    #[arg(long = "time-components")]
    pub(crate) time_components: Option<String>,
    /// `W,S,E,N`.
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) area: Option<String>,
    /// Regrid every member to this grid first (as `rookery regrid --grid`: a roocs-grids id
    /// such as 1deg or 2pt5deg, auto, 1/2/3/6 numbers, or a NetCDF file); members on
    /// different grids are refused without it.
    #[arg(long)]
    pub(crate) grid: Option<String>,
    /// Regridding method with --grid: nearest_s2d, bilinear or conservative.
    #[arg(long, requires = "grid", default_value = "nearest_s2d")]
    pub(crate) method: String,
    /// Weights cache directory with --grid [default: [clisops:grid_weights] local_weights_dir,
    /// else ~/.local/share/rookery/grid_weights].
    #[arg(long = "weights-dir", requires = "grid")]
    pub(crate) weights_dir: Option<std::path::PathBuf>,
    /// With --grid: compute the weights without reading or writing the cache.
    #[arg(long = "no-weights-cache", requires = "grid")]
    pub(crate) no_weights_cache: bool,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
    /// Do not apply the datasets' fixes (members named by id).
    #[arg(long = "no-fixes")]
    pub(crate) no_fixes: bool,
}

/// Runs the ensemble statistics and prints the output path.
pub(crate) fn run(daops: &rookery_daops::Daops, a: &EnsembleArgs) -> Result<(), Failure> {
    // The request is checked before anything is opened or created.
    let stats = rookery_ops::ensemble::parse_stats(&a.stat)?;
    let req = SubsetRequest {
        time: a.time.as_deref().map(TimeParam::parse).transpose()?.flatten(),
        area: a.area.as_deref().map(AreaParam::parse).transpose()?.flatten(),
        level: None,
        time_components: a.time_components.as_deref().map(TimeComponents::parse).transpose()?.flatten(),
        shape: None,
    };
    let regrid = a.grid.as_deref().map(|g| regrid_request(daops, a, g)).transpose()?;
    let bar = progress_bar();
    let opts = run_options(&a.out, a.no_fixes, rookery_daops::OriginalFiles::Never, bar.as_ref())?;
    let rs = daops.ensemble(&a.members, &stats, &req, regrid.as_ref(), &opts)?;
    print_outputs(&rs, bar);
    Ok(())
}

/// The regridding of the members to `grid` (checked before anything is opened).
fn regrid_request(daops: &rookery_daops::Daops, a: &EnsembleArgs, grid: &str) -> Result<RegridRequest, Failure> {
    let method = regrid::parse_method(&a.method)?;
    let grid = GridSpec::parse(grid)?;
    let grids_dir = daops.grids_dir();
    let weights_dir = if a.no_weights_cache { None } else { a.weights_dir.clone().or_else(|| daops.weights_dir()) };
    Ok(RegridRequest {
        method,
        grid,
        mask: None,
        adaptive_masking_threshold: 0.5,
        grids_dir,
        weights_dir,
        io: daops.io().clone(),
    })
}
