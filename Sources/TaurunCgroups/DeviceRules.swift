import TaurunOCI

/// One device-controller rule in the kernel's own terms: `type major:minor access`.
public struct DeviceRule: Sendable, Equatable, Hashable {
    /// "a", "c" or "b".
    public var type: Character
    /// nil is the `*` wildcard.
    public var major: Int64?
    public var minor: Int64?
    /// A subset of "rwm", in that order.
    public var access: String
    public var allow: Bool

    public init(type: Character, major: Int64?, minor: Int64?, access: String, allow: Bool) {
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
        self.allow = allow
    }

    /// The line written to devices.allow / devices.deny and listed by devices.list.
    public var cgroupLine: String {
        if type == "a" { return "a *:* \(access)" }
        let majorText = major.map(String.init) ?? "*"
        let minorText = minor.map(String.init) ?? "*"
        return "\(type) \(majorText):\(minorText) \(access)"
    }
}

public enum DeviceRules {
    /// runc's default allowlist (libcontainer/specconv AllowedDevices), appended after the config's own rules so
    /// every container can mknod anything (the node is useless without r/w) and use the standard /dev nodes.
    public static let defaultAllowed: [DeviceRule] = [
        DeviceRule(type: "c", major: nil, minor: nil, access: "m", allow: true),
        DeviceRule(type: "b", major: nil, minor: nil, access: "m", allow: true),
        DeviceRule(type: "c", major: 1, minor: 3, access: "rwm", allow: true),    // /dev/null
        DeviceRule(type: "c", major: 1, minor: 8, access: "rwm", allow: true),    // /dev/random
        DeviceRule(type: "c", major: 1, minor: 7, access: "rwm", allow: true),    // /dev/full
        DeviceRule(type: "c", major: 5, minor: 0, access: "rwm", allow: true),    // /dev/tty
        DeviceRule(type: "c", major: 1, minor: 5, access: "rwm", allow: true),    // /dev/zero
        DeviceRule(type: "c", major: 1, minor: 9, access: "rwm", allow: true),    // /dev/urandom
        DeviceRule(type: "c", major: 136, minor: nil, access: "rwm", allow: true), // /dev/pts/*
        DeviceRule(type: "c", major: 5, minor: 2, access: "rwm", allow: true),    // /dev/ptmx
        DeviceRule(type: "c", major: 10, minor: 200, access: "rwm", allow: true), // /dev/net/tun
    ]

    /// Converts and checks the config's rules (`linux.resources.devices`).
    public static func rules(from config: [LinuxDeviceCgroup]) throws(CgroupError) -> [DeviceRule] {
        var result: [DeviceRule] = []
        for (index, rule) in config.enumerated() {
            let path = "linux.resources.devices[\(index)]"
            let typeText = rule.type ?? "a"
            guard typeText.count == 1, let type = typeText.first, "acb".contains(type) else {
                throw .invalid(path + ".type", "\"\(typeText)\"", "must be \"a\", \"c\" or \"b\"")
            }
            let accessText = rule.access ?? "rwm"
            guard !accessText.isEmpty, accessText.allSatisfy({ "rwm".contains($0) }) else {
                throw .invalid(path + ".access", "\"\(accessText)\"", "must be a non-empty subset of \"rwm\"")
            }
            for (name, number) in [("major", rule.major), ("minor", rule.minor)] {
                if let number, number < -1 || number > Int64(UInt32.max) {
                    throw .invalid(path + "." + name, String(number), "out of range")
                }
            }
            // -1 is the spec's other spelling of the wildcard.
            let major = rule.major == -1 ? nil : rule.major
            let minor = rule.minor == -1 ? nil : rule.minor
            let access = normalizedAccess(accessText)
            if type == "a", major != nil || minor != nil {
                // Podman's --device-cgroup-rule='a 7:1 rmw': devices of either kind with these numbers (runc's and
                // crun's eBPF programs match it so). The v1 kernel reads any "a" line as every device, so it becomes
                // a char rule and a block rule, never a wider one.
                result.append(DeviceRule(type: "c", major: major, minor: minor, access: access, allow: rule.allow))
                result.append(DeviceRule(type: "b", major: major, minor: minor, access: access, allow: rule.allow))
                continue
            }
            result.append(DeviceRule(type: type, major: major, minor: minor, access: access, allow: rule.allow))
        }
        return result
    }

    /// The rules a container gets: its config rules, then the default allowlist (runc's order; later rules win).
    /// `linux.devices` nodes get no allow rule of their own: as with runc and crun, a config that denies a node it
    /// also creates keeps it unusable.
    public static func effectiveRules(config: [LinuxDeviceCgroup]?) throws(CgroupError) -> [DeviceRule] {
        guard let config, !config.isEmpty else { return [] }
        var result = try rules(from: config)
        result.append(contentsOf: defaultAllowed)
        return result
    }

    static func normalizedAccess(_ access: String) -> String {
        String("rwm".filter { access.contains($0) })
    }

    /// What the v1 device controller will hold after the rules are applied in order, computed the way the
    /// kernel does (devcgroup_update_access): an "a" rule resets the default and clears the exceptions; any other
    /// rule either adds an exception (against the default) or removes access bits from an identical one.
    public struct State: Sendable, Equatable {
        public var defaultAllow: Bool
        public var exceptions: [DeviceRule]

        /// The writes that produce this state from any starting state: reset with "a", then the exceptions.
        public var writes: [(file: String, value: String)] {
            var result: [(file: String, value: String)] = [(defaultAllow ? "devices.allow" : "devices.deny", "a")]
            for rule in exceptions {
                result.append((defaultAllow ? "devices.deny" : "devices.allow", rule.cgroupLine))
            }
            return result
        }

        /// devices.list shows the allowed entries in deny-by-default mode and "a *:* rwm" when all is allowed.
        public var listLines: Set<String> {
            if defaultAllow { return exceptions.isEmpty ? ["a *:* rwm"] : [] }
            return Set(exceptions.map(\.cgroupLine))
        }
    }

    public static func finalState(_ rules: [DeviceRule], startingAllowAll: Bool = true) -> State {
        var state = State(defaultAllow: startingAllowAll, exceptions: [])
        for rule in rules {
            if rule.type == "a" {
                state = State(defaultAllow: rule.allow, exceptions: [])
                continue
            }
            if rule.allow == state.defaultAllow {
                // Same direction as the default: narrows the exceptions.
                state.exceptions = state.exceptions.compactMap { existing in
                    guard existing.type == rule.type, existing.major == rule.major, existing.minor == rule.minor else { return existing }
                    var narrowed = existing
                    narrowed.access = existing.access.filter { !rule.access.contains($0) }
                    return narrowed.access.isEmpty ? nil : narrowed
                }
            } else if let index = state.exceptions.firstIndex(where: { $0.type == rule.type && $0.major == rule.major && $0.minor == rule.minor }) {
                state.exceptions[index].access = normalizedAccess(state.exceptions[index].access + rule.access)
            } else {
                state.exceptions.append(rule)
            }
        }
        return state
    }
}
