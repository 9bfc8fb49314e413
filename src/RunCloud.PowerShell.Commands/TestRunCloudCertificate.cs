using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// The live check: connects with TLS and SNI to each name (or to -Address/-Port) and reports whether the
    /// certificate really served covers it, with its names, issuer, NotAfter, DaysRemaining and chain validity.
    /// Sends nothing to RunCloud; takes domains piped from Get-RunCloudDomain.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "RunCloudCertificate", HelpUri = HelpUris.Base + "Test-RunCloudCertificate.md")]
    [OutputType(typeof(RunCloudCertificateCheck))]
    public sealed class TestRunCloudCertificateCommand : RunCloudCmdlet
    {
        private readonly List<X509Certificate2> _roots = new List<X509Certificate2>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Domain", "DomainName", "HostName")]
        [AllowEmptyString]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>A piped domain gives its name; a piped server, web app or certificate is refused without -Name (its own name is not a host name).</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public IRunCloudObject? PipelineObject { get; set; }

        /// <summary>A sync plan piped by mistake: refused.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public RunCloudSyncPlan? PipelinePlan { get; set; }

        /// <summary>Connect to this address instead of the name's own (the name is still sent as SNI): a server before DNS points at it, or a load balancer.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Address { get; set; }

        [Parameter]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = 443;

        [Parameter]
        [ValidateRange(1, 120)]
        public int TimeoutSec { get; set; } = 10;

        /// <summary>Trust only these roots (certificates, or paths of PEM/DER files) instead of the system's: a private or test CA.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public object[]? TrustedRoot { get; set; }

        /// <summary>Also write the names that are covered (by default every name is written; with -NotCoveredOnly only the problems).</summary>
        [Parameter]
        public SwitchParameter NotCoveredOnly { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            ProbeParameters.RequireIpAddressOrStop(this, "Address", Address, "Give the server's IP address (Get-RunCloudServer shows it).");
            _roots.AddRange(ProbeParameters.TrustedRootsOrStop(this, TrustedRoot));
        }

        protected override void ProcessRecord()
        {
            RefusePlan(PipelinePlan);
            if (PipelineObject != null && NeedsNames(PipelineObject) is string why) ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, why + " Nothing was sent.", PipelineObject));
            foreach (string raw in Name)
            {
                if (!DomainName.TryNormalize(raw, out string name, out string problem, allowSingleLabel: true))
                {
                    WriteError(ErrorRecords.Invalid(ErrorIds.InvalidDomainName, problem, raw));
                    continue;
                }

                if (name.StartsWith("*.", StringComparison.Ordinal))
                {
                    name = "runcloud-tls-probe" + name.Substring(1); // a wildcard is checked through a name under it
                }

                RunCloudCertificateCheck check = Run(ct => CertificateProbe.ProbeAsync(name, Address, Port, TimeSpan.FromSeconds(TimeoutSec), _roots, DateTime.UtcNow, ct));
                if (NotCoveredOnly && check.Covered) continue;
                WriteObject(check);
            }
        }
    }
}
