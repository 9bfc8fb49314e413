using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;

namespace RunCloud.PowerShell.Commands.Scheduling
{
    /// <summary>
    /// The PowerShell a scheduled task starts, as a real command line: the running one by default. PowerShell installed
    /// as a .NET tool (dotnet tool restore; dotnet pwsh) runs as "dotnet &lt;PSHOME&gt;/pwsh.dll", so that is what the task
    /// gets, with both paths absolute: a scheduler has no PATH to speak of and no "dotnet pwsh" alias.
    /// </summary>
    internal static class PwshLocator
    {
        public static List<string> Current(string psHome)
        {
            string process = ProcessPath();
            string leaf = Path.GetFileNameWithoutExtension(process).ToLowerInvariant();
            if (leaf == "dotnet")
            {
                string dll = Path.Combine(psHome, "pwsh.dll");
                if (File.Exists(dll)) return new List<string> { process, dll };
            }

            if (leaf == "pwsh" || leaf == "powershell") return new List<string> { process };

            // Another host (an editor, a service): the console PowerShell beside it.
            foreach (string candidate in new[] { "pwsh.exe", "pwsh", "powershell.exe" })
            {
                string path = Path.Combine(psHome, candidate);
                if (File.Exists(path)) return new List<string> { path };
            }

            throw new InvalidOperationException($"Cannot tell which PowerShell runs this session (process {process}, PSHOME {psHome}). Pass -PwshPath with the path of pwsh (or powershell.exe).");
        }

        /// <summary>
        /// A -PwshPath: an executable, or a pwsh.dll (run with the dotnet host that runs this session, else
        /// <paramref name="dotnetOnPath"/>). Relative paths are made absolute by the caller.
        /// </summary>
        public static List<string> FromPath(string path, string? dotnetOnPath)
        {
            if (!path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) return new List<string> { path };
            string process = ProcessPath();
            string? host = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? process : dotnetOnPath;
            if (host == null) throw new InvalidOperationException($"-PwshPath {path} is a pwsh.dll, which runs with the dotnet host, and no dotnet was found. Pass the path of a pwsh executable instead.");
            return new List<string> { host, path };
        }

        /// <summary>The folder to import the module from: the one that holds its version folders, when it is installed that way.</summary>
        public static string ModuleFolder(string moduleBase, string moduleName)
        {
            string trimmed = moduleBase.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            string? parent = Path.GetDirectoryName(trimmed);
            if (parent != null && Version.TryParse(Path.GetFileName(trimmed), out _)
                && string.Equals(Path.GetFileName(parent), moduleName, StringComparison.OrdinalIgnoreCase))
            {
                return parent;
            }

            return trimmed;
        }

        /// <summary>The platform's own scheduler: Task Scheduler on Windows, systemd on Linux (when systemctl is there), cron otherwise.</summary>
        public static string DefaultScheduler(bool systemdPresent) =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "TaskScheduler"
            : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && systemdPresent ? "Systemd"
            : "Cron";

        private static string ProcessPath()
        {
            using Process self = Process.GetCurrentProcess();
            return self.MainModule?.FileName ?? string.Empty;
        }
    }
}
