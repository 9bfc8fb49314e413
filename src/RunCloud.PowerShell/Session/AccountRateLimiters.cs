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
        private static readonly ConcurrentDictionary<string, RateLimiter> s_limiters = new ConcurrentDictionary<string, RateLimiter>(StringComparer.Ordinal);

        public static RateLimiter For(Uri baseUri, string credentialIdentity, int limit, TimeSpan window)
        {
            string key = string.Join("|", baseUri.AbsoluteUri.ToLowerInvariant(), credentialIdentity,
                limit.ToString(CultureInfo.InvariantCulture), window.Ticks.ToString(CultureInfo.InvariantCulture));
            return s_limiters.GetOrAdd(key, _ => new RateLimiter(limit, window));
        }
    }
}
