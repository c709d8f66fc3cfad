// config.json fixtures shared by the tests, as string literals so each test shows exactly what it feeds in.

enum Fixtures {
    /// The smallest config taurun accepts.
    static let minimal = #"""
        {
            "ociVersion": "1.2.0",
            "process": {"user": {"uid": 0, "gid": 0}, "cwd": "/", "args": ["/bin/true"]},
            "root": {"path": "rootfs"}
        }
        """#

    /// Every field of runtime-spec 1.2 config.json (Linux), each with a non-default value.
    static let full = #"""
        {
            "ociVersion": "1.2.0-rc.1+build.5",
            "process": {
                "terminal": true,
                "consoleSize": {"height": 25, "width": 80},
                "user": {"uid": 1, "gid": 1, "umask": 18, "additionalGids": [5, 6], "username": "u"},
                "args": ["/bin/sh", "-c", "echo hi"],
                "commandLine": "sh -c 'echo hi'",
                "env": ["PATH=/usr/bin:/bin", "TERM=xterm", "EMPTY="],
                "cwd": "/home/u",
                "capabilities": {
                    "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                    "effective": ["CAP_AUDIT_WRITE", "CAP_KILL"],
                    "inheritable": ["CAP_AUDIT_WRITE"],
                    "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                    "ambient": ["CAP_NET_BIND_SERVICE"]
                },
                "rlimits": [
                    {"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 512},
                    {"type": "RLIMIT_AS", "hard": 18446744073709551615, "soft": 18446744073709551615}
                ],
                "noNewPrivileges": true,
                "apparmorProfile": "taurun-default",
                "oomScoreAdj": -500,
                "selinuxLabel": "system_u:system_r:svirt_lxc_net_t:s0:c124,c675",
                "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4},
                "scheduler": {"policy": "SCHED_FIFO", "nice": -5, "priority": 10, "flags": ["SCHED_FLAG_RESET_ON_FORK"]},
                "execCPUAffinity": {"initial": "7", "final": "0-3,7"}
            },
            "root": {"path": "/var/lib/bundle/rootfs", "readonly": true},
            "hostname": "box",
            "domainname": "example.org",
            "mounts": [
                {"destination": "/proc", "type": "proc", "source": "proc"},
                {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro", "rslave"],
                 "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                 "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}
            ],
            "hooks": {
                "prestart": [{"path": "/usr/bin/fix-mounts", "args": ["fix-mounts", "arg1"], "env": ["KEY=value"]}],
                "createRuntime": [{"path": "/usr/bin/setup-network", "timeout": 5}],
                "createContainer": [{"path": "/usr/bin/cc"}],
                "startContainer": [{"path": "/usr/bin/refresh-ldcache"}],
                "poststart": [{"path": "/usr/bin/notify-start", "timeout": 5}],
                "poststop": [{"path": "/usr/sbin/cleanup.sh", "args": ["cleanup.sh", "-f"]}]
            },
            "annotations": {"com.example.key1": "value1", "org.tauos.app": "media"},
            "linux": {
                "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                "timeOffsets": {"monotonic": {"secs": 172800, "nanosecs": 0}, "boottime": {"secs": -3600, "nanosecs": 500}},
                "sysctl": {"net.ipv4.ip_forward": "1", "kernel.shmmax": "4294967296"},
                "resources": {
                    "devices": [
                        {"allow": false, "access": "rwm"},
                        {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}
                    ],
                    "memory": {"limit": 536870912, "reservation": 536870912, "swap": 536870912, "kernel": -1, "kernelTCP": -1,
                               "swappiness": 0, "disableOOMKiller": false, "useHierarchy": true, "checkBeforeUpdate": true},
                    "cpu": {"shares": 1024, "quota": 1000000, "burst": 1000000, "period": 500000, "realtimeRuntime": 950000,
                            "realtimePeriod": 1000000, "cpus": "2-3", "mems": "0-7", "idle": 0},
                    "pids": {"limit": 32771},
                    "blockIO": {
                        "weight": 10, "leafWeight": 10,
                        "weightDevice": [{"major": 8, "minor": 0, "weight": 500, "leafWeight": 300}, {"major": 8, "minor": 16, "weight": 500}],
                        "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 600}],
                        "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 700}],
                        "throttleReadIOPSDevice": [{"major": 8, "minor": 16, "rate": 300}],
                        "throttleWriteIOPSDevice": [{"major": 8, "minor": 16, "rate": 400}]
                    },
                    "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}, {"pageSize": "64KB", "limit": 1000000}],
                    "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}, {"name": "eth1", "priority": 1000}]},
                    "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}, "mlx4_0": {"hcaObjects": 1000}},
                    "unified": {"io.weight": "default 100", "memory.high": "max"}
                },
                "cgroupsPath": "/myRuntime/myContainer",
                "namespaces": [
                    {"type": "pid"}, {"type": "network", "path": "/var/run/netns/neta"}, {"type": "mount"}, {"type": "ipc"},
                    {"type": "uts"}, {"type": "user"}, {"type": "cgroup"}, {"type": "time"}
                ],
                "devices": [
                    {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
                    {"path": "/dev/sda", "type": "b", "major": 8, "minor": 0, "fileMode": 432},
                    {"path": "/dev/myfifo", "type": "p"}
                ],
                "seccomp": {
                    "defaultAction": "SCMP_ACT_ERRNO",
                    "defaultErrnoRet": 1,
                    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                    "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                    "listenerPath": "/run/seccomp-agent.socket",
                    "listenerMetadata": "metadata",
                    "syscalls": [
                        {"names": ["getcwd", "chmod"], "action": "SCMP_ACT_ALLOW"},
                        {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                         "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]},
                        {"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"},
                        {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}
                    ]
                },
                "rootfsPropagation": "rslave",
                "maskedPaths": ["/proc/kcore", "/sys/firmware"],
                "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"],
                "mountLabel": "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811",
                "intelRdt": {"closID": "guaranteed_group", "schemata": ["L3:0=ffff"], "l3CacheSchema": "L3:0=7f0;1=1f",
                             "memBwSchema": "MB:0=20;1=70", "enableCMT": true, "enableMBM": true, "enableMonitoring": true},
                "personality": {"domain": "LINUX32", "flags": []},
                "memoryPolicy": {"mode": "MPOL_INTERLEAVE", "nodes": "2-3", "flags": ["MPOL_F_STATIC_NODES"]},
                "netDevices": {"eth1": {"name": "ctr1"}, "ens4": {}}
            }
        }
        """#
}
