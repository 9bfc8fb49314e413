using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// Pure planning of one web app: from the desired names, the target's options and the live list, the adds, the
    /// removals, the skips and the guard verdicts (the same rules as Sync-RunCloudDomain); then, from the SSL state,
    /// the SSL action and the exact number of calls applying will send. No I/O.
    /// </summary>
    internal static class TargetPlanner
    {
        public static RunCloudSyncPlan Plan(FleetTarget target, IEnumerable<string> rawDesired, IEnumerable<RunCloudSyncSkip> sourceProblems,
            IReadOnlyList<RunCloudDomain> live)
        {
            var skipped = new List<RunCloudSyncSkip>(sourceProblems);
            int invalid = skipped.Count;
            int read = 0;
            var desired = new List<string>();
            var desiredSet = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string raw in rawDesired)
            {
                read++;
                if (string.IsNullOrWhiteSpace(raw)) continue;
                if (!DomainName.TryNormalize(raw, out string name, out string problem))
                {
                    skipped.Add(new RunCloudSyncSkip(raw, problem));
                    invalid++;
                    continue;
                }

                if (desiredSet.Add(name)) desired.Add(name);
            }

            Func<string, bool> excluded = Matcher(target.Exclude);
            Func<string, bool> protectedName = Matcher(target.ProtectedName);
            var liveByName = new HashSet<string>(live.Select(d => d.Name), StringComparer.OrdinalIgnoreCase);
            var add = new List<string>();
            var unchanged = new List<string>();
            foreach (string name in desired)
            {
                if (liveByName.Contains(name)) unchanged.Add(name);
                else if (excluded(name)) skipped.Add(new RunCloudSyncSkip(name, "Excluded by 'exclude'; not added."));
                else add.Add(name);
            }

            var remove = new List<RunCloudPlannedDomain>();
            var kept = new List<string>();
            foreach (RunCloudDomain d in live.Where(d => !desiredSet.Contains(d.Name)))
            {
                if (!target.Prune) kept.Add(d.Name);
                else if (d.IsPrimary) skipped.Add(new RunCloudSyncSkip(d.Name, "The primary domain of the web app is never removed."));
                else if (protectedName(d.Name)) skipped.Add(new RunCloudSyncSkip(d.Name, "Created by RunCloud (matches 'protectedName'); never removed."));
                else if (excluded(d.Name)) skipped.Add(new RunCloudSyncSkip(d.Name, "Excluded by 'exclude'; not removed."));
                else remove.Add(new RunCloudPlannedDomain(d.Id, d.Name));
            }

            var guards = new List<RunCloudSyncGuard>();
            if (target.Prune && desired.Count == 0 && remove.Count > 0)
            {
                guards.Add(new RunCloudSyncGuard("EmptySource", "Block",
                    $"The desired list is empty ({read} entries read, none valid) and 'prune' would remove every removable domain ({remove.Count}). Check the source; to really empty the web app, remove the names with Remove-RunCloudDomain."));
            }

            guards.Add(remove.Count > target.MaxRemove
                ? new RunCloudSyncGuard("MaxRemove", "Block",
                    $"The sync would remove {remove.Count} domains, more than maxRemove {target.MaxRemove}. Check the source list; if the removals are intended, set maxRemove to {remove.Count} (manifest) or pass -MaxRemove {remove.Count}.")
                : new RunCloudSyncGuard("MaxRemove", "Pass", $"{remove.Count} removal(s), at most {target.MaxRemove} allowed."));
            if (invalid > 0)
            {
                guards.Add(new RunCloudSyncGuard("InvalidNames", "Warn", $"{invalid} desired entr{(invalid == 1 ? "y is" : "ies are")} not a valid domain name and will not be sent (see Skipped)."));
            }

            var liveDomains = live.Select(d => new RunCloudPlannedDomain(d.Id, d.Name, d.IsPrimary)).ToArray();
            return new RunCloudSyncPlan
            {
                Index = target.Index,
                Connection = target.Connection,
                ServerId = target.ServerId,
                WebAppId = target.WebAppId,
                CreatedAt = DateTime.UtcNow,
                Verdict = guards.Any(g => g.Verdict == "Block") ? "Blocked" : "Proceed",
                Guards = guards.ToArray(),
                Add = add.ToArray(),
                Remove = remove.ToArray(),
                Unchanged = unchanged.ToArray(),
                Kept = kept.ToArray(),
                Skipped = skipped.ToArray(),
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

        private static Func<string, bool> Matcher(string[] patterns)
        {
            if (patterns.Length == 0) return _ => false;
            WildcardPattern[] compiled = patterns.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToArray();
            return name => compiled.Any(p => p.IsMatch(name));
        }
    }
}
