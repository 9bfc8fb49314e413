using System.Collections;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>Completes -ServerId with the account's servers.</summary>
    internal sealed class ServerIdCompleter : RunCloudIdCompleter
    {
        private protected override bool TryGetScope(RunCloudConnection connection, IDictionary? bound, out long? serverId)
        {
            serverId = null;
            return true;
        }
    }
}
