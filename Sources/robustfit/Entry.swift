#if !FUZZING
/// The process entry: `robustfit …`. A build with `-D FUZZING` leaves it out, so that libFuzzer's own
/// `main` drives `LLVMFuzzerTestOneInput` (FitFuzzing.swift) instead.
@main
enum Entry {
  static func main() { RobustfitCommand.main() }
}
#endif
