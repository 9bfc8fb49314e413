using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace RunCloud.PowerShell.State
{
    /// <summary>
    /// Where state that outlives a process (journals, locks) lives, as the OS expects it, and the rule that keeps others
    /// out of it:
    /// <list type="number">
    /// <item>RUNCLOUD_STATE_PATH when set (tests and unusual setups; used as is);</item>
    /// <item>Windows: %LOCALAPPDATA%\RunCloud.PowerShell;</item>
    /// <item>elsewhere: $XDG_STATE_HOME/RunCloud.PowerShell, else ~/.local/state/RunCloud.PowerShell.</item>
    /// </list>
    /// A journal says which domains the next run removes and which certificates it orders, so on Unix the folder (and,
    /// in the conventional layout, the state home above it) must be owned by this account (or root) and writable by
    /// nobody else: anyone who could write there could plant a journal, or a link the next run would write through.
    /// What the module creates it creates 0700. Windows: %LOCALAPPDATA% is the user's own (its ACL comes from the
    /// profile) and is not checked again; a RUNCLOUD_STATE_PATH there is used as given (its ACL is not read), and links
    /// planted in it are still refused file by file (see <see cref="RefuseLink"/>).
    /// API: <see cref="Resolve()"/> gives the folder (not created); <see cref="Ensure"/> creates and checks it;
    /// <see cref="CheckExisting"/> checks it before a read. Environment lookups go through a delegate so tests can
    /// resolve without touching the process environment.
    /// </summary>
    internal static class StateFolder
    {
        public const string OverrideVariable = "RUNCLOUD_STATE_PATH";
        public const string AppFolderName = "RunCloud.PowerShell";

        /// <summary>The ErrorId of a state folder others can write, or a link planted in it.</summary>
        public const string UnsafeErrorId = "RunCloudStateUnsafe";

        public static string Resolve() => Resolve(out _);

        /// <param name="stateHome">The conventional state home the folder sits in (checked like the folder), or null with RUNCLOUD_STATE_PATH.</param>
        public static string Resolve(out string? stateHome) => Resolve(Environment.GetEnvironmentVariable,
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), out stateHome);

        /// <param name="env">Environment lookup.</param>
        /// <param name="windows">Whether to follow the Windows convention.</param>
        /// <param name="home">The user's home folder (for ~/.local/state).</param>
        public static string Resolve(Func<string, string?> env, bool windows, string? home) => Resolve(env, windows, home, out _);

        public static string Resolve(Func<string, string?> env, bool windows, string? home, out string? stateHome)
        {
            stateHome = null;
            string? explicitPath = env(OverrideVariable);
            if (!string.IsNullOrWhiteSpace(explicitPath)) return Rooted(explicitPath!, OverrideVariable);

            if (windows)
            {
                string? local = env("LOCALAPPDATA");
                if (!string.IsNullOrWhiteSpace(local))
                {
                    stateHome = Rooted(local!, "LOCALAPPDATA");
                    return Path.Combine(stateHome, AppFolderName);
                }
            }
            else
            {
                // XDG: "If $XDG_STATE_HOME is either not set or empty", or not absolute, use the default.
                string? xdg = env("XDG_STATE_HOME");
                if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg))
                {
                    stateHome = xdg!;
                    return Path.Combine(xdg!, AppFolderName);
                }
            }

            if (string.IsNullOrWhiteSpace(home))
            {
                throw new StateException(
                    $"Cannot find a folder for the module's state (journals and locks): the user has no home folder and {OverrideVariable} is not set. "
                    + $"Set {OverrideVariable} to a folder the scheduled task's account can write, e.g. $env:{OverrideVariable} = '/var/lib/runcloud'.");
            }

            stateHome = windows ? Path.Combine(home!, "AppData", "Local") : Path.Combine(home!, ".local", "state");
            return Path.Combine(stateHome, AppFolderName);
        }

        /// <summary>
        /// Creates the folder when missing (on Unix 0700, and so is each missing folder above it) and checks it and
        /// <paramref name="stateHome"/> (see the class summary); returns the folder.
        /// </summary>
        public static string Ensure(string folder, string? stateHome = null)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                try
                {
                    Directory.CreateDirectory(folder);
                    return folder;
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw CannotCreate(folder, ex.Message, ex);
                }
            }

            if (stateHome != null)
            {
                CreateUnix(stateHome);
                CheckUnix(stateHome);
            }

            CreateUnix(folder);
            CheckUnix(folder);
            return folder;
        }

        /// <summary>Before a read: false when the folder does not exist (nothing was ever saved); otherwise checks it as <see cref="Ensure"/> does.</summary>
        public static bool CheckExisting(string folder, string? stateHome = null)
        {
            if (!Directory.Exists(folder)) return false;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return true;
            if (stateHome != null) CheckUnix(stateHome);
            CheckUnix(folder);
            return true;
        }

        /// <summary>
        /// Replaces <paramref name="path"/> with <paramref name="bytes"/> atomically: a new file at <paramref name="temp"/>
        /// (CreateNew is O_CREAT|O_EXCL: never an existing file, never through a link planted at that name), flushed to
        /// disk, then renamed over the old one (a rename replaces the name itself, never what a link there points at). A
        /// reader sees the old file or the new one, never half of one; a crash leaves at most a stray temporary file. On
        /// failure the temporary file is removed and the IOException or UnauthorizedAccessException is rethrown.
        /// </summary>
        public static void ReplaceAtomically(string path, string temp, byte[] bytes)
        {
            bool created = false;
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    created = true;
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true);
                }

                if (File.Exists(path)) File.Replace(temp, path, null);
                else File.Move(temp, path);
            }
            catch (Exception ex) when (created && (ex is IOException || ex is UnauthorizedAccessException))
            {
                try { File.Delete(temp); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
                throw;
            }
        }

        /// <summary>
        /// Refuses a file of the state folder that is a symbolic link (or, on Windows, any reparse point): the module
        /// reads and writes its own files there, never through a link someone planted.
        /// </summary>
        public static void RefuseLink(string path, string what)
        {
            bool link;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                try
                {
                    link = (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
                }
                catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException)
                {
                    link = false;
                }
            }
            else
            {
                link = UnixFiles.IsSymbolicLink(path);
            }

            if (link)
            {
                throw new StateException(
                    $"The {what} {path} is a symbolic link (or another reparse point). The module never reads or writes its state through a link, "
                    + "which someone with access to the state folder could point at another file; nothing was changed. "
                    + $"Delete the link after checking who made it, and keep the folder writable by this account only (chmod 700), or set {OverrideVariable} to a folder that is.",
                    null, path, UnsafeErrorId);
            }
        }

        private static void CreateUnix(string folder)
        {
            if (Directory.Exists(folder)) return;
            var missing = new Stack<string>();
            for (string? f = folder; !string.IsNullOrEmpty(f) && !Directory.Exists(f); f = Path.GetDirectoryName(f)) missing.Push(f!);
            while (missing.Count > 0)
            {
                string f = missing.Pop();
                if (UnixFiles.MakeDirectory(f, 0x1C0 /* 0700 */) || Directory.Exists(f)) continue;
                int errno = Marshal.GetLastWin32Error();
                throw CannotCreate(folder, $"mkdir {f} failed (errno {errno}).", null);
            }
        }

        private static void CheckUnix(string folder)
        {
            if (!UnixFiles.TryStat(folder, followLinks: true, out int mode, out uint owner))
            {
                throw new StateException(
                    $"Cannot read the owner and mode of the module's state folder {folder} (errno {Marshal.GetLastWin32Error()}). Make it readable for this account, or set {OverrideVariable} to a folder that is.",
                    null, folder, UnsafeErrorId);
            }

            if ((mode & UnixFiles.TypeMask) != UnixFiles.TypeDirectory)
            {
                throw new StateException(
                    $"The module's state folder {folder} is not a folder (mode {UnixFiles.Octal(mode)}). Move the file away, or set {OverrideVariable} to a folder.",
                    null, folder, UnsafeErrorId);
            }

            uint me = UnixFiles.EffectiveUserId();
            string? problem = null;
            string fix;
            if (owner != me && owner != 0)
            {
                problem = $"is owned by user id {owner}, not by this account (user id {me}) or root";
                fix = $"as root: chown {me} '{folder}' && chmod 700 '{folder}'";
            }
            else
            {
                fix = $"chmod 700 '{folder}'" + (owner == me ? string.Empty : " (as root, its owner)");
                bool group = (mode & UnixFiles.GroupWrite) != 0;
                bool other = (mode & UnixFiles.OtherWrite) != 0;
                if (group || other) problem = "is writable by " + (group && other ? "its group and by others" : group ? "its group" : "others");
            }

            if (problem != null)
            {
                throw new StateException(
                    $"The module's state folder {folder} {problem} (owner user id {owner}, mode {UnixFiles.Octal(mode)}). "
                    + "Its journals say which domains the next run removes and which certificates it orders, so a folder someone else can write is refused; nothing was changed. "
                    + $"Fix: {fix}, or set {OverrideVariable} to a folder only this account can write.",
                    null, folder, UnsafeErrorId);
            }
        }

        private static StateException CannotCreate(string folder, string why, Exception? ex) =>
            new StateException(
                $"Cannot create the module's state folder {folder}: {why} Make it writable for this account, or set {OverrideVariable} to a folder that is.", ex, folder);

        private static string Rooted(string path, string variable)
        {
            if (!Path.IsPathRooted(path))
            {
                throw new StateException($"{variable} is '{path}', a relative path. Set it to an absolute folder path, e.g. /var/lib/runcloud or C:\\ProgramData\\RunCloud.");
            }

            return path;
        }
    }
}
