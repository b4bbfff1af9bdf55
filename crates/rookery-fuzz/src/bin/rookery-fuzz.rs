//! `rookery-fuzz [TARGET|all] [--secs N] [--iterations N] [--seed S] [--out DIR]`: runs fuzz
//! targets for longer than the tests do; crashing inputs are saved under `--out`
//! (default `fuzz-crashes/`) — move them to `crates/rookery-fuzz/regressions/<target>/` once
//! fixed so the tests replay them.

use rookery_fuzz::{fuzz, quiet_panics, replay, targets, Budget};
use std::path::PathBuf;
use std::time::Duration;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut which = String::from("all");
    let mut budget = Budget { iterations: u64::MAX, time: Duration::from_secs(60), seed: 1 };
    let mut out = PathBuf::from("fuzz-crashes");
    while let Some(a) = args.next() {
        let mut num = |what: &str| -> u64 {
            match args.next().and_then(|v| v.parse().ok()) {
                Some(n) => n,
                None => {
                    eprintln!("rookery-fuzz: {what} needs a number");
                    std::process::exit(2);
                }
            }
        };
        match a.as_str() {
            "--secs" => budget.time = Duration::from_secs(num("--secs")),
            "--iterations" => budget.iterations = num("--iterations"),
            "--seed" => budget.seed = num("--seed"),
            "--out" => out = args.next().map_or(out, PathBuf::from),
            "--list" => {
                for t in targets() {
                    println!("{:14} {}", t.name, t.about);
                }
                return;
            }
            "-h" | "--help" => {
                println!("rookery-fuzz [TARGET|all] [--secs N] [--iterations N] [--seed S] [--out DIR] | --list");
                return;
            }
            t => which = t.to_string(),
        }
    }
    let all = targets();
    let chosen: Vec<_> = all.iter().filter(|t| which == "all" || t.name == which).collect();
    if chosen.is_empty() {
        eprintln!("rookery-fuzz: no target '{which}' (see --list)");
        std::process::exit(2);
    }
    quiet_panics();
    let regressions = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut crashes = 0;
    for t in chosen {
        let mut s = replay(t, &regressions.join(t.name));
        let f = fuzz(t, budget, Some(&out));
        s.runs += f.runs;
        s.rejected += f.rejected;
        s.crashes.extend(f.crashes);
        println!("{:14} {:>9} inputs, {:>9} rejected, {} crashes", t.name, s.runs, s.rejected, s.crashes.len());
        for c in &s.crashes {
            println!("  {c}");
        }
        crashes += s.crashes.len();
    }
    if crashes > 0 {
        std::process::exit(1);
    }
}
