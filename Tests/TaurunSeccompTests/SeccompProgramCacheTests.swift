// SeccompProgramCache: a profile compiled once is read back byte for byte; anything not exactly trusted is ignored.

import Foundation
import TaurunOCI
import Testing

@testable import TaurunSeccomp

@Suite struct SeccompProgramCacheTests {
    let profile = LinuxSeccomp(
        defaultAction: .errno, defaultErrnoRet: 1, listenerPath: "/run/agent.sock",
        syscalls: [
            LinuxSyscall(names: ["read", "write", "not_a_syscall", "we\u{1}ird"], action: .allow),
            LinuxSyscall(names: ["mkdir"], action: .notify),
            LinuxSyscall(names: ["kill"], action: .allow, args: [LinuxSeccompArg(index: 1, value: 0, op: .equalTo)]),
        ])

    /// A fresh cache directory path (not yet created) inside a scratch directory the caller removes.
    func cacheDirectory() throws -> (parent: String, directory: String) {
        let parent = try scratchDirectory()
        return (parent, parent + "/seccomp")
    }

    @Test func secondLookupComesFromTheCacheAndEqualsTheCompiledProgram() throws {
        let (parent, directory) = try cacheDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let cache = SeccompProgramCache(directory: directory)
        let first = try cache.program(for: profile)
        #expect(!first.fromCache)
        let second = try cache.program(for: profile)
        #expect(second.fromCache)
        #expect(second.program == first.program)
        #expect(second.program == (try SeccompCompiler.compile(profile)))
        #expect(second.program.skippedSyscalls == ["not_a_syscall", "we\u{1}ird"])
        #expect(second.program.usesNotify)
    }

    @Test func listenerPathDoesNotChangeTheKeyButEveryFilterFieldDoes() {
        var other = profile
        other.listenerPath = "/elsewhere.sock"
        other.listenerMetadata = "meta"
        #expect(SeccompProgramCache.key(for: other) == SeccompProgramCache.key(for: profile))
        var changedErrno = profile
        changedErrno.defaultErrnoRet = 38
        var changedArg = profile
        changedArg.syscalls?[2].args?[0].value = 9
        var changedArch = profile
        changedArch.architectures = [.x86]
        let keys = Set([profile, changedErrno, changedArg, changedArch].map(SeccompProgramCache.key(for:)))
        #expect(keys.count == 4)
    }

    @Test func entryForAnotherKeyIsNotUsed() throws {
        let (parent, directory) = try cacheDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let cache = SeccompProgramCache(directory: directory)
        _ = try cache.program(for: profile)
        // Put a different profile's program under this profile's file name: its stored key no longer matches.
        let allowAll = LinuxSeccomp(defaultAction: .allow)
        let forged = cache.encode(try SeccompCompiler.compile(allowAll), key: SeccompProgramCache.key(for: allowAll))
        let path = directory + "/" + SeccompProgramCache.fileName(for: SeccompProgramCache.key(for: profile))
        try Data(forged).write(to: URL(fileURLWithPath: path))
        let lookup = try cache.program(for: profile)
        #expect(!lookup.fromCache)
        #expect(lookup.program == (try SeccompCompiler.compile(profile)))
    }

    @Test func entryWritableByOthersIsIgnored() throws {
        let (parent, directory) = try cacheDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let cache = SeccompProgramCache(directory: directory)
        _ = try cache.program(for: profile)
        let path = directory + "/" + SeccompProgramCache.fileName(for: SeccompProgramCache.key(for: profile))
        #expect(chmod(path, 0o666) == 0)
        #expect(!(try cache.program(for: profile)).fromCache)
    }

    @Test func directoryWritableByOthersIsNeitherReadNorWritten() throws {
        let (parent, directory) = try cacheDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        #expect(mkdir(directory, 0o777) == 0 && chmod(directory, 0o777) == 0)
        let cache = SeccompProgramCache(directory: directory)
        #expect(!(try cache.program(for: profile)).fromCache)
        #expect(!(try cache.program(for: profile)).fromCache)
        #expect((try FileManager.default.contentsOfDirectory(atPath: directory)).isEmpty)
    }

    @Test func truncatedEntryIsIgnored() throws {
        let (parent, directory) = try cacheDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let cache = SeccompProgramCache(directory: directory)
        _ = try cache.program(for: profile)
        let path = directory + "/" + SeccompProgramCache.fileName(for: SeccompProgramCache.key(for: profile))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 3).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, 0o600) == 0)
        #expect(!(try cache.program(for: profile)).fromCache)
    }
}
