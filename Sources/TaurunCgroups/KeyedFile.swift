/// Parsing of cgroup's "flat keyed" files: memory.stat, cpu.stat, memory.events, pids.events, ...
public enum KeyedFile {
    public static func parse(_ text: String) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let value = UInt64(fields[1]) else { continue }
            result[String(fields[0])] = value
        }
        return result
    }

    /// The value of `key` in the flat-keyed file at `path`, nil if the file or the key is absent.
    static func value(of key: String, inFile path: String) throws(CgroupError) -> UInt64? {
        guard let text = try CgroupFiles.readTrimmedIfPresent(path) else { return nil }
        return parse(text)[key]
    }
}
