using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using RunCloud.PowerShell.Api;
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
        [Alias("Domain", "DomainName")]
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

        protected override void BeginProcessing()
        {
            if (IpAddress != null && !IPAddress.TryParse(IpAddress, out _))
            {
                ThrowTerminatingError(Invalid(ErrorIds.InvalidInput, $"-IpAddress '{IpAddress}' is not an IPv4 or IPv6 address.", IpAddress));
            }
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

                string host = name.StartsWith("*.", StringComparison.Ordinal) ? "runcloud-dns-probe" + name.Substring(1) : name;
                var check = new RunCloudDnsCheck { Name = name, LookedUp = host, ServerId = IpAddress == null ? ServerId ?? ResolveConnection().ServerId : null, ExpectedAddress = expected };
                try
                {
                    IPAddress[] addresses = Run(async ct =>
                    {
                        Task<IPAddress[]> lookup = Dns.GetHostAddressesAsync(host);
                        Task finished = await Task.WhenAny(lookup, Task.Delay(TimeSpan.FromSeconds(TimeoutSec), ct)).ConfigureAwait(false);
                        ct.ThrowIfCancellationRequested();
                        if (finished != lookup) throw new TimeoutException($"no DNS answer within {TimeoutSec} s");
                        return await lookup.ConfigureAwait(false);
                    });
                    check.Addresses = addresses.Select(a => a.ToString()).Distinct().ToArray();
                    check.PointsToServer = expected != null && addresses.Any(a => SameAddress(a, expected));
                    check.Status = check.PointsToServer ? "OK" : "WrongAddress";
                    check.Message = check.PointsToServer
                        ? $"{host} points at {expected}."
                        : $"{host} resolves to {string.Join(", ", check.Addresses)}, not to the server's {expected}. Point its A record at {expected} before issuing a certificate.";
                }
                catch (Exception ex) when (ex is SocketException || ex is TimeoutException || ex is ArgumentException)
                {
                    check.Status = "NotResolved";
                    check.Message = $"{host} does not resolve ({ex.Message}). Create an A record pointing at {expected ?? "the server's IP address"}.";
                }

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

        private static bool SameAddress(IPAddress address, string expected)
        {
            if (!IPAddress.TryParse(expected, out IPAddress? wanted)) return false;
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            if (wanted.IsIPv4MappedToIPv6) wanted = wanted.MapToIPv4();
            return address.Equals(wanted);
        }
    }
}
