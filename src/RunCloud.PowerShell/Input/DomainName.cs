using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;

namespace RunCloud.PowerShell.Input
{
    /// <summary>
    /// Checks and normalises a domain name before any call: host-name rules (labels of 1-63 letters, digits or hyphens,
    /// no hyphen at either end, 253 characters at most), an optional leading "*." for a wildcard, IDN to punycode,
    /// lower case, one trailing dot dropped. URLs, paths, ports and IP addresses are refused with a hint.
    /// A desired name must also end in a top-level domain (<see cref="TopLevelDomainProblem"/>): checked where desired
    /// names are read, since the names already on an app, wildcards and look-ups need no such rule.
    /// </summary>
    internal static class DomainName
    {
        private static readonly IdnMapping s_idn = new IdnMapping { AllowUnassigned = false, UseStd3AsciiRules = true };

        public static bool TryNormalize(string? input, out string normalized, out string error, bool allowSingleLabel = false)
        {
            normalized = string.Empty;
            if (input == null || input.Trim().Length == 0)
            {
                error = "The domain name is empty. Pass a host name such as shop.example.com.";
                return false;
            }

            string text = input.Trim();
            string shown = Show(text);
            if (text.IndexOf("://", StringComparison.Ordinal) >= 0)
            {
                string host = TryHost(text);
                error = $"'{shown}' is a URL, not a domain name. Pass the host name alone" + (host.Length > 0 ? $": {host}" : ", e.g. shop.example.com") + ".";
                return false;
            }

            if (text.IndexOfAny(new[] { '/', '\\', '?', '#' }) >= 0)
            {
                error = $"'{shown}' contains a path or query ('/', '\\', '?' or '#'). Pass only the host name, e.g. shop.example.com.";
                return false;
            }

            if (text.IndexOf('@') >= 0)
            {
                error = $"'{shown}' contains '@'. Pass only the host name (an e-mail address or user@host is not a domain).";
                return false;
            }

            if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                error = $"'{shown}' contains white space or a control character. Pass a single host name per entry.";
                return false;
            }

            if (IPAddress.TryParse(text.Trim('[', ']'), out _))
            {
                error = $"'{shown}' is an IP address. RunCloud web apps take domain names; point the name's DNS at the server's IP instead.";
                return false;
            }

            if (text.IndexOf(':') >= 0)
            {
                error = $"'{shown}' has a port. RunCloud domains have no port: pass '{text.Substring(0, text.IndexOf(':'))}'.";
                return false;
            }

            if (text.EndsWith(".", StringComparison.Ordinal)) text = text.Substring(0, text.Length - 1);
            bool wildcard = text.StartsWith("*.", StringComparison.Ordinal);
            string body = wildcard ? text.Substring(2) : text;
            if (body.IndexOf('*') >= 0)
            {
                error = $"'{shown}' has a '*' that is not a leading '*.' label. Only a wildcard of the form *.example.com is allowed.";
                return false;
            }

            if (body.Length == 0 || body.Split('.').Any(l => l.Length == 0))
            {
                error = $"'{shown}' has an empty label (two dots in a row, or a dot at the start). Each part between dots needs 1 to 63 characters.";
                return false;
            }

            // Lengths first: IdnMapping refuses a label over 63 characters or a name over 253 with the same
            // exception as a bad character, so without this the user was told about characters, not length.
            string? tooLong = body.Split('.').FirstOrDefault(l => l.Length > 63);
            if (tooLong != null)
            {
                error = $"'{shown}' has a label of {tooLong.Length} characters; each part between dots may have at most 63.";
                return false;
            }

            if ((wildcard ? 2 : 0) + body.Length > 253)
            {
                error = $"'{shown}' is {(wildcard ? 2 : 0) + body.Length} characters long; a domain name may have at most 253.";
                return false;
            }

            string ascii;
            try
            {
                ascii = s_idn.GetAscii(body).ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                // Lengths were checked above, so what IdnMapping refuses here is a character (or a punycode label it cannot encode).
                error = $"'{shown}' is not a valid host name: only letters, digits and hyphens are allowed in each label (international names are converted to punycode), and no label may start or end with a hyphen.";
                return false;
            }

            string[] labels = ascii.Split('.');
            foreach (string label in labels)
            {
                if (label.Length > 63)
                {
                    error = $"'{shown}' has a label of {label.Length} characters; each part between dots may have at most 63.";
                    return false;
                }

                if (label.StartsWith("-", StringComparison.Ordinal) || label.EndsWith("-", StringComparison.Ordinal)
                    || label.Any(c => !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')))
                {
                    error = $"'{shown}' is not a valid host name: each label takes only letters, digits and hyphens, and may not start or end with a hyphen.";
                    return false;
                }
            }

            string full = (wildcard ? "*." : string.Empty) + ascii;
            if (full.Length > 253)
            {
                error = $"'{Show(full)}' is {full.Length} characters long; a domain name may have at most 253.";
                return false;
            }

            if (!allowSingleLabel && labels.Length < 2)
            {
                error = $"'{shown}' has no dot. Pass a fully qualified domain name such as {ascii}.example.com.";
                return false;
            }

            if (labels.Length >= 2 && labels[labels.Length - 1].All(char.IsDigit))
            {
                error = $"'{shown}' ends in an all-numeric label, which no top-level domain is. Pass a domain name, not an address.";
                return false;
            }

            normalized = full;
            error = string.Empty;
            return true;
        }

        /// <summary>
        /// The top-level-domain rule of a desired name (one <see cref="TryNormalize"/> accepted): its last label is a
        /// top-level domain of the public suffix list shipped with the module (<see cref="PublicSuffixList"/>), or one
        /// in <paramref name="allowTld"/> (-AllowTld, a manifest's "allowTld": a private network's lan or internal), and
        /// the name is not a public suffix itself (co.uk). The special-use names of RFC 6761/6762 (test, example,
        /// invalid, localhost, local) and internal are in no public list, so they need -AllowTld like any private
        /// one: a name cut short by a generator still writing its file ("shop.exam") must not pass as a domain.
        /// Null when the name passes, else the error, which names the label and both fixes.
        /// </summary>
        /// <param name="normalized">A name as <see cref="TryNormalize"/> gives it (punycode, lower case, optional leading "*.").</param>
        /// <param name="allowTld">Top-level domains allowed besides the list's, as <see cref="TryNormalizeTld"/> gives them.</param>
        public static string? TopLevelDomainProblem(string normalized, ICollection<string>? allowTld = null)
        {
            string name = normalized.StartsWith("*.", StringComparison.Ordinal) ? normalized.Substring(2) : normalized;
            int dot = name.LastIndexOf('.');
            if (dot < 0) return null; // single-label names are refused (or allowed) by TryNormalize itself
            string tld = name.Substring(dot + 1);
            if (allowTld != null && allowTld.Contains(tld)) return null;
            PublicSuffixList list = PublicSuffixList.Shipped;
            if (!list.IsTopLevelDomain(tld))
            {
                return $"'{Show(normalized)}' ends in '.{tld}', which is not a top-level domain (the public suffix list shipped with the module knows {list.TopLevelCount}): "
                    + "a name cut short or mistyped would be added as a domain no one can reach. Fix the name. "
                    + $"If .{tld} is your private network's (like .lan or .internal), allow it: -AllowTld {tld} (in a manifest: \"allowTld\": [\"{tld}\"]).";
            }

            if (list.IsPublicSuffix(name))
            {
                return $"'{Show(normalized)}' is a public suffix (names are registered under it, as under co.uk), not a name a site can have. Pass the site's full name, e.g. shop.{name}.";
            }

            return null;
        }

        /// <summary>An -AllowTld value: one label ("lan", ".lan" or "*.lan"; IDN to punycode, lower case).</summary>
        public static bool TryNormalizeTld(string? input, out string tld, out string error)
        {
            tld = string.Empty;
            string text = (input ?? string.Empty).Trim();
            if (text.StartsWith("*.", StringComparison.Ordinal)) text = text.Substring(2);
            text = text.Trim('.');
            if (text.Length == 0 || text.IndexOf('.') >= 0)
            {
                error = $"'{Show(input ?? string.Empty)}' is not a top-level domain: give the last label of the names alone, e.g. lan or internal.";
                return false;
            }

            if (!TryNormalize(text, out string ascii, out error, allowSingleLabel: true) || ascii.StartsWith("*", StringComparison.Ordinal) || ascii.All(char.IsDigit))
            {
                error = $"'{Show(input ?? string.Empty)}' is not a top-level domain: one label of letters, digits and hyphens, e.g. lan or internal.";
                return false;
            }

            tld = ascii;
            error = string.Empty;
            return true;
        }

        /// <summary>The -AllowTld values as a set; throws <see cref="ArgumentException"/> naming the first bad one and <paramref name="what"/>.</summary>
        public static HashSet<string> ParseTlds(IEnumerable<string>? values, string what)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (string value in values ?? Array.Empty<string>())
            {
                if (!TryNormalizeTld(value, out string tld, out string error)) throw new ArgumentException($"{what}: {error}");
                set.Add(tld);
            }

            return set;
        }

        private static string TryHost(string text) =>
            Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && !string.IsNullOrEmpty(uri.Host) ? uri.Host.ToLowerInvariant() : string.Empty;

        private static string Show(string text) => text.Length > 80 ? text.Substring(0, 80) + "…" : text;
    }
}
