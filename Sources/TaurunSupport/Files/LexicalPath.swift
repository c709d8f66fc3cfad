/// Path text taken apart and put together without asking the filesystem (no symlink is resolved).
public enum LexicalPath {
    /// `path` made absolute against `base`, with ".", ".." and repeated slashes resolved lexically (no symlinks).
    /// Byte-wise: split/joined over Substrings costs generic metadata on first use, a measurable part of a convert.
    public static func absolute(_ path: String, relativeTo base: String) -> String {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        let bytes = path.hasPrefix("/") ? Array(path.utf8) : Array(base.utf8) + [slash] + Array(path.utf8)
        var result: [UInt8] = []
        var componentStarts: [Int] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == slash {
                index += 1
                continue
            }
            var end = index
            while end < bytes.count && bytes[end] != slash { end += 1 }
            let length = end - index
            if length == 2 && bytes[index] == dot && bytes[index + 1] == dot {
                if let start = componentStarts.popLast() { result.removeSubrange(start...) }
            } else if !(length == 1 && bytes[index] == dot) {
                componentStarts.append(result.count)
                result.append(slash)
                result.append(contentsOf: bytes[index..<end])
            }
            index = end
        }
        return result.isEmpty ? "/" : String(decoding: result, as: UTF8.self)
    }

    /// Everything before the last slash: "/" for a file in the root, "." for a bare name.
    public static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Everything after the last slash.
    public static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
