//! CSV export, reading and merging (plain `.csv` or gzip `.csv.gz`): the header must name
//! exactly the columns of [`COLUMNS`] (in any order); rows are written sorted by time and
//! then every other column, exact duplicates dropped, atomically (temporary file + rename).

use crate::results::{Row, COLUMNS};
use crate::CheckError;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

fn is_gz(p: &Path) -> bool {
    p.to_string_lossy().to_ascii_lowercase().ends_with(".gz")
}

/// Reads the rows of a results CSV.
///
/// # Errors
/// Unreadable file, malformed CSV, or a header with other columns (one line naming the file
/// and the unexpected and missing columns).
pub fn read_csv(path: &Path) -> Result<Vec<Row>, CheckError> {
    let f =
        std::fs::File::open(path).map_err(|e| CheckError::Request(format!("cannot read {}: {e}", path.display())))?;
    let reader: Box<dyn Read> = if is_gz(path) { Box::new(flate2::read::MultiGzDecoder::new(f)) } else { Box::new(f) };
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(reader);
    let bad = |e: csv::Error| CheckError::Io(format!("cannot read {}: {e}", path.display()));
    let header: Vec<String> = rdr.headers().map_err(bad)?.iter().map(str::to_string).collect();
    let unexpected: Vec<&str> = header.iter().map(String::as_str).filter(|h| !COLUMNS.contains(h)).collect();
    let missing: Vec<&str> = COLUMNS.iter().copied().filter(|c| !header.iter().any(|h| h == c)).collect();
    if !unexpected.is_empty() || !missing.is_empty() {
        let list = |v: &[&str]| if v.is_empty() { "none".to_string() } else { v.join(", ") };
        return Err(CheckError::Request(format!(
            "{} does not have the columns of a rookery check CSV: unexpected columns: {}; missing columns: {}",
            path.display(),
            list(&unexpected),
            list(&missing)
        )));
    }
    let pos: Vec<usize> = COLUMNS.iter().map(|c| header.iter().position(|h| h == c).unwrap_or(0)).collect();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(bad)?;
        let v: Vec<String> = pos.iter().map(|&i| rec.get(i).unwrap_or("").to_string()).collect();
        rows.push(Row::from_values(&v));
    }
    Ok(rows)
}

/// Sorts rows by time, then every other column, and drops exact duplicates.
pub fn sort_dedup(rows: &mut Vec<Row>) {
    rows.sort_by(|a, b| (&a.test_time, a).cmp(&(&b.test_time, b)));
    rows.dedup();
}

/// Writes rows (sorted, deduplicated) to `path`, gzip-compressed when it ends in `.gz`.
///
/// # Errors
/// The file cannot be written.
pub fn write_csv(path: &Path, rows: &[Row]) -> Result<(), CheckError> {
    let mut rows = rows.to_vec();
    sort_dedup(&mut rows);
    let tmp: PathBuf = {
        let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".tmp");
        path.with_file_name(name)
    };
    let io = |e: std::io::Error| CheckError::Io(format!("cannot write {}: {e}", path.display()));
    let cerr = |e: csv::Error| CheckError::Io(format!("cannot write {}: {e}", path.display()));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(cerr)?;
    for r in &rows {
        w.write_record(r.values()).map_err(cerr)?;
    }
    let text = w.into_inner().map_err(|e| CheckError::Io(format!("cannot write {}: {e}", path.display())))?;
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    if is_gz(path) {
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        gz.write_all(&text).map_err(io)?;
        file = gz.finish().map_err(io)?;
    } else {
        file.write_all(&text).map_err(io)?;
    }
    file.sync_all().map_err(io)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(())
}

/// Merges result CSVs of several sites and versions into `output` (an existing `output` is
/// merged too). Returns the number of rows written.
///
/// # Errors
/// A missing or malformed input (the first one found), an unwritable output.
pub fn merge(output: &Path, inputs: &[PathBuf]) -> Result<usize, CheckError> {
    let mut rows = Vec::new();
    let mut all: Vec<PathBuf> = inputs.to_vec();
    if output.is_file() && !all.iter().any(|p| p == output) {
        all.push(output.to_path_buf());
    }
    for p in &all {
        if !p.is_file() {
            return Err(CheckError::Request(format!("no such file: {}", p.display())));
        }
        rows.extend(read_csv(p)?);
    }
    sort_dedup(&mut rows);
    write_csv(output, &rows)?;
    Ok(rows.len())
}
