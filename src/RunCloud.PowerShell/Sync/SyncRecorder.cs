using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// Writes the record of a clean sync into the app's journal (<see cref="SyncRecord"/>), under the app's lock: after a
    /// prepare that found nothing to do, or after an apply in which every step was confirmed and succeeded, nothing is
    /// left owed and no certificate order was deferred. A dry run, a plan, a refusal, a held-back prune, a failure or a
    /// declined step records nothing (the record was dropped when the changes began, so the next run lists in full).
    /// </summary>
    internal static class SyncRecorder
    {
        /// <summary>After preparing: a clean sync with nothing to send is recorded now (an unchanged one has nothing new to record).</summary>
        public static void AfterPrepare(PreparedApply p)
        {
            if (!Eligible(p) || p.Steps.Count > 0 || p.Decision!.Way == ReadWay.Unchanged) return;
            Write(p, p.Live!.Where(d => d.Problem == null), complete: true);
        }

        /// <summary>After applying: the app's domains as this run left them (the read, minus the removals, plus the adds).</summary>
        public static void AfterApply(PreparedApply p, AppOutcome outcome)
        {
            if (!Eligible(p) || p.Steps.Count == 0) return;
            if (outcome.Failures.Count > 0 || outcome.Declined > 0 || outcome.StillPending != null || outcome.SslDeferred.Count > 0) return;
            var gone = new HashSet<string>(outcome.Removed.Concat(outcome.AlreadyGone), StringComparer.OrdinalIgnoreCase);
            var after = new Dictionary<string, RunCloudDomain>(StringComparer.Ordinal);
            foreach (RunCloudDomain d in p.Live!.Where(d => d.Problem == null && !gone.Contains(SyncPlanner.Normalized(d)))) after[SyncPlanner.Normalized(d)] = d;
            foreach (RunCloudDomain d in outcome.AddedDomains.Concat(p.AlreadyThere)) after[SyncPlanner.Normalized(d)] = d;
            // An add whose answer carried no domain: its id is unknown, so the record cannot vouch for it (the next run lists in full).
            bool complete = outcome.Added.All(n => outcome.AddedDomains.Any(d => SyncPlanner.Normalized(d) == n));
            foreach (string name in outcome.Added.Concat(outcome.AlsoUnchanged).Where(n => !after.ContainsKey(n)))
            {
                after[name] = new RunCloudDomain { Name = name, ServerId = p.Target.ServerId, WebAppId = p.Target.WebAppId };
                complete = false;
            }

            Write(p, after.Values, complete);
        }

        private static bool Eligible(PreparedApply p) =>
            p.Decision != null && p.Live != null && !p.Request.Options.ReadOnly && p.Lock != null && p.Refusal == null && p.Problems.Count == 0
            && p.Plan.Verdict == SyncVerdict.Proceed && p.Plan.PruneStoppedMessage == null;

        private static void Write(PreparedApply p, IEnumerable<RunCloudDomain> domains, bool complete)
        {
            ChangeDecision d = p.Decision!;
            AppRunOptions o = p.Request.Options;
            DateTime now = o.Clock();
            SyncRecord? before = d.Record;
            List<RunCloudDomain> kept = domains.ToList();
            // A source computed against the app's names is fingerprinted against the names recorded, as the next run judges it.
            DesiredFingerprint fp = p.Request.SourceOf != null ? DesiredFingerprint.Compute(TargetedRead.DesiredAgainst(p.Request, kept), p.Request.Guards, o) : d.Fingerprint;
            var record = new SyncRecord
            {
                Fingerprint = fp.Whole,
                OptionsFingerprint = fp.Options,
                RecordedAt = now,
                SourceSince = before != null && before.Fingerprint == fp.Whole ? before.SourceSince : now,
                FullReconcileAt = !complete ? null : d.ListedAt ?? before?.FullReconcileAt,
                // The last full check (a listing or a drift check that vouched) and the highest id the app had then.
                CheckedAt = !complete ? null : d.ListedAt ?? d.VouchedAt ?? before?.CheckedAt,
                CheckedMaxId = !complete ? null : d.ListedAt != null || d.VouchedAt != null ? d.CheckedMaxId : before?.CheckedMaxId,
                Desired = new Dictionary<string, string>(fp.Entries, StringComparer.Ordinal),
                Domains = kept.Select(SyncRecordDomain.From).OrderBy(x => x.Name, StringComparer.Ordinal).ToList(),
            };
            AppJournal journal = p.Journal ??= AppJournal.For(p.Target.Key, p.Target.BaseUri, now);
            journal.WrittenBy = o.Command;
            SyncRecords.Save(p.Store, p.Target.Key, journal, record, now);
        }
    }
}
