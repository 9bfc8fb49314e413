using System;
using System.Linq;

namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// What a sync will do to one web app, and what it was planned from: the live list's fingerprint, the adds, the
    /// removals, the SSL action, the guard verdicts, and the exact number of API calls applying it will send.
    /// </summary>
    public sealed class RunCloudSyncPlan
    {
        /// <summary>Position in the manifest (1 for a single web app).</summary>
        public int Index { get; set; }

        /// <summary>The connection's name; null = the default connection.</summary>
        public string? Connection { get; set; }

        /// <summary>The API address the plan was made against; applying it elsewhere is refused.</summary>
        public string BaseUri { get; set; } = string.Empty;

        /// <summary>First characters of the API key or token (never the key), to tell accounts apart.</summary>
        public string? KeyId { get; set; }

        public long ServerId { get; set; }
        public long WebAppId { get; set; }
        public DateTime CreatedAt { get; set; }

        /// <summary>Proceed, or Blocked by a guard, or Failed (the live list could not be read).</summary>
        public string Verdict { get; set; } = "Proceed";

        public RunCloudSyncGuard[] Guards { get; set; } = Array.Empty<RunCloudSyncGuard>();
        public string[] Add { get; set; } = Array.Empty<string>();
        public RunCloudPlannedDomain[] Remove { get; set; } = Array.Empty<RunCloudPlannedDomain>();
        public string[] Unchanged { get; set; } = Array.Empty<string>();
        public string[] Kept { get; set; } = Array.Empty<string>();
        public RunCloudSyncSkip[] Skipped { get; set; } = Array.Empty<RunCloudSyncSkip>();

        /// <summary>None (nothing changes or -NoSslReset), Redeploy (the app certificate), PerDomain (advanced SSL), or NoCertificate.</summary>
        public string SslAction { get; set; } = "None";
        public long? SslId { get; set; }

        public bool Www { get; set; }
        public string Redirection { get; set; } = "none";
        public bool NoSslReset { get; set; }

        /// <summary>The live domains the plan was made from, and their fingerprint (SHA-256 of the sorted ids and names).</summary>
        public RunCloudPlannedDomain[] Live { get; set; } = Array.Empty<RunCloudPlannedDomain>();
        public string Fingerprint { get; set; } = string.Empty;

        /// <summary>Calls applying sends to re-read the live list and compare its fingerprint.</summary>
        public int VerifyCalls { get; set; }
        public int ChangeCalls => Add.Length + Remove.Length;
        public int SslCalls { get; set; }

        /// <summary>Exactly the API calls Invoke-RunCloudSyncPlan sends for this target (0 when it is blocked or changes nothing).</summary>
        public int PlannedCalls => CallsToApply(verify: true);

        /// <summary>
        /// The calls applying sends: with <paramref name="verify"/> (a reviewed plan, maybe hours old) the live list is read
        /// again and an app planned without a certificate is checked again; without it (Sync-RunCloudDomain -Manifest,
        /// the plan is seconds old) neither.
        /// </summary>
        public int CallsToApply(bool verify)
        {
            if (IsBlocked || !HasWork) return 0;
            int ssl = !verify && SslAction == "NoCertificate" ? 0 : SslCalls;
            return (verify ? VerifyCalls : 0) + ChangeCalls + ssl;
        }

        /// <summary>Calls the planning itself sent (reading the live list and the SSL state).</summary>
        public int PlanningCalls { get; set; }

        /// <summary>Why planning failed, when Verdict is Failed.</summary>
        public string? Error { get; set; }

        public bool IsBlocked => !string.Equals(Verdict, "Proceed", StringComparison.OrdinalIgnoreCase);
        public bool HasWork => Add.Length > 0 || Remove.Length > 0;

        /// <summary>"clientA" or "&lt;default&gt;": the account whose rate limit the target's calls count against.</summary>
        public string Account => Connection ?? "<default>";

        public string Target => $"web app {WebAppId} (server {ServerId}) on {(Connection != null ? "connection " + Connection : "the default connection")}";

        public override string ToString() =>
            $"{Target}: {Verdict}; +{Add.Length} -{Remove.Length}, SSL {SslAction}, {PlannedCalls} call(s)";

        internal static int ListingPages(int count) => Math.Max(1, (count + 39) / 40);

        internal string[] GuardMessages(string verdict) => Guards.Where(g => g.Verdict == verdict).Select(g => g.Message).ToArray();
    }
}
