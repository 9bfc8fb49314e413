using System;
using System.Collections;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>Completes -Name with the domain names of -ServerId/-WebAppId (or the connection's defaults).</summary>
    internal sealed class DomainNameCompleter : RunCloudNameCompleter
    {
        private protected override string? Scope(RunCloudConnection connection, IDictionary? bound, out Func<RunCloudService, PageIterator>? open)
        {
            long? server = BoundId(bound, "ServerId") ?? connection.ServerId;
            long? app = BoundId(bound, "WebAppId") ?? BoundId(bound, "AppId") ?? connection.WebAppId;
            bool known = server.HasValue && app.HasValue;
            open = known ? service => service.DomainPages(server!.Value, app!.Value) : (Func<RunCloudService, PageIterator>?)null;
            return known ? $"domains of {server}/{app}" : null;
        }
    }
}
