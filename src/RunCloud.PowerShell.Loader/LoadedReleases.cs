using System;

namespace RunCloud.PowerShell.Loader
{
    /// <summary>
    /// Which copy of a module (known by its bin/ folder) this process has loaded. Every release's loader is an assembly of
    /// its own (RunCloud.PowerShell.Loader.0.1.0, ...0.2.0), so they share the note through the AppDomain's data, kept per
    /// engine (RunCloud.PowerShell, RunCloud.Emulator).
    /// </summary>
    internal static class LoadedReleases
    {
        private static readonly object s_gate = new object();

        /// <summary>
        /// Notes <paramref name="folder"/> as the copy of <paramref name="engineName"/> this process uses, when it has none
        /// yet or this one. Returns null then; otherwise the folder of the copy it already has (nothing is changed).
        /// </summary>
        public static string? Claim(string engineName, string folder)
        {
            string key = "RunCloud.Loader.Loaded:" + engineName;
            lock (s_gate)
            {
                string? loaded = AppDomain.CurrentDomain.GetData(key) as string;
                if (loaded != null && !string.Equals(loaded, folder, StringComparison.Ordinal)) return loaded;
                AppDomain.CurrentDomain.SetData(key, folder);
                return null;
            }
        }
    }
}
