using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace RunCloud.PowerShell.Ssl
{
    /// <summary>
    /// Finds the ssl_protocol_id an operator means among RunCloud's choices (GET static/ssl/protocols, each a set of TLS
    /// versions such as "TLSv1.2 TLSv1.3"). An exact set matches (order, case and separators aside: "TLSv1.2+TLSv1.3");
    /// a single version means "this version and newer", the choice whose oldest version it is, as public clients map
    /// them (the Ansible collection for RunCloud: TLSv1.1 = 1, TLSv1.2 = 2, TLSv1.3 = 3).
    /// </summary>
    internal static class SslProtocolMatch
    {
        private static readonly Regex s_version = new Regex(@"^(?:tls)?v?(\d+(?:\.\d+)?)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>The matching choice, or null (then the caller lists the choices).</summary>
        public static (long Id, string Name)? Find(IReadOnlyList<(long Id, string Name)> choices, string wanted)
        {
            List<string>? asked = Versions(wanted);
            if (asked == null || asked.Count == 0) return null;
            foreach (var choice in choices)
            {
                List<string>? offered = Versions(choice.Name);
                if (offered != null && offered.SequenceEqual(asked)) return choice;
            }

            if (asked.Count != 1) return null;
            var oldestIs = choices.Where(c => Versions(c.Name) is List<string> v && v.Count > 0 && v[0] == asked[0]).ToList();
            return oldestIs.Count == 1 ? oldestIs[0] : ((long, string)?)null;
        }

        /// <summary>The TLS versions a text names, normalised ("1.2"), oldest first; null when a part is not a TLS version.</summary>
        internal static List<string>? Versions(string text)
        {
            string spaced = Regex.Replace(text.Trim(), @"\s*(\+|,|/|&|\band\b)\s*", " ", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            // "TLS 1.2" is one version, not two words.
            spaced = Regex.Replace(spaced, @"\btls\s+v?(?=\d)", "TLSv", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            var versions = new List<string>();
            foreach (string part in spaced.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                Match m = s_version.Match(part);
                if (!m.Success) return null;
                string v = m.Groups[1].Value;
                if (v.IndexOf('.') < 0) v += ".0";
                if (!versions.Contains(v)) versions.Add(v);
            }

            return versions.OrderBy(v => Version.Parse(v)).ToList();
        }
    }
}
