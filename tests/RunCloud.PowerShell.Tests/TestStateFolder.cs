using System;
using System.IO;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// Points the module's state folder (journals, locks) at a temporary folder for the whole test process, so no test
    /// ever reads or writes the user's real state. Run from a module initializer and from every test host factory.
    /// </summary>
    internal static class TestStateFolder
    {
        private static readonly object Gate = new object();
        private static string? _path;

        public static string EnsureSet()
        {
            lock (Gate)
            {
                if (_path != null) return _path;
                _path = Path.Combine(Path.GetTempPath(), "runcloud-xunit-state-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(_path);
                // The module refuses a state folder its group or others can write: 0700 whatever the machine's umask.
                if (!UnixTestFiles.IsWindows) UnixTestFiles.Chmod(_path, 0x1C0);
                Environment.SetEnvironmentVariable(State.StateFolder.OverrideVariable, _path);
                return _path;
            }
        }

        /// <summary>A fresh empty folder under the process's temporary state folder.</summary>
        public static string NewFolder()
        {
            string path = Path.Combine(EnsureSet(), Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(path);
            if (!UnixTestFiles.IsWindows) UnixTestFiles.Chmod(path, 0x1C0);
            return path;
        }

#if NET5_0_OR_GREATER
        [System.Runtime.CompilerServices.ModuleInitializer]
        internal static void Initialize() => EnsureSet();
#endif
    }
}
