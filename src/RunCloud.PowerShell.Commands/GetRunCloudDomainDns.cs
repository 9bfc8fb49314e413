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
    /// Gets RunCloud's own DNS instructions for a web app's domains (GET .../domains/{d}/dns): the records each name needs
    /// so that it reaches the server (and can get its certificate). By domain name (wildcards), every domain of the app,
    /// or domain objects piped from Get-RunCloudDomain.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudDomainDns", HelpUri = HelpUris.Base + "Get-RunCloudDomainDns.md")]
    [OutputType(typeof(RunCloudDnsRecord))]
    public sealed class GetRunCloudDomainDnsCommand : RunCloudWebAppCmdlet
    {
        private readonly Dictionary<(long, long), List<RunCloudDomain>> _listings = new Dictionary<(long, long), List<RunCloudDomain>>();

        /// <summary>The domains (wildcards allowed); default every domain of the web app. An exact name that is not there is an error.</summary>
        [Parameter(Position = 0)]
        [Alias("Domain")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DomainNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            if (PipelineObject is RunCloudDomain piped && Name == null)
            {
                if (piped.Id <= 0)
                {
                    WriteError(ErrorRecords.Invalid(ErrorIds.InvalidInput, $"The domain object '{piped.Name}' has no id; pipe objects from Get-RunCloudDomain, or pass -Name.", piped));
                    return;
                }

                Emit(service, piped);
                return;
            }

            List<RunCloudDomain> all;
            try
            {
                if (!_listings.TryGetValue((serverId, webAppId), out all!))
                {
                    all = Run(ct => service.ListDomainsAsync(serverId, webAppId, ct));
                    _listings[(serverId, webAppId)] = all;
                }
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, $"web app {webAppId} on server {serverId}"));
                return;
            }

            var matcher = new NameMatcher(Name);
            Func<RunCloudDomain, bool>? filter = matcher.For<RunCloudDomain>(d => d.Name);
            foreach (RunCloudDomain domain in all)
            {
                if (domain.Problem != null || (filter != null && !filter(domain))) continue;
                Emit(service, domain);
            }

            foreach (string missing in matcher.Missing)
            {
                WriteError(ErrorRecords.NotFound(ErrorIds.DomainNotFound, $"{missing} is not a domain of web app {webAppId} (server {serverId}). Get-RunCloudDomain lists the app's domains.", missing));
            }
        }

        private void Emit(RunCloudService service, RunCloudDomain domain)
        {
            try
            {
                List<RunCloudDnsRecord> records = Run(ct => service.GetDomainDnsAsync(domain, ct));
                if (records.Count == 0) WriteVerbose($"RunCloud gave no DNS instructions for {domain.Name}.");
                foreach (RunCloudDnsRecord record in records) WriteObject(record);
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, domain));
            }
        }
    }
}
