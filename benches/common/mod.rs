//! What the benchmark programs share: percentiles of timings and a process's resident memory.
#![allow(dead_code)]

use std::time::Duration;

/// The `p` quantile (0..1) of `samples`, in milliseconds (sorts them).
pub fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_unstable();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index].as_secs_f64() * 1e3
}

/// Resident memory of `process` ("self" or a pid) in KiB, from /proc; 0 if unknown.
pub fn resident_kib(process: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{process}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}
