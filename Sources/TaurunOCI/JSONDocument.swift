// Decoding and encoding entry points shared by every OCI document (config.json, state.json, process.json, ...).

import TaurunSupport

enum JSONDocument {
    /// Parses strictly; a failure names `file`, the JSON path and the position.
    static func parse(_ bytes: [UInt8], file: String) throws(SpecError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw SpecError(file: file, jsonPath: error.path.description, message: error.message)
        }
    }

    /// Parse strictly, then read an OCI type by its hand-written conversion; every failure becomes a SpecError naming
    /// `file`, the JSON path and the value.
    static func read<T: JSONValueConvertible>(_ type: T.Type, from bytes: [UInt8], file: String) throws(SpecError) -> T {
        let value = try parse(bytes, file: file)
        do {
            return try T(json: value)
        } catch {
            throw SpecError(file: file, jsonPath: error.path.description, message: error.message)
        }
    }

    static func read<T: JSONValueConvertible>(_ type: T.Type, path: String) throws(SpecError) -> T {
        let bytes = try FileBytes.read(path: path)
        return try read(type, from: bytes, file: baseName(path))
    }

    /// Parse strictly, then decode through Codable (the runtime's own records, which have no hand-written conversion).
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], file: String) throws(SpecError) -> T {
        let value = try parse(bytes, file: file)
        do {
            return try decodeJSONValue(type, from: value)
        } catch {
            throw SpecError(file: file, jsonPath: error.path.description, message: error.message)
        }
    }

    /// Pretty, sorted keys: the same value always gives the same bytes.
    static func deterministic<T: JSONValueConvertible>(_ value: T, indent: String) -> [UInt8] {
        JSONWriter(indent: indent, keyOrder: .sorted).write(value.json)
    }

    static func baseName(_ path: String) -> String {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }
}

extension Spec {
    /// The version of the runtime-spec these types implement; `taurun spec` writes it.
    public static let supportedVersion = "1.2.1"

    /// Strictly decodes config.json. Unknown members are ignored; anything else that is wrong is a SpecError.
    public static func decode(_ bytes: [UInt8], file: String = "config.json") throws(SpecError) -> Spec {
        let spec = try JSONDocument.read(Spec.self, from: bytes, file: file)
        try spec.checkVersion(file: file)
        return spec
    }

    /// Reads and strictly decodes the file at `path`; errors name the file by its last path component.
    public static func load(path: String) throws(SpecError) -> Spec {
        let bytes = try FileBytes.read(path: path)
        return try decode(bytes, file: JSONDocument.baseName(path))
    }

    /// `load`, also returning the bytes it decoded: create records exactly those, so a later `exec` applies what
    /// create applied, whatever happens to the bundle's file meanwhile.
    public static func loadKeepingBytes(path: String) throws(SpecError) -> (spec: Spec, bytes: [UInt8]) {
        let bytes = try FileBytes.read(path: path)
        return (try decode(bytes, file: JSONDocument.baseName(path)), bytes)
    }

    /// Pretty-printed (tab indented, like `runc spec`), keys sorted, slashes not escaped; ends with a newline.
    public func encodedJSON() -> [UInt8] {
        JSONDocument.deterministic(self, indent: "\t") + [0x0A]
    }

    func checkVersion(file: String) throws(SpecError) {
        guard SemVer.isValid(ociVersion) else {
            throw SpecError(file: file, jsonPath: "ociVersion", message: "not a SemVer 2.0.0 version: \(jsonQuoted(ociVersion))")
        }
        // Every 1.x.y config is readable by a 1.x runtime (the spec adds only optional fields within a major
        // version); another major version may mean anything.
        guard ociVersion.split(separator: ".").first == "1" else {
            throw SpecError(file: file, jsonPath: "ociVersion",
                            message: "unsupported major version \(jsonQuoted(ociVersion)): taurun implements runtime-spec 1.x")
        }
    }
}

extension Process {
    /// Decodes a process.json as given to `exec --process`.
    public static func decode(_ bytes: [UInt8], file: String = "process.json") throws(SpecError) -> Process {
        try JSONDocument.read(Process.self, from: bytes, file: file)
    }

    public static func load(path: String) throws(SpecError) -> Process {
        try JSONDocument.read(Process.self, path: path)
    }
}

extension LinuxResources {
    /// Decodes the resources file given to `update --resources`.
    public static func decode(_ bytes: [UInt8], file: String = "resources.json") throws(SpecError) -> LinuxResources {
        try JSONDocument.read(LinuxResources.self, from: bytes, file: file)
    }
}

extension State {
    public static func decode(_ bytes: [UInt8], file: String = "state.json") throws(SpecError) -> State {
        try JSONDocument.read(State.self, from: bytes, file: file)
    }

    public static func load(path: String) throws(SpecError) -> State {
        try JSONDocument.read(State.self, path: path)
    }

    /// What `runc state` prints: 2-space indent, members in runc's order (ociVersion, id, pid, status, bundle,
    /// rootfs, created, annotations, owner), `pid` 0 when there is no process. No trailing newline (runc writes
    /// none either). Decodes back with `State.decode`.
    public func encodedJSON() -> [UInt8] {
        JSONWriter(indent: "  ", keyOrder: .asBuilt).write(runcShape)
    }

    /// What `runc list --format json` prints: one line, an array of the `state` shape, then a newline;
    /// `null` for no containers (runc encodes a nil slice).
    public static func listJSON(_ states: [State]) -> [UInt8] {
        let value: JSONValue = states.isEmpty ? .null : .array(states.map(\.runcShape))
        return JSONWriter(indent: nil, keyOrder: .asBuilt).write(value) + [0x0A]
    }

    /// One line, spec shape (no pid when there is none), keys sorted: for state.json on disk and hooks' stdin.
    public func compactJSON() -> [UInt8] {
        JSONWriter(indent: nil, keyOrder: .sorted).write(json)
    }

    private var runcShape: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("ociVersion", .string(ociVersion)),
            ("id", .string(id)),
            ("pid", .number("\(pid ?? 0)")),
            ("status", .string(status.rawValue)),
            ("bundle", .string(bundle)),
        ]
        if let rootfs { members.append(("rootfs", .string(rootfs))) }
        if let created { members.append(("created", .string(created))) }
        if let annotations, !annotations.isEmpty {
            let sorted = annotations.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            members.append(("annotations", .object(sorted.map { ($0.key, JSONValue.string($0.value)) })))
        }
        if let owner { members.append(("owner", .string(owner))) }
        return .object(members)
    }
}

extension Features {
    public static func decode(_ bytes: [UInt8], file: String = "features.json") throws(SpecError) -> Features {
        try JSONDocument.read(Features.self, from: bytes, file: file)
    }

    /// What `taurun features` prints, laid out like `runc features`: 4-space indent, members in the spec's order,
    /// the annotations map sorted by key (as Go prints maps); ends with a newline.
    public func encodedJSON() -> [UInt8] {
        var value = json
        if case .object(var members) = value, let index = members.firstIndex(where: { $0.key == "annotations" }),
            case .object(let annotations) = members[index].value
        {
            members[index].value = .object(annotations.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) })
            value = .object(members)
        }
        return JSONWriter(indent: "    ", keyOrder: .asBuilt).write(value) + [0x0A]
    }
}
