using System;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>Gets the servers of the RunCloud account: all of them (every page), by id, or by name with wildcards.</summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudServer", DefaultParameterSetName = ListSet, SupportsPaging = true)]
    [OutputType(typeof(RunCloudServer))]
    public sealed class GetRunCloudServerCommand : RunCloudApiCmdlet
    {
        private const string ListSet = "List";
        private const string IdSet = "Id";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet)]
        [ValidateRange(1, long.MaxValue)]
        public long Id { get; set; }

        [Parameter(Position = 0, ParameterSetName = ListSet)]
        [SupportsWildcards]
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

                Func<string, bool>? byName = NameFilter(Name);
                WritePaged(first => service.ServerPages(SearchText(Name), first), RunCloudServer.FromJson,
                    byName == null ? null : new Func<RunCloudServer, bool>(s => byName(s.Name)), "Listing RunCloud servers");
            }
            catch (RunCloudApiException ex)
            {
                ThrowApiError(ex, ParameterSetName == IdSet ? (object)Id : Name);
            }
        }
    }
}
