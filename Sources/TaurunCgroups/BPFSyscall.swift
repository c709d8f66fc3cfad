import TaurunLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// bpf(2) for the v2 device controller: load a BPF_PROG_TYPE_CGROUP_DEVICE program and attach it to a cgroup,
/// detaching the ones taurun attached before (update). glibc has no bpf() wrapper and Swift cannot call the
/// variadic syscall(): TaurunLinux's BPF.call makes it.
enum BPFSyscall {

    // Commands and constants (include/uapi/linux/bpf.h).
    static let progLoad: Int32 = 5
    static let progAttach: Int32 = 8
    static let progDetach: Int32 = 9
    static let progGetFDByID: Int32 = 13
    static let progQuery: Int32 = 16
    static let progTypeCgroupDevice: UInt32 = 15
    static let attachTypeCgroupDevice: UInt32 = 6
    static let allowMulti: UInt32 = 2

    /// union bpf_attr is larger than any command needs here; the kernel requires unused bytes to be zero.
    static let attributeSize = 128

    static func call(_ command: Int32, _ attributes: inout [UInt8]) -> Int { BPF.call(command, &attributes) }

    static func put32(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<4 { bytes[offset + index] = UInt8((value >> (8 * UInt32(index))) & 0xff) }
    }

    static func put64(_ value: UInt64, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<8 { bytes[offset + index] = UInt8((value >> (8 * UInt64(index))) & 0xff) }
    }

    /// BPF_PROG_LOAD; returns the program fd. The verifier log is returned in the error when loading fails.
    static func loadDeviceProgram(_ program: [DeviceProgram.Instruction], cgroup: String) throws(CgroupError) -> Int32 {
        var code = program.flatMap(\.bytes)
        var license = Array("Apache\0".utf8)
        var log = [UInt8](repeating: 0, count: 16 * 1024)
        var attributes = [UInt8](repeating: 0, count: attributeSize)
        let result = code.withUnsafeMutableBytes { codeBytes in
            license.withUnsafeMutableBytes { licenseBytes in
                log.withUnsafeMutableBytes { logBytes -> Int in
                    put32(progTypeCgroupDevice, at: 0, in: &attributes)
                    put32(UInt32(program.count), at: 4, in: &attributes)
                    put64(UInt64(UInt(bitPattern: codeBytes.baseAddress)), at: 8, in: &attributes)
                    put64(UInt64(UInt(bitPattern: licenseBytes.baseAddress)), at: 16, in: &attributes)
                    put32(1, at: 24, in: &attributes)  // log_level: explain a rejection
                    put32(UInt32(logBytes.count), at: 28, in: &attributes)
                    put64(UInt64(UInt(bitPattern: logBytes.baseAddress)), at: 32, in: &attributes)
                    for (index, byte) in "taurun_dev".utf8.enumerated() { attributes[48 + index] = byte }
                    put32(attachTypeCgroupDevice, at: 68, in: &attributes)
                    return call(progLoad, &attributes)
                }
            }
        }
        if result < 0 {
            let code = errno
            let verifier = String(decoding: log.prefix(while: { $0 != 0 }), as: UTF8.self)
            throw .syscall("bpf(BPF_PROG_LOAD)", cgroup, errno: code,
                           reason: verifier.isEmpty ? "loading the device program" : "verifier: " + CgroupFiles.trimmed(verifier))
        }
        return Int32(result)
    }

    /// The ids of the device programs attached to the cgroup itself.
    static func attachedDevicePrograms(cgroupFD: Int32, cgroup: String) throws(CgroupError) -> [UInt32] {
        var ids = [UInt32](repeating: 0, count: 64)
        var attributes = [UInt8](repeating: 0, count: attributeSize)
        let result = ids.withUnsafeMutableBytes { idBytes -> Int in
            put32(UInt32(bitPattern: cgroupFD), at: 0, in: &attributes)
            put32(attachTypeCgroupDevice, at: 4, in: &attributes)
            put64(UInt64(UInt(bitPattern: idBytes.baseAddress)), at: 16, in: &attributes)
            put32(UInt32(idBytes.count / 4), at: 24, in: &attributes)
            return call(progQuery, &attributes)
        }
        if result < 0 { throw .syscall("bpf(BPF_PROG_QUERY)", cgroup, errno: errno) }
        let count = Int(UInt32(attributes[24]) | UInt32(attributes[25]) << 8 | UInt32(attributes[26]) << 16 | UInt32(attributes[27]) << 24)
        return Array(ids.prefix(min(count, ids.count)))
    }

    /// Replaces the cgroup's device programs with `program`: attach the new one first (never a moment without
    /// rules), then detach the old ones.
    static func install(_ program: [DeviceProgram.Instruction], cgroup: String) throws(CgroupError) {
        let cgroupFD = try CgroupFiles.openDescriptor(cgroup, O_RDONLY | O_DIRECTORY)
        defer { close(cgroupFD) }
        let previous = try attachedDevicePrograms(cgroupFD: cgroupFD, cgroup: cgroup)
        let programFD = try loadDeviceProgram(program, cgroup: cgroup)
        defer { close(programFD) }
        var attach = [UInt8](repeating: 0, count: attributeSize)
        put32(UInt32(bitPattern: cgroupFD), at: 0, in: &attach)
        put32(UInt32(bitPattern: programFD), at: 4, in: &attach)
        put32(attachTypeCgroupDevice, at: 8, in: &attach)
        put32(allowMulti, at: 12, in: &attach)
        if call(progAttach, &attach) < 0 { throw .syscall("bpf(BPF_PROG_ATTACH)", cgroup, errno: errno) }
        for id in previous {
            var byID = [UInt8](repeating: 0, count: attributeSize)
            put32(id, at: 0, in: &byID)
            let oldFD = call(progGetFDByID, &byID)
            if oldFD < 0 { throw .syscall("bpf(BPF_PROG_GET_FD_BY_ID)", cgroup, value: String(id), errno: errno) }
            defer { close(Int32(oldFD)) }
            var detach = [UInt8](repeating: 0, count: attributeSize)
            put32(UInt32(bitPattern: cgroupFD), at: 0, in: &detach)
            put32(UInt32(oldFD), at: 4, in: &detach)
            put32(attachTypeCgroupDevice, at: 8, in: &detach)
            if call(progDetach, &detach) < 0 { throw .syscall("bpf(BPF_PROG_DETACH)", cgroup, value: String(id), errno: errno) }
        }
    }
}
