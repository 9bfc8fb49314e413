using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// How a change-detecting sync reads the app, the way <see cref="ChangeDetector"/> chose:
    /// <list type="bullet">
    /// <item>Unchanged: the app is what the last clean sync recorded; no call. Confirmed by planning over the record
    /// (pure): a record whose own plan is not clean is not trusted, and the app is listed.</item>
    /// <item>Targeted: each name to check is searched (GET .../domains?search=name, every page of the answer); only an
    /// exact match counts, and what a search returns is the truth for that name (added or removed by someone else, e.g.
    /// Ultimate Multisite's own integration, is not a problem). Any other name a search returns that the record has
    /// wrong means the record is stale elsewhere too: the app is then listed in full, in the same run.</item>
    /// <item>DriftCheck: one page of the newest domains (<see cref="DriftCheck"/>); when it vouches, the record is the
    /// app; when it cannot, the app is listed in full in the same run.</item>
    /// <item>Full: the whole listing.</item>
    /// </list>
    /// The quota's first rule is checked before the first call. Sets <see cref="PreparedApply.Live"/> (and
    /// <see cref="PreparedApply.LiveFromRecord"/>).
    /// </summary>
    internal static class TargetedRead
    {
        public static async Task ReadAsync(PreparedApply p, IApplyHost host, CancellationToken ct)
        {
            AppTarget t = p.Target;
            AppRunOptions o = p.Request.Options;
            SyncRecord? record = SyncRecords.Load(p.Store, t.Key, p.Journal);
            // A source computed against the app's names (a UM network) is judged against the names the record holds: computed
            // once here, since every plan below (the detector's and the unchanged check's) is over those same names.
            List<RunCloudDomain> recorded = record != null ? FromRecord(record, t) : new List<RunCloudDomain>();
            DesiredSource? recordedSource = p.Request.SourceOf?.Invoke(recorded);
            SyncPlan OverRecord(IReadOnlyList<RunCloudDomain> names) => recordedSource != null
                ? SyncPlanner.Plan(recordedSource, names, p.Request.Guards)
                : SyncPlanner.Plan(p.Request.Desired, names, p.Request.Guards);
            ChangeDecision d = ChangeDetector.Decide(recordedSource?.Entries ?? p.Request.Desired, p.Request.Guards, o, p.Journal, record, p.Store.ChangedOutsideAt(t.Key), o.Clock(),
                OverRecord);
            p.Decision = d;

            if (d.Way == ReadWay.Unchanged)
            {
                SyncPlan plan = OverRecord(recorded);
                if (plan.Verdict == SyncVerdict.Proceed && plan.PruneStoppedMessage == null && plan.ToAdd.Count == 0 && plan.ToRemove.Count == 0)
                {
                    p.Live = recorded;
                    p.LiveFromRecord = true;
                    p.Plan = plan;
                    host.Verbose($"RunCloud: {t.Label}: {d.Reason} (no call sent).");
                    return;
                }

                Relist(d, "the last sync's record does not agree with its own plan any more");
            }

            host.Verbose($"RunCloud: {t.Label}: {(d.Way == ReadWay.Targeted ? "targeted" : d.Way == ReadWay.DriftCheck ? "drift check" : "full")} read: {d.Reason}.");
            // The SSL read beside these reads when the change will most likely need it: with no record (a first sync) a
            // change is assumed; with one, the record's own plan predicts it.
            SyncPlan? expected = record != null ? OverRecord(recorded) : null;
            bool readSsl = AppSyncEngine.SslReadLikely(p, adds: expected == null || expected.ToAdd.Count > 0, removals: expected == null ? p.Request.Guards.Prune : expected.ToRemove.Count > 0);
            QuotaGuard.BeforeReading(p, host, (d.ReadCalls ?? 1) + (readSsl ? 1 : 0));
            if (readSsl) AppSyncEngine.ReadSslAhead(p, ct);

            if (d.Way == ReadWay.DriftCheck)
            {
                if (await VouchAsync(p, d, host, ct).ConfigureAwait(false)) return;
            }

            if (d.Way == ReadWay.Targeted)
            {
                string? stale = null;
                Dictionary<string, RunCloudDomain> current = FromRecord(d.Record!, t).ToDictionary(x => x.Name, StringComparer.Ordinal);
                var checkedNames = new HashSet<string>(d.Check, StringComparer.Ordinal);
                foreach (string name in d.Check)
                {
                    var (found, _) = await t.Service.SearchDomainsAsync(t.ServerId, t.WebAppId, name, ct).ConfigureAwait(false);
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (RunCloudDomain live in found.Where(x => x.Problem == null))
                    {
                        string n = SyncPlanner.Normalized(live);
                        if (!seen.Add(n)) continue;
                        if (!checkedNames.Contains(n) && (!current.TryGetValue(n, out RunCloudDomain? known) || known.Id != live.Id))
                        {
                            stale ??= $"searching {name} found {n} (id {live.Id}), which the last sync's record has {(current.ContainsKey(n) ? "under another id" : "not")}";
                        }

                        current[n] = live;
                    }

                    if (!found.Any(x => x.Problem == null && SyncPlanner.Normalized(x) == name)) current.Remove(name);
                    host.Verbose($"RunCloud: {t.Label}: {name} is {(current.ContainsKey(name) ? "on the app (id " + current[name].Id + ")" : "not on the app")}.");
                }

                if (stale == null)
                {
                    p.Live = current.Values.OrderBy(x => x.Name, StringComparer.Ordinal).ToList();
                    p.LiveFromRecord = true;
                    return;
                }

                Relist(d, "the app differs from the last sync's record: " + stale);
                host.Verbose($"RunCloud: {t.Label}: {d.Reason}.");
            }

            Task<List<RunCloudDomain>> listing = t.Service.ListDomainsAsync(t.ServerId, t.WebAppId, ct);
            // The first change's journal write, prepared while the listing is in flight when a change is likely (see
            // JournalStore.PrepareFirstWrite): a run that changes nothing writes no journal and pays nothing for it.
            if (!o.ReadOnly && readSsl) State.JournalStore.PrepareFirstWrite();
            p.Live = await listing.ConfigureAwait(false);
            p.LiveFromRecord = false;
            d.ListedAt = o.Clock();
            d.CheckedMaxId = p.Live.Count == 0 ? 0 : p.Live.Max(x => x.Id);
        }

        /// <summary>
        /// The drift check (<see cref="DriftCheck"/>): true when it vouched for the app (the record is the app; no search
        /// is needed either, whatever changed in the source); false when the whole listing must follow (the decision says why).
        /// </summary>
        private static async Task<bool> VouchAsync(PreparedApply p, ChangeDecision d, IApplyHost host, CancellationToken ct)
        {
            AppTarget t = p.Target;
            SyncRecord record = d.Record!;
            string? why = await DriftCheck.RunAsync(t, record, ct).ConfigureAwait(false);
            if (why != null)
            {
                Relist(d, "the drift check cannot vouch for the app: " + why);
                host.Verbose($"RunCloud: {t.Label}: {d.Reason}.");
                return false;
            }

            long newest = record.Domains.Count == 0 ? 0 : record.Domains.Max(x => x.Id);
            d.VouchedAt = p.Request.Options.Clock();
            d.CheckedMaxId = newest;
            DateTime next = d.VouchedAt.Value + p.Request.Options.ReconcileEvery;
            if (d.NextFullCheck == null || next < d.NextFullCheck.Value) d.NextFullCheck = next;
            d.Reason = d.Reason.Replace("one page of the newest domains instead of", $"the drift check vouched for the app ({record.Domains.Count} domains, the newest id {newest} as recorded) instead of");
            p.Live = FromRecord(record, t);
            p.LiveFromRecord = true;
            host.Verbose($"RunCloud: {t.Label}: {d.Reason}.");
            return true;
        }

        /// <summary>
        /// The desired entries of a request as its plan against <paramref name="onApp"/> would take them: a list as given; a
        /// source computed against the app's names (an Ultimate Multisite network, whose site hosts a wildcard on the app
        /// covers) computed against those names. Change detection, the record's fingerprint and the plan use this one rule,
        /// so a new mapping can never look like an unchanged source.
        /// </summary>
        public static IReadOnlyList<DesiredEntry> DesiredAgainst(AppRequest request, IReadOnlyList<RunCloudDomain> onApp) =>
            request.SourceOf != null ? request.SourceOf(onApp).Entries : request.Desired;

        /// <summary>The request's plan against the app's names, with the source's own rules (names it protects) when it has a source.</summary>
        public static SyncPlan PlanOver(AppRequest request, IReadOnlyList<RunCloudDomain> onApp) =>
            request.SourceOf != null ? SyncPlanner.Plan(request.SourceOf(onApp), onApp, request.Guards) : SyncPlanner.Plan(request.Desired, onApp, request.Guards);

        /// <summary>The record's domains as the app's (ids, names, www, type), for the planner and the SSL step.</summary>
        public static List<RunCloudDomain> FromRecord(SyncRecord record, AppTarget t) =>
            record.Domains.Select(x => x.ToDomain(t.ServerId, t.WebAppId)).ToList();

        private static void Relist(ChangeDecision d, string why)
        {
            d.Way = ReadWay.Full;
            d.Reason = why + ": the whole app is listed";
            d.ReadCalls = d.ListingPages;
            d.NextFullCheck = null; // the listing sets it: -ReconcileEvery from now
        }
    }
}
