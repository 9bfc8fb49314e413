using System;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Thrown by the account's <see cref="RateLimiter"/> instead of waiting: RunCloud asked the account to wait (Retry-After)
    /// longer than the caller's retry budget. The rate-limit handler turns it into a <see cref="RunCloudApiException"/>
    /// that names the request, which was not sent.
    /// </summary>
    internal sealed class RateLimitBlockedException : Exception
    {
        public RateLimitBlockedException(DateTime untilUtc, TimeSpan remaining, TimeSpan retryAfter, TimeSpan budget)
            : base($"RunCloud asked this account to wait until {untilUtc:yyyy-MM-dd HH:mm:ss} UTC.")
        {
            UntilUtc = untilUtc;
            Remaining = remaining;
            RetryAfter = retryAfter;
            Budget = budget;
        }

        /// <summary>When the hold ends, wall-clock UTC.</summary>
        public DateTime UntilUtc { get; }

        /// <summary>What is left of the hold when the call was refused.</summary>
        public TimeSpan Remaining { get; }

        /// <summary>The Retry-After RunCloud sent.</summary>
        public TimeSpan RetryAfter { get; }

        /// <summary>How long the refused call could have waited (the connection's -MaxRetryDuration).</summary>
        public TimeSpan Budget { get; }
    }
}
