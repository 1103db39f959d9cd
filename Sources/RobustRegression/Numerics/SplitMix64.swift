/// A small, fast, seedable random number generator (Steele, Lea & Flood, "Fast splittable pseudorandom
/// number generators", OOPSLA 2014; the reference constants of Vigna's `splitmix64.c`).
///
/// Deterministic for a given seed on every platform, so tests and demos that sample are reproducible.
/// Not cryptographically secure. Every 64-bit seed, including 0, is valid; the period is 2⁶⁴.
package struct SplitMix64: RandomNumberGenerator, Sendable {
  /// The current state; advanced by the golden-ratio increment on every call.
  package private(set) var state: UInt64

  /// A generator started from `seed`.
  package init(seed: UInt64) {
    state = seed
  }

  /// The next 64 random bits.
  package mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
