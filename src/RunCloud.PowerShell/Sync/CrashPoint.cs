using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// TEST-ONLY fault hook for the crash-and-rerun reliability case: when the environment variable
    /// RUNCLOUD_TEST_CRASH_AT_STEP is N, the process kills itself (SIGKILL / TerminateProcess, no cleanup, no
    /// finally blocks) at the N-th step boundary a sync reaches. Unset (always, outside that test), it does nothing.
    /// Each boundary says which step just finished, and the process writes it to stderr before dying so the test
    /// knows where the kill happened.
    /// </summary>
    internal static class CrashPoint
    {
        public const string Variable = "RUNCLOUD_TEST_CRASH_AT_STEP";
        private static int s_reached;

        public static void Reached(string step)
        {
            string? at = Environment.GetEnvironmentVariable(Variable);
            if (string.IsNullOrEmpty(at) || !int.TryParse(at, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)) return;
            if (Interlocked.Increment(ref s_reached) != n) return;
            Console.Error.WriteLine($"RUNCLOUD-CRASH-POINT {n}: {step}");
            Console.Error.Flush();
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
