using System;
using System.Collections.Generic;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Gets the web applications of a server: all (every page), by id, or by name with wildcards. -Name without a server
    /// (no -ServerId, none piped) searches every server of the account: the name is what people know an app by.
    /// </summary>
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
        [ArgumentCompleter(typeof(WebAppIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long Id { get; set; }

        [Parameter(Position = 0, ParameterSetName = ListSet)]
        [Alias("WebAppName")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(WebAppNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        private protected override void ProcessRecordWithConnection(RunCloudConnection connection, RunCloudService service)
        {
            if (ParameterSetName == ListSet && Name != null && !MyInvocation.BoundParameters.ContainsKey(nameof(ServerId)))
            {
                SearchEveryServer(connection, service);
                return;
            }

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
                if (PagedListing.Write(this, connection, first => service.WebAppPages(serverId, NameMatcher.SearchText(Name), first), ItemMaps.WebApps(serverId).Then(Stamp),
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

        /// <summary>
        /// -Name on every server of the account: the servers' list, then each server's web apps (narrowed by RunCloud's
        /// search when the pattern has a literal part). An exact name found on no server is one RunCloudWebAppNotFound error.
        /// </summary>
        private void SearchEveryServer(RunCloudConnection connection, RunCloudService service)
        {
            var byName = new NameMatcher(Name);
            Func<RunCloudWebApp, bool> filter = byName.For<RunCloudWebApp>(a => a.Name)!;
            ulong skip = PagingParameters?.Skip ?? 0;
            ulong first = PagingParameters?.First ?? ulong.MaxValue;
            ulong seen = 0;
            ulong written = 0;
            List<RunCloudServer> servers;
            try
            {
                servers = Run(ct => service.ListServersAsync(null, ct));
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, Name));
                return;
            }

            WriteVerbose($"RunCloud: no -ServerId, so looking for {string.Join(", ", Name!)} on all {servers.Count} server(s).");
            foreach (RunCloudServer server in servers)
            {
                List<(RunCloudWebApp? App, string? Id, InvalidResponseDataException? Error)> apps;
                try
                {
                    apps = Run(ct => service.ListWebAppsAsync(server.Id, NameMatcher.SearchText(Name), ct));
                }
                catch (RunCloudApiException ex)
                {
                    WriteError(ErrorRecords.FromApi(ex, server.Id));
                    continue;
                }

                foreach ((RunCloudWebApp? found, string? badId, InvalidResponseDataException? invalid) in apps)
                {
                    if (found == null)
                    {
                        WriteError(ErrorRecords.FromApi(RunCloudApiException.InvalidData(invalid!, "GET", null), badId));
                        continue;
                    }

                    RunCloudWebApp app = found;
                    ((IConnectionBound)app).Connection = connection;
                    app.ServerName = server.Name;
                    if (!filter(app) || seen++ < skip) continue;
                    if (written++ >= first) return;
                    WriteObject(app);
                }
            }

            foreach (string missing in byName.Missing)
            {
                WriteError(ErrorRecords.NotFound(ErrorIds.WebAppNotFound, $"No web app named {missing} on any of the account's {servers.Count} server(s). Get-RunCloudServer | Get-RunCloudWebApp lists them all; a wildcard returns nothing instead of an error.", missing));
            }
        }

        private RunCloudWebApp Stamp(RunCloudWebApp app)
        {
            app.ServerName = ServerName;
            return app;
        }
    }
}
