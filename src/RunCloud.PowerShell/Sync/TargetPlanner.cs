using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Ssl;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// A fleet target as the engine sees it, and back: the request a manifest target makes (<see cref="Request"/>: the very
    /// rules of Sync-RunCloudDomain), and the reviewable plan of what <see cref="AppSyncEngine.PrepareAsync"/> decided
    /// (<see cref="ToPlan"/>): guard verdicts (the SSL step's among them), the live list and its fingerprint, the desired
    /// list and rules applying re-checks, and the exact calls applying will send. No I/O.
    /// </summary>
    internal static class TargetPlanner
    {
        private const string ManifestHint = " (in a manifest: 'maxRemove', 'allowEmptySource', 'allowInvalidEntries')";

        /// <summary>The sync's rules of a manifest target.</summary>
        public static SyncOptions Guards(FleetTarget t) =>
            Guards(t.Prune, t.MaxRemove, t.AllowEmptySource, t.AllowInvalidEntries, t.Exclude, t.ProtectedName);

        /// <summary>The sync's rules a reviewed plan was made under (applying checks every change against them again).</summary>
        public static SyncOptions Guards(RunCloudSyncPlan p)
        {
            SyncOptions guards = Guards(p.Prune, p.MaxRemove, p.AllowEmptySource, p.AllowInvalidEntries, p.Exclude, p.ProtectedName);
            if (p.Protected.Length > 0)
            {
                // The names the plan's source protected (a WordPress network's mappings and hosts) stay protected when it is applied.
                var names = new HashSet<string>(p.Protected.Select(n => n.Trim().TrimEnd('.').ToLowerInvariant()), StringComparer.Ordinal);
                guards.SourceProtects = n => names.Contains(n.Trim().TrimEnd('.').ToLowerInvariant());
                guards.SourceProtectsReason = $"The plan's source ({p.Source}) serves it: never removed.";
            }

            return guards;
        }

        private static SyncOptions Guards(bool prune, int maxRemove, bool allowEmptySource, bool allowInvalidEntries, string[] exclude, string[] protectedName) => new SyncOptions
        {
            Prune = prune,
            MaxRemove = maxRemove,
            AllowEmptySource = allowEmptySource,
            AllowInvalidEntries = allowInvalidEntries,
            Exclude = NamePattern.ParseAll(exclude, "exclude"),
            ProtectedName = NamePattern.ParseAll(protectedName, "protectedName"),
        };

        /// <summary>A manifest target's request: its desired names (and what its source could not read) under its rules.</summary>
        public static AppRequest Request(TargetInput input, AppRunOptions options)
        {
            FleetTarget t = input.Target;
            options.Www = t.Www;
            options.Redirection = t.Redirection;
            options.NoSslReset = t.NoSslReset;
            if (input.SourceOf != null) return AppRequest.ForSource(input.SourceOf, Guards(t), options);
            IEnumerable<DesiredEntry> entries = input.Names.Select(r => new DesiredEntry(r))
                .Concat(input.Problems.Select(p => new DesiredEntry(p.Name, p.Reason)));
            return AppRequest.ForDesired(entries, Guards(t), options);
        }

        /// <summary>What the engine prepared, as a reviewable plan.</summary>
        public static RunCloudSyncPlan ToPlan(TargetInput input, PreparedApply p)
        {
            FleetTarget t = input.Target;
            SyncPlan sync = p.Plan;
            var guards = new List<RunCloudSyncGuard>();
            AppRefusal? refusal = p.Refusal;
            if (refusal != null && refusal.Kind == AppRefusal.GuardKind)
            {
                guards.Add(new RunCloudSyncGuard(refusal.Guard, "Block", (sync.VerdictMessage ?? refusal.Message) + (refusal.Guard == "LiveState" ? string.Empty : ManifestHint)));
            }
            else
            {
                guards.Add(new RunCloudSyncGuard("MaxRemove", "Pass", $"{sync.ToRemove.Count} removal(s), at most {t.MaxRemove} allowed."));
            }

            if (sync.PruneStoppedMessage != null)
            {
                guards.Add(new RunCloudSyncGuard("InvalidEntries", "Warn", sync.PruneStoppedMessage + ManifestHint));
            }
            else if (sync.InvalidEntries.Count > 0)
            {
                guards.Add(new RunCloudSyncGuard("InvalidEntries", "Warn", $"{sync.InvalidEntries.Count} desired entr{(sync.InvalidEntries.Count == 1 ? "y is" : "ies are")} not a valid domain name and will not be sent (see Skipped)."));
            }

            if (refusal != null && refusal.Kind == AppRefusal.SslKind)
            {
                guards.Add(new RunCloudSyncGuard("Ssl", "Block", refusal.Message + (refusal.Hint == null ? string.Empty : " " + refusal.Hint)));
            }
            else if (p.Notes.Count > 0)
            {
                guards.Add(new RunCloudSyncGuard("Ssl", "Warn", string.Join(" ", p.Notes)));
            }
            else if (p.Preflight != null && p.Preflight.HasSsl)
            {
                guards.Add(new RunCloudSyncGuard("Ssl", "Pass", p.Preflight.ToString() + "."));
            }

            if (sync.Source != null && sync.Source.Warnings.Count > 0)
            {
                guards.Add(new RunCloudSyncGuard("Source", "Warn", string.Join(" ", sync.Source.Warnings)));
            }

            bool blocked = refusal != null;
            RunCloudPlannedDomain[] live = (p.Live ?? new List<RunCloudDomain>()).Select(d => new RunCloudPlannedDomain(d.Id, d.Name, d.IsPrimary)).ToArray();
            var plan = new RunCloudSyncPlan
            {
                Index = t.Index,
                Connection = t.Connection,
                BaseUri = input.BaseUri,
                KeyId = input.KeyId,
                ServerId = t.ServerId,
                WebAppId = t.WebAppId,
                CreatedAt = DateTime.UtcNow,
                Verdict = blocked ? "Blocked" : "Proceed",
                Guards = guards.ToArray(),
                Add = blocked ? Array.Empty<string>() : p.Adds.Select(s => s.Add!.Name).ToArray(),
                Remove = blocked ? Array.Empty<RunCloudPlannedDomain>() : p.Removals.Select(s => new RunCloudPlannedDomain(s.Domain!.Id, SyncPlanner.Normalized(s.Domain))).ToArray(),
                RemoveCertificates = blocked ? 0 : p.Removals.Count(s => s.DomainSsl != null && s.DomainSsl.Installed && s.DomainSsl.Id.HasValue),
                Unchanged = sync.Unchanged.ToArray(),
                Kept = sync.Kept.ToArray(),
                Skipped = sync.Skipped.ToArray(),
                Www = t.Www,
                Redirection = t.Redirection,
                NoSslReset = t.NoSslReset,
                Desired = sync.Desired.ToArray(),
                Source = DesiredNameReport.SourceOf(sync, input.ListDescription),
                DesiredNames = DesiredNameReport.Desired(sync, input.ListDescription, t.Www, t.Redirection),
                NotServed = DesiredNameReport.NotServed(sync),
                ExtraTables = sync.Source?.ExtraTables.ToArray() ?? Array.Empty<string>(),
                Protected = sync.Source?.ProtectedNames.ToArray() ?? Array.Empty<string>(),
                Prune = t.Prune,
                MaxRemove = t.MaxRemove,
                Exclude = t.Exclude,
                ProtectedName = t.ProtectedName,
                AllowEmptySource = t.AllowEmptySource,
                AllowInvalidEntries = t.AllowInvalidEntries,
                AllowTld = t.AllowTld,
                Owed = p.Owed,
                Live = live,
                Fingerprint = LiveFingerprint.Compute(live),
                VerifyCalls = RunCloudSyncPlan.ListingPages(live.Length),
                PlanningCalls = p.PreparingCalls,
                Way = p.Decision?.Way.ToString() ?? ReadWay.Full.ToString(),
                WayReason = p.Decision?.Reason,
            };
            SetSsl(plan, p, blocked);
            return plan;
        }

        /// <summary>The SSL step of the plan and what it will send, from the engine's read of the app's SSL state.</summary>
        private static void SetSsl(RunCloudSyncPlan plan, PreparedApply p, bool blocked)
        {
            if (p.AppSsl != null)
            {
                plan.SslState = p.AppSsl.Installed ? "Certificate" : p.Advanced ? "Advanced" : "NoCertificate";
                plan.SslId = p.AppSsl.Installed ? p.AppSsl.Id : null;
            }

            plan.SslChecksDns = p.ChecksDns;
            if (blocked || !p.SslDue || p.AppSsl == null)
            {
                plan.SslAction = "None";
                return;
            }

            plan.SslAction = p.AppSsl.Installed ? "Redeploy" : p.Advanced ? "PerDomain" : "NoCertificate";
            SslPlan? preflight = p.Preflight;
            plan.SslOrders = plan.SslAction switch
            {
                "Redeploy" => preflight == null ? 1 : preflight.Actions.Count,
                "PerDomain" => preflight == null ? p.Journal?.SslDomains.Count ?? 0 : preflight.Actions.Count,
                _ => 0,
            };
        }

        /// <summary>The plan of a target whose live state could not be read: Failed, the others are still planned.</summary>
        public static RunCloudSyncPlan Failed(TargetInput input, string message) => new RunCloudSyncPlan
        {
            Source = input.SourceOf != null || input.SourceFailure != null ? "WordPress network" : input.ListDescription,
            Index = input.Target.Index,
            Connection = input.Target.Connection,
            BaseUri = input.BaseUri,
            KeyId = input.KeyId,
            ServerId = input.Target.ServerId,
            WebAppId = input.Target.WebAppId,
            CreatedAt = DateTime.UtcNow,
            Verdict = "Failed",
            Error = message,
            Guards = new[] { new RunCloudSyncGuard("LiveState", "Block", message) },
        };
    }
}
