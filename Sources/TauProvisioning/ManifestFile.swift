import TauSandbox

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The manifest file `taurun learn --write` rewrites (TauSandbox's ManifestEditor makes the new text). Learn runs as
/// root while the manifest usually belongs to the developer: the new text replaces the file atomically (a temporary
/// file beside it, O_EXCL|O_NOFOLLOW, renamed over it) and keeps the file's owner, group and mode, so the developer's
/// file stays theirs.
public enum ManifestFile {
    /// The manifest's text (at most ManifestLoader.maximumBytes).
    public static func read(_ path: String) throws(SandboxError) -> String {
        let bytes = try FileSystem.readFile(path, limit: ManifestLoader.maximumBytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Replaces the manifest with `text`, unless the file no longer holds `expected` (it was edited while the app
    /// ran: the change was computed for the old text, so nothing is written).
    public static func write(_ text: String, to path: String, expected: String) throws(SandboxError) {
        let target = try FileSystem.realPath(path)
        guard try read(target) == expected else {
            throw .policyDenied(reason: "\(path) changed while the app ran; nothing was written (run learn again)")
        }
        guard let info = try FileSystem.resolvedStatusIfPresent(target) else { throw .io(call: "stat", path: target, errno: ENOENT) }
        let temporary = target + ".learn.tmp"
        try FileSystem.unlinkIfPresent(temporary)
        try FileSystem.createFile(temporary, bytes: Array(text.utf8), mode: 0o600, durable: true)
        do throws(SandboxError) {
            try FileSystem.changeOwner(temporary, uid: info.st_uid, gid: info.st_gid)
            try FileSystem.changeMode(temporary, info.st_mode & 0o7777)
            try FileSystem.rename(temporary, to: target)
        } catch {
            try? FileSystem.unlinkIfPresent(temporary)
            throw error
        }
    }
}
