using System;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>Gets the domain names of a web application: all (every page), by id, or by name with wildcards.</summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudDomain", DefaultParameterSetName = ListSet, SupportsPaging = true)]
    [OutputType(typeof(RunCloudDomain))]
    public sealed class GetRunCloudDomainCommand : RunCloudWebAppCmdlet
    {
        private const string ListSet = "List";
        private const string IdSet = "Id";

        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ValidateRange(1, long.MaxValue)]
        public long Id { get; set; }

        [Parameter(Position = 0, ParameterSetName = ListSet)]
        [SupportsWildcards]
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

                Func<string, bool>? byName = NameFilter(Name);
                WritePaged(first => service.DomainPages(serverId, webAppId, SearchText(Name), first), o => RunCloudDomain.FromJson(o, serverId, webAppId),
                    byName == null ? null : new Func<RunCloudDomain, bool>(d => byName(d.Name)), "Listing RunCloud domains");
            }
            catch (RunCloudApiException ex)
            {
                WriteApiError(ex, ParameterSetName == IdSet ? (object)Id : webAppId);
            }
        }
    }
}
