using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// One step an apply will take, as the operator confirms it: <see cref="Target"/> and <see cref="Action"/> are the two
    /// texts of ShouldProcess. A step not <see cref="Approved"/> is not sent.
    /// </summary>
    internal sealed class ApplyStep
    {
        public ApplyStep(ApplyStepKind kind, string target, string action)
        {
            Kind = kind;
            Target = target;
            Action = action;
        }

        public ApplyStepKind Kind { get; }

        public string Target { get; }

        public string Action { get; }

        /// <summary>For <see cref="ApplyStepKind.Add"/>: the body of the POST.</summary>
        public DomainRequest? Add { get; set; }

        /// <summary>For <see cref="ApplyStepKind.Remove"/> and <see cref="ApplyStepKind.SslDomainReinstall"/>: the domain, as listed.</summary>
        public RunCloudDomain? Domain { get; set; }

        /// <summary>For a removal in advanced mode, and a per-domain reinstall: the domain's certificate as read while preparing.</summary>
        public RunCloudSsl? DomainSsl { get; set; }

        /// <summary>For <see cref="ApplyStepKind.SslOrder"/>: the order.</summary>
        public SslAction? Order { get; set; }

        /// <summary>
        /// Shown under -WhatIf instead of an ordinary what-if line (a refusal that is part of the plan, e.g. the primary
        /// domain kept): the step is never sent.
        /// </summary>
        public string? RefusedBecause { get; set; }

        public bool Approved { get; set; }

        public override string ToString() => $"{Action}: {Target}";
    }
}
