#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// CLOCK_MONOTONIC, for deadlines and rate limits: it never jumps with the wall clock. One copy for every module
/// (retry deadlines of cgroup writes, D-Bus reply timeouts, pidfd waits, the monitor's record suppression).
public enum MonotonicClock {
    public static func milliseconds() -> Int {
        let now = read()
        return Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000
    }

    public static func microseconds() -> Int {
        let now = read()
        return Int(now.tv_sec) * 1_000_000 + Int(now.tv_nsec) / 1000
    }

    public static func seconds() -> Double {
        let now = read()
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Sleeps without threads or Dispatch (the create path stays single-threaded); a signal does not cut it short.
    public static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }

    private static func read() -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now
    }
}
