using System.Threading;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Counts the HTTP requests (retries included) sent by one logical operation, e.g. one fleet target, even while
    /// other targets share the same connection on other threads: the count follows the async flow (AsyncLocal).
    /// </summary>
    internal sealed class CallCounter
    {
        private static readonly AsyncLocal<CallCounter?> s_current = new AsyncLocal<CallCounter?>();
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        /// <summary>Makes a new counter current for the rest of the calling async flow and returns it.</summary>
        public static CallCounter Begin()
        {
            var counter = new CallCounter();
            s_current.Value = counter;
            return counter;
        }

        internal static void Count()
        {
            CallCounter? c = s_current.Value;
            if (c != null) Interlocked.Increment(ref c._calls);
        }
    }
}
