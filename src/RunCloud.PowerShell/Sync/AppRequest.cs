using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// One request to <see cref="AppSyncEngine"/> for one web app (see <see cref="AppRequestKind"/>): a desired list with
    /// its guards, an explicit change set (names to ensure, domains to remove), "SSL only", or a saved plan. Every path
    /// that changes an app builds one of these and hands it to the engine.
    /// </summary>
    internal sealed class AppRequest
    {
        private AppRequest(AppRequestKind kind, AppRunOptions options)
        {
            Kind = kind;
            Options = options;
        }

        public AppRequestKind Kind { get; }

        public AppRunOptions Options { get; }

        /// <summary>Desired: the entries as given (invalid ones carry their problem).</summary>
        public IReadOnlyList<DesiredEntry> Desired { get; private set; } = Array.Empty<DesiredEntry>();

        /// <summary>
        /// Desired, from a source that needs the app's names (an Ultimate Multisite network: a wildcard on the app covers site
        /// hosts): called once, read-only, right after the engine's listing; its entries replace <see cref="Desired"/>. The
        /// source itself was read before the request was made (before any request to RunCloud); this only computes.
        /// </summary>
        public Func<IReadOnlyList<RunCloudDomain>, DesiredSource>? SourceOf { get; private set; }

        /// <summary>Desired and SavedPlan: the sync's rules (-Prune, -MaxRemove, -Exclude, ...).</summary>
        public SyncOptions Guards { get; private set; } = new SyncOptions();

        /// <summary>Ensure: the names with their own settings (www, redirection, type), normalised.</summary>
        public IReadOnlyList<DomainRequest> Ensure { get; private set; } = Array.Empty<DomainRequest>();

        /// <summary>Remove: which domains.</summary>
        public IReadOnlyList<DomainSelector> Remove { get; private set; } = Array.Empty<DomainSelector>();

        /// <summary>SslOnly: what Reset-RunCloudSsl asks for.</summary>
        public SslResetRequest? SslReset { get; private set; }

        /// <summary>SslRemoval: which certificates Remove-RunCloudSsl removes.</summary>
        public SslRemovalRequest? SslRemoval { get; private set; }

        /// <summary>SavedPlan: the reviewed plan.</summary>
        public RunCloudSyncPlan? SavedPlan { get; private set; }

        public static AppRequest ForDesired(IEnumerable<DesiredEntry> desired, SyncOptions guards, AppRunOptions options) =>
            new AppRequest(AppRequestKind.Desired, options) { Desired = desired.ToList(), Guards = guards };

        /// <summary>A desired source planned after the listing (see <see cref="SourceOf"/>), under the sync's guards.</summary>
        public static AppRequest ForSource(Func<IReadOnlyList<RunCloudDomain>, DesiredSource> source, SyncOptions guards, AppRunOptions options) =>
            new AppRequest(AppRequestKind.Desired, options) { SourceOf = source, Guards = guards };

        public static AppRequest ForEnsure(IEnumerable<DomainRequest> names, AppRunOptions options) =>
            new AppRequest(AppRequestKind.Ensure, options) { Ensure = names.ToList() };

        public static AppRequest ForRemoval(IEnumerable<DomainSelector> domains, AppRunOptions options) =>
            new AppRequest(AppRequestKind.Remove, options) { Remove = domains.ToList() };

        public static AppRequest ForSslOnly(SslResetRequest reset, AppRunOptions options) =>
            new AppRequest(AppRequestKind.SslOnly, options) { SslReset = reset };

        public static AppRequest ForSslRemoval(SslRemovalRequest removal, AppRunOptions options) =>
            new AppRequest(AppRequestKind.SslRemoval, options) { SslRemoval = removal };

        /// <summary>A reviewed plan: its desired list and rules come from the plan itself, so applying re-checks them.</summary>
        public static AppRequest ForSavedPlan(RunCloudSyncPlan plan, SyncOptions guards, AppRunOptions options) =>
            new AppRequest(AppRequestKind.SavedPlan, options) { SavedPlan = plan, Guards = guards, Desired = PlanEntries(plan) };

        /// <summary>
        /// The desired entries a plan was made from: its valid names, and its invalid entries with their problems. The
        /// top-level-domain rule of desired names is applied again, with the top-level domains the plan was made with
        /// (its allowTld): a name an edit slipped into the file is an invalid entry, so applying refuses to add it.
        /// </summary>
        private static List<DesiredEntry> PlanEntries(RunCloudSyncPlan plan)
        {
            var allowTld = new HashSet<string>(plan.AllowTld, StringComparer.Ordinal);
            var own = new Dictionary<string, RunCloudDesiredName>(StringComparer.OrdinalIgnoreCase);
            foreach (RunCloudDesiredName d in plan.DesiredNames) if (!own.ContainsKey(d.Name)) own.Add(d.Name, d);
            return plan.Desired.Select(n => DomainName.TryNormalize(n, out string name, out _) && DomainName.TopLevelDomainProblem(name, allowTld) is string problem
                    ? new DesiredEntry(n, problem)
                    : own.TryGetValue(n, out RunCloudDesiredName? d) ? new DesiredEntry(n) { Www = d.Www, Redirection = d.Redirection } : new DesiredEntry(n))
                .Concat(plan.Skipped.Where(s => s.Kind == RunCloudSyncSkip.Invalid).Select(s => new DesiredEntry(s.Name, s.Reason)))
                .ToList();
        }
    }
}
