using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Gets the account's DNS integrations (RunCloud's "3rd-party API keys", settings/externalapi): what a DNS-01
    /// certificate order names as -ExternalApi. All of them (every page), by label (wildcards) and service, or by id.
    /// Their secrets are never read into the output.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudDnsIntegration", DefaultParameterSetName = ListSet, HelpUri = HelpUris.Base + "Get-RunCloudDnsIntegration.md")]
    [OutputType(typeof(RunCloudDnsIntegration))]
    public sealed class GetRunCloudDnsIntegrationCommand : RunCloudApiCmdlet
    {
        private const string ListSet = "List";
        private const string IdSet = "Id";

        /// <summary>The integrations with these ids.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ValidateRange(1, long.MaxValue)]
        public long[] Id { get; set; } = Array.Empty<long>();

        /// <summary>Only the integrations with these labels (wildcards allowed); an exact label that matches none is an error.</summary>
        [Parameter(Position = 0, ParameterSetName = ListSet)]
        [Alias("Name")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DnsIntegrationCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Label { get; set; }

        /// <summary>Only the integrations of these DNS providers.</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateSet("Cloudflare", "Linode", "DigitalOcean", "Vultr", IgnoreCase = true)]
        public string[]? Service { get; set; }

        private protected override void ProcessRecordWithConnection(RunCloudConnection connection, RunCloudService service)
        {
            if (ParameterSetName == IdSet)
            {
                foreach (long id in Id)
                {
                    try
                    {
                        RunCloudDnsIntegration? integration = Run(ct => service.GetDnsIntegrationAsync(id, ct));
                        if (integration == null)
                        {
                            WriteError(ErrorRecords.NotFound(ErrorIds.DnsIntegrationNotFound, $"This account has no DNS integration with id {id}. Get-RunCloudDnsIntegration lists them.", id));
                            continue;
                        }

                        WriteObject(integration);
                    }
                    catch (RunCloudApiException ex)
                    {
                        WriteError(ErrorRecords.FromApi(ex, id));
                    }
                }

                return;
            }

            List<RunCloudDnsIntegration> all;
            try
            {
                all = Run(ct => service.ListDnsIntegrationsAsync(ct));
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, "DNS integrations"));
                return;
            }

            var byLabel = new NameMatcher(Label);
            Func<RunCloudDnsIntegration, bool>? labelFilter = byLabel.For<RunCloudDnsIntegration>(i => i.Label);
            HashSet<string>? services = Service == null ? null : new HashSet<string>(Service.Select(Normalize), StringComparer.Ordinal);
            foreach (RunCloudDnsIntegration integration in all)
            {
                if (services != null && !services.Contains(Normalize(integration.Service ?? string.Empty))) continue;
                if (labelFilter != null && !labelFilter(integration)) continue;
                WriteObject(integration);
            }

            foreach (string missing in byLabel.Missing)
            {
                WriteError(ErrorRecords.NotFound(ErrorIds.DnsIntegrationNotFound,
                    $"This account has no DNS integration labelled '{missing}'{(Service == null ? string.Empty : " of " + string.Join(" or ", Service))}. "
                    + "Get-RunCloudDnsIntegration lists them; a wildcard (e.g. '*cloud*') returns nothing instead of an error.", missing));
            }
        }

        /// <summary>RunCloud shows "Digital Ocean" and takes "digitalocean": compared without spaces and case.</summary>
        private static string Normalize(string service) => new string(service.Where(c => !char.IsWhiteSpace(c)).ToArray()).ToLowerInvariant();
    }
}
