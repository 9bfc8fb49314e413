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
            if (Address != null && !IPAddress.TryParse(Address, out _))
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, $"-Address '{Address}' is not an IPv4 or IPv6 address. Give the server's IP address (Get-RunCloudServer shows it).", Address));
            }

            foreach (object item in TrustedRoot ?? Array.Empty<object>())
            {
                object value = item is PSObject ps ? ps.BaseObject : item;
                X509Certificate2? root = ReadTrustedRoot(value, SessionState.Path.GetUnresolvedProviderPathFromPSPath, out string? problem);
                if (root == null) ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, problem!, value));
                else _roots.Add(root);
            }
        }

        /// <summary>One -TrustedRoot value: a certificate object, or the path of a PEM or DER file; null with the problem when it is neither.</summary>
        internal static X509Certificate2? ReadTrustedRoot(object value, Func<string, string> resolvePath, out string? problem)
        {
            problem = null;
            try
            {
                switch (value)
                {
                    case X509Certificate2 certificate: return certificate;
                    case X509Certificate certificate: return new X509Certificate2(certificate);
                    case FileInfo file: return Load(file.FullName);
                    case string path: return Load(resolvePath(path));
                    default: throw new ArgumentException($"a {value.GetType().Name} is not a certificate");
                }
            }
            catch (Exception ex) when (ex is CryptographicException || ex is IOException || ex is ArgumentException || ex is UnauthorizedAccessException)
            {
                problem = $"-TrustedRoot '{value}' cannot be read as a certificate ({ex.Message}). Pass an X509Certificate2 or the path of a PEM or DER certificate file.";
                return null;
            }
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

        /// <summary>A PEM (-----BEGIN CERTIFICATE-----) or DER file.</summary>
        private static X509Certificate2 Load(string path)
        {
            string text = File.ReadAllText(path);
            const string begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
            int b = text.IndexOf(begin, StringComparison.Ordinal);
            if (b < 0) return new X509Certificate2(File.ReadAllBytes(path));
            int e = text.IndexOf(end, b, StringComparison.Ordinal);
            if (e < 0) throw new ArgumentException("the PEM block has no END line");
            string base64 = text.Substring(b + begin.Length, e - b - begin.Length);
            return new X509Certificate2(Convert.FromBase64String(string.Concat(base64.Where(c => !char.IsWhiteSpace(c)))));
        }
    }
}
