// Compiled programs kept on disk, keyed by the profile (crun keeps BPF the same way): the same profile, which is the
// common case (the default profile, a Podman profile), costs one small file read (~0.3 ms) on the next create instead of a
// libseccomp compile (2-3 ms for the default profile, more with compat architectures).
//
// A cached program is trusted code for the kernel's filter, so the cache must be as private as the runtime's state:
// the directory and each file must belong to the effective user and be writable by nobody else, or they are ignored.
// Each file repeats its full key, so a hash collision or a stale file can never hand back another profile's program.

import CSeccomp
import TaurunLinux
import TaurunOCI
import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public struct SeccompProgramCache: Sendable {
    /// A directory only the runtime can write, e.g. `<root>/seccomp` under /run/taurun.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    private static let magic = "taurun-seccomp-program 1"

    /// The program for `seccomp`: read from the cache when a trusted entry for exactly this profile exists,
    /// otherwise compiled and stored. Storing is best effort: a cache that cannot be written only costs the next
    /// create a compile, so it never fails the container.
    public func program(for seccomp: LinuxSeccomp, monitoredDefault: Bool = false) throws(SeccompError) -> (program: SeccompProgram, fromCache: Bool) {
        // A monitored filter is keyed apart, so a config.json spelling the same profile never finds it here.
        let key = Self.key(for: seccomp) + (monitoredDefault ? " monitored" : "")
        let path = directory + "/" + Self.fileName(for: key)
        if let cached = read(path, key: key) {
            return (cached, true)
        }
        let program = try SeccompCompiler.compile(seccomp, monitoredDefault: monitoredDefault)
        store(program, key: key, path: path)
        return (program, false)
    }

    // MARK: key

    /// Everything that changes the compiled program, in a fixed order and spelling: the libseccomp version, the
    /// native architecture, and the profile without listenerPath/listenerMetadata (which do not reach the filter).
    static func key(for seccomp: LinuxSeccomp) -> String {
        var text = KeyText(capacity: 96 + 32 * (seccomp.syscalls?.count ?? 0))
        text.add("libseccomp=")
        if let version = seccomp_version() {
            text.add("\(version.pointee.major).\(version.pointee.minor).\(version.pointee.micro)")
        }
        text.add(" native=", seccomp_arch_native())
        text.add(" default=", seccomp.defaultAction.rawValue)
        text.add(" errno=", seccomp.defaultErrnoRet)
        text.add(" archs=[", list: (seccomp.architectures ?? []).map(\.rawValue), quoted: false)
        text.add("] flags=[", list: (seccomp.flags ?? []).map(\.rawValue), quoted: false)
        text.add("]")
        for rule in seccomp.syscalls ?? [] {
            text.add(" rule(", list: rule.names, quoted: true)
            text.add(" ", rule.action.rawValue)
            text.add(" errno=", rule.errnoRet)
            for arg in rule.args ?? [] {
                text.add(" arg(", arg.index)
                text.add(" ", arg.op.rawValue)
                text.add(" ", arg.value)
                text.add(" ", arg.valueTwo)
                text.add(")")
            }
            text.add(")")
        }
        return String(decoding: text.bytes, as: UTF8.self)
    }

    /// The key's spelling, built as bytes: every create computes it over the whole profile (hundreds of names in the
    /// default one), and string interpolation, map/joined and a quoted String per name were 12 % of a `run`'s
    /// instructions. Numbers are decimal, a missing one "-"; names are JSON strings as jsonQuoted spells them.
    struct KeyText {
        var bytes: [UInt8] = []

        init(capacity: Int) { bytes.reserveCapacity(capacity) }

        mutating func add(_ text: String) { bytes.append(contentsOf: text.utf8) }

        mutating func add(_ label: String, _ value: String) {
            add(label)
            add(value)
        }

        mutating func add<Number: BinaryInteger>(_ label: String, _ number: Number?) {
            add(label)
            if let number { add(String(number)) } else { bytes.append(UInt8(ascii: "-")) }
        }

        mutating func add(_ prefix: String, list items: [String], quoted: Bool) {
            add(prefix)
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                if !quoted {
                    add(item)
                } else if item.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                    add(jsonQuoted(item))
                } else {
                    bytes.append(UInt8(ascii: "\""))
                    add(item)
                    bytes.append(UInt8(ascii: "\""))
                }
            }
        }
    }

    /// FNV-1a 64 of the key, in hex: a file name, not a security boundary (the key itself is compared on read).
    static func fileName(for key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var key = key
        key.withUTF8 { bytes in
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + ".bpf"
    }

    // MARK: file format
    // line 1: magic; line 2: key; line 3: "<loadFlags> <usesNotify 0|1>"; line 4: skipped names, JSON-quoted and
    // separated by spaces; then the BPF bytes to the end of the file.

    func encode(_ program: SeccompProgram, key: String) -> [UInt8] {
        let header = [
            Self.magic, key, "\(program.loadFlags) \(program.usesNotify ? 1 : 0)",
            program.skippedSyscalls.map(jsonQuoted).joined(separator: " "),
        ].joined(separator: "\n") + "\n"
        return Array(header.utf8) + program.instructions
    }

    func decode(_ bytes: [UInt8], key: String) -> SeccompProgram? {
        var lines: [String] = []
        var start = 0
        var index = 0
        while lines.count < 4 && index < bytes.count {
            if bytes[index] == 0x0A {
                lines.append(String(decoding: bytes[start..<index], as: UTF8.self))
                start = index + 1
            }
            index += 1
        }
        guard lines.count == 4, lines[0] == Self.magic, lines[1] == key else { return nil }
        let numbers = lines[2].split(separator: " ")
        guard numbers.count == 2, let flags = UInt32(numbers[0]), numbers[1] == "0" || numbers[1] == "1" else { return nil }
        let instructions = Array(bytes[start...])
        guard !instructions.isEmpty, instructions.count % SeccompProgram.instructionSize == 0,
            instructions.count / SeccompProgram.instructionSize <= SeccompKernelABI.maxInstructions
        else { return nil }
        return SeccompProgram(
            instructions: instructions, loadFlags: flags, usesNotify: numbers[1] == "1",
            skippedSyscalls: Self.unquoteList(lines[3]))
    }

    /// Inverse of the skipped-names line (names are JSON strings separated by spaces).
    static func unquoteList(_ line: String) -> [String] {
        var names: [String] = []
        var current = ""
        var inString = false
        var escaped = false
        var hexDigits: String?
        for scalar in line.unicodeScalars {
            if !inString {
                if scalar == "\"" { inString = true; current = "" }
                continue
            }
            if var digits = hexDigits {
                digits.unicodeScalars.append(scalar)
                if digits.count == 4 {
                    if let value = UInt32(digits, radix: 16), let decoded = Unicode.Scalar(value) {
                        current.unicodeScalars.append(decoded)
                    }
                    hexDigits = nil
                } else {
                    hexDigits = digits
                }
                continue
            }
            if escaped {
                switch scalar {
                case "n": current += "\n"
                case "r": current += "\r"
                case "t": current += "\t"
                case "u": hexDigits = ""
                default: current.unicodeScalars.append(scalar)
                }
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar == "\"" {
                names.append(current)
                inString = false
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        return names
    }

    // MARK: storage

    private func read(_ path: String, key: String) -> SeccompProgram? {
        guard Self.isPrivate(directory, expectDirectory: true) else { return nil }
        guard let fd = try? Files.open(path, O_RDONLY | O_NOFOLLOW) else { return nil }
        defer { Files.close(fd) }
        guard let status = try? Files.stat(fd: fd), Self.isPrivate(status, expectDirectory: false),
            let bytes = try? Files.readAll(fd: fd, path: path)
        else { return nil }
        return decode(bytes, key: key)
    }

    private func store(_ program: SeccompProgram, key: String, path: String) {
        if !Files.exists(directory) {
            try? Files.mkdirAll(directory, mode: 0o700)
        }
        guard Self.isPrivate(directory, expectDirectory: true) else { return }
        try? Files.writeAtomically(path, encode(program, key: key), mode: 0o600)
    }

    private static func isPrivate(_ path: String, expectDirectory: Bool) -> Bool {
        guard let status = try? FileIO<SyscallError>.status(path) else { return false }
        return isPrivate(status, expectDirectory: expectDirectory)
    }

    /// Owned by the effective user, not writable by group or others, and of the expected type (no symlinks).
    private static func isPrivate(_ status: stat, expectDirectory: Bool) -> Bool {
        status.st_uid == ProcessIdentity.effectiveUID && status.st_mode & 0o022 == 0
            && FileKind(mode: status.st_mode) == (expectDirectory ? .directory : .regular)
    }
}
