using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Ssl
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
}
