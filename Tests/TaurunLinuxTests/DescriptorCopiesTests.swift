import Testing
import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// A copy made to hand to a helper program reaches it (no FD_CLOEXEC); every other copy is close-on-exec; none takes
/// 0, 1 or 2; and dup2 puts a file on a chosen number.
@Suite struct DescriptorCopiesTests {
    @Test func copiesKeepOrDropCloseOnExec() throws {
        let (readEnd, writeEnd) = try Files.pipe()
        defer { Files.close(readEnd); Files.close(writeEnd) }
        let inherited = try Files.inheritableCopy(of: readEnd, display: "pipe")
        defer { Files.close(inherited) }
        let closing = try Files.duplicate(readEnd)
        defer { Files.close(closing) }
        #expect(inherited >= 3 && closing >= 3)
        #expect(fcntl(inherited, F_GETFD) & FD_CLOEXEC == 0)
        #expect(fcntl(closing, F_GETFD) & FD_CLOEXEC == FD_CLOEXEC)
        #expect(throws: SyscallError("fcntl(F_DUPFD)", "closed", errno: .badFileDescriptor)) {
            try Files.inheritableCopy(of: -1, display: "closed")
        }
    }

    @Test func dup2PutsAFileOnTheTargetNumber() throws {
        let (readEnd, writeEnd) = try Files.pipe()
        defer { Files.close(readEnd); Files.close(writeEnd) }
        let target = try Files.duplicate(readEnd)
        try Files.duplicate(writeEnd, onto: target)
        defer { Files.close(target) }
        try Files.writeAll(fd: target, Array("x".utf8), path: "pipe")
        var byte: UInt8 = 0
        #expect(read(readEnd, &byte, 1) == 1 && byte == UInt8(ascii: "x"))
    }
}
