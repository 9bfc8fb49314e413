using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// The API calls a month a schedule is expected to cost each web app it syncs, read from the state folder only (no
    /// request): from the usage ledger's last complete days of the app (up to <see cref="HistoryDays"/>), else from the
    /// app's size as the last clean sync recorded it and the schedule: a no-change run costs nothing, so what remains is
    /// the full check every -ReconcileEvery (or every run when runs are further apart): the full listing, ceil(domains/40)
    /// pages, every -FullListEvery, and the one-call drift check on the other checks (an app of one page is listed at each
    /// check); plus what each change costs.
    /// </summary>
    internal static class SyncTaskProjection
    {
        public const int HistoryDays = 14;

        /// <summary>A 30-day month.</summary>
        private const double MonthDays = 30.0;

        public static List<RunCloudCallProjection> For(IEnumerable<(string ApiHost, long ServerId, long WebAppId)> apps, TimeSpan interval, TimeSpan reconcileEvery,
            TimeSpan fullListEvery, DateTime nowUtc, JournalStore store, UsageLedger ledger)
        {
            var result = new List<RunCloudCallProjection>();
            List<UsageMonth> months = ledger.ReadAll(nowUtc.Year, nowUtc.Month).ToList();
            DateTime previous = nowUtc.AddMonths(-1);
            months.AddRange(ledger.ReadAll(previous.Year, previous.Month));
            foreach (var (host, s, w) in apps.Distinct())
            {
                string target = $"web app {w} (server {s}) at {host}";
                var p = new RunCloudCallProjection { Target = target, ServerId = s, WebAppId = w };
                int? size = null;
                try
                {
                    size = ChangeDetector.Read(store.Load(AppStateKey.For(new Uri("https://" + host + "/"), s, w)))?.DomainCount;
                }
                catch (Exception ex) when (ex is StateException || ex is UriFormatException || ex is ArgumentException)
                {
                    // No usable record: the size stays unknown.
                }

                p.Domains = size;
                if (FromHistory(p, months, host, ApiUsageMeter.AppKey(s, w), nowUtc)) { result.Add(p); continue; }

                double every = Math.Max(interval.TotalDays, reconcileEvery.TotalDays);
                double listEvery = Math.Max(every, fullListEvery.TotalDays);
                string rest = "runs with nothing changed cost nothing, each added or removed name about 4 calls";
                string schedule = $"a full listing every {Span(TimeSpan.FromDays(listEvery))}, a 1-call drift check every {Span(TimeSpan.FromDays(every))} between (when the app is larger than a page); {rest}";
                if (size.HasValue)
                {
                    int pages = Math.Max(1, (size.Value + 39) / 40);
                    // Checks a month; of them the listings, and the drift checks in between (a one-page app is listed at each).
                    double checks = MonthDays / every;
                    double listings = pages <= 1 ? checks : MonthDays / listEvery;
                    double calls = listings * pages + (checks - listings);
                    p.Basis = "Size";
                    p.PerDay = Math.Round(calls / MonthDays, 1);
                    p.PerMonth = (long)Math.Ceiling(calls - 1e-9);
                    p.Detail = pages <= 1
                        ? $"{size.Value.ToString("N0", CultureInfo.InvariantCulture)} domains: 1 page, listed at each full check every {Span(TimeSpan.FromDays(every))}; {rest}"
                        : $"{size.Value.ToString("N0", CultureInfo.InvariantCulture)} domains: {pages} page(s) {schedule}";
                }
                else
                {
                    p.Basis = "Unknown";
                    p.Detail = $"never synced from this state folder, so its size is unknown: the first run lists it in full (ceil(domains/40) calls), then {schedule}";
                }

                result.Add(p);
            }

            return result;
        }

        /// <summary>The app's calls a day over its last complete days in the ledger (any account of the API host); false when there are none.</summary>
        private static bool FromHistory(RunCloudCallProjection p, List<UsageMonth> months, string host, string app, DateTime nowUtc)
        {
            var perDay = new Dictionary<DateTime, long>();
            foreach (UsageMonth m in months.Where(m => string.Equals(m.ApiHost, host, StringComparison.OrdinalIgnoreCase)))
            {
                foreach (UsageCount c in m.Counts.Where(c => c.App == app && c.Day < nowUtc.Date))
                {
                    perDay.TryGetValue(c.Day, out long n);
                    perDay[c.Day] = n + c.Calls;
                }
            }

            DateTime from = nowUtc.Date.AddDays(-HistoryDays);
            List<DateTime> seen = perDay.Keys.Where(d => d >= from).ToList();
            if (seen.Count == 0) return false;
            DateTime first = seen.Min();
            int days = (int)(nowUtc.Date - first).TotalDays;
            long calls = perDay.Where(kv => kv.Key >= first).Sum(kv => kv.Value);
            double average = calls / (double)days;
            p.Basis = "History";
            p.PerDay = Math.Round(average, 1);
            p.PerMonth = (long)Math.Ceiling(average * MonthDays);
            p.Detail = $"{calls.ToString("N0", CultureInfo.InvariantCulture)} calls over the last {days} complete day(s) in the usage ledger";
            return true;
        }

        private static string Span(TimeSpan span) =>
            span.TotalDays >= 1 && span.TotalDays % 1 == 0 ? $"{span.TotalDays:0} day(s)" : span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? $"{span.TotalHours:0} h" : $"{span.TotalMinutes:0} min";
    }
}
