import TaurunLinux
import TaurunOCI
import TaurunSupport

extension InitPlan {
    /// Step 3 of build: linux.devices as nodes to make (type, numbers in range, under /dev, mode and owner).
    static func planDevices(_ linux: Linux) throws(RuntimeError) -> [PlannedDevice] {
        var devices: [PlannedDevice] = []
        for (i, d) in (linux.devices ?? []).enumerated() {
            let field = "linux.devices[\(i)]"
            let kind: FileKind
            switch d.type {
            case "c", "u": kind = .characterDevice
            case "b": kind = .blockDevice
            case "p": kind = .fifo
            default: throw .unsupported(field: field + ".type", value: d.type, reason: "unknown device type")
            }
            guard d.path.hasPrefix("/dev/"), !d.path.split(separator: "/").contains("..") else {
                throw .unsupported(field: field + ".path", value: d.path, reason: "device path must be under /dev:")
            }
            if kind != .fifo && (d.major == nil || d.minor == nil) {
                throw .unsupported(field: field, value: d.path, reason: "char and block devices need major and minor:")
            }
            guard (d.major ?? 0) >= 0, (d.major ?? 0) < (1 << 12), (d.minor ?? 0) >= 0, (d.minor ?? 0) < (1 << 20) else {
                throw .unsupported(field: field + ".major", value: "\(d.major ?? 0):\(d.minor ?? 0)", reason: "device number out of range:")
            }
            devices.append(PlannedDevice(path: d.path, kind: kind, major: UInt32(d.major ?? 0), minor: UInt32(d.minor ?? 0),
                                         mode: (d.fileMode ?? 0o666) & 0o7777, uid: d.uid ?? 0, gid: d.gid ?? 0))
        }

        return devices
    }
}
