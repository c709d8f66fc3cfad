import TaurunLinux
import TaurunOCI
import TaurunSupport

#if canImport(Glibc)
import Glibc
#endif

/// Writes a new user namespace's uid_map and gid_map, the way the kernel lets this caller. Root (CAP_SETUID and
/// CAP_SETGID over the parent namespace, rootless Podman's namespace included) writes them directly. An ordinary
/// user may write only a map of its own id, and for gid_map only after denying setgroups there (else it could drop a
/// group that restricts it); anything more goes through the setuid helpers newuidmap/newgidmap, which allow the
/// ranges /etc/subuid and /etc/subgid give the user. runc and crun do the same.
enum UserNamespaceMaps {
    static func write(pid: pid_t, uidMappings: [LinuxIDMapping], gidMappings: [LinuxIDMapping]) throws(RuntimeError) {
        let privileged = ProcessIdentity.effectiveUID == 0
        if privileged || isOwnID(uidMappings, ProcessIdentity.effectiveUID) {
            do { try Files.writeValue("/proc/\(pid)/uid_map", IDMap.format(uidMappings)) } catch { throw .system(error) }
        } else {
            try helper("newuidmap", pid: pid, uidMappings, field: "linux.uidMappings")
        }
        if privileged {
            do { try Files.writeValue("/proc/\(pid)/gid_map", IDMap.format(gidMappings)) } catch { throw .system(error) }
        } else if isOwnID(gidMappings, ProcessIdentity.effectiveGID) {
            do {
                try Files.writeValue("/proc/\(pid)/setgroups", "deny")
                try Files.writeValue("/proc/\(pid)/gid_map", IDMap.format(gidMappings))
            } catch { throw .system(error) }
        } else {
            try helper("newgidmap", pid: pid, gidMappings, field: "linux.gidMappings")
        }
    }

    /// Exactly one mapping, of one id, which is the caller's own.
    private static func isOwnID(_ mappings: [LinuxIDMapping], _ id: UInt32) -> Bool {
        mappings.count == 1 && mappings[0].hostID == id && mappings[0].size == 1
    }

    private static func helper(_ name: String, pid: pid_t, _ mappings: [LinuxIDMapping], field: String) throws(RuntimeError) {
        guard let path = ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/"].map({ $0 + name }).first(where: { Files.isExecutable($0) }) else {
            throw .unsupported(field: field, value: IDMap.describe(mappings),
                               reason: "mapping ids other than your own needs \(name) (Debian package uidmap), which is not installed; mappings")
        }
        let arguments = [String(pid)] + mappings.flatMap { [String($0.containerID), String($0.hostID), String($0.size)] }
        let mapper = Subprocess(path, arguments: [path] + arguments,
                                environment: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"], outputLimit: 4096)
        let result: Subprocess.Result
        do { result = try mapper.run() } catch { throw .system(error.syscallError) }
        guard result.exitCode == 0 else {
            var output = String(decoding: result.output, as: UTF8.self)
            while let last = output.last, last.isWhitespace { output.removeLast() }
            let status = result.exitCode.map(String.init) ?? "status unknown"
            throw .unsupported(field: field, value: IDMap.describe(mappings),
                               reason: "\(name) refused the mapping (\(output.isEmpty ? "exit \(status)" : output)); check /etc/sub\(name == "newuidmap" ? "uid" : "gid") for")
        }
    }
}
