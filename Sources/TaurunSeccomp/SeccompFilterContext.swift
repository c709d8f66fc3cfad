// Ownership of one libseccomp filter context (scmp_filter_ctx): created with the default action, released exactly
// once when the value goes away, and exported as classic-BPF bytes. Used only in the parent process.

import CSeccomp
import TaurunLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

struct SeccompFilterContext: ~Copyable {
    private let context: scmp_filter_ctx

    /// seccomp_init reports failure only as NULL (an invalid default action, or no memory).
    init(defaultAction: UInt32, path: String) throws(SeccompError) {
        guard let context = seccomp_init(defaultAction) else {
            throw SeccompError(path: path, message: "libseccomp rejected the default action", call: "seccomp_init")
        }
        self.context = context
    }

    deinit {
        seccomp_release(context)
    }

    func setAttribute(_ attribute: scmp_filter_attr, _ value: UInt32, path: String) throws(SeccompError) {
        let rc = seccomp_attr_set(context, attribute, value)
        if rc < 0 {
            throw SeccompError(path: path, message: "cannot set filter attribute \(attribute.rawValue)", call: "seccomp_attr_set", errno: -rc)
        }
    }

    /// Adds an architecture; the native one is already in a fresh context, so EEXIST is not an error.
    func addArchitecture(_ token: UInt32, path: String) throws(SeccompError) {
        let rc = seccomp_arch_add(context, token)
        if rc < 0 && -rc != EEXIST {
            throw SeccompError(path: path, message: "cannot add the architecture to the filter", call: "seccomp_arch_add", errno: -rc)
        }
    }

    /// One rule whose conditions must all hold (AND): libseccomp's seccomp_rule_add_array semantics.
    func addRule(action: UInt32, syscall: Int32, conditions: [scmp_arg_cmp], name: String, path: String) throws(SeccompError) {
        let rc = conditions.withUnsafeBufferPointer { buffer in
            seccomp_rule_add_array(context, action, syscall, UInt32(buffer.count), buffer.baseAddress)
        }
        if rc < 0 {
            throw SeccompError(path: path, message: "libseccomp rejected the rule for \(name)", call: "seccomp_rule_add_array", errno: -rc)
        }
    }

    /// The filter as classic BPF. libseccomp 2.5 can only export to a file descriptor, so it writes into a pipe
    /// that is read back; nothing touches the filesystem. The write end is non-blocking: a pipe holds 64 KiB, twice
    /// the largest program the kernel accepts (4096 instructions of 8 bytes), so a valid filter always fits and an
    /// oversized one fails with EAGAIN instead of blocking forever.
    func exportBPF(path: String) throws(SeccompError) -> [UInt8] {
        let ends: (read: Int32, write: Int32)
        do { ends = try Files.pipe() } catch {
            throw SeccompError(path: path, message: "cannot create a pipe for the exported filter", call: "pipe", errno: error.errno.rawValue)
        }
        let readEnd = ends.read
        var writeEnd = ends.write
        defer {
            Files.close(readEnd)
            if writeEnd >= 0 { Files.close(writeEnd) }
        }
        do { try Files.setStatusFlags(writeEnd, O_NONBLOCK) } catch {
            throw SeccompError(path: path, message: "cannot make the export pipe non-blocking", call: "fcntl", errno: error.errno.rawValue)
        }
        let rc = seccomp_export_bpf(context, writeEnd)
        if rc < 0 {
            throw SeccompError(path: path, message: "cannot export the filter", call: "seccomp_export_bpf", errno: -rc)
        }
        Files.close(writeEnd)
        writeEnd = -1

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let got: Int?
            do { got = try DescriptorRead.some(readEnd, into: &chunk) } catch {
                throw SeccompError(path: path, message: "cannot read the exported filter", call: "read", errno: error.errno.rawValue)
            }
            guard let got else { continue }  // EINTR
            if got == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<got])
        }
    }
}
