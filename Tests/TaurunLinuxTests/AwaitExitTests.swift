import Testing
import TaurunLinux

#if canImport(Glibc)
import Glibc
#endif

/// awaitExit wakes when the process exits (pidfd), times out while it runs, and never waits for a recycled pid.
@Suite struct AwaitExitTests {
    /// posix_spawn (no fork of the multi-threaded test process) of busybox/coreutils sleep.
    func spawnSleep(_ seconds: String) throws -> pid_t {
        var pid: pid_t = 0
        let args = ["sleep", seconds]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let r = posix_spawnp(&pid, "sleep", nil, nil, &argv, environ)
        try #require(r == 0)
        return pid
    }

    func reap(_ pid: pid_t) { var s: Int32 = 0; while waitpid(pid, &s, 0) < 0 && errno == EINTR {} }

    @Test func wakesWhenTheProcessExits() throws {
        let pid = try spawnSleep("0.1")
        defer { reap(pid) }
        let start = Processes.startTime(of: pid)
        #expect(Processes.awaitExit(pid: pid, startTime: start, timeoutMilliseconds: 5000) == .exited)
    }

    @Test func timesOutWhileTheProcessRuns() throws {
        let pid = try spawnSleep("5")
        defer { kill(pid, SIGKILL); reap(pid) }
        let start = Processes.startTime(of: pid)
        #expect(Processes.awaitExit(pid: pid, startTime: start, timeoutMilliseconds: 50) == .timedOut)
    }

    @Test func anotherStartTimeIsNotWaitedFor() throws {
        let pid = try spawnSleep("5")
        defer { kill(pid, SIGKILL); reap(pid) }
        let start = try #require(Processes.startTime(of: pid))
        #expect(Processes.awaitExit(pid: pid, startTime: start + 1, timeoutMilliseconds: 5000) == .notRunning)
    }

    @Test func aPidfdWaitsForItsProcess() throws {
        let pid = try spawnSleep("0.3")
        defer { reap(pid) }
        let pidfd = try #require(Pidfd(pid: pid))
        defer { pidfd.close() }
        #expect(pidfd.awaitExit(timeoutMilliseconds: 20) == .timedOut)
        #expect(pidfd.awaitExit(timeoutMilliseconds: 5000) == .exited)
    }

    @Test func goneProcessIsNotRunning() throws {
        let pid = try spawnSleep("5")
        let start = try #require(Processes.startTime(of: pid))
        kill(pid, SIGKILL)
        reap(pid)
        #expect(Processes.awaitExit(pid: pid, startTime: start, timeoutMilliseconds: 1000) == .notRunning)
    }
}
