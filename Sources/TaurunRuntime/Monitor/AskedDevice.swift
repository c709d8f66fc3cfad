import TaurunLinux
import TaurunOCI

/// A device node the bundle of an on_violation = "ask" app binds in for a permission nobody granted yet
/// (TauAnnotation.askedDevices; TauSandbox's BundleGenerator.askedDevices), and leaves out of the device cgroup: the
/// app's own open of it fails with EPERM whatever the app does. Only the security monitor opens it, on the host,
/// once the user allowed the permission, and hands the descriptor over (SecurityMonitor+Devices).
struct AskedDevice: Equatable, Sendable {
    /// "camera" or "microphone".
    let permission: String
    /// Where the app sees it (/dev/video0).
    let containerPath: String
    /// What the bundle binds there: the node the monitor opens.
    let hostPath: String
    let number: DeviceNumber

    /// The calls that open a path: an ask app with asked devices has them routed to its monitor (`filter`).
    static let openCalls: Set<String> = ["open", "openat", "openat2", "creat"]

    /// The asked devices of a bundle: each entry of the annotation, with the host node its bind mount names. An entry
    /// taurun cannot read, or one without its bind, is an error naming the annotation, not a device left unasked.
    static func from(annotation: String?, mounts: [Mount]?) throws(RuntimeError) -> [AskedDevice] {
        guard let annotation, !annotation.isEmpty else { return [] }
        var devices: [AskedDevice] = []
        for entry in annotation.split(separator: ",", omittingEmptySubsequences: false) {
            let fields = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, ["camera", "microphone"].contains(fields[0]), fields[1].hasPrefix("/dev/"),
                let major = UInt32(fields[2]), let minor = UInt32(fields[3])
            else {
                throw .unsupported(field: "annotations[\"\(TauAnnotation.askedDevices)\"]", value: String(entry),
                                   reason: "an asked device must be camera|microphone:/dev/PATH:MAJOR:MINOR:")
            }
            guard let bind = mounts?.last(where: { $0.destination == fields[1] && $0.type == "bind" }),
                let source = bind.source, source.hasPrefix("/")
            else {
                throw .unsupported(field: "annotations[\"\(TauAnnotation.askedDevices)\"]", value: String(entry),
                                   reason: "the bundle binds no host node at \(fields[1]):")
            }
            devices.append(AskedDevice(
                permission: fields[0], containerPath: fields[1], hostPath: source, number: DeviceNumber(major: major, minor: minor)))
        }
        return devices
    }

    /// The monitored filter of an app with asked devices, narrowed so that the opens the bundle allows come to the
    /// monitor (SCMP_ACT_NOTIFY): the monitor needs to see an open of an asked device, which the device cgroup
    /// otherwise refuses unseen. Every other open it lets run (CONTINUE). Calls the bundle refuses stay refusals.
    static func filter(_ monitored: LinuxSeccomp) -> LinuxSeccomp {
        var filter = monitored
        var (rules, watched) = MonitorRouting.divert(openCalls, from: monitored)
        if !watched.isEmpty { rules.append(LinuxSyscall(names: watched, action: .notify)) }
        filter.syscalls = rules
        return filter
    }

    /// The opens `filter` routes to the monitor because the bundle allows them: the monitor lets exactly these run
    /// (CONTINUE) when they name no asked device. An open the bundle refuses reaches the monitor as a refusal.
    static func watchedOpens(_ monitored: LinuxSeccomp) -> Set<String> {
        MonitorRouting.allowedOutright(openCalls, in: monitored)
    }
}
