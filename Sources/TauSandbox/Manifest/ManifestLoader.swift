import TaurunSupport

/// Reads a manifest file in any of the three formats into a `Manifest`.
public enum ManifestLoader {
    /// Manifests are small; anything bigger is refused before parsing.
    public static let maximumBytes = 256 * 1024

    public static func load(path: String) throws(SandboxError) -> Manifest {
        guard let format = ManifestFormat.detect(fileName: LexicalPath.baseName(path)) else {
            throw .manifestValue(
                path: path, key: "(file name)", value: quoted(LexicalPath.baseName(path)),
                reason: "is not tau.toml, tau-app.json or manifest.tau (or *.toml / *.json / *.tau)")
        }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path, limit: maximumBytes)
        } catch {
            if case .io(_, _, let code) = error { throw .manifestUnreadable(path: path, errno: code) }
            throw error
        }
        return try parse(bytes: bytes, format: format, path: path)
    }

    /// Parses manifest bytes; `path` is only used in error messages.
    public static func parse(bytes: [UInt8], format: ManifestFormat, path: String) throws(SandboxError) -> Manifest {
        if bytes.count > maximumBytes {
            throw .manifestValue(path: path, key: "(file)", value: "\(bytes.count) bytes", reason: "is larger than \(maximumBytes) bytes")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .manifestSyntax(path: path, line: nil, column: nil, message: "not valid UTF-8")
        }
        if let nul = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<nul].filter { $0 == UInt8(ascii: "\n") }.count + 1
            throw .manifestSyntax(path: path, line: line, column: nil, message: "NUL byte in file")
        }
        let tree: ManifestValue
        switch format {
        case .tauToml: tree = try TOMLManifestReader.read(text: text, path: path)
        case .tauAppJSON, .manifestTau: tree = try JSONManifestReader.read(bytes: bytes, path: path)
        }
        return try ManifestDecoder(path: path, format: format).decode(tree)
    }
}
