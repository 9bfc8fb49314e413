using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Ssl
{
    /// <summary>The host names a certificate must carry for a set of domains, counted as Let's Encrypt counts them.</summary>
    internal static class SslNames
    {
        /// <summary>Let's Encrypt puts at most this many names in one certificate (each www. variant counts).</summary>
        public const int MaxNamesPerCertificate = 100;

        /// <summary>The domain's name, and www.&lt;name&gt; when the domain serves www (never www.www., never for a wildcard).</summary>
        public static IEnumerable<string> HostNames(RunCloudDomain domain)
        {
            string name = domain.Name.ToLowerInvariant();
            yield return name;
            if (domain.Www && !name.StartsWith("www.", StringComparison.Ordinal) && !name.StartsWith("*.", StringComparison.Ordinal))
            {
                yield return "www." + name;
            }
        }

        /// <summary>A wildcard name (*.example.com, RunCloud's wildcard:1): Let's Encrypt validates it only over DNS-01.</summary>
        public static bool IsWildcard(string name) => name.StartsWith("*.", StringComparison.Ordinal);

        /// <summary>Every distinct host name the domains need, in a stable order.</summary>
        public static List<string> All(IEnumerable<RunCloudDomain> domains) =>
            domains.SelectMany(HostNames).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(n => n, StringComparer.Ordinal).ToList();

        /// <summary>
        /// A short, stable key of a set of names (order and case do not matter): what Let's Encrypt's duplicate-certificate
        /// limit compares. The names themselves are not stored, so 250 names do not bloat the journal.
        /// </summary>
        public static string SetKey(IEnumerable<string> names)
        {
            string text = string.Join("\n", names.Select(n => n.ToLowerInvariant()).Distinct().OrderBy(n => n, StringComparer.Ordinal));
            using SHA256 sha = SHA256.Create();
            byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
            var sb = new StringBuilder(24);
            for (int i = 0; i < 12; i++) sb.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        /// <summary>
        /// The registered domain Let's Encrypt's "certificates per registered domain" limit counts by: the last two
        /// labels, or three under a two-letter second-level such as co.uk (an approximation of the public suffix list).
        /// </summary>
        public static string RegisteredDomain(string name)
        {
            string[] labels = name.TrimStart('*', '.').ToLowerInvariant().Split('.');
            if (labels.Length <= 2) return string.Join(".", labels);
            int take = labels[labels.Length - 1].Length == 2 && labels[labels.Length - 2].Length <= 3 ? 3 : 2;
            return string.Join(".", labels.Skip(labels.Length - take));
        }
    }
}
