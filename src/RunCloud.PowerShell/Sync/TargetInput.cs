using System;
using System.Collections.Generic;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// One manifest target, ready for the engine: its manifest entry, the web app it reaches (service, state key, address),
    /// that connection's key id (which a plan records), and its desired names, read by the cmdlet before any request: a
    /// list, or a WordPress network (read already; its desired set is computed after the engine's listing, see
    /// <see cref="SourceOf"/>), or why its source could not be read (the target then fails before any request).
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

        /// <summary>How the list's names are described in plans and results ("manifest domains", "file ...").</summary>
        public string ListDescription { get; set; } = "list";

        /// <summary>A WordPress network already read: its desired source, computed against the app's names after the listing.</summary>
        public Func<IReadOnlyList<RunCloudDomain>, DesiredSource>? SourceOf { get; set; }

        /// <summary>The source could not be read (an Ultimate Multisite read failed): the message, and its ErrorId.</summary>
        public string? SourceFailure { get; set; }

        public string? SourceFailureErrorId { get; set; }
    }
}
