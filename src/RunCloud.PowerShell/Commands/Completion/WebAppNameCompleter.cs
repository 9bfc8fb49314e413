using System;
using System.Collections;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>Completes -Name with the web app names of -ServerId (or the connection's default server).</summary>
    internal sealed class WebAppNameCompleter : RunCloudNameCompleter
    {
        private protected override string? Scope(RunCloudConnection connection, IDictionary? bound, out Func<RunCloudService, PageIterator>? open)
        {
            long? server = BoundId(bound, "ServerId") ?? connection.ServerId;
            open = server.HasValue ? service => service.WebAppPages(server.Value) : (Func<RunCloudService, PageIterator>?)null;
            return server.HasValue ? $"web apps of {server}" : null;
        }
    }
}
