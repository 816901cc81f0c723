//! A deterministic simulator of whole systems built on the core's state machines (issue #21, "Exactly once,
//! proven by simulation"), in the manner of FoundationDB's simulation and TigerBeetle's VOPR: one seed drives a
//! scheduler that runs several actors (syncs and keep-alives in one or more processes, Jira's deliveries and
//! retries, replays, OAuth token workers) against one simulated Jira, one delivery store and one token endpoint,
//! interleaves their steps and injects faults, and checks the invariants of `simulate/invariants.rs` at every
//! quiescent point and at the end. A failing run prints its seed, a command that runs exactly that schedule again,
//! and a shrunk schedule that still fails.
//!
//! `cargo test` runs a fixed set of seeds. `cargo test --release --test simulate -- --seeds N [--first S]` runs
//! more (`npm run simulate -- --seeds N`); its last line is JSON. `--seed S` or `--replay STREAM` runs one
//! schedule and prints its trace. See docs/simulation.md.

#[path = "simulate/delivery.rs"]
mod delivery;
#[path = "simulate/invariants.rs"]
mod invariants;
#[path = "simulate/scheduler.rs"]
mod scheduler;
#[path = "simulate/sync.rs"]
mod sync;
#[path = "simulate/token.rs"]
mod token;
#[path = "simulate/world.rs"]
mod world;

use invariants::Violation;
use scheduler::{decode, encode, shrink, Choices};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use world::{Options, World, KINDS};

/// The seeds `cargo test` runs: enough to meet every kind of actor and fault, within seconds.
const FIXED_SEEDS: u64 = 1_000;

/// What one run came to.
struct Run {
    steps: u64,
    faults: u64,
    violation: Option<Violation>,
    excused: BTreeMap<&'static str, u64>,
    seen: BTreeMap<&'static str, u64>,
    signatures: Vec<(usize, u64)>,
    stream: Vec<u64>,
    trace: Vec<String>,
}

fn run(choices: Choices, options: Options, trace: bool) -> Run {
    let mut w = World::new(choices, options, trace);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        w.run();
        w.settle();
    }));
    if let Err(panic) = outcome {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        w.ledger.violate("no-panic", w.now, format!("the core panicked: {message}"));
    }
    Run {
        steps: w.steps,
        faults: w.faults,
        violation: w.ledger.violations.first().cloned(),
        excused: std::mem::take(&mut w.ledger.excused),
        seen: std::mem::take(&mut w.seen.counts),
        signatures: (0..KINDS.len())
            .filter(|&k| w.signatures[k].steps > 0)
            .map(|k| (k, w.signatures[k].hash))
            .collect(),
        stream: std::mem::take(&mut w.choices.made),
        trace: w.trace.take().unwrap_or_default(),
    }
}

#[derive(Default)]
struct Args {
    seeds: Option<u64>,
    first: u64,
    seed: Option<u64>,
    replay: Option<Vec<u64>>,
    threads: usize,
    options: Options,
    shrink_budget: usize,
    /// Print the situations reached and the excused cases (always with `--seeds`).
    verbose: bool,
    list: bool,
    filters: Vec<String>,
}

fn args() -> Result<Args, String> {
    let mut a = Args { first: 1, threads: 2, shrink_budget: 20_000, ..Args::default() };
    let mut it = std::env::args().skip(1);
    let number = |v: Option<String>, name: &str| -> Result<u64, String> {
        v.and_then(|v| v.replace('_', "").parse().ok()).ok_or(format!("{name} needs a number"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seeds" => {
                a.seeds = Some(number(it.next(), "--seeds")?);
                a.verbose = true;
            }
            "--verbose" => a.verbose = true,
            "--first" => a.first = number(it.next(), "--first")?,
            "--seed" => a.seed = Some(number(it.next(), "--seed")?),
            "--threads" => a.threads = number(it.next(), "--threads")?.max(1) as usize,
            "--shrink-budget" => a.shrink_budget = number(it.next(), "--shrink-budget")? as usize,
            "--replay" => a.replay = Some(it.next().and_then(|s| decode(&s)).ok_or("--replay needs a stream")?),
            "--remember-hours" => {
                a.options.remember_ms = Some(number(it.next(), "--remember-hours")? as f64 * 3_600_000.0);
            }
            "--list" => a.list = true,
            // libtest's options that take a value, which `cargo test -- …` may pass on.
            "--test-threads" | "--color" | "--format" | "--logfile" | "--skip" | "-Z" => {
                it.next();
            }
            other if other.starts_with('-') => {}
            filter => a.filters.push(filter.to_owned()),
        }
    }
    Ok(a)
}

fn main() {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("simulate: {e}");
            std::process::exit(2);
        }
    };
    if args.list {
        println!("fixed_seeds: test");
        return;
    }
    // `cargo test <filter>` passes its filter to every test binary: run only when it names this one.
    if args.filters.iter().any(|f| !"simulate::fixed_seeds".contains(f.as_str())) {
        return;
    }
    std::panic::set_hook(Box::new(|_| {}));
    if let Some(stream) = args.replay.clone() {
        return one(Choices::replaying(stream), "the replayed schedule", &args);
    }
    if let Some(seed) = args.seed {
        return one(Choices::seeded(seed), &format!("seed {seed}"), &args);
    }
    let count = args.seeds.unwrap_or(FIXED_SEEDS);
    many(args.first, count, &args);
}

/// Runs one schedule and prints its trace and outcome.
fn one(choices: Choices, name: &str, args: &Args) {
    let r = run(choices, args.options, true);
    for line in &r.trace {
        println!("{line}");
    }
    println!("{name}: {} steps, {} faults", r.steps, r.faults);
    match &r.violation {
        None => println!("{name}: every invariant held"),
        Some(v) => {
            println!("{name}: `{}` broke at {:.3}s: {}", v.invariant, (v.at - world::T0) / 1000.0, v.detail);
            std::process::exit(1);
        }
    }
}

#[derive(Default)]
struct Totals {
    runs: u64,
    steps: u64,
    faults: u64,
    failures: Vec<(u64, Violation)>,
    excused: BTreeMap<&'static str, u64>,
    seen: BTreeMap<&'static str, u64>,
    signatures: Vec<HashSet<u64>>,
}

/// How many of the first seeds of a batch are also run again, and replayed from their recorded stream: the same
/// seed must make the same run, and so must its stream (what `--seed` and `--replay` rely on).
const DETERMINISM_CHECKS: u64 = 20;

fn nondeterminism(seed: u64, r: &Run, options: Options) -> Option<Violation> {
    let shape = |r: &Run| (r.steps, r.faults, r.violation.as_ref().map(|v| v.invariant), r.stream.clone());
    let again = run(Choices::seeded(seed), options, false);
    let replayed = run(Choices::replaying(r.stream.clone()), options, false);
    (shape(&again) != shape(r) || shape(&replayed) != shape(r)).then(|| Violation {
        invariant: "determinism",
        at: world::T0,
        detail: format!("seed {seed} did not make the same run twice, or its recorded stream made another run"),
    })
}

fn many(first: u64, count: u64, args: &Args) {
    let started = Instant::now();
    let next = Arc::new(Mutex::new(first));
    let last = first + count;
    let totals = Arc::new(Mutex::new(Totals { signatures: vec![HashSet::new(); KINDS.len()], ..Totals::default() }));
    let workers: Vec<_> = (0..args.threads)
        .map(|_| {
            let (next, totals, options) = (next.clone(), totals.clone(), args.options);
            std::thread::spawn(move || {
                let mut local = Totals { signatures: vec![HashSet::new(); KINDS.len()], ..Totals::default() };
                loop {
                    let seed = {
                        let mut n = next.lock().unwrap();
                        if *n >= last {
                            break;
                        }
                        *n += 1;
                        *n - 1
                    };
                    let r = run(Choices::seeded(seed), options, false);
                    if seed < first + DETERMINISM_CHECKS {
                        if let Some(v) = nondeterminism(seed, &r, options) {
                            local.failures.push((seed, v));
                        }
                    }
                    local.runs += 1;
                    local.steps += r.steps;
                    local.faults += r.faults;
                    for (k, v) in r.excused {
                        *local.excused.entry(k).or_default() += v;
                    }
                    for (k, v) in r.seen {
                        *local.seen.entry(k).or_default() += v;
                    }
                    for (kind, hash) in r.signatures {
                        local.signatures[kind].insert(hash);
                    }
                    if let Some(v) = r.violation {
                        local.failures.push((seed, v));
                    }
                }
                let mut t = totals.lock().unwrap();
                t.runs += local.runs;
                t.steps += local.steps;
                t.faults += local.faults;
                t.failures.extend(local.failures);
                for (k, v) in local.excused {
                    *t.excused.entry(k).or_default() += v;
                }
                for (k, v) in local.seen {
                    *t.seen.entry(k).or_default() += v;
                }
                for (kind, set) in local.signatures.into_iter().enumerate() {
                    t.signatures[kind].extend(set);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a simulation thread");
    }
    let mut t = std::mem::take(&mut *totals.lock().unwrap());
    t.failures.sort_by_key(|(seed, _)| *seed);
    let elapsed = started.elapsed();
    report(first, count, &t, elapsed, args);
}

fn report(first: u64, count: u64, t: &Totals, elapsed: Duration, args: &Args) {
    println!(
        "simulate: {} schedules (seeds {first}..={}), {} steps, {} faults injected, {} failing, {:.1} s",
        t.runs,
        first + count - 1,
        t.steps,
        t.faults,
        t.failures.len(),
        elapsed.as_secs_f64()
    );
    let kinds: Vec<String> = KINDS.iter().zip(&t.signatures).map(|(k, s)| format!("{k} {}", s.len())).collect();
    println!("distinct interleavings reached: {}", kinds.join(", "));
    if args.verbose {
        println!("situations reached (times):");
        for (what, n) in &t.seen {
            println!("  {n:>9}  {what}");
        }
        println!("excused by design (at-least-once, inherent losses), named and counted:");
        for (what, n) in &t.excused {
            println!("  {n:>9}  {what}");
        }
    }
    let mut by_invariant: BTreeMap<&str, u64> = BTreeMap::new();
    for (_, v) in &t.failures {
        *by_invariant.entry(v.invariant).or_default() += 1;
    }
    for (invariant, n) in &by_invariant {
        println!("FAILED {invariant}: {n} schedules");
    }
    for (seed, v) in t.failures.iter().take(5) {
        println!("seed {seed}: `{}` broke at {:.3}s: {}", v.invariant, (v.at - world::T0) / 1000.0, v.detail);
        println!("  run it again: cargo test --release --test simulate -- --seed {seed}   (or: npm run simulate -- --seed {seed})");
    }
    if let Some((seed, v)) = t.failures.first() {
        shrunk(*seed, v.invariant, args);
    }
    let first_failing = t.failures.first().map_or("null".to_owned(), |(s, _)| s.to_string());
    println!(
        r#"{{"seeds":{},"steps":{},"faults":{},"failures":{},"firstFailingSeed":{first_failing}}}"#,
        t.runs,
        t.steps,
        t.faults,
        t.failures.len()
    );
    if !t.failures.is_empty() {
        std::process::exit(1);
    }
}

/// Shrinks the schedule of `seed` while it still breaks `invariant`, and prints the result.
fn shrunk(seed: u64, invariant: &str, args: &Args) {
    let original = run(Choices::seeded(seed), args.options, false);
    let mut fails = |stream: &[u64]| {
        run(Choices::replaying(stream.to_vec()), args.options, false)
            .violation
            .is_some_and(|v| v.invariant == invariant)
    };
    let (stream, runs) = shrink(original.stream.clone(), args.shrink_budget, &mut fails);
    let small = run(Choices::replaying(stream.clone()), args.options, true);
    println!(
        "shrunk seed {seed} in {runs} runs: {} choices, {} steps, {} faults -> {} choices, {} steps, {} faults",
        original.stream.len(),
        original.steps,
        original.faults,
        stream.len(),
        small.steps,
        small.faults
    );
    println!("the shrunk schedule:");
    for line in &small.trace {
        println!("  {line}");
    }
    if let Some(v) = &small.violation {
        println!("  -> `{}` broke: {}", v.invariant, v.detail);
    }
    println!("  run it again: cargo test --release --test simulate -- --replay {}", encode(&stream));
}
