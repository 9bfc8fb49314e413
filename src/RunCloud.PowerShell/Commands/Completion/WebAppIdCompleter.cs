using System.Collections;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>Completes -WebAppId with the web apps of -ServerId (or the connection's default server).</summary>
    internal sealed class WebAppIdCompleter : RunCloudIdCompleter
    {
        private protected override bool TryGetScope(RunCloudConnection connection, IDictionary? bound, out long? serverId)
        {
            serverId = BoundLong(bound, "ServerId") ?? connection.ServerId;
            return serverId.HasValue;
        }
    }
}
