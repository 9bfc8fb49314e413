using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Api.Ssl;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Api
{
    /// <summary>What one SSL step did: the outcome, the strategy's plan (not-ready and deferred names), and per-name failures.</summary>
    internal sealed class SslRunResult
    {
        public SslRunResult(RedeployOutcome outcome, SslPlan plan, List<(SslAction Action, RunCloudApiException Error)> failures)
        {
            Outcome = outcome;
            Plan = plan;
            Failures = failures;
        }

        public RedeployOutcome Outcome { get; }
        public SslPlan Plan { get; }
        public List<(SslAction Action, RunCloudApiException Error)> Failures { get; }
    }

    /// <summary>
    /// "Make the certificate follow the domains" after domains changed, through the <see cref="SslStrategy"/>: in basic
    /// mode one documented PUT .../ssl/{id} (never the Ultimate Multisite v3 integration's undocumented PATCH
    /// .../ssl/advanced/{id}/redeploy) once the name count, DNS readiness and Let's Encrypt budget allow it; in advanced
    /// mode one order per changed domain. A refusal is thrown as <see cref="SslRefusedException"/>.
    /// </summary>
    internal static class SslRedeployer
    {
        public static async Task<SslRunResult> RedeployAsync(RunCloudService service, RunCloudConnection? connection, long s, long w,
            IReadOnlyCollection<RunCloudDomain> changedDomains, SslOptions? options, CancellationToken ct,
            IReadOnlyList<RunCloudDomain>? allDomains = null)
        {
            var strategy = new SslStrategy(service, connection, s, w, options);
            SslPlan plan = await strategy.PlanAsync(changedDomains, allDomains, installIfMissing: false, everyUncovered: false, ct).ConfigureAwait(false);
            if (!plan.HasSsl)
            {
                strategy.SaveJournal();
                return new SslRunResult(RedeployOutcome.NoSsl, plan, new List<(SslAction, RunCloudApiException)>());
            }

            if (plan.Refused)
            {
                strategy.SaveJournal();
                throw SslStrategy.Refusal(plan);
            }

            var failures = await strategy.ExecuteAsync(plan, null, ct).ConfigureAwait(false);
            return new SslRunResult(plan.Advanced ? RedeployOutcome.PerDomain : RedeployOutcome.Redeployed, plan, failures);
        }
    }
}
