import RealModule

/// Series and closed forms of functions that cancel near 0 in their textbook form, for Barron's shape
/// derivatives (`BarronShapeDerivatives`) and the log-partition function (`LogPartition`).

/// h(y) = log(1 + y) − y/(1 + y) for y ≥ 0. Below y = 1/4, where the two terms cancel (both are
/// y − O(y²) while h ≈ y²/2), it is summed without cancellation: with t = y/(2 + y) (so that
/// log(1 + y) = 2 atanh t and y/(1 + y) = 2t/(1 + t)), h = 2t²/(1 + t) + 2t³ Σ_{k≥0} t^(2k)/(2k + 3), all
/// terms positive; t ≤ 1/9, so nine terms of the sum reach 1e-17 of it. `l` is log(1 + y), already
/// computed by the caller.
@usableFromInline func logOnePlusMinusRatio(_ y: Double, logOnePlus l: Double) -> Double {
  if y.isInfinite { return .infinity }
  if y < 0.25 {
    let t = y / (2 + y), t2 = t * t
    // Σ_{k=0…8} t^(2k)/(2k + 3) by Horner.
    var series = 1.0 / 19
    series = series * t2 + 1.0 / 17
    series = series * t2 + 1.0 / 15
    series = series * t2 + 1.0 / 13
    series = series * t2 + 1.0 / 11
    series = series * t2 + 1.0 / 9
    series = series * t2 + 1.0 / 7
    series = series * t2 + 1.0 / 5
    series = series * t2 + 1.0 / 3
    return 2 * t2 / (1 + t) + 2 * t2 * t * series
  }
  return l - y / (1 + y)
}

/// φ(x) = (eˣ − 1)/x and its first two derivatives, by the Taylor series Σ x^k/(k+1)! for |x| < 1 (where
/// the closed forms (x eˣ − eˣ + 1)/x² and (eˣ(x² − 2x + 2) − 2)/x³ cancel) and in closed form otherwise
/// (for x ≥ 1 eˣ is 1 + (eˣ − 1), which loses nothing there; below −1 both are computed).
@usableFromInline func expMinusOneOverXJet(_ x: Double) -> (Double, Double, Double) {
  expMinusOneOverXSeries(x, derivatives: true)
}

/// φ(x) = (eˣ − 1)/x alone, the same double as ``expMinusOneOverXJet(_:)``'s φ: the same series (its
/// terms stop where the jet's do) or closed form, without summing the derivatives.
@usableFromInline func expMinusOneOverXValue(_ x: Double) -> Double {
  expMinusOneOverXSeries(x, derivatives: false).0
}

/// The jet of φ, or with `derivatives` false φ alone (its derivatives then 0): one body for both, so
/// that φ is the same double either way.
@inline(__always) func expMinusOneOverXSeries(_ x: Double, derivatives: Bool) -> (Double, Double, Double) {
  if abs(x) < 1 {
    var f0 = 0.0, f1 = 0.0, f2 = 0.0
    // coefficient c_k = 1/(k+1)!; f0 = Σ c_k x^k, f1 = Σ k c_k x^(k−1), f2 = Σ k(k−1) c_k x^(k−2).
    var pk = 1.0  // x^k
    var pk1 = 0.0  // x^(k−1)
    var pk2 = 0.0  // x^(k−2)
    for k in 0...24 {
      let c = inverseFactorials[k + 1]
      let t0 = c * pk, t1 = Double(k) * c * pk1, t2 = Double(k * (k - 1)) * c * pk2
      f0 += t0
      if derivatives {
        f1 += t1
        f2 += t2
      }
      // For |x| < 1, f0 ≥ 0.63, f1 ≥ 0.26, f2 ≥ 0.16 and the terms decrease from k = 2 on: stop once they are
      // below 1e-18 together (6e-18 relative), a few terms for the small x most residuals give.
      if k >= 3 && abs(t0) + abs(t1) + abs(t2) <= 1e-18 { break }
      pk2 = pk1
      pk1 = pk
      pk *= x
      if k == 0 { pk1 = 1 }
      if k == 1 { pk2 = 1 }
    }
    return (f0, f1, f2)
  }
  let em = Double.expMinusOne(x)
  let f0 = em / x
  guard derivatives else { return (f0, 0, 0) }
  let e = x >= 1 ? 1 + em : Double.exp(x)
  let f1 = (x * e - em) / (x * x)
  let f2 = (e * (x * x - 2 * x) + 2 * em) / (x * x * x)
  return (f0, f1, f2)
}

/// 1/k! for k = 0…25, each the double nearest to it (the products below are exact in binary up to 22!,
/// and the quotient of two correctly rounded values is within an ulp beyond).
@usableFromInline let inverseFactorials: [Double] = {
  var factorial = 1.0
  return (0...25).map { k in
    if k > 0 { factorial *= Double(k) }
    return 1 / factorial
  }
}()

/// log(1 + x)/x, exact at 0 and by its series for |x| < 1e-4 (where log(1 + x)/x loses nothing but x may
/// be subnormal); 0 at +∞.
@usableFromInline func logOnePlusOverX(_ x: Double) -> Double {
  if x == 0 { return 1 }
  if x.isInfinite { return 0 }
  if abs(x) < 1e-4 { return 1 - x * (1.0 / 2 - x * (1.0 / 3 - x * (1.0 / 4 - x / 5))) }
  return Double.log(onePlus: x) / x
}

/// (eˣ − 1)/x, exact at 0 and by its series for |x| < 1e-4.
@usableFromInline func expMinusOneOverX(_ x: Double) -> Double {
  if x == 0 { return 1 }
  if abs(x) < 1e-4 { return 1 + x * (1.0 / 2 + x * (1.0 / 6 + x * (1.0 / 24 + x / 120))) }
  return Double.expMinusOne(x) / x
}
