using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// Decides, before any call, how a sync reads the app (pure: the journal, the desired set, the clock):
    /// <list type="number">
    /// <item>Full (the whole listing) on -Full; with no usable record of a clean sync; when a previous run left work owed;
    /// when another command changed the app after the record was made; when the options that shape the plan changed;
    /// when the full listing is due (-FullListEvery after the last one); when the full check is due and the app fits on
    /// one page (the listing costs the drift check's one call).</item>
    /// <item>DriftCheck (one call, <see cref="DriftCheck"/>) when the full check is due (-ReconcileEvery after the last
    /// listing or drift check that vouched) but the full listing is not: the whole listing follows only when it cannot
    /// vouch for the app.</item>
    /// <item>Unchanged (no call at all) when the desired set's fingerprint is the record's,
    /// and no name waits for DNS and -ResetSsl was not asked.</item>
    /// <item>Otherwise Targeted: the names the plan can touch (those added to, removed from or changed in the source
    /// since the record, and any the record-based plan would add or remove) are checked one by one with RunCloud's search,
    /// when those searches take fewer calls than the listing (ceil(domains/40) pages); else Full. A search's pages are
    /// predicted from the record: RunCloud's search matches names that contain the text, so a name contained in many
    /// others takes more than one page.</item>
    /// </list>
    /// </summary>
    internal static class ChangeDetector
    {
        public static readonly TimeSpan DefaultReconcileEvery = TimeSpan.FromDays(1);

        /// <summary>
        /// A week: the full check is the one-call drift check on the other days. The listing is what refreshes a kept
        /// name's www/redirection (which the drift check cannot see) and bounds what a server whose sort differs from the
        /// documented one could hide; weekly costs ceil(domains/40)/7 calls a day (32 on 9,000 domains).
        /// </summary>
        public static readonly TimeSpan DefaultFullListEvery = TimeSpan.FromDays(7);

        /// <param name="record">The last clean sync's record with its lists (SyncRecords.Load), or null.</param>
        /// <param name="planOver">The request's own plan against a list of the app's domains (a source's rules included); by default the entries' plan.</param>
        public static ChangeDecision Decide(IReadOnlyList<DesiredEntry> entries, SyncOptions guards, AppRunOptions run, AppJournal? journal, SyncRecord? record, DateTime? changedOutsideAt, DateTime nowUtc, Func<IReadOnlyList<RunCloudDomain>, SyncPlan>? planOver = null)
        {
            DesiredFingerprint fp = DesiredFingerprint.Compute(entries, guards, run);
            if (run.Full) return Full("-Full: the whole app is listed", fp, record);
            if (record == null) return Full("no clean sync of this app is recorded yet: the whole app is listed", fp, null);

            int pages = RunCloudSyncPlan.ListingPages(record.Domains.Count);
            ChangeDecision Listing(string why)
            {
                ChangeDecision d = Full(why, fp, record);
                d.ReadCalls = pages;
                d.ListingPages = pages;
                return d;
            }

            if (journal != null && journal.HasOwedWork) return Listing("a previous run left work owed on the app: the whole app is listed to finish it");
            if (changedOutsideAt.HasValue && changedOutsideAt.Value >= record.RecordedAt)
            {
                return Listing($"the app was changed outside the sync at {Time(changedOutsideAt.Value)} (after the last sync): the whole app is listed");
            }

            TimeSpan every = run.ReconcileEvery;
            if (record.FullReconcileAt == null) return Listing("the last sync could not confirm every domain: the whole app is listed");
            if (!string.Equals(record.OptionsFingerprint, fp.Options, StringComparison.Ordinal))
            {
                return Listing("the sync's options changed since the last sync (prune, exclusions, protected names, -MaxRemove, www or redirection): the whole app is listed");
            }

            DateTime listed = record.FullReconcileAt.Value;
            DateTime listDue = listed + run.FullListEvery;
            if (nowUtc >= listDue) return Listing($"the full listing is due (the last was at {Time(listed)}, -FullListEvery {Span(run.FullListEvery)}): the whole app is listed");
            DateTime checkedAt = record.CheckedAt.HasValue && record.CheckedAt.Value > listed ? record.CheckedAt.Value : listed;
            DateTime next = checkedAt + every;
            if (nowUtc >= next)
            {
                string due = $"the full check is due (the last was at {Time(checkedAt)}, -ReconcileEvery {Span(every)})";
                // One page holds the whole app: listing it costs the drift check's one call and tells more.
                if (pages <= 1) return Listing(due + ": the app fits on one page, so it is listed");
                if (record.CheckedMaxId == null) return Listing(due + ": the last sync's record cannot be vouched for by the drift check (it does not say the highest id of the last full check), so the whole app is listed");
                return new ChangeDecision(ReadWay.DriftCheck, $"{due}: one page of the newest domains instead of the {pages}-page listing; next full listing at {Time(listDue)}", fp, record)
                {
                    ReadCalls = 1,
                    ListingPages = pages,
                    NextFullCheck = listDue,
                };
            }

            if (next > listDue) next = listDue;

            bool sameSource = string.Equals(record.Fingerprint, fp.Whole, StringComparison.Ordinal);
            bool waiting = journal?.GetExtension(SslJournalData.Owner, SslJournalData.FromJson)?.NotReady.Count > 0;
            if (sameSource && !waiting && !run.ResetSsl)
            {
                return new ChangeDecision(ReadWay.Unchanged, $"source unchanged since {Time(record.SourceSince)}; next full check at {Time(next)}", fp, record)
                {
                    ReadCalls = 0,
                    ListingPages = pages,
                    NextFullCheck = next,
                };
            }

            // What the plan can touch: the names that changed in the source, and whatever a plan over the record would change.
            var check = new SortedSet<string>(StringComparer.Ordinal);
            if (!sameSource)
            {
                foreach (string key in DesiredFingerprint.Changed(record.Desired, fp.Entries)) if (!key.StartsWith("!", StringComparison.Ordinal)) check.Add(key);
            }

            List<RunCloudDomain> known = record.Domains.Select(d => d.ToDomain(0, 0)).ToList();
            SyncPlan pre = planOver != null ? planOver(known) : SyncPlanner.Plan(entries, known, guards);
            foreach (string name in pre.ToAdd) check.Add(name);
            foreach (RunCloudDomain d in pre.ToRemove) check.Add(SyncPlanner.Normalized(d));

            int searches = check.Sum(name => SearchPages(name, record.Domains));
            string what = sameSource
                ? (waiting ? "source unchanged, names wait for DNS" : "source unchanged, -ResetSsl")
                : $"{check.Count} name(s) changed in the source since {Time(record.SourceSince)}";
            if (searches >= pages)
            {
                return Listing($"{what}: checking them one by one ({searches} call(s)) costs no less than listing the app ({pages} page(s)): the whole app is listed");
            }

            var targeted = new ChangeDecision(ReadWay.Targeted,
                $"{what}: {(check.Count == 0 ? "nothing to search" : $"{check.Count} checked by search ({searches} call(s))")} instead of the {pages}-page listing; next full check at {Time(next)}",
                fp, record)
            {
                ReadCalls = searches,
                ListingPages = pages,
                NextFullCheck = next,
            };
            targeted.Check.AddRange(check);
            return targeted;
        }

        /// <summary>The record's metadata in the journal (without its lists), or null when there is none or it cannot be used (another format, unreadable).</summary>
        public static SyncRecord? Read(AppJournal? journal)
        {
            if (journal == null) return null;
            try
            {
                SyncRecord? record = journal.GetExtension(SyncRecord.Owner, SyncRecord.FromJson);
                return record != null && record.Version == SyncRecord.CurrentVersion ? record : null;
            }
            catch (Newtonsoft.Json.JsonException)
            {
                return null;
            }
        }

        /// <summary>Pages RunCloud's search takes for <paramref name="name"/>: every known name that contains it matches (40 a page).</summary>
        public static int SearchPages(string name, IEnumerable<SyncRecordDomain> known)
        {
            int matches = known.Count(d => d.Name.IndexOf(name, StringComparison.OrdinalIgnoreCase) >= 0);
            return RunCloudSyncPlan.ListingPages(matches);
        }

        private static ChangeDecision Full(string why, DesiredFingerprint fp, SyncRecord? record) => new ChangeDecision(ReadWay.Full, why, fp, record);

        internal static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        private static string Span(TimeSpan span) => span.ToString("c", CultureInfo.InvariantCulture);
    }
}
