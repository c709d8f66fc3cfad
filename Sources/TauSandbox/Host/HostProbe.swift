import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the host: which devices and session sockets exist, and which kernel mechanisms are on.
public enum HostProbe {
    /// The container's XDG_RUNTIME_DIR when a session socket is handed in.
    public static let containerRuntimeDirectory = "/run/user/1000"

    public static func scan(deviceRoot: String = "/dev", environment: [String: String]) -> HostFacts {
        let route = RouteHelper.probe()
        var facts = HostFacts(
            devices: devices(deviceRoot: deviceRoot),
            sockets: sockets(environment: environment),
            appArmorEnabled: firstLine("/sys/module/apparmor/parameters/enabled") == "Y",
            userNamespaces: FileSystem.kind("/proc/self/ns/user") != nil
                && (Int(firstLine("/proc/sys/user/max_user_namespaces") ?? "1") ?? 1) > 0,
            seccompActions: Set((firstLine("/proc/sys/kernel/seccomp/actions_avail") ?? "").split(separator: " ").map(String.init)),
            networkNamespaces: FileSystem.kind("/proc/self/ns/net") != nil,
            userCgroupControllers: ProcessIdentity.effectiveUID == 0 ? nil : userCgroupControllers(),
            routeHelper: route.helper)
        if let problem = route.problem { facts.routeProblem = problem }
        return facts
    }

    /// The controllers of the hierarchies where this process's own cgroup is writable (`/proc/self/cgroup`: v1 lines
    /// `ID:CONTROLLERS:PATH`, each hierarchy mounted at `<root>/<controller>`; the v2 line `0::PATH`, whose cgroup
    /// offers the controllers its `cgroup.controllers` lists). The runtime, run by the same user, makes an app's
    /// cgroup below that one, and uses a hierarchy only where it may (RootlessCgroups).
    static func userCgroupControllers(procSelfCgroup: String = "/proc/self/cgroup", root: String = "/sys/fs/cgroup") -> Set<String> {
        guard let bytes = try? FileSystem.readFile(procSelfCgroup, limit: 64 << 10) else { return [] }
        var controllers: Set<String> = []
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[2].hasPrefix("/") else { continue }
            let own = fields[2] == "/" ? "" : String(fields[2])
            if fields[1].isEmpty {
                let mount = FileSystem.kind(root + "/cgroup.controllers") != nil ? root : root + "/unified"
                guard FileSystem.isWritable(mount + own), let offered = firstLine(mount + own + "/cgroup.controllers") else { continue }
                controllers.formUnion(offered.split(separator: " ").map(String.init))
            } else {
                for controller in fields[1].split(separator: ",") where !controller.hasPrefix("name=") {
                    if FileSystem.isWritable(root + "/" + controller + own) { controllers.insert(String(controller)) }
                }
            }
        }
        return controllers
    }

    static func devices(deviceRoot: String) -> [HostDevice] {
        var found: [HostDevice] = []
        for name in (try? FileSystem.list(deviceRoot)) ?? [] where name.hasPrefix("video") && name.dropFirst(5).allSatisfy(\.isNumber) {
            if let device = device(role: .camera, root: deviceRoot, relative: name) { found.append(device) }
        }
        for name in (try? FileSystem.list(deviceRoot + "/dri")) ?? [] where name.hasPrefix("card") || name.hasPrefix("renderD") {
            if let device = device(role: .gpu, root: deviceRoot, relative: "dri/" + name) { found.append(device) }
        }
        for name in (try? FileSystem.list(deviceRoot + "/snd")) ?? [] {
            let role: HostDevice.Role
            if name.hasPrefix("controlC") || name == "timer" {
                role = .soundControl
            } else if name.hasPrefix("pcmC") && name.hasSuffix("c") {
                role = .soundCapture
            } else if (name.hasPrefix("pcmC") && name.hasSuffix("p")) || name == "seq" {
                role = .soundPlayback
            } else {
                continue
            }
            if let device = device(role: role, root: deviceRoot, relative: "snd/" + name) { found.append(device) }
        }
        return found
    }

    private static func device(role: HostDevice.Role, root: String, relative: String) -> HostDevice? {
        let path = root + "/" + relative
        guard let info = try? FileSystem.status(path), FileKind(mode: UInt32(info.st_mode)) == .characterDevice else { return nil }
        let rdev = UInt64(info.st_rdev)
        // glibc's gnu_dev_major/minor encoding (the macros are not visible to Swift).
        let major = Int64(((rdev >> 8) & 0xFFF) | ((rdev >> 32) & ~UInt64(0xFFF)))
        let minor = Int64((rdev & 0xFF) | ((rdev >> 12) & ~UInt64(0xFF)))
        return HostDevice(
            role: role, hostPath: path, containerPath: "/dev/" + relative, major: major, minor: minor,
            gid: info.st_gid, mode: UInt32(info.st_mode & 0o7777))
    }

    static func sockets(environment: [String: String]) -> [HostSocket] {
        var found: [HostSocket] = []
        let inside = containerRuntimeDirectory
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            let pulse = runtime + "/pulse/native"
            if FileSystem.kind(pulse) == .socket {
                found.append(HostSocket(
                    role: .pulseAudio, hostPath: pulse, containerPath: inside + "/pulse/native",
                    environment: ["PULSE_SERVER": "unix:" + inside + "/pulse/native"]))
            }
            let pipewire = runtime + "/pipewire-0"
            if FileSystem.kind(pipewire) == .socket {
                found.append(HostSocket(role: .pipeWire, hostPath: pipewire, containerPath: inside + "/pipewire-0", environment: [:]))
            }
            if let wayland = environment["WAYLAND_DISPLAY"], !wayland.isEmpty, !wayland.contains("/") {
                let path = runtime + "/" + wayland
                if FileSystem.kind(path) == .socket {
                    found.append(HostSocket(
                        role: .wayland, hostPath: path, containerPath: inside + "/wayland-0",
                        environment: ["WAYLAND_DISPLAY": "wayland-0"]))
                }
            }
        }
        if let display = environment["DISPLAY"], display.hasPrefix(":") {
            let number = display.dropFirst().prefix { $0.isNumber }
            let path = "/tmp/.X11-unix/X" + number
            if !number.isEmpty, FileSystem.kind(path) == .socket {
                found.append(HostSocket(
                    role: .x11, hostPath: path, containerPath: "/tmp/.X11-unix/X" + number,
                    environment: ["DISPLAY": ":" + number]))
            }
        }
        return found
    }

    private static func firstLine(_ path: String) -> String? {
        guard let bytes = try? FileSystem.readFile(path, limit: 4096) else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init)
    }
}
