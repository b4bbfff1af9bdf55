//! Writing a planned point extraction: NetCDF/Zarr (a CF timeSeries, staged, split by
//! `time:auto`) or CSV (one row per time, level and station).

use super::*;

/// Classic NetCDF has no strings: text variables become char arrays over `<name>_strlen`.
fn classic_strings(ds: &mut Dataset, values: &mut [(String, Array)]) {
    for (name, a) in values.iter_mut() {
        let Array::Str(x) = a else { continue };
        let n = x.len();
        let len = x.iter().map(String::len).max().unwrap_or(0).max(1);
        let mut bytes = vec![0u8; n * len];
        for (k, s) in x.iter().enumerate() {
            bytes[k * len..k * len + s.len()].copy_from_slice(s.as_bytes());
        }
        let dim = format!("{name}_strlen");
        if let Ok(c) = ArrayD::from_shape_vec(IxDyn(&[n, len]), bytes) {
            *a = Array::Char(c);
            ds.dims.push(Dim { name: dim.clone(), len, unlimited: false });
            if let Some(v) = ds.var_mut(name) {
                v.dtype = DType::Char;
                v.dims.push(dim);
                v.shape.push(len);
            }
        }
    }
}

/// Writes the extraction: NetCDF/Zarr per `spec` (split by `time:auto`), or one CSV file
/// when `csv`. Returns the output paths; nothing is left behind on failure.
///
/// # Errors
/// Read or write failures.
pub fn write_points(
    src: &dyn Source,
    plan: &PointPlan,
    spec: &OutputSpec,
    csv: bool,
    namer: &mut FileNamer,
    progress: Progress<'_>,
) -> Result<Vec<PathBuf>, OpError> {
    let mut plan = plan.clone();
    if !spec.history.is_empty() {
        let h = match plan.out.attrs.get_str("history") {
            Some(old) if !old.trim().is_empty() => format!("{}\n{old}", spec.history),
            _ => spec.history.clone(),
        };
        plan.out.attrs.set("history", AttrValue::Text(h));
    }
    if csv {
        return write_csv(src, &plan, spec, namer, progress).map(|p| vec![p]);
    }
    if spec.format == rookery_io::OutputFormat::Nc3 {
        let mut values = std::mem::take(&mut plan.values);
        classic_strings(&mut plan.out, &mut values);
        plan.values = values;
    }
    let out = &plan.out;
    let td = plan.time_dim().map(str::to_string);
    let nt = td.as_ref().and_then(|d| out.dim(d)).map_or(0, |d| d.len);
    let main_v = out.var(&plan.main);
    let main_has_time = td.as_ref().is_some_and(|d| main_v.is_some_and(|v| v.axis_of(d).is_some()));
    let slices = if main_has_time {
        time_slices(nt, main_v.map_or(0, |v| v.nbytes() as u64), spec.size_limit)?
    } else {
        vec![(0, nt)]
    };
    let mut opts = WriteOptions::following(src, spec.format, td.clone());
    opts.cancel = spec.cancel.clone();
    let mut staged: Vec<Staged> = Vec::new();
    for &(t0, t1) in &slices {
        let mut ds = out.clone();
        if let Some(d) = &td {
            ds.resize_dim(d, t1 - t0);
        }
        let range = (main_has_time && t1 > t0 && plan.base.times.len() >= t1)
            .then(|| (plan.base.times[t0], plan.base.times[t1 - 1]));
        let name = namer.name(&ds.attrs, &plan.main, range, &spec.extra, spec.format.extension());
        let dest = spec.dir.join(&name);
        if staged.iter().any(|s| s.dest() == dest) {
            return Err(OpError::Invalid(format!("two outputs of this request would both be named {name}")));
        }
        let mut w = Writer::create(&dest, &ds, &opts)?;
        let (timed, fixed): (Vec<&Variable>, Vec<&Variable>) =
            ds.vars.iter().partition(|v| td.as_deref().is_some_and(|d| v.axis_of(d).is_some()));
        for v in fixed {
            let a = plan.read(src, &v.name, None)?;
            w.write(&v.name, &vec![0; v.dims.len()], &a)?;
        }
        let block = plan.block_len(src, &timed);
        let mut b0 = t0;
        while b0 < t1 {
            let b1 = (b0 + block).min(t1);
            for v in &timed {
                let a = plan.read(src, &v.name, Some((b0, b1)))?;
                let mut start = vec![0; v.dims.len()];
                if let Some(ax) = td.as_deref().and_then(|d| v.axis_of(d)) {
                    start[ax] = b0 - t0;
                }
                w.write(&v.name, &start, &a)?;
            }
            progress(b1 as u64, nt as u64);
            b0 = b1;
        }
        staged.push(w.close()?);
    }
    staged.into_iter().map(|s| s.commit().map_err(OpError::from)).collect()
}

fn csv_text(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[allow(clippy::cast_possible_truncation)]
fn csv_number(x: f64, f32_like: bool) -> String {
    if x.is_nan() {
        String::new()
    } else if f32_like {
        format!("{}", x as f32)
    } else {
        format!("{x}")
    }
}

/// One CSV file: `time,[<level>,]station_id,station_name,station_lon,station_lat,<lon>,<lat>,
/// distance_km,cell_valid,<variables...>`, a row per time step (and level) and station.
#[allow(clippy::too_many_lines)]
fn write_csv(
    src: &dyn Source,
    plan: &PointPlan,
    spec: &OutputSpec,
    namer: &mut FileNamer,
    progress: Progress<'_>,
) -> Result<PathBuf, OpError> {
    let out = &plan.out;
    let main_o = out.var(&plan.main).ok_or_else(|| OpError::Data(format!("no output variable {}", plan.main)))?;
    let lead_dims: Vec<String> = main_o.dims[..main_o.dims.len() - 1].to_vec();
    let cols: Vec<&Variable> = plan
        .extracted
        .iter()
        .filter_map(|n| out.var(n))
        .filter(|v| v.dims[..v.dims.len() - 1] == lead_dims[..])
        .collect();
    for n in &plan.extracted {
        if !cols.iter().any(|v| &v.name == n) {
            tracing::warn!("variable '{n}' has other dimensions than '{}' and is left out of the CSV", plan.main);
        }
    }
    let td = plan.time_dim().map(str::to_string);
    let t_axis = td.as_deref().and_then(|d| lead_dims.iter().position(|x| x == d));
    // Values of the other leading dimensions (levels ...), as text.
    let mut other: Vec<(String, Vec<String>)> = Vec::new();
    for d in &lead_dims {
        if Some(d.as_str()) == td.as_deref() {
            continue;
        }
        let vals: Vec<String> = match out.var(d) {
            Some(v) if v.dims.len() == 1 => {
                let a = plan.read(src, d, None)?;
                decoded(v, &a).iter().map(|x| csv_number(*x, v.dtype == DType::F32)).collect()
            }
            _ => (0..out.dim(d).map_or(0, |x| x.len)).map(|k| k.to_string()).collect(),
        };
        other.push((d.clone(), vals));
    }
    let nt = td.as_ref().and_then(|d| out.dim(d)).map_or(1, |d| d.len);
    let range = (t_axis.is_some() && nt > 0 && plan.base.times.len() >= nt)
        .then(|| (plan.base.times[0], plan.base.times[nt - 1]));
    let name = namer.name(&out.attrs, &plan.main, range, &spec.extra, "csv");
    let dest = spec.dir.join(&name);
    let tmp = rookery_io::temp::TempPath::for_dest(&dest)?;
    let werr = |e: std::io::Error| OpError::Io(rookery_io::IoError::Write { path: dest.clone(), msg: e.to_string() });
    let file = std::fs::File::create(tmp.path()).map_err(werr)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let lat = plan.base.info.lat.clone().unwrap_or_else(|| "lat".into());
    let lon = plan.base.info.lon.clone().unwrap_or_else(|| "lon".into());
    let mut header: Vec<String> = Vec::new();
    if t_axis.is_some() {
        header.push("time".into());
    }
    header.extend(other.iter().map(|(d, _)| d.clone()));
    header.extend(
        ["station_id", "station_name", "station_lon", "station_lat", &lon, &lat, "distance_km", "cell_valid"]
            .iter()
            .map(|s| (*s).to_string()),
    );
    header.extend(cols.iter().map(|v| v.name.clone()));
    writeln!(w, "{}", header.iter().map(|h| csv_text(h)).collect::<Vec<_>>().join(",")).map_err(werr)?;
    let stations: Vec<String> = {
        let ids = plan.values.iter().find(|(n, _)| n == "station_id").map(|(_, a)| a.clone());
        let names = plan.values.iter().find(|(n, _)| n == "station_name").map(|(_, a)| a.clone());
        let s = |a: &Option<Array>, k: usize| match a {
            Some(Array::Str(x)) => x.get(k).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let req = |name: &str, k: usize| match plan.values.iter().find(|(n, _)| n == name) {
            Some((_, Array::F64(x))) => x.get(k).copied().unwrap_or(f64::NAN),
            _ => f64::NAN,
        };
        (0..plan.chosen.len())
            .map(|k| {
                let c = plan.chosen[k];
                format!(
                    "{},{},{},{},{},{},{:.3},{}",
                    csv_text(&s(&ids, k)),
                    csv_text(&s(&names, k)),
                    req("station_lon", k),
                    req("station_lat", k),
                    c.0,
                    c.1,
                    c.2,
                    i8::from(c.3)
                )
            })
            .collect()
    };
    let n_st = stations.len();
    let timed: Vec<&Variable> = cols.clone();
    let block = if t_axis.is_some() { plan.block_len(src, &timed) } else { nt.max(1) };
    let src_vars: Vec<Variable> =
        cols.iter().map(|v| src.dataset().var(&v.name).cloned().unwrap_or_else(|| (*v).clone())).collect();
    let mut b0 = 0;
    while b0 < nt.max(1) {
        let b1 = (b0 + block).min(nt.max(1));
        let blk = t_axis.map(|_| (b0, b1));
        let data: Vec<Vec<f64>> = cols
            .iter()
            .zip(&src_vars)
            .map(|(v, sv)| plan.read(src, &v.name, blk).map(|a| decoded(sv, &a)))
            .collect::<Result<_, _>>()?;
        // Leading shape of this block, then rows in row-major order of (lead..., station).
        let mut lshape: Vec<usize> = lead_dims.iter().map(|d| out.dim(d).map_or(1, |x| x.len)).collect();
        if let Some(ax) = t_axis {
            lshape[ax] = b1 - b0;
        }
        let nlead: usize = lshape.iter().product();
        let mut idx = vec![0usize; lshape.len()];
        for l in 0..nlead {
            let mut prefix: Vec<String> = Vec::new();
            if let Some(ax) = t_axis {
                prefix.push(plan.base.times.get(b0 + idx[ax]).map(|t| t.iso()).unwrap_or_default());
            }
            let mut o = 0;
            for (k, d) in lead_dims.iter().enumerate() {
                if Some(d.as_str()) == td.as_deref() {
                    continue;
                }
                prefix.push(other[o].1.get(idx[k]).cloned().unwrap_or_default());
                o += 1;
            }
            let p = prefix.join(",");
            for (s, st) in stations.iter().enumerate() {
                let mut line = String::with_capacity(64 + 12 * data.len());
                if !p.is_empty() {
                    line.push_str(&p);
                    line.push(',');
                }
                line.push_str(st);
                for (d, v) in data.iter().zip(&src_vars) {
                    line.push(',');
                    line.push_str(&csv_number(
                        d[l * n_st + s],
                        v.dtype == DType::F32 && v.attrs.get("scale_factor").is_none(),
                    ));
                }
                writeln!(w, "{line}").map_err(werr)?;
            }
            for k in (0..idx.len()).rev() {
                idx[k] += 1;
                if idx[k] < lshape[k] {
                    break;
                }
                idx[k] = 0;
            }
        }
        progress(b1 as u64, nt as u64);
        b0 = b1;
    }
    let file = w.into_inner().map_err(|e| werr(e.into_error()))?;
    file.sync_all().map_err(werr)?;
    drop(file);
    std::fs::rename(tmp.path(), &dest).map_err(werr)?;
    let _ = tmp.keep();
    Ok(dest)
}
