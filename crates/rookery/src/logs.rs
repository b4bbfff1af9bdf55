//! The command line's log on stderr: warnings by default, `-q` errors only, `-v` info, `-vv`
//! debug, `-vvv` trace; `ROOKERY_LOG` (else `RUST_LOG`) directives such as
//! `warn,rookery_io=debug` replace the flags. Each distinct warning is printed once per
//! dataset (the `dataset` span `rookery check` opens, or the one dataset of a command) and
//! counted; those seen more than once are listed with their count when the command ends.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Filter, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// Warnings seen: key → (count, the line as first printed), in first-seen order.
#[derive(Default)]
struct Seen {
    counts: HashMap<String, usize>,
    order: Vec<(String, String)>,
}

/// The handle that prints the repeat counts at the end.
pub(crate) struct Logs {
    seen: Arc<Mutex<Seen>>,
}

/// The filter level of `-q`/`-v`.
fn level(quiet: bool, verbose: u8) -> &'static str {
    match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    }
}

/// Installs the log (see the module documentation).
pub(crate) fn init(quiet: bool, verbose: u8) -> Logs {
    let directives =
        ["ROOKERY_LOG", "RUST_LOG"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()));
    let filter = directives
        .and_then(|d| tracing_subscriber::EnvFilter::try_new(d).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(level(quiet, verbose)));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .with_filter(Once { seen: Arc::clone(&seen) });
    // A second initialisation (none in the binary) would keep the first subscriber.
    let _ = tracing_subscriber::registry().with(filter).with(fmt).try_init();
    Logs { seen }
}

impl Logs {
    /// Prints each warning that was seen more than once, with its count.
    pub(crate) fn summary(&self) {
        let Ok(s) = self.seen.lock() else { return };
        for (key, line) in &s.order {
            let n = s.counts.get(key).copied().unwrap_or(0);
            if n > 1 {
                eprintln!("rookery: the warning \"{line}\" was given {n} times");
            }
        }
    }
}

/// Lets a warning through the first time it is seen for its dataset.
struct Once {
    seen: Arc<Mutex<Seen>>,
}

#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Filter<S> for Once {
    fn enabled(&self, _: &Metadata<'_>, _: &Context<'_, S>) -> bool {
        true
    }

    fn event_enabled(&self, event: &Event<'_>, cx: &Context<'_, S>) -> bool {
        if *event.metadata().level() != Level::WARN {
            return true;
        }
        let mut m = Message::default();
        event.record(&mut m);
        let line = m.0;
        // The dataset: the spans the event happened in, with their fields as the fmt layer
        // recorded them.
        let mut key = String::new();
        if let Some(scope) = cx.event_scope(event) {
            for span in scope.from_root() {
                key.push_str(span.name());
                if let Some(f) = span
                    .extensions()
                    .get::<tracing_subscriber::fmt::FormattedFields<tracing_subscriber::fmt::format::DefaultFields>>()
                {
                    let _ = write!(key, "{{{}}}", f.fields);
                }
                key.push(':');
            }
        }
        key.push_str(&line);
        let Ok(mut s) = self.seen.lock() else { return true };
        let n = s.counts.entry(key.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            s.order.push((key, line));
            true
        } else {
            false
        }
    }
}
