/// Container ids name a directory under the state root, so they must be a single safe path component.
/// Same rule as runc: letters, digits, `_`, `+`, `-`, `.`; not `.` or `..`; at most 1024 bytes.
public enum ContainerID {
    public static func validate(_ id: String) throws(RuntimeError) {
        guard !id.isEmpty, id != ".", id != "..", id.utf8.count <= 1024 else { throw .invalidID(id) }
        for b in id.utf8 {
            let ok = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
                || b == 0x5f || b == 0x2b || b == 0x2d || b == 0x2e
            if !ok { throw .invalidID(id) }
        }
    }
}
