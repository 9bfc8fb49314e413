using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Ssl;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// Plans and applies many targets at once. Up to ThrottleLimit targets run side by side; within one target every call
    /// is sequential (RunCloud rewrites the app's web server configuration on each change). Targets of one account share
    /// that account's connection, so its rate limiter and retry budget; other accounts proceed independently.
    /// Throws only typed exceptions; each target's API failure is kept in its plan or result.
    /// </summary>
    internal static class FleetEngine
    {
        public static Task<RunCloudSyncPlan[]> PlanAllAsync(IReadOnlyList<TargetInput> inputs, int throttleLimit, CancellationToken ct) =>
            ForEachAsync(inputs, throttleLimit, PlanAsync, ct, i => i.Target.Connection);

        public static async Task<RunCloudSyncPlan> PlanAsync(TargetInput input, CancellationToken ct)
        {
            CallCounter counter = CallCounter.Begin();
            FleetTarget t = input.Target;
            RunCloudService service = input.Service;
            RunCloudSyncPlan plan;
            try
            {
                List<RunCloudDomain> live = await service.ListDomainsAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false);
                plan = TargetPlanner.Plan(t, input.Names, input.Problems, live);
                if (TargetPlanner.NeedsSsl(plan))
                {
                    RunCloudSsl ssl = await service.GetSslAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false);
                    bool advanced = false;
                    if (!(ssl.Installed && ssl.Id.HasValue))
                    {
                        (advanced, _) = await service.GetSslModeAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false);
                    }

                    TargetPlanner.SetSsl(plan, ssl, advanced);
                }
            }
            catch (RunCloudApiException ex)
            {
                plan = new RunCloudSyncPlan
                {
                    Index = t.Index, Connection = t.Connection, ServerId = t.ServerId, WebAppId = t.WebAppId, CreatedAt = DateTime.UtcNow,
                    Verdict = "Failed", Error = $"Reading the live state failed: {ex.Message}",
                    Guards = new[] { new RunCloudSyncGuard("LiveState", "Block", ex.Message) },
                };
            }

            plan.BaseUri = input.BaseUri;
            plan.KeyId = input.KeyId;
            plan.PlanningCalls = counter.Calls;
            RunCloudLog.Current?.Verbose($"RunCloud: planned target {t.Index}: {plan}.");
            return plan;
        }

        public static Task<RunCloudFleetResult[]> ApplyAllAsync(IReadOnlyList<(RunCloudSyncPlan Plan, RunCloudService? Service, string? Refusal)> work,
            int throttleLimit, bool verify, CancellationToken ct) =>
            ForEachAsync(work, throttleLimit, (w, token) => ApplyAsync(w.Plan, w.Service, w.Refusal, verify, token), ct, w => w.Plan.Connection);

        /// <summary>
        /// Applies one plan: re-reads the live list and refuses when its fingerprint changed (unless <paramref name="verify"/>
        /// is false, when the plan was made a moment ago in the same run), then adds, removes, and redeploys SSL once.
        /// </summary>
        public static async Task<RunCloudFleetResult> ApplyAsync(RunCloudSyncPlan plan, RunCloudService? service, string? refusal, bool verify, CancellationToken ct)
        {
            CallCounter counter = CallCounter.Begin();
            var clock = Stopwatch.StartNew();
            var result = new RunCloudFleetResult
            {
                Index = plan.Index, Connection = plan.Connection, ServerId = plan.ServerId, WebAppId = plan.WebAppId,
                PlannedCalls = plan.CallsToApply(verify),
            };
            string app = plan.Target;
            try
            {
                if (refusal != null || service == null)
                {
                    result.Status = "Refused";
                    result.Message = refusal ?? $"No connection for {app}.";
                    return result;
                }

                if (plan.IsBlocked)
                {
                    result.Status = plan.Verdict == "Failed" ? "Failed" : "Blocked";
                    result.Message = plan.Error ?? string.Join(" ", plan.GuardMessages("Block")) + " Nothing was changed on it.";
                    return result;
                }

                if (!plan.HasWork)
                {
                    result.Status = "NoChange";
                    result.Message = $"{app} already has the desired domains.";
                    return result;
                }

                if (verify)
                {
                    List<RunCloudDomain> now = await service.ListDomainsAsync(plan.ServerId, plan.WebAppId, ct).ConfigureAwait(false);
                    var current = now.Select(d => new RunCloudPlannedDomain(d.Id, d.Name, d.IsPrimary)).ToArray();
                    if (!string.Equals(LiveFingerprint.Compute(current), plan.Fingerprint, StringComparison.OrdinalIgnoreCase))
                    {
                        string what = LiveFingerprint.Describe(plan.Live, current);
                        result.Status = "Refused";
                        result.Message = $"The live domains of {app} changed since the plan was made ({(what.Length > 0 ? what : "different ids")}). Nothing was changed on it; make a new plan with New-RunCloudSyncPlan and review it.";
                        return result;
                    }
                }

                var failed = new List<RunCloudSyncFailure>();
                var added = new List<string>();
                var addedDomains = new List<RunCloudDomain>();
                var removed = new List<string>();
                bool changed = false;
                foreach (string name in plan.Add)
                {
                    var request = new DomainRequest { Name = name, Www = plan.Www && !name.StartsWith("www.", StringComparison.Ordinal), Redirection = plan.Redirection };
                    try
                    {
                        AddResult r = await service.AddDomainAsync(plan.ServerId, plan.WebAppId, request, ct, lookUpExisting: true).ConfigureAwait(false);
                        if (r.Outcome == AddOutcome.AlreadyExists && r.Domain == null)
                        {
                            failed.Add(new RunCloudSyncFailure(name, "Add", ErrorIds.DomainAlreadyExists,
                                $"RunCloud says {name} is already taken, but it is not on {app}: another web app on the server probably serves it. Remove it there first."));
                            continue;
                        }

                        if (r.Outcome == AddOutcome.AlreadyExists) continue;
                        added.Add(name);
                        changed = true;
                        if (r.Domain != null) addedDomains.Add(r.Domain);
                    }
                    catch (RunCloudApiException ex)
                    {
                        failed.Add(new RunCloudSyncFailure(name, "Add", ex.ErrorId, ex.Message));
                    }
                }

                foreach (RunCloudPlannedDomain d in plan.Remove)
                {
                    try
                    {
                        bool gone = await service.RemoveDomainAsync(plan.ServerId, plan.WebAppId, d.Id, ct).ConfigureAwait(false);
                        removed.Add(d.Name);
                        changed |= gone;
                    }
                    catch (RunCloudApiException ex)
                    {
                        failed.Add(new RunCloudSyncFailure(d.Name, "Remove", ex.ErrorId, ex.Message));
                    }
                }

                if (!plan.NoSslReset && plan.SslAction != "None" && changed && (verify || plan.SslAction != "NoCertificate"))
                {
                    try
                    {
                        if (plan.SslAction == "Redeploy" && plan.SslId.HasValue)
                        {
                            try
                            {
                                await service.RedeploySslAsync(plan.ServerId, plan.WebAppId, plan.SslId.Value, ct).ConfigureAwait(false);
                                result.SslRedeployed = true;
                            }
                            catch (RunCloudApiException ex) when (ex.StatusCode == 404)
                            {
                                // The certificate was replaced since the plan: find the current one.
                                RunCloudLog.Current?.Verbose($"RunCloud: certificate {plan.SslId} of {app} is gone; looking up the current one.");
                                RedeployOutcome again = await SslRedeployer.RedeployAsync(service, plan.ServerId, plan.WebAppId, addedDomains, ct).ConfigureAwait(false);
                                result.SslRedeployed = again == RedeployOutcome.Redeployed || (again == RedeployOutcome.PerDomain && addedDomains.Count > 0);
                            }
                        }
                        else
                        {
                            RedeployOutcome outcome = await SslRedeployer.RedeployAsync(service, plan.ServerId, plan.WebAppId, addedDomains, ct).ConfigureAwait(false);
                            result.SslRedeployed = outcome == RedeployOutcome.Redeployed || (outcome == RedeployOutcome.PerDomain && addedDomains.Count > 0);
                        }
                    }
                    catch (RunCloudApiException ex)
                    {
                        failed.Add(new RunCloudSyncFailure(app, "RedeploySsl", ex.ErrorId,
                            ex.Message + " The certificate may not cover the names just added: run Reset-RunCloudSsl, or sync again with -ResetSsl."));
                    }
                }

                result.Added = added.ToArray();
                result.Removed = removed.ToArray();
                result.Failed = failed.ToArray();
                result.Status = failed.Count > 0 ? "Failed" : "Applied";
                result.Message = failed.Count > 0
                    ? $"{failed.Count} change(s) failed on {app}: " + string.Join("; ", failed.Take(3).Select(f => $"{f.Action} {f.Name}: {f.Message.TrimEnd('.')}")) + ". The other changes were made."
                    : $"{app}: {added.Count} added, {removed.Count} removed{(result.SslRedeployed ? ", SSL redeployed" : string.Empty)}.";
                return result;
            }
            catch (RunCloudApiException ex)
            {
                result.Status = "Failed";
                result.Message = $"{app}: {ex.Message}";
                return result;
            }
            finally
            {
                result.ApiCalls = counter.Calls;
                result.Duration = clock.Elapsed;
            }
        }

        /// <summary>
        /// The order targets start in: round-robin over accounts (first target of each account, then the second, ...), so a
        /// manifest listed account by account still keeps every account busy instead of queueing B behind A's rate limit.
        /// </summary>
        internal static int[] Interleave<T>(IReadOnlyList<T> items, Func<T, string?> account)
        {
            var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var firstSeen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var keyed = new List<(int Rank, int Account, int Index)>(items.Count);
            for (int i = 0; i < items.Count; i++)
            {
                string key = account(items[i]) ?? string.Empty;
                seen.TryGetValue(key, out int rank);
                seen[key] = rank + 1;
                if (!firstSeen.ContainsKey(key)) firstSeen[key] = firstSeen.Count;
                keyed.Add((rank, firstSeen[key], i));
            }

            return keyed.OrderBy(k => k.Rank).ThenBy(k => k.Account).Select(k => k.Index).ToArray();
        }

        /// <summary>
        /// Runs <paramref name="work"/> for every item, at most <paramref name="throttleLimit"/> at once, accounts taking turns
        /// (<see cref="Interleave{T}"/>); results keep the items' order.
        /// </summary>
        internal static async Task<TOut[]> ForEachAsync<TIn, TOut>(IReadOnlyList<TIn> items, int throttleLimit, Func<TIn, CancellationToken, Task<TOut>> work,
            CancellationToken ct, Func<TIn, string?>? account = null)
        {
            var results = new TOut[items.Count];
            using var gate = new SemaphoreSlim(Math.Max(1, throttleLimit));
            var tasks = new List<Task>(items.Count);
            int[] order = account == null ? Enumerable.Range(0, items.Count).ToArray() : Interleave(items, account);
            foreach (int i in order)
            {
                int index = i;
                await gate.WaitAsync(ct).ConfigureAwait(false);
                tasks.Add(Task.Run(async () =>
                {
                    try { results[index] = await work(items[index], ct).ConfigureAwait(false); }
                    finally { gate.Release(); }
                }, ct));
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
            return results;
        }
    }
}
