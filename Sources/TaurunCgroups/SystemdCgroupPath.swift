#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `--systemd-cgroup` (cgroupsPath "slice:prefix:name"). taurun has no D-Bus/sd-bus driver, so the flag is an
/// error, never a silent fallback: a fallback would put the container where systemd does not expect it and
/// systemd may later move or kill it. runc fails the same way where systemd is not PID 1.
enum SystemdCgroupPath {
    /// sd_booted(3): systemd is the init system iff /run/systemd/system/ exists.
    static func systemdIsRunning() -> Bool {
        CgroupFiles.isDirectory("/run/systemd/system")
    }

    static func unsupported(cgroupsPath: String?, systemdRunning: Bool) -> CgroupError {
        if let cgroupsPath, !cgroupsPath.isEmpty, cgroupsPath.split(separator: ":", omittingEmptySubsequences: false).count != 3 {
            return .invalid("linux.cgroupsPath", "\"\(cgroupsPath)\"", "--systemd-cgroup expects the form \"slice:prefix:name\"")
        }
        if !systemdRunning {
            return .invalid("--systemd-cgroup", nil, "systemd is not running on this host (no /run/systemd/system); use the cgroupfs manager (drop --systemd-cgroup; Podman: --cgroup-manager=cgroupfs)")
        }
        return CgroupError(operation: "--systemd-cgroup", path: "systemd",
                           reason: "taurun has no systemd cgroup driver yet; use the cgroupfs manager (drop --systemd-cgroup; Podman: --cgroup-manager=cgroupfs)")
    }
}
