using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Makes a web application's certificate cover every current domain: redeploys it (PUT .../ssl/{id}), installs
    /// one when there is none, or with -Reinstall uninstalls and installs afresh. In advanced SSL mode it works per domain.
    /// </summary>
    [Cmdlet(VerbsCommon.Reset, "RunCloudSsl", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpUris.Base + "Reset-RunCloudSsl.md")]
    [OutputType(typeof(RunCloudSsl))]
    public sealed class ResetRunCloudSslCommand : RunCloudWebAppCmdlet
    {

        /// <summary>Advanced SSL mode: only these domains (wildcards allowed); default all. -Domain is an alias: the domain is -Name everywhere.</summary>
        [Parameter]
        [Alias("Domain", "DomainName", "HostName")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DomainNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        [Parameter]
        [ValidateSet("letsencrypt", "custom", IgnoreCase = true)]
        public string Provider { get; set; } = "letsencrypt";

        [Parameter]
        [ValidateSet("live", "staging", IgnoreCase = true)]
        public string Environment { get; set; } = "live";

        [Parameter]
        [ValidateSet("http-01", "dns-01", IgnoreCase = true)]
        public string AuthorizationMethod { get; set; } = "http-01";

        /// <summary>
        /// The DNS integration for dns-01 validation (one of the account's 3rd-party API keys, Get-RunCloudDnsIntegration):
        /// its id, its label, or the object. Resolved against the account (and checked to exist) before any change; sent
        /// as the integer id RunCloud's API takes.
        /// </summary>
        [Parameter]
        [DnsIntegrationTransformation]
        [ArgumentCompleter(typeof(DnsIntegrationCompleter))]
        [ValidateNotNullOrEmpty]
        public string? ExternalApi { get; set; }

        /// <summary>-ExternalApi resolved to the integration's id (per connection: labels belong to an account).</summary>
        private readonly Dictionary<RunCloudConnection, long> _externalApiIds = new Dictionary<RunCloudConnection, long>();
        private long? _externalApiId;

        [Parameter]
        public SwitchParameter EnableHsts { get; set; }

        [Parameter]
        public SwitchParameter EnableHttp { get; set; }

        /// <summary>
        /// For -Provider custom: the PEM certificate chain, the server's certificate first and then its intermediates
        /// (RunCloud takes the chain in this one field; its API shows no separate chain field). The order is checked before
        /// anything is sent.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Certificate { get; set; }

        /// <summary>For -Provider custom: the PEM private key.</summary>
        [Parameter]
        [ValidateNotNull]
        public SecureString? PrivateKey { get; set; }

        /// <summary>Uninstall the current certificate and install a new one instead of redeploying.</summary>
        [Parameter]
        public SwitchParameter Reinstall { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Request certificates without checking that the names point at the server. Also RUNCLOUD_SKIP_DNS_CHECK=1.</summary>
        [Parameter]
        public SwitchParameter SkipDnsCheck { get; set; }

        /// <summary>DNS servers (address or address:port) to ask whether the names point at the server.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DnsServer { get; set; }

        /// <summary>Order a certificate even past Let's Encrypt's 5 duplicates (same names) in 7 days.</summary>
        [Parameter]
        public SwitchParameter AllowDuplicateCertificate { get; set; }

        /// <summary>Error id: a reinstall uninstalled the certificate and could not install a new one; the app has none now.</summary>
        public const string ReinstallFailedErrorId = SslResetRunner.ReinstallFailedErrorId;

        private const string Command = "Reset-RunCloudSsl";

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            // Every input is checked here, before the first (possibly destructive) call.
            if (string.Equals(Provider, "custom", StringComparison.OrdinalIgnoreCase))
            {
                if (Certificate == null || PrivateKey == null)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-Provider custom needs -Certificate (PEM text) and -PrivateKey (a SecureString of the PEM key). Nothing was changed.", Provider));
                }

                if (Certificate!.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal) < 0 || Certificate.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) < 0)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-Certificate is not PEM text: it needs a -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- block (Get-Content -Raw the .crt/.pem file). Nothing was changed.", "Certificate"));
                }

                string? key = SecureText.ToPlain(PrivateKey!);
                bool keyOk = key != null && key.IndexOf("-----BEGIN", StringComparison.Ordinal) >= 0 && key.IndexOf("PRIVATE KEY-----", StringComparison.Ordinal) >= 0;
                key = null;
                if (!keyOk)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-PrivateKey is not a PEM private key (-----BEGIN ... PRIVATE KEY-----). Nothing was changed.", "PrivateKey"));
                }
            }
            else if (Certificate != null || PrivateKey != null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-Certificate and -PrivateKey are only for -Provider custom. Nothing was changed.", Provider));
            }

            if (string.Equals(AuthorizationMethod, "dns-01", StringComparison.OrdinalIgnoreCase) && ExternalApi == null)
            {
                // RunCloud refuses a DNS-01 order without its integration (422 on externalApi); with -Reinstall it would do
                // so AFTER the uninstall: refused here, before any request.
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, "-AuthorizationMethod dns-01 needs -ExternalApi: the DNS integration (its id or label; Get-RunCloudDnsIntegration lists them) "
                    + "through which RunCloud writes the _acme-challenge TXT records. Nothing was changed.", ExternalApi));
            }

            if (ExternalApi != null && !string.Equals(AuthorizationMethod, "dns-01", StringComparison.OrdinalIgnoreCase))
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, $"-ExternalApi '{ExternalApi}' is used only by a DNS-01 order: add -AuthorizationMethod dns-01, or leave -ExternalApi out. Nothing was changed.", ExternalApi));
            }

            if (Certificate != null && CertificateChain.Check(Certificate) is string problem)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, problem + " Nothing was changed.", "Certificate"));
            }

            if (Certificate != null && CertificateChain.LacksIntermediates(Certificate))
            {
                WriteWarning("-Certificate holds only the server's certificate, issued by a CA whose certificate is not in it. RunCloud takes the chain in this same field "
                    + "(its API shows no separate chain field): append the intermediate certificate(s) after the server's, or clients that do not have them cached fail to connect.");
            }
        }

        /// <summary>
        /// -ExternalApi as the integration id of this connection's account (looked up by id or label once per account).
        /// An unknown or ambiguous one stops the command before any change.
        /// </summary>
        private void ResolveExternalApi(RunCloudConnection connection, RunCloudService service)
        {
            if (ExternalApi == null) return;
            if (!_externalApiIds.TryGetValue(connection, out long id))
            {
                try
                {
                    RunCloudDnsIntegration integration = Run(ct => service.ResolveDnsIntegrationAsync(ExternalApi, ct));
                    id = integration.Id;
                    WriteVerbose($"RunCloud: -ExternalApi '{ExternalApi}' is the DNS integration {integration} ({integration.Service}).");
                }
                catch (RunCloudApiException ex)
                {
                    ThrowApiError(ex, ExternalApi);
                }

                _externalApiIds[connection] = id;
            }

            _externalApiId = id;
        }

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            string label = $"web app {webAppId} on server {serverId}";
            SslOptions ssl = SslParameters.BuildOrStop(this, SkipDnsCheck, DnsServer, AllowDuplicateCertificate);

            bool whatIf = IsWhatIf();
            ResolveExternalApi(connection, service);
            var options = new AppRunOptions { Command = Command, Ssl = ssl, WhatIf = whatIf };
            var reset = new SslResetRequest(BuildRequest(), Reinstall, Name) { RetryPolicy = connection.RetryPolicy };
            var target = new AppTarget(service, StateKeys.For(connection, serverId, webAppId), connection.BaseUri.AbsoluteUri, serverId, webAppId, connection.Name);
            var host = new CmdletApplyHost(this, step => Ask(step.Target, step.Action));
            try
            {
                AppApply.Run(this, target, AppRequest.ForSslOnly(reset, options), host,
                    p => Review(p, label),
                    (p, outcome) =>
                    {
                        ChangeReport.Outcome(this, p, outcome);
                        if (PassThru && !whatIf) WritePassThru(service, p, outcome, serverId, webAppId);
                    });
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, label));
            }
            catch (StateException ex)
            {
                WriteError(ErrorRecords.FromState(ex, label));
            }
        }

        /// <summary>Before any change: problems (no domain matches -Domain) and the SSL strategy's refusal are this app's errors.</summary>
        private bool Review(PreparedApply p, string label)
        {
            foreach (AppFailure problem in p.Problems) WriteError(ErrorRecords.FromFailure(problem));
            if (p.Problems.Count > 0 && p.Steps.Count == 0) return false;
            if (p.Refusal == null) return true;
            WriteError(p.RefusalException is RunCloudApiException refused ? ErrorRecords.FromApi(refused, label) : ErrorRecords.FromRefusal(p.Refusal, label));
            return false;
        }

        /// <summary>-PassThru: the certificates this run installed or redeployed, read back.</summary>
        private void WritePassThru(RunCloudService service, PreparedApply p, AppOutcome outcome, long serverId, long webAppId)
        {
            if (outcome.Failures.Count > 0 && !p.Advanced) return;
            if (p.Advanced)
            {
                foreach (SslAction ok in outcome.SslOrders.Where(a => a.Domain != null))
                {
                    WriteObject(Run(ct => service.GetDomainSslAsync(ok.Domain!, ct)));
                }

                return;
            }

            if (outcome.SslRedeployed) WriteObject(Run(ct => service.GetSslAsync(serverId, webAppId, ct)));
        }

        private SslInstallRequest BuildRequest() => new SslInstallRequest
        {
            Provider = Provider.ToLowerInvariant(),
            Environment = Environment.ToLowerInvariant(),
            AuthorizationMethod = AuthorizationMethod.ToLowerInvariant(),
            ExternalApi = _externalApiId,
            EnableHsts = EnableHsts,
            EnableHttp = EnableHttp,
            Certificate = Certificate,
            PrivateKey = PrivateKey == null ? null : SecureText.ToPlain(PrivateKey),
        };
    }
}
