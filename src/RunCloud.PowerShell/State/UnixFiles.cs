using System;
using System.Runtime.InteropServices;

namespace RunCloud.PowerShell.State
{
    /// <summary>
    /// The POSIX facts the state folder's checks need (a file's owner, mode and type, with or without following a link;
    /// the effective user; mkdir with a mode), read through the native shim the runtime itself ships, so the module needs
    /// no Mono.Posix and no per-platform <c>struct stat</c> layout: .NET's System.Native exports SystemNative_Stat/LStat,
    /// Mono's libmono-native (which Mono maps "System.Native" to) exports the same functions as SystemNative_Stat2/LStat2.
    /// Both fill the runtime's own FileStatus record, whose first four fields (flags, mode, uid, gid) have the same
    /// layout in every version; only those are read, from a buffer larger than any version's record. Unix only: on
    /// Windows nothing here is called.
    /// </summary>
    internal static class UnixFiles
    {
        public const int TypeMask = 0xF000;
        public const int TypeDirectory = 0x4000;
        public const int TypeRegular = 0x8000;
        public const int TypeSymbolicLink = 0xA000;
        public const int GroupWrite = 0x10; // 0020
        public const int OtherWrite = 0x2;  // 0002
        public const int Sticky = 0x200;    // 01000

        private const string Shim = "System.Native";
        private const int BufferSize = 512;

        /// <summary>0 = not probed yet, 1 = .NET's entry points, 2 = Mono's.</summary>
        private static int s_flavor;

        /// <summary>A file's owner and mode (file type bits included). False when the path does not exist or cannot be read.</summary>
        /// <param name="followLinks">False: a symbolic link is described itself (lstat), not its target.</param>
        public static bool TryStat(string path, bool followLinks, out int mode, out uint uid)
        {
            mode = 0;
            uid = 0;
            byte[] buffer = new byte[BufferSize];
            int result = Call(
                () => followLinks ? NetStat(path, buffer) : NetLStat(path, buffer),
                () => followLinks ? MonoStat(path, buffer) : MonoLStat(path, buffer));
            if (result != 0) return false;
            mode = BitConverter.ToInt32(buffer, 4);
            uid = BitConverter.ToUInt32(buffer, 8);
            return true;
        }

        /// <summary>True when the path itself is a symbolic link (a dangling one included).</summary>
        public static bool IsSymbolicLink(string path) => TryStat(path, followLinks: false, out int mode, out _) && (mode & TypeMask) == TypeSymbolicLink;

        /// <summary>The effective user id of this process.</summary>
        public static uint EffectiveUserId() => unchecked((uint)Call(() => unchecked((int)NetGetEUid()), mono: null));

        /// <summary>mkdir(2) with <paramref name="mode"/> (the umask still applies, and can only take bits away). False when it failed.</summary>
        public static bool MakeDirectory(string path, int mode) => Call(() => NetMkDir(path, mode), mono: null) == 0;

        /// <summary>The mode in the form chmod takes, e.g. 0755.</summary>
        public static string Octal(int mode) => "0" + Convert.ToString(mode & 0xFFF, 8).PadLeft(3, '0');

        /// <param name="mono">Mono's entry point where it differs from .NET's; null where both runtimes export the same
        /// one (geteuid, mkdir): such a call says nothing about which runtime this is, so it never sets the flavour (on
        /// Mono, a first getuid succeeding as ".NET" made every later stat fail).</param>
        private static int Call(Func<int> net, Func<int>? mono)
        {
            try
            {
                if (mono == null) return net();
                if (s_flavor == 2) return mono();
                try
                {
                    int result = net();
                    s_flavor = 1;
                    return result;
                }
                catch (EntryPointNotFoundException) when (s_flavor != 1)
                {
                    // Another thread may have probed Mono meanwhile (2): Mono's entry point is the answer either way.
                    int result = mono();
                    s_flavor = 2;
                    return result;
                }
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException || ex is BadImageFormatException)
            {
                throw new StateException(
                    $"Cannot check the owner and mode of the module's state folder on this runtime ({RuntimeInformation.FrameworkDescription}): {ex.Message} "
                    + "RunCloud.PowerShell needs PowerShell 7 (.NET 6 or later) or Mono 6 on Linux and macOS.", ex, null, StateFolder.UnsafeErrorId);
            }
        }

        [DllImport(Shim, EntryPoint = "SystemNative_Stat", CharSet = CharSet.Ansi, SetLastError = true)]
        private static extern int NetStat(string path, [Out] byte[] status);

        [DllImport(Shim, EntryPoint = "SystemNative_LStat", CharSet = CharSet.Ansi, SetLastError = true)]
        private static extern int NetLStat(string path, [Out] byte[] status);

        [DllImport(Shim, EntryPoint = "SystemNative_Stat2", CharSet = CharSet.Ansi, SetLastError = true)]
        private static extern int MonoStat(string path, [Out] byte[] status);

        [DllImport(Shim, EntryPoint = "SystemNative_LStat2", CharSet = CharSet.Ansi, SetLastError = true)]
        private static extern int MonoLStat(string path, [Out] byte[] status);

        [DllImport(Shim, EntryPoint = "SystemNative_GetEUid")]
        private static extern uint NetGetEUid();

        [DllImport(Shim, EntryPoint = "SystemNative_MkDir", CharSet = CharSet.Ansi, SetLastError = true)]
        private static extern int NetMkDir(string path, int mode);
    }
}
