//! A short, reproducible fuzz run of every target (fixed seed; `ROOKERY_FUZZ_ITERS` inputs per
//! target, default 2000, at most `ROOKERY_FUZZ_SECS` seconds each, default 60), after replaying
//! the saved regressions. Any panic fails the test with the input saved under the target dir.

use rookery_fuzz::{fuzz, quiet_panics, replay, targets, Budget};
use std::path::PathBuf;
use std::time::Duration;

fn env_u64(k: &str, d: u64) -> u64 {
    std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d)
}

#[test]
fn every_parser_survives_mutated_inputs() {
    quiet_panics();
    let budget = Budget {
        iterations: env_u64("ROOKERY_FUZZ_ITERS", 2000),
        time: Duration::from_secs(env_u64("ROOKERY_FUZZ_SECS", 60)),
        seed: env_u64("ROOKERY_FUZZ_SEED", 20261203),
    };
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-crashes");
    let mut report = Vec::new();
    for t in targets() {
        let seeds = (t.seeds)();
        assert!(!seeds.is_empty(), "{}: no seeds (is ../shared/data there?)", t.name);
        // Every seed is a valid input: the target really parses something.
        assert!(seeds.iter().any(|s| (t.run)(s)), "{}: no seed is accepted", t.name);
        let r = replay(&t, &here.join("regressions").join(t.name));
        let f = fuzz(&t, budget, Some(&out));
        println!("{:14} {} regressions, {} inputs ({} rejected)", t.name, r.runs, f.runs, f.rejected);
        report.extend(r.crashes.into_iter().chain(f.crashes).map(|c| c.to_string()));
    }
    assert!(report.is_empty(), "crashes:\n{}", report.join("\n"));
}
