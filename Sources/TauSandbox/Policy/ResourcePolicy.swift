/// Resource limits every Tau app gets, so that no app can take the whole host: an app whose manifest sets none still
/// runs under documented defaults, a manifest may lower them, and nothing may raise a limit above the host's ceiling
/// (E_POLICY_DENIED). The administrator can change both in `<state-dir>/limits.json`:
///
///     {"defaults": {"memory": "1G", "cpu": 2, "pids": 1024}, "ceilings": {"memory": "16G", "cpu": 8, "pids": 32768, "disk": "64G"}}
///
/// A disk quota has no default: it means an ext4 image and a loop device per app, so it stays opt-in (the manifest's
/// `disk`), under the ceiling.

import TaurunSupport

public struct ResourcePolicy: Equatable, Sendable {
    public var defaults: ResourceLimits
    public var ceilings: ResourceLimits

    public static let builtIn = ResourcePolicy(
        defaults: ResourceLimits(memoryBytes: 1 << 30, cpuMillicores: 2000, pids: 1024, diskBytes: nil),
        ceilings: ResourceLimits(memoryBytes: 16 << 30, cpuMillicores: 8000, pids: 32768, diskBytes: 64 << 30))

    public init(defaults: ResourceLimits, ceilings: ResourceLimits) {
        self.defaults = defaults
        self.ceilings = ceilings
    }

    public static func file(stateDirectory: String) -> String { stateDirectory + "/limits.json" }

    /// The built-in policy, with what `<state-dir>/limits.json` sets instead.
    public static func load(stateDirectory: String) throws(SandboxError) -> ResourcePolicy {
        let path = file(stateDirectory: stateDirectory)
        guard FileSystem.kind(path) != nil else { return builtIn }
        let bytes = try FileSystem.readFile(path)
        guard let tree = try? JSONParser.parse(bytes) else {
            throw .manifestSyntax(path: path, line: nil, column: nil, message: "not valid JSON")
        }
        var policy = builtIn
        policy.defaults = try limits(tree["defaults"], over: policy.defaults, path: path, key: "defaults")
        policy.ceilings = try limits(tree["ceilings"], over: policy.ceilings, path: path, key: "ceilings")
        return policy
    }

    private static func limits(_ node: JSONValue?, over base: ResourceLimits, path: String, key: String) throws(SandboxError) -> ResourceLimits {
        guard let node else { return base }
        guard case .object(let members) = node else {
            throw .manifestValue(path: path, key: key, value: "\(node)", reason: "must be an object")
        }
        var result = base
        for member in members {
            let field = "\(key).\(member.key)"
            func size() throws(SandboxError) -> Int64 {
                let text: String
                switch member.value {
                case .string(let s): text = s
                case .number(let n): text = n
                default: throw .manifestValue(path: path, key: field, value: "\(member.value)", reason: "must be a size such as \"1G\"")
                }
                guard let bytes = SizeParser.bytes(text) else {
                    throw .manifestValue(path: path, key: field, value: text, reason: "must be a size such as \"1G\"")
                }
                return bytes
            }
            switch member.key {
            case "memory": result.memoryBytes = try size()
            case "disk": result.diskBytes = try size()
            case "pids":
                guard case .number(let n) = member.value, let pids = Int64(n), pids > 0 else {
                    throw .manifestValue(path: path, key: field, value: "\(member.value)", reason: "must be a positive integer")
                }
                result.pids = pids
            case "cpu":
                guard case .number(let n) = member.value, let cores = Double(n), cores > 0, cores.isFinite else {
                    throw .manifestValue(path: path, key: field, value: "\(member.value)", reason: "must be a number of cores")
                }
                result.cpuMillicores = Int64((cores * 1000).rounded())
            default:
                throw .manifestUnknownKey(path: path, key: field, suggestion: nil)
            }
        }
        return result
    }

    /// The limits an app runs under: each of the manifest's, or the default; refused above the ceiling.
    public func apply(to requested: ResourceLimits, app: AppID) throws(SandboxError) -> ResourceLimits {
        func check(_ value: Int64?, _ ceiling: Int64?, _ key: String, _ render: (Int64) -> String) throws(SandboxError) {
            guard let value, let ceiling, value > ceiling else { return }
            throw .policyDenied(reason: "\(app): resources.\(key) \(render(value)) is above this host's ceiling of \(render(ceiling))")
        }
        try check(requested.memoryBytes, ceilings.memoryBytes, "memory", SizeParser.render)
        try check(requested.cpuMillicores, ceilings.cpuMillicores, "cpu") { String(Double($0) / 1000) + " cores" }
        try check(requested.pids, ceilings.pids, "pids") { String($0) }
        try check(requested.diskBytes, ceilings.diskBytes, "disk", SizeParser.render)
        return ResourceLimits(
            memoryBytes: requested.memoryBytes ?? defaults.memoryBytes, cpuMillicores: requested.cpuMillicores ?? defaults.cpuMillicores,
            pids: requested.pids ?? defaults.pids, diskBytes: requested.diskBytes ?? defaults.diskBytes)
    }
}
