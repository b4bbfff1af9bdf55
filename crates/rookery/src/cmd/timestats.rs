//! `rookery climatology`, `anomaly`, `stat-time`: the time-statistics family
//! (`rookery_ops::stats`), run through the conductor like the averages.

use super::average::{run, Common};
use super::Failure;
use clap::Args;
use rookery_ops::stats::{self, ClimFreq, StatFreq, Years};
use rookery_ops::OpError;

/// `rookery climatology`.
#[derive(Args, Clone)]
pub(crate) struct ClimArgs {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Groups: month (calendar months, CDO ymonmean), season (DJF, MAM, JJA, SON: CDO
    /// yseasmean) or day (day of the year in the data's calendar: CDO ydaymean).
    #[arg(long, default_value = "month")]
    pub(crate) freq: String,
    /// Only the steps of these calendar years, FIRST/LAST inclusive (as `cdo selyear`), e.g.
    /// 1981/2010; default: every year. Output: one step per group present, a CF climatological
    /// time (`climatology_bnds`) and cell_methods `time: mean within years time: mean over years`.
    #[arg(long)]
    pub(crate) years: Option<String>,
}

/// `rookery anomaly`.
#[derive(Args, Clone)]
pub(crate) struct AnomalyArgs {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Reference years FIRST/LAST (inclusive, calendar years of the steps), e.g. 1981/2010:
    /// their climatology (mean per --freq group) is what each step is compared with.
    #[arg(long)]
    pub(crate) reference: Option<String>,
    /// Groups of the reference climatology: month, season (DJF, MAM, JJA, SON) or day (day of
    /// the year in the data's calendar).
    #[arg(long, default_value = "month")]
    pub(crate) freq: String,
    /// Ratios instead of differences: each value divided by its group's reference mean
    /// (units `1`; a reference mean of 0 gives a missing value). Default: value minus mean.
    #[arg(long)]
    pub(crate) relative: bool,
}

/// `rookery stat-time`.
#[derive(Args, Clone)]
pub(crate) struct StatArgs {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Statistic: min, max, sum (missing where no value is valid, as CDO), mean, std, var
    /// (ddof 0: population, as CDO timstd/timvar and numpy), median, or pNN a percentile
    /// (0 ≤ NN ≤ 100, e.g. p90, p99.5; exact, numpy's default `linear` interpolation).
    /// Missing values are skipped.
    #[arg(long)]
    pub(crate) stat: Option<String>,
    /// Groups: all (the whole series, one output step), year, month or season (DJF with the
    /// preceding December, MAM, JJA, SON).
    #[arg(long, default_value = "all")]
    pub(crate) freq: String,
}

/// `rookery climatology`.
pub(crate) fn run_climatology(daops: &rookery_daops::Daops, a: &ClimArgs) -> Result<(), Failure> {
    let freq = ClimFreq::parse(Some(&a.freq))?;
    let years = a.years.as_deref().map(Years::parse).transpose()?;
    run(daops, &a.common, &stats::climatology_suffix(freq), |src| stats::plan_climatology(src, freq, years))
}

/// `rookery anomaly`.
pub(crate) fn run_anomaly(daops: &rookery_daops::Daops, a: &AnomalyArgs) -> Result<(), Failure> {
    let freq = ClimFreq::parse(Some(&a.freq))?;
    let text = a.reference.as_deref().ok_or_else(|| {
        OpError::Invalid("A reference period must be provided: --reference FIRST/LAST (years), e.g. 1981/2010.".into())
    })?;
    let reference = Years::parse(text)?;
    run(daops, &a.common, &stats::anomaly_suffix(freq, a.relative), |src| {
        stats::plan_anomaly(src, freq, reference, a.relative)
    })
}

/// `rookery stat-time`.
pub(crate) fn run_stat(daops: &rookery_daops::Daops, a: &StatArgs) -> Result<(), Failure> {
    let stat = stats::parse_stat(a.stat.as_deref())?;
    let freq = StatFreq::parse(Some(&a.freq))?;
    run(daops, &a.common, &stats::stat_suffix(&stat, freq), |src| stats::plan_stat_time(src, &stat, freq))
}
