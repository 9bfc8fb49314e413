using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// The usage meters' store: the state folder's <see cref="UsageLedger"/>. A meter's account is
    /// "&lt;API host&gt; &lt;account hash&gt;" (<see cref="AccountFor"/>). Every connection the cmdlets open gets its account's
    /// meter through <see cref="MeterFor"/>.
    /// </summary>
    internal sealed class LedgerUsageStore : IApiUsageStore
    {
        /// <summary>How long a write waits for another process writing the same month (the counts wait for the next write after that).</summary>
        private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(2);

        private readonly UsageLedger _ledger;
        private readonly string? _keyId;
        private readonly Func<long?> _quota;
        private readonly Clock _clock;

        private LedgerUsageStore(UsageLedger ledger, string? keyId, Func<long?> quota, Clock clock)
        {
            _ledger = ledger;
            _keyId = keyId;
            _quota = quota;
            _clock = clock;
        }

        /// <summary>"&lt;API host&gt; &lt;16 hex digits&gt;": the meter's and the ledger's name of the account a credential reaches through <paramref name="baseUri"/>.</summary>
        public static string AccountFor(Uri baseUri, RunCloudCredential credential)
        {
            string host = AppStateKey.ApiHostOf(baseUri);
            return host + " " + UsageLedger.AccountOf(host, credential.IdentityForFingerprint());
        }

        /// <summary>The account's meter for a new connection (one per account and clock in the process), writing to the user's state folder.</summary>
        public static ApiUsageMeter MeterFor(Uri baseUri, RunCloudCredential credential, Clock? clock = null)
        {
            string account = AccountFor(baseUri, credential);
            string folder;
            try
            {
                folder = StateFolder.Resolve();
            }
            catch (StateException)
            {
                folder = string.Empty;
            }

            ApiUsageMeter? made = null;
            made = AccountUsageMeters.For(account, clock, folder, () =>
            {
                UsageLedger ledger;
                try
                {
                    ledger = UsageLedger.Default();
                }
                catch (StateException)
                {
                    return null; // no usable state folder: counted in memory; the sync's own state errors say why
                }

                return new LedgerUsageStore(ledger, credential.KeyId, () => made?.MonthlyQuota, clock ?? Clock.Real);
            });
            return made;
        }

        public void Add(string account, IReadOnlyList<ApiUsageTick> ticks)
        {
            (string host, string hash) = Split(account);
            var counts = new List<UsageCount>(ticks.Count);
            foreach (ApiUsageTick t in ticks) counts.Add(new UsageCount(t.Day, t.App, t.Calls));
            _ledger.Add(host, hash, _keyId, _quota(), counts, LockTimeout, _clock.UtcNow);
        }

        public IReadOnlyList<ApiUsageTick> ReadMonth(string account, int year, int month)
        {
            (string host, string hash) = Split(account);
            UsageMonth? m = _ledger.Read(host, hash, year, month);
            return m == null ? Array.Empty<ApiUsageTick>() : m.Counts.Select(c => new ApiUsageTick(c.Day, c.App, c.Calls)).ToList();
        }

        internal static (string Host, string Hash) Split(string account)
        {
            int space = account.LastIndexOf(' ');
            return space < 0 ? (account, string.Empty) : (account.Substring(0, space), account.Substring(space + 1));
        }
    }
}
