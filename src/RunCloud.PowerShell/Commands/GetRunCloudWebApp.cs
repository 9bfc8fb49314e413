using System;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>Gets the web applications of a server: all (every page), by id, or by name with wildcards.</summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudWebApp", DefaultParameterSetName = ListSet, SupportsPaging = true, HelpUri = HelpUris.Base + "Get-RunCloudWebApp.md")]
    [OutputType(typeof(RunCloudWebApp))]
    public sealed class GetRunCloudWebAppCommand : RunCloudPipedCmdlet
    {
        private const string ListSet = "List";
        private const string IdSet = "Id";

        /// <summary>Defaults to the connection's server; binds from a piped server object.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ServerIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long? ServerId { get; set; }

        /// <summary>Bound from a piped server object: stamped on the web apps so later steps can name the server.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public string? ServerName { get; set; }

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet)]
        [ValidateRange(1, long.MaxValue)]
        public long Id { get; set; }

        [Parameter(Position = 0, ParameterSetName = ListSet)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(WebAppNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        private protected override void ProcessRecordWithConnection(RunCloudConnection connection, RunCloudService service)
        {
            long serverId = ResolveServerId(connection, ServerId);
            try
            {
                if (ParameterSetName == IdSet)
                {
                    RunCloudWebApp app = Run(ct => service.GetWebAppAsync(serverId, Id, ct));
                    app.ServerName = ServerName;
                    WriteObject(app);
                    return;
                }

                var byName = new NameMatcher(Name);
                if (PagedListing.Write(this, connection, first => service.WebAppPages(serverId, NameMatcher.SearchText(Name), first), o => Stamp(RunCloudWebApp.FromJson(o, serverId)),
                    byName.For<RunCloudWebApp>(a => a.Name), "Listing RunCloud web apps"))
                {
                    foreach (string missing in byName.Missing)
                    {
                        WriteError(ErrorRecords.NotFound(ErrorIds.WebAppNotFound, $"No web app named {missing} on server {serverId}. Get-RunCloudWebApp -ServerId {serverId} lists them all; a wildcard returns nothing instead of an error.", missing));
                    }
                }
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, serverId));
            }
        }

        private RunCloudWebApp Stamp(RunCloudWebApp app)
        {
            app.ServerName = ServerName;
            return app;
        }
    }
}
