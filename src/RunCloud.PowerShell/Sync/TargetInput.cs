using System.Collections.Generic;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// One target, ready to plan: its manifest entry, the Api service of its account's connection (and that connection's
    /// address and key id, which the plan records), and its desired names, read by the cmdlet before any request.
    /// </summary>
    internal sealed class TargetInput
    {
        public TargetInput(FleetTarget target, RunCloudService service, string baseUri, string keyId, IReadOnlyList<string> names, IReadOnlyList<RunCloudSyncSkip> problems)
        {
            Target = target;
            Service = service;
            BaseUri = baseUri;
            KeyId = keyId;
            Names = names;
            Problems = problems;
        }

        public FleetTarget Target { get; }
        public RunCloudService Service { get; }
        public string BaseUri { get; }
        public string KeyId { get; }
        public IReadOnlyList<string> Names { get; }
        public IReadOnlyList<RunCloudSyncSkip> Problems { get; }
    }
}
