using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Counts every request sent for one account (an API host and a credential), per UTC day and per web app, and
    /// hands the counts to its <see cref="IApiUsageStore"/> (the state folder's usage ledger), where every process's
    /// counts add up. One meter per account and clock in a process (Session/AccountUsageMeters), shared by every
    /// connection to the account. Rules:
    /// <list type="bullet">
    /// <item>every attempt that goes on the wire counts, retries included, as RunCloud meters them; the day is the meter's
    /// <see cref="Clock"/>'s (injectable: tests run a month on a clock they move);</item>
    /// <item>counting never fails a request and never waits for a disk: counts are written in batches (every
    /// <see cref="FlushEvery"/> calls, when <see cref="FlushInterval"/> has passed since the last write, when a command
    /// ends, and when the process exits), so a process killed outright loses at most that batch;</item>
    /// <item>a write that fails keeps its counts for the next one (<see cref="LastError"/> says why);</item>
    /// <item><see cref="Month"/> is the store's counts plus what this process has not written yet.</item>
    /// </list>
    /// The account's monthly quota lives here too (Connect-RunCloud -MonthlyQuota, a manifest connection's
    /// "monthlyQuota"): it is the account's, whichever connection set it.
    /// </summary>
    internal sealed class ApiUsageMeter
    {
        /// <summary>Pending calls that make the meter write at once.</summary>
        public const int FlushEvery = 500;

        /// <summary>The share of the quota past which syncs stop before sending, unless set otherwise.</summary>
        public const double DefaultStopShare = 0.9;

        /// <summary>The longest a count waits in memory while requests keep coming.</summary>
        public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

        private readonly object _gate = new object();
        private readonly object _writeGate = new object();
        // Keyed by text (day and app), valued by the tick so far: a fresh process counts its first request here, and a dictionary
        // of reference types runs the framework's precompiled code where a tuple key and a number value are compiled on the spot.
        private Dictionary<string, ApiUsageTick> _pending = new Dictionary<string, ApiUsageTick>(StringComparer.Ordinal);
        private long _pendingCalls;
        private TimeSpan _lastFlush;

        public ApiUsageMeter(string account, Clock clock, IApiUsageStore? store)
        {
            Account = account;
            Clock = clock;
            Store = store;
            _lastFlush = clock.Elapsed;
        }

        /// <summary>The ledger's name of the account: "&lt;API host&gt; &lt;16 hex digits of a hash of the credential's identity&gt;" (no secret).</summary>
        public string Account { get; }

        /// <summary>The time the counts are dated by.</summary>
        public Clock Clock { get; }

        /// <summary>Where counts are written; null: counted in memory only (a connection made outside the cmdlets, e.g. a test's).</summary>
        public IApiUsageStore? Store { get; }

        /// <summary>The account's API calls a month, when known; null: no quota rules.</summary>
        public long? MonthlyQuota { get; set; }

        /// <summary>The share of <see cref="MonthlyQuota"/> past which syncs stop before sending (0 &lt; x &lt;= 1).</summary>
        public double StopShare { get; set; } = DefaultStopShare;

        /// <summary>Why the last write of the counts failed (they are kept and written by the next flush); null when it worked.</summary>
        public Exception? LastError { get; private set; }

        /// <summary>Calls counted since the meter was made (this process only).</summary>
        public long Counted { get; private set; }

        /// <summary>The ledger's app key of a request: "s&lt;server&gt;-w&lt;web app&gt;" when its path names a web app, else <see cref="ApiUsageTick.AccountLevel"/>.</summary>
        /// <remarks>
        /// The path holds "/servers/&lt;digits&gt;/webapps/&lt;digits&gt;" followed by "/" or its end (any case), each id a
        /// number that fits an Int64. Read by hand, not by a regular expression: every request is counted, and building
        /// a Regex is the first request's cost in a scheduled run's fresh process.
        /// </remarks>
        public static string AppOf(Uri? uri)
        {
            if (uri == null) return ApiUsageTick.AccountLevel;
            const string Servers = "/servers/", WebApps = "/webapps/";
            string path = uri.AbsolutePath;
            for (int at = path.IndexOf(Servers, StringComparison.OrdinalIgnoreCase); at >= 0;
                 at = path.IndexOf(Servers, at + 1, StringComparison.OrdinalIgnoreCase))
            {
                int s = at + Servers.Length, sEnd = EndOfDigits(path, s);
                if (sEnd == s || string.Compare(path, sEnd, WebApps, 0, WebApps.Length, StringComparison.OrdinalIgnoreCase) != 0) continue;
                int w = sEnd + WebApps.Length, wEnd = EndOfDigits(path, w);
                if (wEnd == w || (wEnd < path.Length && path[wEnd] != '/')) continue;
                if (long.TryParse(path.Substring(s, sEnd - s), NumberStyles.None, CultureInfo.InvariantCulture, out long server)
                    && long.TryParse(path.Substring(w, wEnd - w), NumberStyles.None, CultureInfo.InvariantCulture, out long webApp))
                {
                    return AppKey(server, webApp);
                }
            }

            return ApiUsageTick.AccountLevel;
        }

        /// <summary>Where a run of at most 19 ASCII digits starting at <paramref name="from"/> ends.</summary>
        private static int EndOfDigits(string text, int from)
        {
            int i = from;
            while (i < text.Length && i - from < 19 && text[i] >= '0' && text[i] <= '9') i++;
            return i;
        }

        /// <summary>The ledger's key of one web app.</summary>
        public static string AppKey(long serverId, long webAppId) =>
            string.Format(CultureInfo.InvariantCulture, "s{0}-w{1}", serverId, webAppId);

        /// <summary>Counts one request as it goes on the wire (called by the handler chain for every attempt).</summary>
        public void Count(HttpRequestMessage request)
        {
            string app = AppOf(request.RequestUri);
            DateTime day = Clock.UtcNow.Date;
            bool due;
            lock (_gate)
            {
                Add(_pending, day, app, 1);
                _pendingCalls++;
                Counted++;
                due = _pendingCalls >= FlushEvery || Clock.Elapsed - _lastFlush >= FlushInterval;
            }

            if (due) Flush();
        }

        /// <summary>Writes what is pending when the last write is older than <see cref="FlushInterval"/> (a command ends).</summary>
        public void FlushIfDue()
        {
            bool due;
            lock (_gate) due = _pendingCalls > 0 && Clock.Elapsed - _lastFlush >= FlushInterval;
            if (due) Flush();
        }

        /// <summary>
        /// Writes what is pending (no-op when nothing is, or without a store). Never throws: a failure keeps the counts for
        /// the next flush and is kept in <see cref="LastError"/>.
        /// </summary>
        public void Flush()
        {
            if (Store == null) return;
            lock (_writeGate)
            {
                Dictionary<string, ApiUsageTick> batch;
                lock (_gate)
                {
                    _lastFlush = Clock.Elapsed;
                    if (_pendingCalls == 0) return;
                    batch = _pending;
                    _pending = new Dictionary<string, ApiUsageTick>(StringComparer.Ordinal);
                    _pendingCalls = 0;
                }

                try
                {
                    Store.Add(Account, new List<ApiUsageTick>(batch.Values));
                    LastError = null;
                }
                catch (Exception ex)
                {
                    // Kept, never lost: merged back under what was counted meanwhile, written by the next flush.
                    LastError = ex;
                    lock (_gate)
                    {
                        foreach (ApiUsageTick c in batch.Values)
                        {
                            Add(_pending, c.Day, c.App, c.Calls);
                            _pendingCalls += c.Calls;
                        }
                    }
                }
            }
        }

        /// <summary>Counts not written yet (this process's).</summary>
        public IReadOnlyList<ApiUsageTick> Pending()
        {
            lock (_gate) return new List<ApiUsageTick>(_pending.Values);
        }

        private static void Add(Dictionary<string, ApiUsageTick> counts, DateTime day, string app, long calls)
        {
            string key = day.Ticks.ToString(CultureInfo.InvariantCulture) + "|" + app;
            counts[key] = new ApiUsageTick(day, app, counts.TryGetValue(key, out ApiUsageTick? before) ? before.Calls + calls : calls);
        }

        /// <summary>
        /// The account's counts of the calendar month (UTC) that holds <paramref name="anyDayUtc"/>: the store's (every
        /// process's, as written) plus this process's pending ones. Throws what the store throws.
        /// </summary>
        public IReadOnlyList<ApiUsageTick> Month(DateTime anyDayUtc)
        {
            var all = new List<ApiUsageTick>();
            if (Store != null) all.AddRange(Store.ReadMonth(Account, anyDayUtc.Year, anyDayUtc.Month));
            all.AddRange(Pending().Where(t => t.Day.Year == anyDayUtc.Year && t.Day.Month == anyDayUtc.Month));
            return all;
        }

        public override string ToString() => Account;
    }
}
