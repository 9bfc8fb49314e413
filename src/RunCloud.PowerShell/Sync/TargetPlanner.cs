using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Input;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// Pure planning of one fleet target: <see cref="SyncPlanner"/> decides the adds, removals, skips and guard verdicts
    /// (the very rules of Sync-RunCloudDomain); this adds what a reviewable plan needs on top: the live list and its
    /// fingerprint, then, from the SSL state, the SSL action and the exact number of calls applying will send. No I/O.
    /// </summary>
    internal static class TargetPlanner
    {
        public static RunCloudSyncPlan Plan(FleetTarget target, IEnumerable<string> rawDesired, IEnumerable<RunCloudSyncSkip> sourceProblems,
            IReadOnlyList<RunCloudDomain> live)
        {
            // The rules are Sync-RunCloudDomain's own (SyncPlanner): one web app of a fleet is planned exactly like a single sync.
            IEnumerable<DesiredEntry> entries = rawDesired.Select(r => new DesiredEntry(r))
                .Concat(sourceProblems.Select(p => new DesiredEntry(p.Name, p.Reason)));
            var options = new SyncOptions
            {
                Prune = target.Prune,
                MaxRemove = target.MaxRemove,
                AllowEmptySource = target.AllowEmptySource,
                AllowInvalidEntries = target.AllowInvalidEntries,
                Exclude = NamePattern.ParseAll(target.Exclude, "exclude"),
                ProtectedName = NamePattern.ParseAll(target.ProtectedName, "protectedName"),
            };
            SyncPlan sync = SyncPlanner.Plan(entries, live, options);

            var guards = new List<RunCloudSyncGuard>();
            string manifestHint = " (in a manifest: 'maxRemove', 'allowEmptySource', 'allowInvalidEntries')";
            switch (sync.Verdict)
            {
                case SyncVerdict.EmptySource:
                    guards.Add(new RunCloudSyncGuard("EmptySource", "Block", sync.VerdictMessage + manifestHint));
                    break;
                case SyncVerdict.InvalidResponse:
                    guards.Add(new RunCloudSyncGuard("LiveState", "Block", sync.VerdictMessage ?? "RunCloud's listing is invalid."));
                    break;
                case SyncVerdict.TooManyRemovals:
                    guards.Add(new RunCloudSyncGuard("MaxRemove", "Block", sync.VerdictMessage + manifestHint));
                    break;
                default:
                    guards.Add(new RunCloudSyncGuard("MaxRemove", "Pass", $"{sync.ToRemove.Count} removal(s), at most {target.MaxRemove} allowed."));
                    break;
            }

            if (sync.PruneStoppedMessage != null)
            {
                guards.Add(new RunCloudSyncGuard("InvalidEntries", "Warn", sync.PruneStoppedMessage + manifestHint));
            }
            else if (sync.InvalidEntries.Count > 0)
            {
                guards.Add(new RunCloudSyncGuard("InvalidEntries", "Warn", $"{sync.InvalidEntries.Count} desired entr{(sync.InvalidEntries.Count == 1 ? "y is" : "ies are")} not a valid domain name and will not be sent (see Skipped)."));
            }

            bool blocked = sync.Verdict != SyncVerdict.Proceed;
            var liveDomains = live.Select(d => new RunCloudPlannedDomain(d.Id, d.Name, d.IsPrimary)).ToArray();
            return new RunCloudSyncPlan
            {
                Index = target.Index,
                Connection = target.Connection,
                ServerId = target.ServerId,
                WebAppId = target.WebAppId,
                CreatedAt = DateTime.UtcNow,
                Verdict = blocked ? "Blocked" : "Proceed",
                Guards = guards.ToArray(),
                Add = blocked ? Array.Empty<string>() : sync.ToAdd.ToArray(),
                Remove = blocked ? Array.Empty<RunCloudPlannedDomain>() : sync.ToRemove.Select(d => new RunCloudPlannedDomain(d.Id, SyncPlanner.Normalized(d))).ToArray(),
                Unchanged = sync.Unchanged.ToArray(),
                Kept = sync.Kept.ToArray(),
                Skipped = sync.Skipped.ToArray(),
                Www = target.Www,
                Redirection = target.Redirection,
                NoSslReset = target.NoSslReset,
                Live = liveDomains,
                Fingerprint = LiveFingerprint.Compute(liveDomains),
                VerifyCalls = RunCloudSyncPlan.ListingPages(liveDomains.Length),
            };
        }

        /// <summary>True when applying the plan redeploys SSL, so planning must read the SSL state.</summary>
        public static bool NeedsSsl(RunCloudSyncPlan plan) => !plan.IsBlocked && plan.HasWork && !plan.NoSslReset;

        /// <summary>
        /// The SSL step and its calls: PUT ssl/{id} with the planned certificate id when the app has one (1 call); otherwise
        /// <see cref="Api.SslRedeployer"/> checks again (GET ssl, GET ssl/advanced) and, in advanced mode, GETs and POSTs a
        /// certificate per added domain.
        /// </summary>
        public static void SetSsl(RunCloudSyncPlan plan, RunCloudSsl? ssl, bool advanced)
        {
            if (!NeedsSsl(plan) || ssl == null)
            {
                plan.SslAction = "None";
                plan.SslCalls = 0;
            }
            else if (ssl.Installed && ssl.Id.HasValue)
            {
                plan.SslAction = "Redeploy";
                plan.SslId = ssl.Id;
                plan.SslCalls = 1; // PUT ssl/{id} with the planned id
            }
            else if (advanced)
            {
                plan.SslAction = "PerDomain";
                plan.SslCalls = 2 + (2 * plan.Add.Length);
            }
            else
            {
                plan.SslAction = "NoCertificate";
                plan.SslCalls = 2;
            }
        }

        /// <summary>Recomputes the SSL calls of a plan read from a file (the action is the reviewed input; the count follows from it).</summary>
        public static int SslCallsFor(string action, int adds) => action switch
        {
            "Redeploy" => 1,
            "PerDomain" => 2 + (2 * adds),
            "NoCertificate" => 2,
            _ => 0,
        };
    }
}
