using System;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>Gets the domain names of a web application: all (every page), by id, or by name with wildcards.</summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudDomain", DefaultParameterSetName = ListSet, SupportsPaging = true, HelpUri = HelpUris.Base + "Get-RunCloudDomain.md")]
    [OutputType(typeof(RunCloudDomain))]
    public sealed class GetRunCloudDomainCommand : RunCloudWebAppCmdlet
    {
        private const string ListSet = "List";
        private const string IdSet = "Id";

        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ValidateRange(1, long.MaxValue)]
        public long Id { get; set; }

        [Parameter(Position = 0, ParameterSetName = ListSet)]
        [Alias("Domain")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DomainNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            try
            {
                if (ParameterSetName == IdSet)
                {
                    WriteObject(Run(ct => service.GetDomainAsync(serverId, webAppId, Id, ct)));
                    return;
                }

                var byName = new NameMatcher(Name);
                if (WritePaged(first => service.DomainPages(serverId, webAppId, SearchText(Name), first), o => RunCloudDomain.FromJson(o, serverId, webAppId),
                    byName.For<RunCloudDomain>(d => d.Name), "Listing RunCloud domains"))
                {
                    foreach (string missing in byName.Missing)
                    {
                        WriteNotFound(ErrorIds.DomainNotFound, $"{missing} is not a domain of web app {webAppId} (server {serverId}). Get-RunCloudDomain lists the app's domains; a wildcard (e.g. -Name '*{missing}') returns nothing instead of an error.", missing);
                    }
                }
            }
            catch (RunCloudApiException ex)
            {
                WriteApiError(ex, ParameterSetName == IdSet ? (object)Id : webAppId);
            }
        }
    }
}
