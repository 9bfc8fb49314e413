using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Dns;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Resolves each name's A/AAAA records and says whether it points at the RunCloud server's IP address: the seed's
    /// troubleshooting step "check that your domains point at your server's IP" before a certificate is issued.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "RunCloudDomainDns", HelpUri = HelpUris.Base + "Test-RunCloudDomainDns.md")]
    [OutputType(typeof(RunCloudDnsCheck))]
    public sealed class TestRunCloudDomainDnsCommand : RunCloudApiCmdlet
    {
        private readonly Dictionary<long, string?> _serverAddresses = new Dictionary<long, string?>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Domain", "DomainName", "HostName")]
        [AllowEmptyString]
        public string[] Name { get; set; } = Array.Empty<string>();

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        /// <summary>
        /// The web app the names belong to (bound from piped domain objects; else the connection's default web app on its
        /// default server): for a name that is not ready, RunCloud's own DNS instructions for it are added to the result.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("AppId")]
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? WebAppId { get; set; }

        /// <summary>The address the names should point at, instead of the server's ipAddress from RunCloud.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? IpAddress { get; set; }

        [Parameter]
        [ValidateRange(1, 120)]
        public int TimeoutSec { get; set; } = 10;

        /// <summary>Ask these DNS servers (address or address:port) instead of the system's resolver.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DnsServer { get; set; }

        private DnsReadiness? _dns;

        protected override void BeginProcessing()
        {
            if (IpAddress != null && !IPAddress.TryParse(IpAddress, out _))
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, $"-IpAddress '{IpAddress}' is not an IPv4 or IPv6 address.", IpAddress));
            }

            _dns = new DnsReadiness(DnsReadiness.ResolverFor(ParseDnsServers(DnsServer), TimeSpan.FromSeconds(TimeoutSec)), TimeSpan.FromSeconds(TimeoutSec));
        }

        protected override void ProcessRecord()
        {
            string? expected = IpAddress ?? ServerAddress();
            foreach (string raw in Name)
            {
                if (!DomainName.TryNormalize(raw, out string name, out string problem, allowSingleLabel: true))
                {
                    WriteError(Invalid(ErrorIds.InvalidDomainName, problem, raw));
                    continue;
                }

                RunCloudDnsCheck check = Run(ct => _dns!.CheckAsync(name, expected, ct));
                check.ServerId = IpAddress == null ? ServerId ?? ResolveConnection().ServerId : null;
                if (check.Status != DnsReadiness.Ok) AddInstructions(check);
                WriteObject(check);
            }
        }

        /// <summary>
        /// For a name that is not ready and belongs to a known web app: RunCloud's DNS instructions for its domain (a search
        /// for the domain, then GET .../domains/{d}/dns), in <see cref="RunCloudDnsCheck.Instructions"/> and the message.
        /// Best effort: a name that is no domain of the app, or a failed read, leaves them out (said in -Verbose).
        /// </summary>
        private void AddInstructions(RunCloudDnsCheck check)
        {
            RunCloudConnection? connection = Connection ?? RunCloudSession.Current;
            if (connection == null) return;
            long? serverId = ServerId ?? connection.ServerId;
            long? webAppId = WebAppId ?? (serverId == connection.ServerId ? connection.WebAppId : null);
            if (!serverId.HasValue || !webAppId.HasValue) return;
            RunCloudService service = ServiceFor(ResolveConnection());
            string domainName = check.Name.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? check.Name.Substring(4) : check.Name;
            try
            {
                RunCloudDomain? domain = Run(ct => service.FindDomainAsync(serverId.Value, webAppId.Value, check.Name, ct))
                    ?? (domainName != check.Name ? Run(ct => service.FindDomainAsync(serverId.Value, webAppId.Value, domainName, ct)) : null);
                if (domain == null)
                {
                    WriteVerbose($"RunCloud: {check.Name} is not a domain of web app {webAppId} (server {serverId}), so RunCloud has no DNS instructions for it.");
                    return;
                }

                List<RunCloudDnsRecord> records = Run(ct => service.GetDomainDnsAsync(domain, ct));
                RunCloudDnsRecord[] forName = records.Where(r => string.Equals(r.Name, check.Name, StringComparison.OrdinalIgnoreCase)).ToArray();
                check.Instructions = forName.Length > 0 ? forName : records.ToArray();
                if (check.Instructions.Length > 0)
                {
                    check.Message = check.Message.TrimEnd() + " RunCloud's DNS instructions: "
                        + string.Join("; ", check.Instructions.Select(r => $"{r.Type} {r.Name} -> {r.Content}")) + ".";
                }
            }
            catch (RunCloudApiException ex)
            {
                WriteVerbose($"RunCloud: the DNS instructions for {check.Name} could not be read ({ex.Message}).");
            }
        }

        private string? ServerAddress()
        {
            if (IpAddress != null) return IpAddress;
            RunCloudConnection connection = ResolveConnection();
            long serverId = ResolveServerId(connection, ServerId);
            if (_serverAddresses.TryGetValue(serverId, out string? known)) return known;
            RunCloudService service = ServiceFor(connection);
            try
            {
                string? address = Run(ct => service.GetServerAsync(serverId, ct)).IpAddress;
                _serverAddresses[serverId] = address;
                return address;
            }
            catch (RunCloudApiException ex)
            {
                ThrowApiError(ex, serverId);
                return null;
            }
        }
    }
}
