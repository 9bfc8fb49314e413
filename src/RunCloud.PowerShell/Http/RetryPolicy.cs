using System;

namespace RunCloud.PowerShell.Http
{
    /// <summary>Retry limits of one connection, settable on Connect-RunCloud.</summary>
    public sealed class RetryPolicy
    {
        private static readonly Random s_jitter = new Random();

        /// <summary>Attempts per request, the first included (1 = never retry).</summary>
        public int MaxAttempts { get; set; } = 5;

        /// <summary>Longest total time one request may spend retrying, waits included.</summary>
        public TimeSpan MaxRetryDuration { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>Time one attempt may take before it counts as timed out.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>First back-off; doubled each attempt, with full jitter, up to <see cref="MaxDelay"/>.</summary>
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Exponential back-off with jitter: a random delay between half and all of BaseDelay * 2^(attempt-1), capped.</summary>
        public TimeSpan BackOff(int attempt)
        {
            double ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1)));
            double factor;
            lock (s_jitter)
            {
                factor = 0.5 + (s_jitter.NextDouble() / 2);
            }

            return TimeSpan.FromMilliseconds(ceiling * factor);
        }
    }
}
