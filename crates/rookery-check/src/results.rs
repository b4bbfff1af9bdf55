//! One result row: the reference's columns (roocs.md §5.2: `test_location, test_time,
//! collection, area, level, time, success, message`) followed by rookery's own.

/// The columns, in CSV order.
pub const COLUMNS: [&str; 20] = [
    "test_location",
    "test_time",
    "collection",
    "area",
    "level",
    "time",
    "success",
    "message",
    "operation",
    "kind",
    "seed",
    "request_index",
    "duration_s",
    "rookery_version",
    "git_commit",
    "libnetcdf_version",
    "netcdf_reader_version",
    "host",
    "project",
    "command",
];

/// The result of one request.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    /// The site (`--site`).
    pub test_location: String,
    /// Local time the request ran, `YYYY-MM-DD HH:MM:SS` (UTC here).
    pub test_time: String,
    /// The dataset (id, else its files).
    pub collection: String,
    /// `W/S/E/N` as requested, blank when none.
    pub area: String,
    /// `first/last`, blank when none.
    pub level: String,
    /// `start/end`, blank when none.
    pub time: String,
    /// `True` or `False`.
    pub success: String,
    /// The failure (or a note on success).
    pub message: String,
    /// `subset`, `average`, `average-time`, `regrid`, or `open` (the dataset itself).
    pub operation: String,
    /// What the request exercises (`area-time`, `lon-wrap`, ..., `dims=time`).
    pub kind: String,
    /// The run's seed.
    pub seed: String,
    /// Index of the request within the dataset and operation.
    pub request_index: String,
    /// Seconds the request took.
    pub duration_s: String,
    /// rookery's version.
    pub rookery_version: String,
    /// The git commit rookery was built from.
    pub git_commit: String,
    /// libnetcdf's version (the output reader).
    pub libnetcdf_version: String,
    /// netcdf-reader's version (rookery's input reader).
    pub netcdf_reader_version: String,
    /// The machine.
    pub host: String,
    /// The project of the dataset.
    pub project: String,
    /// The command line that reproduces the request.
    pub command: String,
}

impl Row {
    /// The values in [`COLUMNS`] order.
    #[must_use]
    pub fn values(&self) -> [&str; 20] {
        [
            &self.test_location,
            &self.test_time,
            &self.collection,
            &self.area,
            &self.level,
            &self.time,
            &self.success,
            &self.message,
            &self.operation,
            &self.kind,
            &self.seed,
            &self.request_index,
            &self.duration_s,
            &self.rookery_version,
            &self.git_commit,
            &self.libnetcdf_version,
            &self.netcdf_reader_version,
            &self.host,
            &self.project,
            &self.command,
        ]
    }

    /// A row from values in [`COLUMNS`] order (missing values blank).
    #[must_use]
    pub fn from_values(v: &[String]) -> Row {
        let g = |i: usize| v.get(i).cloned().unwrap_or_default();
        Row {
            test_location: g(0),
            test_time: g(1),
            collection: g(2),
            area: g(3),
            level: g(4),
            time: g(5),
            success: g(6),
            message: g(7),
            operation: g(8),
            kind: g(9),
            seed: g(10),
            request_index: g(11),
            duration_s: g(12),
            rookery_version: g(13),
            git_commit: g(14),
            libnetcdf_version: g(15),
            netcdf_reader_version: g(16),
            host: g(17),
            project: g(18),
            command: g(19),
        }
    }

    /// True for a passed request.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.success == "True"
    }

    /// The version label of the row: `rookery_version (git_commit)`.
    #[must_use]
    pub fn version(&self) -> String {
        format!("{} ({})", self.rookery_version, self.git_commit)
    }

    /// The identity of the request across versions: site, dataset, seed, index, operation.
    #[must_use]
    pub fn request_key(&self) -> (String, String, String, String, String) {
        (
            self.test_location.clone(),
            self.collection.clone(),
            self.seed.clone(),
            self.request_index.clone(),
            self.operation.clone(),
        )
    }
}

/// Build facts of this rookery.
pub mod build {
    /// rookery's version.
    pub const VERSION: &str = env!("CARGO_PKG_VERSION");
    /// The git commit (`git rev-parse --short HEAD` at build time, else `unknown`).
    pub const GIT_COMMIT: &str = env!("ROOKERY_CHECK_GIT_COMMIT");
    /// libnetcdf's version (`nc-config --version` at build time, else `unknown`).
    pub const LIBNETCDF: &str = env!("ROOKERY_CHECK_LIBNETCDF");
    /// netcdf-reader's version (from Cargo.lock, else `unknown`).
    pub const NETCDF_READER: &str = env!("ROOKERY_CHECK_NETCDF_READER");
}

/// The host name (`/proc/sys/kernel/hostname`, `/etc/hostname`, `$HOSTNAME`, else `unknown`).
#[must_use]
pub fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// The current UTC time as `YYYY-MM-DD HH:MM:SS`.
#[must_use]
pub fn now_string() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let tod = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", tod / 3600, tod / 60 % 60, tod % 60)
}
