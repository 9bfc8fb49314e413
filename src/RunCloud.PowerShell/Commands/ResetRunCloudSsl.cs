using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using RunCloud.PowerShell.Api;
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
    [Cmdlet(VerbsCommon.Reset, "RunCloudSsl", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(RunCloudSsl))]
    public sealed class ResetRunCloudSslCommand : RunCloudWebAppCmdlet
    {

        /// <summary>Advanced SSL mode: only these domains (wildcards allowed); default all.</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Domain { get; set; }

        [Parameter]
        [ValidateSet("letsencrypt", "custom", IgnoreCase = true)]
        public string Provider { get; set; } = "letsencrypt";

        [Parameter]
        [ValidateSet("live", "staging", IgnoreCase = true)]
        public string Environment { get; set; } = "live";

        [Parameter]
        [ValidateSet("http-01", "dns-01", IgnoreCase = true)]
        public string AuthorizationMethod { get; set; } = "http-01";

        /// <summary>The DNS API integration id for dns-01 validation (an integer, as RunCloud's API takes it).</summary>
        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long? ExternalApi { get; set; }

        [Parameter]
        public SwitchParameter EnableHsts { get; set; }

        [Parameter]
        public SwitchParameter EnableHttp { get; set; }

        /// <summary>For -Provider custom: the PEM certificate (chain).</summary>
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

        protected override void BeginProcessing()
        {
            if (string.Equals(Provider, "custom", StringComparison.OrdinalIgnoreCase) && (Certificate == null || PrivateKey == null))
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, "-Provider custom needs -Certificate (PEM text) and -PrivateKey (a SecureString of the PEM key).", Provider));
            }

            if (string.Equals(AuthorizationMethod, "dns-01", StringComparison.OrdinalIgnoreCase) && ExternalApi == null)
            {
                WriteWarning("dns-01 validation usually needs -ExternalApi (the id of the DNS integration RunCloud uses to create the TXT records).");
            }
        }

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            string target = $"web app {webAppId} on server {serverId}";
            try
            {
                if (Reinstall || string.Equals(Provider, "custom", StringComparison.OrdinalIgnoreCase))
                {
                    RunCloudSsl ssl = Run(ct => service.GetSslAsync(serverId, webAppId, ct));
                    if (ssl.Installed && ssl.Id.HasValue && Reinstall)
                    {
                        if (!ShouldProcess(target, $"Uninstall SSL certificate {ssl.Id} and install a new {Provider} certificate")) return;
                        Run(ct => service.UninstallSslAsync(serverId, webAppId, ssl.Id.Value, ct));
                        Install(service, serverId, webAppId);
                        if (PassThru) WriteObject(Run(ct => service.GetSslAsync(serverId, webAppId, ct)));
                        return;
                    }

                    if (!ssl.Installed && !Run(ct => service.GetSslModeAsync(serverId, webAppId, ct)).Advanced)
                    {
                        if (!ShouldProcess(target, $"Install a {Provider} SSL certificate ({Environment})")) return;
                        Install(service, serverId, webAppId);
                        if (PassThru) WriteObject(Run(ct => service.GetSslAsync(serverId, webAppId, ct)));
                        return;
                    }
                }

                ResetWithStrategy(connection, service, serverId, webAppId, target);
            }
            catch (RunCloudApiException ex)
            {
                WriteApiError(ex, target);
            }
            catch (StateException ex)
            {
                WriteError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.WriteError, target));
            }
        }

        /// <summary>
        /// The SSL strategy decides: basic mode, one redeploy (or install) when the names fit in one certificate, are
        /// DNS-ready and within Let's Encrypt's budget; advanced mode, one order per domain that needs one (the -Domain
        /// names, else every domain without a certificate), never the whole app.
        /// </summary>
        private void ResetWithStrategy(RunCloud.PowerShell.Session.RunCloudConnection connection, RunCloudService service, long serverId, long webAppId, string target)
        {
            SslOptions options = BuildSslOptions(SkipDnsCheck, DnsServer, AllowDuplicateCertificate);
            var strategy = new SslStrategy(service, connection.StateKey(serverId, webAppId), connection.BaseUri.AbsoluteUri, serverId, webAppId, options);
            List<RunCloudDomain>? all = null;
            var chosen = new List<RunCloudDomain>();
            if (Domain != null)
            {
                Func<string, bool> byName = NameFilter(Domain)!;
                all = Run(ct => service.ListDomainsAsync(serverId, webAppId, ct));
                chosen = all.Where(d => byName(d.Name)).ToList();
                if (chosen.Count == 0)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException($"No domain of web app {webAppId} matches {string.Join(", ", Domain)}."),
                        ErrorIds.DomainNotFound, ErrorCategory.ObjectNotFound, Domain));
                    return;
                }
            }

            SslPlan plan = Run(ct => strategy.PlanAsync(chosen, all, installIfMissing: true, everyUncovered: Domain == null, ct));
            if (plan.Refused)
            {
                strategy.SaveJournal();
                WriteApiError(SslStrategy.Refusal(plan), target);
                return;
            }

            if (Domain != null && !plan.Advanced)
            {
                WriteVerbose("RunCloud: -Domain applies to advanced SSL mode only; the web app has one certificate for all its names.");
            }

            plan.Actions.RemoveAll(a => !ShouldProcess(a.Domain?.Name ?? target, a.ToString()));
            if (IsWhatIf())
            {
                ReportSslRun(new SslRunResult(RedeployOutcome.NoSsl, plan, new List<(SslAction, RunCloudApiException)>()), target);
                return;
            }

            var failures = Run(ct => strategy.ExecuteAsync(plan, BuildRequest(), ct));
            ReportSslRun(new SslRunResult(plan.Advanced ? RedeployOutcome.PerDomain : RedeployOutcome.Redeployed, plan, failures), target);
            foreach (SslAction done in plan.Actions.Where(a => !failures.Any(f => f.Action == a)))
            {
                WriteVerbose($"RunCloud: {done} on the {target}: done.");
            }

            if (!PassThru) return;
            if (!plan.Advanced)
            {
                WriteObject(Run(ct => service.GetSslAsync(serverId, webAppId, ct)));
                return;
            }

            foreach (SslAction done in plan.Actions.Where(a => a.Domain != null && !failures.Any(f => f.Action == a)))
            {
                WriteObject(Run(ct => service.GetDomainSslAsync(done.Domain!, ct)));
            }
        }

        private void Install(RunCloudService service, long serverId, long webAppId)
        {
            SslInstallRequest request = BuildRequest();
            Run(ct => service.InstallSslAsync(serverId, webAppId, request, ct));
            WriteVerbose($"RunCloud: {Provider} certificate installed on web app {webAppId}.");
        }

        private SslInstallRequest BuildRequest() => new SslInstallRequest
        {
            Provider = Provider.ToLowerInvariant(),
            Environment = Environment.ToLowerInvariant(),
            AuthorizationMethod = AuthorizationMethod.ToLowerInvariant(),
            ExternalApi = ExternalApi,
            EnableHsts = EnableHsts,
            EnableHttp = EnableHttp,
            Certificate = Certificate,
            PrivateKey = PrivateKey == null ? null : SecureText.ToPlain(PrivateKey),
        };
    }
}
