#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TaurunOCI

/// Applying linux.resources: plan every write (which validates), check the host can take each one, then write.
extension CgroupfsManager {
    public func validate(_ resources: LinuxResources?) throws(CgroupError) {
        try requireNoForeignProcesses()
        _ = try plannedWrites(resources)
    }

    /// A cgroupsPath that names an existing cgroup with processes in it would make taurun limit, freeze and
    /// finally kill processes it did not start; refuse it (runc 1.2 refuses a non-empty cgroup too).
    func requireNoForeignProcesses() throws(CgroupError) {
        for hierarchy in hierarchies {
            var found = Set<Int32>()
            try Self.collectPids(in: hierarchy.dir, into: &found)
            if !found.isEmpty {
                throw CgroupError(operation: "create", path: hierarchy.dir,
                                  reason: "the container's cgroup already has \(found.count) process(es) that taurun did not start; choose another linux.cgroupsPath")
            }
        }
    }

    public func apply(_ resources: LinuxResources?) throws(CgroupError) {
        guard let resources else { return }
        let (writes, devices) = try plannedWrites(resources)
        if resources.memory?.checkBeforeUpdate == true { try checkMemoryUsage(resources.memory) }
        var retries: [CgroupWrite] = []
        for write in writes {
            do {
                try perform(write)
            } catch {
                if write.retryAfterOthersOnEINVAL, error.errno == EINVAL {
                    retries.append(write)
                    continue
                }
                throw error
            }
        }
        for write in retries { try perform(write) }
        if let devices { try applyDevices(devices) }
    }

    public func update(_ resources: LinuxResources) throws(CgroupError) {
        try apply(resources)
    }

    /// The writes for `resources` on this layout, checked against the host. The device rules come back
    /// separately (nil when the config has none) because they are written as a whole state.
    func plannedWrites(_ resources: LinuxResources?) throws(CgroupError) -> ([CgroupWrite], DeviceRules.State?) {
        guard let resources else { return ([], nil) }
        var writes: [CgroupWrite]
        if isUnified {
            writes = try ResourcePlan.v2(resources)
        } else {
            var v1Resources = resources
            v1Resources.unified = nil
            let current = v1Dir("memory").flatMap { try? CgroupFiles.readTrimmedIfPresent(CgroupFiles.join($0, "memory.limit_in_bytes")) }.flatMap { UInt64($0) }
            writes = try ResourcePlan.v1(v1Resources, currentMemoryLimit: current)
            if let unified = resources.unified, !unified.isEmpty {
                guard v2Hierarchy != nil else {
                    throw .invalid("linux.resources.unified", unified.keys.sorted().joined(separator: ", "), "unified (cgroup v2) keys need a cgroup2 hierarchy; this host has only cgroup v1")
                }
                writes += try ResourcePlan.unified(unified)
            }
        }
        for write in writes { try checkHostSupports(write) }
        let rules = try DeviceRules.effectiveRules(config: resources.devices)
        guard !rules.isEmpty else { return (writes, nil) }
        // Unified hosts use an eBPF program; v1 and hybrid hosts the devices hierarchy.
        guard isUnified || v1Dir("devices") != nil else {
            throw .invalid("linux.resources.devices", "\(rules.count) rules", "the devices cgroup controller is not mounted on this host")
        }
        return (writes, DeviceRules.finalState(rules))
    }

    func checkHostSupports(_ write: CgroupWrite) throws(CgroupError) {
        switch write.target {
        case .v1(let controller):
            guard let hierarchy = hierarchies.first(where: { !$0.isV2 && $0.controllers.contains(controller) }) else {
                throw .invalid(write.jsonPath, write.value, "the \(controller) cgroup controller is not mounted on this host")
            }
            // Features that depend on kernel config (swap accounting, hugepage sizes, cfs burst, rt) show up as
            // files in every cgroup of the hierarchy, the root included.
            if write.optionalFeature, let mountpoint = hierarchy.mountpoint,
               !CgroupFiles.exists(CgroupFiles.join(mountpoint, write.file)), !CgroupFiles.exists(CgroupFiles.join(hierarchy.dir, write.file)) {
                throw .invalid(write.jsonPath, write.value, "this kernel does not provide \(write.file) (not in \(mountpoint))")
            }
        case .v2(let controller):
            guard let hierarchy = v2Hierarchy else {
                throw .invalid(write.jsonPath, write.value, "no cgroup2 hierarchy is mounted on this host")
            }
            if controller != "cgroup", !hierarchy.controllers.contains(controller) {
                throw .invalid(write.jsonPath, write.value, "the \(controller) controller is not available in cgroup v2 here (\(hierarchy.mountpoint ?? hierarchy.dir)/cgroup.controllers)")
            }
        }
    }

    func directory(for target: CgroupWrite.Target) -> String? {
        switch target {
        case .v1(let controller): v1Dir(controller)
        case .v2: v2Hierarchy?.dir
        }
    }

    func perform(_ write: CgroupWrite) throws(CgroupError) {
        guard let dir = directory(for: write.target) else {
            throw .invalid(write.jsonPath, write.value, "no cgroup directory for the \(write.controller) controller")
        }
        let path = CgroupFiles.join(dir, write.file)
        do {
            try CgroupFiles.write(path, write.value)
        } catch {
            if error.errno == ENOENT, write.skipIfMissing { return }
            if error.errno == ENOENT, let fallback = write.fallback {
                try annotated(write) { () throws(CgroupError) in try CgroupFiles.write(CgroupFiles.join(dir, fallback.file), fallback.value) }
                return
            }
            throw explained(error, write: write, dir: dir)
        }
        if write.verifyReadBack, let actual = try CgroupFiles.readTrimmedIfPresent(path), actual != write.value {
            throw CgroupError(operation: "write", path: path, value: write.value,
                              reason: "\(write.jsonPath): the kernel set \(actual) instead (allowed range exceeded)")
        }
    }

    func annotated(_ write: CgroupWrite, _ body: () throws(CgroupError) -> Void) throws(CgroupError) {
        do { try body() } catch { throw explained(error, write: write, dir: nil) }
    }

    /// Adds what the errno means for this particular file.
    func explained(_ error: CgroupError, write: CgroupWrite, dir: String?) -> CgroupError {
        var error = error
        var reason = write.jsonPath
        var isV2Write = false
        if case .v2 = write.target { isV2Write = true }
        switch error.errno {
        case ENOENT?:
            reason += isV2Write
                ? ": the \(write.controller) controller is not enabled for this cgroup"
                : ": this kernel has no such file"
        case EBUSY? where write.file == "memory.limit_in_bytes" || write.file == "memory.max":
            if let dir, let usage = try? CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, isUnified ? "memory.current" : "memory.usage_in_bytes")) {
                reason += ": current usage \(usage) is above the new limit"
            }
        default:
            break
        }
        error.reason = reason
        return error
    }

    /// memory.checkBeforeUpdate: refuse a limit at or below what the container already uses (runc).
    func checkMemoryUsage(_ memory: LinuxMemory?) throws(CgroupError) {
        guard let memory else { return }
        let dir = isUnified ? v2Hierarchy?.dir : v1Dir("memory")
        guard let dir, let text = try? CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, isUnified ? "memory.current" : "memory.usage_in_bytes")),
              let usage = UInt64(text) else { return }
        for (name, value) in [("limit", memory.limit ?? 0), ("swap", memory.swap ?? 0)] where value > 0 && UInt64(value) <= usage {
            throw .invalid("linux.resources.memory." + name, String(value), "at or below the current usage \(usage) (checkBeforeUpdate)")
        }
    }

    /// v2: attaches the eBPF program built from the state (replacing earlier ones). v1: writes the state unless
    /// devices.list already shows it, since a reset ("a") followed by the exceptions briefly denies everything,
    /// which a running container (update) should not see needlessly.
    func applyDevices(_ state: DeviceRules.State) throws(CgroupError) {
        if isUnified {
            guard let dir = v2Hierarchy?.dir else { return }
            try DeviceProgramInstaller.install(DeviceProgram.instructions(for: state), cgroup: dir)
            return
        }
        guard let dir = v1Dir("devices") else { return }
        if let list = try CgroupFiles.readTrimmedIfPresent(CgroupFiles.join(dir, "devices.list")),
           Set(list.split(separator: "\n").map(String.init)) == state.listLines {
            return
        }
        for write in state.writes {
            do {
                try CgroupFiles.write(CgroupFiles.join(dir, write.file), write.value)
            } catch {
                var error = error
                error.reason = "linux.resources.devices"
                throw error
            }
        }
    }
}

extension CgroupManager {
}
