using System;
using System.Collections.Concurrent;
using System.Globalization;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Session
{
    /// <summary>
    /// One <see cref="RateLimiter"/> per account for the whole process: every connection to the same base URI with the
    /// same credential identity (and the same -RateLimit/-RateLimitWindow) paces against the same window, whichever
    /// runspace opened it, so parallel runspaces stay under RunCloud's limit together. The key holds the credential's
    /// identity (the API key, or a per-process keyed hash of a token), never a secret.
    /// </summary>
    internal static class AccountRateLimiters
    {
        // Keyed by the clock too (by reference): production has one clock, Clock.Real, so one limiter per account; a
        // test that injects its own clock gets limiters of its own that pace by it and never meet production's.
        private static readonly ConcurrentDictionary<ClockedKey, RateLimiter> s_limiters = new ConcurrentDictionary<ClockedKey, RateLimiter>();

        public static RateLimiter For(Uri baseUri, string credentialIdentity, int limit, TimeSpan window, Clock? clock = null)
        {
            string key = string.Join("|", baseUri.AbsoluteUri.ToLowerInvariant(), credentialIdentity,
                limit.ToString(CultureInfo.InvariantCulture), window.Ticks.ToString(CultureInfo.InvariantCulture));
            Clock paceBy = clock ?? Clock.Real;
            return s_limiters.GetOrAdd(new ClockedKey(paceBy, key), _ => new RateLimiter(limit, window, paceBy));
        }
    }
}
