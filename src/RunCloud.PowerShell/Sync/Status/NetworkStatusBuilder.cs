using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>
    /// The pure heart of Get-RunCloudNetworkStatus. <see cref="Join"/> puts the desired source and the app's listing
    /// side by side and asks the sync's own planner (<see cref="SyncPlanner"/>, with the same guards) what the next sync
    /// does with each name, so the status and the sync cannot disagree. <see cref="Complete"/> adds what the checks
    /// found (DNS, RunCloud's certificate state, the live probe), decides each name's state, worst first, and words its
    /// problem as one sentence with the fix.
    /// </summary>
    internal static class NetworkStatusBuilder
    {
        public static NetworkStatusDraft Join(DesiredSource source, IReadOnlyList<RunCloudDomain> current, SyncOptions options)
        {
            var draft = new NetworkStatusDraft();
            // The sync's own planning path for a source (its protection included): a status and a sync cannot disagree.
            SyncPlan plan = SyncPlanner.Plan(source, current, options);
            draft.Plan = plan;
            if (plan.Verdict == SyncVerdict.InvalidResponse)
            {
                draft.InvalidListing = plan.VerdictMessage;
                return draft;
            }

            draft.InvalidEntries.AddRange(plan.InvalidEntries.Select(s => $"{s.Name}: {s.Reason}"));
            if (plan.Verdict != SyncVerdict.Proceed) draft.Blocked = plan.VerdictMessage;

            // The listing by normalised name (SyncPlanner keeps the first of a name; a duplicate item shows once).
            var onApp = new Dictionary<string, RunCloudDomain>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (RunCloudDomain d in current)
            {
                string name = SyncPlanner.Normalized(d);
                if (onApp.ContainsKey(name)) continue;
                onApp.Add(name, d);
                order.Add(name);
            }

            var wildcards = onApp.Where(p => p.Key.StartsWith("*.", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            var skipped = new Dictionary<string, RunCloudSyncSkip>(StringComparer.Ordinal);
            foreach (RunCloudSyncSkip s in plan.Skipped) if (!skipped.ContainsKey(s.Name)) skipped.Add(s.Name, s);
            var toAdd = new HashSet<string>(plan.ToAdd, StringComparer.Ordinal);
            var toRemove = new HashSet<string>(plan.ToRemove.Select(SyncPlanner.Normalized), StringComparer.Ordinal);
            var unchanged = new HashSet<string>(plan.Unchanged, StringComparer.Ordinal);
            var kept = new HashSet<string>(plan.Kept, StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);

            JoinedName New(string name)
            {
                seen.Add(name);
                source.Origins.TryGetValue(name, out NameOrigin? origin);
                onApp.TryGetValue(name, out RunCloudDomain? domain);
                var joined = new JoinedName { Name = name, Origin = origin, Domain = domain };
                draft.Names.Add(joined);
                return joined;
            }

            // 1. The desired names, in the source's order.
            foreach (string name in plan.Desired)
            {
                if (seen.Contains(name)) continue;
                JoinedName j = New(name);
                j.Desired = true;
                if (toAdd.Contains(name)) Decide(j, NextSyncAction.Add, "Desired and not on the web app: the next sync adds it.", draft.Blocked);
                else if (unchanged.Contains(name)) Decide(j, NextSyncAction.Keep, "On the web app and desired: nothing to do.", null);
                else if (skipped.TryGetValue(name, out RunCloudSyncSkip? skip)) Decide(j, NextSyncAction.Skip, skip.Reason, null);
                else Decide(j, NextSyncAction.Skip, draft.Blocked != null ? Held(draft.Blocked) : "Not planned.", null, held: draft.Blocked != null);
            }

            // 2. Site hosts a wildcard on the app serves: desired, neither added nor removed.
            foreach (NameOrigin origin in source.Covered)
            {
                if (seen.Contains(origin.Name)) continue;
                JoinedName j = New(origin.Name);
                j.Desired = true;
                j.Wildcard = origin.CoveredBy != null && wildcards.TryGetValue(origin.CoveredBy, out RunCloudDomain? w) ? w : null;
                if (j.Domain == null)
                {
                    Decide(j, NextSyncAction.Keep, $"Served by the wildcard {origin.CoveredBy} on the web app: the sync neither adds nor removes it.", null);
                    continue;
                }

                PlanOnApp(j, draft, toRemove, kept, skipped, source, options);
            }

            // 3. Mapped names the source deliberately does not serve (inactive rows, deleted or spam sites ...).
            foreach (NameOrigin origin in source.NotServed)
            {
                if (seen.Contains(origin.Name)) continue;
                JoinedName j = New(origin.Name);
                if (j.Domain == null)
                {
                    Decide(j, NextSyncAction.Skip, $"Ultimate Multisite does not serve it: {origin.NotServed}.", null);
                    continue;
                }

                PlanOnApp(j, draft, toRemove, kept, skipped, source, options);
            }

            // 4. The rest of the app's names.
            foreach (string name in order)
            {
                if (seen.Contains(name)) continue;
                PlanOnApp(New(name), draft, toRemove, kept, skipped, source, options);
            }

            return draft;
        }

        /// <summary>A name on the app that the source does not ask for: removed, kept (no prune, prune held back) or skipped by rule.</summary>
        private static void PlanOnApp(JoinedName j, NetworkStatusDraft draft, HashSet<string> toRemove, HashSet<string> kept,
            Dictionary<string, RunCloudSyncSkip> skipped, DesiredSource source, SyncOptions options)
        {
            // Kept by rule whatever -Prune says: the sync would never remove it (without -Prune the planner only says "kept").
            j.KeptByRule = (j.Domain?.IsPrimary ?? false) || SyncPlanner.ProtectedBySource(source.IsProtected, j.Name)
                || options.ProtectedName.Any(p => p.IsMatch(j.Name)) || options.Exclude.Any(p => p.IsMatch(j.Name));
            SyncPlan plan = draft.Plan;
            if (toRemove.Contains(j.Name))
            {
                Decide(j, NextSyncAction.Remove, "In no source: the next sync (-Prune) removes it.", draft.Blocked);
            }
            else if (skipped.TryGetValue(j.Name, out RunCloudSyncSkip? skip))
            {
                j.KeptByRule |= skip.Kind != RunCloudSyncSkip.Invalid;
                Decide(j, NextSyncAction.Skip, skip.Reason, null);
            }
            else if (kept.Contains(j.Name))
            {
                Decide(j, NextSyncAction.Keep, plan.PruneStoppedMessage != null
                    ? "In no source, but the prune is held back: " + plan.PruneStoppedMessage
                    : "In no source; the sync removes nothing without -Prune.", null);
            }
            else if (draft.Blocked != null)
            {
                Decide(j, NextSyncAction.Skip, Held(draft.Blocked), null, held: true);
            }
            else
            {
                Decide(j, NextSyncAction.Keep, "Not planned.", null);
            }
        }

        private static void Decide(JoinedName j, string action, string reason, string? blocked, bool held = false)
        {
            if (blocked != null && (action == NextSyncAction.Add || action == NextSyncAction.Remove))
            {
                j.NextSync = NextSyncAction.Skip;
                j.NextSyncReason = $"Would be {(action == NextSyncAction.Add ? "added" : "removed")}, but {Held(blocked)}";
                j.HeldBack = true;
                return;
            }

            j.NextSync = action;
            j.NextSyncReason = reason;
            j.HeldBack = held;
        }

        private static string Held(string blocked) => "the next sync stops before any change: " + blocked;

        /// <summary>The statuses, from the joined names and what the checks found.</summary>
        public static List<RunCloudNetworkStatus> Complete(NetworkStatusDraft draft, StatusChecks checks, long serverId, long webAppId, int? target)
        {
            var coverage = new CertificateCoverage(checks.Ssl, checks.NowUtc);
            var result = new List<RunCloudNetworkStatus>(draft.Names.Count);
            foreach (JoinedName j in draft.Names)
            {
                var s = new RunCloudNetworkStatus
                {
                    Name = j.Name,
                    Site = j.Origin?.Site,
                    BlogId = j.Origin?.BlogId,
                    Stage = j.Origin?.Stage,
                    Active = j.Origin?.Active,
                    Source = j.Origin?.Source,
                    Desired = j.Desired,
                    OnRunCloud = j.ServedBy?.Id,
                    DomainType = j.Domain != null ? j.Domain.Type : j.Wildcard?.Name,
                    NextSync = j.NextSync,
                    NextSyncReason = j.NextSyncReason,
                    ServerId = serverId,
                    WebAppId = webAppId,
                    Target = target,
                    HeldBack = j.HeldBack,
                };

                bool checkedName = j.Desired || j.ServedBy != null;
                if (checkedName)
                {
                    if (checks.DnsNotCheckedReason != null)
                    {
                        s.Dns = HealthRule.DnsNotChecked;
                        s.DnsDetail = checks.DnsNotCheckedReason;
                    }
                    else if (checks.Dns.TryGetValue(j.Name, out RunCloudDnsCheck? dns))
                    {
                        s.Dns = dns.Status;
                        s.DnsDetail = dns.Message;
                    }
                }

                if (j.ServedBy != null)
                {
                    var (state, detail, cert) = coverage.Judge(j.ServedBy, j.Name);
                    s.Certificate = state;
                    s.CertificateDetail = detail;
                    s.CertificateId = cert?.Id;
                    s.ValidUntil = cert?.ValidUntil;
                    if (cert?.ValidUntil != null && (state == CertificateState.Covered || state == CertificateState.Expired))
                    {
                        s.DaysRemaining = RunCloudSsl.DaysUntil(cert.ValidUntil, checks.NowUtc);
                    }
                }

                if (checks.Live != null && checks.Live.TryGetValue(j.Name, out RunCloudCertificateCheck? live))
                {
                    s.Live = live.Status;
                    s.LiveDetail = live.Message;
                    if (live.DaysRemaining.HasValue && live.Status != "NameMismatch" && live.Status != "Unreachable") s.DaysRemaining = live.DaysRemaining;
                }

                s.State = StateOf(j, s, checks.ExpiringDays);
                s.Problem = ProblemOf(j, s, checks);
                result.Add(s);
            }

            return result;
        }

        private static string StateOf(JoinedName j, RunCloudNetworkStatus s, int expiringDays)
        {
            if (j.Desired && j.ServedBy == null) return NetworkState.NotOnRunCloud;
            if (!j.Desired)
            {
                if (j.ServedBy == null) return NetworkState.Disabled;
                return j.KeptByRule ? NetworkState.Protected : NetworkState.NotMapped;
            }

            if (HealthRule.IsDnsProblem(s.Dns)) return NetworkState.DnsNotReady;
            if (HealthRule.IsUncovered(s.Certificate)) return NetworkState.Uncovered;
            if (s.Live != null && s.Live != CertificateState.Covered && s.Live != CertificateState.Expired) return NetworkState.NotServed;
            if (s.DaysRemaining < 0 || s.Certificate == CertificateState.Expired || s.Live == CertificateState.Expired) return NetworkState.Expired;
            if (s.DaysRemaining.HasValue && s.DaysRemaining.Value <= expiringDays) return NetworkState.Expiring;
            return NetworkState.Healthy;
        }

        private static string ProblemOf(JoinedName j, RunCloudNetworkStatus s, StatusChecks checks)
        {
            string name = s.Name;
            switch (s.State)
            {
                case NetworkState.NotOnRunCloud:
                    if (s.NextSync == NextSyncAction.Add)
                    {
                        return $"{name} is {(j.Origin?.Stage != null ? "mapped" : "desired")} but not on the web app yet: the next sync adds it (or run Sync-RunCloudDomain now).";
                    }

                    return $"{name} is not on the web app, and the next sync will not add it ({Sentence(s.NextSyncReason)}): {(j.HeldBack ? "fix what stops the sync" : "remove it from -Exclude, or add it with Add-RunCloudDomain")}.";
                case NetworkState.DnsNotReady:
                    return $"{name} does not point at the server: {Sentence(s.DnsDetail ?? s.Dns ?? string.Empty)}; its certificate follows on the next sync once it does.";
                case NetworkState.Uncovered:
                    return UncoveredProblem(j, s);
                case NetworkState.NotServed:
                    return $"The server does not serve a valid certificate for {name} ({s.Live}: {Sentence(s.LiveDetail ?? string.Empty)}); redeploy it with Reset-RunCloudSsl.";
                case NetworkState.Expired:
                    return $"The certificate of {name} expired ({Day(s)}): redeploy it with Reset-RunCloudSsl and check RunCloud's auto-renewal.";
                case NetworkState.Expiring:
                    return $"The certificate of {name} ends in {s.DaysRemaining} day(s) ({Day(s)}) and has not been renewed: check RunCloud's auto-renewal, or redeploy it with Reset-RunCloudSsl.";
                case NetworkState.NotMapped:
                    string why = j.Origin?.NotServed != null ? $"Ultimate Multisite does not serve {name} ({j.Origin.NotServed})" : $"Nobody maps {name} any more";
                    if (s.NextSync == NextSyncAction.Remove) return $"{why}: the next sync removes it (map it again to keep it).";
                    return $"{why}, but it is still on the web app: remove it (Sync-RunCloudDomain -Prune, or Remove-RunCloudDomain), or map it again.";
                default:
                    return string.Empty;
            }
        }

        private static string UncoveredProblem(JoinedName j, RunCloudNetworkStatus s)
        {
            string name = s.Name;
            switch (s.Certificate)
            {
                case CertificateState.NoCertificate:
                    return j.ServedBy != null && s.CertificateDetail != null && s.CertificateDetail.IndexOf("advanced", StringComparison.Ordinal) >= 0
                        ? $"{name} has no certificate of its own (advanced SSL): order it with Reset-RunCloudSsl -Domain {j.ServedBy.Name}."
                        : $"The web app has no SSL certificate, so {name} is served without a valid one: install it with Reset-RunCloudSsl.";
                case CertificateState.NeedsDns01:
                    return $"{Sentence(s.CertificateDetail ?? string.Empty)}: reissue it over DNS-01 with a DNS integration (Reset-RunCloudSsl -AuthorizationMethod dns-01 -ExternalApi <integration>).";
                case CertificateState.Staging:
                    return $"{Sentence(s.CertificateDetail ?? string.Empty)}: reissue it for production with Reset-RunCloudSsl.";
                default:
                    return $"{Sentence(s.CertificateDetail ?? string.Empty)}: the next sync's redeploy covers it, or run Reset-RunCloudSsl now.";
            }
        }

        private static string Day(RunCloudNetworkStatus s) => CertificateCoverage.Day(s.ValidUntil);

        /// <summary>A message as the middle of a sentence: no final full stop.</summary>
        private static string Sentence(string text) => text.Trim().TrimEnd('.');

        /// <summary>The summary of every target's statuses, with the -FailOn rules checked.</summary>
        public static RunCloudNetworkStatusSummary Summarize(IReadOnlyList<RunCloudNetworkStatus> statuses, IReadOnlyList<HealthRule> rules,
            IReadOnlyList<string> blocked, IReadOnlyList<string> targets)
        {
            var ordered = statuses.OrderBy(s => NetworkState.Rank(s.State)).ThenBy(s => s.Target ?? 0).ThenBy(s => s.Name, StringComparer.Ordinal).ToArray();
            int total = statuses.Count;
            var summary = new RunCloudNetworkStatusSummary
            {
                Total = total,
                Targets = targets.ToArray(),
                SyncBlocked = blocked.ToArray(),
                Names = ordered,
                ToAdd = statuses.Count(s => s.NextSync == NextSyncAction.Add),
                ToRemove = statuses.Count(s => s.NextSync == NextSyncAction.Remove),
                ToKeep = statuses.Count(s => s.NextSync == NextSyncAction.Keep),
                ToSkip = statuses.Count(s => s.NextSync == NextSyncAction.Skip),
            };
            summary.States = NetworkState.All.Select(state =>
            {
                int count = statuses.Count(s => s.State == state);
                return new RunCloudNetworkStateCount { State = state, Count = count, Percent = total == 0 ? 0 : Math.Round(100.0 * count / total, 1) };
            }).ToArray();
            int Count(string state) => summary.States.First(c => c.State == state).Count;
            summary.Healthy = Count(NetworkState.Healthy);
            summary.NotOnRunCloud = Count(NetworkState.NotOnRunCloud);
            summary.DnsNotReady = Count(NetworkState.DnsNotReady);
            summary.Uncovered = Count(NetworkState.Uncovered);
            summary.NotServed = Count(NetworkState.NotServed);
            summary.Expired = Count(NetworkState.Expired);
            summary.Expiring = Count(NetworkState.Expiring);
            summary.NotMapped = Count(NetworkState.NotMapped);
            summary.Protected = Count(NetworkState.Protected);
            summary.Disabled = Count(NetworkState.Disabled);

            var results = new List<RunCloudHealthRuleResult>();
            foreach (HealthRule rule in rules)
            {
                string[] names;
                if (rule.Kind == HealthRule.SyncBlocked)
                {
                    names = ordered.Where(s => s.HeldBack).Select(s => s.Name).Distinct(StringComparer.Ordinal).ToArray();
                    if (names.Length == 0 && blocked.Count > 0) names = blocked.ToArray();
                }
                else
                {
                    names = ordered.Where(rule.IsBrokenBy).Select(s => s.Name).Distinct(StringComparer.Ordinal).ToArray();
                }

                bool failed = names.Length > 0;
                results.Add(new RunCloudHealthRuleResult
                {
                    Rule = rule.Text,
                    ErrorId = rule.ErrorId,
                    Failed = failed,
                    Count = names.Length,
                    Names = names,
                    Message = failed
                        ? $"-FailOn {rule.Text} failed: {rule.Describe()} for {names.Length} name(s): {string.Join(", ", names.Take(10))}{(names.Length > 10 ? $" (and {names.Length - 10} more; see the summary's Rules)" : string.Empty)}. {rule.Fix()}"
                        : $"-FailOn {rule.Text} passed: no name where {rule.Describe()}.",
                });
            }

            summary.Rules = results.ToArray();
            summary.FailedRules = results.Where(r => r.Failed).ToArray();
            summary.Success = summary.FailedRules.Length == 0;
            return summary;
        }
    }
}
