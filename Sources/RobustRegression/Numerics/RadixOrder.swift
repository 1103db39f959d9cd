/// The stable order of 64-bit keys by a least-significant-digit radix sort: byte by byte from the lowest,
/// each pass a stable counting sort, a pass skipped when every key has the same byte there. Equal keys keep
/// their index order, so it is the order `sort` would give with the comparison `keys[i] < keys[j]`, in
/// O(n) (eight passes at most) instead of O(n log n) comparisons.
enum RadixOrder {
  /// The indices 0..<keys.count ordered by increasing key, equal keys by increasing index.
  static func stable(_ keys: UnsafeBufferPointer<UInt64>) -> [Int] {
    let n = keys.count
    guard n > 1 else { return Array(0..<n) }
    // Every pass's byte counts in one read of the keys.
    var counts = [Int](repeating: 0, count: 8 * 256)
    counts.withUnsafeMutableBufferPointer { c in
      for key in keys { for b in 0..<8 { c[b * 256 + Int(truncatingIfNeeded: (key >> UInt64(8 * b)) & 0xFF)] += 1 } }
    }
    var order = Array(0..<n), other = [Int](repeating: 0, count: n)
    for b in 0..<8 {
      let base = b * 256, shift = UInt64(8 * b)
      // Skipped: one byte value holds every key.
      if counts[base + Int(truncatingIfNeeded: (keys[0] >> shift) & 0xFF)] == n { continue }
      var start = 0
      for d in 0..<256 {
        let c = counts[base + d]
        counts[base + d] = start
        start += c
      }
      counts.withUnsafeMutableBufferPointer { c in
        order.withUnsafeBufferPointer { from in
          other.withUnsafeMutableBufferPointer { to in
            for i in from {
              let d = base + Int(truncatingIfNeeded: (keys[i] >> shift) & 0xFF)
              to[c[d]] = i
              c[d] += 1
            }
          }
        }
      }
      swap(&order, &other)
    }
    return order
  }

  /// The order a stable sort by (key, then `precedes`) gives, `precedes` a strict weak order on the
  /// indices: ``stable(_:)``, then each run of equal keys sorted stably by `precedes`.
  static func stable(_ keys: UnsafeBufferPointer<UInt64>, thenBy precedes: (Int, Int) -> Bool) -> [Int] {
    var order = stable(keys)
    var start = 0
    while start < keys.count {
      var end = start + 1
      while end < keys.count, keys[order[end]] == keys[order[start]] { end += 1 }
      if end - start > 1 { order[start..<end].sort(by: precedes) }
      start = end
    }
    return order
  }
}
