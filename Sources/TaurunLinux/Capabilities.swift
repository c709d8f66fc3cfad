import CCap

#if canImport(Glibc)
import Glibc
#endif

/// Linux capabilities through libcap: names are resolved by libcap itself, so a capability the library knows but the
/// kernel lacks is reported, not silently misnumbered.
public enum Capabilities {
    public struct Sets: Sendable {
        public var bounding: [UInt32] = []
        public var effective: [UInt32] = []
        public var permitted: [UInt32] = []
        public var inheritable: [UInt32] = []
        public var ambient: [UInt32] = []
        public init() {}
    }

    /// Resolves "CAP_NET_ADMIN" (any case) to its number; nil if libcap does not know it.
    public static func number(named name: String) -> UInt32? {
        var value: cap_value_t = 0
        guard cap_from_name(name.lowercased(), &value) == 0 else { return nil }
        return UInt32(value)
    }

    /// The highest capability number the running kernel supports; read once per process (it cannot change, and
    /// create asks for it once per capability set and again in the container's init).
    public static let lastSupported: UInt32 = {
        if let text = try? Files.readString("/proc/sys/kernel/cap_last_cap"),
           let n = UInt32(text.split(separator: "\n").first ?? "") { return n }
        return UInt32(cap_max_bits()) - 1
    }()

    /// Drops every capability not in `keep` from the bounding set. Needs CAP_SETPCAP, so call before changing uid.
    public static func limitBounding(to keep: [UInt32]) throws(SyscallError) {
        let keepSet = Set(keep)
        for cap in 0...lastSupported where !keepSet.contains(cap) {
            if cap_drop_bound(cap_value_t(cap)) != 0 && errno != EINVAL { throw SyscallError("cap_drop_bound(\(cap))") }
        }
    }

    /// Sets effective, permitted and inheritable exactly, then the ambient set (which requires the cap to be
    /// permitted and inheritable already).
    public static func apply(_ sets: Sets) throws(SyscallError) {
        guard let caps = cap_init() else { throw SyscallError("cap_init") }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        func set(_ list: [UInt32], _ flag: cap_flag_t) {
            guard !list.isEmpty else { return }
            var values = list.map { cap_value_t($0) }
            _ = cap_set_flag(caps, flag, Int32(values.count), &values, CAP_SET)
        }
        set(sets.effective, CAP_EFFECTIVE)
        set(sets.permitted, CAP_PERMITTED)
        set(sets.inheritable, CAP_INHERITABLE)
        if cap_set_proc(caps) != 0 { throw SyscallError("capset") }
        if cap_reset_ambient() != 0 && errno != EINVAL { throw SyscallError("cap_reset_ambient") }
        // The kernel only lets a capability into the ambient set when it is both permitted and inheritable; runc
        // silently ends up without the others (its default spec lists ambient caps but no inheritable ones).
        let allowed = Set(sets.permitted).intersection(sets.inheritable)
        for cap in sets.ambient where allowed.contains(cap) && cap_set_ambient(cap_value_t(cap), CAP_SET) != 0 {
            throw SyscallError("cap_set_ambient(\(cap))")
        }
    }
}

extension Capabilities {
    /// "CAP_NET_ADMIN" for 12; nil for a number libcap does not name.
    public static func name(of number: UInt32) -> String? {
        guard let raw = cap_to_name(cap_value_t(number)) else { return nil }
        defer { cap_free(raw) }
        let name = String(cString: raw)
        return name.hasPrefix("cap_") ? name.uppercased() : nil
    }
}
