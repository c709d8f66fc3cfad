#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TauSandbox
import TaurunLinux

/// An app's AppArmor profile in the kernel. Convert loads `taurun-<id>` from apparmor_parser's stdin (`load`), so no
/// profile file is left on the host but the bundle's own copy; `taurun uninstall` unloads it by name through securityfs
/// (`apparmor/.remove`), which needs no profile text and so works after the bundle is gone.
struct LoadedAppArmorProfile {
    let name: String
    /// Where securityfs is mounted (tests point it at a directory of their own).
    var securityfs = "/sys/kernel/security"

    /// Whether the kernel has it: `apparmor/profiles` lists every loaded profile as `NAME (MODE)`. A kernel without
    /// AppArmor has no such file and no profile.
    var isLoaded: Bool {
        guard let bytes = try? Files.read(securityfs + "/apparmor/profiles") else { return false }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").contains { $0.hasPrefix(name + " (") && $0.hasSuffix(")") }
    }

    /// Loads (or replaces, -r) `profile`, the text taurun generated, from apparmor_parser's stdin: the profile root
    /// loads is never a file in a directory the bundle's owner may control, who could otherwise put a profile of their
    /// own in its place between the write and the load. -W writes the parser's cache.
    static func load(_ profile: String) throws(SandboxError) {
        try HelperCommand.check("apparmor_parser", ["-r", "-W"], input: Array(profile.utf8))
    }

    /// Unloads it if it is loaded; returns whether it was.
    func unload() throws(SandboxError) -> Bool {
        guard isLoaded else { return false }
        let path = securityfs + "/apparmor/.remove"
        let fd = try FileSystem.open(path, O_WRONLY | O_NOFOLLOW)
        defer { Files.close(fd) }
        let bytes = Array(name.utf8)
        let written: Int
        do { written = try Files.writeOnce(fd: fd, bytes, path: path) } catch {
            throw .io(call: "write \(name) to", path: path, errno: error.errno.rawValue)
        }
        guard written == bytes.count else { throw .io(call: "write \(name) to", path: path, errno: EIO) }
        return true
    }
}
