using System;
using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.State
{
    /// <summary>
    /// The durable record of unfinished work on one web app (see <see cref="JournalStore"/> for where it lives).
    /// A run writes it BEFORE its first change (what it is about to add and remove, and that an SSL redeploy will be
    /// owed), updates it as steps complete, and deletes it only once the SSL step has succeeded. Every later run on the
    /// same app reads it first and finishes what it finds (<see cref="SslRedeployPending"/> above all).
    ///
    /// Format (JSON, camelCase): version 1. Readers refuse a higher <see cref="Version"/> rather than guess; fields
    /// they do not know are kept on rewrite (<see cref="Unknown"/>), so an older module never drops a newer one's data.
    /// Other concerns add their data under <see cref="Extensions"/>, one key per owner (e.g. "ssl": names not yet
    /// DNS-ready, Let's Encrypt issuance counts); <see cref="GetExtension{T}"/>/<see cref="SetExtension"/> read and write it.
    /// Never stores a secret: the account is the non-secret fingerprint of <see cref="AppStateKey"/>.
    /// </summary>
    public sealed class AppJournal
    {
        /// <summary>The format version this module writes and the highest it reads.</summary>
        public const int CurrentVersion = 1;

        [JsonProperty("version", Required = Required.Always)]
        public int Version { get; set; } = CurrentVersion;

        /// <summary>The non-secret account fingerprint (<see cref="AppStateKey.Account"/>).</summary>
        [JsonProperty("account")]
        public string Account { get; set; } = string.Empty;

        /// <summary>The API root, for a human reading the file.</summary>
        [JsonProperty("baseUri")]
        public string? BaseUri { get; set; }

        [JsonProperty("serverId")]
        public long ServerId { get; set; }

        [JsonProperty("webAppId")]
        public long WebAppId { get; set; }

        /// <summary>UTC, when the first pending work was recorded.</summary>
        [JsonProperty("createdAt")]
        public DateTime CreatedAt { get; set; }

        /// <summary>UTC, the last write.</summary>
        [JsonProperty("updatedAt")]
        public DateTime UpdatedAt { get; set; }

        /// <summary>The command that last wrote it (Sync-RunCloudDomain, Reset-RunCloudSsl, ...).</summary>
        [JsonProperty("writtenBy")]
        public string? WrittenBy { get; set; }

        /// <summary>Names a run was about to add and has not confirmed added yet.</summary>
        [JsonProperty("pendingAdds")]
        public List<string> PendingAdds { get; set; } = new List<string>();

        /// <summary>Domains a run was about to remove and has not confirmed removed yet.</summary>
        [JsonProperty("pendingRemovals")]
        public List<JournalDomain> PendingRemovals { get; set; } = new List<JournalDomain>();

        /// <summary>The app's certificate must be redeployed (or reinstalled) before it covers the app's names again.</summary>
        [JsonProperty("sslRedeployPending")]
        public bool SslRedeployPending { get; set; }

        /// <summary>Why the redeploy is owed, in words for the operator (e.g. "added shop.example.com").</summary>
        [JsonProperty("sslReason")]
        public string? SslReason { get; set; }

        /// <summary>Advanced SSL mode: domains added by a run whose per-domain certificate is still owed.</summary>
        [JsonProperty("sslDomains")]
        public List<JournalDomain> SslDomains { get; set; } = new List<JournalDomain>();

        /// <summary>The app had its certificate uninstalled and a reinstall is owed (Reset-RunCloudSsl -Reinstall).</summary>
        [JsonProperty("sslReinstall")]
        public JObject? SslReinstall { get; set; }

        /// <summary>Other concerns' data, one key per owner. Kept as JSON so this type never needs to know them.</summary>
        [JsonProperty("extensions")]
        public JObject Extensions { get; set; } = new JObject();

        /// <summary>Top-level fields written by a newer module of the same version: kept verbatim on rewrite.</summary>
        [JsonExtensionData]
        public IDictionary<string, JToken> Unknown { get; set; } = new Dictionary<string, JToken>();

        /// <summary>
        /// Work a run left owed (adds, removals, an SSL redeploy or reinstall); other owners' extensions (the SSL
        /// strategy's Let's Encrypt counts, names waiting for DNS) are records, not unfinished work.
        /// </summary>
        [JsonIgnore]
        public bool HasOwedWork =>
            PendingAdds.Count > 0 || PendingRemovals.Count > 0 || SslRedeployPending || SslDomains.Count > 0 || SslReinstall != null;

        /// <summary>Nothing is owed: the journal can be deleted (extensions count as owed work while present).</summary>
        [JsonIgnore]
        public bool IsEmpty =>
            PendingAdds.Count == 0 && PendingRemovals.Count == 0 && !SslRedeployPending && SslDomains.Count == 0
            && SslReinstall == null && !Extensions.Properties().Any();

        /// <summary>A new, empty journal for <paramref name="key"/>.</summary>
        public static AppJournal For(AppStateKey key, string? baseUri, DateTime nowUtc) => new AppJournal
        {
            Account = key.Account,
            BaseUri = baseUri,
            ServerId = key.ServerId,
            WebAppId = key.WebAppId,
            CreatedAt = nowUtc,
            UpdatedAt = nowUtc,
        };

        /// <summary>An extension's data, or default when absent.</summary>
        public T? GetExtension<T>(string owner) where T : class =>
            Extensions.TryGetValue(owner, out JToken? token) && token.Type != JTokenType.Null ? token.ToObject<T>() : null;

        /// <summary>Sets (or with null, removes) an extension's data.</summary>
        public void SetExtension(string owner, object? value)
        {
            if (value == null) Extensions.Remove(owner);
            else Extensions[owner] = JToken.FromObject(value);
        }

        /// <summary>Records that the certificate is owed, keeping the first reason and adding later ones.</summary>
        public void OweSslRedeploy(string reason)
        {
            SslRedeployPending = true;
            if (string.IsNullOrEmpty(SslReason)) SslReason = reason;
            else if (SslReason!.IndexOf(reason, StringComparison.Ordinal) < 0) SslReason += "; " + reason;
        }
    }
}
