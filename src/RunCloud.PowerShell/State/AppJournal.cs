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
    /// Format (JSON, camelCase): version 2 names the app by <see cref="ApiHost"/> + server + web app id (version 1
    /// named it by a fingerprint of the credential, <see cref="Account"/>; the store takes such a journal over, see
    /// <see cref="JournalStore"/>). Readers refuse a higher <see cref="Version"/> rather than guess; fields they do not
    /// know are kept on rewrite (<see cref="Unknown"/>), so an older module never drops a newer one's data.
    /// Other concerns add their data under <see cref="Extensions"/>, one key per owner (e.g. "ssl": names not yet
    /// DNS-ready, Let's Encrypt issuance counts); <see cref="GetExtension{T}"/>/<see cref="SetExtension"/> read and write it.
    /// Never stores a secret.
    /// </summary>
    internal sealed class AppJournal
    {
        /// <summary>The format version this module writes and the highest it reads.</summary>
        public const int CurrentVersion = 2;

        /// <summary>The first format: the app named by a credential fingerprint (<see cref="Account"/>), taken over on first sight.</summary>
        public const int LegacyVersion = 1;

        [JsonProperty("version", Required = Required.Always)]
        public int Version { get; set; } = CurrentVersion;

        /// <summary>Version 2: the API host the app's ids belong to (<see cref="AppStateKey.ApiHost"/>).</summary>
        [JsonProperty("apiHost")]
        public string? ApiHost { get; set; }

        /// <summary>Version 1 only: the credential fingerprint the first format named the app by (<see cref="AppStateKey.Fingerprint"/>).</summary>
        [JsonProperty("account")]
        public string? Account { get; set; }

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
            ApiHost = key.ApiHost,
            BaseUri = baseUri,
            ServerId = key.ServerId,
            WebAppId = key.WebAppId,
            CreatedAt = nowUtc,
            UpdatedAt = nowUtc,
        };

        /// <summary>An extension's data read by its owner's <paramref name="read"/>, or null when absent.</summary>
        public T? GetExtension<T>(string owner, Func<JObject, T> read) where T : class =>
            Extensions.TryGetValue(owner, out JToken? token) && token.Type != JTokenType.Null ? read(JsonFields.Object(token, "extensions." + owner)) : null;

        /// <summary>Sets (or with null, removes) an extension's data, as its owner writes it.</summary>
        public void SetExtension(string owner, JObject? value)
        {
            if (value == null) Extensions.Remove(owner);
            else Extensions[owner] = value;
        }

        private static readonly HashSet<string> Known = new HashSet<string>(StringComparer.Ordinal)
        {
            "version", "apiHost", "account", "baseUri", "serverId", "webAppId", "createdAt", "updatedAt", "writtenBy", "pendingAdds",
            "pendingRemovals", "sslRedeployPending", "sslReason", "sslDomains", "sslReinstall", "extensions",
        };

        /// <summary>The journal as its file holds it (the order and names of the properties above; nulls left out).</summary>
        public JObject ToJson()
        {
            var o = new JObject { ["version"] = Version };
            JsonFields.AddIfSet(o, "apiHost", ApiHost);
            JsonFields.AddIfSet(o, "account", Account);
            JsonFields.AddIfSet(o, "baseUri", BaseUri);
            o.Add("serverId", ServerId);
            o.Add("webAppId", WebAppId);
            o.Add("createdAt", CreatedAt);
            o.Add("updatedAt", UpdatedAt);
            JsonFields.AddIfSet(o, "writtenBy", WrittenBy);
            o.Add("pendingAdds", new JArray(PendingAdds));
            o.Add("pendingRemovals", JournalDomain.ToJson(PendingRemovals));
            o.Add("sslRedeployPending", SslRedeployPending);
            JsonFields.AddIfSet(o, "sslReason", SslReason);
            o.Add("sslDomains", JournalDomain.ToJson(SslDomains));
            JsonFields.AddIfSet(o, "sslReinstall", SslReinstall);
            o.Add("extensions", Extensions);
            foreach (KeyValuePair<string, JToken> u in Unknown) o[u.Key] = u.Value;
            return o;
        }

        /// <summary>A journal from its file's object; a missing version or a field of the wrong type is a <see cref="JsonSerializationException"/>.</summary>
        public static AppJournal FromJson(JObject o)
        {
            return new AppJournal
            {
                Version = JsonFields.RequiredInt(o, "version"),
                ApiHost = JsonFields.String(o, "apiHost"),
                Account = JsonFields.String(o, "account"),
                BaseUri = JsonFields.String(o, "baseUri"),
                ServerId = JsonFields.Long(o, "serverId"),
                WebAppId = JsonFields.Long(o, "webAppId"),
                CreatedAt = JsonFields.Date(o, "createdAt"),
                UpdatedAt = JsonFields.Date(o, "updatedAt"),
                WrittenBy = JsonFields.String(o, "writtenBy"),
                PendingAdds = JsonFields.Strings(o, "pendingAdds"),
                PendingRemovals = JsonFields.List(o, "pendingRemovals", JournalDomain.FromJson),
                SslRedeployPending = JsonFields.Bool(o, "sslRedeployPending"),
                SslReason = JsonFields.String(o, "sslReason"),
                SslDomains = JsonFields.List(o, "sslDomains", JournalDomain.FromJson),
                SslReinstall = JsonFields.NullableObject(o, "sslReinstall"),
                Extensions = JsonFields.NullableObject(o, "extensions") ?? new JObject(),
                Unknown = JsonFields.Unknown(o, Known),
            };
        }

        /// <summary>
        /// Adds another journal's record of the same app to this one (taking over a first-format journal): every owed
        /// add, removal, SSL redeploy or reinstall of either stays owed; extensions are merged (lists united).
        /// Merging the same journal twice changes nothing more, so a takeover interrupted after its write converges.
        /// </summary>
        public void MergeFrom(AppJournal other)
        {
            foreach (string name in other.PendingAdds)
            {
                if (!PendingAdds.Contains(name, StringComparer.Ordinal)) PendingAdds.Add(name);
            }

            foreach (JournalDomain d in other.PendingRemovals)
            {
                if (!PendingRemovals.Exists(p => p.Id == d.Id)) PendingRemovals.Add(d);
            }

            if (other.SslRedeployPending) OweSslRedeploy(string.IsNullOrEmpty(other.SslReason) ? "owed by an earlier run" : other.SslReason!);
            foreach (JournalDomain d in other.SslDomains)
            {
                if (!SslDomains.Exists(p => p.Id == d.Id)) SslDomains.Add(d);
            }

            SslReinstall ??= other.SslReinstall;
            foreach (JProperty p in other.Extensions.Properties())
            {
                if (Extensions[p.Name] is JObject mine && p.Value is JObject theirs)
                {
                    mine.Merge(theirs, new JsonMergeSettings { MergeArrayHandling = MergeArrayHandling.Union, MergeNullValueHandling = MergeNullValueHandling.Ignore });
                }
                else if (Extensions[p.Name] == null)
                {
                    Extensions[p.Name] = p.Value.DeepClone();
                }
            }

            foreach (KeyValuePair<string, JToken> u in other.Unknown)
            {
                if (!Unknown.ContainsKey(u.Key)) Unknown[u.Key] = u.Value;
            }

            if (other.CreatedAt != default && (CreatedAt == default || other.CreatedAt < CreatedAt)) CreatedAt = other.CreatedAt;
            WrittenBy ??= other.WrittenBy;
            BaseUri ??= other.BaseUri;
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
