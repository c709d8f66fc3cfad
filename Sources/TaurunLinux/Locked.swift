import Synchronization

/// A value shared between threads, behind the standard library's Mutex. Mutex's lock and unlock are inlined where
/// they are used and make their futex(2) and gettid(2) calls there (`syscall`, from Synchronization's shim header):
/// holding the Mutex here keeps those system calls behind the kernel door (scripts/check-kernel-door.sh) for the
/// modules that need a lock.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` on the value with the lock held.
    public func withLock<Result: Sendable, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        try mutex.withLock { (value: inout sending Value) throws(Failure) -> sending Result in try body(&value) }
    }
}
