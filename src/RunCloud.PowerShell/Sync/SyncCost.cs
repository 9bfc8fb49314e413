using System.Linq;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The calls applying a prepared sync sends, from its steps and what preparing read: one per add and per removal, the
    /// DELETE of a removed domain's own certificate (advanced SSL), and the SSL step (the app's one redeploy, or in
    /// advanced mode a GET of each added domain's certificate and one order per domain). The same rule as a fleet plan's
    /// (RunCloudSyncPlan.CallsToApply without verification); a refused or empty run sends none.
    /// </summary>
    internal static class SyncCost
    {
        public static int ApplyCalls(PreparedApply p)
        {
            if (p.Refusal != null) return 0;
            int adds = p.Adds.Count(s => s.RefusedBecause == null);
            int removals = p.Removals.Count(s => s.RefusedBecause == null);
            int certificates = p.Removals.Count(s => s.RefusedBecause == null && s.DomainSsl != null && s.DomainSsl.Installed && s.DomainSsl.Id.HasValue);
            int ssl = 0;
            if (p.SslDue && p.AppSsl != null && p.Steps.Any(s => s.Kind == ApplyStepKind.FollowSsl))
            {
                if (p.AppSsl.Installed) ssl = p.Preflight == null ? 1 : p.Preflight.Actions.Count;
                else if (p.Advanced) ssl = adds + (p.Preflight == null ? p.Journal?.SslDomains.Count ?? 0 : p.Preflight.Actions.Count);
            }

            return adds + removals + certificates + ssl;
        }
    }
}
