using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>One name of a status before its checks: which side knows it, what serves it on the app, and what the next sync does with it.</summary>
    internal sealed class JoinedName
    {
        public string Name { get; set; } = string.Empty;

        public NameOrigin? Origin { get; set; }

        /// <summary>In the desired source, or a site host a wildcard on the app covers: the name should be served.</summary>
        public bool Desired { get; set; }

        /// <summary>The app's domain of this very name.</summary>
        public RunCloudDomain? Domain { get; set; }

        /// <summary>The wildcard domain on the app that serves this site host (when it has no domain of its own).</summary>
        public RunCloudDomain? Wildcard { get; set; }

        /// <summary>What serves the name on the app: its own domain, else the covering wildcard.</summary>
        public RunCloudDomain? ServedBy => Domain ?? Wildcard;

        public string NextSync { get; set; } = string.Empty;

        public string NextSyncReason { get; set; } = string.Empty;

        /// <summary>An add or a removal that a guard holds back: the next sync stops before any change.</summary>
        public bool HeldBack { get; set; }

        /// <summary>Not desired, on the app, and kept by rule (primary, -ProtectedName, -Exclude, or a name the source protects).</summary>
        public bool KeptByRule { get; set; }

        /// <summary>The host a TLS probe asks for (a wildcard domain is probed through a name under it).</summary>
        public string ProbeHost => Name.StartsWith("*.", System.StringComparison.Ordinal) ? "runcloud-tls-probe" + Name.Substring(1) : Name;
    }
}
