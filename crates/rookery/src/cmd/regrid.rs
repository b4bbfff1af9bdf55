//! `rookery regrid` (clisops `regrid`): nearest_s2d, bilinear or conservative to a roocs-grids
//! id, grid instructions, an adaptive grid or the grid of a NetCDF file.

use super::{print_outputs, progress_bar, run_options, Failure, OutputArgs};
use clap::Args;
use rookery_ops::regrid::{self, GridSpec, MaskKind, RegridRequest};

/// `rookery regrid`.
#[derive(Args, Clone)]
pub(crate) struct RegridArgs {
    /// Files, globs, directories or dataset ids (several files are joined along time).
    #[arg(required = true)]
    pub(crate) inputs: Vec<String>,
    /// nearest_s2d, bilinear or conservative.
    #[arg(long, default_value = "nearest_s2d")]
    pub(crate) method: String,
    /// Target grid: auto/adaptive, a roocs-grids id (1deg, 2pt5deg, 0pt25deg, 0pt25deg_era5,
    /// T63_lsm_binary, 1deg_lsm, ...), 1/2/3/6 numbers ("5", "2.5,2", "lon0,lon1,dlon,lat0,lat1,dlat"),
    /// or a NetCDF file whose horizontal grid is the target.
    #[arg(long, default_value = "auto")]
    pub(crate) grid: String,
    /// Grid instructions (same as giving the numbers to --grid).
    #[arg(long = "custom-grid")]
    pub(crate) custom_grid: Option<String>,
    /// Mask target cells with the target grid's land-sea mask: land or ocean.
    #[arg(long)]
    pub(crate) mask: Option<String>,
    /// Conservative: a target cell is missing when more than this fraction of its source area is
    /// missing, else renormalised; outside [0, 1] turns adaptive masking off.
    #[arg(long = "adaptive-masking-threshold", default_value_t = 0.5, allow_negative_numbers = true)]
    pub(crate) adaptive_masking_threshold: f64,
    /// Weights cache directory [default: [clisops:grid_weights] local_weights_dir, else
    /// ~/.local/share/rookery/grid_weights].
    #[arg(long = "weights-dir")]
    pub(crate) weights_dir: Option<std::path::PathBuf>,
    /// Compute the weights without reading or writing the cache.
    #[arg(long = "no-weights-cache")]
    pub(crate) no_weights_cache: bool,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
    /// Do not apply dataset fixes to datasets named by id.
    #[arg(long = "no-fixes")]
    pub(crate) no_fixes: bool,
}

/// Plans every dataset (a bad request fails before anything is written), then regrids.
pub(crate) fn run(daops: &rookery_daops::Daops, a: &RegridArgs) -> Result<(), Failure> {
    let method = regrid::parse_method(&a.method)?;
    let grid = GridSpec::parse(a.custom_grid.as_deref().unwrap_or(&a.grid))?;
    let mask = MaskKind::parse(a.mask.as_deref().unwrap_or(""))?;
    let grids_dir = daops.grids_dir();
    let weights_dir = if a.no_weights_cache { None } else { a.weights_dir.clone().or_else(|| daops.weights_dir()) };
    let req = RegridRequest {
        method,
        grid,
        mask,
        adaptive_masking_threshold: a.adaptive_masking_threshold,
        grids_dir,
        weights_dir,
        io: daops.io().clone(),
    };
    let bar = progress_bar();
    let opts = run_options(&a.out, a.no_fixes, rookery_daops::OriginalFiles::Never, bar.as_ref())?;
    let rs = daops.regrid(&a.inputs, &req, &opts)?;
    print_outputs(&rs, bar);
    Ok(())
}
