/// A mount table in the format of /proc/<pid>/mountinfo (proc_pid_mountinfo(5)), one mount per line:
/// `id parent major:minor root mountpoint options [optional fields...] - fstype source superoptions`.
///
/// The kernel writes every space, tab, newline and backslash inside a field as a three-digit octal escape (\040,
/// \011, \012, \134), so the table splits on '\n' and a line on ' ' without ambiguity; `MountInfo.unescape` turns a
/// field back into its bytes. This is on the path of every `run` (the cgroup layout, the container's cgroup mounts),
/// so a line is scanned once over raw bytes, an entry keeps only the byte ranges of the fields it can return (no
/// array per line), and a field becomes a String only when a caller asks for it: most callers look at a few of the
/// host's hundreds of mounts. (Splitting the String by Characters cost about 1 ms of a `run` in grapheme breaking;
/// generic byte splitting four times what this scan costs.)
public struct MountInfo: Sequence, Sendable {
    let bytes: [UInt8]

    public init(_ text: String) { bytes = Array(text.utf8) }
    public init(bytes: [UInt8]) { self.bytes = bytes }

    public func makeIterator() -> Iterator { Iterator(bytes: bytes, position: 0) }

    /// The mounts one by one; a line that is not in the format above (the kernel writes none) is skipped.
    public struct Iterator: IteratorProtocol {
        let bytes: [UInt8]
        var position: Int

        public mutating func next() -> MountInfoEntry? {
            let bytes = self.bytes
            var position = self.position
            defer { self.position = position }
            return bytes.withUnsafeBufferPointer { buffer in
                while position < buffer.count {
                    var end = position
                    while end < buffer.count && buffer[end] != UInt8(ascii: "\n") { end += 1 }
                    let start = position
                    position = end + 1
                    if let entry = MountInfoEntry(line: start..<end, of: buffer, table: bytes) { return entry }
                }
                return nil
            }
        }
    }

    /// A field with its octal escapes decoded. The kernel escapes a backslash too, so every backslash followed by
    /// three octal digits (at most \377) is an escape; anything else is kept as it is.
    public static func unescape(_ field: ArraySlice<UInt8>) -> String {
        guard field.contains(UInt8(ascii: "\\")) else { return String(decoding: field, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(field.count)
        var index = field.startIndex
        while index < field.endIndex {
            let byte = field[index]
            if byte == UInt8(ascii: "\\"), index + 3 < field.endIndex,
                let value = octalByte(field[index + 1], field[index + 2], field[index + 3])
            {
                out.append(value)
                index += 4
                continue
            }
            out.append(byte)
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The same for a field given as a String.
    public static func unescape(_ field: String) -> String { unescape(Array(field.utf8)[...]) }

    private static func octalByte(_ high: UInt8, _ middle: UInt8, _ low: UInt8) -> UInt8? {
        func digit(_ byte: UInt8) -> UInt32? {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7") ? UInt32(byte - UInt8(ascii: "0")) : nil
        }
        guard let high = digit(high), let middle = digit(middle), let low = digit(low) else { return nil }
        let value = high * 64 + middle * 8 + low
        return value <= 0o377 ? UInt8(value) : nil
    }
}

/// One mount of a `MountInfo` table: the byte ranges of its fields in the table, read on demand.
public struct MountInfoEntry: Sendable {
    let table: [UInt8]
    let rootRange: Range<Int>, mountPointRange: Range<Int>, mountOptionsRange: Range<Int>
    let fsTypeRange: Range<Int>, sourceRange: Range<Int>, superOptionsRange: Range<Int>

    /// Nil for a line without the six fixed fields, the "-" and the three fields after it.
    init?(line: Range<Int>, of buffer: UnsafeBufferPointer<UInt8>, table: [UInt8]) {
        var fixed: (Range<Int>, Range<Int>, Range<Int>) = (0..<0, 0..<0, 0..<0)
        var tail: (Range<Int>, Range<Int>, Range<Int>) = (0..<0, 0..<0, 0..<0)
        var field = 0
        var afterSeparator = -1
        var index = line.lowerBound
        while index < line.upperBound {
            while index < line.upperBound && buffer[index] == UInt8(ascii: " ") { index += 1 }
            if index == line.upperBound { break }
            let start = index
            while index < line.upperBound && buffer[index] != UInt8(ascii: " ") { index += 1 }
            let range = start..<index
            if afterSeparator < 0 {
                switch field {
                case 3: fixed.0 = range
                case 4: fixed.1 = range
                case 5: fixed.2 = range
                default:
                    // The separator comes after the six fixed fields, so a mount point named "-" is not taken for it.
                    if field >= 6 && range.count == 1 && buffer[start] == UInt8(ascii: "-") { afterSeparator = 0 }
                }
            } else {
                afterSeparator += 1
                switch afterSeparator {
                case 1: tail.0 = range
                case 2: tail.1 = range
                case 3: tail.2 = range
                default: break
                }
            }
            field += 1
        }
        guard afterSeparator >= 3 else { return nil }
        self.table = table
        (rootRange, mountPointRange, mountOptionsRange) = fixed
        (fsTypeRange, sourceRange, superOptionsRange) = tail
    }

    /// The directory of the filesystem that is mounted (e.g. a sub-tree for a bind mount), unescaped.
    public var root: String { MountInfo.unescape(table[rootRange]) }
    /// Where it is mounted, unescaped.
    public var mountPoint: String { MountInfo.unescape(table[mountPointRange]) }
    /// The per-mount options (`rw,nosuid,...`).
    public var mountOptions: [String] { Self.list(table[mountOptionsRange]) }
    /// The filesystem type (`cgroup2`, `ext4`, `fuse.sshfs`, ...), unescaped.
    public var fsType: String { MountInfo.unescape(table[fsTypeRange]) }
    /// The filesystem-specific source (`/dev/sda1`, `none`), unescaped.
    public var source: String { MountInfo.unescape(table[sourceRange]) }
    /// The per-superblock options (`rw,memory`, `rw,nsdelegate`), each unescaped.
    public var superOptions: [String] { Self.list(table[superOptionsRange]) }

    /// Whether the filesystem type is `name`, compared on bytes without making a String: the cheap test a caller
    /// looking for one kind of mount applies to every line.
    public func hasFSType(_ name: String) -> Bool { table[fsTypeRange].elementsEqual(name.utf8) }

    private static func list(_ field: ArraySlice<UInt8>) -> [String] {
        field.split(separator: UInt8(ascii: ",")).map { MountInfo.unescape($0) }
    }
}
