using System.Threading;

namespace RunCloud.PowerShell.Session
{
    /// <summary>
    /// The process-wide default connection. It is static on purpose: runspaces in one process (for instance
    /// <c>ForEach-Object -Parallel</c>) load this assembly once and so share the connection, its HttpClient and
    /// its rate limiter, which is what keeps parallel work under RunCloud's rate limit.
    /// </summary>
    internal static class RunCloudSession
    {
        private static RunCloudConnection? s_current;

        public static RunCloudConnection? Current => Volatile.Read(ref s_current);

        /// <summary>Makes <paramref name="connection"/> the default and returns the one it replaced.</summary>
        public static RunCloudConnection? Exchange(RunCloudConnection? connection) =>
            Interlocked.Exchange(ref s_current, connection);
    }
}
