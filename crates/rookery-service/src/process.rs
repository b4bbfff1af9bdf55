//! The processes this service offers (rook's identifiers, inputs, defaults and allowed values,
//! roocs.md §4.1), and validation of a request's inputs against them.
//!
//! A process is listed here only when it really runs (see `ops.rs`).

use crate::error::OwsError;
use std::collections::BTreeMap;

/// A format of a complex input or output.
#[derive(Clone, Copy, Debug)]
pub struct Fmt {
    /// MIME type, as listed in DescribeProcess and matched (ignoring parameters) against a
    /// request's `mimeType`.
    pub mime: &'static str,
    /// Encoding advertised with it (e.g. `base64`); `None`: not listed.
    pub encoding: Option<&'static str>,
    /// XML schema advertised with it; `None`: not listed.
    pub schema: Option<&'static str>,
}

const fn fmt(mime: &'static str) -> Fmt {
    Fmt { mime, encoding: None, schema: None }
}

/// pywps `FORMATS.META4`.
pub const META4: Fmt =
    Fmt { mime: "application/metalink+xml; version=4.0", encoding: None, schema: Some("metalink/4.0/metalink4.xsd") };
/// pywps `FORMATS.JSON`.
pub const JSON: Fmt = fmt("application/json");
/// rook's `prov_plot` format.
pub const PNG: Fmt = Fmt { mime: "image/png", encoding: Some("base64"), schema: None };
/// pywps `FORMATS.TEXT`... rook's usage CSV.
pub const CSV: Fmt = fmt("text/csv");
/// rook's dashboard page.
pub const HTML: Fmt = fmt("text/html");
/// YAML workflow documents (accepted besides JSON).
pub const YAML: Fmt = fmt("application/x-yaml");
/// GeoJSON polygons (`average_shape`).
pub const GEOJSON: Fmt = fmt("application/geo+json");
/// GML polygons (`average_shape`).
pub const GML: Fmt = fmt("application/gml+xml");
/// A zipped ESRI Shapefile (`average_shape`, by reference).
pub const ZIP: Fmt = fmt("application/zip");

/// What kind of value an input takes.
#[derive(Clone, Debug)]
pub enum InputKind {
    /// `LiteralData` of an XML schema type (`string`, `boolean`, `integer`, `float`).
    Literal {
        /// XML schema type name; `boolean`, `integer` and `float` values are checked.
        data_type: &'static str,
        /// The only values accepted (compared after trimming); empty: any value.
        allowed: &'static [&'static str],
        /// Value used when the input is not given; `None`: no default.
        default: Option<&'static str>,
    },
    /// `ComplexData` in one of these formats (the first is the default).
    Complex {
        /// Accepted formats; a request naming another `mimeType` is refused.
        formats: &'static [Fmt],
    },
}

/// One input of a process.
#[derive(Clone, Debug)]
pub struct InputDef {
    /// Identifier of the input in requests (rook's name).
    pub id: &'static str,
    /// Short human-readable title (`ows:Title`).
    pub title: &'static str,
    /// Description for clients (`ows:Abstract`).
    pub abstract_: &'static str,
    /// Fewest occurrences (`minOccurs`); 0: optional, above 0: required unless defaulted.
    pub min: u32,
    /// Most occurrences accepted (`maxOccurs`).
    pub max: u32,
    /// What values it takes.
    pub kind: InputKind,
}

/// What kind of value an output is.
#[derive(Clone, Debug)]
pub enum OutputKind {
    /// A file, served by reference.
    Complex {
        /// Formats it may come in (the first is the default).
        formats: &'static [Fmt],
    },
    /// A literal value of an XML schema type.
    Literal {
        /// XML schema type name (e.g. `string`).
        data_type: &'static str,
    },
}

/// One output of a process.
#[derive(Clone, Debug)]
pub struct OutputDef {
    /// Identifier of the output (what `RawDataOutput` and response documents name).
    pub id: &'static str,
    /// Short human-readable title (`ows:Title`).
    pub title: &'static str,
    /// Description for clients (`ows:Abstract`).
    pub abstract_: &'static str,
    /// A file or a literal value.
    pub kind: OutputKind,
}

/// A process: identification, inputs, outputs, execution modes.
#[derive(Clone, Debug)]
pub struct ProcessDef {
    /// Identifier of the process (rook's, e.g. `subset`, `orchestrate`).
    pub id: &'static str,
    /// Short human-readable title (`ows:Title`).
    pub title: &'static str,
    /// Description for clients (`ows:Abstract`).
    pub abstract_: &'static str,
    /// Version advertised as `processVersion`.
    pub version: &'static str,
    /// Links shown as `ows:Metadata`: (title, href).
    pub metadata: &'static [(&'static str, &'static str)],
    /// Inputs it takes, in the order they are described.
    pub inputs: Vec<InputDef>,
    /// Outputs it produces, in the order they are described.
    pub outputs: Vec<OutputDef>,
    /// Asynchronous execution allowed (`storeSupported`/`statusSupported`).
    pub async_supported: bool,
}

impl ProcessDef {
    /// The input named `id`.
    #[must_use]
    pub fn input(&self, id: &str) -> Option<&InputDef> {
        self.inputs.iter().find(|i| i.id == id)
    }
    /// The output named `id`.
    #[must_use]
    pub fn output(&self, id: &str) -> Option<&OutputDef> {
        self.outputs.iter().find(|o| o.id == id)
    }
}

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

fn health() -> ProcessDef {
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

fn subset() -> ProcessDef {
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

fn average_time() -> ProcessDef {
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

fn average_dims() -> ProcessDef {
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

fn average_shape() -> ProcessDef {
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

fn subset_point() -> ProcessDef {
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

fn weighted_average() -> ProcessDef {
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

fn regrid() -> ProcessDef {
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

fn concat() -> ProcessDef {
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

fn ensemble_stats() -> ProcessDef {
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

fn orchestrate() -> ProcessDef {
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

fn dashboard() -> ProcessDef {
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

fn usage() -> ProcessDef {
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

fn climatology() -> ProcessDef {
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

fn anomaly() -> ProcessDef {
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

fn stat_time() -> ProcessDef {
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

/// Every process, in rook's registration order.
#[must_use]
pub fn all() -> Vec<ProcessDef> {
    vec![
        health(),
        usage(),
        dashboard(),
        subset(),
        average_time(),
        average_dims(),
        average_shape(),
        weighted_average(),
        concat(),
        regrid(),
        subset_point(),
        ensemble_stats(),
        orchestrate(),
        climatology(),
        anomaly(),
        stat_time(),
    ]
}

/// Validated inputs: each identifier with its values (one per occurrence), defaults applied.
pub type Inputs = BTreeMap<String, Vec<String>>;

/// One raw input of a request.
#[derive(Clone, Debug, Default)]
pub struct RawInput {
    /// Input identifier as the client wrote it (checked by [`validate`]).
    pub id: String,
    /// The value: a literal, inline complex content, or the http(s) URL of a reference.
    pub data: String,
    /// `mimeType` given by the client; `None` (or empty): not given, any accepted format.
    pub mime: Option<String>,
}

/// Checks a request's inputs against the process: unknown identifiers, occurrences, data
/// types, allowed values, formats; applies defaults; reports missing required inputs.
///
/// # Errors
/// `InvalidParameterValue` or `MissingParameterValue` naming the input.
pub fn validate(p: &ProcessDef, raw: &[RawInput]) -> Result<Inputs, OwsError> {
    let mut out = Inputs::new();
    for r in raw {
        let Some(def) = p.input(&r.id) else {
            let known: Vec<&str> = p.inputs.iter().map(|i| i.id).collect();
            return Err(OwsError::invalid(
                &r.id,
                format!(
                    "Unknown input \"{}\" for process \"{}\"; its inputs are: {}",
                    r.id,
                    p.id,
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ),
            ));
        };
        match &def.kind {
            InputKind::Literal { data_type, allowed, .. } => {
                let v = r.data.trim();
                match *data_type {
                    "boolean" if crate::text::parse_bool(v).is_none() => {
                        return Err(OwsError::invalid(
                            def.id,
                            format!(
                                "Invalid value \"{v}\" for input \"{}\": expected a boolean (true/false, 1/0)",
                                def.id
                            ),
                        ));
                    }
                    "integer" if v.parse::<i64>().is_err() => {
                        return Err(OwsError::invalid(
                            def.id,
                            format!("Invalid value \"{v}\" for input \"{}\": expected an integer", def.id),
                        ));
                    }
                    "float" if v.parse::<f64>().is_err() => {
                        return Err(OwsError::invalid(
                            def.id,
                            format!("Invalid value \"{v}\" for input \"{}\": expected a number", def.id),
                        ));
                    }
                    _ => {}
                }
                if !allowed.is_empty() && !allowed.contains(&v) {
                    return Err(OwsError::invalid(
                        def.id,
                        format!(
                            "Invalid value \"{v}\" for input \"{}\": must be one of {}",
                            def.id,
                            allowed.join(", ")
                        ),
                    ));
                }
                out.entry(def.id.to_string()).or_default().push(v.to_string());
            }
            InputKind::Complex { formats } => {
                if let Some(m) = r.mime.as_deref().filter(|m| !m.is_empty()) {
                    if !formats.iter().any(|f| mime_eq(f.mime, m)) {
                        return Err(OwsError::invalid(
                            "mimeType",
                            format!(
                                "Invalid mimeType value {m} for input {}: must be one of {}",
                                def.id,
                                formats.iter().map(|f| f.mime).collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                }
                out.entry(def.id.to_string()).or_default().push(r.data.clone());
            }
        }
    }
    for def in &p.inputs {
        let n = out.get(def.id).map_or(0, Vec::len);
        if n > def.max as usize {
            return Err(OwsError::invalid(
                def.id,
                format!("Input \"{}\" takes at most {} value(s); {n} were given", def.id, def.max),
            ));
        }
        if n == 0 {
            if let InputKind::Literal { default: Some(d), .. } = def.kind {
                out.insert(def.id.to_string(), vec![d.to_string()]);
            } else if def.min > 0 {
                return Err(OwsError::missing(def.id, format!("Required input \"{}\" must be provided.", def.id)));
            }
        }
        if def.min > 0 && out.get(def.id).is_some_and(|v| v.iter().all(|s| s.trim().is_empty())) {
            return Err(OwsError::missing(def.id, format!("Required input \"{}\" must be provided.", def.id)));
        }
    }
    Ok(out)
}

fn mime_eq(a: &str, b: &str) -> bool {
    let base = |s: &str| s.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    base(a) == base(b)
        || (base(a) == "application/json" && base(b) == "text/plain")
        || (base(a) == "application/x-yaml" && matches!(base(b).as_str(), "text/yaml" | "application/yaml"))
}

/// First value of an input.
#[must_use]
pub fn first<'a>(inputs: &'a Inputs, id: &str) -> Option<&'a str> {
    inputs.get(id).and_then(|v| v.first()).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(id: &str, v: &str) -> RawInput {
        RawInput { id: id.into(), data: v.into(), mime: None }
    }

    #[test]
    fn defaults_and_missing() {
        let p = subset();
        let e = validate(&p, &[]).unwrap_err();
        assert_eq!(e.code.as_str(), "MissingParameterValue");
        assert_eq!(e.text, "Required input \"collection\" must be provided.");
        let i = validate(&p, &[raw("collection", "x")]).unwrap();
        assert_eq!(first(&i, "apply_fixes"), Some("1"));
        assert_eq!(first(&i, "original_files"), Some("0"));
        assert_eq!(first(&i, "time"), None);
    }

    #[test]
    fn unknown_input_and_bad_boolean() {
        let p = subset();
        let e = validate(&p, &[raw("collection", "x"), raw("colour", "red")]).unwrap_err();
        assert_eq!(e.code.as_str(), "InvalidParameterValue");
        assert!(e.text.contains("Unknown input \"colour\""), "{}", e.text);
        let e = validate(&p, &[raw("collection", "x"), raw("original_files", "maybe")]).unwrap_err();
        assert!(e.text.contains("expected a boolean"));
        let e = validate(&p, &[raw("collection", "x"), raw("time", "a/b"), raw("time", "c/d")]).unwrap_err();
        assert!(e.text.contains("at most 1"));
    }
}
