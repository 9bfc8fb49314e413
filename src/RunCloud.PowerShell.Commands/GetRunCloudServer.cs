using System;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>Gets the servers of the RunCloud account: all of them (every page), by id, or by name with wildcards.</summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudServer", DefaultParameterSetName = ListSet, SupportsPaging = true, HelpUri = HelpUris.Base + "Get-RunCloudServer.md")]
    [OutputType(typeof(RunCloudServer))]
    public sealed class GetRunCloudServerCommand : RunCloudApiCmdlet
    {
        private const string ListSet = "List";
        private const string IdSet = "Id";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet)]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long Id { get; set; }

        [Parameter(Position = 0, ParameterSetName = ListSet)]
        [Alias("ServerName")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(ServerNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        private protected override void ProcessRecordWithConnection(RunCloudConnection connection, RunCloudService service)
        {
            try
            {
                if (ParameterSetName == IdSet)
                {
                    WriteObject(Run(ct => service.GetServerAsync(Id, ct)));
                    return;
                }

                var byName = new NameMatcher(Name);
                if (PagedListing.Write(this, connection, first => service.ServerPages(NameMatcher.SearchText(Name), first), ItemMaps.Servers,
                    byName.For<RunCloudServer>(s => s.Name), "Listing RunCloud servers"))
                {
                    foreach (string missing in byName.Missing)
                    {
                        WriteError(ErrorRecords.NotFound(ErrorIds.ServerNotFound, $"No server named {missing} in this RunCloud account. Get-RunCloudServer lists them all; a wildcard (e.g. -Name '{missing}*') returns nothing instead of an error.", missing));
                    }
                }
            }
            catch (RunCloudApiException ex)
            {
                // Not found is an answer about this item, not a bad invocation: -ErrorAction decides what happens.
                WriteError(ErrorRecords.FromApi(ex, ParameterSetName == IdSet ? (object)Id : Name));
            }
        }
    }
}
