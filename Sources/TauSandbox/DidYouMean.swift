/// "Did you mean …?" suggestions for unknown keys and permissions.
enum DidYouMean {
    /// The closest candidate within an edit distance of max(1, length/3), or nil.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(Array(lowered.utf8), Array(candidate.lowercased().utf8))
            if best == nil || distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        guard let found = best else { return nil }
        let limit = max(1, min(word.utf8.count, found.candidate.utf8.count) / 3)
        return found.distance <= limit ? found.candidate : nil
    }

    /// Levenshtein distance over bytes (manifest keys are ASCII). Inputs are capped so a hostile 1 MB key costs
    /// nothing: beyond 64 bytes nothing is "close" anyway.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.count > 64 || b.count > 64 { return Int.max / 2 }
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
