using System;
using System.IO;
using System.Reflection;
using RunCloud.PowerShell.State;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The POSIX shim: .NET and Mono export stat under different names, and the first stat probes which runtime this is.
    /// A call both runtimes export the same way (geteuid, mkdir) must not decide it: on Mono, a process whose first call
    /// was geteuid took itself for .NET and failed every later stat ("Cannot check the owner and mode of the module's
    /// state folder"), so whether the state folder could be used depended on which check ran first.
    /// Runs alone: it resets the process-wide probe.
    /// </summary>
    [Collection(ProcessStateFolderCollection.Name)]
    public class UnixFilesTests
    {
        private static void ResetProbe() =>
            typeof(UnixFiles).GetField("s_flavor", BindingFlags.NonPublic | BindingFlags.Static)!.SetValue(null, 0);

        [Fact]
        public void AStatAfterAFirstCallOfTheSameNameOnBothRuntimesStillWorks()
        {
            if (UnixTestFiles.IsWindows) return; // nothing here is called on Windows
            string dir = TestStateFolder.NewFolder();
            foreach (Action first in new Action[] { () => UnixFiles.EffectiveUserId(), () => UnixFiles.MakeDirectory(Path.Combine(dir, "made"), 0x1C0) })
            {
                ResetProbe();
                first();
                Assert.True(UnixFiles.TryStat(dir, followLinks: true, out int mode, out uint uid), "stat after a first geteuid/mkdir");
                Assert.Equal(UnixFiles.TypeDirectory, mode & UnixFiles.TypeMask);
                Assert.Equal(UnixFiles.EffectiveUserId(), uid);
                Assert.False(UnixFiles.IsSymbolicLink(dir));
            }
        }
    }
}
