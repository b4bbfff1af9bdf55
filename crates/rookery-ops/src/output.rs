//! Writing a plan's result: output hygiene (roocs.md §1.1), `time:auto` splitting by the main
//! variable's in-memory size, file naming, and a streaming write in time blocks (a reader
//! thread decodes the next block while the writer compresses the current one).

use crate::naming::FileNamer;
use crate::plan::Plan;
use crate::OpError;
use rookery_cf::time::{Calendar, DateTime};
use rookery_cf::{Array, AttrValue, DType, Dataset};
use rookery_io::{OutputFormat, Source, Staged, WriteOptions, Writer};
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;

/// Where and how to write.
#[derive(Clone, Debug)]
pub struct OutputSpec {
    /// Output directory (must exist).
    pub dir: PathBuf,
    /// File format.
    pub format: OutputFormat,
    /// `time:auto` split size (bytes of the main variable in memory).
    pub size_limit: u64,
    /// Operation suffix for the standard namer (`_avg-t`, ...; empty for subset).
    pub extra: String,
    /// Text prepended to the `history` attribute.
    pub history: String,
    /// Set when the request is to stop (a dismissed job): the block loops and writers check it
    /// and fail with `cancelled`, leaving no output.
    pub cancel: rookery_io::Cancel,
}

/// Observer of progress: (time steps done, total).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Applies clisops's output hygiene to the metadata:
/// - `_FillValue`/`missing_value`: neither → none written; one → both, equal; both differ →
///   both set to `missing_value` (with a warning);
/// - no `coordinates` attribute on bounds variables;
/// - masked variables without a fill value get one (`1e20` for floats), so masked cells are
///   declared missing.
pub fn clean_metadata(ds: &mut Dataset, masked: &[String]) {
    let bounds: Vec<String> =
        ds.vars.iter().filter_map(|v| v.attrs.get_str("bounds").map(|b| b.trim().to_string())).collect();
    for v in &mut ds.vars {
        if bounds.contains(&v.name) {
            v.attrs.remove("coordinates");
        }
        if !v.dtype.is_numeric() {
            v.attrs.remove("_FillValue");
            continue;
        }
        let fv = v.attrs.get_f64("_FillValue");
        let mv = v.attrs.get_f64("missing_value");
        let value = match (fv, mv) {
            (None, None) if masked.contains(&v.name) => Some(match v.dtype {
                DType::F32 | DType::F64 => 1e20,
                DType::I8 => -127.0,
                DType::U8 => 255.0,
                DType::I16 => -32767.0,
                DType::U16 => 65535.0,
                DType::I32 => -2_147_483_647.0,
                DType::U32 => 4_294_967_295.0,
                _ => -9.223_372_036_854_776e18,
            }),
            (None, None) => None,
            (Some(f), None) => Some(f),
            (None, Some(m)) => Some(m),
            (Some(f), Some(m)) => {
                if f != m && !(f.is_nan() && m.is_nan()) {
                    tracing::warn!(
                        "The defined _FillValue and missing_value for '{}' are not the same '{f:?}' != '{m:?}'. Setting '{m:?}' for both.",
                        v.name
                    );
                }
                Some(m)
            }
        };
        if let Some(x) = value {
            v.attrs.set("_FillValue", AttrValue::scalar_of(v.dtype, x));
            v.attrs.set("missing_value", AttrValue::scalar_of(v.dtype, x));
        }
    }
}

/// Current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
#[must_use]
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let d = Calendar::ProlepticGregorian.add_days(&DateTime::new(1970, 1, 1, 0, 0, 0), days);
    let rem = secs % 86_400;
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", d.year, d.month, d.day, rem / 3600, (rem / 60) % 60, rem % 60)
}

/// Index windows of `time:auto` splitting (clisops `get_time_slices`, but by index so that
/// sub-daily steps are never written twice).
///
/// # Errors
/// When a single step exceeds the limit so no slice length can be found.
pub fn time_slices(n_times: usize, main_nbytes: u64, limit: u64) -> Result<Vec<(usize, usize)>, OpError> {
    if n_times == 0 {
        return Ok(vec![(0, 0)]);
    }
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let slice_len = {
        let n_slices = main_nbytes as f64 / limit as f64;
        if n_slices <= 1.0 {
            n_times
        } else {
            (n_times as f64 / n_slices).floor() as usize
        }
    };
    if slice_len == 0 {
        return Err(OpError::Invalid("Unable to calculate slice length for splitting output files.".into()));
    }
    Ok((0..n_times).step_by(slice_len).map(|a| (a, (a + slice_len).min(n_times))).collect())
}

/// Writes the plan's result. Returns the output paths; on any failure no output is left.
///
/// # Errors
/// Read or write failures; a size limit too small to split.
pub fn write_plan(
    src: &dyn Source,
    plan: &Plan,
    spec: &OutputSpec,
    namer: &mut FileNamer,
    progress: Progress<'_>,
) -> Result<Vec<PathBuf>, OpError> {
    let mut out = plan.out.clone();
    let masked: Vec<String> = plan.mask.as_ref().map(|m| m.vars.clone()).unwrap_or_default();
    clean_metadata(&mut out, &masked);
    if !spec.history.is_empty() {
        let h = match out.attrs.get_str("history") {
            Some(old) if !old.trim().is_empty() => format!("{}\n{old}", spec.history),
            _ => spec.history.clone(),
        };
        out.attrs.set("history", AttrValue::Text(h));
    }
    let main = plan.info.main.clone();
    let td = plan.time_dim.clone().filter(|d| out.dim(d).is_some());
    let nt = td.as_ref().and_then(|d| out.dim(d)).map_or(0, |d| d.len);
    let main_nbytes = out.var(&main).map_or(0, |v| v.nbytes() as u64);
    let main_has_time = td.as_ref().is_some_and(|d| out.var(&main).is_some_and(|v| v.axis_of(d).is_some()));
    let slices = if main_has_time { time_slices(nt, main_nbytes, spec.size_limit)? } else { vec![(0, nt)] };
    let mut opts = WriteOptions::following(src, spec.format, td.clone());
    opts.cancel = spec.cancel.clone();
    let total = nt as u64;
    let mut staged: Vec<Staged> = Vec::new();
    for &(t0, t1) in &slices {
        let mut slice_ds = out.clone();
        if let Some(d) = &td {
            slice_ds.resize_dim(d, t1 - t0);
        }
        let range = if main_has_time && t1 > t0 && plan.times.len() >= t1 {
            Some((plan.times[t0], plan.times[t1 - 1]))
        } else {
            None
        };
        let name = namer.name(&slice_ds.attrs, &main, range, &spec.extra, spec.format.extension());
        let dest = spec.dir.join(&name);
        if staged.iter().any(|s| s.dest() == dest) {
            return Err(OpError::Invalid(format!("two outputs of this request would both be named {name}")));
        }
        let w = write_file(src, plan, &slice_ds, &dest, &opts, td.as_deref(), (t0, t1), total, progress)?;
        staged.push(w);
    }
    staged.into_iter().map(|s| s.commit().map_err(OpError::from)).collect()
}

#[allow(clippy::too_many_arguments)]
fn write_file(
    src: &dyn Source,
    plan: &Plan,
    ds: &Dataset,
    dest: &Path,
    opts: &WriteOptions,
    td: Option<&str>,
    (t0, t1): (usize, usize),
    total: u64,
    progress: Progress<'_>,
) -> Result<Staged, OpError> {
    let mut w = Writer::create(dest, ds, opts)?;
    let (timed, fixed): (Vec<&rookery_cf::Variable>, Vec<&rookery_cf::Variable>) =
        ds.vars.iter().partition(|v| td.is_some_and(|d| v.axis_of(d).is_some()));
    for v in fixed {
        let a = plan.read(src, &v.name, None)?;
        w.write(&v.name, &vec![0; v.dims.len()], &a)?;
    }
    if timed.is_empty() || t1 <= t0 {
        return Ok(w.close()?);
    }
    // Block length: about 16 MB of source data read per block (the bounding boxes), at most
    // 32 steps: memory stays bounded whatever the input size, and blocks are small enough
    // that the writer (which compresses each block as it is written) starts early and the
    // last block's compression, after all reading is done, is short.
    let step_bytes: usize =
        timed.iter().map(|v| crate::plan::bbox_step_bytes(plan, src.dataset(), &v.name)).sum::<usize>().max(1);
    let block = ((16usize << 20) / step_bytes).clamp(1, 32);
    let blocks: Vec<(usize, usize)> = (t0..t1).step_by(block).map(|a| (a, (a + block).min(t1))).collect();
    let names: Vec<(String, usize)> =
        timed.iter().map(|v| (v.name.clone(), v.axis_of(td.unwrap_or_default()).unwrap_or(0))).collect();
    let (tx, rx) = sync_channel::<Result<(usize, Vec<Array>), OpError>>(1);
    std::thread::scope(|scope| -> Result<Staged, OpError> {
        let names_r = &names;
        let blocks_r = &blocks;
        scope.spawn(move || {
            // Per variable, the storage of the previous block's bounding-box read.
            let mut scratch: Vec<Option<Array>> = vec![None; names_r.len()];
            for &(b0, b1) in blocks_r {
                let r: Result<Vec<Array>, OpError> = names_r
                    .iter()
                    .zip(scratch.iter_mut())
                    .map(|((n, _), s)| plan.read_reusing(src, n, Some((b0, b1)), s))
                    .collect();
                let failed = r.is_err();
                if tx.send(r.map(|a| (b0, a))).is_err() || failed {
                    return;
                }
            }
        });
        for msg in rx {
            let (b0, arrays) = msg?;
            for ((name, axis), a) in names.iter().zip(&arrays) {
                let v = ds.var(name).ok_or_else(|| OpError::Invalid(format!("no variable {name}")))?;
                let mut start = vec![0; v.dims.len()];
                start[*axis] = b0 - t0;
                w.write(name, &start, a)?;
            }
            let n = arrays.first().map_or(0, |a| a.shape().get(names[0].1).copied().unwrap_or(0));
            progress((b0 + n) as u64, total);
        }
        Ok(w.close()?)
    })
}
