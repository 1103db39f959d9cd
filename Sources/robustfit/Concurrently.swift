// Two independent parts of a report computed at the same time.

import Dispatch

/// Runs `first` and `second` at the same time, on the caller's thread and one of Dispatch's, and returns
/// both results. For the single-threaded parts of a report that do not depend on each other (the residual
/// quantiles and the outliers' list: about 9 and 4 ms at n = 1e6, while the other core is idle).
func concurrently<A, B>(_ first: () -> A, _ second: () -> B) -> (A, B) {
  var a: A?
  var b: B?
  withoutActuallyEscaping(first) { first in
    withoutActuallyEscaping(second) { second in
      withUnsafeMutablePointer(to: &a) { a in
        withUnsafeMutablePointer(to: &b) { b in
          // Each of the two iterations writes only its own result.
          let parts = UncheckedParts(first: first, second: second, a: a, b: b)
          DispatchQueue.concurrentPerform(iterations: 2) { k in
            if k == 0 { parts.a.pointee = parts.first() } else { parts.b.pointee = parts.second() }
          }
        }
      }
    }
  }
  return (a!, b!)
}

/// The two parts and where their results go, handed to the two iterations of one `concurrentPerform`.
private struct UncheckedParts<A, B>: @unchecked Sendable {
  let first: () -> A
  let second: () -> B
  let a: UnsafeMutablePointer<A?>
  let b: UnsafeMutablePointer<B?>
}
