import CTomlJSON

#if canImport(Glibc)
import Glibc
#endif

/// tau.toml → `ManifestValue`: toml++ (the parser TOMLKit wraps, used here through CTomlJSON so taurun links no
/// Foundation) turns the file into JSON, which then takes the same road as tau-app.json. Parse errors keep
/// toml++'s line and column; dates and times, which a manifest never needs, are refused with their line.
enum TOMLManifestReader {
    static func read(text: String, path: String) throws(SandboxError) -> ManifestValue {
        var error = [CChar](repeating: 0, count: 512)
        var line: Int32 = 0, column: Int32 = 0
        let source = Array(text.utf8)
        let json = source.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                tr_toml_to_json(chars.baseAddress, chars.count, &error, error.count, &line, &column)
            }
        }
        guard let json else {
            let message = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .manifestSyntax(path: path, line: line > 0 ? Int(line) : nil, column: column > 0 ? Int(column) : nil,
                                  message: message)
        }
        defer { free(json) }
        let bytes = Array(UnsafeRawBufferPointer(start: json, count: strlen(json)))
        return try JSONManifestReader.read(bytes: bytes, path: path)
    }
}
