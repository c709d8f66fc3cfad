import Testing
import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// UnreadablePage: the kernel cannot read the page it lends (the seccomp flag probe relies on that fault), and the
/// body's result comes back.
@Suite struct UnreadablePageTests {
    @Test func theKernelCannotReadThePage() throws {
        let me = ProcessMemory(pid: Processes.ownPID)
        // The same read of ordinary memory works, so a nil below is the page's doing.
        let readable = [UInt8](repeating: 7, count: 16)
        let copy = readable.withUnsafeBytes { me.bytes(at: UInt64(UInt(bitPattern: $0.baseAddress)), count: 16) }
        #expect(copy == readable)
        let read = UnreadablePage.withAddress { page in me.bytes(at: UInt64(UInt(bitPattern: page)), count: 16) }
        let result = try #require(read)
        #expect(result == nil)
    }

    @Test func theBodysResultComesBack() {
        #expect(UnreadablePage.withAddress { _ in 42 } == 42)
    }
}
