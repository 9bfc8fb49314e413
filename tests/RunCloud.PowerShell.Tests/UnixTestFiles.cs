using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// Real symbolic links, modes and owners for the state folder's safety tests, straight from libc (the same calls
    /// on .NET and on Mono, where the net472 lane runs), so a test never relies on the code it tests to set them up.
    /// The tests run as root, which bypasses permission checks: they assert the module's refusal, not an EACCES.
    /// </summary>
    internal static class UnixTestFiles
    {
        public static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public static void Symlink(string target, string link) => Check(symlink(target, link), "symlink " + link);

        public static void Chmod(string path, int mode) => Check(chmod(path, mode), "chmod " + path);

        public static void Chown(string path, int uid) => Check(chown(path, uid, -1), "chown " + path);

        /// <summary>The permission bits of a path (following links), read with ls -ld's source: stat(2) via /usr/bin/stat.</summary>
        public static int Mode(string path)
        {
            var start = new System.Diagnostics.ProcessStartInfo("stat", $"-c %a \"{path}\"") { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = System.Diagnostics.Process.Start(start)!;
            string text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return Convert.ToInt32(text, 8);
        }

        /// <summary>A new folder with mode 0700 (as the module makes its own), whatever the umask.</summary>
        public static string PrivateFolder() => TestStateFolder.NewFolder();

        private static void Check(int result, string what)
        {
            if (result != 0) throw new Win32Exception(Marshal.GetLastWin32Error(), what + " failed");
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int symlink(string target, string linkpath);

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, int mode);

        [DllImport("libc", SetLastError = true)]
        private static extern int chown(string path, int owner, int group);
    }
}
