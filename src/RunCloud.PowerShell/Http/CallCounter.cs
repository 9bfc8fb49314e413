using System.Threading;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Counts the HTTP requests (retries included) sent by one logical operation, e.g. one fleet target, even while
    /// other targets share the same connection on other threads: the count follows the async flow (AsyncLocal).
    /// Counters nest: a request counts for the current counter and every counter it was begun under, so an operation
    /// that counts its own steps never hides them from the operation around it.
    /// </summary>
    internal sealed class CallCounter
    {
        private static readonly AsyncLocal<CallCounter?> s_current = new AsyncLocal<CallCounter?>();
        private readonly CallCounter? _outer;
        private int _calls;

        private CallCounter(CallCounter? outer) => _outer = outer;

        public int Calls => Volatile.Read(ref _calls);

        /// <summary>Makes a new counter current for the rest of the calling async flow and returns it.</summary>
        public static CallCounter Begin()
        {
            var counter = new CallCounter(s_current.Value);
            s_current.Value = counter;
            return counter;
        }

        internal static void Count()
        {
            for (CallCounter? c = s_current.Value; c != null; c = c._outer) Interlocked.Increment(ref c._calls);
        }
    }
}
