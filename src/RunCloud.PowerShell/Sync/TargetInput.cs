using System.Collections.Generic;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// One manifest target, ready for the engine: its manifest entry, the web app it reaches (service, state key, address),
    /// that connection's key id (which a plan records), and its desired names, read by the cmdlet before any request.
    /// </summary>
    internal sealed class TargetInput
    {
        public TargetInput(FleetTarget target, AppTarget app, string keyId, IReadOnlyList<string> names, IReadOnlyList<RunCloudSyncSkip> problems)
        {
            Target = target;
            App = app;
            KeyId = keyId;
            Names = names;
            Problems = problems;
        }

        public FleetTarget Target { get; }

        public AppTarget App { get; }

        public string BaseUri => App.BaseUri;

        public string KeyId { get; }

        public IReadOnlyList<string> Names { get; }

        public IReadOnlyList<RunCloudSyncSkip> Problems { get; }
    }
}
