using System;
using System.IO;
using System.Runtime.InteropServices;

namespace RunCloud.PowerShell.State
{
    /// <summary>
    /// Where state that outlives a process (journals, locks) lives, as the OS expects it:
    /// <list type="number">
    /// <item>RUNCLOUD_STATE_PATH when set (tests and unusual setups; used as is);</item>
    /// <item>Windows: %LOCALAPPDATA%\RunCloud.PowerShell;</item>
    /// <item>elsewhere: $XDG_STATE_HOME/RunCloud.PowerShell, else ~/.local/state/RunCloud.PowerShell.</item>
    /// </list>
    /// API: <see cref="Resolve()"/> gives the folder (not created); <see cref="Ensure"/> creates it.
    /// Environment lookups go through a delegate so tests can resolve without touching the process environment.
    /// </summary>
    internal static class StateFolder
    {
        public const string OverrideVariable = "RUNCLOUD_STATE_PATH";
        public const string AppFolderName = "RunCloud.PowerShell";

        public static string Resolve() => Resolve(Environment.GetEnvironmentVariable,
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

        /// <param name="env">Environment lookup.</param>
        /// <param name="windows">Whether to follow the Windows convention.</param>
        /// <param name="home">The user's home folder (for ~/.local/state).</param>
        public static string Resolve(Func<string, string?> env, bool windows, string? home)
        {
            string? explicitPath = env(OverrideVariable);
            if (!string.IsNullOrWhiteSpace(explicitPath)) return Rooted(explicitPath!, OverrideVariable);

            if (windows)
            {
                string? local = env("LOCALAPPDATA");
                if (!string.IsNullOrWhiteSpace(local)) return Path.Combine(Rooted(local!, "LOCALAPPDATA"), AppFolderName);
            }
            else
            {
                // XDG: "If $XDG_STATE_HOME is either not set or empty", or not absolute, use the default.
                string? xdg = env("XDG_STATE_HOME");
                if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg!, AppFolderName);
            }

            if (string.IsNullOrWhiteSpace(home))
            {
                throw new StateException(
                    $"Cannot find a folder for the module's state (journals and locks): the user has no home folder and {OverrideVariable} is not set. "
                    + $"Set {OverrideVariable} to a folder the scheduled task's account can write, e.g. $env:{OverrideVariable} = '/var/lib/runcloud'.");
            }

            return windows
                ? Path.Combine(home!, "AppData", "Local", AppFolderName)
                : Path.Combine(home!, ".local", "state", AppFolderName);
        }

        /// <summary>Creates the folder (and its parents) when missing and returns it.</summary>
        public static string Ensure(string folder)
        {
            try
            {
                Directory.CreateDirectory(folder);
                return folder;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new StateException(
                    $"Cannot create the module's state folder {folder}: {ex.Message} Make it writable for this account, or set {OverrideVariable} to a folder that is.", ex);
            }
        }

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
