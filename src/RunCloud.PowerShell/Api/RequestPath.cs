using System;
using System.Globalization;
using System.Linq;

namespace RunCloud.PowerShell.Api
{
    /// <summary>
    /// A path Invoke-RunCloudRequest sends, checked before any request: relative to the connection's API root (so the
    /// credentials only ever go where the connection points), without a scheme, host, query, fragment, backslash, white
    /// space, or a "." / ".." segment (also percent-encoded) that would climb out of the API root. A leading "/" is
    /// accepted and means the API root. Every problem is an <see cref="ArgumentException"/> saying what to write instead.
    /// </summary>
    internal static class RequestPath
    {
        private const string Allowed = "-._~!$&'()*+,;=:@%";

        public static string Normalize(string? path)
        {
            string text = (path ?? string.Empty).Trim();
            if (text.Length == 0) throw new ArgumentException("The path is empty. Give a path relative to the API root, e.g. servers or servers/1001/webapps.");
            if (text.StartsWith("//", StringComparison.Ordinal) || text.IndexOf("://", StringComparison.Ordinal) >= 0 || HasScheme(text))
            {
                throw new ArgumentException($"'{text}' names a scheme or host. Give only a path relative to the API root of the connection (e.g. servers/1001); use Connect-RunCloud -BaseUri to talk to another address.");
            }

            if (text.IndexOf('\\') >= 0) throw new ArgumentException($"'{text}' has a backslash. Separate the parts of the path with '/'.");
            if (text.IndexOf('?') >= 0 || text.IndexOf('#') >= 0) throw new ArgumentException($"'{text}' has a query or fragment. Pass query values with -Query @{{ name = 'value' }}.");
            if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) throw new ArgumentException($"'{Escape(text)}' has white space or a control character. Percent-encode it, or check the path.");
            if (text.StartsWith("/", StringComparison.Ordinal)) text = text.Substring(1);
            if (text.StartsWith("api/", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"'{text}' starts with the API root again. The connection already points at it: drop the leading 'api/vN/' (e.g. servers/1001).");
            }

            string[] segments = text.TrimEnd('/').Split('/');
            foreach (string segment in segments)
            {
                string decoded = Uri.UnescapeDataString(segment);
                if (segment.Length == 0) throw new ArgumentException($"'{text}' has an empty segment ('//'). Remove it.");
                if (decoded == "." || decoded == "..") throw new ArgumentException($"'{text}' has a '{decoded}' segment, which would leave the path it names. Give the path itself.");
                if (decoded.IndexOf('/') >= 0 || decoded.IndexOf('\\') >= 0) throw new ArgumentException($"'{text}' hides a path separator in '{segment}'. Give the path itself.");
                foreach (char c in segment)
                {
                    if (!(c < 128 && (char.IsLetterOrDigit(c) || Allowed.IndexOf(c) >= 0)))
                    {
                        throw new ArgumentException($"'{text}' has the character '{c}', which a URL path does not take unencoded. Percent-encode it ({Uri.EscapeDataString(c.ToString())}).");
                    }
                }

                for (int i = segment.IndexOf('%'); i >= 0; i = segment.IndexOf('%', i + 1))
                {
                    if (i + 2 >= segment.Length || !IsHex(segment[i + 1]) || !IsHex(segment[i + 2]))
                    {
                        throw new ArgumentException($"'{text}' has a '%' that is not a percent-encoding (%XX). Write %25 for a literal '%'.");
                    }
                }
            }

            return text;
        }

        /// <summary>True when the request URI stayed under the API root (scheme, host, port and path prefix): the last check before sending.</summary>
        public static bool StaysUnder(Uri baseUri, Uri request) =>
            string.Equals(baseUri.GetLeftPart(UriPartial.Authority), request.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
            && request.AbsolutePath.StartsWith(baseUri.AbsolutePath, StringComparison.Ordinal);

        private static bool HasScheme(string text)
        {
            int colon = text.IndexOf(':');
            int slash = text.IndexOf('/');
            return colon > 0 && (slash < 0 || colon < slash) && char.IsLetter(text[0]) && text.Substring(0, colon).All(c => char.IsLetterOrDigit(c) || c == '+' || c == '.' || c == '-');
        }

        private static bool IsHex(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

        private static string Escape(string text) => new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
