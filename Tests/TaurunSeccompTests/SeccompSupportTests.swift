// SeccompSupport.features(): the `seccomp` section of `taurun features`.

import TaurunOCI
import Testing

@testable import TaurunSeccomp

@Suite struct SeccompSupportTests {
    @Test func reportsEveryActionOperatorAndFlagTheCompilerKnows() {
        let features = SeccompSupport.features()
        #expect(Set(features.actions) == Set(LinuxSeccompAction.allCases.map(\.rawValue)))
        #expect(features.operators.count == 7)
        #expect(features.operators.contains("SCMP_CMP_MASKED_EQ"))
        #expect(features.knownFlags == [
            "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
        ])
    }

    @Test func architecturesIncludeTheNativeOneAndOnlyResolvableOnes() {
        let archs = SeccompSupport.features().archs
        #if arch(x86_64)
        #expect(archs.contains("SCMP_ARCH_X86_64"))
        #expect(archs.contains("SCMP_ARCH_X86"))
        #elseif arch(arm64)
        #expect(archs.contains("SCMP_ARCH_AARCH64"))
        #endif
        for arch in archs {
            #expect(Arch(rawValue: arch).flatMap(SeccompVocabulary.archToken) != nil)
        }
    }

    @Test func supportedFlagsAreProbedFromTheKernel() {
        let features = SeccompSupport.features()
        #expect(Set(features.supportedFlags).isSubset(of: Set(features.knownFlags)))
        // Every kernel that has seccomp filters has TSYNC (3.17); an impossible flag bit is refused.
        #expect(features.supportedFlags.contains("SECCOMP_FILTER_FLAG_TSYNC"))
        #expect(!SeccompSupport.kernelAccepts(1 << 30))
    }
}
