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

        /// <summary>The SSL state planning read: Certificate (basic, installed), Advanced, NoCertificate; null when it was not needed.</summary>
        public string? SslState { get; set; }

        /// <summary>Certificate orders the SSL step will send (the SSL strategy's read-only verdict when planning).</summary>
        public int SslOrders { get; set; }

        /// <summary>The SSL strategy checks where names point (one GET of the server's address).</summary>
        public bool SslChecksDns { get; set; }

        /// <summary>Advanced SSL mode: removals whose own certificate is deleted first.</summary>
        public int RemoveCertificates { get; set; }

        /// <summary>What a previous run left owed on the app (from its journal), which applying finishes; null: nothing.</summary>
        public string? Owed { get; set; }

        public bool Www { get; set; }
        public string Redirection { get; set; } = "none";
        public bool NoSslReset { get; set; }

        /// <summary>The desired names the plan was made from (valid, normalised); applying re-checks every change against them.</summary>
        public string[] Desired { get; set; } = Array.Empty<string>();

        /// <summary>
        /// Where the desired names were read: "list", "file ...", "Ultimate Multisite, database 'wp' on ... (table(s) ...)",
        /// "WordPress sites, ..." (a network without UM's table).
        /// </summary>
        public string Source { get; set; } = "list";

        /// <summary>Each desired name with what the plan does with it, its www and redirection, and where it comes from (mapping id, stage, site).</summary>
        public RunCloudDesiredName[] DesiredNames { get; set; } = Array.Empty<RunCloudDesiredName>();

        /// <summary>Mapped names Ultimate Multisite does not serve (inactive rows, deleted or spam sites, ...), with the reason and what the plan does with them.</summary>
        public RunCloudDesiredName[] NotServed { get; set; } = Array.Empty<RunCloudDesiredName>();

        /// <summary>The extra wu_N_domain_mappings tables read (UM's own routing reads only the main table).</summary>
        public string[] ExtraTables { get; set; } = Array.Empty<string>();

        /// <summary>
        /// Names the source protects from any prune (a WordPress network: every active mapping, main domain and site host,
        /// with and without www.); applying the plan checks every removal against them again.
        /// </summary>
        public string[] Protected { get; set; } = Array.Empty<string>();

        /// <summary>The sync's rules the plan was made under; applying checks each change against them again.</summary>
        public bool Prune { get; set; }
        public int MaxRemove { get; set; } = 10;
        public string[] Exclude { get; set; } = Array.Empty<string>();
        public string[] ProtectedName { get; set; } = { "*.runcloud.link" };
        public bool AllowEmptySource { get; set; }
        public bool AllowInvalidEntries { get; set; }

        /// <summary>
        /// Top-level domains the desired names were allowed besides the public suffix list's (-AllowTld, a manifest's
        /// "allowTld"): applying checks the desired names' top-level domains again, with these.
        /// </summary>
        public string[] AllowTld { get; set; } = Array.Empty<string>();

        /// <summary>The live domains the plan was made from, and their fingerprint (SHA-256 of the sorted ids and names).</summary>
        public RunCloudPlannedDomain[] Live { get; set; } = Array.Empty<RunCloudPlannedDomain>();
        public string Fingerprint { get; set; } = string.Empty;

        /// <summary>Calls applying sends to re-read the live list and compare its fingerprint.</summary>
        public int VerifyCalls { get; set; }

        /// <summary>One call per add or removal, and in advanced SSL mode the DELETE of each removed domain's own certificate.</summary>
        public int ChangeCalls => Add.Length + Remove.Length + RemoveCertificates;

        /// <summary>
        /// The SSL step's calls: the orders (the app's one redeploy, or one per domain), and in advanced mode a GET of each
        /// added domain's certificate state.
        /// </summary>
        public int SslCalls => SslAction switch
        {
            "Redeploy" => SslOrders,
            "PerDomain" => Add.Length + SslOrders,
            _ => 0,
        };

        /// <summary>
        /// What applying a reviewed plan reads again before any change: the SSL state (the certificate may have changed),
        /// the mode when there is no app certificate, each removal's certificate in advanced mode, the server's address
        /// when DNS readiness is checked.
        /// </summary>
        public int RecheckCalls => SslState == null ? 0
            : 1 + (SslState == "Certificate" ? 0 : 1) + (SslState == "Advanced" ? Remove.Length : 0) + (SslChecksDns ? 1 : 0);

        /// <summary>Exactly the API calls Invoke-RunCloudSyncPlan sends for this target (0 when it is blocked or has nothing to do).</summary>
        public int PlannedCalls => CallsToApply(verify: true);

        /// <summary>
        /// The calls applying sends: with <paramref name="verify"/> (a reviewed plan, maybe hours old) the live list and the
        /// SSL state are read again first; without it (Sync-RunCloudDomain -Manifest, the plan is seconds old) neither.
        /// Exact, except that names an earlier run left waiting for DNS cost a GET each when they are checked again.
        /// </summary>
        public int CallsToApply(bool verify)
        {
            if (IsBlocked || !HasWork) return 0;
            return (verify ? VerifyCalls + RecheckCalls : 0) + ChangeCalls + SslCalls;
        }

        /// <summary>How the app was read for this plan: Full (listed), Targeted (the changed names searched) or Unchanged (no call).</summary>
        public string? Way { get; set; }

        /// <summary>Why that way.</summary>
        public string? WayReason { get; set; }

        /// <summary>Calls the planning itself sent (reading the live list and the SSL state).</summary>
        public int PlanningCalls { get; set; }

        /// <summary>Why planning failed, when Verdict is Failed.</summary>
        public string? Error { get; set; }

        public bool IsBlocked => !string.Equals(Verdict, "Proceed", StringComparison.OrdinalIgnoreCase);
        /// <summary>Something to send: a change, or SSL work a previous run left owed (or names waiting for DNS).</summary>
        public bool HasWork => Add.Length > 0 || Remove.Length > 0 || SslAction != "None";

        /// <summary>"clientA" or "&lt;default&gt;": the account whose rate limit the target's calls count against.</summary>
        public string Account => Connection ?? "<default>";

        public string Target => $"web app {WebAppId} (server {ServerId}) on {(Connection != null ? "connection " + Connection : "the default connection")}";

        public override string ToString() =>
            $"{Target}: {Verdict}; +{Add.Length} -{Remove.Length}, SSL {SslAction}, {PlannedCalls} call(s)";

        internal static int ListingPages(int count) => Math.Max(1, (count + 39) / 40);

        internal string[] GuardMessages(string verdict) => Guards.Where(g => g.Verdict == verdict).Select(g => g.Message).ToArray();
    }
}
