//! Timing: a workload runs Veza's code path and its raw-SQL baseline alternately (so both see the same
//! caches and the same machine load), and reports p50/p95 of each and their ratio.

use serde::Serialize;
use std::future::Future;
use std::time::{Duration, Instant};

#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    pub n: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub mean_ms: f64,
}

impl Stats {
    pub fn of(mut samples: Vec<Duration>) -> Stats {
        if samples.is_empty() {
            return Stats { n: 0, p50_ms: 0.0, p95_ms: 0.0, mean_ms: 0.0 };
        }
        samples.sort();
        let n = samples.len().max(1);
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let at = |q: f64| ms(samples[((q * n as f64).ceil() as usize).clamp(1, n) - 1]);
        Stats { n: samples.len(), p50_ms: at(0.50), p95_ms: at(0.95), mean_ms: samples.iter().map(|d| ms(*d)).sum::<f64>() / n as f64 }
    }
}

/// What a workload must reach.
#[derive(Clone, Debug, Serialize)]
pub struct Target {
    /// Veza p50 / baseline p50 at most this.
    pub max_ratio: Option<f64>,
    /// Veza p95 at most this many milliseconds.
    pub max_p95_ms: Option<f64>,
    pub text: String,
}

/// One measured line of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub id: String,
    pub name: String,
    pub veza: Option<Stats>,
    pub baseline: Option<Stats>,
    /// Veza p50 / baseline p50.
    pub ratio: Option<f64>,
    pub target: Target,
    pub met: Option<bool>,
    /// Extra figures (throughput, errors, rows/s …) and remarks.
    pub notes: Vec<String>,
    /// Requests that failed (W7): a correctness problem, not a speed one.
    pub errors: u64,
}

impl Outcome {
    pub fn new(id: &str, name: &str, target: Target, veza: Stats, baseline: Option<Stats>) -> Outcome {
        let ratio = baseline.as_ref().map(|b| veza.p50_ms / b.p50_ms.max(1e-6));
        let mut met = true;
        if let (Some(max), Some(r)) = (target.max_ratio, ratio) {
            met &= r <= max;
        }
        if let Some(max) = target.max_p95_ms {
            met &= veza.p95_ms <= max;
        }
        Outcome {
            id: id.into(),
            name: name.into(),
            veza: Some(veza),
            baseline,
            ratio,
            target,
            met: Some(met),
            notes: Vec::new(),
            errors: 0,
        }
    }
}

pub fn target(max_ratio: Option<f64>, max_p95_ms: Option<f64>) -> Target {
    let mut parts = Vec::new();
    if let Some(r) = max_ratio {
        parts.push(format!("ratio ≤ {r}"));
    }
    if let Some(p) = max_p95_ms {
        parts.push(format!("p95 ≤ {p} ms"));
    }
    Target { max_ratio, max_p95_ms, text: parts.join(", ") }
}

/// Runs `veza(i)` and `baseline(i)` alternately: `warmup` untimed rounds, then `n` timed ones.
pub async fn compare<V, VF, B, BF>(warmup: usize, n: usize, mut veza: V, mut baseline: B) -> Result<(Stats, Stats), String>
where
    V: FnMut(usize) -> VF,
    VF: Future<Output = Result<(), String>>,
    B: FnMut(usize) -> BF,
    BF: Future<Output = Result<(), String>>,
{
    for i in 0..warmup {
        veza(i).await?;
        baseline(i).await?;
    }
    let (mut vs, mut bs) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in warmup..warmup + n {
        // Alternate which side goes first, so neither always inherits the other's warm cache.
        if i % 2 == 0 {
            let t = Instant::now();
            veza(i).await?;
            vs.push(t.elapsed());
            let t = Instant::now();
            baseline(i).await?;
            bs.push(t.elapsed());
        } else {
            let t = Instant::now();
            baseline(i).await?;
            bs.push(t.elapsed());
            let t = Instant::now();
            veza(i).await?;
            vs.push(t.elapsed());
        }
    }
    Ok((Stats::of(vs), Stats::of(bs)))
}
