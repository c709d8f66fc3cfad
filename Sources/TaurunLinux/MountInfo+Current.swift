import TaurunSupport

extension MountInfo {
    /// This process's mount table as it is now (/proc/self/mountinfo). The kernel builds the text on every read, a
    /// path per mount (20-30 µs on this host), so a command that asks several things of it reads it once and hands
    /// the table on.
    public static func current() throws(SyscallError) -> MountInfo {
        MountInfo(bytes: try Files.read("/proc/self/mountinfo"))
    }
}
