using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;

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

        protected override void ProcessRecord()
        {
            var (connection, serverId, webAppId) = ResolveWebApp();
            var service = new RunCloudService(connection);
            string target = $"web app {webAppId} on server {serverId}";
            try
            {
                RunCloudSsl ssl = Run(ct => service.GetSslAsync(serverId, webAppId, ct));
                if (ssl.Installed && ssl.Id.HasValue)
                {
                    if (Reinstall)
                    {
                        if (!ShouldProcess(target, $"Uninstall SSL certificate {ssl.Id} and install a new {Provider} certificate")) return;
                        Run(ct => service.UninstallSslAsync(serverId, webAppId, ssl.Id.Value, ct));
                        Install(service, serverId, webAppId);
                    }
                    else
                    {
                        if (!ShouldProcess(target, $"Redeploy SSL certificate {ssl.Id} for every current domain")) return;
                        Run(ct => service.RedeploySslAsync(serverId, webAppId, ssl.Id.Value, ct));
                        WriteVerbose($"RunCloud: SSL certificate {ssl.Id} of the {target} redeployed.");
                    }
                }
                else
                {
                    var (advanced, _) = Run(ct => service.GetSslModeAsync(serverId, webAppId, ct));
                    if (advanced)
                    {
                        ResetPerDomain(service, serverId, webAppId);
                        return;
                    }

                    if (!ShouldProcess(target, $"Install a {Provider} SSL certificate ({Environment})")) return;
                    Install(service, serverId, webAppId);
                }

                if (PassThru) WriteObject(Run(ct => service.GetSslAsync(serverId, webAppId, ct)));
            }
            catch (RunCloudApiException ex)
            {
                WriteApiError(ex, target);
            }
        }

        private void Install(RunCloudService service, long serverId, long webAppId)
        {
            SslInstallRequest request = BuildRequest();
            Run(ct => service.InstallSslAsync(serverId, webAppId, request, ct));
            WriteVerbose($"RunCloud: {Provider} certificate installed on web app {webAppId}.");
        }

        private void ResetPerDomain(RunCloudService service, long serverId, long webAppId)
        {
            Func<string, bool>? byName = NameFilter(Domain);
            List<RunCloudDomain> domains = Run(ct => service.ListDomainsAsync(serverId, webAppId, ct));
            List<RunCloudDomain> chosen = domains.Where(d => byName == null || byName(d.Name)).ToList();
            if (Domain != null && chosen.Count == 0)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"No domain of web app {webAppId} matches {string.Join(", ", Domain)}."),
                    ErrorIds.DomainNotFound, ErrorCategory.ObjectNotFound, Domain));
                return;
            }

            foreach (RunCloudDomain domain in chosen)
            {
                try
                {
                    RunCloudSsl current = Run(ct => service.GetDomainSslAsync(domain, ct));
                    if (current.Installed && current.Id.HasValue && !Reinstall)
                    {
                        if (!ShouldProcess(domain.Name, $"Redeploy the domain's SSL certificate {current.Id}")) continue;
                        Run(ct => service.RedeployDomainSslAsync(domain, current.Id.Value, ct));
                    }
                    else
                    {
                        if (!ShouldProcess(domain.Name, $"Install a {Provider} SSL certificate for the domain")) continue;
                        SslInstallRequest request = BuildRequest();
                        Run(ct => service.InstallDomainSslAsync(domain, request, ct));
                    }

                    if (PassThru) WriteObject(Run(ct => service.GetDomainSslAsync(domain, ct)));
                }
                catch (RunCloudApiException ex)
                {
                    WriteApiError(ex, domain);
                }
            }
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
