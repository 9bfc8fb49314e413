using System;
using System.Collections.Concurrent;
using RunCloud.PowerShell.Http;

namespace RunCloud.PowerShell.Session
{
    /// <summary>
    /// One <see cref="ApiUsageMeter"/> per account (API host + credential identity, hashed) and clock for the whole
    /// process, as <see cref="AccountRateLimiters"/> keeps one limiter: every connection to the account counts into it,
    /// whichever runspace opened it. What a meter has not written yet is written when a command ends
    /// (<see cref="FlushAll"/>) and when the process exits.
    /// </summary>
    internal static class AccountUsageMeters
    {
        private static readonly ConcurrentDictionary<ClockedKey, ApiUsageMeter> s_meters = new ConcurrentDictionary<ClockedKey, ApiUsageMeter>();

        static AccountUsageMeters()
        {
            // A scheduled run ends by leaving the process: its last counts are written on the way out.
            AppDomain.CurrentDomain.ProcessExit += (_, __) => FlushAll();
        }

        /// <param name="account">The ledger's name of the account (see <see cref="ApiUsageMeter.Account"/>).</param>
        /// <param name="clock">The clock the calls are dated by (null: the real one).</param>
        /// <param name="ledger">The folder whose ledger counts the account's calls (the state folder at connect time; "" for
        /// none): a session that moves to another state folder counts there, with that folder's quota, never the old one's.</param>
        /// <param name="store">Where the counts go; used when the meter is made (the first connection to the account).</param>
        public static ApiUsageMeter For(string account, Clock? clock, string ledger, Func<IApiUsageStore?> store)
        {
            Clock by = clock ?? Clock.Real;
            return s_meters.GetOrAdd(new ClockedKey(by, account, ledger), _ => new ApiUsageMeter(account, by, store()));
        }

        /// <summary>Writes the pending counts of the meters whose last write is older than <see cref="ApiUsageMeter.FlushInterval"/> (never throws).</summary>
        public static void FlushDue()
        {
            foreach (ApiUsageMeter meter in s_meters.Values) meter.FlushIfDue();
        }

        /// <summary>Writes every meter's pending counts (never throws; a failure stays in the meter's LastError).</summary>
        public static void FlushAll()
        {
            foreach (ApiUsageMeter meter in s_meters.Values) meter.Flush();
        }
    }
}
