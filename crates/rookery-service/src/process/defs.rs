//! The process definitions: rook's identifiers, titles, abstracts, inputs with their
//! defaults and allowed values, outputs (roocs.md §4.1), one function per process.

use super::*;

fn lit(id: &'static str, title: &'static str, abstract_: &'static str, min: u32) -> InputDef {
    InputDef {
        id,
        title,
        abstract_,
        min,
        max: 1,
        kind: InputKind::Literal { data_type: "string", allowed: &[], default: None },
    }
}

fn boolean(id: &'static str, title: &'static str, abstract_: &'static str, default: &'static str) -> InputDef {
    InputDef {
        id,
        title,
        abstract_,
        min: 1,
        max: 1,
        kind: InputKind::Literal { data_type: "boolean", allowed: &[], default: Some(default) },
    }
}

fn collection() -> InputDef {
    lit(
        "collection",
        "Collection",
        "A dataset identifier or list of comma separated identifiersExample: \
         c3s-cmip5.output1.ICHEC.EC-EARTH.historical.day.atmos.day.r1i1p1.tas.latest",
        1,
    )
}

fn pre_checked() -> InputDef {
    boolean(
        "pre_checked",
        "Pre-Checked",
        "Deprecated compatibility parameter. Rook no longer uses pre-checked data selection.",
        "0",
    )
}

fn apply_fixes() -> InputDef {
    boolean(
        "apply_fixes",
        "Apply Fixes",
        "Deprecated compatibility parameter. Rook now applies required dataset fixes automatically.",
        "1",
    )
}

/// The three outputs of every data process, in rook's order (rooki reads them by position).
fn data_outputs() -> Vec<OutputDef> {
    vec![
        OutputDef {
            id: "output",
            title: "METALINK v4 output",
            abstract_: "Metalink v4 document with references to NetCDF files.",
            kind: OutputKind::Complex { formats: &[META4] },
        },
        OutputDef {
            id: "prov",
            title: "Provenance",
            abstract_: "Provenance document using W3C standard.",
            kind: OutputKind::Complex { formats: &[JSON] },
        },
        OutputDef {
            id: "prov_plot",
            title: "Provenance Diagram",
            abstract_: "Provenance document as diagram.",
            kind: OutputKind::Complex { formats: &[PNG] },
        },
    ]
}

const CLISOPS: &[(&str, &str)] = &[("CLISOPS", "https://github.com/roocs/clisops")];
const ROOK: &[(&str, &str)] = &[("ROOK", "https://github.com/roocs/rook")];

pub(super) fn health() -> ProcessDef {
    ProcessDef {
        id: "health",
        title: "Health",
        abstract_: "Check whether Rook can execute a WPS process.",
        version: "1.0",
        metadata: ROOK,
        inputs: vec![],
        outputs: vec![OutputDef {
            id: "status",
            title: "Status",
            abstract_: "Rook health status.",
            kind: OutputKind::Literal { data_type: "string" },
        }],
        async_supported: false,
    }
}

pub(super) fn subset() -> ProcessDef {
    ProcessDef {
        id: "subset",
        title: "Subset",
        abstract_: "Run subsetting on climate model data.",
        version: "1.0",
        metadata: CLISOPS,
        inputs: vec![
            collection(),
            lit(
                "time",
                "Time Period",
                "The time interval (start/end) to subset over separated by '/' or a list of time \
                 points separated by ','. The format is according to the ISO-8601 standard. \
                 Example: 1860-01-01/1900-12-30 or 1860-01-01, 1870-01-01, 1880-01-01",
                0,
            ),
            lit(
                "time_components",
                "Time Components",
                "Optional time components to describe parts of the time period (e.g. year, month \
                 and day). Example: month:01,02,03 or year:1970,1980|month:01,02,03",
                0,
            ),
            lit("area", "Area", "The area to subset over as 4 comma separated values.Example: 0.,49.,10.,65", 0),
            lit(
                "level",
                "Level",
                "The level range to subset over separated by a / or a list of level values \
                 separated by ','.Example: 1000/2000 or 1000, 2000, 3000",
                0,
            ),
            InputDef {
                id: "shape",
                title: "Vector Shape",
                abstract_: "Polygons to subset to (instead of an area): GeoJSON or GML inline, or by reference \
                            (http/https URL) also a zipped ESRI Shapefile. The output is cropped to the \
                            polygons and cells outside them are set to the fill value; a cell is inside \
                            when its centre lies in a polygon or on its boundary.",
                min: 0,
                max: 1,
                kind: InputKind::Complex { formats: &[GEOJSON, JSON, GML, ZIP] },
            },
            InputDef {
                id: "min_fraction",
                title: "Minimum Covered Fraction",
                abstract_: "With shape: keep the cells whose area the polygons cover by at least this \
                            fraction (0 < F <= 1, exact spherical overlaps) instead of testing cell centres.",
                min: 0,
                max: 1,
                kind: InputKind::Literal { data_type: "float", allowed: &[], default: None },
            },
            pre_checked(),
            apply_fixes(),
            boolean("original_files", "Original Files", "Return original files only.", "0"),
        ],
        outputs: data_outputs(),
        async_supported: true,
    }
}

pub(super) fn average_time() -> ProcessDef {
    ProcessDef {
        id: "average_time",
        title: "Average by Time",
        abstract_: "Run averaging by time on climate model data.",
        version: "1.0",
        metadata: CLISOPS,
        inputs: vec![
            collection(),
            InputDef {
                id: "freq",
                title: "Frequency",
                abstract_: "The frequency to average over. One of 'year', 'month', 'day'.",
                min: 1,
                max: 1,
                kind: InputKind::Literal {
                    data_type: "string",
                    allowed: &["year", "month", "day"],
                    default: Some("year"),
                },
            },
            pre_checked(),
            apply_fixes(),
        ],
        outputs: data_outputs(),
        async_supported: true,
    }
}

pub(super) fn average_dims() -> ProcessDef {
    ProcessDef {
        id: "average",
        title: "Average by Dimensions",
        abstract_: "Run averaging over dimensions on climate model data.",
        version: "1.0",
        metadata: CLISOPS,
        inputs: vec![
            collection(),
            InputDef {
                id: "dims",
                title: "Dimensions",
                abstract_: "Dimensions used for averaging (one per input occurrence). Example: latitude",
                min: 1,
                max: 4,
                kind: InputKind::Literal {
                    data_type: "string",
                    allowed: &["time", "level", "latitude", "longitude", "realization"],
                    default: None,
                },
            },
            pre_checked(),
            apply_fixes(),
        ],
        outputs: data_outputs(),
        async_supported: true,
    }
}

pub(super) fn average_shape() -> ProcessDef {
    ProcessDef {
        id: "average_shape",
        title: "Average over polygonal shape",
        abstract_: "Run averaging over a specified shape on climate model data.",
        version: "1.0",
        metadata: CLISOPS,
        inputs: vec![
            collection(),
            InputDef {
                id: "shape",
                title: "Vector Shape",
                abstract_: "A vector shape to average over: GeoJSON or GML polygons inline, or by reference (http/https URL) also a zipped ESRI Shapefile (.shp, .shx, .dbf).",
                min: 1,
                max: 1,
                kind: InputKind::Complex { formats: &[GEOJSON, JSON, GML, ZIP] },
            },
            pre_checked(),
            apply_fixes(),
        ],
        outputs: data_outputs(),
        async_supported: true,
    }
}

pub(super) fn subset_point() -> ProcessDef {
    let float = |id, title, abstract_| InputDef {
        id,
        title,
        abstract_,
        min: 0,
        max: 1,
        kind: InputKind::Literal { data_type: "float", allowed: &[], default: None },
    };
    ProcessDef {
        id: "subset_point",
        title: "Subset Points",
        abstract_: "Extract time series at points (stations): the grid cell nearest to each point by \
                    great-circle distance, on rectilinear, curvilinear and unstructured grids, as a CF \
                    discrete sampling geometry (featureType timeSeries, a station dimension) or CSV.",
        version: "1.0",
        metadata: ROOK,
        inputs: vec![
            collection(),
            InputDef {
                id: "point",
                title: "Point",
                abstract_: "A location as lon,lat in degrees (one per input occurrence, or several \
                            separated by ';'); stations are named P1, P2, ... in order. Example: 10.5,52.3",
                min: 0,
                max: 10_000,
                kind: InputKind::Literal { data_type: "string", allowed: &[], default: None },
            },
            InputDef {
                id: "points",
                title: "Points",
                abstract_: "Locations as CSV (id,lon,lat[,name], optional header) or GeoJSON points, \
                            inline or by reference (http/https URL under the server's allowed URLs).",
                min: 0,
                max: 1,
                kind: InputKind::Complex { formats: &[CSV, GEOJSON, JSON] },
            },
            lit(
                "time",
                "Time Period",
                "The time interval (start/end) separated by '/' or a list of time points separated by ','. \
                 Example: 1860-01-01/1900-12-30",
                0,
            ),
            lit(
                "time_components",
                "Time Components",
                "Optional time components. Example: month:01,02,03 or year:1970,1980|month:01,02,03",
                0,
            ),
            lit(
                "level",
                "Level",
                "The level range separated by a / or a list of level values separated by ','. Example: 1000/2000",
                0,
            ),
            float(
                "max_distance",
                "Maximum Distance",
                "Fail when a point's nearest grid cell is farther than this many km.",
            ),
            boolean(
                "nearest_valid",
                "Nearest Valid Cell",
                "Take the nearest cell that has data (at the first selected time step) instead of \
                 flagging a cell without data (cell_valid = 0).",
                "0",
            ),
            InputDef {
                id: "output_format",
                title: "Output Format",
                abstract_: "netcdf (CF timeSeries) or csv (one row per time step and station).",
                min: 1,
                max: 1,
                kind: InputKind::Literal { data_type: "string", allowed: &["netcdf", "csv"], default: Some("netcdf") },
            },
            pre_checked(),
            apply_fixes(),
        ],
        outputs: data_outputs(),
        async_supported: true,
    }
}

pub(super) fn weighted_average() -> ProcessDef {
    ProcessDef {
        id: "weighted_average",
        title: "Weighted Average",
        abstract_: "Run weighted averaging (cell areas, else cos(latitude)) over latitude and longitude.",
        version: "1.0",
        metadata: ROOK,
        inputs: vec![collection(), pre_checked(), apply_fixes()],
        outputs: data_outputs(),
        async_supported: true,
    }
}

/// rook's grid choices (plus the other roocs-grids ids rookery knows).
const REGRID_GRIDS: &[&str] = &[
    "auto",
    "0pt25deg",
    "0pt25deg_era5",
    "0pt5deg_lsm",
    "0pt625x0pt5deg",
    "0pt75deg",
    "1deg",
    "1pt25deg",
    "2pt5deg",
    "custom",
    "2deg_lsm",
    "1deg_lsm",
    "0pt25deg_era5_lsm",
    "1deg_lsm_binary",
    "2deg_lsm_binary",
    "0pt25deg_era5_lsm_binary",
    "T31",
    "T42",
    "T63_lsm_binary",
    "T127_lsm_binary",
    "T255",
    "World_Ocean_Atlas",
    "MERRA-2",
    "ERA-Interim",
    "ERA-40",
    "ERA5",
];

pub(super) fn regrid() -> ProcessDef {
    ProcessDef {
        id: "regrid",
        title: "Regrid",
        abstract_: "Run regridding operator on climate model data using xESMF-compatible methods.",
        version: "1.0",
        metadata: CLISOPS,
        inputs: vec![
            collection(),
            InputDef {
                id: "method",
                title: "Regrid method",
                abstract_: "Please specify regrid method like consevative or bilinear.",
                min: 1,
                max: 1,
                kind: InputKind::Literal {
                    data_type: "string",
                    allowed: &["nearest_s2d", "bilinear", "conservative", "patch"],
                    default: Some("nearest_s2d"),
                },
            },
            InputDef {
                id: "grid",
                title: "Regrid target grid",
                abstract_: "Please specify output grid resolution for regridding, or 'custom' with custom_grid.",
                min: 1,
                max: 1,
                kind: InputKind::Literal { data_type: "string", allowed: REGRID_GRIDS, default: Some("auto") },
            },
            InputDef {
                id: "custom_grid",
                title: "Custom grid",
                abstract_: "Space-separated grid instructions when grid=custom: 1 (d), 2 (dlon dlat), 3 (lonlat0 lonlat1 d) or 6 (lon0 lon1 dlon lat0 lat1 dlat) numbers.",
                min: 0,
                max: 1,
                kind: InputKind::Literal { data_type: "string", allowed: &[], default: None },
            },
            pre_checked(),
            apply_fixes(),
        ],
        outputs: data_outputs(),
        async_supported: true,
    }
}

pub(super) fn concat() -> ProcessDef {
    ProcessDef {
        id: "concat",
        title: "Concat",
        abstract_: "Run concatenation on climate model data.",
        version: "1.0",
        metadata: ROOK,
        inputs: vec![
            InputDef {
                max: 100,
                ..lit(
                    "collection",
                    "Collection",
                    "A dataset identifier (one per input occurrence).Example: \
                     c3s-cmip6-decadal.DCPP.MPI-M.MPI-ESM1-2-HR.dcppA-hindcast.s1960-r10i1p1f1.Amon.tas.gn.v20200908",
                    1,
                )
            },
            lit(
                "time",
                "Time Period",
                "The time interval (start/end) to subset over separated by '/'. Example: 1960-01-01/1970-12-30",
                0,
            ),
            lit(
                "time_components",
                "Time Components",
                "Optional time components. Example: month:01,02,03 or year:1970,1980|month:01,02,03",
                0,
            ),
            InputDef {
                id: "dims",
                title: "Dimensions",
                abstract_: "Dimensions used for aggregation. Example: realization",
                min: 1,
                max: 1,
                kind: InputKind::Literal {
                    data_type: "string",
                    allowed: &["realization"],
                    default: Some("realization"),
                },
            },
            boolean("apply_average", "Apply Average", "Apply average over the dimension.", "0"),
            pre_checked(),
            apply_fixes(),
        ],
        outputs: data_outputs(),
        async_supported: true,
    }
}

pub(super) fn ensemble_stats() -> ProcessDef {
    ProcessDef {
        id: "ensemble_stats",
        title: "Ensemble statistics",
        abstract_: "Statistics across ensemble members at each time step and grid cell (as CDO ensmean, ensstd, \
                    ensmin, ensmax, with numpy's linear percentiles): one output with a variable per statistic \
                    (tas_mean, tas_std, tas_p90, ...). Missing values are skipped. Members must share the variable, \
                    units, calendar, time axis (within the time interval) and grid, unless regridded to a common grid first \
                    (grid, method).",
        version: "1.0",
        metadata: ROOK,
        inputs: vec![
            InputDef {
                max: 100,
                ..lit(
                    "collection",
                    "Collection",
                    "The ensemble members: dataset identifiers or files, one per input occurrence (at least two). \
                     Example: c3s-cmip6.DCPP.EC-Earth-Consortium.EC-Earth3.dcppA-hindcast.s1960-r2i1p1f1.Amon.tas.gr.v20201215",
                    1,
                )
            },
            InputDef {
                id: "stat",
                title: "Statistics",
                abstract_: "Comma-separated statistics: mean, std (population, ddof 0), min, max, median, pNN \
                            (percentile NN of 0..100, numpy linear interpolation). Example: mean,std,p10,p90",
                min: 0,
                max: 1,
                kind: InputKind::Literal { data_type: "string", allowed: &[], default: Some("mean,std,min,max") },
            },
            lit(
                "time",
                "Time Period",
                "The time interval (start/end) separated by '/'; members are cut to it and must agree inside it. \
                 Example: 1960-11/1961-12",
                0,
            ),
            lit(
                "time_components",
                "Time Components",
                "Optional time components. Example: month:01,02,03 or year:1970,1980|month:01,02,03",
                0,
            ),
            lit(
                "area",
                "Area",
                "The area to subset over as 4 comma separated values (W,S,E,N). Example: 0.,49.,10.,65",
                0,
            ),
            InputDef {
                id: "grid",
                title: "Regrid target grid",
                abstract_: "Optional: regrid every member to this grid first (as the regrid process), so members on \
                            different grids can be combined. Example: 2pt5deg",
                min: 0,
                max: 1,
                kind: InputKind::Literal { data_type: "string", allowed: REGRID_GRIDS, default: None },
            },
            InputDef {
                id: "method",
                title: "Regrid method",
                abstract_: "The regridding method with grid: nearest_s2d (default), bilinear or conservative.",
                min: 0,
                max: 1,
                kind: InputKind::Literal {
                    data_type: "string",
                    allowed: &["nearest_s2d", "bilinear", "conservative"],
                    default: Some("nearest_s2d"),
                },
            },
            pre_checked(),
            apply_fixes(),
        ],
        outputs: data_outputs(),
        async_supported: true,
    }
}

pub(super) fn orchestrate() -> ProcessDef {
    ProcessDef {
        id: "orchestrate",
        title: "Orchestrate",
        abstract_: "Run a workflow with climate data.",
        version: "1.0",
        metadata: CLISOPS,
        inputs: vec![InputDef {
            id: "workflow",
            title: "Workflow",
            abstract_: "The workflow document (JSON or YAML) to run.",
            min: 1,
            max: 1,
            kind: InputKind::Complex { formats: &[JSON, YAML] },
        }],
        outputs: data_outputs(),
        async_supported: true,
    }
}

pub(super) fn dashboard() -> ProcessDef {
    ProcessDef {
        id: "dashboard",
        title: "Dashboard",
        abstract_:
            "Dashboard of this service's usage (requests, executions, durations, users, failures) as an HTML page.",
        version: "0.3",
        metadata: ROOK,
        inputs: vec![
            InputDef {
                id: "site",
                title: "Site",
                abstract_: "The site whose usage is shown. This node reports its own usage (local).",
                min: 1,
                max: 1,
                kind: InputKind::Literal { data_type: "string", allowed: &["local"], default: Some("local") },
            },
            lit("time", "Time Period", "The time period separated by /. Example: 2024-06-01/2024-06-30", 0),
        ],
        outputs: vec![OutputDef {
            id: "dashboard",
            title: "Dashboard",
            abstract_: "The dashboard as an HTML page.",
            kind: OutputKind::Complex { formats: &[HTML] },
        }],
        async_supported: true,
    }
}

pub(super) fn usage() -> ProcessDef {
    ProcessDef {
        id: "usage",
        title: "Usage",
        abstract_: "Get usage statistics of this service as CSV: one row per request.",
        version: "0.4",
        metadata: ROOK,
        inputs: vec![
            lit(
                "time",
                "Time Period",
                "The time period for usage collection separated by /. Example: 2024-06-01/2024-06-30",
                0,
            ),
            lit(
                "sites",
                "Sites",
                "local (this node) or all (this node and its configured peers, with a site column)",
                0,
            ),
        ],
        outputs: vec![
            OutputDef {
                id: "wpsusage",
                title: "WPS Usage",
                abstract_: "The service's request log as CSV (every request but downloads).",
                kind: OutputKind::Complex { formats: &[CSV] },
            },
            OutputDef {
                id: "downloads",
                title: "Downloads",
                abstract_: "Downloads of result files as CSV.",
                kind: OutputKind::Complex { formats: &[CSV] },
            },
        ],
        async_supported: true,
    }
}

const CDO: &[(&str, &str)] = &[("CDO", "https://code.mpimet.mpg.de/projects/cdo")];

fn literal(
    id: &'static str,
    title: &'static str,
    abstract_: &'static str,
    min: u32,
    allowed: &'static [&'static str],
    default: Option<&'static str>,
) -> InputDef {
    InputDef { id, title, abstract_, min, max: 1, kind: InputKind::Literal { data_type: "string", allowed, default } }
}

pub(super) fn climatology() -> ProcessDef {
    ProcessDef {
        id: "climatology",
        title: "Climatology",
        abstract_: "Multi-year mean per calendar month, season (DJF, MAM, JJA, SON) or day of the year in the \
                    data's calendar (CDO ymonmean, yseasmean, ydaymean), with a CF climatological time \
                    (climatology_bnds). Missing values are skipped.",
        version: "1.0",
        metadata: CDO,
        inputs: vec![
            collection(),
            literal(
                "freq",
                "Frequency",
                "Groups of the climatology: 'month' (calendar months), 'season' (DJF, MAM, JJA, SON) or 'day' \
                 (day of the year).",
                0,
                &["month", "season", "day"],
                Some("month"),
            ),
            literal(
                "years",
                "Years",
                "Only the time steps of these calendar years, FIRST/LAST inclusive. Example: 1981/2010. \
                 Default: every year.",
                0,
                &[],
                None,
            ),
            pre_checked(),
            apply_fixes(),
        ],
        outputs: data_outputs(),
        async_supported: true,
    }
}

pub(super) fn anomaly() -> ProcessDef {
    ProcessDef {
        id: "anomaly",
        title: "Anomaly",
        abstract_: "Each time step minus (or, relative, divided by) the mean of its calendar month, season or \
                    day of the year over the reference years (CDO ymonsub / ymondiv with ymonmean of the \
                    reference period).",
        version: "1.0",
        metadata: CDO,
        inputs: vec![
            collection(),
            literal(
                "reference",
                "Reference Period",
                "Reference years FIRST/LAST (inclusive, calendar years of the time steps). Example: 1981/2010",
                1,
                &[],
                None,
            ),
            literal(
                "freq",
                "Frequency",
                "Groups of the reference climatology: 'month', 'season' (DJF, MAM, JJA, SON) or 'day' (day of \
                 the year).",
                0,
                &["month", "season", "day"],
                Some("month"),
            ),
            boolean(
                "relative",
                "Relative",
                "Ratios to the reference mean (units 1; a reference mean of 0 gives a missing value) instead \
                 of differences.",
                "0",
            ),
            pre_checked(),
            apply_fixes(),
        ],
        outputs: data_outputs(),
        async_supported: true,
    }
}

pub(super) fn stat_time() -> ProcessDef {
    ProcessDef {
        id: "stat_time",
        title: "Statistic over Time",
        abstract_: "A statistic over the whole time series or per year, month or season (CDO timmin, timmax, \
                    timsum, timmean, timstd, timvar, timpctl, yearmax, monstd, seasmin, ...). Missing values \
                    are skipped.",
        version: "1.0",
        metadata: CDO,
        inputs: vec![
            collection(),
            literal(
                "stat",
                "Statistic",
                "One of min, max, sum, mean, std, var (std and var with ddof 0, as CDO and numpy), median, \
                 or pNN: a percentile 0 <= NN <= 100 (exact, numpy's 'linear' method). Example: p90",
                1,
                &[],
                None,
            ),
            literal(
                "freq",
                "Frequency",
                "Groups: 'all' (the whole series, one output step), 'year', 'month' or 'season' (DJF with \
                 the preceding December, MAM, JJA, SON).",
                0,
                &["all", "year", "month", "season"],
                Some("all"),
            ),
            pre_checked(),
            apply_fixes(),
        ],
        outputs: data_outputs(),
        async_supported: true,
    }
}
