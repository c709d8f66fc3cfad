#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Making and removing a name by path: a symlink, an unlink. `display` names the file in errors.
extension Files {
    /// symlink(2): `path` made a link to `target`.
    public static func makeSymlink(_ target: String, at path: String, display: String) throws(SyscallError) {
        _ = try sys("symlink", display) { symlink(target, path) }
    }

    /// unlink(2), best effort: false when there was nothing to remove or it was refused.
    @discardableResult
    public static func removeIfPresent(_ path: String) -> Bool { unlink(path) == 0 }
}
