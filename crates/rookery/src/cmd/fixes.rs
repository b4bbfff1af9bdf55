//! `rookery fixes list | show ID | check DATASET`.

use super::Failure;
use rookery_daops::Daops;

/// Lists every fix record.
pub(crate) fn list(d: &Daops) -> Result<(), Failure> {
    for r in &d.fixes.records {
        println!("{}\t{} step(s)\t{}\t{}", r.id, r.steps.len(), r.patterns.join(" "), r.origin);
    }
    Ok(())
}

/// Shows one record.
pub(crate) fn show(d: &Daops, id: &str) -> Result<(), Failure> {
    let r =
        d.fixes.get(id).ok_or_else(|| Failure::request(format!("no fix record '{id}' (see rookery fixes list)")))?;
    println!(
        "id: {}\ndescription: {}\nmatch: {}\norigin: {}\nsteps:",
        r.id,
        r.description,
        r.patterns.join(" "),
        r.origin
    );
    for s in &r.steps {
        println!("  - {} {}", s.fix_id, serde_json::Value::Object(s.operands.clone()));
    }
    Ok(())
}

/// Applies the fixes matching a dataset and prints what they change.
pub(crate) fn check(d: &Daops, dataset: &str) -> Result<(), Failure> {
    let r = d.resolver.resolve(dataset)?;
    let Some(id) = r.ds_id.clone() else {
        println!("{dataset}: not a dataset id; fixes apply only to datasets named by id");
        return Ok(());
    };
    let recs = d.fixes.matching(&id);
    if recs.is_empty() {
        println!("{id}: no fixes match");
        return Ok(());
    }
    let src = rookery_io::open_paths(d.io(), &r.files)?;
    let before = src.dataset().clone();
    let (fixed, applied) = d.fixes.apply(src, &id)?;
    let after = fixed.dataset();
    println!("{id}: applied {}", applied.join(", "));
    for (k, v) in after.attrs.iter() {
        if before.attrs.get(k) != Some(v) {
            println!("  global {k} = {}", v.render());
        }
    }
    for v in &after.vars {
        match before.var(&v.name) {
            None => println!("  + variable {} {}({})", v.dtype.cdl_name(), v.name, v.dims.join(", ")),
            Some(b) => {
                if b.dims != v.dims {
                    println!("  ~ variable {} dims ({}) -> ({})", v.name, b.dims.join(", "), v.dims.join(", "));
                }
                for (k, a) in v.attrs.iter() {
                    if b.attrs.get(k) != Some(a) {
                        println!("  ~ {}:{k} = {}", v.name, a.render());
                    }
                }
                for (k, _) in b.attrs.iter() {
                    if v.attrs.get(k).is_none() {
                        println!("  - {}:{k}", v.name);
                    }
                }
            }
        }
    }
    Ok(())
}
