//! # rookery-fuzz — every parser that takes outside input, fuzzed on stable Rust
//!
//! ```text
//!   targets()  name → seeds (from ../shared/data and built-in documents) + run(&[u8])
//!   fuzz(target, Budget)                 deterministic mutation loop (xorshift, seeded):
//!       input = seed or earlier input ──mutate (bit/byte flips, magic numbers, deletions,
//!       duplications, splices, dictionary tokens, numbers)──► run under catch_unwind
//!       a panic = a crash: the input is saved (`<out>/<target>-<hash>.bin`) and reported
//!   regressions/<target>/*              every crash found becomes a file here, replayed first
//! ```
//!
//! Not coverage-guided (that needs nightly Rust for libFuzzer): a seeded mutation fuzzer whose
//! runs are reproducible. `cargo test -p rookery-fuzz` runs every target briefly;
//! `cargo run --release -p rookery-fuzz -- all --secs 600` runs longer (see the README).

mod mutate;
mod targets;

pub use mutate::Rng;
pub use targets::{targets, Target};

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a fuzz run lasts: whichever limit comes first.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Inputs tried at most.
    pub iterations: u64,
    /// Wall time at most.
    pub time: Duration,
    /// Seed of the mutation sequence.
    pub seed: u64,
}

/// A panic found: the input and the panic message.
#[derive(Debug)]
pub struct Crash {
    /// Target name.
    pub target: &'static str,
    /// The panic message.
    pub message: String,
    /// Where the input was saved (when an output directory was given).
    pub saved: Option<PathBuf>,
    /// The input.
    pub input: Vec<u8>,
}

impl std::fmt::Display for Crash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: panic: {} (input of {} bytes", self.target, self.message, self.input.len())?;
        match &self.saved {
            Some(p) => write!(f, ", saved to {})", p.display()),
            None => write!(f, ")"),
        }
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Stats {
    /// Inputs tried.
    pub runs: u64,
    /// Inputs the parser rejected with an error (the expected outcome for most).
    pub rejected: u64,
    /// Crashes found.
    pub crashes: Vec<Crash>,
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs a panic hook that keeps panics of fuzzed code quiet (they are reported as crashes);
/// other panics (a test's assertions) print as usual.
pub fn quiet_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !QUIET.with(std::cell::Cell::get) {
            default(info);
        }
    }));
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-text panic".into())
}

/// A parser panicked: the panic's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Panicked(pub String);

/// Runs `t` on one input: `Ok(accepted)`, or the panic.
///
/// # Errors
/// The parser panicked.
pub fn run_one(t: &Target, input: &[u8]) -> Result<bool, Panicked> {
    QUIET.with(|q| q.set(true));
    let r = std::panic::catch_unwind(AssertUnwindSafe(|| (t.run)(input))).map_err(|p| Panicked(panic_text(p.as_ref())));
    QUIET.with(|q| q.set(false));
    r
}

fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &x| (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3))
}

fn save(out: Option<&Path>, target: &str, input: &[u8]) -> Option<PathBuf> {
    let dir = out?;
    std::fs::create_dir_all(dir).ok()?;
    let p = dir.join(format!("{target}-{:016x}.bin", fnv(input)));
    std::fs::write(&p, input).ok()?;
    Some(p)
}

/// Replays the saved inputs of `dir` (regressions): each must not panic.
#[must_use]
pub fn replay(t: &Target, dir: &Path) -> Stats {
    let mut stats = Stats::default();
    let Ok(rd) = std::fs::read_dir(dir) else { return stats };
    let mut files: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort();
    for f in files {
        let Ok(input) = std::fs::read(&f) else { continue };
        stats.runs += 1;
        match run_one(t, &input) {
            Ok(true) => {}
            Ok(false) => stats.rejected += 1,
            Err(Panicked(message)) => stats.crashes.push(Crash { target: t.name, message, saved: Some(f), input }),
        }
    }
    stats
}

/// Fuzzes `t` within `budget`; crashing inputs are saved under `out`.
#[must_use]
pub fn fuzz(t: &Target, budget: Budget, out: Option<&Path>) -> Stats {
    let mut rng = Rng::new(budget.seed ^ fnv(t.name.as_bytes()));
    let seeds = (t.seeds)();
    let mut stats = Stats::default();
    // Seeds first, as they are.
    let mut pool: Vec<Vec<u8>> = seeds.clone();
    let started = Instant::now();
    let mut seen_crash = std::collections::HashSet::new();
    let mut i = 0u64;
    while i < budget.iterations && started.elapsed() < budget.time {
        let input = if (i as usize) < seeds.len() {
            seeds[i as usize].clone()
        } else {
            let base = &pool[rng.below(pool.len())];
            let other = &seeds[rng.below(seeds.len().max(1)).min(seeds.len().saturating_sub(1))];
            mutate::mutate(&mut rng, base, other, t.dict, t.max_len)
        };
        i += 1;
        stats.runs += 1;
        match run_one(t, &input) {
            Ok(accepted) => {
                if !accepted {
                    stats.rejected += 1;
                }
                // Inputs that still parse are good bases for deeper mutations.
                if accepted && pool.len() < 256 && rng.below(8) == 0 {
                    pool.push(input);
                }
            }
            Err(Panicked(message)) => {
                if seen_crash.insert(message.clone()) {
                    let saved = save(out, t.name, &input);
                    stats.crashes.push(Crash { target: t.name, message, saved, input });
                }
            }
        }
    }
    stats
}
