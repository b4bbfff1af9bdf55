//! [`execute`]: runs a [`Job`] end to end — creates the output files (named, split by
//! `time:auto`), streams every variable (time blocks read by a reader thread, accumulated
//! here, written by a writer thread; row bands for time means of uncompressed sources;
//! regrid weights applied block by block) and commits the outputs only when all succeeded.

use super::compile::{compile, Compiled, Decode, Inner};
use super::groups::{self, GROUP_BYTES};
use super::job::{AxisMap, Job, NanMode, Reduce, RegridVar, VarJob};
use super::kernels::{add_quad, add_step, add_step_into, add_steps, Acc, Elem};
use crate::naming::FileNamer;
use crate::output::{time_slices, Progress};
use crate::OpError;
use ndarray::{ArrayD, IxDyn};
use rayon::prelude::*;
use rookery_cf::{Array, AttrValue, DType, Dataset};
use rookery_io::{Source, Staged, WriteOptions, Writer};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::sync_channel;

/// Converts means to an output array of `dtype` with shape `shape`, NaN → `fill`.
#[allow(clippy::cast_possible_truncation)]
pub(super) fn to_array(vals: Vec<f64>, dtype: DType, shape: &[usize], fill: f64) -> Result<Array, OpError> {
    let bad = |e: ndarray::ShapeError| OpError::Data(format!("output shape: {e}"));
    Ok(match dtype {
        DType::F32 => {
            // One pass: missing values to the fill value and narrowing together.
            let f = fill as f32;
            let v: Vec<f32> = vals.iter().map(|&v| if v.is_nan() { f } else { v as f32 }).collect();
            Array::F32(ArrayD::from_shape_vec(IxDyn(shape), v).map_err(bad)?)
        }
        _ => {
            let vals: Vec<f64> = vals.into_iter().map(|v| if v.is_nan() { fill } else { v }).collect();
            Array::F64(ArrayD::from_shape_vec(IxDyn(shape), vals).map_err(bad)?)
        }
    })
}

/// The output files of a request (several with `time:auto` splitting), written together.
pub(super) struct Outputs {
    files: Vec<(usize, usize, Writer)>,
    time_dim: Option<String>,
    /// The request's cancellation flag, checked once per block.
    pub(super) cancel: rookery_io::Cancel,
}

impl Outputs {
    /// Writes `a` of output variable `var` whose time axis (if any) starts at output step `t0`.
    pub(super) fn write(&mut self, out: &Dataset, var: &str, a: &Array, t0: usize) -> Result<(), OpError> {
        let v = out.var(var).ok_or_else(|| OpError::Data(format!("no output variable {var}")))?;
        let taxis = self.time_dim.as_deref().and_then(|t| v.axis_of(t));
        let shape = a.shape();
        for (f0, f1, w) in &mut self.files {
            let mut start = vec![0; v.dims.len()];
            match taxis {
                None => w.write(var, &start, a)?,
                Some(ax) => {
                    let n = shape.get(ax).copied().unwrap_or(0);
                    let lo = t0.max(*f0);
                    let hi = (t0 + n).min(*f1);
                    if lo >= hi {
                        continue;
                    }
                    start[ax] = lo - *f0;
                    if lo == t0 && hi == t0 + n {
                        w.write(var, &start, a)?;
                    } else {
                        w.write(var, &start, &a.slice_axis(ax, lo - t0, hi - t0))?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Runs a job: creates the outputs (named, split), streams every variable, commits.
///
/// # Errors
/// Read/write failures; nothing is left behind on failure.
pub fn execute(
    src: &dyn Source,
    job: &Job,
    spec: &crate::OutputSpec,
    namer: &mut FileNamer,
    progress: Progress<'_>,
) -> Result<Vec<PathBuf>, OpError> {
    let mut out = job.out.clone();
    let mut job_vars = job.vars.clone();
    if spec.format == rookery_io::OutputFormat::Nc3 {
        classic_values(&mut out, &mut job_vars);
    }
    if !spec.history.is_empty() {
        let h = match out.attrs.get_str("history") {
            Some(old) if !old.trim().is_empty() => format!("{}\n{old}", spec.history),
            _ => spec.history.clone(),
        };
        out.attrs.set("history", AttrValue::Text(h));
    }
    let td = job.time_dim.clone().filter(|d| out.dim(d).is_some());
    let nt = td.as_ref().and_then(|d| out.dim(d)).map_or(0, |d| d.len);
    let main_var = out.var(&job.main);
    let main_has_time = td.as_ref().is_some_and(|d| main_var.is_some_and(|v| v.axis_of(d).is_some()));
    let slices = if main_has_time {
        time_slices(nt, main_var.map_or(0, |v| v.nbytes() as u64), spec.size_limit)?
    } else {
        vec![(0, nt)]
    };
    let mut opts = WriteOptions::following(src, spec.format, td.clone());
    opts.cancel = spec.cancel.clone();
    let mut outputs = Outputs { files: Vec::new(), time_dim: td.clone(), cancel: spec.cancel.clone() };
    let mut dests: Vec<PathBuf> = Vec::new();
    for &(t0, t1) in &slices {
        let mut ds = out.clone();
        if let Some(d) = &td {
            ds.resize_dim(d, t1 - t0);
        }
        let range = if main_has_time && t1 > t0 && job.times.len() >= t1 {
            Some((job.times[t0], job.times[t1 - 1]))
        } else {
            None
        };
        let name = namer.name(&ds.attrs, &job.main, range, &spec.extra, spec.format.extension());
        let dest = spec.dir.join(&name);
        if dests.contains(&dest) {
            return Err(OpError::Invalid(format!("two outputs of this request would both be named {name}")));
        }
        outputs.files.push((t0, t1, Writer::create(&dest, &ds, &opts)?));
        dests.push(dest);
    }
    let main_steps = job
        .vars
        .iter()
        .find_map(|j| match j {
            VarJob::Reduce(Reduce { var, .. })
            | VarJob::Regrid(RegridVar { var, .. })
            | VarJob::Stat(super::job::StatVar { var, .. })
                if *var == job.main =>
            {
                src.dataset().var(var).and_then(|v| v.shape.first().copied())
            }
            _ => None,
        })
        .unwrap_or(0) as u64;
    for j in &job_vars {
        match j {
            VarJob::Values(name, a) => outputs.write(&out, name, a, 0)?,
            VarJob::Copy(name) => copy_var(src, &out, name, td.as_deref(), &mut outputs)?,
            VarJob::Regrid(r) => {
                let report = |done: u64| {
                    if r.var == job.main {
                        progress(done, main_steps);
                    }
                };
                regrid_var(src, job.src_time_dim.as_deref(), &out, r, &mut outputs, &report)?;
            }
            VarJob::Reduce(r) => {
                let report = |done: u64| {
                    if r.var == job.main {
                        progress(done, main_steps);
                    }
                };
                reduce_var(src, job.src_time_dim.as_deref(), &out, r, td.as_deref(), &mut outputs, &report)?;
            }
            VarJob::Stat(s) => {
                let report = |done: u64| {
                    if s.var == job.main {
                        progress(done, main_steps);
                    }
                };
                super::stats::stat_var(src, &out, s, &mut outputs, &report)?;
            }
        }
    }
    let mut staged: Vec<Staged> = Vec::new();
    for (_, _, w) in outputs.files {
        staged.push(w.close()?);
    }
    staged.into_iter().map(|s| s.commit().map_err(OpError::from)).collect()
}

/// Classic NetCDF holds neither 64-bit integers nor strings: given 64-bit integer values
/// become 32-bit, given strings become char arrays over a new `<name>_strlen` dimension.
fn classic_values(out: &mut Dataset, vars: &mut [VarJob]) {
    for j in vars.iter_mut() {
        let VarJob::Values(name, a) = j else { continue };
        match a {
            #[allow(clippy::cast_possible_truncation)]
            Array::I64(x) => {
                *a = Array::I32(x.mapv(|v| v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32));
                if let Some(v) = out.var_mut(name) {
                    v.dtype = DType::I32;
                }
            }
            Array::Str(x) if x.ndim() == 1 => {
                let n = x.len();
                let len = x.iter().map(String::len).max().unwrap_or(0).max(1);
                let mut bytes = vec![0u8; n * len];
                for (k, s) in x.iter().enumerate() {
                    bytes[k * len..k * len + s.len()].copy_from_slice(s.as_bytes());
                }
                let dim = format!("{name}_strlen");
                if let Ok(c) = ArrayD::from_shape_vec(IxDyn(&[n, len]), bytes) {
                    *a = Array::Char(c);
                    out.dims.push(rookery_cf::Dim { name: dim.clone(), len, unlimited: false });
                    if let Some(v) = out.var_mut(name) {
                        v.dtype = DType::Char;
                        v.dims.push(dim);
                        v.shape.push(len);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Steps per block: about 8 MB of source values (buffers of that size are reused by the
/// allocator instead of being mapped and zeroed anew), at least one.
pub(super) fn block_len(step_bytes: usize) -> usize {
    ((8usize << 20) / step_bytes.max(1)).clamp(1, 4096)
}

fn copy_var(
    src: &dyn Source,
    out: &Dataset,
    name: &str,
    td: Option<&str>,
    outputs: &mut Outputs,
) -> Result<(), OpError> {
    let v = src.dataset().var(name).ok_or_else(|| OpError::Data(format!("no variable {name}")))?;
    let timed = td.is_some_and(|t| v.dims.first().map(String::as_str) == Some(t));
    if !timed || v.shape.is_empty() {
        let a = src.read_all(name)?;
        return outputs.write(out, name, &a, 0);
    }
    let step: usize = v.shape[1..].iter().product::<usize>() * v.dtype.size();
    let block = block_len(step);
    let nt = v.shape[0];
    let mut t = 0;
    let mut spare = None;
    while t < nt {
        outputs.cancel.check()?;
        let n = block.min(nt - t);
        let mut start = vec![0; v.shape.len()];
        let mut count = v.shape.clone();
        start[0] = t;
        count[0] = n;
        let a = src.read_reusing(name, &start, &count, spare.take())?;
        outputs.write(out, name, &a, t)?;
        spare = Some(a);
        t += n;
    }
    Ok(())
}

/// Output shape of `r` for an output variable, from the output metadata.
pub(super) fn out_shape(out: &Dataset, var: &str) -> Result<(Vec<usize>, DType, f64), OpError> {
    let v = out.var(var).ok_or_else(|| OpError::Data(format!("no output variable {var}")))?;
    let fill = v.attrs.get_f64("_FillValue").unwrap_or(f64::NAN);
    Ok((v.shape.clone(), v.dtype, fill))
}

#[allow(clippy::too_many_lines)]
fn reduce_var(
    src: &dyn Source,
    src_time_dim: Option<&str>,
    out: &Dataset,
    r: &Reduce,
    td: Option<&str>,
    outputs: &mut Outputs,
    report: &(dyn Fn(u64) + Sync),
) -> Result<(), OpError> {
    let sv = src.dataset().var(&r.var).ok_or_else(|| OpError::Data(format!("no variable {}", r.var)))?;
    if !sv.dtype.is_numeric() {
        return Err(OpError::Data(format!("variable {} is not numeric and cannot be averaged", r.var)));
    }
    let (oshape, odtype, fill) = out_shape(out, &r.var)?;
    let src_time = src_time_dim;
    // Stream along axis 0 when it is the time dimension (the usual CF layout).
    let stream = sv.shape.len() > 1 && src_time.is_some_and(|t| sv.dims.first().map(String::as_str) == Some(t));
    let c = compile(r, &sv.shape, stream, Decode::of(sv))?;
    let out_has_time = td.is_some_and(|t| out.var(&r.var).is_some_and(|v| v.axis_of(t) == Some(0)));
    let row_shape: Vec<usize> = if out_has_time && stream { oshape[1..].to_vec() } else { oshape.clone() };
    if row_shape.iter().product::<usize>() != c.n_out {
        return Err(OpError::Data(format!(
            "internal error: output shape {oshape:?} of {} does not match its reduction",
            r.var
        )));
    }
    if !stream {
        let a = src.read_all(&r.var)?;
        let mut acc = Acc::new(c.n_out);
        let res: Result<(), OpError> = numeric!(&a, x => add_steps(&c, x, &[0], &mut acc));
        res?;
        let arr = to_array(acc.mean().collect(), odtype, &oshape, fill)?;
        return outputs.write(out, &r.var, &arr, 0);
    }
    let nt = c.n_stream;
    let step_bytes = c.n_in * sv.dtype.size();
    let block = block_len(step_bytes);
    let blocks: Vec<(usize, usize)> = (0..nt).step_by(block).map(|a| (a, (a + block).min(nt))).collect();
    // Group bookkeeping: output index of each step and the last step of each group.
    let (group_of, n_groups): (Vec<Option<usize>>, usize) = match c.stream.as_ref() {
        Some(AxisMap::Keep) | None => ((0..nt).map(Some).collect(), nt),
        Some(AxisMap::Collapse) => (vec![Some(0); nt], 1),
        Some(AxisMap::Group { map, n_out }) => (map.clone(), *n_out),
    };
    let keep = matches!(c.stream, Some(AxisMap::Keep) | None);
    let mut last_step: Vec<Option<usize>> = vec![None; n_groups];
    for (t, g) in group_of.iter().enumerate() {
        if let Some(g) = g {
            last_step[*g] = Some(t);
        }
    }
    // Empty groups (periods without data) are written as missing first.
    if !keep && out_has_time {
        let row: usize = row_shape.iter().product();
        for (g, l) in last_step.iter().enumerate() {
            if l.is_none() {
                let mut s = oshape.clone();
                s[0] = 1;
                let arr = to_array(vec![f64::NAN; row], odtype, &s, fill)?;
                outputs.write(out, &r.var, &arr, g)?;
            }
        }
    }
    // Interleaved groups (days of the year) are taken in batches of bounded accumulators.
    let batches = if keep { vec![group_of] } else { groups::batches(&group_of, n_groups, c.n_out * 16, GROUP_BYTES) };
    let banded =
        !keep && matches!(c.inner, Inner::Identity) && src.compressed() == Some(false) && shape_ok_for_bands(&sv.shape);
    let nb = batches.len() as u64;
    for (k, group_of) in batches.iter().enumerate() {
        // Progress over all batches: steps done in this one, scaled.
        let report = |done: u64| report((k as u64 * nt as u64 + done) / nb);
        if banded {
            let parts = (&oshape[..], odtype, fill, out_has_time);
            reduce_in_bands(src, &r.var, &sv.shape, &c, group_of, &last_step, parts, out, outputs, &report)?;
        } else {
            let ranges = if nb == 1 { blocks.clone() } else { groups::clip(&blocks, group_of) };
            let parts = (&oshape[..], odtype, fill, out_has_time, keep);
            reduce_blocks(src, &r.var, &sv.shape, &c, (group_of, &last_step), &ranges, parts, out, outputs, &report)?;
        }
    }
    Ok(())
}

/// Streams the blocks `blocks` of one variable (a reader thread reads the next while this one
/// accumulates) into per-group accumulators, written when their group is complete.
#[allow(clippy::too_many_arguments)]
fn reduce_blocks(
    src: &dyn Source,
    name: &str,
    shape: &[usize],
    c: &Compiled,
    (group_of, last_step): (&[Option<usize>], &[Option<usize>]),
    blocks: &[(usize, usize)],
    (oshape, odtype, fill, out_has_time, keep): (&[usize], DType, f64, bool, bool),
    out: &Dataset,
    outputs: &mut Outputs,
    report: &(dyn Fn(u64) + Sync),
) -> Result<(), OpError> {
    let mut accs: BTreeMap<usize, Acc> = BTreeMap::new();
    let (tx, rx) = sync_channel::<Result<(usize, usize, Array), OpError>>(1);
    // Accumulated blocks go back to the reader, which decodes the next block into one of them
    // (no buffer allocated and zeroed per block).
    let (back_tx, back_rx) = sync_channel::<Array>(2);
    std::thread::scope(|scope| -> Result<(), OpError> {
        let (blocks_r, name_r, shape_r) = (blocks, name, shape);
        // Reader: decodes the next block while this thread accumulates the current one.
        scope.spawn(move || {
            for &(b0, b1) in blocks_r {
                let mut start = vec![0; shape_r.len()];
                let mut count = shape_r.to_vec();
                start[0] = b0;
                count[0] = b1 - b0;
                let spare = back_rx.try_recv().ok();
                let r = src.read_reusing(name_r, &start, &count, spare).map_err(OpError::from);
                let failed = r.is_err();
                if tx.send(r.map(|a| (b0, b1, a))).is_err() || failed {
                    return;
                }
            }
        });
        let cancel = outputs.cancel.clone();
        with_writer(outputs, out, name_r, |put| {
            for msg in rx {
                cancel.check()?;
                let (b0, b1, a) = msg?;
                if keep {
                    // Each step is its own output row.
                    let steps: Vec<usize> = (0..b1 - b0).collect();
                    let rows: Result<Vec<Vec<f64>>, OpError> = numeric!(&a, x => {
                        steps
                            .par_iter()
                            .map(|&t| {
                                let mut acc = Acc::new(c.n_out);
                                add_step(c, &x[t * c.n_in..(t + 1) * c.n_in], &mut acc);
                                acc.mean().collect()
                            })
                            .collect()
                    });
                    let rows = rows?;
                    let _ = back_tx.try_send(a);
                    let mut s = oshape.to_vec();
                    s[0] = b1 - b0;
                    put(to_array(rows.concat(), odtype, &s, fill)?, b0)?;
                } else {
                    // Runs of consecutive steps in the same group.
                    let mut t = b0;
                    while t < b1 {
                        let g = group_of[t];
                        let mut e = t + 1;
                        while e < b1 && group_of[e] == g {
                            e += 1;
                        }
                        if let Some(g) = g {
                            let steps: Vec<usize> = (t - b0..e - b0).collect();
                            let acc = accs.entry(g).or_insert_with(|| Acc::new(c.n_out));
                            let res: Result<(), OpError> = numeric!(&a, x => add_steps(c, x, &steps, acc));
                            res?;
                        }
                        t = e;
                    }
                    // Refused only when the reader holds two already or has finished.
                    let _ = back_tx.try_send(a);
                    // Flush complete groups.
                    let done: Vec<usize> =
                        accs.keys().copied().filter(|g| last_step[*g].is_some_and(|l| l < b1)).collect();
                    for g in done {
                        if let Some(acc) = accs.remove(&g) {
                            let mut s = oshape.to_vec();
                            if out_has_time {
                                s[0] = 1;
                            }
                            put(to_array(acc.mean().collect(), odtype, &s, fill)?, g)?;
                        }
                    }
                }
                report(b1 as u64);
            }
            Ok(())
        })
    })
}

/// Runs `f` with `put(rows, t0)`, which hands finished output rows to a writer thread (it
/// compresses and writes them while accumulation goes on); a writer failure explains a
/// stopped writer, so it comes first.
pub(super) fn with_writer(
    outputs: &mut Outputs,
    out: &Dataset,
    name: &str,
    f: impl FnOnce(&dyn Fn(Array, usize) -> Result<(), OpError>) -> Result<(), OpError>,
) -> Result<(), OpError> {
    std::thread::scope(|scope| {
        let (wtx, wrx) = sync_channel::<(Array, usize)>(2);
        let writer = scope.spawn(move || -> Result<(), OpError> {
            for (arr, t0) in wrx {
                outputs.write(out, name, &arr, t0)?;
            }
            Ok(())
        });
        let accumulated = f(&|arr: Array, t0: usize| {
            wtx.send((arr, t0)).map_err(|_| OpError::Data("the output writer stopped".into()))
        });
        drop(wtx);
        writer.join().map_err(|_| OpError::Data("the output writer panicked".into()))??;
        accumulated
    })
}

fn shape_ok_for_bands(shape: &[usize]) -> bool {
    shape.len() >= 2 && shape[1] > 0 && shape[2..].iter().product::<usize>() > 0
}

/// Time means (whole axis or groups of steps) of an uncompressed source: the grid split into
/// bands of rows, each band read a few steps at a time and accumulated by one thread while
/// the values are in its cache (a read from the page cache is a copy the kernel makes on the
/// reading thread: done this way both cores copy, and nothing goes through main memory twice).
#[allow(clippy::too_many_arguments)]
fn reduce_in_bands(
    src: &dyn Source,
    name: &str,
    shape: &[usize],
    c: &Compiled,
    group_of: &[Option<usize>],
    last_step: &[Option<usize>],
    (oshape, odtype, fill, out_has_time): (&[usize], DType, f64, bool),
    out: &Dataset,
    outputs: &mut Outputs,
    report: &(dyn Fn(u64) + Sync),
) -> Result<(), OpError> {
    const BAND: usize = 32 << 10;
    const STEPS: usize = 4;
    let row: usize = shape[2..].iter().product();
    let band_rows = (BAND / row).clamp(1, shape[1]);
    let band = band_rows * row;
    let nt = shape[0];
    let fast = c.nan == NanMode::Skip && !c.dec.packed && c.dec.more.is_empty();
    let cancel = outputs.cancel.clone();
    with_writer(outputs, out, name, |put| {
        let mut partial: BTreeMap<usize, Acc> = BTreeMap::new();
        let mut spare: Option<Acc> = None;
        let mut t = 0;
        while t < nt {
            // A run of consecutive steps in the same group.
            let g = group_of[t];
            let mut e = t + 1;
            while e < nt && group_of[e] == g {
                e += 1;
            }
            let Some(g) = g else {
                t = e;
                continue;
            };
            // Accumulators are reused (zeroed) rather than allocated per group: fresh pages
            // cost a fault each.
            let mut acc = partial.remove(&g).or_else(|| spare.take()).unwrap_or_else(|| Acc::new(c.n_out));
            acc.s.par_chunks_mut(band).zip(acc.w.par_chunks_mut(band)).enumerate().try_for_each(|(k, (s, w))| -> Result<(), OpError> {
                let rows = s.len() / row;
                let mut start = vec![0; shape.len()];
                let mut count = shape.to_vec();
                start[1] = k * band_rows;
                count[1] = rows;
                let mut t0 = t;
                while t0 < e {
                    cancel.check()?;
                    let m = (e - t0).min(STEPS);
                    start[0] = t0;
                    count[0] = m;
                    let a = src.read(name, &start, &count)?;
                    let res: Result<(), OpError> = numeric!(&a, x => {
                        let len = s.len();
                        if fast && m == 4 {
                            add_quad([&x[..len], &x[len..2 * len], &x[2 * len..3 * len], &x[3 * len..4 * len]], (c.dec.m0, c.dec.m1), s, w);
                        } else {
                            for i in 0..m {
                                add_step_into(c, &x[i * len..(i + 1) * len], s, w);
                            }
                        }
                    });
                    res?;
                    t0 += m;
                }
                Ok(())
            })?;
            // A group is usually one run (time is sorted); one split in several runs is
            // completed across them.
            if last_step[g].is_some_and(|l| l < e) {
                let mut s2 = oshape.to_vec();
                if out_has_time {
                    s2[0] = 1;
                }
                let arr = to_array(acc.mean().collect(), odtype, &s2, fill)?;
                put(arr, g)?;
                acc.s.fill(0.0);
                acc.w.fill(0.0);
                spare = Some(acc);
            } else {
                partial.insert(g, acc);
            }
            report(e as u64);
            t = e;
        }
        Ok(())
    })
}

/// Regrids one variable: streams the source along its first axis when it is time (blocks of
/// about 8 MB), decodes missing values and packing to NaN, applies the weights in parallel.
fn regrid_var(
    src: &dyn Source,
    src_time_dim: Option<&str>,
    out: &Dataset,
    r: &RegridVar,
    outputs: &mut Outputs,
    report: &(dyn Fn(u64) + Sync),
) -> Result<(), OpError> {
    let sv = src.dataset().var(&r.var).ok_or_else(|| OpError::Data(format!("no variable {}", r.var)))?;
    if !sv.dtype.is_numeric() {
        return Err(OpError::Data(format!("variable {} is not numeric and cannot be regridded", r.var)));
    }
    let (oshape, odtype, fill) = out_shape(out, &r.var)?;
    let nd = sv.shape.len();
    if nd < r.h_axes || sv.shape[nd - r.h_axes..].iter().product::<usize>() != r.weights.n_src {
        return Err(OpError::Data(format!("internal error: {} does not lie on the source grid of the weights", r.var)));
    }
    let lead = nd - r.h_axes;
    let stream = lead > 0 && src_time_dim.is_some_and(|t| sv.dims.first().map(String::as_str) == Some(t));
    let per_step: usize = sv.shape[usize::from(stream)..lead].iter().product();
    let dec = Decode::of(sv);
    let (n_src, n_dst) = (r.weights.n_src, r.weights.n_dst);
    let f32_path = odtype == DType::F32;
    let run = |a: &mut Array, count: usize| -> Result<Array, OpError> {
        let nsteps = count * per_step;
        let mut s = oshape.clone();
        if stream {
            s[0] = count;
        }
        let mask = |dst: &mut [f64]| {
            if let Some(m) = &r.dst_masked {
                for row in dst.chunks_mut(n_dst) {
                    for (x, bad) in row.iter_mut().zip(m.iter()) {
                        if *bad {
                            *x = f64::NAN;
                        }
                    }
                }
            }
        };
        if f32_path && !dec.packed {
            if let Array::F32(x) = a {
                if !x.is_standard_layout() {
                    *x = x.as_standard_layout().into_owned();
                }
                // Missing values become NaN in place (the block is the reader's; it decodes a
                // later block over it).
                let vals: &mut [f32] = x.as_slice_mut().unwrap_or(&mut []);
                for v in vals.iter_mut() {
                    let d = f64::from(*v);
                    if d.is_nan() || d == dec.m0 || d == dec.m1 || (!dec.more.is_empty() && dec.more.contains(&d)) {
                        *v = f32::NAN;
                    }
                }
                let vals: &[f32] = vals;
                if vals.len() != nsteps * n_src {
                    return Err(OpError::Data(format!(
                        "internal error: read {} values of {}, expected {}",
                        vals.len(),
                        r.var,
                        nsteps * n_src
                    )));
                }
                let mut dst = vec![0f32; nsteps * n_dst];
                r.weights.apply_f32(vals, &mut dst, nsteps, r.skipna, r.na_thres);
                #[allow(clippy::cast_possible_truncation)]
                let fill32 = fill as f32;
                if let Some(m) = &r.dst_masked {
                    for row in dst.chunks_mut(n_dst) {
                        for (x, bad) in row.iter_mut().zip(m.iter()) {
                            if *bad {
                                *x = f32::NAN;
                            }
                        }
                    }
                }
                for x in &mut dst {
                    if x.is_nan() && !fill.is_nan() {
                        *x = fill32;
                    }
                }
                return ArrayD::from_shape_vec(IxDyn(&s), dst)
                    .map(Array::F32)
                    .map_err(|e| OpError::Data(format!("output shape: {e}")));
            }
        }
        let vals: Result<Vec<f64>, OpError> = numeric!(a, x => x.iter().map(|v| dec.value(v.f())).collect());
        let vals = vals?;
        if vals.len() != nsteps * n_src {
            return Err(OpError::Data(format!(
                "internal error: read {} values of {}, expected {}",
                vals.len(),
                r.var,
                nsteps * n_src
            )));
        }
        let mut dst = vec![0f64; nsteps * n_dst];
        r.weights.apply(&vals, &mut dst, nsteps, r.skipna, r.na_thres);
        mask(&mut dst);
        to_array(dst, odtype, &s, fill)
    };
    if !stream {
        let mut a = src.read_all(&r.var)?;
        let arr = run(&mut a, 1)?;
        return outputs.write(out, &r.var, &arr, 0);
    }
    let nt = sv.shape[0];
    // Blocks sized by the larger of a source step and a regridded one (at most 8-byte values):
    // regridding to a finer grid must not make the result blocks the memory peak.
    let step_bytes = per_step * (n_src * sv.dtype.size().max(4)).max(n_dst * 8);
    let block = block_len(step_bytes);
    let blocks: Vec<(usize, usize)> = (0..nt).step_by(block).map(|a| (a, (a + block).min(nt))).collect();
    let (tx, rx) = sync_channel::<Result<(usize, usize, Array), OpError>>(1);
    // Regridded blocks go back to the reader for their storage (as in `reduce_blocks`).
    let (back_tx, back_rx) = sync_channel::<Array>(2);
    let shape = sv.shape.clone();
    let name = r.var.clone();
    std::thread::scope(|scope| -> Result<(), OpError> {
        let (blocks_r, name_r, shape_r) = (&blocks, &name, &shape);
        scope.spawn(move || {
            for &(b0, b1) in blocks_r {
                let mut start = vec![0; shape_r.len()];
                let mut count = shape_r.to_vec();
                start[0] = b0;
                count[0] = b1 - b0;
                let spare = back_rx.try_recv().ok();
                let res = src.read_reusing(name_r, &start, &count, spare).map_err(OpError::from);
                let failed = res.is_err();
                if tx.send(res.map(|a| (b0, b1, a))).is_err() || failed {
                    return;
                }
            }
        });
        for msg in rx {
            outputs.cancel.check()?;
            let (b0, b1, mut a) = msg?;
            let arr = run(&mut a, b1 - b0)?;
            let _ = back_tx.try_send(a);
            outputs.write(out, &r.var, &arr, b0)?;
            report(b1 as u64);
        }
        Ok(())
    })
}

/// Evaluates `$body` with `$x` bound to the values of a numeric array as a flat slice
/// (`Err` for char/string arrays).
macro_rules! numeric {
    ($a:expr, $x:ident => $body:expr) => {{
        macro_rules! go {
            ($arr:expr) => {{
                let owned;
                let $x = match $arr.as_slice() {
                    Some(s) => s,
                    None => {
                        owned = $arr.as_standard_layout().into_owned();
                        owned.as_slice().unwrap_or(&[])
                    }
                };
                Ok($body)
            }};
        }
        match $a {
            Array::I8(v) => go!(v),
            Array::U8(v) => go!(v),
            Array::I16(v) => go!(v),
            Array::U16(v) => go!(v),
            Array::I32(v) => go!(v),
            Array::U32(v) => go!(v),
            Array::I64(v) => go!(v),
            Array::U64(v) => go!(v),
            Array::F32(v) => go!(v),
            Array::F64(v) => go!(v),
            Array::Char(_) | Array::Str(_) => Err(OpError::Data("values are not numeric".into())),
        }
    }};
}
pub(super) use numeric;
