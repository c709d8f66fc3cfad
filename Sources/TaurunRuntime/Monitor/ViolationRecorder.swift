/// What the security monitor writes to the audit log, bounded: an app must not be able to grow the monitor's memory
/// (it lives outside the app's cgroup) nor flood the shared audit log until rotation drops other apps' records.
/// One record per distinct call shape; at most `burst` records at once and `perSecond` after that; what is held back
/// is counted and reported in one summary record when recording resumes or the monitor ends.
struct ViolationRecorder {
    enum Decision: Equatable {
        /// Write the record; `suppressedBefore` records were held back since the last one (say so first).
        case record(suppressedBefore: Int)
        /// Already recorded once (an app retrying a denied call in a loop).
        case repeated
        /// Over the rate limit: counted, not written.
        case suppressed
    }

    let maxShapes: Int
    let burst: Double
    let perSecond: Double
    private var shapes: Set<String> = []
    private var tokens: Double
    private var lastRefill: Double?
    private(set) var suppressed = 0

    init(maxShapes: Int = 512, burst: Int = 20, perSecond: Int = 2) {
        self.maxShapes = maxShapes
        self.burst = Double(burst)
        self.perSecond = Double(perSecond)
        self.tokens = Double(burst)
    }

    /// `key`: the call's shape (syscall and first argument); `now`: monotonic seconds.
    mutating func decide(key: String, now: Double) -> Decision {
        if shapes.contains(key) { return .repeated }
        if let last = lastRefill { tokens = min(burst, tokens + (now - last) * perSecond) }
        lastRefill = now
        guard tokens >= 1 else {
            suppressed += 1
            return .suppressed
        }
        tokens -= 1
        // Past maxShapes new shapes are still recorded (rate-limited) but no longer remembered: memory stays bounded.
        if shapes.count < maxShapes { shapes.insert(key) }
        let held = suppressed
        suppressed = 0
        return .record(suppressedBefore: held)
    }

    /// What is left to report when the monitor ends: the number of records held back since the last one.
    mutating func takeSuppressed() -> Int {
        defer { suppressed = 0 }
        return suppressed
    }
}
