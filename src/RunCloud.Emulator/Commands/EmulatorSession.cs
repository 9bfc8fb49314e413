using System.Collections.Generic;
using System.Linq;

namespace RunCloud.Emulator.Commands
{
    /// <summary>The emulators started by Start-RunCloudEmulator in this process (the PowerShell session).</summary>
    public static class EmulatorSession
    {
        private static readonly object Lock = new object();
        private static readonly List<RunCloudEmulator> Started = new List<RunCloudEmulator>();

        public static void Add(RunCloudEmulator e) { lock (Lock) Started.Add(e); }
        public static void Remove(RunCloudEmulator e) { lock (Lock) Started.Remove(e); }
        public static IReadOnlyList<RunCloudEmulator> All { get { lock (Lock) return Started.ToList(); } }
        /// <summary>The most recently started emulator that is still running, or null.</summary>
        public static RunCloudEmulator? Latest { get { lock (Lock) return Started.LastOrDefault(e => e.IsRunning); } }
    }
}
