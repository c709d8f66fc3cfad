import TaurunLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Puts a device program on a cgroup v2 directory (the v2 device controller), replacing the ones taurun attached
/// before (update). The bpf(2) calls are TaurunLinux's BPF.
enum DeviceProgramInstaller {
    /// Replaces the cgroup's device programs with `program`: attach the new one first (never a moment without
    /// rules), then detach the old ones.
    static func install(_ program: [DeviceProgram.Instruction], cgroup: String) throws(CgroupError) {
        let cgroupFD = try CgroupFiles.openDescriptor(cgroup, O_RDONLY | O_DIRECTORY)
        defer { Files.close(cgroupFD) }
        let previous = try attachedPrograms(cgroupFD: cgroupFD, cgroup: cgroup)
        let programFD: Int32
        do { programFD = try BPF.loadCgroupDeviceProgram(program.flatMap(\.bytes), name: "taurun_dev") } catch {
            let verifier = CgroupFiles.trimmed(error.verifierLog)
            throw .syscall(error.error.call, cgroup, errno: error.error.errno.rawValue,
                           reason: verifier.isEmpty ? "loading the device program" : "verifier: " + verifier)
        }
        defer { Files.close(programFD) }
        do { try BPF.attachCgroupDeviceProgram(programFD, cgroupFD: cgroupFD) } catch {
            throw .syscall(error.call, cgroup, errno: error.errno.rawValue)
        }
        for id in previous {
            do {
                let oldFD = try BPF.programFD(id: id)
                defer { Files.close(oldFD) }
                try BPF.detachCgroupDeviceProgram(oldFD, cgroupFD: cgroupFD)
            } catch {
                throw .syscall(error.call, cgroup, value: String(id), errno: error.errno.rawValue)
            }
        }
    }

    /// The ids of the device programs attached to the cgroup itself.
    static func attachedPrograms(cgroupFD: Int32, cgroup: String) throws(CgroupError) -> [UInt32] {
        do { return try BPF.cgroupDevicePrograms(cgroupFD: cgroupFD) } catch {
            throw .syscall(error.call, cgroup, errno: error.errno.rawValue)
        }
    }
}
