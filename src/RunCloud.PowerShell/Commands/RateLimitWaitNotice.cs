using System;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// A cmdlet's view of the rate limiter's waits: the wait in progress (set from any thread), shown on the pipeline
    /// thread as a progress bar with a countdown. Without -Verbose and -Debug it is the log the handlers see
    /// (<see cref="RunCloudLog.Current"/>): it takes no lines, only waits, so the unattended case stays a plain call.
    /// </summary>
    internal sealed class RateLimitWaitNotice : IRunCloudLog
    {
        /// <summary>The progress bar's id: one bar for the rate limit, whatever the cmdlet's own bars are.</summary>
        public const int ActivityId = 0x52436C;

        public const string Activity = "RunCloud rate limit";

        private Wait? _current;
        private bool _shown;

        public bool VerboseEnabled => false;

        public bool DebugEnabled => false;

        public void Verbose(string text)
        {
        }

        public void Debug(string text)
        {
        }

        /// <summary>Any thread: a wait began.</summary>
        public void RateLimitWait(TimeSpan wait, string reason) => Volatile.Write(ref _current, new Wait(wait, reason, Stopwatch.GetTimestamp()));

        /// <summary>The verbose line for a wait: "waiting N s for the rate limit (why)".</summary>
        public static string Describe(TimeSpan wait, string reason) =>
            string.Format(CultureInfo.InvariantCulture, "RunCloud: waiting {0} s for the rate limit ({1}).", Seconds(wait), reason);

        /// <summary>
        /// Pipeline thread: the progress record to write now (the countdown, or Completed once the wait is over), or null
        /// when there is nothing to show. <paramref name="waiting"/> is true while a wait is still running.
        /// </summary>
        public ProgressRecord? Next(out bool waiting)
        {
            waiting = false;
            Wait? current = Volatile.Read(ref _current);
            if (current != null)
            {
                TimeSpan left = current.Length - TimeSpan.FromSeconds((Stopwatch.GetTimestamp() - current.Started) / (double)Stopwatch.Frequency);
                if (left > TimeSpan.Zero)
                {
                    waiting = true;
                    _shown = true;
                    int seconds = Seconds(left);
                    return new ProgressRecord(ActivityId, Activity, $"Waiting {seconds} s for the rate limit")
                    {
                        CurrentOperation = current.Reason,
                        SecondsRemaining = seconds,
                    };
                }

                Interlocked.CompareExchange(ref _current, null, current);
            }

            return End();
        }

        /// <summary>Pipeline thread: the Completed record when a countdown was shown (the work ended, or its wait did); else null.</summary>
        public ProgressRecord? End()
        {
            if (!_shown) return null;
            _shown = false;
            return new ProgressRecord(ActivityId, Activity, "Done") { RecordType = ProgressRecordType.Completed };
        }

        private static int Seconds(TimeSpan span) => (int)Math.Ceiling(span.TotalSeconds);

        private sealed class Wait
        {
            public Wait(TimeSpan length, string reason, long started)
            {
                Length = length;
                Reason = reason;
                Started = started;
            }

            public TimeSpan Length { get; }
            public string Reason { get; }
            public long Started { get; }
        }
    }
}
