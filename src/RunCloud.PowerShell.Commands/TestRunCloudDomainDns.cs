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
    public sealed class TestRunCloudDomainDnsCommand : RunCloudPipedCmdlet
    {
        private readonly Dictionary<(RunCloudService, long), string?> _serverAddresses = new Dictionary<(RunCloudService, long), string?>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Domain", "DomainName", "HostName")]
        [AllowEmptyString]
        public string[] Name { get; set; } = Array.Empty<string>();

        private protected override string? CannotTake(IRunCloudObject piped) => NeedsNames(piped);

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
            base.BeginProcessing();
            ProbeParameters.RequireIpAddressOrStop(this, "IpAddress", IpAddress);
            DnsServerList? servers = ProbeParameters.DnsServersOrStop(this, DnsServer);

            _dns = new DnsReadiness(DnsReadiness.ResolverFor(servers, TimeSpan.FromSeconds(TimeoutSec)), TimeSpan.FromSeconds(TimeoutSec));
        }

        /// <summary>With -IpAddress no connection is needed (nothing is asked of RunCloud), unless an object was piped.</summary>
        protected override void ProcessRecord()
        {
            if (IpAddress != null)
            {
                RefusePlan(PipedPlan);
                if (PipelineObject != null && CannotTake(PipelineObject) is string why) ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, why + " Nothing was sent.", PipelineObject));
                // The address is given, so RunCloud is asked nothing for it; a connection at hand (the piped object's own,
                // -Connection, the default) still adds RunCloud's DNS instructions for a name that is not ready.
                RunCloudConnection? at = PipelineObject != null && (PipelineObject as IConnectionBound)?.Connection is RunCloudConnection
                    ? ResolveConnectionFor(PipelineObject, PipelineObject)
                    : Connection ?? RunCloudSession.Current;
                if (at != null) RedactSecretsOf(at);
                Check(IpAddress, null, at);
                return;
            }

            base.ProcessRecord();
        }

        private protected override void ProcessRecordWithConnection(RunCloudConnection connection, RunCloudService service)
        {
            long serverId = ResolveServerId(connection, ServerId);
            Check(ServerAddress(service, serverId), serverId, connection);
        }

        private void Check(string? expected, long? serverId, RunCloudConnection? connection)
        {
            foreach (string raw in Name)
            {
                if (!DomainName.TryNormalize(raw, out string name, out string problem, allowSingleLabel: true))
                {
                    WriteError(ErrorRecords.Invalid(ErrorIds.InvalidDomainName, problem, raw));
                    continue;
                }

                RunCloudDnsCheck check = Run(ct => _dns!.CheckAsync(name, expected, ct));
                check.ServerId = serverId;
                if (check.Status != DnsReadiness.Ok && connection != null) AddInstructions(check, connection, serverId);
                WriteObject(check);
            }
        }

        /// <summary>
        /// For a name that is not ready and belongs to a known web app: RunCloud's DNS instructions for its domain (a search
        /// for the domain, then GET .../domains/{d}/dns), in <see cref="RunCloudDnsCheck.Instructions"/> and the message.
        /// Best effort: a name that is no domain of the app, or a failed read, leaves them out (said in -Verbose).
        /// </summary>
        private void AddInstructions(RunCloudDnsCheck check, RunCloudConnection connection, long? serverId)
        {
            serverId ??= ServerId ?? connection.ServerId;
            long? webAppId = WebAppId ?? (serverId == connection.ServerId ? connection.WebAppId : null);
            if (!serverId.HasValue || !webAppId.HasValue) return;
            RunCloudService service = ServiceFor(connection);
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

        /// <summary>The server's address, read once per server through the record's connection.</summary>
        private string? ServerAddress(RunCloudService service, long serverId)
        {
            if (_serverAddresses.TryGetValue((service, serverId), out string? known)) return known;
            try
            {
                string? address = Run(ct => service.GetServerAsync(serverId, ct)).IpAddress;
                _serverAddresses[(service, serverId)] = address;
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
