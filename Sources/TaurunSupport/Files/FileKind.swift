/// The file type bits of a stat mode (S_IFMT of <sys/stat.h>), named, so no caller masks 0o170000 by hand. The raw
/// values are the kernel's, and are what mknod(2) takes together with the permission bits.
public enum FileKind: UInt32, Sendable {
    case fifo = 0o010000
    case characterDevice = 0o020000
    case directory = 0o040000
    case blockDevice = 0o060000
    case regular = 0o100000
    case symlink = 0o120000
    case socket = 0o140000

    /// The kind of `mode` (a st_mode), nil for bits no kernel sets.
    public init?(mode: UInt32) {
        self.init(rawValue: mode & 0o170000)
    }
}
