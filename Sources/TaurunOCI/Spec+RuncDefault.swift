// The starter config `taurun spec` writes: the same content as `runc spec` / `runc spec --rootless` (runc 1.1),
// so bundles and documentation written for runc work unchanged. Only ociVersion differs: it is ours.

import TaurunSupport

extension Spec {
    /// `runc spec` content. With `rootless`, the changes runc's `ToRootless` makes: no network namespace, a user
    /// namespace mapping container root to `hostUID`/`hostGID` (default: the caller's effective ids), /sys bound
    /// from the host instead of a new sysfs, no devpts gid option and no device cgroup rules.
    public static func runcDefault(rootless: Bool, hostUID: UInt32? = nil, hostGID: UInt32? = nil) -> Spec {
        let capabilities = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        let process = Process(
            terminal: true,
            user: User(uid: 0, gid: 0),
            args: ["sh"],
            env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
            cwd: "/",
            capabilities: LinuxCapabilities(bounding: capabilities, effective: capabilities, permitted: capabilities, ambient: capabilities),
            rlimits: [POSIXRlimit(type: .nofile, hard: 1024, soft: 1024)],
            noNewPrivileges: true
        )

        var devptsOptions = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]
        if !rootless { devptsOptions.append("gid=5") }
        let sysMount = rootless
            ? Mount(destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"])
            : Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"])
        let mounts = [
            Mount(destination: "/proc", type: "proc", source: "proc"),
            Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            Mount(destination: "/dev/pts", type: "devpts", source: "devpts", options: devptsOptions),
            Mount(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
            Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
            sysMount,
            Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
        ]

        var namespaces: [LinuxNamespaceType] = rootless ? [.pid, .ipc, .uts, .mount] : [.pid, .network, .ipc, .uts, .mount]
        if rootless { namespaces.append(.user) }
        var linux = Linux(
            namespaces: namespaces.map { LinuxNamespace(type: $0) },
            maskedPaths: [
                "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
            ],
            readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
        )
        if rootless {
            linux.uidMappings = [LinuxIDMapping(containerID: 0, hostID: hostUID ?? ProcessIdentity.effectiveUID, size: 1)]
            linux.gidMappings = [LinuxIDMapping(containerID: 0, hostID: hostGID ?? ProcessIdentity.effectiveGID, size: 1)]
        } else {
            linux.resources = LinuxResources(devices: [LinuxDeviceCgroup(allow: false, access: "rwm")])
        }

        return Spec(
            ociVersion: supportedVersion,
            process: process,
            root: Root(path: "rootfs", readonly: true),
            hostname: "runc",
            mounts: mounts,
            linux: linux
        )
    }
}
