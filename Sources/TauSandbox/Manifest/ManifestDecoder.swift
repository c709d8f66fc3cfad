/// `ManifestValue` → `Manifest`: every key's type and range, unknown keys with did-you-mean. The same rules apply to
/// all three formats; `permissions` may be a table (tau.toml, tau-app.json) or a string list (manifest.tau).
struct ManifestDecoder {
    let path: String
    let format: ManifestFormat

    static let topLevelKeys = [
        "id", "name", "version", "command", "rootfs", "env", "permissions", "resources", "sandbox",
        "sandbox_unsafe_ack", "on_violation", "executables", "require_lsm",
    ]
    static let permissionKeys = ["network", "camera", "microphone", "audio", "display", "gpu", "filesystem"]
    static let resourceKeys = ["memory", "cpu", "pids", "disk"]
    static let filesystemKeys = ["mode", "paths"]
    /// Set by the sandbox itself; a manifest may not override them.
    static let reservedEnvironment: Set<String> = ["HOME", "TMPDIR", "TAU_DATA"]

    static let memoryRange: ClosedRange<Int64> = (4 << 20)...(1 << 40)
    static let diskRange: ClosedRange<Int64> = (16 << 20)...(1 << 40)
    static let pidsRange: ClosedRange<Int64> = 1...4_194_304
    /// 0.01 cores is the kernel's minimum CFS quota (1 ms per 100 ms period); 1024 cores is a sanity bound.
    static let cpuMillicoresRange: ClosedRange<Int64> = 10...1_024_000
    static let maxArguments = 256
    static let maxStringBytes = 4096
    static let maxPaths = 64
    static let maxEnvironment = 256

    func decode(_ root: ManifestValue) throws(SandboxError) -> Manifest {
        guard case .table(let table) = root else {
            throw .manifestValue(path: path, key: "(document)", value: root.typeName, reason: "must be a table/object")
        }
        try rejectUnknownKeys(table, allowed: Self.topLevelKeys, prefix: "")

        guard let idValue = table["id"] else { throw .manifestMissingKey(path: path, key: "id") }
        let idText = try string(idValue, key: "id")
        guard let id = AppID(idText) else {
            throw .manifestValue(path: path, key: "id", value: quoted(idText), reason: AppID.problem(with: idText) ?? "is invalid")
        }
        let name = try table["name"].map { value throws(SandboxError) in try text(value, key: "name", maxBytes: 128) } ?? id.rawValue
        let version = try table["version"].map { value throws(SandboxError) in try versionString(value) } ?? "0"

        // The design notes' manifest.tau example names no command: convert then takes it from its command line
        // (`taurun convert MANIFEST -- CMD ARGS`) or the app's rootfs (AppCommand), and refuses only when none gives one.
        let command = try table["command"].map { value throws(SandboxError) in try commandLine(value) } ?? []

        let rootfs = try table["rootfs"].map { value throws(SandboxError) in try text(value, key: "rootfs", maxBytes: Self.maxStringBytes) }
        let env = try table["env"].map { value throws(SandboxError) in try environment(value) } ?? [:]
        let permissions = try table["permissions"].map { value throws(SandboxError) in try permissionRequest(value) } ?? PermissionRequest()
        let resources = try table["resources"].map { value throws(SandboxError) in try resourceLimits(value) } ?? ResourceLimits()

        var sandbox = SandboxMode.taurun
        if let value = table["sandbox"] {
            sandbox = try choice(value, key: "sandbox", SandboxMode.self)
        }
        let ack = try table["sandbox_unsafe_ack"].map { value throws(SandboxError) in try bool(value, key: "sandbox_unsafe_ack") } ?? false
        var onViolation = OnViolation.terminate
        if let value = table["on_violation"] {
            onViolation = try choice(value, key: "on_violation", OnViolation.self)
        }
        let requireLSM = try table["require_lsm"].map { value throws(SandboxError) in try bool(value, key: "require_lsm") } ?? false
        var executables: [String]?
        if let value = table["executables"] {
            executables = try absolutePaths(value, key: "executables", limit: Self.maxArguments)
        }

        return Manifest(
            id: id, name: name, version: version, command: command, rootfs: rootfs, env: env,
            permissions: permissions, resources: resources, sandbox: sandbox, sandboxUnsafeAck: ack,
            onViolation: onViolation, executables: executables, format: format, requireLSM: requireLSM)
    }

    // MARK: - Sections

    private func commandLine(_ value: ManifestValue) throws(SandboxError) -> [String] {
        guard case .array(let items) = value else {
            throw .manifestValue(path: path, key: "command", value: value.rendered, reason: "must be an array of strings (argv)")
        }
        if items.isEmpty {
            throw .manifestValue(path: path, key: "command", value: "[]", reason: "must name a program")
        }
        if items.count > Self.maxArguments {
            throw .manifestValue(path: path, key: "command", value: "(\(items.count) items)", reason: "has more than \(Self.maxArguments) arguments")
        }
        var argv: [String] = []
        for (index, item) in items.enumerated() {
            argv.append(try text(item, key: "command[\(index)]", maxBytes: Self.maxStringBytes, allowEmpty: index > 0))
        }
        if let problem = PathRules.problem(withAbsolutePath: argv[0]) {
            throw .manifestValue(path: path, key: "command[0]", value: quoted(argv[0]), reason: problem)
        }
        return argv
    }

    private func environment(_ value: ManifestValue) throws(SandboxError) -> [String: String] {
        guard case .table(let table) = value else {
            throw .manifestValue(path: path, key: "env", value: value.rendered, reason: "must be a table of strings")
        }
        if table.count > Self.maxEnvironment {
            throw .manifestValue(path: path, key: "env", value: "(\(table.count) entries)", reason: "has more than \(Self.maxEnvironment) entries")
        }
        var result: [String: String] = [:]
        for key in table.keys.sorted() {
            guard isEnvironmentName(key) else {
                throw .manifestValue(path: path, key: "env", value: quoted(key), reason: "is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)")
            }
            if Self.reservedEnvironment.contains(key) {
                throw .manifestValue(path: path, key: "env.\(key)", value: quoted(key), reason: "is set by the sandbox and cannot be overridden")
            }
            guard let entry = table[key] else { continue }
            result[key] = try text(entry, key: "env.\(key)", maxBytes: 32768, allowEmpty: true)
        }
        return result
    }

    private func permissionRequest(_ value: ManifestValue) throws(SandboxError) -> PermissionRequest {
        switch value {
        case .table(let table): return try permissionTable(table)
        case .array(let items): return try permissionList(items)
        default:
            throw .manifestValue(
                path: path, key: "permissions", value: value.rendered,
                reason: "must be a table (network = true, …) or a list of permission strings")
        }
    }

    private func permissionTable(_ table: [String: ManifestValue]) throws(SandboxError) -> PermissionRequest {
        for key in table.keys.sorted() where !Self.permissionKeys.contains(key) {
            // In a table the filesystem key is `filesystem = "ro"`: an abbreviation points at the key, not a token.
            let abbreviation = Permission.abbreviations[key.lowercased()].map { $0.hasPrefix("filesystem") ? "filesystem" : $0 }
            throw .unknownPermission(
                path: path, key: "permissions.\(key)", value: key,
                suggestion: abbreviation ?? DidYouMean.suggestion(for: key, among: Self.permissionKeys))
        }
        var request = PermissionRequest()
        request.network = try table["network"].map { v throws(SandboxError) in try bool(v, key: "permissions.network") } ?? false
        request.camera = try table["camera"].map { v throws(SandboxError) in try bool(v, key: "permissions.camera") } ?? false
        request.microphone = try table["microphone"].map { v throws(SandboxError) in try bool(v, key: "permissions.microphone") } ?? false
        request.audio = try table["audio"].map { v throws(SandboxError) in try bool(v, key: "permissions.audio") } ?? false
        request.display = try table["display"].map { v throws(SandboxError) in try bool(v, key: "permissions.display") } ?? false
        request.gpu = try table["gpu"].map { v throws(SandboxError) in try bool(v, key: "permissions.gpu") } ?? false
        if let filesystem = table["filesystem"] {
            switch filesystem {
            case .string:
                request.filesystem = try choice(filesystem, key: "permissions.filesystem", FilesystemAccess.self)
            case .table(let inner):
                try rejectUnknownKeys(inner, allowed: Self.filesystemKeys, prefix: "permissions.filesystem.")
                guard let mode = inner["mode"] else { throw .manifestMissingKey(path: path, key: "permissions.filesystem.mode") }
                request.filesystem = try choice(mode, key: "permissions.filesystem.mode", FilesystemAccess.self)
                if let paths = inner["paths"] {
                    request.filesystemPaths = try absolutePaths(paths, key: "permissions.filesystem.paths", limit: Self.maxPaths)
                }
            default:
                throw .manifestValue(
                    path: path, key: "permissions.filesystem", value: filesystem.rendered,
                    reason: "must be \"none\", \"ro\", \"rw\" or a table { mode = …, paths = […] }")
            }
        }
        try checkPathsNeedAccess(request)
        return request
    }

    /// manifest.tau: `["network", "camera", "filesystem:ro", "filesystem:rw:/srv/media"]`.
    private func permissionList(_ items: [ManifestValue]) throws(SandboxError) -> PermissionRequest {
        var request = PermissionRequest()
        var filesystemMode: FilesystemAccess?
        let names = Self.permissionKeys.filter { $0 != "filesystem" } + ["filesystem:ro", "filesystem:rw", "filesystem:none"]
        for (index, item) in items.enumerated() {
            let key = "permissions[\(index)]"
            let token = try text(item, key: key, maxBytes: Self.maxStringBytes)
            switch token {
            case "network": request.network = true
            case "camera": request.camera = true
            case "microphone": request.microphone = true
            case "audio": request.audio = true
            case "display": request.display = true
            case "gpu": request.gpu = true
            default:
                guard token.hasPrefix("filesystem:") else {
                    throw .unknownPermission(path: path, key: key, value: token,
                                             suggestion: Permission.abbreviations[token.lowercased()] ?? DidYouMean.suggestion(for: token, among: names))
                }
                let parts = token.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
                guard let mode = FilesystemAccess(rawValue: parts[1]) else {
                    throw .unknownPermission(path: path, key: key, value: token, suggestion: DidYouMean.suggestion(for: token, among: names))
                }
                if let earlier = filesystemMode, earlier != mode {
                    throw .manifestValue(
                        path: path, key: key, value: quoted(token),
                        reason: "conflicts with filesystem:\(earlier.rawValue) listed earlier")
                }
                filesystemMode = mode
                request.filesystem = mode
                if parts.count == 3 {
                    if let problem = PathRules.problem(withAbsolutePath: parts[2]) {
                        if !parts[2].hasPrefix("/") {
                            throw .policyDenied(reason: "\(path): \(key) \(quoted(parts[2])) is not an absolute path")
                        }
                        throw .manifestValue(path: path, key: key, value: quoted(parts[2]), reason: problem)
                    }
                    if !request.filesystemPaths.contains(parts[2]) { request.filesystemPaths.append(parts[2]) }
                    if request.filesystemPaths.count > Self.maxPaths {
                        throw .manifestValue(path: path, key: key, value: quoted(token), reason: "more than \(Self.maxPaths) paths")
                    }
                }
            }
        }
        try checkPathsNeedAccess(request)
        return request
    }

    private func checkPathsNeedAccess(_ request: PermissionRequest) throws(SandboxError) {
        if request.filesystem == .none, let first = request.filesystemPaths.first {
            throw .manifestValue(path: path, key: "permissions.filesystem", value: quoted(first), reason: "is a path but filesystem access is \"none\"")
        }
    }

    private func resourceLimits(_ value: ManifestValue) throws(SandboxError) -> ResourceLimits {
        guard case .table(let table) = value else {
            throw .manifestValue(path: path, key: "resources", value: value.rendered, reason: "must be a table")
        }
        try rejectUnknownKeys(table, allowed: Self.resourceKeys, prefix: "resources.")
        var limits = ResourceLimits()
        if let memory = table["memory"] { limits.memoryBytes = try size(memory, key: "resources.memory", range: Self.memoryRange) }
        if let disk = table["disk"] { limits.diskBytes = try size(disk, key: "resources.disk", range: Self.diskRange) }
        if let pids = table["pids"] {
            guard case .integer(let count) = pids else {
                throw .manifestValue(path: path, key: "resources.pids", value: pids.rendered, reason: "must be an integer")
            }
            guard Self.pidsRange.contains(count) else {
                throw .manifestValue(path: path, key: "resources.pids", value: String(count), reason: "is outside \(Self.pidsRange.lowerBound)...\(Self.pidsRange.upperBound)")
            }
            limits.pids = count
        }
        if let cpu = table["cpu"] {
            let cores: Double
            switch cpu {
            case .integer(let whole): cores = Double(whole)
            case .float(let fraction): cores = fraction
            default:
                throw .manifestValue(path: path, key: "resources.cpu", value: cpu.rendered, reason: "must be a number of cores (e.g. 0.5)")
            }
            let range = Self.cpuMillicoresRange
            guard cores.isFinite, cores * 1000 >= Double(range.lowerBound), cores * 1000 <= Double(range.upperBound) else {
                throw .manifestValue(path: path, key: "resources.cpu", value: cpu.rendered, reason: "is outside 0.01...1024 cores")
            }
            limits.cpuMillicores = Int64((cores * 1000).rounded())
        }
        return limits
    }

    // MARK: - Scalars

    private func rejectUnknownKeys(_ table: [String: ManifestValue], allowed: [String], prefix: String) throws(SandboxError) {
        for key in table.keys.sorted() where !allowed.contains(key) {
            throw .manifestUnknownKey(path: path, key: prefix + key, suggestion: DidYouMean.suggestion(for: key, among: allowed).map { prefix + $0 })
        }
    }

    private func string(_ value: ManifestValue, key: String) throws(SandboxError) -> String {
        guard case .string(let text) = value else {
            throw .manifestValue(path: path, key: key, value: value.rendered, reason: "must be a string, not \(value.typeName)")
        }
        return text
    }

    private func text(_ value: ManifestValue, key: String, maxBytes: Int, allowEmpty: Bool = false) throws(SandboxError) -> String {
        let result = try string(value, key: key)
        if result.isEmpty && !allowEmpty {
            throw .manifestValue(path: path, key: key, value: "\"\"", reason: "must not be empty")
        }
        if result.utf8.count > maxBytes {
            throw .manifestValue(path: path, key: key, value: quoted(result), reason: "is longer than \(maxBytes) bytes")
        }
        if result.utf8.contains(0) {
            throw .manifestValue(path: path, key: key, value: quoted(result), reason: "contains a NUL byte")
        }
        return result
    }

    private func versionString(_ value: ManifestValue) throws(SandboxError) -> String {
        let result = try text(value, key: "version", maxBytes: 64)
        for byte in result.utf8 {
            let ok = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "~")
            if !ok {
                throw .manifestValue(path: path, key: "version", value: quoted(result), reason: "may only contain [A-Za-z0-9.+_~-]")
            }
        }
        return result
    }

    private func bool(_ value: ManifestValue, key: String) throws(SandboxError) -> Bool {
        guard case .bool(let flag) = value else {
            throw .manifestValue(path: path, key: key, value: value.rendered, reason: "must be true or false, not \(value.typeName)")
        }
        return flag
    }

    private func choice<Choice: RawRepresentable & CaseIterable>(_ value: ManifestValue, key: String, _ type: Choice.Type) throws(SandboxError) -> Choice
    where Choice.RawValue == String {
        let raw = try string(value, key: key)
        guard let result = Choice(rawValue: raw) else {
            let options = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            let suggestion = DidYouMean.suggestion(for: raw, among: Choice.allCases.map(\.rawValue))
            throw .manifestValue(
                path: path, key: key, value: quoted(raw),
                reason: "must be one of \(options)" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""))
        }
        return result
    }

    private func absolutePaths(_ value: ManifestValue, key: String, limit: Int) throws(SandboxError) -> [String] {
        guard case .array(let items) = value else {
            throw .manifestValue(path: path, key: key, value: value.rendered, reason: "must be an array of absolute paths")
        }
        if items.count > limit {
            throw .manifestValue(path: path, key: key, value: "(\(items.count) items)", reason: "has more than \(limit) entries")
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            let entry = try text(item, key: "\(key)[\(index)]", maxBytes: Self.maxStringBytes)
            if let problem = PathRules.problem(withAbsolutePath: entry) {
                // A relative path is a policy matter (where would it point?), as are the dangerous paths checked
                // later; a malformed one (NUL, //, ..) is a manifest error.
                if !entry.hasPrefix("/") {
                    throw .policyDenied(reason: "\(path): \(key)[\(index)] \(quoted(entry)) is not an absolute path")
                }
                throw .manifestValue(path: path, key: "\(key)[\(index)]", value: quoted(entry), reason: problem)
            }
            if !result.contains(entry) { result.append(entry) }
        }
        return result
    }

    /// "256M", "1G", "512K", "1024" or an integer number of bytes; K/M/G/T are powers of 1024.
    private func size(_ value: ManifestValue, key: String, range: ClosedRange<Int64>) throws(SandboxError) -> Int64 {
        let bytes: Int64
        switch value {
        case .integer(let number):
            bytes = number
        case .string(let text):
            guard let parsed = SizeParser.bytes(text) else {
                throw .manifestValue(path: path, key: key, value: quoted(text), reason: "is not a size (e.g. \"256M\", \"1G\")")
            }
            bytes = parsed
        default:
            throw .manifestValue(path: path, key: key, value: value.rendered, reason: "must be a size string (e.g. \"256M\") or bytes")
        }
        guard range.contains(bytes) else {
            throw .manifestValue(
                path: path, key: key, value: value.rendered,
                reason: "is outside \(SizeParser.render(range.lowerBound))...\(SizeParser.render(range.upperBound))")
        }
        return bytes
    }

    private func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 128 else { return false }
        func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_") }
        guard isLetter(first) else { return false }
        return name.utf8.allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }
}
