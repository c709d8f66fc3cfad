import TaurunLinux

/// OCI mount options split into what mount(2) needs: flags to set, flags to clear, propagation changes, and the
/// filesystem-specific data string. Same vocabulary as runc's `parseMountOptions`.
struct MountOptions: Equatable {
    var flags: MountFlags = []
    var clear: MountFlags = []
    var propagation: [MountFlags] = []
    var data: [String] = []
    var recursiveReadOnly = false

    var isBind: Bool { flags.contains(.bind) }

    static let setting: [String: MountFlags] = [
        "ro": .readOnly, "nosuid": .noSuid, "nodev": .noDev, "noexec": .noExec, "sync": .synchronous,
        "remount": .remount, "mand": .mandatoryLock, "dirsync": .dirSync, "noatime": .noAtime,
        "nodiratime": .noDirAtime, "bind": .bind, "rbind": [.bind, .recursive], "relatime": .relAtime,
        "strictatime": .strictAtime, "lazytime": .lazyTime, "iversion": .iVersion, "silent": .silent,
        "nosymfollow": .noSymFollow,
    ]
    static let clearing: [String: MountFlags] = [
        "rw": .readOnly, "suid": .noSuid, "dev": .noDev, "exec": .noExec, "async": .synchronous,
        "nomand": .mandatoryLock, "atime": .noAtime, "diratime": .noDirAtime, "norelatime": .relAtime,
        "nostrictatime": .strictAtime, "nolazytime": .lazyTime, "noiversion": .iVersion, "loud": .silent,
        "defaults": [],
    ]
    static let propagationNames: [String: MountFlags] = [
        "private": .private, "rprivate": [.private, .recursive], "shared": .shared, "rshared": [.shared, .recursive],
        "slave": .slave, "rslave": [.slave, .recursive], "unbindable": .unbindable,
        "runbindable": [.unbindable, .recursive],
    ]

    init(_ options: [String]) {
        for option in options {
            if let f = Self.setting[option] {
                flags.formUnion(f)
                clear.subtract(f)
            } else if let f = Self.clearing[option] {
                flags.subtract(f); clear.formUnion(f)
            } else if let p = Self.propagationNames[option] {
                propagation.append(p)
            } else if option == "rro" {
                recursiveReadOnly = true
                flags.insert(.readOnly)
            } else if option == "tmpcopyup" || option == "idmap" || option == "ridmap" {
                data.append(option)  // checked by the planner, which refuses what it cannot honour
            } else {
                data.append(option)
            }
        }
    }

    var dataString: String? { data.isEmpty ? nil : data.joined(separator: ",") }

    /// Propagation from the rootfsPropagation field; "" means the runc default (rslave).
    static func rootPropagation(_ value: String?) -> MountFlags? {
        guard let value, !value.isEmpty else { return [.slave, .recursive] }
        return propagationNames[value]
    }
}
