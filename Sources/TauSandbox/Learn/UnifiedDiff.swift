/// A unified diff of two texts (`diff -u` layout, 3 lines of context), as `taurun learn` shows a manifest change:
/// `patch -p0` applies it. Lines are matched with Myers' algorithm (O((N+M)·D)), so the few lines a change touches
/// cost little in a long manifest.
public enum UnifiedDiff {
    public static func make(old: String, new: String, path: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        let script = edits(a, b)
        guard script.contains(where: { $0 != .keep }) else { return "" }
        var out = "--- \(path)\n+++ \(path)\n"
        // Walk the script, cutting it into hunks wherever more than 2×context unchanged lines separate changes.
        var hunks: [Range<Int>] = []
        var index = 0
        while index < script.count {
            guard script[index] != .keep else { index += 1; continue }
            var end = index
            var lastChange = index
            while end < script.count {
                if script[end] != .keep { lastChange = end } else if end - lastChange > 2 * context { break }
                end += 1
            }
            let start = max(0, index - context)
            let stop = min(script.count, lastChange + context + 1)
            if let previous = hunks.last, previous.upperBound >= start {
                hunks[hunks.count - 1] = previous.lowerBound..<stop
            } else {
                hunks.append(start..<stop)
            }
            index = lastChange + 1
        }
        // Line numbers of the script's positions in a and b.
        var aLine = [Int](repeating: 0, count: script.count + 1), bLine = aLine
        for (position, edit) in script.enumerated() {
            aLine[position + 1] = aLine[position] + (edit == .insert ? 0 : 1)
            bLine[position + 1] = bLine[position] + (edit == .delete ? 0 : 1)
        }
        for hunk in hunks {
            let aCount = aLine[hunk.upperBound] - aLine[hunk.lowerBound]
            let bCount = bLine[hunk.upperBound] - bLine[hunk.lowerBound]
            out += "@@ -\(range(aLine[hunk.lowerBound], aCount)) +\(range(bLine[hunk.lowerBound], bCount)) @@\n"
            for position in hunk {
                switch script[position] {
                case .keep: out += " " + a[aLine[position]].shown
                case .delete: out += "-" + a[aLine[position]].shown
                case .insert: out += "+" + b[bLine[position]].shown
                }
            }
        }
        return out
    }

    enum Edit: Equatable { case keep, delete, insert }

    struct Line: Equatable {
        var text: Substring
        /// The file's last line, with no newline after it (`\ No newline at end of file`).
        var unterminated: Bool
        var shown: String { String(text) + (unterminated ? "\n\\ No newline at end of file\n" : "\n") }
    }

    static func lines(_ text: String) -> [Line] {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        let terminated = parts.last == ""
        if terminated { parts.removeLast() }
        return parts.enumerated().map { Line(text: $0.element, unterminated: !terminated && $0.offset == parts.count - 1) }
    }

    /// `start,count` the way diff numbers lines (1-based; an empty range names the line before it).
    static func range(_ start: Int, _ count: Int) -> String {
        count == 0 ? "\(start),0" : "\(start + 1),\(count)"
    }

    /// The shortest edit script from a to b (Myers 1986): the furthest-reaching path on each diagonal k for each
    /// number of edits d, remembered per d, then walked back from the end.
    static func edits(_ a: [Line], _ b: [Line]) -> [Edit] {
        let n = a.count, m = b.count, offset = n + m + 1
        var v = [Int](repeating: 0, count: 2 * offset + 1)
        // trace[d]: v as it was before round d.
        var trace: [[Int]] = []
        var found = 0
        search: for d in 0...(n + m) {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n && y < m && a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n && y >= m {
                    found = d
                    break search
                }
            }
        }
        var script: [Edit] = []
        var x = n, y = m
        for d in stride(from: found, to: 0, by: -1) {
            let before = trace[d]
            let k = x - y
            let down = k == -d || (k != d && before[offset + k - 1] < before[offset + k + 1])
            let previousK = down ? k + 1 : k - 1
            let previousX = before[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX && y > previousY {
                script.append(.keep)
                x -= 1
                y -= 1
            }
            script.append(down ? .insert : .delete)
            x = previousX
            y = previousY
        }
        while x > 0 && y > 0 {
            script.append(.keep)
            x -= 1
            y -= 1
        }
        return script.reversed()
    }
}
