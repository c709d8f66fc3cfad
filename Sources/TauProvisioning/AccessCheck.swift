import TauSandbox
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Host permission checks from the point of view of the app's unprivileged host uid, which owns nothing on the host
/// but its home: "other" bits are what it gets.
enum AccessCheck {
    /// Every directory from / down to `path` must have o+x; the refusal names every one that lacks it, so one
    /// command fixes them all.
    static func requireTraversable(_ path: String, origin: String) throws(SandboxError) {
        var current = ""
        var closed: [(path: String, mode: mode_t)] = []
        for component in [""] + path.split(separator: "/").map(String.init) {
            current = component.isEmpty ? "/" : (current == "/" ? "" : current) + "/" + component
            // Missing paths (or unreachable ones) are reported by the caller's own checks.
            guard let info = (try? FileSystem.resolvedStatusIfPresent(current)) ?? nil else { break }
            guard info.st_mode & S_IFMT == S_IFDIR else { break }
            if info.st_mode & 0o001 == 0 { closed.append((current, info.st_mode & 0o7777)) }
        }
        guard !closed.isEmpty else { return }
        let listed = closed.map { "\($0.path) (mode \(String($0.mode, radix: 8)))" }.joined(separator: ", ")
        throw .policyDenied(
            reason: "\(origin): \(listed): the app's unprivileged host uid must be able to traverse "
                + (closed.count == 1 ? "it" : "them") + " (chmod o+x \(closed.map(\.path).joined(separator: " ")), or use another directory)")
    }

    /// A warning when the app's host uid lacks the access its grant implies (mounts keep host ownership), for a path
    /// where DataAccess cannot add an ACL entry (its filesystem has none), so only the mode bits count.
    static func warning(for data: DataMount, uid: UInt32, app: AppID) -> String? {
        guard let info = (try? FileSystem.resolvedStatusIfPresent(data.path)) ?? nil else { return nil }
        let mode = UInt32(info.st_mode)
        let bits = info.st_uid == uid ? (mode >> 6) & 7 : mode & 7
        var needed: UInt32 = data.writable ? 0o2 : 0o4
        if data.isDirectory { needed |= 0o1 }
        guard bits & needed != needed else { return nil }
        let what = data.writable ? "write" : "read"
        return "\(data.path) is mode \(String(mode & 0o7777, radix: 8)) owned by \(info.st_uid): \(app) (host uid \(uid)) cannot \(what) it; "
            + "chown \(uid) \(data.path)"
    }
}
