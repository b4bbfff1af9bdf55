//! `rookery estimate PROCESS key=value ...`: the pre-flight estimate of a data operation with
//! the service's input names (as `POST /processes/{id}/execution?dry_run=true` answers it),
//! from metadata alone.

use super::Failure;
use rookery_daops::Daops;

/// Prints the estimate of `process` on `inputs` (`key=value`; a key may repeat), as JSON.
pub(crate) fn run(d: &Daops, process: &str, inputs: &[String]) -> Result<(), Failure> {
    let mut map = rookery_service::process::Inputs::new();
    for kv in inputs {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Failure::request(format!("input '{kv}' is not key=value (e.g. collection=<dataset id>)")))?;
        map.entry(k.trim().to_string()).or_default().push(v.to_string());
    }
    if !rookery_service::estimate::ESTIMATED.contains(&process) {
        return Err(Failure::request(format!(
            "process '{process}' has no estimate; estimated: {}",
            rookery_service::estimate::ESTIMATED.join(", ")
        )));
    }
    let e = rookery_service::estimate::estimate(d, process, &map).map_err(|e| Failure::request(e.0))?;
    let doc = serde_json::json!({"processID": process, "estimate": rookery_service::estimate::to_json(&e)});
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    Ok(())
}
