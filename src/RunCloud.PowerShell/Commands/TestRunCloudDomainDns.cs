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
                WriteObject(check);
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
