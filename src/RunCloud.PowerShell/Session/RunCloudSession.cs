using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Threading;

namespace RunCloud.PowerShell.Session
{
    /// <summary>
    /// The default connection of each runspace (like PSOpenAD's per-runspace session state): Connect-RunCloud in one
    /// runspace, or a <c>ForEach-Object -Parallel</c> worker, never changes another's default, and Disconnect-RunCloud
    /// in one never closes a connection another runspace uses as its default. Pacing is still shared process-wide,
    /// per account (<see cref="AccountRateLimiters"/>), and a runspace can use another's connection with -Connection.
    /// Code that runs outside any runspace (unit tests calling the API layer) gets one process-level slot.
    /// </summary>
    internal static class RunCloudSession
    {
        private static readonly ConditionalWeakTable<Runspace, Slot> s_byRunspace = new ConditionalWeakTable<Runspace, Slot>();
        private static readonly Slot s_outsideRunspaces = new Slot();

        public static RunCloudConnection? Current => Volatile.Read(ref SlotOf(Runspace.DefaultRunspace).Connection);

        /// <summary>Makes <paramref name="connection"/> this runspace's default and returns the one it replaced.</summary>
        public static RunCloudConnection? Exchange(RunCloudConnection? connection) =>
            Interlocked.Exchange(ref SlotOf(Runspace.DefaultRunspace).Connection, connection);

        /// <summary>True when some runspace other than the current one has <paramref name="connection"/> as its default.</summary>
        public static bool IsDefaultElsewhere(RunCloudConnection connection)
        {
            Runspace? current = Runspace.DefaultRunspace;
            lock (s_open)
            {
                foreach (Runspace runspace in s_open)
                {
                    if (!ReferenceEquals(runspace, current) && s_byRunspace.TryGetValue(runspace, out Slot? slot)
                        && ReferenceEquals(Volatile.Read(ref slot.Connection), connection))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static readonly System.Collections.Generic.List<Runspace> s_open = new System.Collections.Generic.List<Runspace>();

        private static Slot SlotOf(Runspace? runspace)
        {
            if (runspace == null) return s_outsideRunspaces;
            if (s_byRunspace.TryGetValue(runspace, out Slot? slot)) return slot;
            lock (s_open)
            {
                if (s_byRunspace.TryGetValue(runspace, out slot)) return slot;
                slot = new Slot();
                s_byRunspace.Add(runspace, slot);
                s_open.Add(runspace);
                runspace.StateChanged += (sender, e) =>
                {
                    if (e.RunspaceStateInfo.State != RunspaceState.Closed && e.RunspaceStateInfo.State != RunspaceState.Broken) return;
                    lock (s_open) s_open.Remove(runspace);
                    RunCloudConnection? last = Interlocked.Exchange(ref slot.Connection, null);
                    if (last != null && !IsDefaultElsewhere(last)) last.Dispose();
                };
                return slot;
            }
        }

        private sealed class Slot
        {
            public RunCloudConnection? Connection;
        }
    }
}
