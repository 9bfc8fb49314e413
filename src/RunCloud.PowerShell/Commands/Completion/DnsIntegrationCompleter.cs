using System;
using System.Collections;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>Completes -ExternalApi (and Get-RunCloudDnsIntegration -Label) with the labels of the account's DNS integrations.</summary>
    internal sealed class DnsIntegrationCompleter : RunCloudNameCompleter
    {
        private protected override string NameField => "label";

        private protected override string? Scope(RunCloudConnection connection, IDictionary? bound, out Func<RunCloudService, PageIterator>? open)
        {
            open = service => service.DnsIntegrationPages();
            return "account DNS integrations";
        }
    }
}
