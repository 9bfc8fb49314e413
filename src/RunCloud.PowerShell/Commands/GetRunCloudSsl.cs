using System.Collections.Generic;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Gets a web application's SSL state: its certificate in basic mode (one object, Installed = $false when there
    /// is none), or, in advanced mode, one object per domain.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudSsl", HelpUri = HelpUris.Base + "Get-RunCloudSsl.md")]
    [OutputType(typeof(RunCloudSsl))]
    public sealed class GetRunCloudSslCommand : RunCloudWebAppCmdlet
    {

        /// <summary>In advanced SSL mode, only these domains (wildcards allowed). -Domain is an alias: the domain is -Name everywhere.</summary>
        [Parameter]
        [Alias("Domain")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DomainNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            try
            {
                RunCloudSsl ssl = Run(ct => service.GetSslAsync(serverId, webAppId, ct));
                if (ssl.Installed)
                {
                    WriteObject(ssl);
                    return;
                }

                var (advanced, auto) = Run(ct => service.GetSslModeAsync(serverId, webAppId, ct));
                ssl.AutoSsl = auto;
                if (!advanced)
                {
                    WriteObject(ssl);
                    return;
                }

                var byName = NameFilter(Name);
                List<RunCloudDomain> domains = Run(ct => service.ListDomainsAsync(serverId, webAppId, ct));
                foreach (RunCloudDomain domain in domains)
                {
                    if (byName != null && !byName(domain.Name)) continue;
                    RunCloudSsl perDomain = Run(ct => service.GetDomainSslAsync(domain, ct));
                    perDomain.AutoSsl = auto;
                    WriteObject(perDomain);
                }
            }
            catch (RunCloudApiException ex)
            {
                WriteApiError(ex, webAppId);
            }
        }
    }
}
