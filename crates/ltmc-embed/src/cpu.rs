//! What the CPU offers the embedding runtimes: how many physical cores (the
//! default thread count) and which vector instruction sets (reported by
//! `ltmc doctor`). Read once from the OS; not a place for any tuning decision.

/// Physical cores this process may use: logical CPUs allowed to it, less the
/// hyper-threads that share a core (read from `/proc/cpuinfo` on Linux, where
/// two threads on one core slow ONNX Runtime's matrix kernels down).
pub fn physical_cores() -> usize {
    let logical = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let per_core = threads_per_core().unwrap_or(1).max(1);
    (logical / per_core).max(1)
}

/// `siblings / cpu cores` of the first package in `/proc/cpuinfo`.
fn threads_per_core() -> Option<usize> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let field = |name: &str| {
        info.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split(':').nth(1))
            .and_then(|v| v.trim().parse::<usize>().ok())
    };
    let siblings = field("siblings")?;
    let cores = field("cpu cores")?;
    (cores > 0).then(|| siblings / cores)
}

/// The vector instruction sets the matrix kernels can use, e.g. "avx2 fma avx512f
/// avx512vnni" (empty on a CPU with none of them).
pub fn vector_features() -> String {
    let mut found: Vec<&str> = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            found.push("avx2");
        }
        if std::arch::is_x86_feature_detected!("fma") {
            found.push("fma");
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            found.push("avx512f");
        }
        if std::arch::is_x86_feature_detected!("avx512vnni") {
            found.push("avx512vnni");
        }
        if std::arch::is_x86_feature_detected!("avxvnni") {
            found.push("avxvnni");
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        if std::arch::is_aarch64_feature_detected!("neon") {
            found.push("neon");
        }
        if std::arch::is_aarch64_feature_detected!("dotprod") {
            found.push("dotprod");
        }
    }
    found.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_is_at_least_one_core() {
        let n = physical_cores();
        assert!(n >= 1);
        assert!(n <= std::thread::available_parallelism().unwrap().get());
    }
}
