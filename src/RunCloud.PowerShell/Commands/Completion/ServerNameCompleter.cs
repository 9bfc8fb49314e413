using System;
using System.Collections;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>Completes -Name with the account's server names.</summary>
    internal sealed class ServerNameCompleter : RunCloudNameCompleter
    {
        private protected override string? Scope(RunCloudConnection connection, IDictionary? bound, out Func<RunCloudService, PageIterator>? open)
        {
            open = service => service.ServerPages();
            return "account server names";
        }
    }
}
