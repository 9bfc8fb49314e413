using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Dns;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The one apply engine: every path that changes a web app's domains or certificates (Sync-RunCloudDomain by ids,
    /// by pipeline and by manifest, New-/Invoke-RunCloudSyncPlan, Add-/Remove-RunCloudDomain -ResetSsl,
    /// Reset-RunCloudSsl) goes through these three steps, in this order:
    /// <list type="number">
    /// <item><see cref="PrepareAsync"/> (read-only, any thread): the app's lock; the journal a previous run left, its owed
    /// work reported BEFORE anything is decided; one complete live listing (a saved plan's, re-read and compared); the
    /// pure plan (<see cref="SyncPlanner"/>'s rules); the SSL strategy's own checks as a read-only preflight. A change
    /// whose SSL step would certainly be refused (too many names for one certificate, Let's Encrypt's budget) is
    /// refused here, before any add; names not DNS-ready are not a refusal (they are added and remembered).</item>
    /// <item><see cref="Confirm"/> (the pipeline thread): each step through <see cref="IApplyHost.Confirm"/>.</item>
    /// <item><see cref="ApplyAsync"/> (any thread): the journal first, then the adds and removals, then the SSL strategy
    /// with all its checks; the journal is cleared only once the SSL step succeeded. It reports only what it observed.</item>
    /// </list>
    /// A crash anywhere leaves a journal that the next run of ANY path finishes. Throws only typed exceptions
    /// (<see cref="RunCloudApiException"/> when the live state cannot be read, <see cref="StateException"/> for the lock or
    /// the journal); a failed step is kept in the outcome.
    /// </summary>
    internal static class AppSyncEngine
    {
        /// <summary>
        /// Called at every step boundary with the step that just finished ("locked", "listed", "journal written",
        /// "added x", "removed x", "ssl redeployed", ...). Null in production; the crash tests set it to kill the
        /// process at a chosen boundary. Called from the thread the step ran on.
        /// </summary>
        internal static Action<string>? StepObserver { get; set; }

        private static void Reached(string step) => StepObserver?.Invoke(step);

        // ---------------------------------------------------------------- prepare

        /// <summary>Everything up to the steps to confirm; nothing is changed. Dispose the result to release the lock.</summary>
        /// <param name="heldLock">The app's lock when the caller took it already (a fleet takes every target's before any
        /// request); the result owns it from now on, and releases it on a failure here too.</param>
        public static async Task<PreparedApply> PrepareAsync(AppTarget target, AppRequest request, IApplyHost host, CancellationToken ct, AppLock? heldLock = null)
        {
            AppRunOptions o = request.Options;
            JournalStore store = o.Store ?? JournalStore.Default();
            var p = new PreparedApply(target, request, store) { Ssl = o.Ssl.Clone(), Lock = heldLock };
            CallCounter counter = CallCounter.Begin();
            try
            {
                // 1. One run per app at a time, across processes (a dry run changes nothing and takes no lock).
                if (!o.ReadOnly)
                {
                    p.Lock ??= store.Lock(target.Key, o.LockTimeout, ct, o.Command);
                    Reached("locked");
                }

                // 2. What a previous run left owed, read before anything is decided.
                p.Journal = store.Load(target.Key);
                if (p.Journal != null && p.Journal.HasOwedWork)
                {
                    p.Owed = Describe(p.Journal);
                    host.Warning($"A previous run ({p.Journal.WrittenBy ?? "unknown command"}, {p.Journal.UpdatedAt.ToString("u", CultureInfo.InvariantCulture)}) left work unfinished on {target.Label}: "
                        + p.Owed + (request.Kind == AppRequestKind.SslRemoval ? ". Remove-RunCloudSsl does not finish it; what is owed for the certificates it removes is forgotten."
                            : o.PlanOnly ? ". Applying the plan finishes it." : o.WhatIf ? ". The real run finishes it." : ". This run finishes it."));
                }

                if (request.Kind == AppRequestKind.SslOnly)
                {
                    await SslResetRunner.PrepareAsync(p, host, ct).ConfigureAwait(false);
                    return p;
                }

                if (request.Kind == AppRequestKind.SslRemoval)
                {
                    await SslRemovalRunner.PrepareAsync(p, host, ct).ConfigureAwait(false);
                    return p;
                }

                // 3. One complete listing; a desired-list sync reads only what changed, or nothing at all (TargetedRead).
                if (request.Kind == AppRequestKind.Desired && o.ChangeDetection)
                {
                    await TargetedRead.ReadAsync(p, host, ct).ConfigureAwait(false);
                    if (p.Decision!.Way == ReadWay.Unchanged) return p;
                }
                else
                {
                    RunCloudSyncPlan? saved = request.SavedPlan;
                    bool readSsl = SslReadLikely(p, adds: saved?.Add.Length > 0, removals: saved?.Remove.Length > 0);
                    if (request.Kind == AppRequestKind.Desired || request.Kind == AppRequestKind.SavedPlan) QuotaGuard.BeforeReading(p, host, 1 + (readSsl ? 1 : 0));
                    if (readSsl) ReadSslAhead(p, ct);
                    Task<List<RunCloudDomain>> listing = target.Service.ListDomainsAsync(target.ServerId, target.WebAppId, ct);
                    if (!o.ReadOnly && readSsl) JournalStore.PrepareFirstWrite(); // a change is likely: its journal write follows
                    p.Live = await listing.ConfigureAwait(false);
                }

                Reached("listed");

                // 4. The pure plan, before any change.
                switch (request.Kind)
                {
                    case AppRequestKind.Desired:
                        // A source that needs the app's names (a UM network: wildcards cover site hosts) is computed now.
                        p.Plan = TargetedRead.PlanOver(request, p.Live!);
                        p.Refusal = GuardRefusal(p.Plan, target);
                        break;
                    case AppRequestKind.SavedPlan:
                        PlanSaved(p);
                        break;
                    case AppRequestKind.Ensure:
                        PlanEnsure(p, host);
                        break;
                    case AppRequestKind.Remove:
                        PlanRemoval(p);
                        break;
                }

                // A refused plan changes nothing: only a dry run goes on, to show what the real run would have done.
                if (p.Refusal != null && !(o.WhatIf && p.Refusal.Kind == AppRefusal.GuardKind && p.Plan.Verdict != SyncVerdict.InvalidResponse))
                {
                    await SettleReadAheadAsync(p).ConfigureAwait(false);
                    return p;
                }

                Reconcile(p);
                AddChangeSteps(p);

                // 5. The SSL step's own checks, read-only, before the first change.
                await PreflightAsync(p, host, ct).ConfigureAwait(false);
                if (p.SslDue) p.Steps.Add(new ApplyStep(ApplyStepKind.FollowSsl, target.Label, FollowSslAction(p)));

                // 6. The monthly quota with what applying will send; a clean sync with nothing to send is recorded now.
                if (request.Kind == AppRequestKind.Desired || request.Kind == AppRequestKind.SavedPlan) QuotaGuard.BeforeApplying(p, host);
                SyncRecorder.AfterPrepare(p);
                return p;
            }
            catch
            {
                await SettleReadAheadAsync(p).ConfigureAwait(false);
                p.Dispose();
                throw;
            }
            finally
            {
                p.PreparingCalls = counter.Calls;
            }
        }

        /// <summary>
        /// Whether the SSL preflight will most likely read the app's certificate, decided before the listing so that both
        /// reads go out side by side (they are reads of the same app; no write starts before the plan that needs both):
        /// certainly when -ResetSsl is asked or the journal owes SSL work or names wait for DNS; most likely when the change
        /// is expected to remove domains (the removal's SSL is checked) or to add some (the certificate follows). A wrong
        /// guess costs one GET that the plan did not need, never a wrong decision: the preflight still decides from the plan.
        /// </summary>
        internal static bool SslReadLikely(PreparedApply p, bool adds, bool removals)
        {
            AppRunOptions o = p.Request.Options;
            if (removals) return true;
            return !o.NoSslReset && (adds || o.ResetSsl || OwesSsl(p.Journal) || WaitsForDns(p.Journal));
        }

        /// <summary>Starts reading the app's certificate (and, with none installed, its SSL mode) beside the listing; the preflight awaits it.</summary>
        internal static void ReadSslAhead(PreparedApply p, CancellationToken ct)
        {
            // Started here, not queued to the thread pool: it runs until its request is on its way, then the listing starts.
            // (In a fresh process every pool thread is busy compiling the first requests; a queued read waited for one.)
            p.SslReadAhead = ReadSslAsync(p.Target, ct);
        }

        private static async Task<SslState> ReadSslAsync(AppTarget t, CancellationToken ct)
        {
            RunCloudSsl ssl = await t.Service.GetSslAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false);
            bool? advanced = ssl.Installed ? (bool?)null : (await t.Service.GetSslModeAsync(t.ServerId, t.WebAppId, ct).ConfigureAwait(false)).Advanced;
            return new SslState(ssl, advanced);
        }

        /// <summary>
        /// Waits for a read-ahead nobody awaited (the listing failed, or the plan turned out to need no SSL read), so that
        /// preparing never returns with a request of its own still in flight; its failure is not the run's.
        /// </summary>
        private static async Task SettleReadAheadAsync(PreparedApply p)
        {
            Task<SslState>? ahead = p.SslReadAhead;
            if (ahead == null) return;
            try
            {
                await ahead.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // not needed by what preparing decided; a needed read rethrows where the preflight awaits it
            }
        }

        private static bool OwesSsl(AppJournal? journal) => journal != null
            && (journal.SslRedeployPending || journal.SslDomains.Count > 0 || journal.SslReinstall != null || journal.PendingAdds.Count > 0 || journal.PendingRemovals.Count > 0);

        private static bool WaitsForDns(AppJournal? journal) => journal?.GetExtension(SslJournalData.Owner, SslJournalData.FromJson)?.NotReady.Count > 0;

        /// <summary>The refusal a guard verdict of the planner means, or null when the plan may proceed.</summary>
        internal static AppRefusal? GuardRefusal(SyncPlan plan, AppTarget target) => plan.Verdict switch
        {
            SyncVerdict.InvalidResponse => new AppRefusal(AppRefusal.GuardKind, "LiveState", ErrorIds.InvalidResponse, $"{target.Label}: {plan.VerdictMessage}"),
            SyncVerdict.EmptySource => new AppRefusal(AppRefusal.GuardKind, "EmptySource", ErrorIds.SyncEmptySource, $"{target.Label}: {plan.VerdictMessage}",
                "Sync-RunCloudDomain ... -Prune -AllowEmptySource"),
            SyncVerdict.TooManyRemovals => new AppRefusal(AppRefusal.GuardKind, "MaxRemove", ErrorIds.TooManyRemovals, $"{target.Label}: {plan.VerdictMessage}",
                $"Sync-RunCloudDomain ... -MaxRemove {plan.ToRemove.Count}"),
            _ => null,
        };

        /// <summary>
        /// A reviewed plan: the live list must be the one it was made from (fingerprint), each removal a row of the plan's
        /// own live list, and every change one the planner's rules still allow with the plan's desired list and options.
        /// </summary>
        private static void PlanSaved(PreparedApply p)
        {
            RunCloudSyncPlan saved = p.Request.SavedPlan!;
            string app = saved.Target;
            RunCloudPlannedDomain[] now = p.Live!.Select(d => new RunCloudPlannedDomain(d.Id, d.Name, d.IsPrimary)).ToArray();
            if (!string.Equals(LiveFingerprint.Compute(now), saved.Fingerprint, StringComparison.OrdinalIgnoreCase))
            {
                string what = LiveFingerprint.Describe(saved.Live, now);
                p.Refusal = new AppRefusal(AppRefusal.PlanKind, "Drift", ErrorIds.FleetTargetRefused,
                    $"The live domains of {app} changed since the plan was made ({(what.Length > 0 ? what : "different ids")}). Nothing was changed on it; make a new plan with New-RunCloudSyncPlan and review it.");
                return;
            }

            foreach (RunCloudPlannedDomain r in saved.Remove)
            {
                if (!saved.Live.Any(l => l.Id == r.Id && SameName(l.Name, r.Name)))
                {
                    p.Refusal = new AppRefusal(AppRefusal.PlanKind, "Rules", ErrorIds.InvalidPlan,
                        $"The plan for {app} removes {r}, which is not a row of its own live list: the plan was edited there. Nothing was changed on it; make a new plan with New-RunCloudSyncPlan.");
                    return;
                }
            }

            SyncPlan again = SyncPlanner.Plan(p.Request.Desired, p.Live!, p.Request.Guards);
            AppRefusal? guard = GuardRefusal(again, p.Target);
            if (guard != null)
            {
                p.Plan = again;
                p.Refusal = guard;
                return;
            }

            foreach (RunCloudPlannedDomain r in saved.Remove)
            {
                if (again.ToRemove.Any(d => d.Id == r.Id)) continue;
                p.Refusal = new AppRefusal(AppRefusal.PlanKind, "Rules", ErrorIds.InvalidPlan,
                    $"The plan for {app} removes {r}, which its own desired list and rules do not allow: {WhyNotRemoved(again, r.Name)}. Nothing was changed on it; make a new plan with New-RunCloudSyncPlan.");
                return;
            }

            foreach (string a in saved.Add)
            {
                string name = DomainName.TryNormalize(a, out string n, out _) ? n : a;
                if (again.ToAdd.Contains(name)) continue;
                RunCloudSyncSkip? invalid = again.Skipped.FirstOrDefault(s => s.Kind == RunCloudSyncSkip.Invalid && (s.Name == a || s.Name == name));
                string why = again.Unchanged.Contains(name) ? "it is on the app already"
                    : invalid != null ? "it is an invalid entry: " + invalid.Reason.TrimEnd('.')
                    : again.Desired.Contains(name) ? "it is excluded" : "it is not in the desired list";
                p.Refusal = new AppRefusal(AppRefusal.PlanKind, "Rules", ErrorIds.InvalidPlan,
                    $"The plan for {app} adds {a}, which does not follow from its own desired list and rules ({why}). Nothing was changed on it; make a new plan with New-RunCloudSyncPlan.");
                return;
            }

            // A reviewer may have deleted adds or removals: only what the plan still lists is applied; the rest stays.
            var adds = new HashSet<string>(saved.Add.Select(a => DomainName.TryNormalize(a, out string n, out _) ? n : a), StringComparer.Ordinal);
            var removals = new HashSet<long>(saved.Remove.Select(r => r.Id));
            foreach (RunCloudDomain d in again.ToRemove.Where(d => !removals.Contains(d.Id))) again.Kept.Add(SyncPlanner.Normalized(d));
            again.ToAdd.RemoveAll(n => !adds.Contains(n));
            again.ToRemove.RemoveAll(d => !removals.Contains(d.Id));
            p.Plan = again;
        }

        private static string WhyNotRemoved(SyncPlan plan, string name)
        {
            string n = DomainName.TryNormalize(name, out string normalized, out _, allowSingleLabel: true) ? normalized : name;
            RunCloudSyncSkip? skip = plan.Skipped.FirstOrDefault(s => string.Equals(s.Name, n, StringComparison.OrdinalIgnoreCase));
            if (skip != null) return skip.Reason.TrimEnd('.');
            if (plan.Desired.Contains(n)) return "it is in the desired list";
            if (plan.PruneStoppedMessage != null) return "the prune is held back: " + plan.PruneStoppedMessage.TrimEnd('.');
            if (plan.Kept.Contains(n)) return "the plan does not prune ('prune' is false)";
            return "it is not on the app";
        }

        private static bool SameName(string a, string b) =>
            string.Equals(a.Trim().TrimEnd('.'), b.Trim().TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

        /// <summary>Add-RunCloudDomain: a name already on the app is unchanged (a warning), the others are added.</summary>
        private static void PlanEnsure(PreparedApply p, IApplyHost host)
        {
            Dictionary<string, RunCloudDomain> live = Current(p.Live!);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (DomainRequest r in p.Request.Ensure)
            {
                if (!seen.Add(r.Name)) continue;
                if (live.TryGetValue(r.Name, out RunCloudDomain? there))
                {
                    p.AlreadyThere.Add(there);
                    p.Plan.Unchanged.Add(r.Name);
                    host.Warning($"{r.Name} is already on {p.Target.Label}; nothing was added.");
                    continue;
                }

                p.Plan.ToAdd.Add(r.Name);
            }
        }

        /// <summary>Remove-RunCloudDomain: each selector resolved against the live list; the primary only with -IncludePrimary.</summary>
        private static void PlanRemoval(PreparedApply p)
        {
            string app = p.Target.Label;
            List<RunCloudDomain> valid = p.Live!.Where(d => d.Problem == null).ToList();
            var chosen = new List<RunCloudDomain>();
            foreach (DomainSelector s in p.Request.Remove)
            {
                var found = new List<RunCloudDomain>();
                if (s.Id.HasValue)
                {
                    RunCloudDomain? d = valid.FirstOrDefault(x => x.Id == s.Id.Value);
                    if (d == null && s.Piped != null)
                    {
                        p.AlreadyGone.Add(s.Piped.Name);
                        continue;
                    }

                    if (d == null)
                    {
                        p.Problems.Add(NotFound($"No domain with id {s.Id.Value.ToString(CultureInfo.InvariantCulture)} on {app}; nothing was removed.", s));
                        continue;
                    }

                    if (s.Piped != null && !SameName(SyncPlanner.Normalized(d), Normalize(s.Piped.Name)))
                    {
                        p.Problems.Add(new AppFailure(new RunCloudSyncFailure(s.Piped.Name, "Remove", ErrorIds.InvalidInput,
                            $"The domain id {d.Id} on {app} is now {d.Name}, not {s.Piped.Name}; nothing was removed. Read the domains again (Get-RunCloudDomain) and pipe those."), null, s.Target));
                        continue;
                    }

                    found.Add(d);
                }
                else if (s.Name != null)
                {
                    RunCloudDomain? d = valid.FirstOrDefault(x => string.Equals(SyncPlanner.Normalized(x), s.Name, StringComparison.Ordinal));
                    if (d == null)
                    {
                        p.Problems.Add(NotFound($"{s.Name} is not a domain of {app}; nothing was removed. Get-RunCloudDomain lists the app's domains.", s));
                        continue;
                    }

                    found.Add(d);
                }
                else
                {
                    string literal = s.Pattern!.Trim().TrimEnd('.');
                    List<RunCloudDomain> exact = valid.Where(d => string.Equals(d.Name, literal, StringComparison.OrdinalIgnoreCase)).ToList();
                    if (exact.Count > 0)
                    {
                        found.AddRange(exact); // a wildcard domain named like the pattern (*.example.com) is taken literally, alone
                    }
                    else
                    {
                        NamePattern pattern;
                        try
                        {
                            pattern = NamePattern.Parse(literal, "-Name");
                        }
                        catch (ArgumentException ex)
                        {
                            p.Problems.Add(new AppFailure(new RunCloudSyncFailure(literal, "Remove", ErrorIds.InvalidDomainName, ex.Message), ex, s.Target));
                            continue;
                        }

                        found.AddRange(valid.Where(d => pattern.IsMatch(SyncPlanner.Normalized(d))));
                    }
                }

                foreach (RunCloudDomain d in found)
                {
                    if (chosen.Any(c => c.Id == d.Id)) continue;
                    if (d.IsPrimary && !p.Request.Options.IncludePrimary)
                    {
                        string why = $"{d.Name} is the primary domain of {app}; it was not removed. Make another domain primary first, or pass -IncludePrimary (-Force only skips the prompt).";
                        if (p.Request.Options.WhatIf)
                        {
                            p.Steps.Add(new ApplyStep(ApplyStepKind.Remove, $"{d.Name} (id {d.Id}) on {app}", "Remove domain") { Domain = d, RefusedBecause =
                                $"Not removing {d.Name} (id {d.Id}) from {app}: it is the primary domain. Make another domain primary first, or pass -IncludePrimary." });
                        }
                        else
                        {
                            p.Problems.Add(new AppFailure(new RunCloudSyncFailure(d.Name, "Remove", ErrorIds.PrimaryDomainProtected, why), null, d));
                        }

                        continue;
                    }

                    chosen.Add(d);
                }
            }

            foreach (RunCloudDomain d in valid) p.Plan.Current[SyncPlanner.Normalized(d)] = d;
            p.Plan.ToRemove.AddRange(chosen);
        }

        private static AppFailure NotFound(string message, DomainSelector s) =>
            new AppFailure(new RunCloudSyncFailure(s.ToString(), "Remove", ErrorIds.DomainNotFound, message), null, s.Target);

        private static string Normalize(string name) => DomainName.TryNormalize(name, out string n, out _, allowSingleLabel: true) ? n : name;

        private static Dictionary<string, RunCloudDomain> Current(IEnumerable<RunCloudDomain> live)
        {
            var map = new Dictionary<string, RunCloudDomain>(StringComparer.Ordinal);
            foreach (RunCloudDomain d in live.Where(d => d.Problem == null))
            {
                string name = SyncPlanner.Normalized(d);
                if (!map.ContainsKey(name)) map[name] = d;
            }

            return map;
        }

        /// <summary>
        /// A crashed run's journal says which adds it had not confirmed: those now on the app were added, and their
        /// certificates are owed (advanced mode orders one per domain) even though this run did not add them.
        /// </summary>
        private static void Reconcile(PreparedApply p)
        {
            AppJournal? journal = p.Journal;
            if (journal == null || journal.PendingAdds.Count == 0) return;
            Dictionary<string, RunCloudDomain> live = Current(p.Live!);
            foreach (string name in journal.PendingAdds)
            {
                if (live.TryGetValue(name, out RunCloudDomain? d) && !journal.SslDomains.Any(j => j.Id == d.Id)) p.PreviouslyAdded.Add(d);
            }
        }

        private static void AddChangeSteps(PreparedApply p)
        {
            AppRunOptions o = p.Request.Options;
            string app = p.Target.Label;
            Dictionary<string, DomainRequest> asked = p.Request.Ensure.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            foreach (string name in p.Plan.ToAdd)
            {
                // Each name's own www and redirection when its source has a policy (a UM network); else the run's.
                p.Plan.Entries.TryGetValue(name, out DesiredEntry? entry);
                DomainRequest body = asked.TryGetValue(name, out DomainRequest? given) ? given
                    : new DomainRequest
                    {
                        Name = name,
                        Www = (entry?.Www ?? p.Request.SavedPlan?.Www ?? o.Www) && !name.StartsWith("www.", StringComparison.Ordinal),
                        Redirection = entry?.Redirection ?? p.Request.SavedPlan?.Redirection ?? o.Redirection,
                    };
                p.Steps.Add(new ApplyStep(ApplyStepKind.Add, $"{name} on {app}", AddAction(body, entry)) { Add = body });
            }

            foreach (RunCloudDomain d in p.Plan.ToRemove)
            {
                p.Steps.Add(new ApplyStep(ApplyStepKind.Remove, $"{SyncPlanner.Normalized(d)} (id {d.Id}) on {app}", "Remove domain") { Domain = d });
            }
        }

        /// <summary>
        /// The what-if and confirmation text of an add: "Add domain", and for a name whose source says more (a UM network)
        /// its www and where it comes from, e.g. "Add domain (www, redirect non-www; UM mapping 12, stage done, site 2 shop.network.com/)".
        /// </summary>
        internal static string AddAction(DomainRequest body, DesiredEntry? entry)
        {
            if (entry?.Origin == null && entry?.Www == null) return "Add domain";
            string www = body.Www ? "www" + (body.Redirection != "none" ? ", redirect " + body.Redirection : string.Empty) : "no www";
            return "Add domain (" + www + (entry.Origin != null ? "; " + entry.Origin.Short() : string.Empty) + ")";
        }

        /// <summary>
        /// Reads what the SSL step needs (the app's certificate and mode; in advanced mode each removal's own certificate)
        /// and asks the SSL strategy, read-only, what it would decide for the app's names after the change.
        /// </summary>
        private static async Task PreflightAsync(PreparedApply p, IApplyHost host, CancellationToken ct)
        {
            AppRunOptions o = p.Request.Options;
            AppTarget t = p.Target;
            bool changes = p.ChangesDomains;
            AppJournal? journal = p.Journal;
            p.SslDue = !o.NoSslReset && (changes || OwesSsl(journal) || o.ResetSsl || WaitsForDns(journal));
            bool removals = p.Removals.Any(s => s.RefusedBecause == null);
            if (!p.SslDue && !removals)
            {
                await SettleReadAheadAsync(p).ConfigureAwait(false);
                return;
            }

            if (!p.Ssl.SkipDnsCheck) p.Ssl.Resolver = new CachingDnsResolver(p.Ssl.Resolver ?? DnsReadiness.ResolverFor(p.Ssl.DnsServers, p.Ssl.DnsTimeout));
            SslState state = p.SslReadAhead != null ? await p.SslReadAhead.ConfigureAwait(false) : await ReadSslAsync(t, ct).ConfigureAwait(false);
            p.AppSsl = state.Ssl;
            p.Ssl.KnownAppSsl = p.AppSsl;
            if (!p.AppSsl.Installed)
            {
                p.Advanced = state.Advanced!.Value;
                p.Ssl.KnownAdvanced = p.Advanced;
            }

            if (p.Advanced)
            {
                foreach (ApplyStep step in p.Removals.Where(s => s.RefusedBecause == null))
                {
                    step.DomainSsl = await t.Service.GetDomainSslAsync(step.Domain!, ct).ConfigureAwait(false);
                }
            }

            // The preflight: in a real run when domains change (a refusal is then decided before the first change); in a
            // dry run always (it shows the verdict). A run that only finishes owed work lets the SSL step decide.
            if (!p.SslDue || !(changes || o.ReadOnly)) return;
            bool hadAddress = p.Ssl.ExpectedAddress != null;
            SslPlan plan = await SslStrategy.PreflightAsync(t.Service, t.ServerId, t.WebAppId, After(p), Changed(p, p.Adds.Select(Planned)), journal, p.Ssl, ct).ConfigureAwait(false);
            p.ChecksDns = !hadAddress && p.Ssl.ExpectedAddress != null;
            p.Preflight = plan;
            if (!plan.HasSsl) return;

            if (plan.Refused && plan.RefusalErrorId != SslRefusedException.NamesNotReady)
            {
                string message = "would be refused at SSL: " + plan.Message;
                if (changes && p.Refusal == null)
                {
                    // Certain: the same strategy with the same checks would refuse it after the changes. Refused before them.
                    p.RefusalException = SslStrategy.Refusal(plan);
                    p.Refusal = new AppRefusal(AppRefusal.SslKind, "Ssl", plan.RefusalErrorId!,
                        $"{t.Label}: the change {message.Replace("Nothing was requested. ", string.Empty)} Nothing was changed: the domains were not touched either. "
                        + "To change the domains anyway and leave the certificate owed, pass -NoSslReset (in a manifest: \"noSslReset\": true).",
                        plan.Hint);
                }
                else
                {
                    p.Notes.Add($"{t.Label}: the SSL step {message}");
                }
            }
            else if (plan.Refused)
            {
                p.Notes.Add($"{t.Label}: names not DNS-ready: the certificate would not be renewed in this run (the names are added and remembered; a later run renews it once they point at the server): {plan.Message}");
            }
            else
            {
                foreach (RunCloudDnsCheck check in plan.NotReady)
                {
                    p.Notes.Add($"{check.Name} is not DNS-ready ({check.Status}): {check.Message} It is added; its certificate is requested by a later run once it points at the server.");
                }
            }

            foreach (string deferred in plan.Deferred) p.Notes.Add("Certificate deferred by Let's Encrypt's limits: " + deferred);

            // A dry run says what it found; a real run's SSL step checks again when it orders and warns about what it finds then.
            foreach (string note in p.Notes)
            {
                if (o.ReadOnly) host.Warning(note);
                else host.Verbose("RunCloud: preflight: " + note);
            }
        }

        private static RunCloudDomain Planned(ApplyStep add) => new RunCloudDomain
        {
            Id = 0,
            Name = add.Add!.Name,
            Www = add.Add.Www,
            Type = add.Add.Type,
            Redirection = add.Add.Redirection,
        };

        /// <summary>The app's domains after the changes: the live list without the removals, with the adds.</summary>
        private static List<RunCloudDomain> After(PreparedApply p)
        {
            var removed = new HashSet<long>(p.Removals.Where(s => s.RefusedBecause == null).Select(s => s.Domain!.Id));
            return p.Live!.Where(d => d.Problem == null && !removed.Contains(d.Id))
                .Concat(p.Adds.Select(a =>
                {
                    RunCloudDomain d = Planned(a);
                    d.ServerId = p.Target.ServerId;
                    d.WebAppId = p.Target.WebAppId;
                    return d;
                })).ToList();
        }

        /// <summary>The domains whose certificates this run owes in advanced mode: its adds, and those the journal says earlier runs added.</summary>
        internal static List<RunCloudDomain> Changed(PreparedApply p, IEnumerable<RunCloudDomain> added)
        {
            var list = new List<RunCloudDomain>();
            foreach (RunCloudDomain d in added)
            {
                d.ServerId = p.Target.ServerId;
                d.WebAppId = p.Target.WebAppId;
                list.Add(d);
            }

            Dictionary<string, RunCloudDomain> live = p.Live == null ? new Dictionary<string, RunCloudDomain>() : Current(p.Live);
            foreach (JournalDomain j in p.Journal?.SslDomains ?? new List<JournalDomain>())
            {
                if (list.Any(d => d.Id == j.Id && j.Id != 0)) continue;
                list.Add(live.TryGetValue(j.Name, out RunCloudDomain? known) ? known
                    : new RunCloudDomain { Id = j.Id, Name = j.Name, ServerId = p.Target.ServerId, WebAppId = p.Target.WebAppId });
            }

            foreach (RunCloudDomain d in p.PreviouslyAdded)
            {
                if (!list.Any(x => x.Id == d.Id)) list.Add(d);
            }

            return list;
        }

        private static string FollowSslAction(PreparedApply p)
        {
            SslPlan? plan = p.Preflight;
            if (p.AppSsl != null && !p.AppSsl.Installed && !p.Advanced) return "Redeploy the SSL certificate (the web app has none: nothing to redeploy)";
            if (plan == null || !plan.HasSsl) return "Redeploy the SSL certificate once (if the web app has one)";
            if (plan.Refused) return $"Redeploy the SSL certificate (refused: {plan.RefusalErrorId})";
            if (plan.Advanced) return $"Redeploy the SSL certificate: {plan.Actions.Count} order(s), one per domain (advanced SSL)";
            return $"Redeploy the SSL certificate {p.AppSsl?.Id} once, for {plan.NameCount} name(s)";
        }

        // ---------------------------------------------------------------- confirm

        /// <summary>On the pipeline thread: each step through the host's ShouldProcess; a step not confirmed is not sent.</summary>
        public static void Confirm(PreparedApply p, IApplyHost host)
        {
            foreach (ApplyStep step in p.Steps)
            {
                bool answer = host.Confirm(step);
                step.Approved = answer && step.RefusedBecause == null;
            }
        }

        /// <summary>Takes the app's lock alone, before preparing (a fleet decides every target's lock before any request).</summary>
        public static AppLock Lock(AppTarget target, AppRunOptions o, CancellationToken ct) =>
            (o.Store ?? JournalStore.Default()).Lock(target.Key, o.LockTimeout, ct, o.Command);

        /// <summary>Every step approved at once: a fleet target confirmed as a whole on the pipeline thread.</summary>
        public static void ApproveAll(PreparedApply p)
        {
            foreach (ApplyStep step in p.Steps) step.Approved = step.RefusedBecause == null;
        }

        // ---------------------------------------------------------------- apply

        /// <summary>Applies the approved steps, journalling first; returns what was observed. Never throws for a failed step.</summary>
        public static async Task<AppOutcome> ApplyAsync(PreparedApply p, IApplyHost host, CancellationToken ct)
        {
            var outcome = new AppOutcome();
            CallCounter counter = CallCounter.Begin();
            try
            {
                if (p.Refusal != null && !(p.Request.Options.WhatIf)) return outcome;
                outcome.Declined = p.Steps.Count(s => !s.Approved && s.RefusedBecause == null);
                if (p.Request.Kind == AppRequestKind.SslOnly)
                {
                    await SslResetRunner.ApplyAsync(p, host, outcome, ct).ConfigureAwait(false);
                    return outcome;
                }

                if (p.Request.Kind == AppRequestKind.SslRemoval)
                {
                    await SslRemovalRunner.ApplyAsync(p, host, outcome, ct).ConfigureAwait(false);
                    return outcome;
                }

                List<ApplyStep> adds = p.Adds.Where(s => s.Approved).ToList();
                List<ApplyStep> removals = p.Removals.Where(s => s.Approved).ToList();
                if (p.Request.Options.WhatIf)
                {
                    outcome.Added.AddRange(adds.Select(s => s.Add!.Name));
                    outcome.Removed.AddRange(removals.Select(s => SyncPlanner.Normalized(s.Domain!)));
                    outcome.AlreadyGone.AddRange(p.AlreadyGone);
                    return outcome;
                }

                await ApplyChangesAsync(p, host, outcome, adds, removals, ct).ConfigureAwait(false);
                SyncRecorder.AfterApply(p, outcome);
                return outcome;
            }
            finally
            {
                outcome.ApplyingCalls = counter.Calls;
            }
        }

        private static async Task ApplyChangesAsync(PreparedApply p, IApplyHost host, AppOutcome outcome, List<ApplyStep> adds, List<ApplyStep> removals, CancellationToken ct)
        {
            AppTarget t = p.Target;
            AppRunOptions o = p.Request.Options;
            string app = t.Label;
            bool owedBefore = p.Journal != null && (p.Journal.SslRedeployPending || p.Journal.SslDomains.Count > 0 || p.PreviouslyAdded.Count > 0);
            string? reasonBefore = p.Journal?.SslReason;
            outcome.AlreadyGone.AddRange(p.AlreadyGone);
            outcome.AlsoUnchanged.AddRange(p.AlreadyThere.Select(SyncPlanner.Normalized));

            // 1. Before the first change: what is about to change, and that the certificate will be owed.
            int total = adds.Count + removals.Count;
            if (total > 0)
            {
                AppJournal journal = p.Journal ??= AppJournal.For(t.Key, t.BaseUri, o.Clock());
                journal.WrittenBy = o.Command;
                journal.PendingAdds = adds.Select(s => s.Add!.Name).ToList();
                journal.PendingRemovals = removals.Select(s => new JournalDomain { Id = s.Domain!.Id, Name = SyncPlanner.Normalized(s.Domain) }).ToList();
                journal.OweSslRedeploy($"{o.Command} changes domains ({adds.Count} to add, {removals.Count} to remove)");
                // The last clean sync's record no longer describes the app: dropped now, rewritten only if this run ends clean.
                journal.SetExtension(SyncRecord.Owner, null);
                Save(p);
                Reached("journal written");
            }

            // 2. Adds, then removals; each step recorded as done.
            int done = 0;
            bool changed = false;
            foreach (ApplyStep step in adds)
            {
                string name = step.Add!.Name;
                host.Progress($"Adding {name}", ++done, total);
                try
                {
                    var (observed, domain) = await DomainChanges.AddAsync(t.Service, t.ServerId, t.WebAppId, step.Add, lookUpExisting: true, ct).ConfigureAwait(false);
                    switch (observed)
                    {
                        case AddObserved.TakenElsewhere:
                            outcome.Failures.Add(new AppFailure(DomainChanges.TakenElsewhere(name, app), null, name));
                            break;
                        case AddObserved.AlreadyHere:
                            outcome.AlsoUnchanged.Add(name);
                            if (domain != null) p.AlreadyThere.Add(domain);
                            break;
                        default:
                            outcome.Added.Add(name);
                            changed = true;
                            if (domain != null)
                            {
                                outcome.AddedDomains.Add(domain);
                                p.Journal!.SslDomains.Add(new JournalDomain { Id = domain.Id, Name = name });
                            }

                            host.Verbose($"RunCloud: added {name} to {app}" + (observed == AddObserved.Recovered ? " (confirmed after an ambiguous failure)." : "."));
                            break;
                    }
                }
                catch (RunCloudApiException ex)
                {
                    outcome.Failures.Add(new AppFailure(new RunCloudSyncFailure(name, "Add", ex.ErrorId, ex.Message), ex, name));
                    host.Verbose($"RunCloud: adding {name} failed: {ex.Message}");
                }

                p.Journal!.PendingAdds.Remove(name);
                Save(p);
                Reached("added " + name);
            }

            foreach (ApplyStep step in removals)
            {
                RunCloudDomain d = step.Domain!;
                string name = SyncPlanner.Normalized(d);
                host.Progress($"Removing {name}", ++done, total);
                try
                {
                    bool gone = await DomainChanges.RemoveAsync(t.Service, d, p.Advanced, step.DomainSsl, t.Service.Log, ct).ConfigureAwait(false);
                    if (gone)
                    {
                        outcome.Removed.Add(name);
                        changed = true;
                        host.Verbose($"RunCloud: removed {name} from {app}.");
                    }
                    else
                    {
                        // RunCloud answered 404 for the domain: someone else removed it. Not reported as removed by this run.
                        outcome.AlreadyGone.Add(name);
                        host.Verbose($"RunCloud: {name} was already gone from {app} (removed by someone else).");
                    }
                }
                catch (RunCloudApiException ex)
                {
                    outcome.Failures.Add(new AppFailure(new RunCloudSyncFailure(name, "Remove", ex.ErrorId, ex.Message), ex, d));
                    host.Verbose($"RunCloud: removing {name} failed: {ex.Message}");
                }

                p.Journal!.PendingRemovals.RemoveAll(r => r.Id == d.Id);
                Save(p);
                Reached("removed " + name);
            }

            // 3. The SSL step.
            await SslStep.RunAsync(p, host, outcome, changed, owedBefore, reasonBefore, total, ct).ConfigureAwait(false);
        }

        internal static void Save(PreparedApply p)
        {
            if (p.Journal == null) return;
            p.Store.Save(p.Target.Key, p.Journal, p.Request.Options.Clock());
        }

        /// <summary>Marks a step boundary for the step observer (the SSL step and Reset-RunCloudSsl's forms use it too).</summary>
        internal static void Step(string step) => Reached(step);

        /// <summary>The journal's owed work in words, for the operator.</summary>
        internal static string Describe(AppJournal journal)
        {
            var parts = new List<string>();
            if (journal.PendingAdds.Count > 0) parts.Add("adds not confirmed: " + string.Join(", ", journal.PendingAdds));
            if (journal.PendingRemovals.Count > 0) parts.Add("removals not confirmed: " + string.Join(", ", journal.PendingRemovals.Select(r => r.Name)));
            if (journal.SslRedeployPending) parts.Add("SSL redeploy owed (" + journal.SslReason + ")");
            if (journal.SslDomains.Count > 0) parts.Add("added names the certificate must cover: " + string.Join(", ", journal.SslDomains.Select(r => r.Name)));
            if (journal.SslReinstall != null) parts.Add("a certificate reinstall owed (the app was left without one)");
            return parts.Count == 0 ? "nothing" : string.Join("; ", parts);
        }
    }
}
