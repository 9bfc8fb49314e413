using System;
using System.Collections.Generic;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// What the last clean sync of an app applied, so the next run can tell whether anything changed without asking
    /// RunCloud: the fingerprint of the desired set (and of the options that shape the plan, apart), the source's cheap
    /// stamp when it has one (Ultimate Multisite's tables), when the app was last listed in full; and two lists, each
    /// desired name's own fingerprint (what changed, name by name) and the app's domains as that run left them. The
    /// metadata is the app's journal's "sync" extension (AppJournal.Extensions["sync"]); the lists, which grow with the
    /// app, are the applied set beside it (JournalStore.AppliedPath, <see cref="SyncRecords"/>), vouched for by their hash
    /// in the metadata, so every other run on the app reads a small journal. Written only by a sync that ended clean (no
    /// failure, no guard, nothing owed, nothing held back); dropped from the journal as soon as any run starts changing
    /// the app, so a crash or a change by another command leaves no record (the next run lists in full). Never holds a
    /// secret.
    /// </summary>
    internal sealed class SyncRecord
    {
        public const string Owner = "sync";

        /// <summary>The record's format: another value is read as no record (the next run lists in full).</summary>
        public const int CurrentVersion = 1;

        [JsonProperty("version")]
        public int Version { get; set; } = CurrentVersion;

        /// <summary>Of the desired entries and the options together (<see cref="DesiredFingerprint"/>).</summary>
        [JsonProperty("fingerprint")]
        public string Fingerprint { get; set; } = string.Empty;

        /// <summary>Of the options alone (prune, exclusions, protected names, -MaxRemove, www, redirection...): a change there lists in full.</summary>
        [JsonProperty("optionsFingerprint")]
        public string OptionsFingerprint { get; set; } = string.Empty;

        /// <summary>When this record was written (UTC): a change made to the app by another command after it makes the record stale.</summary>
        [JsonProperty("recordedAt")]
        public DateTime RecordedAt { get; set; }

        /// <summary>Since when the source has had this fingerprint (UTC).</summary>
        [JsonProperty("sourceSince")]
        public DateTime SourceSince { get; set; }

        /// <summary>When the app was last listed in full (UTC); null: never by a clean run since the record was made.</summary>
        [JsonProperty("fullReconcileAt", NullValueHandling = NullValueHandling.Ignore)]
        public DateTime? FullReconcileAt { get; set; }

        /// <summary>
        /// When the app's whole set was last confirmed (UTC): a full listing, or a drift check that vouched for it
        /// (<see cref="DriftCheck"/>); the next full check is due -ReconcileEvery after it. Null: the same as <see cref="FullReconcileAt"/>.
        /// </summary>
        [JsonProperty("checkedAt", NullValueHandling = NullValueHandling.Ignore)]
        public DateTime? CheckedAt { get; set; }

        /// <summary>The highest domain id the app had at that confirmation: a domain with a higher id was created since. Null: unknown (the drift check cannot vouch).</summary>
        [JsonProperty("checkedMaxId", NullValueHandling = NullValueHandling.Ignore)]
        public long? CheckedMaxId { get; set; }

        /// <summary>How many domains the app had after that run (what a projection of its cost needs, without the applied set).</summary>
        [JsonProperty("domainCount")]
        public int DomainCount { get; set; }

        /// <summary>SHA-256 of the applied set (the two lists below, as written beside the journal).</summary>
        [JsonProperty("appliedHash")]
        public string AppliedHash { get; set; } = string.Empty;

        /// <summary>Desired name (or "!" + an invalid entry) → the fingerprint of its entry (in the applied set).</summary>
        [JsonIgnore]
        public Dictionary<string, string> Desired { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>The app's domains after that run (in the applied set).</summary>
        [JsonIgnore]
        public List<SyncRecordDomain> Domains { get; set; } = new List<SyncRecordDomain>();

        /// <summary>The record as the journal's "sync" extension holds it (the fields above; the sets live in the applied file).</summary>
        public JObject ToJson()
        {
            var o = new JObject
            {
                ["version"] = Version,
                ["fingerprint"] = Fingerprint,
                ["optionsFingerprint"] = OptionsFingerprint,
                ["recordedAt"] = RecordedAt,
                ["sourceSince"] = SourceSince,
            };
            JsonFields.AddIfSet(o, "fullReconcileAt", FullReconcileAt);
            JsonFields.AddIfSet(o, "checkedAt", CheckedAt);
            JsonFields.AddIfSet(o, "checkedMaxId", CheckedMaxId);
            o.Add("domainCount", DomainCount);
            o.Add("appliedHash", AppliedHash);
            return o;
        }

        public static SyncRecord FromJson(JObject o) => new SyncRecord
        {
            Version = JsonFields.Int(o, "version", CurrentVersion),
            Fingerprint = JsonFields.String(o, "fingerprint") ?? string.Empty,
            OptionsFingerprint = JsonFields.String(o, "optionsFingerprint") ?? string.Empty,
            RecordedAt = JsonFields.Date(o, "recordedAt"),
            SourceSince = JsonFields.Date(o, "sourceSince"),
            FullReconcileAt = JsonFields.NullableDate(o, "fullReconcileAt"),
            CheckedAt = JsonFields.NullableDate(o, "checkedAt"),
            CheckedMaxId = JsonFields.NullableLong(o, "checkedMaxId"),
            DomainCount = JsonFields.Int(o, "domainCount"),
            AppliedHash = JsonFields.String(o, "appliedHash") ?? string.Empty,
        };
    }
}
