#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// linux.cgroupsPath as the systemd driver (`--systemd-cgroup`) reads it: "slice:prefix:name", runc's rules.
/// The container gets the transient scope `<prefix>-<name>.scope` in `<slice>`; an empty slice is system.slice,
/// an absent cgroupsPath is ":taurun:<id>". Podman passes "machine.slice:libpod:<id>".
public struct SystemdCgroupPath: Equatable, Sendable {
    /// The parent slice unit, e.g. "machine.slice" ("-.slice" is the root slice).
    public var slice: String
    /// The scope unit, e.g. "libpod-<id>.scope".
    public var unit: String

    /// The scope's cgroup relative to each hierarchy's root: the slice expanded the way systemd nests slices
    /// ("a-b.slice" lives in "a.slice/a-b.slice"), then the unit.
    public var cgroupComponents: [String] {
        // parse() has checked the slice, so expansion cannot fail here.
        ((try? Self.expand(slice: slice)) ?? []) + [unit]
    }

    public static func parse(containerID: String, cgroupsPath: String?) throws(CgroupError) -> SystemdCgroupPath {
        let text = cgroupsPath.flatMap { $0.isEmpty ? nil : $0 } ?? ":taurun:" + containerID
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else {
            throw .invalid("linux.cgroupsPath", "\"\(text)\"", "--systemd-cgroup expects the form \"slice:prefix:name\"")
        }
        let slice = parts[0].isEmpty ? "system.slice" : parts[0]
        let prefix = parts[1]
        let name = parts[2]
        guard !name.isEmpty else {
            throw .invalid("linux.cgroupsPath", "\"\(text)\"", "the name part of \"slice:prefix:name\" is empty")
        }
        if name.hasSuffix(".slice") {
            throw .invalid("linux.cgroupsPath", "\"\(text)\"", "taurun creates a scope per container; a name ending in .slice (a transient slice) is not supported")
        }
        _ = try expand(slice: slice)
        let unit = (prefix.isEmpty ? name : prefix + "-" + name) + ".scope"
        guard unit.utf8.count <= 255, unit.utf8.allSatisfy(isUnitNameByte) else {
            throw .invalid("linux.cgroupsPath", "\"\(text)\"", "\"\(unit)\" is not a valid systemd unit name (letters, digits and :-_.\\ only, at most 255 bytes)")
        }
        return SystemdCgroupPath(slice: slice, unit: unit)
    }

    /// "a-b-c.slice" → ["a.slice", "a-b.slice", "a-b-c.slice"]; "-.slice" → [] (runc's ExpandSlice).
    static func expand(slice: String) throws(CgroupError) -> [String] {
        let invalid = CgroupError.invalid("linux.cgroupsPath", "\"\(slice)\"", "not a valid systemd slice name (\"name.slice\", dashes nest, no \"/\")")
        guard slice.hasSuffix(".slice"), slice.count > ".slice".count, !slice.contains("/"), slice.utf8.allSatisfy(isUnitNameByte) else { throw invalid }
        let base = slice.dropLast(".slice".count)
        if base == "-" { return [] }
        var result: [String] = []
        var prefix = ""
        for component in base.split(separator: "-", omittingEmptySubsequences: false) {
            guard !component.isEmpty else { throw invalid }
            result.append(prefix + component + ".slice")
            prefix += component + "-"
        }
        return result
    }

    /// systemd's unit name alphabet (unit_name_is_valid): ASCII letters, digits and ":-_.\".
    static func isUnitNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "@"):
            true
        default:
            false
        }
    }

    /// sd_booted(3): systemd is the init system iff /run/systemd/system/ exists.
    static func systemdIsRunning() -> Bool {
        CgroupFiles.isDirectory("/run/systemd/system")
    }

    /// The one-line refusal where systemd is not the init system (this is what runc reports too, in its words).
    static let notRunning = CgroupError.invalid(
        "--systemd-cgroup", nil,
        "systemd is not running on this host (no /run/systemd/system); use the cgroupfs manager (drop --systemd-cgroup; Podman: --cgroup-manager=cgroupfs)")
}
