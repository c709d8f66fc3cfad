// SeccompLoader against the real kernel (root): inside this test process on a dedicated thread (a filter without
// TSYNC binds only the thread that loads it, and dies with it), and in a helper process that execs busybox.

import CSeccomp
import Foundation
import TaurunOCI
import Testing

@testable import TaurunSeccomp

/// Carries a closure to a new pthread and its result back.
final class ThreadResultBox<T: Sendable>: @unchecked Sendable {
    let body: @Sendable () -> T
    var result: T?
    init(_ body: @escaping @Sendable () -> T) { self.body = body }
}

/// Runs `body` on a new thread and returns its result; the filter it loads stays on that thread, which ends
/// right after (its last steps only return from Foundation's thread entry and exit).
func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T? {
    let box = ThreadResultBox(body)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.result = box.body()
        done.signal()
    }
    thread.start()
    done.wait()
    return box.result
}

/// The `Seccomp:` mode of the calling thread (0 none, 2 filter).
func threadSeccompMode() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("Seccomp:") {
        return Int(line.dropFirst("Seccomp:".count).trimmingCharacters(in: .whitespaces)) ?? -1
    }
    return -1
}

func scratchDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("taurun-seccomp-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct SeccompLoaderTests {
    let exdev: Int32 = 18

    func mkdirFails(errno value: UInt32) throws -> SeccompProgram {
        try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .allow, syscalls: [LinuxSyscall(names: ["mkdir", "mkdirat"], action: .errno, errnoRet: value)]))
    }

    @Test(.enabled(if: SeccompHelper.isRoot, "loading a filter without no_new_privs needs CAP_SYS_ADMIN"))
    func loaderFiltersTheCallingThreadOnly() throws {
        let program = try mkdirFails(errno: UInt32(exdev))
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let inside = try #require(onDedicatedThread { () -> [Int32] in
            let load = SeccompLoader.load(program)
            let rc = mkdir(directory + "/blocked", 0o755)
            let mkdirErrno = errno
            return [load.result, load.errno, rc, mkdirErrno, Int32(threadSeccompMode())]
        })
        #expect(inside == [0, 0, -1, exdev, 2])
        #expect(mkdir(directory + "/allowed", 0o755) == 0)
        #expect(threadSeccompMode() == 0)
    }

    @Test func loaderRefusesAProgramThatIsNotWholeInstructions() {
        let program = SeccompProgram(instructions: [0, 0, 0], loadFlags: 0, usesNotify: false)
        let load = SeccompLoader.load(program)
        #expect(load.result == -1)
        #expect(load.errno == EINVAL)
    }

    @Test func loaderReportsTheKernelsErrnoForAnInvalidProgram() throws {
        // Opcode 0xffff is no classic-BPF instruction; the kernel's checker rejects the program before installing it.
        let program = SeccompProgram(instructions: [0xff, 0xff, 0, 0, 0, 0, 0, 0], loadFlags: 0, usesNotify: false)
        let load = try #require(onDedicatedThread { SeccompLoader.load(program) })
        #expect(load.result == -1)
        #expect(load.errno == EINVAL || load.errno == EACCES)
    }

    @Test(.enabled(if: SeccompHelper.isRoot, "loading a filter without no_new_privs needs CAP_SYS_ADMIN"))
    func notifyRuleHandsTheListenerTheSyscall() throws {
        let program = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .allow, syscalls: [LinuxSyscall(names: ["mkdir", "mkdirat"], action: .notify)]))
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        final class Handoff: @unchecked Sendable {
            let ready = DispatchSemaphore(value: 0)
            var listener: Int32 = -1
        }
        let handoff = Handoff()
        let listenerSide = Thread {
            handoff.ready.wait()
            guard handoff.listener >= 0 else { return }
            var request: UnsafeMutablePointer<seccomp_notif>?
            var response: UnsafeMutablePointer<seccomp_notif_resp>?
            // If anything fails here, closing the listener makes the waiting syscall fail (ENOSYS) instead of
            // blocking the test forever.
            guard seccomp_notify_alloc(&request, &response) == 0, let request, let response else {
                close(handoff.listener)
                return
            }
            defer { seccomp_notify_free(request, response) }
            guard seccomp_notify_receive(handoff.listener, request) == 0 else {
                close(handoff.listener)
                return
            }
            // Pretend the directory was made: the syscall returns 1234 and the kernel never runs it.
            response.pointee.id = request.pointee.id
            response.pointee.val = request.pointee.data.nr == 83 ? 1234 : 4321  // 83 = mkdir on x86_64
            response.pointee.error = 0
            response.pointee.flags = 0
            _ = seccomp_notify_respond(handoff.listener, response)
        }
        listenerSide.start()
        let outcome = try #require(onDedicatedThread { () -> [Int64] in
            let load = SeccompLoader.load(program)
            handoff.listener = load.result
            handoff.ready.signal()
            if load.result < 0 { return [Int64(load.result), Int64(load.errno)] }
            let rc = syscall_mkdir(directory + "/notified")
            return [Int64(load.result), rc]
        })
        #expect(program.usesNotify)
        #expect(outcome[0] > 2)  // a new fd
        #expect(outcome[1] == 1234 || outcome[1] == 4321)
        #expect(!FileManager.default.fileExists(atPath: directory + "/notified"))
        if outcome[0] > 2 { close(Int32(outcome[0])) }
    }
}

extension SeccompLoaderTests {
    /// The monitor's side of the listener: SeccompNotifyChannel receives the trapped call with its number and integer
    /// arguments, names it, and fails it with the errno it chooses.
    @Test(.enabled(if: SeccompHelper.isRoot, "loading a filter without no_new_privs needs CAP_SYS_ADMIN"))
    func notifyChannelReceivesTheCallAndFailsItWithEPERM() throws {
        let program = try SeccompCompiler.compile(
            LinuxSeccomp(defaultAction: .allow, syscalls: [LinuxSyscall(names: ["mkdir", "mkdirat"], action: .notify)]))
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        final class Handoff: @unchecked Sendable {
            let ready = DispatchSemaphore(value: 0)
            var listener: Int32 = -1
            var seen: SeccompNotification?
            var name = ""
        }
        let handoff = Handoff()
        let monitorSide = Thread {
            handoff.ready.wait()
            guard handoff.listener >= 0 else { return }
            guard let channel = try? SeccompNotifyChannel(fd: handoff.listener),
                  let call = try? channel.receive() else {
                close(handoff.listener)
                return
            }
            handoff.seen = call
            handoff.name = SeccompNotifyChannel.syscallName(call.syscall, arch: call.arch)
            try? channel.fail(call, errno: EPERM)
        }
        monitorSide.start()
        let outcome = try #require(onDedicatedThread { () -> [Int64] in
            let load = SeccompLoader.load(program)
            handoff.listener = load.result
            handoff.ready.signal()
            if load.result < 0 { return [Int64(load.result), Int64(load.errno)] }
            let rc = syscall_mkdir(directory + "/denied")
            return [Int64(load.result), rc, Int64(errno)]
        })
        while !monitorSide.isFinished { usleep(1000) }
        #expect(outcome[0] > 2)
        #expect(outcome[1] == -1)
        #expect(outcome[2] == Int64(EPERM))
        let call = try #require(handoff.seen)
        #expect(handoff.name == "mkdir" || handoff.name == "mkdirat")
        #expect(call.args.count == 6)
        #expect(call.args[handoff.name == "mkdir" ? 1 : 2] == 0o755)
        #expect(!FileManager.default.fileExists(atPath: directory + "/denied"))
        if outcome[0] > 2 { close(Int32(outcome[0])) }
    }

    @Test func unknownSyscallNumbersAreNamedByNumber() {
        #expect(SeccompNotifyChannel.syscallName(41, arch: 0xC000_003E) == "socket")
        #expect(SeccompNotifyChannel.syscallName(99_999, arch: 0xC000_003E) == "syscall_99999")
    }
}

/// mkdir through libc (which may use mkdirat); returns the raw return value.
func syscall_mkdir(_ path: String) -> Int64 {
    Int64(mkdir(path, 0o755))
}
