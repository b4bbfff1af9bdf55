//! Pre-flight estimates of data operations (the execution floor): the process's inputs
//! parsed as the operation parses them, then the conductor's metadata-only estimate
//! ([`rookery_daops::Daops::estimate`]); the service's limits (`max_read_bytes`,
//! `max_output_bytes`) are checked against it at submission, and `dry_run` answers it.

use crate::ops::{collection_items, fix_time_components, ProcError};
use crate::process::{first, Inputs};
use rookery_daops::estimate::CollectionEstimate;
use rookery_daops::Daops;
use rookery_ops::estimate::{subset, whole};
use rookery_ops::{AreaParam, LevelParam, SubsetRequest, TimeComponents, TimeParam};
use serde_json::{json, Value};

/// The data operations an estimate covers (workflows and the service's own processes not).
pub use crate::process::DATA_OPERATIONS as ESTIMATED;

/// Dimension names an `average`'s `dims` value stands for.
fn dim_names(dims: &str) -> Vec<String> {
    let mut out = Vec::new();
    for d in dims.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        out.push(d.to_string());
        match d {
            "latitude" => out.push("lat".into()),
            "longitude" => out.push("lon".into()),
            "level" => out.extend(["lev".to_string(), "plev".to_string(), "height".to_string()]),
            _ => {}
        }
    }
    out
}

/// Estimates process `op` on its inputs without reading data. A subset is planned exactly
/// (its coordinates are read); the other operations count their datasets whole, an upper
/// bound for those that select time steps or regrid.
///
/// # Errors
/// Invalid parameters and unknown datasets, as the operation would report them.
pub fn estimate(daops: &Daops, op: &str, inputs: &Inputs) -> Result<CollectionEstimate, ProcError> {
    let coll = collection_items(inputs.get("collection").map_or(&[][..], Vec::as_slice));
    if coll.is_empty() {
        return Err(ProcError::invalid("Required input \"collection\" must be provided."));
    }
    let time = first(inputs, "time").filter(|s| !s.trim().is_empty());
    let tc = fix_time_components(first(inputs, "time_components"), time);
    let tp = time.map(TimeParam::parse).transpose()?.flatten();
    let tcp = tc.as_deref().map(TimeComponents::parse).transpose()?.flatten();
    Ok(match op {
        "subset" => {
            let req = SubsetRequest {
                time: tp.clone(),
                area: first(inputs, "area").map(AreaParam::parse).transpose()?.flatten(),
                level: first(inputs, "level").map(LevelParam::parse).transpose()?.flatten(),
                time_components: tcp.clone(),
                // A shape crops to its cells; counted as the whole grid (an upper bound).
                shape: None,
            };
            daops.estimate(&coll, tp.as_ref(), tcp.as_ref(), |s| subset(s, &req))?
        }
        "average" => {
            let dims = dim_names(first(inputs, "dims").unwrap_or(""));
            daops.estimate(&coll, None, None, |s| Ok(whole(s, &dims)))?
        }
        op if ESTIMATED.contains(&op) => daops.estimate(&coll, tp.as_ref(), tcp.as_ref(), |s| Ok(whole(s, &[])))?,
        other => return Err(ProcError::invalid(format!("Process '{other}' has no estimate"))),
    })
}

/// The estimate as the service shows it; with the node's throughput `(decoded bytes per
/// second, jobs it was measured on)`, the run time too.
#[must_use]
pub fn to_json(e: &CollectionEstimate, throughput: Option<(f64, u64)>) -> Value {
    let t = &e.total;
    let mut v = json!({
        "datasets": e.datasets,
        "files": e.files,
        "readBytes": t.read_bytes,
        "readStoredBytes": t.read_stored_bytes,
        "outputBytes": t.output_bytes,
        "outputStoredBytes": t.output_stored_bytes,
        "chunks": t.chunks,
    });
    if let Some((bps, jobs)) = throughput {
        #[allow(clippy::cast_precision_loss)]
        let secs = t.read_bytes as f64 / bps.max(1.0);
        v["seconds"] = json!((secs * 10.0).ceil() / 10.0);
        v["throughput"] = json!({"bytesPerSecond": bps.round(), "measuredJobs": jobs});
    }
    v
}

/// Why `e` goes over a limit (`0`: no limit), one line with the estimate, or `None`.
#[must_use]
pub fn over_limits(e: &CollectionEstimate, max_read: u64, max_output: u64) -> Option<String> {
    let t = &e.total;
    let mb = |b: u64| format!("{:.1} MB", b as f64 / 1e6);
    if max_read > 0 && t.read_bytes > max_read {
        return Some(format!(
            "The request would read about {} ({} stored, {} files) and the limit is {} (max_read_bytes); select less time, area or fewer datasets",
            mb(t.read_bytes),
            mb(t.read_stored_bytes),
            e.files,
            mb(max_read)
        ));
    }
    if max_output > 0 && t.output_bytes > max_output {
        return Some(format!(
            "The request would write about {} and the limit is {} (max_output_bytes); select less time, area or fewer datasets",
            mb(t.output_bytes),
            mb(max_output)
        ));
    }
    None
}
