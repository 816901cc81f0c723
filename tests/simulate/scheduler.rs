//! The seeded scheduler and the shrinker. Every choice a run makes (the scenario, each latency, each fault, which
//! of two simultaneous events goes first) is one number drawn from [`Choices`]: from a splitmix64 generator seeded
//! with the run's seed, or from a recorded stream when a schedule is replayed. So a run is a pure function of its
//! stream, and a failing stream can be shrunk: [`shrink`] deletes and lowers numbers while the run still fails the
//! same way. Every draw is made so that 0 is the plain choice (no fault, no latency, the first event in line), so a
//! shorter, lower stream is a simpler schedule.

/// The stream of choices of one run.
pub struct Choices {
    state: u64,
    replay: Option<Vec<u64>>,
    at: usize,
    /// Every choice made, reduced to its range: replaying these makes the same run.
    pub made: Vec<u64>,
}

impl Choices {
    /// Choices drawn from `seed`.
    pub fn seeded(seed: u64) -> Self {
        Choices { state: seed, replay: None, at: 0, made: Vec::new() }
    }

    /// Choices read from `stream`; past its end every choice is 0.
    pub fn replaying(stream: Vec<u64>) -> Self {
        Choices { state: 0, replay: Some(stream), at: 0, made: Vec::new() }
    }

    fn splitmix(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0 or 1, without using up a choice).
    pub fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        let raw = match &self.replay {
            Some(stream) => stream.get(self.at).copied().unwrap_or(0),
            None => self.splitmix(),
        };
        self.at += 1;
        let v = raw % n;
        self.made.push(v);
        v
    }

    /// `true` with probability `per_mille` / 1000; 0 draws `false`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        per_mille > 0 && self.below(1000) >= 1000 - per_mille.min(1000)
    }

    /// One of `items`, the first for 0.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// A number in `[0, 1)` for the core's backoff jitter (0 is no wait).
    pub fn unit(&mut self) -> f64 {
        self.below(1024) as f64 / 1024.0
    }
}

/// Events in time order. Events due at the same moment are taken in an order the choices decide.
pub struct Queue<E> {
    items: Vec<(f64, u64, E)>,
    seq: u64,
}

impl<E> Queue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Queue { items: Vec::new(), seq: 0 }
    }

    /// Adds `event` at `at` ms.
    pub fn push(&mut self, at: f64, event: E) {
        self.seq += 1;
        self.items.push((at, self.seq, event));
    }

    /// The next event and its time: the earliest; among several at that time, the one `choices` picks.
    pub fn pop(&mut self, choices: &mut Choices) -> Option<(f64, E)> {
        let first = self.items.iter().map(|e| e.0).min_by(|a, b| a.total_cmp(b))?;
        let mut due: Vec<usize> = (0..self.items.len()).filter(|&i| self.items[i].0 == first).collect();
        due.sort_by_key(|&i| self.items[i].1);
        let i = due[choices.below(due.len() as u64) as usize];
        let (at, _, event) = self.items.swap_remove(i);
        Some((at, event))
    }
}

/// Shrinks a failing `stream`: the shortest and lowest stream found within `budget` runs for which `fails` still
/// holds. Passes: cut the tail, delete blocks (large to small), then lower each number (to 0, halve, minus one).
pub fn shrink(stream: Vec<u64>, budget: usize, fails: &mut dyn FnMut(&[u64]) -> bool) -> (Vec<u64>, usize) {
    let mut best = stream;
    let mut runs = 0;
    let mut attempt = |candidate: Vec<u64>, best: &mut Vec<u64>, runs: &mut usize| -> bool {
        if *runs >= budget || candidate == *best {
            return false;
        }
        *runs += 1;
        let failed = fails(&candidate);
        if failed {
            *best = candidate;
        }
        failed
    };
    loop {
        let before = best.clone();
        // Cut the tail (past its end a stream chooses 0 everywhere): the shortest prefix that still fails.
        for eighths in 1..8 {
            let keep = best.len() * eighths / 8;
            if attempt(best[..keep].to_vec(), &mut best, &mut runs) {
                break;
            }
        }
        // Delete blocks (an item of the scenario is one block of choices), at every offset, from the end.
        for size in [32, 16, 8, 7, 6, 5, 4, 3, 2, 1] {
            let mut end = best.len();
            while end >= size && runs < budget {
                let mut candidate = best.clone();
                candidate.drain(end - size..end);
                if !attempt(candidate, &mut best, &mut runs) {
                    end -= 1;
                }
                end = end.min(best.len());
            }
        }
        let mut i = 0;
        while i < best.len() && runs < budget {
            for lower in [0, best[i] / 2, best[i].saturating_sub(1)] {
                if lower < best[i] {
                    let mut candidate = best.clone();
                    candidate[i] = lower;
                    if attempt(candidate, &mut best, &mut runs) {
                        break;
                    }
                }
            }
            i += 1;
        }
        if best == before || runs >= budget {
            return (best, runs);
        }
    }
}

/// A stream as text for a command line: base-36 numbers joined by `.`, runs of zeros as `_n`.
pub fn encode(stream: &[u64]) -> String {
    let mut out = Vec::new();
    let mut zeros = 0;
    for &v in stream {
        if v == 0 {
            zeros += 1;
            continue;
        }
        if zeros > 0 {
            out.push(if zeros == 1 { "0".to_owned() } else { format!("_{zeros}") });
            zeros = 0;
        }
        out.push(base36(v));
    }
    if zeros > 0 {
        out.push(if zeros == 1 { "0".to_owned() } else { format!("_{zeros}") });
    }
    out.join(".")
}

/// The stream `encode` wrote.
pub fn decode(text: &str) -> Option<Vec<u64>> {
    let mut out = Vec::new();
    for part in text.split('.').filter(|p| !p.is_empty()) {
        match part.strip_prefix('_') {
            Some(n) => out.extend(std::iter::repeat_n(0, n.parse().ok()?)),
            None => out.push(u64::from_str_radix(part, 36).ok()?),
        }
    }
    Some(out)
}

fn base36(mut v: u64) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(std::char::from_digit((v % 36) as u32, 36).unwrap_or('0'));
        v /= 36;
        if v == 0 {
            break;
        }
    }
    digits.iter().rev().collect()
}
