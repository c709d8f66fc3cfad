import Testing
@testable import TaurunCgroups

/// This host's own mountinfo lines (cgroup v1 hybrid), plus unrelated mounts.
let hybridMountinfo = """
22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""

let hybridProcCgroup = """
9:name=systemd:/
8:pids:/
7:blkio:/
6:freezer:/
5:devices:/
4:memory:/process_api/9939f191
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
"""

@Suite struct LayoutDetectionTests {
    @Test func hybridHostIsDetectedWithEveryHierarchy() throws {
        let layout = try CgroupMounts.layout(from: CgroupMounts.parse(hybridMountinfo))
        guard case .hybrid(let hierarchies, let unified) = layout else {
            Issue.record("expected hybrid, got \(layout)")
            return
        }
        #expect(unified == "/sys/fs/cgroup/unified")
        #expect(hierarchies["memory"] == "/sys/fs/cgroup/memory")
        #expect(hierarchies["name=systemd"] == "/sys/fs/cgroup/systemd")
        #expect(hierarchies["rw"] == nil)
        #expect(hierarchies.count == 9)
    }

    @Test func comountedControllersShareAMountpoint() throws {
        let text = "30 20 0:30 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,nsdelegate,cpu,cpuacct\n"
        let layout = try CgroupMounts.layout(from: CgroupMounts.parse(text))
        #expect(layout == .v1(hierarchies: ["cpu": "/sys/fs/cgroup/cpu,cpuacct", "cpuacct": "/sys/fs/cgroup/cpu,cpuacct"]))
    }

    @Test func cgroup2AloneIsUnified() throws {
        let text = "30 20 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
        #expect(try CgroupMounts.layout(from: CgroupMounts.parse(text)) == .unified(mountpoint: "/sys/fs/cgroup"))
    }

    @Test func noCgroupMountIsAnError() {
        #expect(throws: CgroupError.self) { try CgroupMounts.layout(from: CgroupMounts.parse("22 1 0:21 / /proc rw - proc proc rw\n")) }
    }

    @Test func escapedMountpointsAreDecoded() {
        let mounts = CgroupMounts.parse("30 20 0:30 / /mnt/my\\040cgroup rw - cgroup2 cgroup2 rw\n")
        #expect(mounts.first?.mountpoint == "/mnt/my cgroup")
    }

    @Test func liveHostLayoutMatchesProcMountinfo() throws {
        let layout = try Cgroups.detectLayout()
        #expect(layout.unifiedMountpoint != nil || !layout.v1Hierarchies.isEmpty)
    }

    @Test func procCgroupMapsEachControllerAndTheUnifiedEntry() {
        let parsed = ProcCgroup.parse(hybridProcCgroup)
        #expect(parsed["memory"] == "/process_api/9939f191")
        #expect(parsed[""] == "/")
        #expect(parsed["name=systemd"] == "/")
    }

    @Test func bindMountedSubtreeIsStrippedFromOwnPath() {
        let mounts = CgroupMounts.parse("30 20 0:30 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n")
        let relative = ProcCgroup.relativeToMounts(["memory": "/docker/abc/sub"], mounts: mounts)
        #expect(relative["memory"] == "/sub")
    }
}

@Suite struct CgroupsPathTests {
    let layout = CgroupLayout.hybrid(hierarchies: [
        "cpu": "/sys/fs/cgroup/cpu", "memory": "/sys/fs/cgroup/memory", "name=systemd": "/sys/fs/cgroup/systemd",
    ], unified: "/sys/fs/cgroup/unified")
    let own = ProcCgroup.parse(hybridProcCgroup)

    @Test func absolutePathGoesUnderEveryMountpoint() throws {
        let manager = try Cgroups.manager(containerID: "c1", cgroupsPath: "/libpod_parent/libpod-c1", layout: layout, ownCgroups: own)
        #expect(manager.paths.dirs == [
            "/sys/fs/cgroup/cpu/libpod_parent/libpod-c1",
            "/sys/fs/cgroup/memory/libpod_parent/libpod-c1",
            "/sys/fs/cgroup/systemd/libpod_parent/libpod-c1",
            "/sys/fs/cgroup/unified/libpod_parent/libpod-c1",
        ])
    }

    @Test func relativePathGoesUnderTheRuntimesOwnCgroupPerHierarchy() throws {
        let manager = try Cgroups.manager(containerID: "c1", cgroupsPath: "a/b", layout: layout, ownCgroups: own)
        #expect(manager.paths.dirs.contains("/sys/fs/cgroup/memory/process_api/9939f191/a/b"))
        #expect(manager.paths.dirs.contains("/sys/fs/cgroup/cpu/a/b"))
    }

    @Test func missingPathIsTheContainerIDRelative() throws {
        let manager = try Cgroups.manager(containerID: "web", cgroupsPath: nil, layout: layout, ownCgroups: own)
        #expect(manager.paths.dirs.contains("/sys/fs/cgroup/memory/process_api/9939f191/web"))
        #expect(manager.paths.dirs.contains("/sys/fs/cgroup/unified/web"))
    }

    @Test(arguments: ["/a/../b", "..", "a/../../etc", "/", "//"])
    func escapingOrRootPathsAreRejected(_ path: String) {
        #expect(throws: CgroupError.self) { try CgroupsPath.parse(containerID: "c", cgroupsPath: path) }
    }

    @Test func dotComponentsAndDoubleSlashesAreNormalised() throws {
        #expect(try CgroupsPath.parse(containerID: "c", cgroupsPath: "/a/./b//c") == .absolute(["a", "b", "c"]))
    }

    @Test func systemdFlagFailsWithOneClearLineWithoutSystemd() {
        #expect {
            _ = try Cgroups.systemdManager(containerID: "c1", cgroupsPath: "machine.slice:libpod:c1", layout: layout, systemdRunning: false, busOverride: nil)
        } throws: { error in
            let text = String(describing: error)
            return text.contains("systemd is not running on this host") && !text.contains("\n")
        }
        // The form is checked first, so a cgroupfs-style path is reported as such whether or not systemd runs.
        #expect {
            _ = try Cgroups.systemdManager(containerID: "c1", cgroupsPath: "/a/b", layout: layout, systemdRunning: true, busOverride: nil)
        } throws: { error in
            String(describing: error).contains("slice:prefix:name")
        }
    }

    @Test func recordedPathsAreManagedAsRecordedOnly() {
        let recorded = CgroupDirectories(dirs: ["/nonexistent/taurun/a", "/nonexistent/taurun/b"])
        #expect(Cgroups.manager(recorded: recorded).paths == recorded)
    }

    @Test func permissionErrorsAreRecognisableForRootlessFallback() {
        #expect(CgroupError.syscall("mkdir", "/sys/fs/cgroup/memory/x", errno: 13).isPermissionDenied)
        #expect(CgroupError.syscall("mkdir", "/sys/fs/cgroup/memory/x", errno: 30).isPermissionDenied)
        #expect(!CgroupError.syscall("mkdir", "/sys/fs/cgroup/memory/x", errno: 2).isPermissionDenied)
        #expect(!CgroupError.invalid("linux.resources.pids.limit", "1", "x").isPermissionDenied)
    }

    @Test func errorDescriptionNamesFileValueAndErrno() {
        let error = CgroupError.syscall("write", "/sys/fs/cgroup/memory/x/memory.limit_in_bytes", value: "1024", errno: 16)
        #expect(error.description == "cgroup: write \"1024\" to /sys/fs/cgroup/memory/x/memory.limit_in_bytes: Device or resource busy")
    }
}
