//! Deterministic load figures: a hash of (seed, object, time bucket) gives usage that looks alive but
//! is the same in every run with the same seed.

/// A value in 0..1 for `key` at `bucket` (splitmix64).
pub fn noise(seed: u64, key: u64, bucket: u64) -> f64 {
    let mut z = seed
        .wrapping_add(key.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(bucket.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}
