import CLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// bpf(2) for the cgroup v2 device controller: BPF_PROG_TYPE_CGROUP_DEVICE programs loaded, listed, attached and
/// detached on a cgroup directory fd. CLinux fills union bpf_attr; errors name the bpf command.
public enum BPF {
    /// A program the kernel refused to load, with the verifier's explanation when it gave one.
    public struct LoadError: Error {
        public let error: SyscallError
        public let verifierLog: String
    }

    /// BPF_PROG_LOAD of `instructions` (8 bytes each) named `name` (at most 15 bytes); the program fd.
    public static func loadCgroupDeviceProgram(_ instructions: [UInt8], name: String) throws(LoadError) -> Int32 {
        var log = [CChar](repeating: 0, count: 16 * 1024)
        let fd = instructions.withUnsafeBytes { code in
            tr_bpf_load_cgroup_device(code.baseAddress, UInt32(instructions.count / 8), "Apache", &log, UInt32(log.count), name)
        }
        if fd < 0 {
            let error = SyscallError("bpf(BPF_PROG_LOAD)")
            let verifier = String(decoding: log.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw LoadError(error: error, verifierLog: verifier)
        }
        return fd
    }

    /// The ids of the device programs attached to the cgroup itself (at most 64, more than any cgroup carries).
    public static func cgroupDevicePrograms(cgroupFD: Int32) throws(SyscallError) -> [UInt32] {
        var ids = [UInt32](repeating: 0, count: 64)
        var count = UInt32(ids.count)
        _ = try sys("bpf(BPF_PROG_QUERY)") { tr_bpf_query_cgroup_device(cgroupFD, &ids, &count) }
        return Array(ids.prefix(min(Int(count), ids.count)))
    }

    /// Attaches the program beside any already there (BPF_F_ALLOW_MULTI).
    public static func attachCgroupDeviceProgram(_ programFD: Int32, cgroupFD: Int32) throws(SyscallError) {
        _ = try sys("bpf(BPF_PROG_ATTACH)") { tr_bpf_attach_cgroup_device(cgroupFD, programFD) }
    }

    public static func detachCgroupDeviceProgram(_ programFD: Int32, cgroupFD: Int32) throws(SyscallError) {
        _ = try sys("bpf(BPF_PROG_DETACH)") { tr_bpf_detach_cgroup_device(cgroupFD, programFD) }
    }

    /// An fd of the loaded program with id `id` (BPF_PROG_GET_FD_BY_ID).
    public static func programFD(id: UInt32) throws(SyscallError) -> Int32 {
        try sys("bpf(BPF_PROG_GET_FD_BY_ID)") { tr_bpf_prog_fd_by_id(id) }
    }
}
