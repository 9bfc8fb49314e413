using System.Collections.Generic;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Gets a web application's SSL state: its certificate in basic mode (one object, Installed = $false when there
    /// is none), or, in advanced mode, one object per domain. Each object names its server and web app and carries
    /// DaysRemaining; -ExpiringWithin keeps only the certificates that need attention, so
    /// Get-RunCloudServer | Get-RunCloudWebApp | Get-RunCloudSsl -ExpiringWithin 14 is a fleet-wide expiry report.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudSsl", HelpUri = HelpUris.Base + "Get-RunCloudSsl.md")]
    [OutputType(typeof(RunCloudSsl))]
    public sealed class GetRunCloudSslCommand : RunCloudWebAppCmdlet
    {
        private readonly Dictionary<long, string?> _serverNames = new Dictionary<long, string?>();
        private readonly Dictionary<(long, long), string?> _appNames = new Dictionary<(long, long), string?>();

        /// <summary>In advanced SSL mode, only these domains (wildcards allowed). -Domain is an alias: the domain is -Name everywhere.</summary>
        [Parameter]
        [Alias("Domain", "DomainName", "HostName")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DomainNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>
        /// Only installed certificates that expire within this many days (or have expired). Apps and domains with no
        /// certificate are left out: they do not expire.
        /// </summary>
        [Parameter]
        [ValidateRange(0, 3650)]
        public int? ExpiringWithin { get; set; }

        /// <summary>Bound from a piped web app (or server) object, so the report names them without extra calls.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public string? ServerName { get; set; }

        /// <summary>Bound from a piped web app object.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public string? WebAppName { get; set; }

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            try
            {
                RunCloudSsl ssl = Run(ct => service.GetSslAsync(serverId, webAppId, ct));
                if (ssl.Installed)
                {
                    Emit(service, ssl);
                    return;
                }

                var (advanced, auto) = Run(ct => service.GetSslModeAsync(serverId, webAppId, ct));
                ssl.AutoSsl = auto;
                if (!advanced)
                {
                    Emit(service, ssl);
                    return;
                }

                var byName = NameMatcher.Filter(Name);
                List<RunCloudDomain> domains = Run(ct => service.ListDomainsAsync(serverId, webAppId, ct));
                foreach (RunCloudDomain domain in domains)
                {
                    if (byName != null && !byName(domain.Name)) continue;
                    RunCloudSsl perDomain = Run(ct => service.GetDomainSslAsync(domain, ct));
                    perDomain.AutoSsl = auto;
                    Emit(service, perDomain);
                }
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, webAppId));
            }
        }

        private void Emit(RunCloudService service, RunCloudSsl ssl)
        {
            if (ExpiringWithin.HasValue && !(ssl.Installed && ssl.DaysRemaining.HasValue && ssl.DaysRemaining.Value <= ExpiringWithin.Value)) return;
            ssl.ServerName = NameOfServer(service, ssl.ServerId);
            ssl.WebAppName = NameOfWebApp(service, ssl.ServerId, ssl.WebAppId);
            WriteObject(ssl);
        }

        /// <summary>The piped name, else one GET per server for the whole pipeline.</summary>
        private string? NameOfServer(RunCloudService service, long serverId)
        {
            if (!string.IsNullOrEmpty(ServerName) && MyInvocation.BoundParameters.ContainsKey(nameof(ServerName))) return ServerName;
            if (_serverNames.TryGetValue(serverId, out string? known)) return known;
            string? name = Run(ct => service.GetServerAsync(serverId, ct)).Name;
            _serverNames[serverId] = name;
            return name;
        }

        private string? NameOfWebApp(RunCloudService service, long serverId, long webAppId)
        {
            if (!string.IsNullOrEmpty(WebAppName) && MyInvocation.BoundParameters.ContainsKey(nameof(WebAppName))) return WebAppName;
            if (_appNames.TryGetValue((serverId, webAppId), out string? known)) return known;
            string? name = Run(ct => service.GetWebAppAsync(serverId, webAppId, ct)).Name;
            _appNames[(serverId, webAppId)] = name;
            return name;
        }
    }
}
