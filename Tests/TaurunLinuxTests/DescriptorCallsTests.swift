import Testing
import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// Status flags set on an open file, and a message that carries a descriptor (SCM_RIGHTS) with arbitrary bytes.
@Suite struct DescriptorCallsTests {
    @Test func setStatusFlagsMakesAPipeNonBlocking() throws {
        let pipe = try Files.pipe()
        defer { Files.close(pipe.read); Files.close(pipe.write) }
        #expect(fcntl(pipe.write, F_GETFL) & O_NONBLOCK == 0)
        try Files.setStatusFlags(pipe.write, O_NONBLOCK)
        #expect(fcntl(pipe.write, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(pipe.read, F_GETFL) & O_NONBLOCK == 0)
    }

    @Test func setStatusFlagsOfAClosedDescriptorFails() throws {
        let pipe = try Files.pipe()
        Files.close(pipe.read)
        Files.close(pipe.write)
        #expect(throws: SyscallError("fcntl(F_SETFL)", nil, errno: .badFileDescriptor)) {
            try Files.setStatusFlags(pipe.write, O_NONBLOCK)
        }
    }

    @Test func sendFDCarriesTheMessageBytesAndTheDescriptor() throws {
        let (left, right) = try UnixSocket.streamPair()
        defer { Files.close(left); Files.close(right) }
        let pipe = try Files.pipe()
        defer { Files.close(pipe.read); Files.close(pipe.write) }
        let message: [UInt8] = Array("{\"fds\":[\"seccompFd\"]}".utf8) + [0, 255]
        try UnixSocket.sendFD(over: left, fd: pipe.write, message: message)
        var buffer = [UInt8](repeating: 0, count: 64)
        let (count, passed) = try UnixSocket.receiveMessage(from: right, into: &buffer)
        try #require(passed >= 0)
        defer { Files.close(passed) }
        #expect(Array(buffer[0..<count]) == message)
        // The descriptor received is the pipe's write end: what goes in there comes out of the read end.
        try Files.writeAll(fd: passed, [42], path: "passed")
        var byte: [UInt8] = [0]
        #expect(try DescriptorRead.some(pipe.read, into: &byte) == 1)
        #expect(byte == [42])
    }
}
