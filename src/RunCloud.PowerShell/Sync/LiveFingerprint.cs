using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The fingerprint of a web app's live domain list: SHA-256 of its "id name" lines, names lower-cased, sorted by
    /// id then name. Two listings have the same fingerprint exactly when they hold the same domains with the same ids,
    /// whatever the page order.
    /// </summary>
    internal static class LiveFingerprint
    {
        public static string Compute(IEnumerable<RunCloudPlannedDomain> live)
        {
            string text = string.Join("\n", live
                .Select(d => (d.Id, Name: d.Name.Trim().TrimEnd('.').ToLowerInvariant()))
                .OrderBy(d => d.Id).ThenBy(d => d.Name, StringComparer.Ordinal)
                .Select(d => d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + d.Name));
            using var sha = SHA256.Create();
            byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
            return "sha256:" + string.Concat(hash.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }

        /// <summary>What changed between the planned and the current live list, in words; empty when nothing did.</summary>
        public static string Describe(IReadOnlyCollection<RunCloudPlannedDomain> planned, IReadOnlyCollection<RunCloudPlannedDomain> now)
        {
            static string Key(RunCloudPlannedDomain d) => d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + d.Name.ToLowerInvariant();
            var before = new HashSet<string>(planned.Select(Key));
            var after = new HashSet<string>(now.Select(Key));
            List<RunCloudPlannedDomain> appeared = now.Where(d => !before.Contains(Key(d))).ToList();
            List<RunCloudPlannedDomain> gone = planned.Where(d => !after.Contains(Key(d))).ToList();
            var parts = new List<string>();
            if (appeared.Count > 0) parts.Add("now also " + List(appeared));
            if (gone.Count > 0) parts.Add("no longer " + List(gone));
            return string.Join("; ", parts);
        }

        private static string List(List<RunCloudPlannedDomain> domains) =>
            string.Join(", ", domains.Take(5).Select(d => d.ToString())) + (domains.Count > 5 ? $" and {domains.Count - 5} more" : string.Empty);
    }
}
