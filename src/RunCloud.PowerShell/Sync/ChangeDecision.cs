using System;
using System.Collections.Generic;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>What <see cref="ChangeDetector"/> decided for one sync, before any call: the way, why, and what it will cost to read.</summary>
    internal sealed class ChangeDecision
    {
        public ChangeDecision(ReadWay way, string reason, DesiredFingerprint fingerprint, SyncRecord? record)
        {
            Way = way;
            Reason = reason;
            Fingerprint = fingerprint;
            Record = record;
        }

        public ReadWay Way { get; set; }

        /// <summary>Why, for the operator ("source unchanged since ...; next full check at ...").</summary>
        public string Reason { get; set; }

        public DesiredFingerprint Fingerprint { get; }

        /// <summary>The last clean sync's record the decision was made from (null: none usable).</summary>
        public SyncRecord? Record { get; }

        /// <summary>Targeted: the names to check with RunCloud's search, in order.</summary>
        public List<string> Check { get; } = new List<string>();

        /// <summary>The calls reading will take: the searches' pages (targeted), the listing's pages (full, when the app's size is known), 0 (unchanged).</summary>
        public int? ReadCalls { get; set; }

        /// <summary>The listing's pages, when the app's size is known from the record.</summary>
        public int? ListingPages { get; set; }

        /// <summary>When this run listed the app in full (UTC); null: it did not.</summary>
        public DateTime? ListedAt { get; set; }

        /// <summary>When this run's drift check vouched for the app (UTC); null: it did not.</summary>
        public DateTime? VouchedAt { get; set; }

        /// <summary>The highest domain id the app had when this run listed it or vouched for it.</summary>
        public long? CheckedMaxId { get; set; }

        /// <summary>When the next full reconcile is due (UTC), when known.</summary>
        public DateTime? NextFullCheck { get; set; }
    }
}
