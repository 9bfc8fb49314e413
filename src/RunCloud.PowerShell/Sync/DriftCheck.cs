using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The full check in one call: does the app still hold exactly the domains the last clean sync recorded? One request,
    /// GET .../domains?sortColumn=id&amp;sortDirection=desc&amp;page=1&amp;perPage=40 (the newest domains first, and the total
    /// RunCloud counts), compared with the record. It vouches for the app only when all of these hold:
    /// <list type="number">
    /// <item>meta.pagination.total is there and equals the number of domains the record holds;</item>
    /// <item>the page's ids are strictly decreasing (the server really sorted; a server that ignored the sort is never
    /// vouched for);</item>
    /// <item>every domain on the page is in the record with the same id and name, and the first is the record's highest id;</item>
    /// <item>the page reaches every domain created since the last full check: its last id is at or below the highest id
    /// the app had then (<see cref="SyncRecord.CheckedMaxId"/>), or it holds the whole app.</item>
    /// </list>
    /// Why that is enough: RunCloud gives a new domain a higher id than any before it, and a domain's name never changes
    /// (only its www/redirection settings, which the sync does not reconcile on a name it keeps). At the last full check
    /// (a listing, or a check that vouched) the record was the app, and since then it followed every change the sync made
    /// and every name its searches found gone. So every domain the app holds now with an id at or below that check's
    /// highest id was in the record then, and is in it still (only a deletion the sync did not see can make the record
    /// hold more of those than the app). Every domain with a higher id was created since, so it is on the page (rule 4),
    /// and so in the record (rule 3). The app is therefore a subset of the record, and as large (rule 1): the same set.
    /// A deletion made in the dashboard lowers the total unless something was added too, and whatever was added is on the
    /// page and not in the record. Anything else (a missing or contradictory meta, an unsorted page, more new domains than
    /// one page shows) cannot be vouched for, and the caller lists the app in full in the same run, saying why.
    /// What it cannot see: the www/redirection/type of a name it keeps (the weekly full listing, -FullListEvery, refreshes
    /// them), and a server whose sort is not what RunCloud documents beyond the page it returns.
    /// </summary>
    internal static class DriftCheck
    {
        /// <summary>Sends the one request and judges it; null when it vouches for the app, else why not.</summary>
        public static async Task<string?> RunAsync(AppTarget t, SyncRecord record, CancellationToken ct)
        {
            var (page, total) = await t.Service.NewestDomainsAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false);
            return Judge(record, page, total);
        }

        /// <summary>Pure: null when <paramref name="page"/> (the newest domains, as answered) and <paramref name="total"/> vouch that the app holds exactly the record's domains; else why not.</summary>
        public static string? Judge(SyncRecord record, IReadOnlyList<RunCloudDomain> page, int? total)
        {
            int n = record.Domains.Count;
            if (record.CheckedMaxId == null) return "the last sync's record does not say the highest id of the last full check";
            if (total == null) return "RunCloud's answer has no meta.pagination.total";
            if (total.Value != n) return $"RunCloud counts {Count(total.Value)} domain(s), the last sync's record {Count(n)} (a domain was added or deleted outside the sync)";
            if (n == 0) return page.Count == 0 ? null : $"RunCloud counts no domain but answers {page.Count}";
            if (page.Count == 0) return $"RunCloud counts {Count(n)} domain(s) but answers none on the first page";
            if (page.Count > n) return $"the page holds {page.Count} domains, more than the {Count(n)} RunCloud counts";

            RunCloudDomain? bad = page.FirstOrDefault(d => d.Problem != null);
            if (bad != null) return $"a domain on the page cannot be read ({bad.Problem})";
            for (int i = 1; i < page.Count; i++)
            {
                if (page[i].Id >= page[i - 1].Id)
                {
                    return $"the page is not sorted by id, newest first (id {page[i].Id} follows {page[i - 1].Id}): the server did not honour sortColumn=id&sortDirection=desc";
                }
            }

            var byId = new Dictionary<long, SyncRecordDomain>();
            foreach (SyncRecordDomain d in record.Domains)
            {
                if (d.Id <= 0 || byId.ContainsKey(d.Id)) return $"the last sync's record holds {d.Name} without a usable id";
                byId[d.Id] = d;
            }

            foreach (RunCloudDomain live in page)
            {
                string name = SyncPlanner.Normalized(live);
                if (!byId.TryGetValue(live.Id, out SyncRecordDomain? known)) return $"{name} (id {live.Id}) is on the app but not in the last sync's record (added outside the sync)";
                if (!string.Equals(known.Name, name, StringComparison.Ordinal)) return $"id {live.Id} is {name} on the app but {known.Name} in the last sync's record";
            }

            SyncRecordDomain newest = record.Domains.OrderByDescending(d => d.Id).First();
            if (page[0].Id != newest.Id) return $"the record's newest domain, {newest.Name} (id {newest.Id}), is not on the app";
            if (page.Count < n && page[page.Count - 1].Id > record.CheckedMaxId.Value)
            {
                return $"the page's {page.Count} newest domains all came after the last full check (id {record.CheckedMaxId.Value}): one page cannot show every domain added since";
            }

            return null;
        }

        private static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
    }
}
